"""FarmScreen: what every table screen shares: a title line, a live filter, one FarmTable kept in place,
the status bar and footer, and one poll loop that runs only while the screen is visible.

A subclass sets `ACTIONS` (its own plus `TABLE_ACTIONS`), builds its columns, and implements `fetch()`
(one gateway round) and `counts()`; everything else (pausing when hidden, stale marking, back-off,
filter, sort, marks, copy) is here. A screen of its own layout (the job screen: a layers table above
the frames table, a poll of its job-detail view) composes itself, names its main table (`table`),
and replaces the poll's round and what it does with the answer (`poll_once`, `show_result`); the
keys then act on that table (the mark key on the table focused, `focused_table`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from cuetui.farm.connection import ConnectionStatus
from cuetui.farm.poller import PollLoop
from cuetui.farm.text import safe
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.services import services_of, shell_of
from cuetui.ui.widgets.farm_table import Column, FarmTable
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from cuetui.ui.services import AppServices, Services

T = TypeVar("T")
log = logging.getLogger("cuetui.ui")

TABLE_ACTIONS: tuple[ActionSpec, ...] = (
    # `?` is the app's key; repeated first here so that the footer shows it even at 80 columns.
    ActionSpec("screen.help", "question_mark", "app.help", "help", palette=False),
    ActionSpec("table.filter", "slash", "start_filter", "filter"),
    ActionSpec("table.sort", "s", "cycle_sort", "sort", footer=False),
    ActionSpec("table.reverse", "S", "reverse_sort", "reverse sort", footer=False),
    ActionSpec("table.mark", "space", "toggle_mark", "mark", footer=False),
    ActionSpec("table.copy", "c", "copy_name", "copy name", footer=False),
    ActionSpec("screen.back", "escape", "back", "back / clear filter", footer=False, palette=False),
)


class FilterInput(Input):
    """The `/` filter line: typing filters live, enter keeps it, escape clears it."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "clear", "clear filter", show=False),
    ]

    def action_clear(self) -> None:
        screen = self.screen
        if isinstance(screen, FarmScreen):
            screen.clear_filter()


