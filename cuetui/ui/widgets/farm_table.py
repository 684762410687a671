"""FarmTable: the one table engine of cuetui: farm models by row key, drawn with Textual's line API.

Every table of the app is one of these (jobs, hosts, shows, layers, triage, stuck, procs). The screen
hands it the models of a poll (`set_data`); the table keeps them by row key (the model's id), renders
only the rows whose model changed (its `Column` plan turns a model into cells), and keeps the shown rows
in sort order incrementally: a changed row whose sort value or filter match changed is taken out and
put back where it belongs by bisection, the others stay put. Nothing is ever cleared and rebuilt on a
poll. The widget is a `ScrollView` that draws only the lines in view (`render_line`), each row's line
rendered once into a `Strip` and kept until that row, the width or the theme changes (the cells and
lines of the rows last drawn only, a few screenfuls: the filter searches one plain str a row); a poll
in which a few rows changed repaints only those lines. The cursor follows its row key across updates,
filters and re-sorts.

Columns carry a priority: when the terminal is narrow the highest-numbered ones are dropped first.
A `compact` table separates columns by one blank cell instead of two (many narrow columns then fit),
and `pinned` rows stay first whatever the sort (a "whole job" summary row). The look (header, cursor,
hover, the blank cell of padding each side of a cell) is the one of Textual's DataTable, which these
tables used to be, so screenshots stay the same.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ScreenStackError
from textual.binding import Binding, BindingType
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cuetui.farm.output import cut, cut_middle
from cuetui.ui.widgets.states import STATE_CLASSES, STATES, component_style, state_style
from cuetui.ui.widgets.table_cells import cell_segments

T = TypeVar("T")

MARK_COLUMN = "_mark"
CELL_PADDING = 1  # blanks on each side of a cell (none in a compact table, which has one before it)
HEADER_HEIGHT = 1
# The text the filter searches (one plain str a row) is made ahead for the rows that have none yet,
# WARM_CHUNK rows at a time, for at most WARM_BUDGET seconds (one callback well within a frame),
# WARM_DELAY seconds apart, while the table's screen is the one shown.
WARM_CHUNK = 100
WARM_BUDGET = 0.004
WARM_DELAY = 0.02
# Drawing the changed rows in view ahead of a poll's update: models looked at, and milliseconds spent
# drawing, between two turns of the event loop.
PREDRAW_SCAN = 5000
PREDRAW_BUDGET = 0.004
# Rendered cells and drawn lines are kept for the rows last drawn only: CACHE_SCREENS screenfuls of
# rows (at least CACHE_MIN rows). A rich Text cell is ~300 B and tracked by the garbage collector, whose
# full collections walk every one: 20 000 rows' worth were ~88 MB and 366 ms a collection.
CACHE_SCREENS = 4
CACHE_MIN = 100


class CellContext:
    """What a cell renderer may use besides its model: the display clock and the table's styles
    (component classes from the .tcss, so colours come from the theme, never from Python)."""

    def __init__(self, table: FarmTable[Any], now: float) -> None:
        self.table = table
        self.now = now
        self._styles: dict[str, Style] = {}

    def style(self, name: str) -> Style:
        """The rich Style of component class `farm-table--<name>`."""
        style = self._styles.get(name)
        if style is None:
            style = self.table.cell_style(name)
            self._styles[name] = style
            self.table.used_styles.setdefault(name, style)
        return style

    def text(self, value: str, style: str = "", *, justify: str = "left") -> Text:
        """A cell of plain (never markup) text, optionally styled by a component class name."""
        return Text(
            value,
            style=self.style(style) if style else "",
            justify=justify,  # type: ignore[arg-type]
            overflow="ellipsis",
            end="",
            no_wrap=True,
        )


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: `cell(model, ctx)` renders it, `sort(model)` orders by it. `width` is fixed (the
    minimum when `flex`, which takes the space left, up to `max_width`). `priority` 0 is always shown;
    higher numbers are dropped first when the terminal is narrow. `live` cells depend on the clock."""

    key: str
    label: str
    cell: Callable[[T, CellContext], Text]
    sort: Callable[[T], Any]
    width: int
    priority: int = 0
    flex: bool = False
    max_width: int = 0
    live: bool = False
    reverse_first: bool = False  # numbers read best largest-first on the first sort
    # A flex column is given at least this many cells (when set) before columns of a higher priority
    # number are kept: a job name worth reading beats a column that repeats part of it.
    want: int = 0
    # Too long for the column: cut in the middle (job names: the end tells them apart), not at the end.
    cut_middle: bool = False
    # Numbers: right-aligned, the header label too (in a table that draws its labels so: the frames').
    right: bool = False


class PlannedColumn(Protocol):
    """What the column plan reads of a column (the engine's `Column`, the frames table's)."""

    @property
    def width(self) -> int: ...
    @property
    def priority(self) -> int: ...
    @property
    def flex(self) -> bool: ...
    @property
    def want(self) -> int: ...
    @property
    def max_width(self) -> int: ...


C = TypeVar("C", bound=PlannedColumn)


