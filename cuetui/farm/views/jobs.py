"""The jobs in a scope (shows, users, a name part, finished or not): the jobs screen, the jobs that
dead-frame triage and stuck frames look across, and `cuetui jobs`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

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
