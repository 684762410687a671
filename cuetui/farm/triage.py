"""Dead-frame triage: every dead frame across the jobs in view, newest first, grouped by exit status or
by host — a host that kills frames of many jobs is a host problem, not a job problem.

Pure functions over models; `cuetui.farm.views.dead` fetches (GetFrames with states DEAD, only for jobs
whose stats say they have dead frames) and the triage screen renders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cuetui.gateway.models import Frame, Job

# What dead frames can be grouped by.
GROUPINGS = ("exit_status", "host")
# The host group of frames that never ran anywhere.
NEVER_RAN = "(never ran)"

# Exit statuses Cuebot sets itself (protocol §4.1), worth naming in a triage view.
EXIT_MEANINGS = {
    -1: "never ran",
    0: "success",
    1: "failed",
    33: "memory failure",
    137: "killed (OOM?)",
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


def is_rqd_line(line: str) -> bool:
    """True for a line of RQD's own header or footer (`=====`, `RenderQ …`, `exitStatus …`)."""
    return _RQD_LINE.match(line) is not None


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


def group_key(dead: DeadFrame, by: str) -> str:
    """The group a dead frame belongs to when grouping by "exit_status" or "host"."""
    if by == "exit_status":
        return str(dead.frame.exit_status)
    if by == "host":
        return dead.host or NEVER_RAN
    raise ValueError(f"cannot group by {by!r}")


def group_by(dead: Sequence[DeadFrame], by: str) -> list[Group]:
    """Groups by "exit_status" or "host", largest first; the frames keep their newest-first order."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}")
    groups: dict[str, list[DeadFrame]] = {}
    for d in dead:
        groups.setdefault(group_key(d, by), []).append(d)
    out = [Group(key, tuple(frames)) for key, frames in groups.items()]
    out.sort(key=lambda g: (-g.count, g.key))
    return out


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean): how likely plain bad luck gives a host `count` dead frames
    when hosts average `mean`. Summed upwards in log space, so large counts neither overflow nor lose
    precision the way `1 - cdf` would."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_mean = math.log(mean)
    total = 0.0
    k = count
    while True:
        term = math.exp(-mean + k * log_mean - math.lgamma(k + 1))
        total += term
        # Past the mean the terms shrink geometrically: stop once they no longer matter (or underflow).
        if k > mean and term <= total * 1e-12:
            return min(1.0, total)
        k += 1


def poisson_mean_from_seen(seen_mean: float) -> float:
    """The Poisson mean λ whose non-zero draws average `seen_mean` (λ / (1 - e^-λ) = seen_mean).

    Only hosts that killed a frame appear among dead frames; the ones that killed none are unseen, so
    the average over the seen ones overstates how often a host kills a frame. 0 when `seen_mean` <= 1
    (every seen host lost exactly one frame: failures are rare)."""
    if seen_mean <= 1.0:
        return 0.0
    low, high = 0.0, seen_mean
    for _ in range(60):
        mid = (low + high) / 2
        if mid / -math.expm1(-mid) < seen_mean:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True)
class Suspect:
    """A host whose dead frames stand out: its group, and the average of the other hosts that lost
    frames (what it is compared with)."""

    group: Group
    others_mean: float

    @property
    def host(self) -> str:
        """The host's name."""
        return self.group.key


def suspect_hosts(
    dead: Sequence[DeadFrame],
    *,
    host_count: int = 0,
    min_frames: int = 4,
    min_jobs: int = 2,
    factor: float = 3.0,
    chance: float = 0.01,
) -> list[Suspect]:
    """Hosts killing frames far more often than the rest of the farm: a host problem, not a job problem.

    A host is suspect when it has at least `min_frames` dead frames of at least `min_jobs` jobs, at
    least `factor` times the average of the other hosts that lost frames, and more than bad luck
    explains: were failures spread evenly over the hosts (Poisson), the chance that any host of the farm
    gets that many is below `chance`. The farm's size is `host_count` when known, else estimated from
    the hosts seen (see `poisson_mean_from_seen`). Largest first."""
    groups = [g for g in group_by(dead, "host") if g.key != NEVER_RAN]
    total = sum(g.count for g in groups)
    suspects = []
    for g in groups:
        if g.count < min_frames or g.job_count < min_jobs:
            continue
        others = len(groups) - 1
        others_mean = (total - g.count) / others if others else 0.0
        if g.count < factor * others_mean:
            continue
        if host_count > max(others, 1):
            rate = (total - g.count) / (host_count - 1)
            hosts = float(host_count)
        else:
            rate = poisson_mean_from_seen(others_mean)
            hosts = (others / -math.expm1(-rate) if rate else others) + 1
        if hosts * poisson_tail(g.count, rate) >= chance:
            continue
        suspects.append(Suspect(g, others_mean))
    return suspects
