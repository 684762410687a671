"""Notices worth interrupting for: a job in view got new dead frames, or finished. Never repeated.

`AlertTracker.update(jobs)` compares each job's counters with what it saw before and returns the new
alerts. The first sight of a job only records it (opening cuetui on a farm with old dead frames must not
ring); after that, an alert fires when `deadFrames` grows or the job becomes FINISHED.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cuetui.gateway.models import Job

NEW_DEAD = "dead"
FINISHED = "finished"


@dataclass(frozen=True)
class Alert:
    """One notice: `kind` is "dead" or "finished"; `new_dead` how many frames died since last seen."""

    kind: str
    job: Job
    new_dead: int = 0

    @property
    def message(self) -> str:
        """One line for a toast."""
        if self.kind == NEW_DEAD:
            s = "" if self.new_dead == 1 else "s"
            return f"{self.job.name}: {self.new_dead} new dead frame{s} ({self.job.stats.dead_frames} dead)"
        dead = self.job.stats.dead_frames + self.job.stats.eaten_frames
        return f"{self.job.name}: finished" + (f" with {dead} dead or eaten frames" if dead else "")


class AlertTracker:
    """Remembers the highest dead count and the finished state seen per job id."""

    def __init__(self) -> None:
        self._dead: dict[str, int] = {}
        self._finished: set[str] = set()

    def update(self, jobs: Iterable[Job]) -> list[Alert]:
        """New alerts for this snapshot of jobs."""
        alerts: list[Alert] = []
        for job in jobs:
            dead = job.stats.dead_frames
            seen = self._dead.get(job.id)
            if seen is not None and dead > seen:
                alerts.append(Alert(NEW_DEAD, job, dead - seen))
            # A retry lowers the count; remember the lower figure so the next death alerts again.
            self._dead[job.id] = dead
            if job.is_finished:
                if seen is not None and job.id not in self._finished:
                    alerts.append(Alert(FINISHED, job))
                self._finished.add(job.id)
        return alerts
