"""Query commands against the demo gateway: tables, `--json` documents, filters, job matching, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from cuetui.demo.server import DemoGatewayThread

from .conftest import Result

ESC = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Cli = Callable[..., Result]


def _no_escapes(text: str) -> None:
    assert not ESC.search(text), repr(text[:200])


def test_shows_table_and_json(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    r = cli("--url", frozen_gateway.url, "shows")
    assert r.code == 0, r.err
    assert r.out.splitlines()[0].split()[:2] == ["SHOW", "ACTIVE"] and "testing" in r.out
    _no_escapes(r.out)
    r = cli("--url", frozen_gateway.url, "shows", "--json")
    shows = json.loads(r.out)
    assert shows[0]["name"] == "testing" and isinstance(shows[0]["show_stats"]["running_frames"], int)


def test_jobs_json_shape_and_filters(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    pending = json.loads(cli("--url", frozen_gateway.url, "jobs", "--json").out)
    everything = json.loads(cli("--url", frozen_gateway.url, "jobs", "--finished", "--json").out)
    assert pending and len(everything) > len(pending)
    assert all(job["state"] == "PENDING" for job in pending)
    job = pending[0]
    assert set(job) >= {"id", "name", "state", "user", "show", "job_stats", "is_paused", "start_time"}
    assert isinstance(job["job_stats"]["total_frames"], int) and isinstance(job["start_time"], int)
    user = job["user"]
    mine = json.loads(cli("--url", frozen_gateway.url, "jobs", "--user", user, "--json").out)
    assert mine and all(j["user"] == user for j in mine)
    # the global flag works too, before the subcommand
    assert json.loads(cli("--url", frozen_gateway.url, "--user", user, "jobs", "--json").out) == mine
    assert json.loads(cli("--url", frozen_gateway.url, "jobs", "--show", "nope", "--json").out) == []
    part = job["name"].split("-")[2]
    matched = json.loads(cli("--url", frozen_gateway.url, "jobs", "--match", part.upper(), "--json").out)
    assert matched and all(part in j["name"] for j in matched)


def test_jobs_table_fits_the_terminal(
    cli: Cli, frozen_gateway: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = cli("--url", frozen_gateway.url, "jobs")
    monkeypatch.setenv("COLUMNS", "60")
    narrow = cli("--url", frozen_gateway.url, "jobs")
    assert narrow.code == 0
    assert all(len(line) <= 60 for line in narrow.out.splitlines())
    assert "USER" in wide.out.splitlines()[0] and "SHOW" not in narrow.out.splitlines()[0]
    assert narrow.out.splitlines()[0].startswith("JOB")


def test_layers_and_frames(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    jobs = json.loads(cli("--url", frozen_gateway.url, "jobs", "--json").out)
    job = max(jobs, key=lambda j: j["job_stats"]["dead_frames"])
    layers = json.loads(cli("--url", frozen_gateway.url, "layers", job["id"], "--json").out)
    assert layers and sum(lay["layer_stats"]["total_frames"] for lay in layers) == job["job_stats"]["total_frames"]
    table = cli("--url", frozen_gateway.url, "layers", job["name"])
    assert table.code == 0 and table.out.startswith("LAYER")
    frames = json.loads(cli("--url", frozen_gateway.url, "frames", job["name"], "--json").out)
    assert len(frames) == job["job_stats"]["total_frames"]
    assert len({f["id"] for f in frames}) == len(frames)
    dead = json.loads(cli("--url", frozen_gateway.url, "frames", job["name"], "--state", "dead", "--json").out)
    assert len(dead) == job["job_stats"]["dead_frames"] and all(f["state"] == "DEAD" for f in dead)
    layer = layers[0]["name"]
    first = min(f["number"] for f in frames if f["layer_name"] == layer)
    spec = f"{first}-{first + 2}"
    some = json.loads(
        cli("--url", frozen_gateway.url, "frames", job["name"], "--layer", layer, "--range", spec, "--json").out
    )
    assert some and all(f["layer_name"] == layer and first <= f["number"] <= first + 2 for f in some)
    table = cli("--url", frozen_gateway.url, "frames", job["name"])
    assert table.code == 0 and len(table.out.splitlines()) == len(frames) + 1
    _no_escapes(table.out)


def test_frames_unknown_state_refused_before_sending(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    r = cli("--url", frozen_gateway.url, "frames", "sh", "--state", "DEADD")
    assert r.code == 2 and "unknown frame state" in r.err
    r = cli("--url", frozen_gateway.url, "frames", "sh", "--range", "one to ten")
    assert r.code == 2 and "bad frame range" in r.err


def test_hosts_and_procs(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    hosts = json.loads(cli("--url", frozen_gateway.url, "hosts", "--json").out)
    up = json.loads(cli("--url", frozen_gateway.url, "hosts", "--state", "UP", "--json").out)
    assert hosts and up and len(up) < len(hosts) and all(h["state"] == "UP" for h in up)
    assert isinstance(hosts[0]["memory"], int) and isinstance(hosts[0]["tags"], list)
    alloc = json.loads(cli("--url", frozen_gateway.url, "hosts", "--alloc", "nope.none", "--json").out)
    assert alloc == []
    procs = json.loads(cli("--url", frozen_gateway.url, "procs", "--json").out)
    assert procs
    host = procs[0]["name"].split("/")[0]
    on_host = json.loads(cli("--url", frozen_gateway.url, "procs", "--host", host, "--json").out)
    assert on_host and all(p["name"].startswith(host + "/") for p in on_host)
    job_name = procs[0]["job_name"]
    of_job = json.loads(cli("--url", frozen_gateway.url, "procs", "--job", job_name, "--json").out)
    assert of_job and all(p["job_name"] == job_name for p in of_job)


def test_unknown_and_ambiguous_jobs_exit_2(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    r = cli("--url", frozen_gateway.url, "layers", "no-such-job-anywhere")
    assert r.code == 2 and "no job matches" in r.err and r.out == ""
    r = cli("--url", frozen_gateway.url, "layers", "testing")
    assert r.code == 2 and "jobs match" in r.err
    assert len([line for line in r.err.splitlines() if line.startswith("  testing-")]) >= 2


def test_gateway_down_exits_3(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway()
    url = gw.url
    gw.stop()
    r = cli("--url", url, "jobs")
    assert r.code == 3 and "unreachable" in r.err and r.out == ""


def test_wrong_secret_exits_3(cli: Cli, frozen_gateway: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", "not-the-secret-planted-0123456789")
    r = cli("--url", frozen_gateway.url, "shows")
    assert r.code == 3 and "refused the token" in r.err
    assert "not-the-secret-planted" not in r.out + r.err


def test_no_url_is_a_config_error(cli: Cli) -> None:
    r = cli("shows")
    assert r.code == 2 and "no gateway URL" in r.err
