"""LayerTable: the job screen's layers, in dispatch order under a first row for the whole job.

A compact FarmTable, so every column the issue asks for (name, type, services, progress, frames by
state, avg/high frame time, min cores/memory) fits at 120 columns; narrower, the least needed go first
(services, type, min cores/memory, high...), and the table scrolls sideways when even those left do
not fit. Like every farm table it updates in place, sorts by any column (the job row stays first) and
keeps its cursor on the same layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.gateway.models import Job, Layer, LayerStats
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column, FarmTable

ALL_LAYERS = "*all*"  # the key of the whole-job row (selecting it shows every layer's frames)
PROGRESS_WIDTH = 10


class LayerRow(NamedTuple):
    """One row: a layer, or (`layer` None) the whole job with its totals."""

    key: str
    name: str
    stats: LayerStats
    layer: Layer | None = None


def layer_rows(layers: Sequence[Layer], job: Job | None) -> list[LayerRow]:
    """The whole-job row, then the layers in dispatch order."""
    ordered = sorted(layers, key=lambda layer: layer.dispatch_order)
    if job is not None:
        s = job.stats
        total = LayerStats(
            total_frames=s.total_frames,
            waiting_frames=s.waiting_frames,
            running_frames=s.running_frames,
            dead_frames=s.dead_frames,
            eaten_frames=s.eaten_frames,
            depend_frames=s.depend_frames,
            succeeded_frames=s.succeeded_frames,
            avg_frame_sec=s.avg_frame_sec,
            high_frame_sec=s.high_frame_sec,
        )
    else:
        total = LayerStats(
            total_frames=sum(layer.stats.total_frames for layer in ordered),
            succeeded_frames=sum(layer.stats.succeeded_frames for layer in ordered),
        )
    whole = LayerRow(ALL_LAYERS, f"all {len(ordered)} layers", total)
    return [whole, *(LayerRow(layer.id, layer.name, layer.stats, layer) for layer in ordered)]


def _type(row: LayerRow, ctx: CellContext) -> Text:
    if row.layer is None:
        return ctx.text("")
    return cells.enum_cell(row.layer.type, "LayerType", ctx)


def _services(row: LayerRow, ctx: CellContext) -> Text:
    return cells.name_cell(",".join(row.layer.services) if row.layer else "", ctx, "dim")


def _name(row: LayerRow, ctx: CellContext) -> Text:
    return ctx.text(safe(row.name, 80), "dim" if row.layer is None else "")


def _seconds(value: int, ctx: CellContext) -> Text:
    return cells.number_cell(fmt.duration(value) if value else "", ctx)


LAYER_COLUMNS: tuple[Column[LayerRow], ...] = (
    Column("name", "layer", _name, lambda r: r.name.lower(), 12, flex=True, max_width=40),
    Column("type", "type", _type, lambda r: r.layer.type if r.layer else "", 6, priority=3),
    Column("services", "services", _services, lambda r: r.layer.services if r.layer else (), 10, priority=3),
    Column(
        "progress",
        "progress",
        lambda r, c: cells.progress_cell(r.stats.succeeded_frames, r.stats.total_frames, PROGRESS_WIDTH, c),
        lambda r: r.stats.succeeded_frames / r.stats.total_frames if r.stats.total_frames else 0.0,
        PROGRESS_WIDTH,
        priority=1,
        reverse_first=True,
    ),
    Column(
        "done",
        "done/total",
        lambda r, c: cells.number_cell(f"{r.stats.succeeded_frames}/{r.stats.total_frames}", c),
        lambda r: (r.stats.succeeded_frames, r.stats.total_frames),
        11,
        priority=2,
        reverse_first=True,
    ),
    cells.count_column("running", "run", lambda r: r.stats.running_frames, 5, style="running"),
    cells.count_column("waiting", "wait", lambda r: r.stats.waiting_frames, 5, priority=1),
    cells.count_column("depend", "dep", lambda r: r.stats.depend_frames, 5, priority=2),
    cells.count_column("dead", "dead", lambda r: r.stats.dead_frames, 5, style="dead"),
    cells.count_column("eaten", "eaten", lambda r: r.stats.eaten_frames, 5, priority=2),
    Column("avg", "avg", lambda r, c: _seconds(r.stats.avg_frame_sec, c), lambda r: r.stats.avg_frame_sec, 6, 1),
    Column("high", "high", lambda r, c: _seconds(r.stats.high_frame_sec, c), lambda r: r.stats.high_frame_sec, 6, 2),
    Column(
        "cores",
        "cores",
        lambda r, c: cells.number_cell(fmt.cores(r.layer.min_cores) if r.layer else "", c),
        lambda r: r.layer.min_cores if r.layer else 0.0,
        5,
        priority=2,
        reverse_first=True,
    ),
    Column(
        "memory",
        "mem",
        lambda r, c: cells.number_cell(fmt.memory_kb(r.layer.min_memory) if r.layer else "", c),
        lambda r: r.layer.min_memory if r.layer else 0,
        6,
        priority=2,
        reverse_first=True,
    ),
)


class LayerTable(FarmTable[LayerRow]):
    """The layers of a job (see the module docstring). `set_layers(layers, job, now)` after each poll."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            LAYER_COLUMNS,
            lambda row: row.key,
            sort_column="dispatch order",  # no such column: the rows' own order until the user sorts
            compact=True,
            pinned=(ALL_LAYERS,),
            id=id,
            classes=classes,
        )

    def set_layers(self, layers: Sequence[Layer], job: Job | None, now: float) -> None:
        """The job's layers from the last poll (and the job, for the whole-job row)."""
        self.set_data(layer_rows(layers, job), now)
