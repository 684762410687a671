"""The jobs table's ETA: none ("dead") for a job whose only frames left are dead, since nothing will
finish until they are retried or eaten; a time while frames run; blank once finished."""

from __future__ import annotations

from typing import Any

from rich.style import Style

from cuetui.gateway.models import Job, JobStats
from cuetui.ui.screens.jobs import _eta_cell
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext


class _Table:
    used_styles: dict[str, Style] = {}  # noqa: RUF012 - a stand-in's record of the styles asked for

    def cell_style(self, name: str) -> Style:
        return Style()


def eta_text(job: Job) -> str:
    ctx = CellContext(_Table(), 0.0)  # type: ignore[arg-type]
    return _eta_cell(job, ctx).plain


def job(state: str = "PENDING", **stats: Any) -> Job:
    return Job(id="j", name="j", state=state, job_stats=JobStats(avg_frame_sec=60, **stats))


def test_only_dead_frames_left_has_no_eta() -> None:
    stuck = job(total_frames=10, succeeded_frames=7, dead_frames=3)
    assert cells.job_eta(stuck) is None
    assert eta_text(stuck) == "dead"


def test_running_frames_have_an_eta_and_finished_jobs_none() -> None:
    busy = job(total_frames=10, succeeded_frames=4, running_frames=2, waiting_frames=1, dead_frames=3)
    assert cells.job_eta(busy) == 90.0 and eta_text(busy) == "1m"
    assert eta_text(job("FINISHED", total_frames=10, succeeded_frames=7, dead_frames=3)) == ""


def test_monitor_view_says_only_dead_frames_are_left() -> None:
    from cuetui.farm.monitor import JobWatch, Progress
    from cuetui.ui.monitor_app import progress_text

    stuck = job(total_frames=10, succeeded_frames=7, dead_frames=3)
    watch = JobWatch(stuck, progress=Progress.of(stuck))
    text = progress_text(watch, False, 0.0).plain
    assert "ETA – (only dead frames left)" in text and "ETA 00:00:00" not in text