class FarmScreen(Screen[None], Generic[T]):
    """A screen showing one live FarmTable (see the module docstring)."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = TABLE_ACTIONS
    BINDINGS = bindings(TABLE_ACTIONS)
    TITLE_TEXT = ""
    NOUN = "rows"
    # What Textual focuses when the screen is first shown: the table (as on_mount asks). Left to its
    # default (`*`), the first focusable widget, the hidden filter line, would take focus first and the
    # table only after it: two focus changes, each restyling and rebuilding the footer's keys.
    AUTO_FOCUS = "#table"

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.poll: PollLoop[Any] | None = None
        self._stale = False

    @property
    def cue_app(self) -> AppServices:
        """The shell app, typed: its services and navigation."""
        return shell_of(self.app)

    @property
    def services(self) -> Services:
        """The app's services: client (for farm views), options, actions, connection, clock."""
        return services_of(self.app)

    # --- for subclasses ---------------------------------------------------------------------------

    def columns(self) -> Sequence[Column[T]]:
        """The table's columns, most important first."""
        raise NotImplementedError

    def key_of(self, model: T) -> str:
        """A model's stable row key (its id)."""
        return str(getattr(model, "id", ""))

    def row_key(self) -> Callable[[T], str]:
        """`key_of` as the table calls it, once per model per poll: the models' `id` read in C when a
        screen keeps the default (every farm model has a str id), which at 20 000 jobs saves a Python
        call a row in the poll's one callback."""
        if type(self).key_of is FarmScreen.key_of:
            return attrgetter("id")
        return self.key_of

    async def fetch(self) -> Sequence[T]:
        """One gateway round for this screen."""
        raise NotImplementedError

    def heading(self) -> str:
        """The title line (plain text)."""
        return self.TITLE_TEXT

    def counts(self, table: FarmTable[T]) -> str:
        """The status bar's counts part."""
        text = f"{table.shown_count}/{table.total_count} {self.NOUN}"
        if table.marked:
            text += f" · {len(table.marked)} marked"
        return text

    def sort_default(self) -> tuple[str, bool]:
        """Initial sort column and order."""
        return "", False

    def poll_interval(self) -> float:
        """Seconds between polls."""
        return self.services.options.refresh

    def name_of(self, model: T) -> str:
        """What `c` copies."""
        return str(getattr(model, "name", ""))

    def data_arrived(self, models: Sequence[T]) -> None:
        """Hook after a successful poll (the table is already updated)."""

    async def poll_once(self) -> Any:
        """One round of the poll loop: `fetch()`, its rows rendered ahead while a filter is on."""
        return await self._fetch_and_prerender()

    def show_result(self, result: Any) -> None:
        """Show what a round of the poll loop brought (by default: the table's new rows)."""
        self._on_result(result)

    def show_error(self, error: Exception, retry_in: float) -> None:
        """A round of the poll loop failed (it is retried in `retry_in` seconds)."""
        self._on_error(error, retry_in)

    def set_filter_text(self, text: str) -> None:
        """The `/` filter line changed: show the rows it matches."""
        self.table.set_filter(text)

    def focused_table(self) -> FarmTable[Any]:
        """The table the mark key acts on (a screen with more than one: the focused one)."""
        return self.table

    def sort_cycled(self) -> None:
        """Hook after `s` chose the next sort column."""

    def table_refreshed(self, table: FarmTable[Any]) -> None:
        """A table's rows shown changed (by default: the status bar's counts)."""
        self._update_counts()

    def empty_reason(self) -> str:
        """Why the gateway's answer has no rows for this screen, in a few words ("no jobs for jdoe")."""
        return f"no {self.NOUN}"

    def empty_text(self) -> str:
        """What an empty table says: loading, the filter that hides every row, or `empty_reason()`."""
        table = self.table
        if not table.loaded:
            return "loading…"
        if table.filter_text and table.total_count:
            return (
                f"none of the {table.total_count:,} {self.NOUN} matches “{safe(table.filter_text, 40)}”"
                " (escape clears the filter)"
            )
        return self.empty_reason()

    # --- composition and polling --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.services
        yield Static(self.heading(), id="title", markup=False)
        filter_input = FilterInput(placeholder="filter: type to narrow, enter to keep, escape to clear", id="filter")
        filter_input.display = False
        yield filter_input
        sort_column, reverse = self.sort_default()
        yield FarmTable(self.columns(), self.row_key(), sort_column=sort_column, sort_reverse=reverse, id="table")
        yield StatusBar(
            app.options.farm_name,
            app.options.url,
            read_only=app.options.read_only,
            tls_unverified=app.options.tls_unverified,
            clock=app.clock,
        )
        yield KeyFooter()

    @property
    def table(self) -> FarmTable[T]:
        """This screen's table."""
        return self.query_one("#table", FarmTable)

    @property
    def status_bar(self) -> StatusBar:
        """This screen's status bar."""
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self._bar = self.status_bar
        self.services.add_status_bar(self._bar)
        self.poll = PollLoop(
            self.poll_once,
            interval=self.poll_interval(),
            on_result=self.show_result,
            on_error=self.show_error,
            name=type(self).__name__,
        )
        self.run_worker(self.poll.run(), name=f"poll-{type(self).__name__}", group="poll", exit_on_error=False)
        self.table.empty_message = self.empty_text
        self.table.focus()

    async def _fetch_and_prerender(self) -> Sequence[T]:
        models = await self.fetch()
        await self.table.prerender(models, self.services.clock())
        return models

    def on_unmount(self) -> None:
        bar = getattr(self, "_bar", None)
        if bar is not None:
            self.services.discard_status_bar(bar)
        if self.poll is not None:
            self.poll.stop()

    def on_screen_suspend(self) -> None:
        if self.poll is not None:
            self.poll.pause()

    def on_screen_resume(self) -> None:
        if self.poll is not None and self.poll.paused and self.resumes_poll():
            self.poll.resume()

    def resumes_poll(self) -> bool:
        """Whether the poll starts again when the screen is shown again (by default: always)."""
        return True

    def refresh_now(self) -> None:
        """Poll at once (after an action, or a change of what to fetch)."""
        if self.poll is not None:
            self.poll.poke()

    def _on_result(self, models: Sequence[T]) -> None:
        app = self.services
        now = app.clock()
        try:
            table = self.table
            posted = table.refreshed
            table.set_data(models, now)
            self.status_bar.set_refreshed(now)
            if table.refreshed == posted:  # else its Refreshed message, next, updates the counts
                self._update_counts()
            self.data_arrived(models)
        except Exception as exc:  # a bug on odd data must not end the poll loop (it would stop for good)
            log.exception("%s: could not show the data", type(self).__name__)
            app.connection.failure(exc, self.poll_interval())
            return
        app.connection.success()

    def _on_error(self, error: Exception, retry_in: float) -> None:
        self.services.connection.failure(error, retry_in)

    def connection_changed(self, status: ConnectionStatus) -> None:
        """The app's connection changed: mark what is on screen stale when it is not live."""
        self._set_stale(status.stale)

    def _set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.set_class(stale, "-stale")

    def _update_counts(self) -> None:
        self.status_bar.set_counts(self.counts(self.table))

    def on_farm_table_refreshed(self, event: FarmTable.Refreshed) -> None:
        event.stop()
        self.table_refreshed(event.table)

    # --- filter, sort, marks, copy, back --------------------------------------------------------

    def action_start_filter(self) -> None:
        filter_input = self.query_one("#filter", FilterInput)
        filter_input.display = True
        # Focus now, not after a refresh: keys typed right after `/` (a paste, tmux send-keys) must land
        # in the filter, not on the table's bindings.
        self.set_focus(filter_input)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            event.stop()
            self.set_filter_text(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.stop()
            table = self.table
            if not event.value.strip():
                self.clear_filter()
                return
            self.set_focus(table)
            if table.row_count:
                table.move_cursor(row=0)

    def clear_filter(self) -> None:
        """Drop the filter and go back to the table."""
        filter_input = self.query_one("#filter", FilterInput)
        filter_input.value = ""
        filter_input.display = False
        table = self.table
        self.set_filter_text("")
        self.set_focus(table)

    def action_cycle_sort(self) -> None:
        self.table.cycle_sort()
        self.sort_cycled()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()

    def action_toggle_mark(self) -> None:
        self.focused_table().toggle_mark()

    def action_mark_all(self) -> None:
        """`a`: mark every visible row, or unmark them all when they already are (for the screens that
        bind it; `escape` clears the marks too)."""
        self.table.mark_all()

    def action_copy_name(self) -> None:
        model = self.table.cursor_model
        if model is None:
            return
        name = safe(self.name_of(model))
        self.app.copy_to_clipboard(name)
        self.notify(f"copied {name}", markup=False, timeout=3)

    def action_back(self) -> None:
        if self.table.filter_text or self.query_one("#filter", FilterInput).display:
            self.clear_filter()
        elif self.table.marked:
            self.table.clear_marks()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def selected(self) -> list[T]:
        """Marked rows, or the cursor row."""
        return self.table.selected_models()

    def help_actions(self) -> Sequence[ActionSpec]:
        """What `?` lists for this screen."""
        return self.ACTIONS

    def extra_counts(self) -> dict[str, Any]:
        """Extra figures for tests and benches."""
        return {}
