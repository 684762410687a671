"""One job in detail (the job screen): its header (GetJob), its layers and every frame, kept live.

The first poll asks for the header and layers (GetJob and GetLayers, both at once) before the frames, so
a big job shows its header and layers (`on_header`) while its frames load (GetFrames, paged).

After that a poll is GetUpdatedFrames alone: it brings the job's state and Cuebot's clock with the frames
that changed, and the job's and each layer's frame counts (by state, total, pending, largest max RSS) are
derived from the frames the view holds (`FrameSync.counts`), so they are as fresh as the frames. What
frames cannot tell (priority, cores booked, pause, a layer's settings, the history counters) comes from
GetJob + GetLayers, asked again:

* after a full reload of the frames, when the job's state changed, and on `refresh_all()` (a manual
  refresh or an action);
* while frames change, at most every `LIVE_EVERY` polls;
* when nothing changes, every `QUIET_EVERY` polls.

So a quiet job costs one request a poll (and two more once a minute at the default 2 s), a live one
about 1.2. In the GetFrames-with-changeDate fallback (clock skew) GetJob is asked every poll, as that
call does not bring the job's state.

The frames themselves live in `sync` (a dict by id and the id order, updated in place): handing 50 000
frames over as a fresh tuple each poll would cost more than the poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import msgspec

from cuetui.farm.frames import FrameSync, ProgressCallback, SyncResult
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Job, JobStats, Layer, LayerStats

LIVE_EVERY = 10  # polls between GetJob + GetLayers while frames change (20 s at the default 2 s)
QUIET_EVERY = 30  # polls between GetJob + GetLayers when nothing changed (60 s at the default 2 s)

HeaderCallback = Callable[[Job, "tuple[Layer, ...]"], object]


@dataclass(frozen=True)
class JobDetail:
    """What one poll found: the job, its layers in dispatch order when they may have changed this poll
    (None when not), and what changed among the frames (the frames are in the view's `sync`).
    `fetched` is True when the header and layers came from GetJob + GetLayers this poll."""

    job: Job
    layers: tuple[Layer, ...] | None
    frames: SyncResult
    fetched: bool = False

    @property
    def finished(self) -> bool:
        """True once the job is FINISHED: nothing will change any more."""
        return self.frames.job_state == "FINISHED"


def in_dispatch_order(layers: list[Layer]) -> tuple[Layer, ...]:
    """Layers as Cuebot dispatches them."""
    return tuple(sorted(layers, key=lambda layer: layer.dispatch_order))


def _counted(counts: Mapping[str, int]) -> dict[str, int]:
    """Frame counters by state, named as in JobStats / LayerStats."""
    waiting = counts.get("WAITING", 0)
    depend = counts.get("DEPEND", 0)
    return {
        "total_frames": sum(counts.values()),
        "waiting_frames": waiting,
        "running_frames": counts.get("RUNNING", 0),
        "dead_frames": counts.get("DEAD", 0),
        "eaten_frames": counts.get("EATEN", 0),
        "depend_frames": depend,
        "succeeded_frames": counts.get("SUCCEEDED", 0),
        "pending_frames": waiting + depend,
    }


def derived_job(job: Job, state: str, counts: Mapping[tuple[str, str], int], max_rss: Mapping[str, int]) -> Job:
    """`job` with its state and frame counters taken from the frames held (`counts` by (layer, state),
    the largest max RSS per layer); the counters frames cannot tell stay as GetJob gave them."""
    by_state: dict[str, int] = {}
    for (_layer, frame_state), n in counts.items():
        by_state[frame_state] = by_state.get(frame_state, 0) + n
    stats = job.stats
    values = _counted(by_state)
    values["max_rss"] = max([stats.max_rss, *max_rss.values()])
    new_stats: JobStats = msgspec.structs.replace(stats, **values)
    if new_stats == stats and state == job.state:
        return job
    return msgspec.structs.replace(job, state=state, job_stats=new_stats)


def derived_layers(
    layers: tuple[Layer, ...], counts: Mapping[tuple[str, str], int], max_rss: Mapping[str, int]
) -> tuple[Layer, ...]:
    """`layers` with each layer's frame counters taken from the frames held."""
    by_layer: dict[str, dict[str, int]] = {}
    for (layer_name, frame_state), n in counts.items():
        by_layer.setdefault(layer_name, {})[frame_state] = n
    out = []
    for layer in layers:
        stats = layer.stats
        values = _counted(by_layer.get(layer.name, {}))
        values["max_rss"] = max(stats.max_rss, max_rss.get(layer.name, 0))
        new_stats: LayerStats = msgspec.structs.replace(stats, **values)
        out.append(layer if new_stats == stats else msgspec.structs.replace(layer, layer_stats=new_stats))
    return tuple(out)


class JobDetailView:
    """One job's header, layers and frames (see the module docstring). `on_progress(loaded, expected)`
    is called while frames load; `on_header(job, layers)` once the first poll has the header and layers,
    before its frames arrive."""

    def __init__(
        self,
        client: GatewayClient,
        job_id: str,
        *,
        clock: Callable[[], float] = time.time,
        on_progress: ProgressCallback | None = None,
        on_header: HeaderCallback | None = None,
    ) -> None:
        self.client = client
        self.job_id = job_id
        self.on_header = on_header
        self.sync = FrameSync(client, job_id, clock=clock, on_progress=on_progress)
        self.polls = 0  # polls that reached the frames
        self.job: Job | None = None  # the last GetJob answer
        self.layers: tuple[Layer, ...] = ()  # the last GetLayers answer, in dispatch order
        self._fetched_at = 0  # `polls` when GetJob + GetLayers were last asked
        self._refresh_due = False

    def refresh_all(self) -> None:
        """Ask GetJob and GetLayers again on the next poll (a manual refresh, or after an action)."""
        self._refresh_due = True

    async def _fetch_header(self) -> None:
        # Both in flight at once: on a busy gateway each waits its turn, and the first rows of a big job
        # wait for both (one answer's time less than asking one after the other).
        job, layers = await asyncio.gather(
            self.client.get_job(self.job_id), self.client.get_layers(self.job_id), return_exceptions=True
        )
        for answer in (job, layers):
            if isinstance(answer, BaseException):
                raise answer
        assert not isinstance(job, BaseException) and not isinstance(layers, BaseException)
        self.job = job
        self.layers = in_dispatch_order(layers)
        self.sync.set_layers(layer.name for layer in self.layers)
        self._refresh_due = False

    async def poll(self) -> JobDetail:
        """One refresh of the frames, and of the header and layers when due (see the module docstring)."""
        sync = self.sync
        fetched = False
        if self.job is None or not sync.loaded:
            # Header and layers first, so a big job shows something while its frames load.
            await self._fetch_header()
            fetched = True
            assert self.job is not None
            if self.on_header is not None:
                self.on_header(self.job, self.layers)
            result = await sync.poll(self.job)
        elif sync.fallback:
            self.job = await self.client.get_job(self.job_id)
            result = await sync.poll(self.job)
        else:
            state_before = sync.job_state
            result = await sync.poll(None)
            since = self.polls + 1 - self._fetched_at
            changed = bool(result.changed or result.removed)
            if (
                self._refresh_due
                or (result.full and not result.first_load)
                or sync.job_state != state_before
                or (changed and since >= LIVE_EVERY)
                or since >= QUIET_EVERY
            ):
                await self._fetch_header()
                fetched = True
        self.polls += 1
        if fetched:
            self._fetched_at = self.polls
        assert self.job is not None
        job = derived_job(self.job, sync.job_state, sync.counts, sync.layer_max_rss)
        layers: tuple[Layer, ...] | None = None
        if fetched or result.changed or result.removed or result.full:
            layers = derived_layers(self.layers, sync.counts, sync.layer_max_rss)
        return JobDetail(job, layers, result, fetched)
