"""Dead frames across the jobs in a scope (dead-frame triage, `4`): one GetJobs, then the DEAD frames of
each job whose stats say it has some, a few jobs at a time.

A job's dead frames are fetched again only when its counters say something changed (a frame died, was
retried or eaten), and at least every `FULL_RELOAD_EVERY` polls; a quiet farm of 300 jobs with dead
frames costs one GetJobs per poll, not 301 calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cuetui.farm.dead import ReadProgress, SignatureReader
from cuetui.farm.fanout import gather_limited
from cuetui.farm.hints import KILLED_EXIT
from cuetui.farm.logs import LogFile, frame_log_path, list_attempts, map_log_path
from cuetui.farm.signatures import signature_of
from cuetui.farm.text import safe
from cuetui.farm.triage import DeadFrame, collect_dead, suspect_hosts
from cuetui.farm.views.jobs import AcrossJobsView, JobsCallback, JobScope
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Frame, Host, Job
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
    # With `details`: (job id, layer name) -> min memory KB of layers whose frames were killed by signal 9,
    # and the hosts behind those frames or standing out among the dead (by name).
    min_memory: Mapping[tuple[str, str], int] = field(default_factory=dict)
    hosts: Mapping[str, Host] = field(default_factory=dict)


class DeadFramesView(AcrossJobsView):
    """Dead frames of the jobs in `scope` (see the module docstring). `on_jobs(jobs)` is awaited as soon
    as the jobs in view are known, before their dead frames are read."""

    def __init__(
        self,
        client: GatewayClient,
        scope: JobScope | None = None,
        *,
        on_jobs: JobsCallback | None = None,
        details: bool = False,
        reader: SignatureReader | None = None,
    ) -> None:
        super().__init__(client, scope, on_jobs)
        self.details = details
        self.reader = reader or SignatureReader()
        self.polls = 0  # successful polls, for the cache's age
        self._cache: dict[str, tuple[tuple[int, int, int], int, list[Frame]]] = {}
        self._layers: dict[str, tuple[tuple[int, int, int], int, dict[str, int]]] = {}
        self._hosts: dict[str, tuple[int, Host | None]] = {}

    async def poll(self) -> DeadFramesSnapshot:
        """The dead frames now."""
        jobs = await self.jobs_in_scope()
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
        dead = tuple(collect_dead(pairs))
        min_memory: dict[tuple[str, str], int] = {}
        hosts: dict[str, Host] = {}
        if self.details:
            min_memory, hosts = await self._details(dead)
        self.polls += 1
        return DeadFramesSnapshot(jobs, dead, min_memory, hosts)

    async def _details(self, dead: Sequence[DeadFrame]) -> tuple[dict[tuple[str, str], int], dict[str, Host]]:
        """Min memory of the layers whose frames were killed by signal 9, and the hosts worth a hint."""
        client = self.client
        poll = self.polls
        killed = [d for d in dead if d.frame.exit_status == KILLED_EXIT]
        jobs = {d.job.id: d.job for d in killed}
        layers = self._layers

        def layers_of(job: Job) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                found = await client.get_layers(job.id)
                layers[job.id] = (_dead_key(job), poll, {layer.name: layer.min_memory for layer in found})

            return call

        stale = [
            j
            for j in jobs.values()
            if j.id not in layers or layers[j.id][0] != _dead_key(j) or poll - layers[j.id][1] >= FULL_RELOAD_EVERY
        ]
        await gather_limited([layers_of(j) for j in stale])
        for job_id in layers.keys() - jobs.keys():
            del layers[job_id]
        min_memory = {
            (job_id, name): kb for job_id, (_k, _p, by_name) in layers.items() for name, kb in by_name.items()
        }

        wanted = {d.host for d in killed if d.host} | {s.host for s in suspect_hosts(dead)}
        hosts = self._hosts

        def host_named(name: str) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                try:
                    hosts[name] = (poll, await client.find_host(name))
                except GatewayError:
                    hosts[name] = (poll, None)  # gone from the farm: no hint about its memory

            return call

        await gather_limited(
            [host_named(n) for n in sorted(wanted) if n not in hosts or poll - hosts[n][0] >= FULL_RELOAD_EVERY]
        )
        for name in hosts.keys() - wanted:
            del hosts[name]
        return min_memory, {name: host for name, (_p, host) in hosts.items() if host is not None}

    def signatures(self, dead: Sequence[DeadFrame]) -> AsyncIterator[ReadProgress]:
        """Partial results while the logs of `dead` are read (newest first, bounded, cached)."""
        self.reader.forget_others(dead)
        return self.reader.progress(dead)

    async def earlier_signatures(self, dead: Sequence[DeadFrame], *, limit: int = 64) -> dict[str, list[str]]:
        """Frame id -> the signatures of its earlier attempts (the rotated `.rqlog.N` files that can be
        read here), for at most `limit` frames; a frame whose earlier logs cannot be read gets none."""
        reader = self.reader

        def read(d: DeadFrame) -> list[str]:
            path = map_log_path(frame_log_path(d.job, d.frame), reader.log_path_map)
            out = []
            for attempt in list_attempts(path):
                if attempt.number == 0:
                    continue
                try:
                    lines = [safe(line) for line in LogFile(attempt.path, tail_bytes=reader.tail_bytes).open_tail()]
                except Exception:  # an unreadable old attempt only means no evidence
                    continue
                out.append(signature_of(lines, exit_status=d.frame.exit_status, extra=reader.patterns).text)
            return out

        frames = list(dead)[:limit]
        found = await asyncio.to_thread(lambda: [read(d) for d in frames])
        return {d.frame.id: sigs for d, sigs in zip(frames, found, strict=True) if sigs}
