"""Action commands against the demo gateway: what they send, what they print, and when they refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from tests.schema import check_request

from .conftest import Result
from .helpers import wait_for

Cli = Callable[..., Result]
DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # seed 7: 5 dead, 17 running, layers preflight + render
PAUSED_JOB = "testing-sh110-rpatel_comp_v004"  # seed 7: paused, 1 dead
DEAD, EATEN, RUNNING, WAITING = 5, 6, 2, 0


def counts(gw: DemoGatewayThread, name: str) -> list[int]:
    return list(gw.run(lambda farm: list(farm.find_job(name).counts)))


def sent(gw: DemoGatewayThread, method: str) -> list[dict[str, Any]]:
    """Bodies of the recorded requests to `method`, each checked strictly against the schema."""
    bodies = []
    for _verb, path, _headers, body, _status in gw.recorded:
        if path.endswith("/" + method):
            data = json.loads(body or b"{}")
            check_request(path, data)
            bodies.append(data)
    return bodies


def test_retry_defaults_to_dead_frames(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "retry", "layout_v015")
    assert r.code == 0, r.err
    assert r.out.strip() == f"retried 5 frames of {DEAD_JOB} (state DEAD)"
    (body,) = sent(demo_gateway, "RetryFrames")
    assert body["req"] == {"states": {"frameStates": ["DEAD"]}}
    wait_for(lambda: counts(demo_gateway, DEAD_JOB)[DEAD] == 0, what="dead frames retried")
    # nothing dead any more: 0 frames, exit 0, nothing sent
    again = cli("--url", demo_gateway.url, "retry", DEAD_JOB)
    assert again.code == 0 and again.out.startswith("0 frames of") and "nothing retried" in again.out
    assert len(sent(demo_gateway, "RetryFrames")) == 1


def test_eat_with_layer_and_frames(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    dead = json.loads(cli("--url", demo_gateway.url, "frames", DEAD_JOB, "--state", "DEAD", "--json").out)
    target = dead[0]
    r = cli("--url", demo_gateway.url, "eat", DEAD_JOB, "--state", "dead", "--frames", target["name"])
    assert r.code == 0, r.err
    assert r.out.strip() == f"ate 1 frame of {DEAD_JOB} (state DEAD, frames {target['name']})"
    (body,) = sent(demo_gateway, "EatFrames")
    assert body["req"] == {"frames": [target["name"]], "states": {"frameStates": ["DEAD"]}}
    wait_for(lambda: counts(demo_gateway, DEAD_JOB)[EATEN] == 1, what="frame eaten")
    r = cli("--url", demo_gateway.url, "eat", DEAD_JOB, "--layer", "render", "--range", "1-3", "--state", "DEAD")
    # this job's frames are numbered 101-142: nothing matches, nothing is sent, and that is not a failure
    assert r.code == 0 and r.out.strip() == (
        f"0 frames of {DEAD_JOB} match (state DEAD, layer render, frames 1-3): nothing eaten"
    )
    assert len(sent(demo_gateway, "EatFrames")) == 1


def test_read_only_sends_nothing(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    before = len(demo_gateway.recorded)
    for argv in (
        ["retry", DEAD_JOB],
        ["pause", DEAD_JOB],
        ["kill", DEAD_JOB, "--reason", "x"],
        ["priority", DEAD_JOB, "5"],
    ):
        r = cli("--url", demo_gateway.url, "--read-only", *argv)
        assert r.code == 2 and "read-only" in r.err and r.out == "", argv
    assert len(demo_gateway.recorded) == before


def test_refused_criteria(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    before = len(demo_gateway.recorded)
    r = cli("--url", demo_gateway.url, "kill-frames", DEAD_JOB, "--reason", "stuck")
    assert r.code == 2 and "no criteria" in r.err
    r = cli("--url", demo_gateway.url, "retry", DEAD_JOB, "--state", "DEADD")
    assert r.code == 2 and "unknown frame state" in r.err
    r = cli("--url", demo_gateway.url, "retry", DEAD_JOB, "--frames", "all of them")
    assert r.code == 2 and "bad frame spec" in r.err
    r = cli("--url", demo_gateway.url, "kill", DEAD_JOB, "--reason", "  ")
    assert r.code == 2 and "reason" in r.err
    r = cli("--url", demo_gateway.url, "kill", DEAD_JOB)
    assert r.code == 2  # --reason is required
    r = cli("--url", demo_gateway.url, "priority", DEAD_JOB, "high")
    assert r.code == 2 and "whole number" in r.err
    assert len(demo_gateway.recorded) == before


def test_pause_resume_priority(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "pause", DEAD_JOB)
    assert r.code == 0 and r.out.startswith(f"paused {DEAD_JOB}: 84 frames (")
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).is_paused), what="paused")
    r = cli("--url", demo_gateway.url, "resume", PAUSED_JOB)
    assert r.code == 0 and r.out.startswith(f"resumed {PAUSED_JOB}")
    wait_for(lambda: not demo_gateway.run(lambda farm: farm.find_job(PAUSED_JOB).is_paused), what="resumed")
    r = cli("--url", demo_gateway.url, "priority", DEAD_JOB, "75")
    assert r.code == 0 and "to 75 (was 100)" in r.out
    assert sent(demo_gateway, "SetPriority")[0]["val"] == 75
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).priority) == 75, what="priority")


def test_kill_frames_counts_running(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    running = json.loads(
        cli("--url", demo_gateway.url, "frames", DEAD_JOB, "--layer", "render", "--state", "RUNNING", "--json").out
    )
    r = cli("--url", demo_gateway.url, "kill-frames", DEAD_JOB, "--layer", "render", "--reason", "test kill")
    assert r.code == 0, r.err
    assert r.out.strip() == f"killed {len(running)} frames of {DEAD_JOB} (running, layer render)"
    (body,) = sent(demo_gateway, "KillFrames")
    assert body["reason"] == "test kill" and body["req"]["layers"] == ["render"]


def test_kill_job(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "kill", PAUSED_JOB, "--reason", "wrong version")
    assert r.code == 0 and r.out.startswith(f"killed {PAUSED_JOB}: 60 frames")
    (body,) = sent(demo_gateway, "Kill")
    assert body["reason"] == "wrong version" and body["username"]
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(PAUSED_JOB).state) == "FINISHED", what="job killed")
    again = cli("--url", demo_gateway.url, "kill", PAUSED_JOB, "--reason", "again")
    assert again.code == 0 and "already finished" in again.out and "0 frames" in again.out


def test_action_on_unknown_job(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "pause", "no-such-job")
    assert r.code == 2 and "no job matches" in r.err
