"""Dependencies both ways, for the job screen's dependencies panel (`v`), `cuetui depends` and
`cuetui drop-depends`; what a layer's mark done would satisfy (`D`, `cuetui mark-done`); and which
jobs of a list wait on another job, for the jobs table's marker.

A job's, layer's or frame's dependencies are two reads (GetWhatThisDependsOn, GetWhatDependsOnThis) plus
the frames left on each active one's target (`why.frames_left`, shared with `w`). The jobs-table marker
asks only about jobs that have frames in DEPEND, and asks again only when that count changes (or a minute
has passed): a dependency added or satisfied moves frames in or out of DEPEND, so the count is the cue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cuetui.farm.views.why import NoSuchPart, frame_named, frames_left, layer_named
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError, NotFound
from cuetui.gateway.farm_models import Depend
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.gateway.requests import JobSearch

# The jobs-table marker asks again after this long even when the DEPEND count has not moved.
WAITS_MAX_AGE = 60.0
# At most this many GetWhatThisDependsOn per jobs poll (the rest keep their last answer until the next).
WAITS_PER_POLL = 50


@dataclass(frozen=True)
class Dependencies:
    """What a job (or a layer or frame of it) waits on, and what waits on it; `frames_left` by the id of
    each active dependency it waits on."""

    job: Job
    layer: Layer | None
    waits_on: list[Depend]
    waited_by: list[Depend]
    frames_left: dict[str, int]
    frame: Frame | None = None

    @property
    def what(self) -> str:
        """`job`, `job/layer` or `job/frame`: what the lists are about."""
        if self.frame is not None:
            return f"{self.job.name}/{self.frame.name}"
        if self.layer is not None:
            return f"{self.job.name}/{self.layer.name}"
        return self.job.name

    def active_waits(self, target: str = "ANY_TARGET") -> list[Depend]:
        """The active dependencies it waits on, on `target` (INTERNAL, EXTERNAL or ANY_TARGET): what a
        DropDepends with that target satisfies."""
        return [d for d in self.waits_on if d.active and target in ("ANY_TARGET", d.target)]


async def gather_depends(
    client: GatewayClient, job: Job, layer_name: str | None = None, frame_name: str | None = None
) -> Dependencies:
    """The job's, layer's or frame's dependencies both ways, with the frames left on each active one's
    target. NoSuchPart when the layer or frame is not in the job."""
    _layers, layer = await layer_named(client, job, layer_name)
    frame = await frame_named(client, job, layer, frame_name) if frame_name else None
    if frame is not None:
        what, ident = "frame", frame.id
    elif layer is not None:
        what, ident = "layer", layer.id
    else:
        what, ident = "job", job.id
    waits_on, waited_by = await asyncio.gather(
        client.what_this_depends_on(what, ident), client.what_depends_on_this(what, ident)
    )
    return Dependencies(job, layer, waits_on, waited_by, await frames_left(client, waits_on), frame)


# What Cuebot's mark done on a layer satisfies: the active dependencies of these types waiting on it
# (DependDao.getWhatDependsOn(layer)); a frame-by-frame one is left to its per-frame children.
MARK_DONE_TYPES = frozenset({"JOB_ON_LAYER", "LAYER_ON_LAYER", "FRAME_ON_LAYER"})


def satisfied_by_mark_done(layer: Layer, waiting: Sequence[Depend]) -> list[Depend]:
    """Of what waits on `layer` (its GetWhatDependsOnThis), the dependencies its mark done satisfies."""
    return [d for d in waiting if d.active and d.type in MARK_DONE_TYPES and d.depend_on_layer in ("", layer.name)]


async def mark_done_depends(client: GatewayClient, layers: Sequence[Layer]) -> int:
    """How many dependencies marking these layers done satisfies (one GetWhatDependsOnThis each)."""
    answers = await asyncio.gather(*(client.what_depends_on_this("layer", layer.id) for layer in layers))
    return sum(len(satisfied_by_mark_done(layer, waiting)) for layer, waiting in zip(layers, answers, strict=True))


class DependsView:
    """The dependencies panel's data: one job, or a layer or frame of it, both ways."""

    def __init__(self, client: GatewayClient, job: Job, layer: str | None = None, frame: str | None = None) -> None:
        self.client = client
        self.job = job
        self.layer = layer
        self.frame = frame

    async def poll(self) -> Dependencies:
        """The lists now."""
        return await gather_depends(self.client, self.job, self.layer, self.frame)

    async def other_job(self, name: str) -> Job:
        """The job called `name`, finished or not (the other end of a dependency); NotFound when none."""
        found = await self.client.get_jobs(JobSearch(jobs=[name], include_finished=True))
        job = next((j for j in found if j.name == name), None)
        if job is None:
            raise NotFound(f"no job named {name}")
        return job


