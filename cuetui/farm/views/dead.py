"""Dead frames across the jobs in a scope (dead-frame triage, `4`): one GetJobs, then the DEAD frames of
each job whose stats say it has some, a few jobs at a time.

A job's dead frames are fetched again only when its counters say something changed (a frame died, was
retried or eaten), and at least every `FULL_RELOAD_EVERY` polls; a quiet farm of 300 jobs with dead
frames costs one GetJobs per poll, not 301 calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cuetui.farm.fanout import gather_limited
from cuetui.farm.triage import DeadFrame, collect_dead
from cuetui.farm.views.jobs import JobsCallback, JobScope, JobsView
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Frame, Job
from cuetui.gateway.requests import FrameSearch

FULL_RELOAD_EVERY = 12


def _dead_key(job: Job) -> tuple[int, int, int]:
    stats = job.stats
    return stats.dead_frames, stats.failed_frame_count, stats.eaten_frames


@dataclass(frozen=True)
class DeadFramesSnapshot:
    """The jobs in view (for alerts and the palette) and their dead frames, newest death first."""

    jobs: tuple[Job, ...]
    dead: tuple[DeadFrame, ...]


class DeadFramesView:
    """Dead frames of the jobs in `scope` (see the module docstring). `on_jobs(jobs)` is awaited as soon
    as the jobs in view are known, before their dead frames are read."""

    def __init__(
        self, client: GatewayClient, scope: JobScope | None = None, *, on_jobs: JobsCallback | None = None
    ) -> None:
        self.client = client
        self.jobs = JobsView(client, scope)
        self.on_jobs = on_jobs
        self.polls = 0  # successful polls, for the cache's age
        self._cache: dict[str, tuple[tuple[int, int, int], int, list[Frame]]] = {}

    @property
    def scope(self) -> JobScope:
        """Which jobs."""
        return self.jobs.scope

    @scope.setter
    def scope(self, scope: JobScope) -> None:
        self.jobs.scope = scope

    async def poll(self) -> DeadFramesSnapshot:
        """The dead frames now."""
        jobs = (await self.jobs.poll()).jobs
        if self.on_jobs is not None:
            await self.on_jobs(jobs)
        client = self.client
        with_dead = [j for j in jobs if j.stats.dead_frames]
        dead_search = FrameSearch(states=["DEAD"])
        poll = self.polls
        cache = self._cache

        def fresh(job: Job) -> bool:
            entry = cache.get(job.id)
            return entry is not None and entry[0] == _dead_key(job) and poll - entry[1] < FULL_RELOAD_EVERY

        def dead_of(job: Job) -> Callable[[], Awaitable[tuple[Job, list[Frame]]]]:
            async def call() -> tuple[Job, list[Frame]]:
                frames = await client.get_all_frames(job.id, dead_search, expected=job.stats.dead_frames)
                cache[job.id] = (_dead_key(job), poll, frames)
                return job, frames

            return call

        stale = [j for j in with_dead if not fresh(j)]
        stale_ids = {j.id for j in stale}
        kept = [(j, cache[j.id][2]) for j in with_dead if j.id not in stale_ids]
        pairs = await gather_limited([dead_of(j) for j in stale]) + kept
        for job_id in cache.keys() - {j.id for j in with_dead}:
            del cache[job_id]
        self.polls += 1
        return DeadFramesSnapshot(jobs, tuple(collect_dead(pairs)))
