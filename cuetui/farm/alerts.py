"""Notices worth interrupting for: a job in view got new dead frames, finished, or was killed. Never
repeated, and coalesced: one poll gives at most one line about dead frames and one about ended jobs.

`AlertTracker.update(jobs)` compares each job's counters with what it saw before and returns the new
alerts; a job handed in the very model it was last looked at in (the GetJobs reuse hands back the same
object for a job whose bytes did not change) is skipped, so a poll costs a look-up per job and the
comparisons only for the jobs that changed. `update_sliced` does the same a slice at a time, letting
the event loop run in between (20 000 jobs). The first sight of a job only records it (opening cuetui
on a farm with old dead frames must not ring); after that, an alert fires when `deadFrames` grows or
the job becomes FINISHED. A FINISHED job with frames neither succeeded nor eaten was killed (dead frames
keep a job PENDING otherwise), and is announced as killed.

`burst(alerts, causes, notifications=...)` turns one poll's alerts into those lines ("7 new dead frames
in 3 jobs: 5 × failed to open texture …, 2 × …"); `causes` are the error signatures of the new dead
frames when they were read (`cuetui.farm.dead.new_dead_causes`). `notifications` is the config's "all",
"dead" or "off".
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cuetui.gateway.models import Job

NEW_DEAD = "dead"
FINISHED = "finished"
KILLED = "killed"

NOTIFICATIONS = ("all", "dead", "off")
# Causes named in one line, and how long each may be.
MAX_CAUSES = 2
CAUSE_WIDTH = 48
# Job names named in one line when no cause is known.
MAX_JOBS = 3
# Jobs looked at between two turns of the event loop by `AlertTracker.update_sliced`.
ALERT_SLICE = 2000


def was_killed(job: Job) -> bool:
    """A FINISHED job with frames that neither succeeded nor were eaten: killed, not finished."""
    s = job.stats
    return job.is_finished and s.total_frames > 0 and s.succeeded_frames + s.eaten_frames < s.total_frames


@dataclass(frozen=True)
class Alert:
    """One notice: `kind` is "dead", "finished" or "killed"; `new_dead` how many frames died since last seen."""

    kind: str
    job: Job
    new_dead: int = 0

    @property
    def message(self) -> str:
        """One line for a toast."""
        if self.kind == NEW_DEAD:
            s = "" if self.new_dead == 1 else "s"
            return f"{self.job.name}: {self.new_dead} new dead frame{s} ({self.job.stats.dead_frames} dead)"
        if self.kind == KILLED:
            stats = self.job.stats
            left = stats.total_frames - stats.succeeded_frames - stats.eaten_frames
            return f"{self.job.name}: killed ({left} of {stats.total_frames} frames not done)"
        dead = self.job.stats.dead_frames + self.job.stats.eaten_frames
        return f"{self.job.name}: finished" + (f" with {dead} dead or eaten frames" if dead else "")


class AlertTracker:
    """Remembers the highest dead count and the finished state seen per job id."""

    def __init__(self) -> None:
        self._dead: dict[str, int] = {}
        self._finished: set[str] = set()
        # The model each job was last looked at in: the same object again cannot bring an alert (its
        # counters are what was recorded). Models, not their id(): an address is reused once freed.
        self._models: dict[str, Job] = {}

    def update(self, jobs: Iterable[Job]) -> list[Alert]:
        """New alerts for this snapshot of jobs."""
        alerts: list[Alert] = []
        models = self._models
        for job in jobs:
            if models.get(job.id) is job:
                continue
            models[job.id] = job
            dead = job.stats.dead_frames
            seen = self._dead.get(job.id)
            if seen is not None and dead > seen:
                alerts.append(Alert(NEW_DEAD, job, dead - seen))
            # A retry lowers the count; remember the lower figure so the next death alerts again.
            self._dead[job.id] = dead
            if job.is_finished:
                if seen is not None and job.id not in self._finished:
                    alerts.append(Alert(KILLED if was_killed(job) else FINISHED, job))
                self._finished.add(job.id)
        return alerts

    def release(self, job_ids: Iterable[str]) -> None:
        """Stop holding the last models of these jobs (gone from a list): what was recorded of them is
        kept, so the next sight of one is compared as before; only the shortcut is dropped."""
        for job_id in job_ids:
            self._models.pop(job_id, None)

    async def update_sliced(self, jobs: Sequence[Job], size: int = ALERT_SLICE) -> list[Alert]:
        """`update(jobs)` `size` jobs at a time, the event loop running between two slices."""
        alerts: list[Alert] = []
        for start in range(0, len(jobs), size):
            if start:
                await asyncio.sleep(0)
            alerts += self.update(jobs[start : start + size])
        return alerts


@dataclass(frozen=True)
class Notice:
    """One line to show for a poll's alerts: `severity` is "warning" or "information"."""

    text: str
    severity: str
    kinds: tuple[str, ...]


