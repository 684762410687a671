"""Stuck frames across the jobs in a scope (`5`): one GetJobs, then the layers and RUNNING frames of
each job that runs frames (a few jobs at a time), `cuetui.farm.stuck.find_stuck` over them, and the last
line of each stuck frame's log (capped: each is a file or Loki read)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from cuetui.farm.fanout import gather_limited
from cuetui.farm.log_tail import read_log_tail
from cuetui.farm.stuck import StuckFrame, StuckRules, find_stuck
from cuetui.farm.views.jobs import AcrossJobsView, JobsCallback, JobScope
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.gateway.requests import FrameSearch

# The last line only: a small tail read per stuck frame and poll.
LAST_LINE_BYTES = 4096
# Past this many stuck frames the last log lines are not read (each is a file or Loki read).
LAST_LINE_CAP = 200
UNREADABLE = "(log not readable here)"


@dataclass(frozen=True)
class StuckLine:
    """A stuck frame with its log's last line ("" when not read)."""

    stuck: StuckFrame
    last_line: str = ""


@dataclass(frozen=True)
class StuckFramesSnapshot:
    """The jobs in view (for alerts and the palette) and their stuck frames, longest silence first."""

    jobs: tuple[Job, ...]
    stuck: tuple[StuckLine, ...]


class StuckFramesView(AcrossJobsView):
    """Stuck frames of the jobs in `scope` by `rules` (see the module docstring). `clock` is the farm's
    now; `log_path_map` and `loki_url` say where logs are read, as for the frame-log screen; `on_jobs(jobs)`
    is awaited as soon as the jobs in view are known, before their frames are read."""

    def __init__(
        self,
        client: GatewayClient,
        scope: JobScope | None = None,
        *,
        rules: StuckRules | None = None,
        clock: Callable[[], float] = time.time,
        log_path_map: Sequence[tuple[str, str]] = (),
        loki_url: str = "",
        on_jobs: JobsCallback | None = None,
    ) -> None:
        super().__init__(client, scope, on_jobs)
        self.rules = rules or StuckRules()
        self.clock = clock
        self.log_path_map = log_path_map
        self.loki_url = loki_url

    async def poll(self) -> StuckFramesSnapshot:
        """The stuck frames now."""
        jobs = await self.jobs_in_scope()
        client = self.client
        rules = self.rules
        candidates = [j for j in jobs if j.stats.running_frames and not rules.excluded(j)]
        running = FrameSearch(states=["RUNNING"])

        def frames_of(job: Job) -> Callable[[], Awaitable[tuple[Job, list[Layer], list[Frame]]]]:
            async def call() -> tuple[Job, list[Layer], list[Frame]]:
                layers = await client.get_layers(job.id)
                frames = await client.get_all_frames(job.id, running, expected=job.stats.running_frames)
                return job, layers, frames

            return call

        found = await gather_limited([frames_of(j) for j in candidates])
        now = self.clock()
        stuck = [s for job, layers, frames in found for s in find_stuck(job, layers, frames, now, rules)]
        lines = await gather_limited([self._last_line_of(s) for s in stuck[:LAST_LINE_CAP]])
        lines += [""] * (len(stuck) - len(lines))
        return StuckFramesSnapshot(jobs, tuple(StuckLine(s, line) for s, line in zip(stuck, lines, strict=True)))

    def _last_line_of(self, stuck: StuckFrame) -> Callable[[], Awaitable[str]]:
        async def call() -> str:
            tail = await read_log_tail(
                stuck.job,
                stuck.frame,
                log_path_map=self.log_path_map,
                loki_url=self.loki_url,
                tail_bytes=LAST_LINE_BYTES,
                max_lines=20,
            )
            return tail.last_line if not tail.problem else UNREADABLE

        return call
