"""Dead-frame triage (`4`, `:dead`): every dead frame across the jobs in view, newest first, with the
end of the selected frame's log beside the table (wrapped, its first error line highlighted).

`g` groups by exit status or by host (largest group first, the count of each group above the table),
and a host that kills frames far more often than the others, across several jobs, is called out above
the table ("⚠ host problem? render07: 14 dead frames of 5 jobs"): that is a host problem, not a job
problem (`cuetui.farm.triage.suspect_hosts`). `r` / `e` retry or eat the frames under the cursor or
marked, `R` retries every dead frame of the selected frames' jobs, `enter` / `l` opens the full log.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import work
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import DataTable

from cuetui.farm import format as fmt
from cuetui.farm.log_tail import TailRead, read_log_tail
from cuetui.farm.triage import (
    DeadFrame,
    Group,
    Suspect,
    exit_meaning,
    group_by,
    group_key,
    suspect_hosts,
)
from cuetui.farm.views.dead import DeadFramesView
from cuetui.gateway.models import Frame, Job
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.across_jobs import (
    AcrossJobsScreen,
    fit_items,
    frame_column,
    job_column,
    shared_actions,
)
from cuetui.ui.screens.base import TABLE_ACTIONS
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column
from cuetui.ui.widgets.log_tail import LogTail

GROUP_MODES = ("", "exit_status", "host")

GROUPED_BY = {"exit_status": "exit status", "host": "host"}
GROUP_NAMES = {"": "newest first", **{mode: f"grouped by {what}" for mode, what in GROUPED_BY.items()}}


class TriageRow(NamedTuple):
    """One dead frame as a row: `rank` orders its group (0 = largest) when grouped."""

    dead: DeadFrame
    rank: int = 0
    suspect: bool = False

    @property
    def job(self) -> Job:
        return self.dead.job

    @property
    def frame(self) -> Frame:
        return self.dead.frame


def exit_text(status: int) -> str:
    """`137 killed (OOM?)`."""
    meaning = exit_meaning(status)
    return f"{status} {meaning}" if meaning else str(status)


def _host_cell(row: TriageRow, ctx: CellContext) -> Text:
    return cells.name_cell(row.dead.host or "-", ctx, "warn" if row.suspect else "")


def _died_cell(row: TriageRow, ctx: CellContext) -> Text:
    """When the frame died: `14:03:22` today, `Nov 25 14:03` before (local time)."""
    return cells.number_cell(fmt.timestamp(row.dead.died_at, ctx.now, seconds=True), ctx)


def _died_order(row: TriageRow) -> tuple[int, int]:
    # Largest group first when grouped, then time of death: descending (▼) is newest first.
    return -row.rank, row.dead.died_at


def triage_columns() -> list[Column[TriageRow]]:
    """Job, frame, layer, exit status and meaning, retries, host, time of death."""
    return [
        # A job name worth reading beats the layer column (the frame's name ends with its layer).
        job_column(12, 48, want=22),
        frame_column(),
        Column(
            "layer",
            "Layer",
            lambda r, c: cells.name_cell(r.frame.layer_name, c),
            lambda r: r.frame.layer_name,
            width=8,
            priority=5,
        ),
        Column(
            "exit",
            "Exit",
            lambda r, c: cells.name_cell(exit_text(r.frame.exit_status), c, "dead"),
            lambda r: r.frame.exit_status,
            width=17,  # `137 killed (OOM?)` whole
        ),
        Column(
            "retries",
            "Try",
            lambda r, c: cells.number_cell(str(r.frame.retry_count), c),
            lambda r: r.frame.retry_count,
            width=3,
            priority=3,
            reverse_first=True,
        ),
        Column("host", "Host", _host_cell, lambda r: r.dead.host, width=10, priority=1),
        # `live`: today's deaths show the time only, so the cell changes when the day does.
        Column("died", "Died", _died_cell, _died_order, width=12, priority=2, live=True, reverse_first=True),
    ]


TRIAGE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("triage.retry", "r", "retry_frames", "retry", dangerous=True, help="retry these frames"),
    ActionSpec("triage.eat", "e", "eat_frames", "eat", dangerous=True, help="eat these frames (they will not render)"),
    ActionSpec(
        "triage.retry_dead", "R", "retry_dead", "retry job", dangerous=True, help="retry every dead frame of the job"
    ),
    ActionSpec("triage.group", "g", "cycle_group", "group", help="group by exit status, by host, or not (with counts)"),
    *shared_actions("triage"),
)


def suspect_line(suspects: Sequence[Suspect], width: int) -> str:
    """`⚠ host problem? render07: 14 dead frames of 5 jobs (others avg 1.2) · … · +2 more`, in `width`
    cells: an item is never cut in the middle."""
    items = [
        f"{s.host}: {s.group.count} dead frames of {s.group.job_count} jobs (others avg {s.others_mean:.1f})"
        for s in suspects
    ]
    return fit_items(items, width, prefix="⚠ host problem? ")


def groups_line(mode: str, groups: Sequence[Group], width: int) -> str:
    """`by exit status: exit 1 failed ×4 · exit 137 killed (OOM?) ×2 · +3 more`, in `width` cells."""
    if not mode:
        return ""
    items = []
    for g in groups:
        label = f"exit {exit_text(int(g.key))}" if mode == "exit_status" and g.key.lstrip("-").isdigit() else g.key
        items.append(f"{label} ×{g.count}")
    return fit_items(items, width, prefix=f"by {GROUPED_BY[mode]}: ")


class TriageScreen(AcrossJobsScreen[TriageRow]):
    """Dead frames across the jobs in view (see the module docstring)."""

    CSS_PATH = "../styles/steer.tcss"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = TRIAGE_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(TRIAGE_ACTIONS)
    NOUN = "dead frames"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.group_mode = ""
        self.dead: list[DeadFrame] = []
        self.suspects: list[Suspect] = []
        self.groups: list[Group] = []
        self._log_key: tuple[str, int, int] | None = None

    def columns(self) -> list[Column[TriageRow]]:
        return triage_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "died", True

    def heading(self) -> str:
        return f"Dead frames · {self.scope()} · {GROUP_NAMES[self.group_mode]}"

    def empty_reason(self) -> str:
        return f"no dead frames in {self.jobs_words()}{self.finished_hint()}"

    def _line_width(self) -> int:
        # The lines under the title have one cell of padding each side; before the first layout, no limit.
        return self.size.width - 2 if self.size.width > 2 else 10_000

    def summary(self) -> str:
        return suspect_line(self.suspects, self._line_width())

    def detail(self) -> str:
        return groups_line(self.group_mode, self.groups, self._line_width())

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        if self.is_mounted:
            self._retitle()

    def side_panel(self) -> Widget:
        return LogTail(id="log-tail")

    @cached_property
    def view(self) -> DeadFramesView:
        """This screen's data: the dead frames of the jobs in view."""
        return DeadFramesView(self.services.client, on_jobs=self.jobs_seen)

    async def fetch(self) -> list[TriageRow]:
        view = self.view
        view.scope = self.search()
        snapshot = await view.poll()
        self.dead = list(snapshot.dead)
        return self._rows()

    def _rows(self) -> list[TriageRow]:
        self.suspects = suspect_hosts(self.dead)
        suspect_names = {s.host for s in self.suspects}
        mode = self.group_mode
        if mode:
            self.groups = group_by(self.dead, mode)
            rank_of = {g.key: i for i, g in enumerate(self.groups)}
            return [TriageRow(d, rank_of.get(group_key(d, mode), 0), d.host in suspect_names) for d in self.dead]
        self.groups = []
        return [TriageRow(d, 0, d.host in suspect_names) for d in self.dead]

    def data_arrived(self, models: Sequence[TriageRow]) -> None:
        super().data_arrived(models)
        self._show_log()

    # --- grouping ---------------------------------------------------------------------------------

    def action_cycle_group(self) -> None:
        self.group_mode = GROUP_MODES[(GROUP_MODES.index(self.group_mode) + 1) % len(GROUP_MODES)]
        table = self.table
        table.set_data(self._rows(), self.services.clock())
        table.sort_by("died", reverse=True)
        self._retitle()
        if table.row_count:
            table.move_cursor(row=0)

    # --- the log beside the table -----------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_log()

    def _show_log(self) -> None:
        row = self.table.cursor_model
        panel = self.query_one(LogTail)
        if row is None:
            self._log_key = None
            panel.show_message("Log", "no dead frames in view" if self.table.loaded else "loading…")
            return
        key = (row.frame.id, row.frame.retry_count, row.frame.stop_time)
        if key == self._log_key:
            return
        self._log_key = key
        self._load_log(row)

    @work(exclusive=True, group="triage-log")
    async def _load_log(self, row: TriageRow) -> None:
        options = self.services.options
        tail: TailRead = await read_log_tail(
            row.job, row.frame, log_path_map=options.log_path_map, loki_url=options.loki_url
        )
        # The frame first: the title is one line, and the job's name is in the table already.
        title = f"{row.frame.name} · {row.dead.host or 'never ran'} · {row.job.name}"
        self.query_one(LogTail).show_tail(title, tail)
