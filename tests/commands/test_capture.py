"""`cuetui capture`: the scenario format from a live gateway, raw JSON kept, logs read, replayable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result

Cli = Callable[..., Result]
EXAMPLE = Path(__file__).parent.parent / "demo" / "data" / "scenario-example.json"


def essentials(cli: Cli, url: str, root: Path | None = None) -> list[tuple[Any, ...]]:
    """What a replay must keep; log dirs without the replay's log root, under which they are re-rooted."""
    jobs = json.loads(cli("--url", url, "jobs", "--finished", "--json").out)
    out = []
    for job in jobs:
        frames = json.loads(cli("--url", url, "frames", job["id"], "--json").out)
        out.append(
            (
                job["id"],
                job["name"],
                job["state"],
                job["is_paused"],
                job["log_dir"].removeprefix(str(root)) if root else job["log_dir"],
                {k: v for k, v in job["job_stats"].items() if k.endswith("_frames")},
                sorted((f["id"], f["name"], f["state"], f["retry_count"], f["exit_status"]) for f in frames),
            )
        )
    return out


def test_capture_and_replay(cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> None:
    live = make_gateway(log_root=tmp_path / "live-logs")
    out = tmp_path / "farm.json"
    r = cli("--url", live.url, "capture", "--out", str(out), "--finished")
    assert r.code == 0, r.err
    assert r.err.startswith("captured 1 shows, 6 jobs (300 frames, ") and str(out) in r.err
    text = out.read_text(encoding="utf-8")
    assert DEMO_SECRET not in text
    data = json.loads(text)
    assert set(data) == {"shows", "jobs", "hosts"}
    entry = next(e for e in data["jobs"] if e["job"]["jobStats"]["deadFrames"])
    # raw gateway JSON: camelCase, int64 as strings, enums by name, every field
    assert isinstance(entry["job"]["jobStats"]["maxRss"], str) and "logDir" in entry["job"]
    assert entry["layers"] and "layerStats" in entry["layers"][0]
    assert {f["state"] for f in entry["frames"]} >= {"DEAD", "SUCCEEDED"}
    dead = next(f for f in entry["frames"] if f["state"] == "DEAD")
    log_path = Path(entry["job"]["logDir"]) / f"{entry['job']['name']}.{dead['name']}.rqlog"
    assert entry["logs"][dead["name"]] == log_path.read_text(encoding="utf-8", errors="replace")
    hosts = data["hosts"]
    assert len(hosts) == 8 and sum(len(h["procs"]) for h in hosts) > 0
    assert all(p["name"].startswith(h["host"]["name"] + "/") for h in hosts for p in h["procs"])

    replay = make_gateway(scenario=str(out), seed=99, log_root=tmp_path / "replay-logs")
    assert essentials(cli, replay.url, tmp_path / "replay-logs") == essentials(cli, live.url)


def test_hostile_names_survive_a_round_trip(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    scenario = tmp_path / "hostile.json"
    scenario.write_text(EXAMPLE.read_text(encoding="utf-8").replace("LOGROOT", str(tmp_path / "logs")))
    first = make_gateway(scenario=str(scenario), log_root=tmp_path / "first")
    out = tmp_path / "again.json"
    assert cli("--url", first.url, "capture", "--out", str(out), "--finished").code == 0
    names = {e["job"]["name"] for e in json.loads(out.read_text(encoding="utf-8"))["jobs"]}
    assert "[bold red]x[/]" in names and any("\x1b[31m" in n for n in names)  # data kept as is
    second = make_gateway(scenario=str(out), log_root=tmp_path / "second")
    assert essentials(cli, second.url, tmp_path / "second") == essentials(cli, first.url)


def test_show_filter_and_errors(cli: Cli, demo_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    r = cli("--url", demo_gateway.url, "capture", "--out", str(out), "--shows", "nope")
    assert r.code == 2 and "no show named 'nope'" in r.err and not out.exists()
    r = cli("--url", demo_gateway.url, "capture", "--out", str(out), "--shows", "testing", "--no-logs")
    assert r.code == 0 and "0 logs" in r.err
    assert all("logs" not in e for e in json.loads(out.read_text())["jobs"])
    r = cli("--url", demo_gateway.url, "capture", "--out", str(tmp_path / "no" / "dir" / "x.json"))
    assert r.code == 1 and "cannot write" in r.err
    r = cli("--url", demo_gateway.url, "capture", "--out", "-", "--no-logs")
    assert r.code == 0 and json.loads(r.out)["shows"][0]["name"] == "testing"


def test_capture_reads_logs_through_the_longest_mapped_prefix(tmp_path: Path) -> None:
    """With mappings for /shots and /shots/big, a log under /shots/big is read where /shots/big is mounted
    (as `cuetui log` and the TUI read it), not where the shorter /shots mapping would put it."""
    from cuetui.commands.capture import _logs
    from cuetui.config import Settings

    shots, big = tmp_path / "shots", tmp_path / "big"
    for root, text in ((shots / "big" / "sh010", "by /shots: wrong\n"), (big / "sh010", "by /shots/big\n")):
        root.mkdir(parents=True)
        (root / "x.0001-render.rqlog").write_text(text)
    settings = Settings(log_path_map=(("/shots", str(shots)), ("/shots/big", str(big))))
    job = {"name": "x", "logDir": "/shots/big/sh010"}
    frames = [{"name": "0001-render", "startTime": 1700000000}]
    assert _logs(job, frames, settings, max_bytes=4096) == {"0001-render": "by /shots/big\n"}
