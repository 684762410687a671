"""Golden outputs: every query command's `--json` document on a frozen, seeded demo farm, byte for byte.

The files under `golden/` were written before the models and decoders were regenerated from the
opencue-proto schema; they hold that refactoring (and any later one) to "nothing a user sees changed".
The farm is the `small` profile, seed 7, speed 0, on a fixed epoch, on a clock that never moves, so
every timestamp is the same at every run; the log root (a temporary directory) is written as `<LOGS>`.
Regenerate on purpose with `CUETUI_GOLDEN_UPDATE=1 pytest tests/commands/test_golden_json.py`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cuetui.demo.server
from cuetui.demo.farm import ManualClock
from cuetui.demo.server import DemoGatewayThread

from .conftest import Result

GOLDEN = Path(__file__).with_name("golden")
EPOCH = 1_767_225_600.0

Cli = Callable[..., Result]


@pytest.fixture(scope="module")
def frozen_gateway(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import DEMO_SECRET

    log_root = tmp_path_factory.mktemp("golden-logs")
    gw = DemoGatewayThread(profile="small", seed=7, speed=0.0, secret=DEMO_SECRET, log_root=log_root, epoch=EPOCH)
    # A clock that never moves, from the first timestamp of the build on: building takes a while on a
    # loaded machine, and a second crossed would change the dispatch times.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cuetui.demo.server, "FarmClock", _stopped_clock)
        gw.start()
    try:
        yield gw, str(log_root)
    finally:
        gw.stop()


def _stopped_clock(epoch: float | None = None, skew: float = 0.0) -> ManualClock:
    clock = ManualClock(EPOCH if epoch is None else epoch)
    clock.skew = skew
    return clock


def _job_names(cli: Cli, url: str) -> dict[str, str]:
    """A few jobs to ask about, chosen from the farm itself (the same at every run)."""
    jobs = json.loads(cli("--url", url, "jobs", "--json").out)
    biggest = max(jobs, key=lambda j: (j["job_stats"]["total_frames"], j["name"]))
    dead = [j for j in jobs if j["job_stats"]["dead_frames"]]
    return {"biggest": biggest["name"], "dead": min(dead, key=lambda j: j["name"])["name"] if dead else biggest["name"]}


COMMANDS: list[tuple[str, list[str]]] = [
    ("shows", ["shows"]),
    ("jobs", ["jobs"]),
    ("jobs-finished", ["jobs", "--finished"]),
    ("layers", ["layers", "{biggest}"]),
    ("frames", ["frames", "{biggest}"]),
    ("frames-dead", ["frames", "{dead}", "--state", "DEAD"]),
    ("frames-layer-range", ["frames", "{dead}", "--range", "1-20"]),
    ("hosts", ["hosts"]),
    ("hosts-up", ["hosts", "--state", "UP"]),
    ("procs", ["procs"]),
]


@pytest.mark.parametrize(("name", "argv"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_json_output_is_unchanged(name: str, argv: list[str], cli: Cli, frozen_gateway: Any) -> None:
    gw, log_root = frozen_gateway
    names = _job_names(cli, gw.url)
    r = cli("--url", gw.url, *(arg.format(**names) for arg in argv), "--json")
    assert r.code == 0, r.err
    text = r.out.replace(log_root, "<LOGS>")
    json.loads(text)  # one JSON document
    path = GOLDEN / f"{name}.json"
    if os.environ.get("CUETUI_GOLDEN_UPDATE"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with CUETUI_GOLDEN_UPDATE=1"
    assert text == path.read_text(), f"`cuetui {' '.join(argv)} --json` differs from {path.name}"
