"""`cuetui dead` end to end against the demo gateway: a scenario farm with two different failures must
come out as two groups, whatever the frame numbers, timestamps and hosts in the log lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.farm import DEAD
from cuetui.demo.server import DemoGatewayThread

from .conftest import Result

Cli = Callable[..., Result]
START = 1767225600
TEXTURE = "[{t}] ERROR: [kick] failed to open texture '/shots/assets/tex/ground_diffuse.{n:04d}.tx': No such file"
OOM = "[{t}] ERROR: process {pid} killed by the OOM killer (memory limit exceeded at {gb}.5 GB)"


def _log(error: str) -> str:
    return "\n".join(
        [
            "=" * 59,
            "RenderQ JobSpec      Thu Jan 01 00:00:00 2026",
            "command              kick -i render.1.ass",
            "=" * 59,
            "[2026-01-01 00:00:05] INFO  | loading scene",
            error,
            "=" * 59,
            "RenderQ Job Complete",
            "exitStatus          1",
            "=" * 59,
            "",
        ]
    )


def _job(index: int, name: str, deaths: list[tuple[str, int, str]]) -> dict[str, Any]:
    """A job of one render layer whose frames all died: (error line, exit status, host) each."""
    frames, logs = [], {}
    for k, (error, status, host) in enumerate(deaths, start=1):
        frame = f"{k:04d}-render"
        frames.append(
            {
                "id": f"22222222-2222-4222-8222-{index:04d}{k:08d}",
                "name": frame,
                "layerName": "render",
                "number": k,
                "state": "DEAD",
                "retryCount": 3,
                "exitStatus": status,
                "startTime": START + 60 * k,
                "stopTime": START + 60 * k + 30 + index,
                "lastResource": f"{host}/4.00/0",
            }
        )
        logs[frame] = _log(error.format(t=f"2026-01-01 00:{k:02d}:{index:02d}", n=1000 + k * 7, pid=4000 + k, gb=k))
    return {
        "job": {
            "id": f"11111111-1111-4111-8111-{index:012d}",
            "name": name,
            "shot": "sh010",
            "show": "testing",
            "user": "jdoe",
            "state": "PENDING",
            "startTime": START,
            "logDir": f"testing/logs/{name}",
        },
        "layers": [{"name": "render", "range": f"1-{len(deaths)}", "minCores": 4, "type": "RENDER"}],
        "frames": frames,
        "logs": logs,
    }


@pytest.fixture
def two_failures(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    """Two jobs: five frames died of a missing texture (two jobs, three hosts), three of OOM (one job)."""
    scenario = {
        "shows": [{"name": "testing"}],
        "jobs": [
            _job(
                1,
                "testing-sh010-jdoe_lighting_v001",
                [(TEXTURE, 1, "render01"), (TEXTURE, 1, "render02"), (OOM, 137, "render03"), (OOM, 137, "render01")],
            ),
            _job(
                2,
                "testing-sh020-jdoe_fx_v002",
                [(TEXTURE, 1, "render03"), (TEXTURE, 1, "render03"), (TEXTURE, 1, "render02"), (OOM, 137, "render02")],
            ),
        ],
        "hosts": [{"host": {"name": f"render0{h}"}} for h in (1, 2, 3)],
    }
    path = tmp_path / "two-failures.json"
    path.write_text(json.dumps(scenario))
    return make_gateway(scenario=str(path), log_root=tmp_path / "logs")


def test_two_different_failures_come_out_as_two_groups(cli: Cli, two_failures: DemoGatewayThread) -> None:
    r = cli("--url", two_failures.url, "dead", "--json")
    assert r.code == 0, r.err
    groups = json.loads(r.out)
    assert [g["count"] for g in groups] == [5, 3]
    texture, oom = groups
    assert texture["signature"] == (
        "[<time>] ERROR: [kick] failed to open texture '/shots/assets/tex/ground_diffuse.<frame>.tx': No such file"
    )
    assert texture["example"].startswith("[2026-01-01 00:") and "ground_diffuse.1" in texture["example"]
    assert texture["jobs"] == ["testing-sh010-jdoe_lighting_v001", "testing-sh020-jdoe_fx_v002"]
    assert texture["hosts"] == ["render01", "render02", "render03"]
    assert oom["signature"] == "[<time>] ERROR: process <n> killed by the OOM killer (memory limit exceeded at <n> GB)"
    assert len(oom["jobs"]) == 2 and oom["hosts"] == ["render01", "render02", "render03"]
    frames = {(f["job"], f["frame"]) for f in oom["frames"]}
    assert frames == {
        ("testing-sh010-jdoe_lighting_v001", "0003-render"),
        ("testing-sh010-jdoe_lighting_v001", "0004-render"),
        ("testing-sh020-jdoe_fx_v002", "0004-render"),
    }
    assert all(f["exit_status"] == 137 for f in oom["frames"])
    assert oom["first_death"] <= oom["last_death"]


def test_group_by_exit_host_and_none(cli: Cli, two_failures: DemoGatewayThread) -> None:
    by_exit = json.loads(cli("--url", two_failures.url, "dead", "--group", "exit", "--json").out)
    assert [(g["signature"], g["count"]) for g in by_exit] == [("exit 1 failed", 5), ("exit 137 killed (OOM?)", 3)]
    by_host = json.loads(cli("--url", two_failures.url, "dead", "--group", "host", "--json").out)
    assert sorted((g["signature"], g["count"]) for g in by_host) == [("render01", 2), ("render02", 3), ("render03", 3)]
    everything = json.loads(cli("--url", two_failures.url, "dead", "--group", "none", "--json").out)
    assert len(everything) == 1 and everything[0]["count"] == 8


def test_job_filter_and_table(cli: Cli, two_failures: DemoGatewayThread) -> None:
    r = cli("--url", two_failures.url, "dead", "--job", "fx_v002")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ["COUNT", "JOBS", "HOSTS"]
    assert lines[1].split()[0] == "3" and "ground_diffuse.<frame>.tx" in lines[1]
    assert lines[2].split()[0] == "1" and "OOM killer" in lines[2]
    assert len(lines) == 3


def test_show_filter_with_nothing_dead_and_unknown_job(cli: Cli, two_failures: DemoGatewayThread) -> None:
    r = cli("--url", two_failures.url, "dead", "--show", "nosuchshow", "--json")
    assert r.code == 0 and json.loads(r.out) == []
    r = cli("--url", two_failures.url, "dead", "--job", "no-such-job")
    assert r.code == 2 and r.err.startswith("cuetui dead: ")
    r = cli("--url", two_failures.url, "dead", "--group", "colour")
    assert r.code == 2


def test_an_unreadable_log_is_a_group_of_its_own(cli: Cli, two_failures: DemoGatewayThread, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('log_path_map = [["/", "/nowhere-at-all/"]]\n')
    r = cli("--config", str(config), "--url", two_failures.url, "dead", "--json")
    assert r.code == 0, r.err
    groups = json.loads(r.out)
    assert [(g["signature"], g["count"]) for g in groups] == [("log unreadable", 8)]
    assert "no such file on this machine" in groups[0]["example"]


def test_config_patterns_merge_what_the_rules_keep_apart(
    cli: Cli, two_failures: DemoGatewayThread, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[triage]\npatterns = [['ERROR: .*', \"ERROR: <any>\"]]\n")
    groups = json.loads(cli("--config", str(config), "--url", two_failures.url, "dead", "--json").out)
    assert [(g["signature"], g["count"]) for g in groups] == [("[<time>] ERROR: <any>", 8)]


def test_an_unreachable_gateway_is_exit_3(cli: Cli) -> None:
    r = cli("--url", "http://127.0.0.1:9", "dead")
    assert r.code == 3 and r.err.startswith("cuetui dead: ") and "Traceback" not in r.err


def test_the_frozen_studio_farm_dies_of_a_handful_of_causes(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread]
) -> None:
    """The screenshots' farm: `4` (and `cuetui dead`) show several groups, each with its own remedy."""
    gw = make_gateway(profile="studio", seed=7, speed=0.0, epoch=START)
    r = cli("--url", gw.url, "dead", "--json")
    assert r.code == 0, r.err
    groups = {g["signature"].removeprefix("[<time>] "): g for g in json.loads(r.out)}
    assert len(groups) >= 4, list(groups)
    texture = next(g for s, g in groups.items() if "failed to open texture" in s)
    segfault = next(g for s, g in groups.items() if "Segmentation fault" in s)
    oom = next(g for s, g in groups.items() if "OOM killer" in s)
    assert any("license checkout failed" in s for s in groups)
    assert {f["exit_status"] for f in oom["frames"]} == {137}
    # The segfaults are the bad hosts' (a few hosts behind many jobs' deaths); the others are spread.
    assert len(segfault["hosts"]) <= 4 < len(segfault["jobs"]) and len(texture["hosts"]) > 20

    def killed_at_min_memory(farm: Any) -> bool:
        for job in farm.jobs:
            for i in range(job.total):
                killed = job.f_state[i] == DEAD and job.f_exit[i] == 137
                if killed and job.f_rss[i] < 0.9 * job.layers[job.f_layer[i]].min_memory:
                    return False
        return True

    assert gw.run(killed_at_min_memory)  # so the OOM hint ("raise min memory") applies to them
