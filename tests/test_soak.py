"""A short soak (`python -m bench.soak`, 10 simulated minutes at speed 60 on the small farm, with faults):
the TUI and the monitor loop survive, and the asyncio task count comes back to its baseline. The full
2-hour figures are in the README; no timing or memory figure is asserted here (noisy machine)."""

from __future__ import annotations

import pytest

from bench.soak import DEFAULT_FAULTS, soak


@pytest.mark.slow
@pytest.mark.timeout(600)  # up to 120 s of settling on top of the soak itself, on a loaded machine
async def test_short_soak_no_crash_no_task_leak() -> None:
    report = await soak(minutes=10, speed=60, profile="small", seed=3, faults=DEFAULT_FAULTS, settle_seconds=120)
    assert report.crashes == 0  # soak() raises when the TUI or the monitor stopped
    assert report.tour_steps >= 1 and report.monitor_jobs >= 1
    assert report.tasks_start > 0
    assert report.tasks_end <= report.tasks_start, report.lines()