_LEADING_NOISE = re.compile(r"^(?:\s*(?:\[[^\]]*\]|<time>|<n>|\||-|:))+\s*")
_LEVEL = re.compile(r"^(?:error|fatal|exception|critical|err)\b\s*[:|-]?\s*", re.IGNORECASE)


def short_cause(signature: str, width: int = CAUSE_WIDTH) -> str:
    """A signature as a cause in a notification: without its time stamp, log level and [tags], cut."""
    text = _LEADING_NOISE.sub("", signature)
    text = _LEVEL.sub("", text)
    text = _LEADING_NOISE.sub("", text) or signature
    return text if len(text) <= width else text[: width - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def dead_line(alerts: Sequence[Alert], causes: Sequence[tuple[str, int]] = ()) -> str:
    """One line for every new dead frame of a poll; `causes` are (signature, frames), largest first."""
    dead = [a for a in alerts if a.kind == NEW_DEAD]
    total = sum(a.new_dead for a in dead)
    if len(dead) == 1:
        a = dead[0]
        head = f"{a.job.name}: {_plural(a.new_dead, 'new dead frame')} ({a.job.stats.dead_frames} dead)"
    else:
        head = f"{_plural(total, 'new dead frame')} in {len(dead)} jobs"
    if causes:
        named = [f"{count} × {short_cause(text)}" for text, count in causes[:MAX_CAUSES]]
        more = " …" if len(causes) > MAX_CAUSES or sum(c for _, c in causes) < total else ""
        return f"{head}: {', '.join(named)}{more}"
    if len(dead) > 1:
        ranked = sorted(dead, key=lambda a: (-a.new_dead, a.job.name))
        named = [f"{a.job.name} ({a.new_dead})" for a in ranked[:MAX_JOBS]]
        return f"{head}: {', '.join(named)}" + (" …" if len(ranked) > MAX_JOBS else "")
    return head


def ended_line(alerts: Sequence[Alert]) -> str:
    """One line for every job of a poll that finished or was killed."""
    ended = [a for a in alerts if a.kind in (FINISHED, KILLED)]
    if len(ended) == 1:
        return ended[0].message
    finished = [a.job.name for a in ended if a.kind == FINISHED]
    killed = [a.job.name for a in ended if a.kind == KILLED]
    parts = []
    for names, word in ((finished, "finished"), (killed, "killed")):
        if names:
            shown = ", ".join(names[:MAX_JOBS]) + (" …" if len(names) > MAX_JOBS else "")
            parts.append(f"{len(names)} {word} ({shown})")
    return f"{len(ended)} jobs ended: " + ", ".join(parts)


def burst(
    alerts: Sequence[Alert], causes: Sequence[tuple[str, int]] = (), *, notifications: str = "all"
) -> list[Notice]:
    """One poll's alerts as at most two lines: the new dead frames, then the jobs that ended.
    `notifications` "dead" keeps only the first, "off" gives none."""
    if notifications == "off":
        return []
    out = []
    if any(a.kind == NEW_DEAD for a in alerts):
        out.append(Notice(dead_line(alerts, causes), "warning", (NEW_DEAD,)))
    ended = [a for a in alerts if a.kind in (FINISHED, KILLED)]
    if ended and notifications == "all":
        clean = all(a.kind == FINISHED and not a.job.stats.dead_frames for a in ended)
        out.append(Notice(ended_line(alerts), "information" if clean else "warning", tuple({a.kind for a in ended})))
    return out
