"""The shows screen: every show with its frame counts and cores; enter opens that show's jobs."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from cuetui.farm import format as fmt
from cuetui.farm.views.shows import ShowsView
from cuetui.gateway.models import Show
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.base import TABLE_ACTIONS, FarmScreen
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import Column, FarmTable


def show_columns() -> list[Column[Show]]:
    """The shows table's columns."""
    return [
        Column(
            "name", "Show", lambda s, c: cells.name_cell(s.name, c), lambda s: s.name, width=16, flex=True, max_width=40
        ),
        Column(
            "active",
            "Active",
            lambda s, c: c.text("yes" if s.active else "no", "" if s.active else "dim"),
            lambda s: not s.active,
            width=6,
            priority=2,
        ),
        cells.count_column("running", "Running", lambda s: s.stats.running_frames, 7, style="running"),
        cells.count_column("dead", "Dead", lambda s: s.stats.dead_frames, 6, style="dead"),
        cells.count_column("pending", "Pending", lambda s: s.stats.pending_frames, 7, priority=1),
        cells.count_column("pending_jobs", "Jobs", lambda s: s.stats.pending_jobs, 5, priority=1),
        cells.amount_column("cores", "Cores", lambda s: s.stats.reserved_cores, fmt.cores, 7, priority=1),
    ]


SHOW_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("shows.open", "enter", "open_show", "jobs of show", footer=False),
    ActionSpec(
        "shows.mark_all", "a", "mark_all", "mark all", footer=False, help="mark every visible show (again: unmark)"
    ),
)


class ShowsScreen(FarmScreen[Show]):
    """All shows; `enter` pushes the jobs screen for the show under the cursor."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = SHOW_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(SHOW_ACTIONS)
    TITLE_TEXT = "Shows"
    NOUN = "shows"

    def columns(self) -> list[Column[Show]]:
        return show_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "name", False

    def empty_reason(self) -> str:
        return "the gateway lists no shows"

    @cached_property
    def view(self) -> ShowsView:
        """This screen's data."""
        return ShowsView(self.services.client)

    async def fetch(self) -> list[Show]:
        return list((await self.view.poll()).shows)

    def action_open_show(self) -> None:
        show = self.table.cursor_model
        if show is not None:
            from cuetui.ui.screens.jobs import JobsScreen

            self.app.push_screen(JobsScreen(shows=[show.name]))

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_show()