def plan_columns(columns: Sequence[C], room: int, gap: int) -> list[tuple[C, int]]:
    """The columns that fit in `room` cells, each with its width (`gap` cells besides each): the highest
    priority numbers are dropped first (priority 0 never); the room left goes first to flex columns short
    of what they `want`, then evenly to every flex column, up to its `max_width` (0: no limit)."""
    kept = list(columns)

    def need(cols: list[C]) -> int:
        return sum(c.width + gap for c in cols)

    def need_wanted(cols: list[C]) -> int:
        return sum(max(c.width, c.want if c.flex else 0) + gap for c in cols)

    while need_wanted(kept) > room and any(c.priority for c in kept):
        worst = max(kept, key=lambda c: (c.priority, kept.index(c)))
        kept.remove(worst)
    spare = max(0, room - need(kept))
    flex = [c for c in kept if c.flex]
    given = [0] * len(kept)
    for i, c in enumerate(kept):
        if c.flex:
            step = min(spare, max(0, c.want - c.width))
            given[i] += step
            spare -= step
    planned = []
    for i, c in enumerate(kept):
        w = c.width
        if c.flex:
            w = min(c.max_width or 10_000, w + given[i] + spare // len(flex))
        planned.append((c, w))
    return planned


def _cut_middle(cell: Text, width: int) -> Text:
    """`cell` cut in the middle to `width` cells when longer (its spans kept where they still fit)."""
    if cell.cell_len <= width:
        return cell
    cut = cell.copy()
    cut.plain = cut_middle(cell.plain, width)
    return cut


def _gapped(cell: Text) -> Text:
    """A compact table's cell: one blank before it, so neighbouring columns never touch."""
    cell = cell.copy()
    cell.pad_left(1)
    return cell


class ColumnName(str):
    """A shown column's key: a str (so `columns["name"]` finds it) with `.value`, the key itself."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return str(self)


@dataclass
class HeaderColumn:
    """A shown column: its key, its header label and its width without padding."""

    key: ColumnName
    label: Text
    width: int

    def get_render_width(self, table: FarmTable[Any]) -> int:
        """The cells the column takes on screen, padding included."""
        return self.width + 2 * table.cell_padding


@dataclass(frozen=True)
class _Predrawn(Generic[T]):
    """A changed row drawn ahead of its update: for `model`, marked or not."""

    model: T
    cells: tuple[Text, ...]
    haystack: str
    line: Strip
    marked: bool


@dataclass
class _Layout:
    keys: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()


class FarmTable(ScrollView, Generic[T], can_focus=True):
    """A live table of farm models keyed by id (see the module docstring)."""

    # Each drawn row's cells are rendered once and kept (in a cache of the rows last drawn) until its
    # model changes; the text the filter searches is kept for every row, as one plain str. A table
    # that draws its lines straight from the models (`render_line` of its own, for 200 000 rows) sets
    # this False: then nothing is kept per row but its key and model.
    KEEPS_CELLS: ClassVar[bool] = True

    DEFAULT_CSS = """
    FarmTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .farm-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .farm-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .farm-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .farm-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .farm-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .farm-table--header-hover {
            background: $accent 30%;
        }
        & > .farm-table--hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *STATE_CLASSES,
        "farm-table--header",
        "farm-table--cursor",
        "farm-table--hover",
        "farm-table--header-hover",
        "farm-table--dim",
        "farm-table--warn",
        "farm-table--mark",
        "farm-table--down",
        "farm-table--locked",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    class Refreshed(Message):
        """The rows shown changed (counts for a status line)."""

        def __init__(self, table: FarmTable[Any]) -> None:
            super().__init__()
            self.table = table

    class _RowMessage(Message):
        """A row of the table, by its index in the rows shown and its key."""

        def __init__(self, table: FarmTable[Any], cursor_row: int, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.key = key

        @property
        def control(self) -> FarmTable[Any]:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the cursor row."""

    def __init__(
        self,
        columns: Sequence[Column[T]],
        key_of: Callable[[T], str],
        *,
        sort_column: str = "",
        sort_reverse: bool = False,
        compact: bool = False,
        pinned: Sequence[str] = (),
        tie: Callable[[str], Any] | None = None,
        match: Callable[[T, str], bool] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.all_columns = list(columns)
        self._columns_by_key = {c.key: c for c in self.all_columns}
        # Rows whose sort values are equal keep the order `tie(key)` gives (also when the sort is
        # reversed), and with no sort column the rows are kept in that order, so a changed row is found
        # by bisection instead of a scan. The models must be handed in that order (a job's frames in
        # frame order). None: ties go by row key, and a reversed sort reads backwards.
        self.tie = tie
        # What the filter text is matched against: `match(model, text)`, or (None) the text of the
        # row's cells, which then is made for every row (ahead, while idle) and kept as one str.
        self.match = match
        # Rows the screen wants shown besides the filter text (`set_where`); None: every row.
        self.where: Callable[[T], bool] | None = None
        self.key_of = key_of
        self.compact = compact
        self.cell_padding = 0 if compact else CELL_PADDING
        self.pinned = tuple(pinned)
        # A key that names no column keeps the models' own order until the user sorts.
        self.sort_column = sort_column or self.all_columns[0].key
        self.sort_reverse = sort_reverse
        self.filter_text = ""
        self.marked: set[str] = set()
        self.now = 0.0
        self._models: dict[str, T] = {}
        # The cells of the rows last drawn, least recently used first (at most `_cache_rows()`), and
        # the text the filter searches in each row's cells (every row, once made).
        self._rendered: OrderedDict[str, tuple[Text, ...]] = OrderedDict()
        self._haystack: dict[str, str] = {}
        # The rows shown: the pinned ones first (`_top`), then `_order`, ascending by `_order_key`
        # (read backwards when the sort is reversed); `_shown` is both as a set, or None when nothing
        # filters the rows (every row is shown, and 200 000 rows need no set of their keys).
        self._top: list[str] = []
        self._order: list[str] = []
        self._shown: set[str] | None = set()
        self._sort_value: dict[str, Any] = {}
        self._text_order = False  # the sort values did not compare (odd gateway data): ordered as text
        self._cursor = 0
        # Repaints the table asked for (a line, or the whole view after rows moved): a poll in which
        # nothing changed must add none.
        self.repaints = 0
        self.refreshed = 0  # Refreshed messages posted (a screen then counts its rows once, on it)
        self._hover = -2
        self._show_hover = False
        # Each row's line as drawn (not under the cursor or the mouse), kept until the row, the width,
        # the horizontal scroll or the widget's style changes, for the rows last drawn (as `_rendered`).
        self._lines: OrderedDict[str, Strip] = OrderedDict()
        self._lines_for: tuple[Style, int, int] | None = None
        self._header_line: Strip | None = None
        self._layout = _Layout()
        self._visible: list[Column[T]] = []
        self._header_columns: list[HeaderColumn] = []
        self._live_bucket: int | None = None
        self._marked_cell: Text | None = None
        # Rows whose model changed since their cells and search text were made (or that have none yet):
        # rendered when drawn, searched or read, their search text made ahead while idle.
        self._dirty: set[str] = set()
        self._warming = False
        self._warm_waits = False  # the warm-up waits for the table's screen to be shown again
        self._cell_ctx: CellContext | None = None
        self._prerendered: dict[str, T] = {}  # rows rendered ahead by prerender(), by key
        # Changed rows in view drawn ahead by prerender() (cells, search text and line), by key, put in
        # place by the next set_data when still true then: the poll's repaint is then copying lines.
        self._predrawn: dict[str, _Predrawn[T]] = {}
        self._predrawn_state: tuple[Any, ...] = ()
        self._unmarked_cell = Text(" ", end="")
        self._loaded = False
        # Says why no row is shown ("no jobs for jdoe", "no hosts match …"): drawn where the first row
        # would be, so an empty table is never just empty. The screen that owns the table sets it.
        self.empty_message: Callable[[], str] = lambda: "" if self._loaded else "loading…"
        self._empty_shown = ""
        # The component styles the cells were rendered with: when one of them changes (a new theme), every
        # row is rendered again.
        self.used_styles: dict[str, Style] = {}
        self._style_generation = 0
        self._restyle_pending = False
        # Rows whose clock-dependent cells still show the previous minute: on a new minute only the
        # rows on screen (and a screenful either side) are redrawn at once, the others when they are
        # scrolled into view, so the once-a-minute redraw of 5 000 rows is not one long stall.
        self._live_stale: set[str] = set()

    # --- public API -----------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once data has been set at least once."""
        return self._loaded

    @property
    def total_count(self) -> int:
        """Rows before the filter."""
        return len(self._models)

    @property
    def shown_count(self) -> int:
        """Rows after the filter."""
        return self.row_count

    @property
    def row_count(self) -> int:
        """Rows shown."""
        return len(self._top) + len(self._order)

    @property
    def cursor_row(self) -> int:
        """The index of the cursor row in display order."""
        return self._cursor

    @property
    def visible_columns(self) -> list[str]:
        """Keys of the columns shown at the current width."""
        return [c.key for c in self._visible]

    @property
    def ordered_columns(self) -> list[HeaderColumn]:
        """The columns drawn, left to right (the mark column first)."""
        return list(self._header_columns)

    @property
    def columns(self) -> dict[ColumnName, HeaderColumn]:
        """The columns drawn, by key."""
        return {c.key: c for c in self._header_columns}

    def models(self) -> list[T]:
        """Every model of the last update, filtered out or not."""
        return list(self._models.values())

    def shown_keys(self) -> list[str]:
        """Row keys in display order."""
        rest = reversed(self._order) if self._reads_back() else self._order
        return [*self._top, *rest]

    def model(self, key: str) -> T | None:
        """The model of row `key`, if present."""
        return self._models.get(key)

    def get_row(self, key: str) -> list[Text]:
        """The cells of row `key` as drawn, the mark first."""
        return [self._mark_cell(key), *self._cells(key)]

    def get_cell(self, key: str, column: str) -> Text:
        """The cell of row `key` in column `column` as drawn."""
        return self._cells(key)[self.visible_columns.index(column)]

    def is_valid_row_index(self, index: int) -> bool:
        """True when `index` is a row shown."""
        return 0 <= index < self.row_count

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor."""
        return self._key_at(self._cursor)

    @property
    def cursor_model(self) -> T | None:
        """The model of the row under the cursor."""
        key = self.cursor_key
        return None if key is None else self._models.get(key)

    def selected_models(self) -> list[T]:
        """The marked rows still shown, in display order, or else the cursor row."""
        if any(self._is_shown(k) for k in self.marked):
            return [self._models[k] for k in self.shown_keys() if k in self.marked]
        model = self.cursor_model
        return [] if model is None else [model]

    def move_to_key(self, key: str) -> bool:
        """Put the cursor on row `key` if it is shown."""
        index = self._index_of(key)
        if index is None:
            return False
        self.move_cursor(row=index)
        return True

    def move_cursor(self, *, row: int | None = None, animate: bool = False, scroll: bool = True) -> None:
        """Put the cursor on row index `row` (clamped to the rows shown)."""
        if row is None:
            return
        count = self.row_count
        row = max(0, min(row, count - 1))
        old = self._cursor
        if row != old:
            self._cursor = row
            self._refresh_row(old)
            self._refresh_row(row)
            if count:
                self.post_message(self.RowHighlighted(self, row, self._key_at(row)))
        if scroll:
            self._scroll_to_row(row)

    async def prerender(self, models: Sequence[T], now: float, *, chunk: int = 100) -> None:
        """Draw the changed rows in view ahead (`_predraw`), and while a filter is on, render the changed
        rows `set_data` will have to search, yielding to the event loop every `chunk` rows. Without a
        filter the other rows are rendered when they are drawn. Optional; small snapshots go straight
        to `set_data`."""
        if self.KEEPS_CELLS:
            await self._predraw(models, now)
        if not self._visible or not self.filter_text or len(models) < 2 * chunk or not self._searches_cells():
            return
        ctx = CellContext(self, now)
        old = self._models
        done = 0
        generation = self._style_generation
        deadline = time.perf_counter() + PREDRAW_BUDGET
        for model in models:
            key = self.key_of(model)
            before = old.get(key)
            if before is None or (before is not model and before != model):
                self._render_row(key, model, ctx, keep=key in self._rendered)
                self._prerendered[key] = model
                done += 1
                # (every `chunk` rows, or sooner: 100 job rows are 30 ms)
                if done % chunk == 0 or time.perf_counter() > deadline:
                    await asyncio.sleep(0)
                    deadline = time.perf_counter() + PREDRAW_BUDGET
                    if generation != self._style_generation:
                        return  # restyled meanwhile: these rows have the old colours; set_data renders them
        if done:
            await asyncio.sleep(0)  # set_data next, in a callback of its own

    def _predraw_state(self) -> tuple[Any, ...]:
        """What a line drawn ahead depends on besides its row: layout, styles, width, scroll."""
        return (self._layout, self._style_generation, self.rich_style, self.size.width, int(self.scroll_x))

    async def _predraw(self, models: Sequence[T], now: float) -> None:
        """Render and draw the changed rows in view ahead of `set_data`, a few milliseconds at a time,
        without touching what is shown (their cells and lines are set aside, not put in place): a poll
        whose changed rows fill the view then repaints them all at once by copying lines instead of
        drawing a screenful in one callback (~1 ms a row), and never shows half of it."""
        self._predrawn = {}
        if not self._loaded or not self._layout.keys or not self.row_count:
            return
        top, bottom = self._view_rows()
        in_view = {k for k in map(self._key_at, range(top, min(bottom, self.row_count))) if k is not None}
        old = self._models
        found: list[tuple[str, T]] = []
        for n, model in enumerate(models, 1):
            if n % PREDRAW_SCAN == 0:
                await asyncio.sleep(0)
            key = self.key_of(model)
            if key in in_view:
                before = old.get(key)
                if before is not None and before is not model and before != model:
                    found.append((key, model))
        if not found:
            return
        await asyncio.sleep(0)  # (the scan's last slice and the drawing: two callbacks, not one)
        state = self._predraw_state()
        ctx = CellContext(self, now)
        predrawn: dict[str, _Predrawn[T]] = {}
        deadline = time.perf_counter() + PREDRAW_BUDGET
        for key, model in found:
            if time.perf_counter() > deadline:
                await asyncio.sleep(0)
                if self._predraw_state() != state:
                    return  # resized, scrolled sideways or restyled meanwhile: set_data draws them
                deadline = time.perf_counter() + PREDRAW_BUDGET
            cells, haystack = self._row_cells(model, ctx)
            line = self._draw(key, state[2], state[3], state[4], row_cells=cells)
            predrawn[key] = _Predrawn(model, cells, haystack, line, key in self.marked)
        await asyncio.sleep(0)  # set_data next, in a callback of its own
        if self._predraw_state() == state:
            self._predrawn, self._predrawn_state = predrawn, state

    def _put_predrawn(self, key: str, model: T) -> bool:
        """Put row `key`'s cells and line drawn ahead in place if they are of `model` and still true."""
        pre = self._predrawn.pop(key, None)
        if pre is None or pre.model is not model or pre.marked != (key in self.marked):
            return False
        self._dirty.discard(key)
        self._live_stale.discard(key)
        self._keep_cells(key, pre.cells)
        self._haystack[key] = pre.haystack
        self._keep_line(key, pre.line)
        return True

    def set_data(self, models: Iterable[T], now: float) -> None:
        """A new snapshot: note the rows that changed, then put them in place. A snapshot equal to the
        last one costs one comparison per row and touches nothing on screen; in one in which a few rows
        changed only those are re-sorted (bisected into the kept order), and only those in view are
        rendered again and repainted (the others are rendered when they are drawn)."""
        if now != self.now:
            self.now = now
            self._cell_ctx = None
        new = {self.key_of(m): m for m in models}
        old = self._models
        added: list[str] = []
        changed: list[str] = []
        minute = False
        prerendered, self._prerendered = self._prerendered, {}
        # (a table that keeps no cells has nothing to render again: its lines are drawn from the models)
        dirty = self._dirty if self.KEEPS_CELLS else set()
        if self._predrawn and self._predrawn_state != self._predraw_state():
            self._predrawn = {}
        predrawn = bool(self._predrawn)
        drawn: set[str] = set()  # changed rows whose line was drawn ahead (and is in place)
        for key, model in new.items():
            before = old.get(key)
            if before is None:
                if prerendered.get(key) is not model:
                    dirty.add(key)
                added.append(key)
            elif before is not model and before != model:
                if predrawn and self._put_predrawn(key, model):
                    drawn.add(key)
                elif prerendered.get(key) is not model:
                    dirty.add(key)
                changed.append(key)
        self._predrawn = {}
        if self._visible:
            bucket = int(now // 60)
            if not self._loaded:
                self._live_bucket = bucket
            elif bucket != self._live_bucket:
                # Clock-dependent cells (elapsed, ping age) are shown to the minute: refresh them once a
                # minute, not at every poll, so an idle monitor does not repaint; the rows in view at once,
                # the others when they are drawn, searched or read.
                self._live_bucket = bucket
                if any(c.live for c in self._visible):
                    self._live_stale = set(new)
                    minute = True
        removed = [k for k in old if k not in new] if len(old) + len(added) != len(new) else []
        for key in removed:
            self._live_stale.discard(key)
            self._dirty.discard(key)
            self._rendered.pop(key, None)
            self._haystack.pop(key, None)
            self._lines.pop(key, None)
        if removed:
            self.marked &= new.keys()
        self._models = new
        first = not self._loaded
        self._loaded = True
        if self._layout.keys:
            spec = self._spec()
            if first or (spec is None and (added or removed or list(new) != list(old))):
                self._sync()
            else:
                self._update(added, changed, removed, drawn)
            if minute:
                self._refresh_live_in_view()
        for key in removed:  # after the update, which finds the rows that left by their old sort value
            self._sort_value.pop(key, None)
        self._refresh_empty()
        self._schedule_warm()

    def append_data(self, models: Iterable[T], now: float | None = None) -> None:
        """Rows arriving in pages (a job's 200 000 frames while they load): add `models` to the data
        without handing the whole snapshot again. Only the new rows are placed, each page sorted on its
        own and merged into the kept order (a page that sorts after every row shown is appended), so
        the cost of a page does not grow with the rows already there beyond copying the list. A model
        whose key is already there replaces the old one as in `set_data`."""
        if now is not None and now != self.now:
            self.now = now
            self._cell_ctx = None
        old = self._models
        added: dict[str, None] = {}  # (a key twice in one page is one new row)
        changed: list[str] = []
        dirty = self._dirty if self.KEEPS_CELLS else set()
        for model in models:
            key = self.key_of(model)
            before = old.get(key)
            if before is None or key in added:
                added[key] = None
            elif before is not model and before != model:
                changed.append(key)
            else:
                continue
            dirty.add(key)
            old[key] = model
        first = not self._loaded
        if first:
            self._loaded = True
            self._live_bucket = int(self.now // 60)
        if not self._layout.keys or not (added or changed):
            if first:
                self._refresh_empty()
            return
        if first:
            self._sync()
        else:
            if changed:
                self._update([], changed, [])
            if added:
                self._append_rows(list(added))
        self._refresh_empty()
        self._schedule_warm()

    def _append_rows(self, keys: list[str]) -> None:
        """Place the new rows `keys` (in `_models` already) among the rows shown."""
        spec = self._spec()
        if self._filtering():
            keys = [k for k in keys if self._passes(k)]
        if not keys:
            self._post_refreshed()
            return
        cursor_key, cursor_row = self.cursor_key, self._cursor
        before = self.row_count
        pinned = [k for k in keys if k in self.pinned]
        rest = [k for k in keys if k not in self.pinned] if pinned else keys
        for key in pinned:
            self._put_in(key)
        if self._shown is not None:
            self._shown.update(rest)
        order = self._order
        at_end = True
        where: list[int] = []
        if spec is not None:
            sort = spec.sort
            models = self._models
            values = self._sort_value
            for key in rest:
                values[key] = sort(models[key])
            try:
                rest.sort(key=self._order_key)
                at_end = not order or not rest or self._order_key(order[-1]) <= self._order_key(rest[0])
                if not at_end:
                    # Where each row of the page goes (the page is sorted: the places only grow), then
                    # the new order built from slices of the old one.
                    where = [bisect_left(order, self._order_key(k), key=self._order_key) for k in rest]
            except TypeError:  # sort values of mixed types (an odd gateway): one sort, which copes
                self._sync((cursor_key, cursor_row))
                return
        if at_end:
            order.extend(rest)
        else:
            merged: list[str] = []
            start = 0
            for place, key in zip(where, rest, strict=True):
                merged.extend(order[start:place])
                merged.append(key)
                start = place
            merged.extend(order[start:])
            self._order = merged
        reads_back = self._reads_back()
        if pinned or reads_back or not at_end or cursor_row >= before:
            self._after_reorder(cursor_key, cursor_row)  # rows came before the cursor or the view
            return
        # Appended after every row shown: the rows above stay where they are, only the end grows.
        self._update_virtual_size()
        if before < self._view_rows()[1]:
            self.repaints += 1
            self.refresh()
        self._post_refreshed()

    def _schedule_warm(self) -> None:
        """Make the search text of the rows that have none (or an old one) a few rows at a time while
        the app is idle, so that the first key of a filter (which searches every row's text) finds it
        ready. Only the text is kept, not the cells (those are kept for the rows drawn), and only while
        the table's screen is shown: a jobs table under a job screen leaves the CPU to that screen."""
        if self._dirty and not self._warming and self.is_attached and self._searches_cells():
            self._warming = True
            self.set_timer(WARM_DELAY, self._warm)

    def _warm(self) -> None:
        self._warming = False
        if not self.is_attached:
            return
        if not self._screen_shown():
            if not self._warm_waits:
                self._warm_waits = True
                self.app.screen_change_signal.subscribe(self, self._screen_changed)
            return
        dirty = self._dirty
        models = self._models
        rendered = self._rendered
        deadline = time.perf_counter() + WARM_BUDGET
        for _ in range(min(WARM_CHUNK, len(dirty))):
            # (set.pop is O(1): next(iter(set)) walks past every slot emptied before it, 0.3 ms at 20 000)
            key = dirty.pop()
            model = models.get(key)
            if model is not None:
                self._render_row(key, model, self._context_now(), keep=key in rendered)
            if time.perf_counter() > deadline:
                break
        self._schedule_warm()

    def _screen_changed(self, screen: Any) -> None:
        """Another screen is shown: the warm-up goes on if it is this table's."""
        if self._warm_waits and self.is_attached and self._screen_shown():
            self._stop_waiting()
            self._schedule_warm()

    def _screen_shown(self) -> bool:
        """True when the table's screen is the app's top screen (`Screen.is_current` is also true of
        the screen under it)."""
        try:
            return self.app.screen is self.screen
        except (ScreenStackError, NoScreen):  # (the app or the table is going away)
            return False

    def _stop_waiting(self) -> None:
        if self._warm_waits:
            self._warm_waits = False
            self.app.screen_change_signal.unsubscribe(self)

    def on_unmount(self) -> None:
        self._stop_waiting()

    def _update(self, added: list[str], changed: list[str], removed: list[str], drawn: set[str] | None = None) -> None:
        """Apply a poll's changes to the shown rows: rows that leave, enter or move are taken out and
        bisected back in; rows that stay in place and are in view are rendered and repainted."""
        if len(added) + len(changed) + len(removed) > 64 + len(self._order) // 8:
            self._sync()  # most rows changed: one sort is quicker than as many bisections
            return
        spec = self._spec()
        filtering = self._filtering()
        cursor_key, cursor_row = self.cursor_key, self._cursor
        moved = False
        in_place: list[str] = []
        try:
            for key in removed:
                if self._shown is None or key in self._shown:  # (None: every row was shown)
                    self._take_out(key)
                    moved = True
            for key in changed:
                if drawn is None or key not in drawn:
                    self._lines.pop(key, None)
                match = not filtering or self._passes(key)
                value = spec.sort(self._models[key]) if spec is not None else None
                shown = self._is_shown(key)
                if shown and (not match or (spec is not None and value != self._sort_value.get(key))):
                    self._take_out(key)
                    shown = False
                    moved = True
                if spec is not None:
                    self._sort_value[key] = value
                if match and not shown:
                    self._put_in(key)
                    moved = True
                elif match:
                    in_place.append(key)
            for key in added:
                if spec is not None:
                    self._sort_value[key] = spec.sort(self._models[key])
                if not filtering or self._passes(key):
                    self._put_in(key)
                    moved = True
        except TypeError:  # sort values of mixed types (an odd gateway): one sort, which copes
            self._sync()
            return
        if moved:
            self._after_reorder(cursor_key, cursor_row)
            return
        repainted = False
        top, bottom = self._view_rows()
        for key in in_place:
            index = self._index_of(key)
            if index is None or not top <= index < bottom:
                continue  # out of view: rendered when drawn
            if not self.KEEPS_CELLS:  # drawn from the model: a changed model is a changed line
                self._refresh_row(index)
                repainted = True
                continue
            before = self._rendered.get(key)
            # (a row rendered ahead by prerender() is no longer dirty: its old cells are gone, repaint it)
            if key not in self._dirty or before is None or self._cells(key) != before:
                self._refresh_row(index)
                repainted = True
        if repainted:
            self._post_refreshed()

    def _view_rows(self) -> tuple[int, int]:
        """The display indexes of the rows in view: first, and one past the last."""
        top = int(self.scroll_y)
        return top, top + max(0, self.size.height - HEADER_HEIGHT)

    def _refresh_live_in_view(self) -> None:
        """The minute changed: render the clock-dependent cells of the rows in view, repaint those
        that changed."""
        top, bottom = self._view_rows()
        keys = [k for k in (self._key_at(i) for i in range(top, min(bottom, self.row_count))) if k is not None]
        changed = self._rerender_live([k for k in keys if k in self._live_stale])
        for key in changed:
            self._lines.pop(key, None)
            index = self._index_of(key)
            if index is not None:
                self._refresh_row(index)
        if changed:
            self._post_refreshed()

    def _context_now(self) -> CellContext:
        """The cell context for rendering now (its styles looked up once per clock reading)."""
        if self._cell_ctx is None or self._cell_ctx.now != self.now:
            self._cell_ctx = self._cell_context()
        return self._cell_ctx

    def _cells(self, key: str) -> tuple[Text, ...]:
        """Row `key`'s cells, rendered now when its model changed since they were (or they were let go)."""
        rendered = self._rendered
        cells = rendered.get(key)
        if cells is None or key in self._dirty:
            return self._render_row(key, self._models[key], self._context_now(), keep=True)
        rendered.move_to_end(key)
        return cells

    def _keep_cells(self, key: str, cells: tuple[Text, ...]) -> None:
        rendered = self._rendered
        rendered[key] = cells
        rendered.move_to_end(key)
        if len(rendered) > self._cache_rows():
            rendered.popitem(last=False)

    def _drawn_cells(self, key: str) -> tuple[Text, ...]:
        """Row `key`'s cells as they must be drawn now: rendered, the clock's cells of this minute."""
        self._cells(key)
        if key in self._live_stale:
            self._rerender_live([key])
        return self._rendered[key]

    def _haystack_of(self, key: str) -> str:
        """What the filter searches in row `key` (of its cells as they are now, the clock's too); its
        cells are kept only when they already were (a row drawn lately)."""
        haystack = self._haystack.get(key)
        if haystack is None or key in self._dirty:
            self._render_row(key, self._models[key], self._context_now(), keep=key in self._rendered)
        elif key in self._live_stale:
            self._rerender_live([key], cells=False)
        return self._haystack[key]

    def set_filter(self, text: str) -> None:
        """Show only rows with `text` (case-insensitive) in any visible column (or as `match` says)."""
        text = text.strip().lower()
        if text != self.filter_text:
            self.filter_text = text
            self._sync()
            self._refresh_empty()

    def set_where(self, where: Callable[[T], bool] | None) -> None:
        """Show only the rows whose model `where` accepts, besides the filter text (None: every row)."""
        if where is None and self.where is None:
            return
        self.where = where
        self._sync()
        self._refresh_empty()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by `column`; `reverse` None toggles when it is already the sort column."""
        spec = self._column(column)
        if spec is None:
            return
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else spec.reverse_first
        self.set_sort(column, reverse)

    def set_sort(self, column: str, reverse: bool) -> None:
        """Sort by `column` in this order; a key that names no column shows the rows in their own order."""
        same_order = column == self.sort_column
        cursor_key, cursor_row = self.cursor_key, self._cursor
        self.sort_column = column
        self.sort_reverse = reverse
        self._relabel()
        if same_order and self._order and (self.tie is None or self._spec() is None):
            self._after_reorder(cursor_key, cursor_row)  # the same rows read the other way
        else:
            self._sync((cursor_key, cursor_row))

    def cycle_sort(self) -> None:
        """Sort by the next visible column."""
        keys = self.visible_columns
        if not keys:
            return
        index = keys.index(self.sort_column) + 1 if self.sort_column in keys else 0
        self.sort_by(keys[index % len(keys)], reverse=self._column(keys[index % len(keys)]).reverse_first)  # type: ignore[union-attr]

    def reverse_sort(self) -> None:
        """Flip the sort order."""
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor row, then move down a row."""
        key = self.cursor_key
        if key is None:
            return
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self._lines.pop(key, None)
        self._refresh_row(self._cursor)
        self._post_refreshed()
        if self._cursor + 1 < self.row_count:
            self.move_cursor(row=self._cursor + 1)

    def mark_all(self) -> None:
        """Mark every shown row (unmark them all when they already are)."""
        shown = self._models.keys() if self._shown is None else self._shown
        self.marked = set() if shown <= self.marked else self.marked | shown
        self._lines.clear()
        self.refresh()
        self._post_refreshed()

    def clear_marks(self) -> None:
        """Unmark every row."""
        if self.marked:
            self.marked.clear()
            self._lines.clear()
            self.refresh()
            self._post_refreshed()

    def cell_style(self, name: str) -> Style:
        """The rich Style of a state (`states.tcss`) or of component class `farm-table--<name>`."""
        if name in STATES:
            return state_style(self, name)
        return component_style(self, f"farm-table--{name}")

    def _used_style(self, name: str) -> Style:
        style = self.cell_style(name)
        self.used_styles.setdefault(name, style)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._header_line = None
        # Rows are rendered once into Text with their styles resolved: a new theme (from the config at
        # start-up, or the palette's picker) must render them again, or the old theme's colours stay.
        if not self._restyle_pending:
            self._restyle_pending = True
            self.call_later(self._restyle)

    def _restyle(self) -> None:
        self._restyle_pending = False
        used = list(self.used_styles.items())
        if not any(self.cell_style(name) != style for name, style in used):
            return  # a focus change, a class toggled: the colours drawn are still the ones in force
        self.used_styles.clear()
        self._style_generation += 1
        self._cell_ctx = None
        self._marked_cell = None
        self._layout = _Layout()  # forces a full rebuild: labels and every row, with the new styles
        if self.size.width:
            self._relayout(self.size.width)

    # --- layout -----------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout(event.size.width)
        self._update_virtual_size()

    def on_mount(self) -> None:
        if self.size.width:
            self._relayout(self.size.width)

    def _relayout(self, width: int) -> None:
        layout = self._plan(width)
        if layout.keys == self._layout.keys and layout.widths == self._layout.widths:
            return
        had_layout = bool(self._layout.keys)
        self._layout = layout
        by_key = {c.key: c for c in self.all_columns}
        self._visible = [by_key[k] for k in layout.keys]
        cursor = self.cursor_key
        self._relabel()
        self._cell_ctx = None
        self._rendered.clear()
        self._haystack.clear()
        self._prerendered.clear()
        self._predrawn = {}
        self._lines.clear()
        if self.KEEPS_CELLS:
            self._dirty = set(self._models)  # every row rendered again, each when it is first needed
        if had_layout and not self._searches_cells():
            # Neither the filter nor the sort reads the cells: the rows stay as they are (a resize of a
            # 200 000-frame table sorted by a column would otherwise sort them all again).
            self.refresh()
        else:
            self._sync()
        self._schedule_warm()
        if cursor is not None:
            self.move_to_key(cursor)

    def _plan(self, width: int) -> _Layout:
        """Which columns fit in `width` cells, dropping the highest priority numbers first."""
        gap = 2 * self.cell_padding + (1 if self.compact else 0)  # compact: a leading blank instead
        room = max(10, width - 2 - (1 + 2 * self.cell_padding))  # a scrollbar's worth, and the mark column
        planned = plan_columns(self.all_columns, room, gap)
        return _Layout(tuple(c.key for c, _w in planned), tuple(w for _c, w in planned))

    def _label(self, column: Column[T]) -> Text:
        text = column.label
        arrow = ""
        if column.key == self.sort_column:
            arrow = " ▼" if self.sort_reverse else " ▲"
            room = dict(zip(self._layout.keys, self._layout.widths, strict=True)).get(column.key, 0)
            if room and cell_len(text) + 2 > room:
                # A narrow column (`Run`, `Pri`) would cut the arrow off: drop the space, then shorten
                # the label, so the sorted column always shows it.
                arrow = arrow.strip()
                if cell_len(text) + 1 > room:
                    text = set_cell_size(text, max(0, room - 1))
        label = Text((" " if self.compact else "") + text, end="", no_wrap=True)
        if arrow:
            label.append(arrow, style=self._used_style("dim"))
        return label

    def _relabel(self) -> None:
        gap = 1 if self.compact else 0
        header = [HeaderColumn(ColumnName(MARK_COLUMN), Text(" "), 1)]
        for column, width in zip(self._visible, self._layout.widths, strict=True):
            header.append(HeaderColumn(ColumnName(column.key), self._label(column), width + gap))
        self._header_columns = header
        self._header_line = None
        self._lines.clear()
        self._update_virtual_size()
        self.refresh()

    def _table_width(self) -> int:
        return sum(c.width + 2 * self.cell_padding for c in self._header_columns)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._table_width(), HEADER_HEIGHT + self.row_count)

    # --- rendering cells ----------------------------------------------------------------------------

    def _spec(self) -> Column[T] | None:
        return self._column(self.sort_column)

    def _column(self, key: str) -> Column[T] | None:
        return self._columns_by_key.get(key)

    def _cell_context(self) -> CellContext:
        return CellContext(self, self.now)

    def _render_row(self, key: str, model: T, ctx: CellContext, *, keep: bool) -> tuple[Text, ...]:
        """Render row `key`'s cells and search text; the cells are kept (in the cache of the rows
        drawn) when `keep`, else let go with any older ones."""
        self._live_stale.discard(key)
        self._dirty.discard(key)
        cells, self._haystack[key] = self._row_cells(model, ctx)
        if keep:
            self._keep_cells(key, cells)
        else:
            self._rendered.pop(key, None)
        return cells

    def _row_cells(self, model: T, ctx: CellContext) -> tuple[tuple[Text, ...], str]:
        """`model`'s cells, and the text the filter searches in them."""
        pairs = [self._cell(i, model, ctx) for i in range(len(self._visible))]
        cells = tuple(_gapped(cell) if self.compact else cell for _full, cell in pairs)
        # The filter searches the whole text, also of a cell shown cut in the middle.
        return cells, "\x00".join((" " if self.compact else "") + full for full, _cell in pairs).lower()

    def _cell(self, index: int, model: T, ctx: CellContext) -> tuple[str, Text]:
        """Column `index`'s cell for `model`: its whole plain text, and the Text to show."""
        column = self._visible[index]
        cell = column.cell(model, ctx)
        full = cell.plain
        if column.cut_middle and index < len(self._layout.widths):
            cell = _cut_middle(cell, self._layout.widths[index])
        return full, cell

    def _mark_cell(self, key: str) -> Text:
        # The same two objects every time: comparing unchanged rows is then an identity check.
        if key in self.marked:
            if self._marked_cell is None:
                self._marked_cell = Text("●", style=self._used_style("mark"), end="")
            return self._marked_cell
        return self._unmarked_cell

    # --- the minute's redraw ---------------------------------------------------------------------

    def _rerender_live(self, keys: Iterable[str], *, cells: bool = True) -> list[str]:
        """Render the clock-dependent cells of rows `keys` again; the keys whose cells changed. A row
        whose cells are not kept is rendered and kept, or (not `cells`) only its search text made anew."""
        live = [i for i, c in enumerate(self._visible) if c.live]
        stale = self._live_stale
        if not live:
            stale.clear()
            return []
        changed = []
        ctx = self._context_now()
        for key in keys:
            if key not in stale:
                continue
            stale.discard(key)
            model = self._models.get(key)
            if model is None:
                continue
            kept = self._rendered.get(key)
            haystack = self._haystack.get(key)
            if key in self._dirty or haystack is None or (kept is None and cells):
                if cells:
                    if self._cells(key) != kept:
                        changed.append(key)
                else:
                    self._render_row(key, model, ctx, keep=kept is not None)
                continue
            words = haystack.split("\x00")
            updated = None if kept is None else list(kept)
            for i in live:
                full, cell = self._cell(i, model, ctx)
                if updated is not None:
                    updated[i] = _gapped(cell) if self.compact else cell
                if i < len(words):
                    words[i] = ((" " if self.compact else "") + full).lower()
            self._haystack[key] = "\x00".join(words)
            if kept is not None and updated is not None and updated != list(kept):
                self._rendered[key] = tuple(updated)
                changed.append(key)
        return changed

    # --- the order of the rows shown --------------------------------------------------------------

    def _order_key(self, key: str) -> tuple[Any, ...]:
        tie = self.tie
        if tie is None:
            value = self._sort_value[key]
            return (str(value), key) if self._text_order else (value, key)
        if self._spec() is None:
            return (tie(key), key)
        value = self._sort_value[key]
        if self._text_order:
            value = str(value)
        # (kept in display order, so equal values keep the tie's order both ways)
        return (_Descending(value) if self.sort_reverse else value, tie(key), key)

    def _reads_back(self) -> bool:
        """True when `_order` is read from its end (a reversed sort whose ties go by row key)."""
        return self.sort_reverse and self.tie is None and self._spec() is not None

    def _key_at(self, index: int) -> str | None:
        """The key of the row shown at `index`, if any."""
        top = self._top
        if index < 0:
            return None
        if index < len(top):
            return top[index]
        j = index - len(top)
        order = self._order
        if j >= len(order):
            return None
        if self._reads_back():
            return order[len(order) - 1 - j]
        return order[j]

    def _find(self, key: str) -> int:
        """Where `key` is in `_order` (which it is in)."""
        order = self._order
        if self._spec() is not None or self.tie is not None:
            j = bisect_left(order, self._order_key(key), key=self._order_key)
            if j < len(order) and order[j] == key:
                return j
        return order.index(key)

    def _is_shown(self, key: str) -> bool:
        shown = self._shown
        return key in self._models if shown is None else key in shown

    def _index_of(self, key: str) -> int | None:
        """The display index of row `key`, None when it is not shown."""
        if not self._is_shown(key):
            return None
        top = self._top
        if key in top:
            return top.index(key)
        j = self._find(key)
        if self._reads_back():
            j = len(self._order) - 1 - j
        return len(top) + j

    def _take_out(self, key: str) -> None:
        if self._shown is not None:
            self._shown.discard(key)
        if key in self.pinned:
            self._top = [k for k in self.pinned if k != key and self._is_shown(k)]
        else:
            del self._order[self._find(key)]

    def _put_in(self, key: str) -> None:
        if self._shown is not None:
            self._shown.add(key)
        if key in self.pinned:
            self._top = [k for k in self.pinned if k == key or self._is_shown(k)]
        else:
            order = self._order
            order.insert(bisect_left(order, self._order_key(key), key=self._order_key), key)

    def _filtering(self) -> bool:
        """True when some rows may be filtered out (a filter text or a `where`)."""
        return bool(self.filter_text) or self.where is not None

    def _searches_cells(self) -> bool:
        """True when the filter text is searched in the rendered cells (no `match`)."""
        return self.match is None and self.KEEPS_CELLS

    def _passes(self, key: str) -> bool:
        """Whether row `key` passes `where` and the filter text."""
        model = self._models[key]
        where = self.where
        if where is not None and not where(model):
            return False
        needle = self.filter_text
        if not needle:
            return True
        match = self.match
        if match is not None:
            return match(model, needle)
        return needle in self._haystack_of(key)

    def _sync(self, cursor: tuple[str | None, int] | None = None) -> None:
        """Filter and sort every row again (a new filter, sort column or layout); the cursor stays on
        its row (`cursor`: its key and index before the sort order changed, when it did)."""
        if not self._layout.keys:
            return
        cursor_key, cursor_row = cursor if cursor is not None else (self.cursor_key, self._cursor)
        # (with a filter text, every row's text is brought up to date first, then searched)
        if self._filtering():
            where, match, needle = self.where, self.match, self.filter_text
            items = self._models.items()
            if needle and match is None:
                passes = self._passes
                keys = [k for k in self._models if passes(k)]
            elif needle:
                assert match is not None
                keys = [k for k, m in items if (where is None or where(m)) and match(m, needle)]
            else:
                assert where is not None
                keys = [k for k, m in items if where(m)]
            self._shown = set(keys)
        else:
            keys = list(self._models)
            self._shown = None
        pinned = set(self.pinned)
        self._top = [k for k in self.pinned if self._is_shown(k)]
        rest = [k for k in keys if k not in pinned] if pinned else keys
        spec = self._spec()
        self._text_order = False
        if spec is not None:
            sort = spec.sort
            values = self._sort_value = {k: sort(m) for k, m in self._models.items()}
            try:
                if self.tie is not None:
                    # The rows come in the tie's order: a stable sort by value alone keeps it for equal
                    # values, reversed too (and costs no call a row).
                    rest.sort(key=values.__getitem__, reverse=self.sort_reverse)
                else:
                    rest.sort(key=self._order_key)
            except TypeError:  # mixed types from an odd gateway: fall back to text order
                self._text_order = True
                if self.tie is not None:
                    rest.sort(key=lambda k: str(values[k]), reverse=self.sort_reverse)
                else:
                    rest.sort(key=self._order_key)
        else:
            self._sort_value = {}
        self._order = rest
        self._after_reorder(cursor_key, cursor_row)

    def _after_reorder(self, cursor_key: str | None, cursor_row: int) -> None:
        """The rows shown or their order changed: repaint, and keep the cursor on its row."""
        self._update_virtual_size()
        self.repaints += 1
        self.refresh()
        count = self.row_count
        target = self._index_of(cursor_key) if cursor_key is not None else None
        if target is None:
            target = min(cursor_row, count - 1)
        target = max(0, target)
        if count and target != self._cursor:
            self.move_cursor(row=target, scroll=True)
        else:
            self._cursor = max(0, min(self._cursor, count - 1))
        self._post_refreshed()

    # --- drawing ----------------------------------------------------------------------------------

    def _lines_changed(self, keys: Iterable[str]) -> None:
        """Forget the lines of rows `keys` and repaint those in view."""
        for key in keys:
            self._lines.pop(key, None)
            index = self._index_of(key)
            if index is not None:
                self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        """Repaint the line of row `index` if it is in view."""
        y = index - int(self.scroll_y) + HEADER_HEIGHT
        if HEADER_HEIGHT <= y < self.size.height:
            self.repaints += 1
            self.refresh(Region(0, y, self.size.width, 1))

    def _refresh_empty(self) -> None:
        """Repaint the empty line when what it says changed (another filter, `m`, `f`); an idle empty
        table costs nothing."""
        message = "" if self.row_count else self.empty_message()
        if message != self._empty_shown:
            self._empty_shown = message
            self.repaints += 1
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        scroll_x = int(self.scroll_x)
        if self._lines_for != (base, width, scroll_x):
            self._lines_for = (base, width, scroll_x)
            self._lines.clear()
            self._header_line = None
        if y < HEADER_HEIGHT:
            if self._header_line is None:
                self._header_line = self._draw(None, base, width, scroll_x, hover=self._hover == -1)
            return self._header_line
        if not self.row_count and y == HEADER_HEIGHT:
            message = self.empty_message()
            if message:
                style = base + self.cell_style("dim")
                text = " " + cut(message, max(1, width - 2))
                return Strip([Segment(text, style)]).crop_extend(0, width, base)
        row = int(self.scroll_y) + y - HEADER_HEIGHT
        key = self._key_at(row)
        if key is None:
            return Strip.blank(width, base)
        cursor = row == self._cursor
        hover = self._show_hover and row == self._hover
        if cursor or hover:
            return self._draw(key, base, width, scroll_x, cursor=cursor, hover=hover)
        lines = self._lines
        line = lines.get(key)
        if line is None:
            line = self._draw(key, base, width, scroll_x)
            self._keep_line(key, line)
        else:
            lines.move_to_end(key)
        return line

    def _cache_rows(self) -> int:
        """How many rows' cells and lines are kept: a few screenfuls."""
        return max(CACHE_MIN, CACHE_SCREENS * self.size.height)

    def _keep_line(self, key: str, line: Strip) -> None:
        lines = self._lines
        lines[key] = line
        lines.move_to_end(key)
        if len(lines) > self._cache_rows():
            lines.popitem(last=False)

    def _component(self, header: bool, cursor: bool, hover: bool) -> Style:
        """The cursor's and the mouse's styles over a cell (as the DataTable these tables were)."""
        style = Style()
        if hover:
            style += self.get_component_rich_style("farm-table--hover")
            if header:
                style += self.get_component_rich_style("farm-table--header-hover")
        if cursor:
            style += self.get_component_rich_style("farm-table--cursor")
        return style

    def _draw(
        self,
        key: str | None,
        base: Style,
        width: int,
        scroll_x: int,
        *,
        cursor: bool = False,
        hover: bool = False,
        row_cells: Sequence[Text] | None = None,
    ) -> Strip:
        """One line: the header (`key` None) or a row (with `row_cells` when given, else its cells as
        drawn now), cropped to the view."""
        header = key is None
        if header:
            row_style = self.get_component_styles("farm-table--header").rich_style
            cells: Sequence[Text] = [c.label for c in self._header_columns]
        else:
            row_style = base
            drawn = self._drawn_cells(key) if row_cells is None else row_cells  # type: ignore[arg-type]
            cells = [self._mark_cell(key), *drawn]  # type: ignore[arg-type]
        component = self._component(header, cursor, hover)
        post = Style.from_color(color=component.color) + Style.from_color(bgcolor=component.bgcolor)
        console = self.app.console
        padding = self.cell_padding
        segments: list[Segment] = []
        table_width = 0
        for index, (column, cell) in enumerate(zip(self._header_columns, cells, strict=False)):
            render_width = column.width + 2 * padding
            table_width += render_width
            pre = row_style + Style.from_meta({"column": index}) + component
            segments.extend(cell_segments(console, cell, render_width, padding, pre, post))
        extend = row_style + (self._component(header, cursor and not header, hover)) + _OUT_OF_BOUNDS
        segments.append(Segment(" " * max(0, width - table_width), extend))
        return Strip(segments).crop(scroll_x, scroll_x + width).adjust_cell_length(width, base).simplify()

    def _post_refreshed(self) -> None:
        self.refreshed += 1
        self.post_message(self.Refreshed(self))

    # --- keys and the mouse -------------------------------------------------------------------------

    def _scroll_to_row(self, row: int) -> None:
        height = self.scrollable_content_region.height - HEADER_HEIGHT
        if height <= 0:
            return
        top = int(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, force=True, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, force=True, immediate=True)

    def _hide_hover(self) -> None:
        if self._show_hover:
            self._show_hover = False
            self._refresh_row(self._hover)
            if self._hover == -1:
                self._header_line = None
                self.refresh(Region(0, 0, self.size.width, HEADER_HEIGHT))

    def action_cursor_up(self) -> None:
        self._hide_hover()
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._hide_hover()
        self.move_cursor(row=self._cursor + 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_HEIGHT)

    def action_page_down(self) -> None:
        self._hide_hover()
        height = self._page()
        self.scroll_relative(y=height, animate=False, force=True)
        self.move_cursor(row=self._cursor + height, scroll=False)

    def action_page_up(self) -> None:
        self._hide_hover()
        height = self._page()
        self.scroll_relative(y=-height, animate=False, force=True)
        self.move_cursor(row=self._cursor - height, scroll=False)

    def action_scroll_top(self) -> None:
        self._hide_hover()
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self._hide_hover()
        self.move_cursor(row=self.row_count - 1)

    def action_scroll_home(self) -> None:
        self._hide_hover()
        self.scroll_x = 0

    def action_scroll_end(self) -> None:
        self._hide_hover()
        self.scroll_x = self.max_scroll_x

    def action_select_cursor(self) -> None:
        self._hide_hover()
        if self.row_count:
            self.post_message(self.RowSelected(self, self._cursor, self.cursor_key))

    def _column_at(self, x: int) -> str | None:
        position = 0
        for column in self._header_columns:
            position += column.get_render_width(self)
            if x < position:
                return column.key.value
        return None

    def on_click(self, event: events.Click) -> None:
        self._show_hover = True
        if event.y < HEADER_HEIGHT:
            key = self._column_at(event.x + int(self.scroll_x))
            if key and key != MARK_COLUMN:
                self.sort_by(key)
            return
        row = int(self.scroll_y) + event.y - HEADER_HEIGHT
        if not 0 <= row < self.row_count:
            return
        event.stop()
        if row == self._cursor:
            self.post_message(self.RowSelected(self, row, self._key_at(row)))
        else:
            self.move_cursor(row=row)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = int(self.scroll_y) + event.y - HEADER_HEIGHT if event.y >= HEADER_HEIGHT else -1
        if row == self._hover and self._show_hover:
            return
        old, self._hover = self._hover, row
        self._show_hover = True
        for index in (old, row):
            if index == -1:
                self._header_line = None
                self.refresh(Region(0, 0, self.size.width, HEADER_HEIGHT))
            else:
                self._refresh_row(index)

    def on_leave(self, event: events.Leave) -> None:
        self._hide_hover()

    def on_focus(self) -> None:
        self._header_line = None
        self.refresh()

    def on_blur(self) -> None:
        self._header_line = None
        self.refresh()


_OUT_OF_BOUNDS = Style.from_meta({"column": 0, "out_of_bounds": True})


class _Descending:
    """A sort value that orders the other way (a reversed sort whose ties keep their order)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: _Descending) -> bool:
        return bool(other.value > self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)
