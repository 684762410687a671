"""Stuck frames (`5`, `:stuck`): running frames whose log has gone quiet, across the jobs in view.

A frame is listed when its log (`lluTime`) has been silent for the configured minimum (per service when
overridden) and for a large enough share of its run time (`cuetui.farm.stuck`). Columns: job, frame,
host, silent for, run time, run time as % of the layer's average frame time, and the log's last line.
`r` retries (the frame is killed and requeued), `e` eats, `K` kills (confirm and reason), `W` marks
waiting (more than one frame confirms with the count), `enter` / `l`
opens the log. What a wrangler scans at 3 a.m.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.stuck import StuckFrame, StuckRules
from cuetui.farm.views.stuck import StuckFramesView
from cuetui.gateway.models import Frame, Job
from cuetui.ui import remedies
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.across_jobs import AcrossJobsScreen, frame_column, job_column, shared_actions
from cuetui.ui.screens.base import TABLE_ACTIONS
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column

if TYPE_CHECKING:
    from cuetui.ui.options import UiOptions

MIN_POLL = 10.0


class StuckRow(NamedTuple):
    """One stuck frame as a row, with its log's last line."""

    stuck: StuckFrame
    last_line: str = ""

    @property
    def job(self) -> Job:
        return self.stuck.job

    @property
    def frame(self) -> Frame:
        return self.stuck.frame


def _percent_cell(row: StuckRow, ctx: CellContext) -> Text:
    percent = row.stuck.percent_of_layer_average
    if percent is None:
        return cells.number_cell("", ctx)
    return cells.number_cell(f"{percent:.0f}%", ctx, "warn" if percent >= 200 else "")


def _percent_sort(row: StuckRow) -> float:
    percent = row.stuck.percent_of_layer_average
    return -1.0 if percent is None else percent


def stuck_columns() -> list[Column[StuckRow]]:
    """Job, frame, host, silent for, run time, % of layer average, last log line."""
    return [
        job_column(18, 40, want=22),
        frame_column(),
        Column(
            "host", "Host", lambda r, c: cells.name_cell(r.frame.host, c), lambda r: r.frame.host, width=10, priority=3
        ),
        Column(
            "silent",
            "Silent",
            lambda r, c: cells.number_cell(fmt.duration(r.stuck.silent_for), c, "warn"),
            lambda r: r.stuck.silent_for,
            width=7,
            reverse_first=True,
        ),
        Column(
            "run",
            "Run",
            lambda r, c: cells.number_cell(fmt.duration(r.stuck.run_time), c),
            lambda r: r.stuck.run_time,
            width=7,
            priority=4,
            reverse_first=True,
        ),
        Column("avg", "%Avg", _percent_cell, _percent_sort, width=5, priority=2, reverse_first=True),
        Column(
            "last_line",
            "Last log line",
            lambda r, c: cells.name_cell(r.last_line, c, "dim"),
            lambda r: r.last_line,
            width=16,
            flex=True,
            priority=1,
        ),
    ]


STUCK_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("stuck.retry", "r", "retry_frames", "retry", dangerous=True, help="kill and start again"),
    ActionSpec("stuck.eat", "e", "eat_frames", "eat", dangerous=True, help="kill and eat (will not render)"),
    ActionSpec("stuck.kill", "K", "kill_frames", "kill", dangerous=True, help="kill, with a reason"),
    *remedies.frame_remedy_actions("stuck"),
    *shared_actions("stuck"),
)


def rules_from_options(options: UiOptions) -> StuckRules:
    """The `[stuck]` thresholds of the UI options."""
    return StuckRules(
        min_silence=float(options.stuck_min_silence),
        percent_of_runtime=float(options.stuck_percent_of_runtime),
        service_min_silence=dict(options.stuck_service_overrides),
        exclude_jobs=tuple(options.stuck_exclude_jobs),
    )


class StuckScreen(AcrossJobsScreen[StuckRow]):
    """Running frames whose log went quiet (see the module docstring)."""

    CSS_PATH = "../styles/steer.tcss"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = STUCK_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(STUCK_ACTIONS)
    NOUN = "stuck frames"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rules = StuckRules()

    def on_mount(self) -> None:
        # Textual runs every class's on_mount, this one first: FarmScreen's own then starts the poll
        # (calling it from here too started two poll loops).
        self.rules = rules_from_options(self.services.options)

    def poll_interval(self) -> float:
        # Stuck means minutes of silence: polling faster than this only costs the gateway.
        return max(self.services.options.refresh, MIN_POLL)

    def columns(self) -> list[Column[StuckRow]]:
        return stuck_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "silent", True

    def heading(self) -> str:
        rules = self.rules
        return (
            f"Stuck frames · {self.scope()} · log silent ≥ {fmt.duration(rules.min_silence)}"
            f" and ≥ {rules.percent_of_runtime:.0f}% of run time"
        )

    def empty_reason(self) -> str:
        rules = self.rules
        return (
            f"no stuck frames (no running frame's log silent ≥ {fmt.duration(rules.min_silence)}"
            f" and ≥ {rules.percent_of_runtime:.0f}% of its run)"
        )

    @cached_property
    def view(self) -> StuckFramesView:
        """This screen's data: the stuck frames of the jobs in view, by the `[stuck]` rules."""
        app = self.services
        options = app.options
        return StuckFramesView(
            app.client,
            clock=app.clock,
            log_path_map=tuple(options.log_path_map),
            loki_url=options.loki_url,
            on_jobs=self.jobs_seen,
        )

    async def fetch(self) -> list[StuckRow]:
        view = self.view
        view.scope = self.search()
        view.rules = self.rules
        snapshot = await view.poll()
        return [StuckRow(line.stuck, line.last_line) for line in snapshot.stuck]
