"""The jobs `cuetui monitor` watches: one `cuetui.farm.monitor.poll` step (their stats and new dead
frames, as events), and for the live view the layers of the jobs still active (every job's once all
have ended, so the last state on screen has them)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cuetui.farm.monitor import Event, Monitor, poll
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Layer


@dataclass(frozen=True)
class MonitorSnapshot:
    """What one poll told the monitor (`events`, in order) and the layers fetched, by job id."""

    events: tuple[Event, ...]
    layers: Mapping[str, tuple[Layer, ...]] = field(default_factory=lambda: MappingProxyType({}))


class MonitorView:
    """Polls for a `Monitor` (which keeps the state and works out the events). `with_layers` adds a
    GetLayers per job shown (the live view's layer bars); with `recheck_ended` every job is asked again
    once the monitor is finished, so a retry from the live view is seen. The plain and JSON output go
    without either."""

    def __init__(
        self,
        client: GatewayClient,
        monitor: Monitor,
        *,
        clock: Callable[[], float] = time.time,
        with_layers: bool = False,
        recheck_ended: bool = False,
    ) -> None:
        self.client = client
        self.monitor = monitor
        self.clock = clock
        self.with_layers = with_layers
        self.recheck_ended = recheck_ended

    async def poll(self) -> MonitorSnapshot:
        """One monitoring step; raises GatewayError when the gateway fails (the caller backs off)."""
        monitor = self.monitor
        events = await poll(self.client, monitor, self.clock(), ended_too=self.recheck_ended and monitor.finished)
        layers: dict[str, tuple[Layer, ...]] = {}
        if self.with_layers:
            for job_id in monitor.active_ids() or monitor.job_ids:
                layers[job_id] = tuple(await self.client.get_layers(job_id))
        return MonitorSnapshot(tuple(events), MappingProxyType(layers))
