"""Stuck frames: running frames whose log has gone quiet.

A running frame is stuck when its log has been silent (now − `lluTime`, the last log update) for at
least `min_silence` seconds — per service if configured — and for at least `percent_of_runtime` % of
the time it has been running, so a frame that only just started never counts. The view also shows the
run time as a percentage of the layer's average frame time: a frame at 400 % of its layer's average
and silent for an hour is what a wrangler looks for at 3 a.m.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cuetui.gateway.models import Frame, Job, Layer


@dataclass(frozen=True)
class StuckRules:
    """Thresholds from config `[stuck]`."""

    min_silence: float = 600.0
    percent_of_runtime: float = 50.0
    service_min_silence: Mapping[str, float] = field(default_factory=dict)
    exclude_jobs: Sequence[str] = ()

    def silence_for(self, layer: Layer | None) -> float:
        """The minimum silence for a layer: the smallest override among its services, else the default."""
        if layer is not None:
            overrides = [self.service_min_silence[s] for s in layer.services if s in self.service_min_silence]
            if overrides:
                return min(overrides)
        return self.min_silence

    def excluded(self, job: Job) -> bool:
        """True when the job's name contains one of the excluded substrings."""
        return any(part and part in job.name for part in self.exclude_jobs)


@dataclass(frozen=True)
class StuckFrame:
    """A running frame that looks stuck, with the figures that say so."""

    job: Job
    frame: Frame
    layer: Layer | None
    silent_for: float
    run_time: float

    @property
    def percent_of_layer_average(self) -> float | None:
        """Run time as a percentage of the layer's average frame time (None when the layer has none)."""
        if self.layer is None or self.layer.stats.avg_frame_sec <= 0:
            return None
        return 100.0 * self.run_time / self.layer.stats.avg_frame_sec


def find_stuck(
    job: Job, layers: Iterable[Layer], frames: Iterable[Frame], now: float, rules: StuckRules
) -> list[StuckFrame]:
    """The stuck frames of one job, longest silence first."""
    if rules.excluded(job):
        return []
    by_name = {layer.name: layer for layer in layers}
    out: list[StuckFrame] = []
    for frame in frames:
        if frame.state != "RUNNING" or not frame.start_time:
            continue
        run_time = max(0.0, now - frame.start_time)
        last_output = frame.llu_time or frame.start_time
        silent = max(0.0, now - last_output)
        layer = by_name.get(frame.layer_name)
        if silent < rules.silence_for(layer):
            continue
        if run_time > 0 and 100.0 * silent / run_time < rules.percent_of_runtime:
            continue
        out.append(StuckFrame(job, frame, layer, silent, run_time))
    out.sort(key=lambda s: (-s.silent_for, s.job.name, s.frame.name))
    return out
