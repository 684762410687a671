"""`reorder`, `stagger`, `mark-waiting`, `unbook`, `host-set`, `reboot` against the demo gateway: what they
send (strictly parsed), the farm's state after, `--json`, and exit 2 with nothing sent on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.farm import RUNNING, WAITING
from cuetui.demo.server import DemoGatewayThread
from tests.demo.helpers import add_allocation
from tests.schema import check_request

from .conftest import Result
from .helpers import wait_for

Cli = Callable[..., Result]
LOOKDEV = "testing-sh550-jdoe_lookdev_v005"  # seed 7: one layer `render`, 10 waiting, 17 running


def sent(gw: DemoGatewayThread, method: str) -> list[dict[str, Any]]:
    bodies = []
    for _verb, path, _headers, body, _status in gw.recorded:
        if path.endswith("/" + method):
            data = json.loads(body or b"{}")
            check_request(path, data)
            bodies.append(data)
    return bodies


def waiting_numbers(gw: DemoGatewayThread, name: str) -> list[int]:
    def read(farm: Any) -> list[int]:
        job = farm.find_job(name).job
        return [job.f_number[i] for i in job.order() if job.f_state[i] == WAITING]

    return list(gw.run(read))


def test_reorder_and_stagger(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    numbers = waiting_numbers(demo_gateway, LOOKDEV)
    last = numbers[-1]
    r = cli("--url", demo_gateway.url, "reorder", LOOKDEV, "--frames", str(last), "--order", "first", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["order"] == "FIRST" and out["frames"] == str(last) and out["frame_count"] == 1 and out["ok"]
    assert waiting_numbers(demo_gateway, LOOKDEV)[0] == last
    (body,) = sent(demo_gateway, "ReorderFrames")
    assert body["range"] == str(last)
    r = cli(
        "--url", demo_gateway.url, "reorder", LOOKDEV, "--frames", str(last), "--order", "LAST", "--layer", "render"
    )
    assert r.code == 0, r.err
    assert "reordered (last)" in r.out
    assert waiting_numbers(demo_gateway, LOOKDEV)[-1] == last
    assert len(sent(demo_gateway, "ReorderFrames")) == 2  # the layer's own RPC
    spec = ",".join(map(str, sorted(numbers[:6])))
    r = cli("--url", demo_gateway.url, "stagger", LOOKDEV, "--frames", spec, "--increment", "2")
    assert r.code == 0, r.err
    ordered = sorted(numbers[:6])
    got = [n for n in waiting_numbers(demo_gateway, LOOKDEV) if n in ordered]
    assert got == [ordered[k] for k in (0, 2, 4, 1, 3, 5)]
    assert sent(demo_gateway, "StaggerFrames")[0]["stagger"] == 2


def test_mark_waiting(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    job = "testing-sh180-rpatel_layout_v015"  # seed 7: 5 dead
    dead = demo_gateway.run(
        lambda farm: [
            farm.find_job(job).job.f_number[i] for i, s in enumerate(farm.find_job(job).job.f_state) if s == 5
        ]
    )
    r = cli("--url", demo_gateway.url, "mark-waiting", job, "--frames", ",".join(map(str, dead)), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["state"] == "WAITING"
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(job).counts[5]) == 0, what="dead frames waiting")


@pytest.mark.parametrize(
    "argv",
    [
        ["reorder", LOOKDEV, "--frames", "", "--order", "first"],
        ["reorder", LOOKDEV, "--frames", "1-", "--order", "first"],
        ["reorder", LOOKDEV, "--frames", "1-10", "--order", "sideways"],
        ["reorder", LOOKDEV, "--frames", "1-10", "--order", "first", "--layer", ""],
        ["stagger", LOOKDEV, "--frames", "1-10", "--increment", "0"],
        ["stagger", LOOKDEV, "--frames", "1,,2", "--increment", "2"],
        ["mark-waiting", LOOKDEV, "--frames", " "],
        ["mark-waiting", LOOKDEV, "--frames", "1-3", "--layer", "  "],
        ["host-set", "render001", "--add-tags", ""],
        ["host-set", "render001", "--add-tags", "a,,b"],
        ["host-set", "render001", "--remove-tags", "two words"],
        ["host-set", "render001", "--state", "DOWN"],
        ["host-set", "render001"],
        ["unbook", "--host", ""],
        ["reboot", ""],
    ],
)
def test_usage_errors_send_nothing(cli: Cli, demo_gateway: DemoGatewayThread, argv: list[str]) -> None:
    before = len(demo_gateway.recorded)
    r = cli("--url", demo_gateway.url, *argv)
    assert r.code == 2, (argv, r.out, r.err)
    assert r.out == ""
    assert len(demo_gateway.recorded) == before


def test_unknown_layer_is_refused(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "reorder", LOOKDEV, "--frames", "1", "--order", "first", "--layer", "nope")
    assert r.code == 2 and "no layer 'nope'" in r.err
    assert sent(demo_gateway, "ReorderFrames") == []


def test_read_only_sends_nothing(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    before = len(demo_gateway.recorded)
    for argv in (
        ["reorder", LOOKDEV, "--frames", "1", "--order", "first"],
        ["stagger", LOOKDEV, "--frames", "1-5", "--increment", "2"],
        ["mark-waiting", LOOKDEV, "--frames", "1"],
        ["unbook", "--host", "render001"],
        ["host-set", "render001", "--state", "REPAIR"],
        ["reboot", "render001"],
    ):
        r = cli("--url", demo_gateway.url, "--read-only", *argv)
        assert r.code == 2 and "read-only" in r.err, argv
    assert len(demo_gateway.recorded) == before


def _busy_host(gw: DemoGatewayThread) -> tuple[str, str, int]:
    """(host name, job name of its first proc, procs on it)."""

    def pick(farm: Any) -> tuple[str, str, int]:
        host = next(h for h in farm.hosts if len(h.procs) >= 1)
        proc = next(iter(host.procs.values()))
        return host.name, proc.job.name, len(host.procs)

    return gw.run(pick)


def test_unbook_kill_frees_the_cores(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    host, job, _count = _busy_host(demo_gateway)
    r = cli("--url", demo_gateway.url, "unbook", "--host", host, "--job", job, "--kill", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["kill"] is True and out["procs"] and out["ok"]
    assert all(b["kill"] is True for b in sent(demo_gateway, "Unbook"))
    left = demo_gateway.run(lambda farm: [p.job.name for p in farm.find_host(host).procs.values()])
    assert job not in left
    r = cli("--url", demo_gateway.url, "unbook", "--host", host, "--job", job)
    assert r.code == 0 and "nothing unbooked" in r.out


def test_unbook_without_kill_lets_frames_finish(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    host, _job, count = _busy_host(demo_gateway)
    r = cli("--url", demo_gateway.url, "unbook", "--host", host)
    assert r.code == 0, r.err
    assert len(sent(demo_gateway, "Unbook")) == count
    procs = demo_gateway.run(lambda farm: list(farm.find_host(host).procs.values()))
    assert len(procs) == count and all(p.unbooked for p in procs)
    assert demo_gateway.run(lambda farm: {p.job.f_state[p.frame] for p in procs}) == {RUNNING}


def test_host_set_and_reboot(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    add_allocation(demo_gateway, "local.desktop", "desktop")
    r = cli(
        "--url",
        demo_gateway.url,
        "host-set",
        "render001",
        "--alloc",
        "local.desktop",
        "--add-tags",
        "gpu,big",
        "--remove-tags",
        "general",
        "--state",
        "repair",
        "--json",
    )
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out == {
        "host": "render001",
        "alloc": "local.desktop",
        "added_tags": ["gpu", "big"],
        "removed_tags": ["general"],
        "state": "REPAIR",
        "ok": True,
        "errors": [],
    }
    host = demo_gateway.run(lambda farm: farm.find_host("render001"))
    assert demo_gateway.run(lambda farm: (host.alloc_name, host.state, "gpu" in host.tags, "general" in host.tags)) == (
        "local.desktop",
        "REPAIR",
        True,
        False,
    )
    r = cli("--url", demo_gateway.url, "host-set", "render001", "--alloc", "no.such")
    assert r.code == 2 and "no allocation" in r.err
    r = cli("--url", demo_gateway.url, "reboot", "render002", "--when-idle")
    assert r.code == 0 and "rebooting when idle" in r.out
    assert demo_gateway.run(lambda farm: farm.find_host("render002").state) == "REBOOT_WHEN_IDLE"
    r = cli("--url", demo_gateway.url, "reboot", "render003")
    assert r.code == 0, r.err
    assert demo_gateway.run(lambda farm: farm.find_host("render003").state) in ("REBOOTING", "DOWN")
    r = cli("--url", demo_gateway.url, "reboot", "no-such-host")
    assert r.code == 1


def test_unreachable_exits_3(cli: Cli) -> None:
    r = cli("--url", "http://127.0.0.1:9", "reboot", "render001")
    assert r.code == 3
