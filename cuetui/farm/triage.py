"""Dead-frame triage: every dead frame across the jobs in view, newest first, grouped by exit status or
by host — a host that kills frames of many jobs is a host problem, not a job problem.

Pure functions over models; the triage screen fetches (GetFrames with states DEAD, only for jobs whose
stats say they have dead frames) and renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cuetui.gateway.models import Frame, Job

# Exit statuses Cuebot sets itself (protocol §4.1), worth naming in a triage view.
EXIT_MEANINGS = {
    -1: "never ran",
    0: "success",
    1: "failed",
    33: "memory failure",
    137: "killed (memory?)",
    256: "failed launch",
    286: "skip retry",
    299: "frame cleared",
    301: "orphaned",
    302: "failed kill",
    399: "host down",
}

# What a render log's error line tends to look like. The RQD header and footer are skipped, since
# their `exitStatus`/`killMessage` lines repeat what the table already says.
_ERROR = re.compile(
    r"\b(error|exception|traceback|fatal|segmentation fault|core dumped|killed|out of memory|oom|abort(ed)?|"
    r"failed|no such file|permission denied|cannot|can't)\b",
    re.IGNORECASE,
)
_RQD_LINE = re.compile(
    r"^(=+|RenderQ |\s*(exitStatus|exitSignal|killMessage|startTime|endTime|maxrss|"
    r"maxUsedGpuMemory|utime|stime|renderhost|proxy|command|uid|gid|logDestination|cwd|"
    r"renderHost|jobId|frameId|env)\b)"
)


def exit_meaning(status: int) -> str:
    """A short meaning for an exit status ("memory failure"), or "" when it has none we know."""
    if status in EXIT_MEANINGS:
        return EXIT_MEANINGS[status]
    if 128 < status < 160:
        return f"signal {status - 128}"
    return ""


def first_error_line(lines: Sequence[str]) -> int | None:
    """Index of the first line that looks like an error in a frame log tail, skipping RQD's own
    header and footer lines; None when nothing looks like one."""
    for index, line in enumerate(lines):
        if _RQD_LINE.match(line):
            continue
        if _ERROR.search(line):
            return index
    return None


@dataclass(frozen=True)
class DeadFrame:
    """A dead frame with its job."""

    job: Job
    frame: Frame

    @property
    def died_at(self) -> int:
        """When it died (its stop time; the start time if Cuebot never set one)."""
        return self.frame.stop_time or self.frame.start_time

    @property
    def host(self) -> str:
        """The host it last ran on ("" if never dispatched)."""
        return self.frame.host


def collect_dead(pairs: Iterable[tuple[Job, Iterable[Frame]]]) -> list[DeadFrame]:
    """Dead frames of every (job, frames) pair, newest death first (then job and frame name)."""
    dead = [DeadFrame(job, f) for job, frames in pairs for f in frames if f.state == "DEAD"]
    dead.sort(key=lambda d: (-d.died_at, d.job.name, d.frame.name))
    return dead


@dataclass(frozen=True)
class Group:
    """Dead frames sharing an exit status or a host."""

    key: str
    frames: tuple[DeadFrame, ...]

    @property
    def count(self) -> int:
        """How many dead frames."""
        return len(self.frames)

    @property
    def job_count(self) -> int:
        """How many different jobs they belong to."""
        return len({d.job.id for d in self.frames})


def group_by(dead: Sequence[DeadFrame], by: str) -> list[Group]:
    """Groups by "exit_status" or "host", largest first; the frames keep their newest-first order."""
    if by not in ("exit_status", "host"):
        raise ValueError(f"cannot group by {by!r}")
    groups: dict[str, list[DeadFrame]] = {}
    for d in dead:
        key = str(d.frame.exit_status) if by == "exit_status" else (d.host or "(never ran)")
        groups.setdefault(key, []).append(d)
    out = [Group(key, tuple(frames)) for key, frames in groups.items()]
    out.sort(key=lambda g: (-g.count, g.key))
    return out


def suspect_hosts(dead: Sequence[DeadFrame], min_frames: int = 3, min_jobs: int = 2) -> list[Group]:
    """Hosts that killed at least `min_frames` frames of at least `min_jobs` different jobs."""
    return [
        g
        for g in group_by(dead, "host")
        if g.key != "(never ran)" and g.count >= min_frames and g.job_count >= min_jobs
    ]