def waits_on_other_jobs(job: Job, depends: Sequence[Depend]) -> tuple[str, ...]:
    """The names of the other jobs an active dependency of `job` waits on, in order, once each."""
    names = [d.depend_on_job for d in depends if d.active and d.depend_on_job and d.depend_on_job != job.name]
    return tuple(dict.fromkeys(names))


class WaitsOnJobs(Job, frozen=True):
    """A job as the jobs table shows it when it waits on other jobs: `waits_on` their names. A job model
    of its own type, so the table (which compares rows by value) redraws a row whose marker changed."""

    waits_on: tuple[str, ...] = ()


def with_waits(job: Job, names: Sequence[str]) -> Job:
    """`job` carrying `names` (the other jobs it waits on), or the plain job when there are none."""
    current = job.waits_on if isinstance(job, WaitsOnJobs) else ()
    if tuple(names) == current:
        return job
    fields = {name: getattr(job, name) for name in Job.__struct_fields__}
    return WaitsOnJobs(**fields, waits_on=tuple(names)) if names else Job(**fields)


class ExternalWaits:
    """Which jobs wait on another job: `poll(jobs)` answers, by job id, the names of the jobs each waits
    on (only the jobs that wait appear). One GetWhatThisDependsOn per job with DEPEND frames, asked again
    only when that count moved or the answer is older than WAITS_MAX_AGE; a job whose read fails keeps
    its last answer."""

    def __init__(self, client: GatewayClient, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._known: dict[str, tuple[int, float, tuple[str, ...]]] = {}  # id -> (depend frames, when, names)
        self.reads = 0  # GetWhatThisDependsOn sent (tests and benches)

    def known(self, jobs: Sequence[Job]) -> list[Job]:
        """`jobs` with the last answers applied (no request): a job no longer in DEPEND loses its marker."""
        known = self._known
        # (a plain job without an answer is itself: no call for the thousands of jobs that wait on nothing)
        return [
            j
            if type(j) is Job and j.id not in known
            else with_waits(j, known[j.id][2] if j.id in known and j.stats.depend_frames > 0 else ())
            for j in jobs
        ]

    async def poll(self, jobs: Sequence[Job]) -> Mapping[str, tuple[str, ...]]:
        """The other jobs each of `jobs` waits on, by job id."""
        now = self.clock()
        known = self._known
        waiting = [j for j in jobs if j.stats.depend_frames > 0 and not j.is_finished]
        due = [
            j
            for j in waiting
            if j.id not in known or known[j.id][0] != j.stats.depend_frames or now - known[j.id][1] >= WAITS_MAX_AGE
        ][:WAITS_PER_POLL]
        answers = await asyncio.gather(
            *(self.client.what_this_depends_on("job", j.id) for j in due), return_exceptions=True
        )
        self.reads += len(due)
        for job, answer in zip(due, answers, strict=True):
            if isinstance(answer, GatewayError):
                continue
            if isinstance(answer, BaseException):
                raise answer
            known[job.id] = (job.stats.depend_frames, now, waits_on_other_jobs(job, answer))
        ids = {j.id for j in waiting}
        for gone in known.keys() - ids:
            del known[gone]
        return {job_id: names for job_id, (_n, _t, names) in known.items() if names}


__all__ = [
    "Depend",
    "Dependencies",
    "DependsView",
    "ExternalWaits",
    "NoSuchPart",
    "WaitsOnJobs",
    "gather_depends",
    "waits_on_other_jobs",
    "with_waits",
]
