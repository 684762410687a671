"""One job in detail (the job screen): its header (GetJob), its layers and every frame, kept live.

Per poll: GetJob, then the frames through `FrameSync` (a full load first, GetUpdatedFrames after), then
GetLayers only when something may have changed the layers' counters (a frame changed, or the frames were
reloaded) and at least every `LAYERS_EVERY` polls. The first poll asks for the layers before the frames,
so a big job shows its header and layers (`on_header`) while its frames load.

The frames themselves live in `sync` (a dict by id and the id order, updated in place): handing 50 000
frames over as a fresh tuple each poll would cost more than the poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from cuetui.farm.frames import FrameSync, ProgressCallback, SyncResult
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Job, Layer

LAYERS_EVERY = 5  # polls between layer refreshes when no frame changed

HeaderCallback = Callable[[Job, "tuple[Layer, ...]"], object]


@dataclass(frozen=True)
class JobDetail:
    """What one poll found: the job, its layers in dispatch order when they were fetched this poll
    (None when not), and what changed among the frames (the frames are in the view's `sync`)."""

    job: Job
    layers: tuple[Layer, ...] | None
    frames: SyncResult

    @property
    def finished(self) -> bool:
        """True once the job is FINISHED: nothing will change any more."""
        return self.frames.job_state == "FINISHED"


def in_dispatch_order(layers: list[Layer]) -> tuple[Layer, ...]:
    """Layers as Cuebot dispatches them."""
    return tuple(sorted(layers, key=lambda layer: layer.dispatch_order))


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
        # Set after a change to the layers' settings, which no frame change shows: the next poll reads them.
        self.layers_wanted = False

    async def poll(self) -> JobDetail:
        """One refresh of the job, its frames and (when due) its layers."""
        client = self.client
        sync = self.sync
        job = await client.get_job(self.job_id)
        layers: tuple[Layer, ...] | None = None
        if not sync.loaded:
            # Header and layers first, so a big job shows something while its frames load.
            layers = in_dispatch_order(await client.get_layers(self.job_id))
            sync.set_layers(layer.name for layer in layers)
            if self.on_header is not None:
                self.on_header(job, layers)
        result = await sync.poll(job)
        self.polls += 1
        wanted, self.layers_wanted = self.layers_wanted, False
        if layers is None and (wanted or result.changed or result.full or self.polls % LAYERS_EVERY == 0):
            layers = in_dispatch_order(await client.get_layers(self.job_id))
        return JobDetail(job, layers, result)
