"""The jobs in a scope (shows, users, a name part, finished or not): the jobs screen, the jobs that
dead-frame triage and stuck frames look across, and `cuetui jobs`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Job
from cuetui.gateway.requests import JobSearch


@dataclass(frozen=True)
class JobScope:
    """Which jobs: shows OR-ed, users OR-ed, then AND-ed; `substr` a part of the name; finished ones
    only when `include_finished`. Empty shows / users mean all."""

    shows: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    substr: tuple[str, ...] = ()
    include_finished: bool = False

    def search(self) -> JobSearch:
        """The GetJobs criteria for this scope."""
        return JobSearch(shows=self.shows, users=self.users, substr=self.substr, include_finished=self.include_finished)


@dataclass(frozen=True)
class JobsSnapshot:
    """The jobs of `scope`, in the gateway's order."""

    scope: JobScope
    jobs: tuple[Job, ...]


# Told the jobs in view as soon as GetJobs answers, before the per-job reads (a screen's alerts).
JobsCallback = Callable[[tuple[Job, ...]], Awaitable[object]]


def _retrieve_error(task: asyncio.Future[list[Job]]) -> None:
    # Marks the exception as seen: asyncio would otherwise log it when a task nobody awaited is collected.
    if not task.cancelled():
        task.exception()


class JobsView:
    """One GetJobs per poll for `scope` (set it before a poll to change what is asked).

    `prefetch()` sends the first GetJobs at once, before whoever polls exists (the app does this at
    start-up, so the table fills one round trip sooner); the next poll for the same scope takes that
    answer instead of asking again."""

    def __init__(self, client: GatewayClient, scope: JobScope | None = None) -> None:
        self.client = client
        self.scope = scope or JobScope()
        self._first: tuple[JobScope, asyncio.Future[list[Job]]] | None = None

    def prefetch(self) -> None:
        """Send the GetJobs for the current scope now (needs a running event loop)."""
        task = asyncio.ensure_future(self.client.get_jobs(self.scope.search()))
        task.add_done_callback(_retrieve_error)  # a failure is raised by the poll that takes it, or dropped
        self._first = (self.scope, task)

    @property
    def prefetched(self) -> bool:
        """True while a prefetched answer waits for its poll."""
        return self._first is not None

    async def poll(self) -> JobsSnapshot:
        """The jobs of the scope now."""
        scope = self.scope
        first, self._first = self._first, None
        if first is not None and first[0] == scope:
            return JobsSnapshot(scope, tuple(await first[1]))
        if first is not None:
            first[1].cancel()
        return JobsSnapshot(scope, tuple(await self.client.get_jobs(scope.search())))


def sorted_by_name(jobs: Sequence[Job]) -> list[Job]:
    """Jobs by name (what `cuetui jobs` prints)."""
    return sorted(jobs, key=lambda j: j.name)


class AcrossJobsView:
    """The part every view over the jobs of a scope shares (dead frames, stuck frames): the jobs read
    first, handed to `on_jobs` before anything else is read, and the scope settable between polls."""

    def __init__(self, client: GatewayClient, scope: JobScope | None, on_jobs: JobsCallback | None) -> None:
        self.client = client
        self.jobs = JobsView(client, scope)
        self.on_jobs = on_jobs

    @property
    def scope(self) -> JobScope:
        """Which jobs."""
        return self.jobs.scope

    @scope.setter
    def scope(self, scope: JobScope) -> None:
        self.jobs.scope = scope

    async def jobs_in_scope(self) -> tuple[Job, ...]:
        """One GetJobs for the scope, told to `on_jobs` at once."""
        jobs = (await self.jobs.poll()).jobs
        if self.on_jobs is not None:
            await self.on_jobs(jobs)
        return jobs


# Jobs looked at between two turns of the event loop by `JobTallies.count`.
TALLY_SLICE = 2000


@dataclass(frozen=True)
class JobTally:
    """How many jobs of a list (by id: a later element with the same id replaces an earlier one) have
    dead frames, and how many are paused."""

    with_dead: int = 0
    paused: int = 0


@dataclass(frozen=True)
class CountedJobs:
    """One list's tally and what changed against the list counted before it (`JobTallies.count`):
    `changed` the jobs new or in another model, `removed` the ids that left."""

    tally: JobTally
    changed: tuple[Job, ...]
    removed: tuple[str, ...]
    models: Mapping[str, Job] = field(repr=False)


def _marks(job: Job) -> tuple[int, int]:
    return (1 if job.stats.dead_frames else 0), (1 if job.is_paused else 0)


class JobTallies:
    """The jobs screen's counts kept from one poll to the next by looking only at the jobs whose model
    changed: the GetJobs reuse hands back the very model of a job whose bytes did not change, so a poll
    costs a look-up per job and the counting only for the others. `count(jobs)` works it out in slices
    (the event loop runs between them) without changing what is counted; `commit` makes it the one
    counted, when the screen shows that list, so a status line never shows half a poll."""

    def __init__(self) -> None:
        self.tally = JobTally()
        self._models: Mapping[str, Job] = {}

    async def count(self, jobs: Sequence[Job], size: int = TALLY_SLICE) -> CountedJobs:
        """The tally of `jobs` and what changed against the list last committed."""
        last = self._models
        models: dict[str, Job] = {}
        touched: list[str] = []  # ids whose model differs from the one counted before it
        dead, paused = self.tally.with_dead, self.tally.paused
        kept = 0  # ids of the last list seen again
        for n, job in enumerate(jobs, 1):
            if n % size == 0:
                await asyncio.sleep(0)
            key = job.id
            before = models.get(key)
            if before is None:
                before = last.get(key)
                if before is not None:
                    kept += 1
            models[key] = job
            if before is job:
                continue
            touched.append(key)
            if before is not None:
                d, p = _marks(before)
                dead, paused = dead - d, paused - p
            d, p = _marks(job)
            dead, paused = dead + d, paused + p
        removed: list[str] = []
        if kept != len(last):
            for n, (key, job) in enumerate(last.items(), 1):
                if n % size == 0:
                    await asyncio.sleep(0)
                if key not in models:
                    removed.append(key)
                    d, p = _marks(job)
                    dead, paused = dead - d, paused - p
        # (an id twice in one answer may end where it began: it did not change)
        changed = tuple(models[k] for k in dict.fromkeys(touched) if last.get(k) is not models[k])
        return CountedJobs(JobTally(dead, paused), changed, tuple(removed), models)

    def commit(self, counted: CountedJobs) -> None:
        """Count `counted`'s list from now on (the next `count` is against it)."""
        self.tally = counted.tally
        self._models = counted.models
