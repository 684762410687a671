"""FarmTable: a DataTable of farm models that is updated in place, filtered, sorted and marked.

Every screen's table is one of these. The screen hands it the models of a poll (`set_data`); the table
renders only rows whose model changed, filters and sorts them, works out with `farm.snapshot.diff_rows`
which rows to add and remove and which cells changed, and applies exactly that. A poll in which nothing
changed costs no repaint at all; a changed cell repaints only its own region (columns have fixed widths,
so a new value never triggers a relayout). The cursor stays on the same row id across refreshes,
filters and re-sorts.

Columns carry a priority: when the terminal is narrow the highest-numbered ones are dropped first.
A `compact` table separates columns by one blank cell instead of DataTable's two (many narrow
columns then fit), and `pinned` rows stay first whatever the sort (a "whole job" summary row).

DataTable has no bulk add/remove (its `remove_row` re-indexes every row, O(n²) for a filter over
5 000 jobs), so `_apply` edits its row bookkeeping directly, the way its own `sort()` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, Row, RowKey

from cuetui.farm.output import cut, cut_middle
from cuetui.farm.snapshot import changed_cells, diff_rows
from cuetui.ui.widgets.states import STATE_CLASSES, STATES, component_style, state_style

T = TypeVar("T")

MARK_COLUMN = "_mark"
CELL_PADDING = 1  # DataTable's default, on each side of a cell


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


class _RowData(MutableMapping[ColumnKey, Text]):
    """One row's cells for DataTable's `_data`, as a list behind a column-index map shared by every
    row: building 5 000 rows then costs no per-cell hashing (ColumnKey hashes in Python)."""

    __slots__ = ("_cells", "_index")

    def __init__(self, index: dict[ColumnKey, int], cells: Sequence[Text]) -> None:
        self._index = index
        self._cells = list(cells)

    def __getitem__(self, key: ColumnKey) -> Text:
        return self._cells[self._index[key]]

    def __setitem__(self, key: ColumnKey, value: Text) -> None:
        self._cells[self._index[key]] = value

    def __delitem__(self, key: ColumnKey) -> None:
        raise TypeError("FarmTable rows have fixed columns")

    def __iter__(self) -> Iterator[ColumnKey]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@dataclass
class _Layout:
    keys: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()


class FarmTable(DataTable[Text], Generic[T]):
    """A live table of farm models keyed by id (see the module docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *STATE_CLASSES,
        "farm-table--dim",
        "farm-table--warn",
        "farm-table--mark",
        "farm-table--down",
        "farm-table--locked",
    }

    class Refreshed(Message):
        """The rows shown changed (counts for a status line)."""

        def __init__(self, table: FarmTable[Any]) -> None:
            super().__init__()
            self.table = table

    def __init__(
        self,
        columns: Sequence[Column[T]],
        key_of: Callable[[T], str],
        *,
        sort_column: str = "",
        sort_reverse: bool = False,
        compact: bool = False,
        pinned: Sequence[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            id=id,
            classes=classes,
            cursor_type="row",
            zebra_stripes=False,
            cell_padding=0 if compact else CELL_PADDING,
        )
        self.all_columns = list(columns)
        self.key_of = key_of
        self.compact = compact
        self.pinned = tuple(pinned)
        # A key that names no column keeps the models' own order until the user sorts.
        self.sort_column = sort_column or self.all_columns[0].key
        self.sort_reverse = sort_reverse
        self.filter_text = ""
        self.marked: set[str] = set()
        self.now = 0.0
        self._models: dict[str, T] = {}
        self._rendered: dict[str, tuple[Text, ...]] = {}
        self._haystack: dict[str, str] = {}
        self._shown: dict[str, tuple[Text, ...]] = {}
        self._layout = _Layout()
        self._visible: list[Column[T]] = []
        self._live_bucket: int | None = None
        self._marked_cell: Text | None = None
        self._haystack_before: dict[str, str] = {}
        self._prerendered: dict[str, T] = {}  # rows rendered ahead by prerender(), by key
        self._unmarked_cell = Text(" ", end="")
        self._cell_x: list[tuple[int, int]] = []
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
        return len(self._shown)

    @property
    def visible_columns(self) -> list[str]:
        """Keys of the columns shown at the current width."""
        return [c.key for c in self._visible]

    def models(self) -> list[T]:
        """Every model of the last update, filtered out or not."""
        return list(self._models.values())

    def shown_keys(self) -> list[str]:
        """Row keys in display order."""
        return list(self._shown)

    def model(self, key: str) -> T | None:
        """The model of row `key`, if present."""
        return self._models.get(key)

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor."""
        if not self._shown or not self.is_valid_row_index(self.cursor_row):
            return None
        return self._key_at(self.cursor_row)

    @property
    def cursor_model(self) -> T | None:
        """The model of the row under the cursor."""
        key = self.cursor_key
        return None if key is None else self._models.get(key)

    def selected_models(self) -> list[T]:
        """The marked rows still shown, in display order, or else the cursor row."""
        marked = [self._models[k] for k in self._shown if k in self.marked]
        if marked:
            return marked
        model = self.cursor_model
        return [] if model is None else [model]

    def move_to_key(self, key: str) -> bool:
        """Put the cursor on row `key` if it is shown."""
        if key not in self._shown:
            return False
        self.move_cursor(row=self._index_of(key))
        return True

    async def prerender(self, models: Sequence[T], now: float, *, chunk: int = 100) -> None:
        """Render the rows `set_data` would have to render, yielding to the event loop every `chunk`
        rows: a first load of 5 000 jobs then never freezes typing or scrolling. Optional; small
        snapshots go straight to `set_data`."""
        if not self._visible or len(models) < 2 * chunk:
            return
        ctx = CellContext(self, now)
        old = self._models
        done = 0
        generation = self._style_generation
        for model in models:
            key = self.key_of(model)
            before = old.get(key)
            if before is None or (before is not model and before != model):
                self._render_row(key, model, ctx)
                self._prerendered[key] = model
                done += 1
                if done % chunk == 0:
                    await asyncio.sleep(0)
                    if generation != self._style_generation:
                        return  # restyled meanwhile: these rows have the old colours; set_data renders them

    def set_data(self, models: Iterable[T], now: float) -> None:
        """A new snapshot: re-render changed rows only, then update the table in place. A snapshot equal
        to the last one costs one comparison per row and touches nothing on screen; one in which a few
        rows changed without moving repaints just their changed cells."""
        self.now = now
        new = {self.key_of(m): m for m in models}
        old = self._models
        ctx = self._cell_context()
        structural = not self._loaded or len(new) != len(old)
        changed: list[str] = []
        prerendered, self._prerendered = self._prerendered, {}
        if self._visible:
            for key, model in new.items():
                before = old.get(key)
                if before is None:
                    if prerendered.get(key) is not model:
                        self._render_row(key, model, ctx)
                    structural = True
                elif before is not model and before != model:
                    if prerendered.get(key) is not model:
                        self._render_row(key, model, ctx)
                    changed.append(key)
            bucket = int(now // 60)
            if not self._loaded:
                self._live_bucket = bucket
            elif bucket != self._live_bucket:
                # Clock-dependent cells (elapsed, ping age) are shown to the minute: refresh them once a
                # minute, not at every poll, so an idle monitor does not repaint.
                self._live_bucket = bucket
                if any(c.live for c in self._visible):
                    self._live_stale = set(new)
                    near = self._keys_near_view()
                    fresh = set(changed)
                    changed.extend(k for k in self._rerender_live(near, new, ctx) if k not in fresh)
        for key in old.keys() - new.keys():
            self._live_stale.discard(key)
            self._rendered.pop(key, None)
            self._haystack.pop(key, None)
            structural = True
        old_haystack = {k: self._haystack_before.pop(k, "") for k in list(self._haystack_before)}
        self.marked &= new.keys()
        self._models = new
        self._loaded = True
        if structural or not self._cells_only(changed, old, old_haystack):
            self._sync()
        self._refresh_empty()

    def _cells_only(self, changed: list[str], old: dict[str, T], old_haystack: dict[str, str]) -> bool:
        """Apply `changed` rows in place when none of them enters, leaves or moves in the view.
        Returns False (and does nothing) when the order or the filtered set may change."""
        if not changed:
            return True
        spec = self._column(self.sort_column)
        needle = self.filter_text
        for key in changed:
            if needle and (needle in old_haystack.get(key, "")) != (needle in self._haystack[key]):
                return False
            if spec is not None and key in old and spec.sort(old[key]) != spec.sort(self._models[key]):
                return False
        self._push_cells(changed)
        return True

    def _push_cells(self, changed: Iterable[str]) -> None:
        """Put the rendered cells of rows `changed` (already in view, same place) on screen."""
        shown = self._shown
        column_keys = self._column_keys()
        dirty: list[tuple[str, int]] = []
        for key in changed:
            before = shown.get(key)
            if before is None:
                continue
            cells = (self._mark_cell(key), *self._rendered[key])
            indexes = changed_cells(before, cells)
            if not indexes:
                continue
            row = self._data[RowKey(key)]
            for i in indexes:
                row[column_keys[i]] = cells[i]
                dirty.append((key, i))
            shown[key] = cells
        if dirty:
            # Not `_update_count += 1`: that also keys DataTable's row order and row offsets, which
            # would then be recomputed for every row. Dropping the rendered caches of the changed cells
            # is enough; dropping all of them made the repaint render every visible cell again
            # (hundreds of ms for a screenful of a wide table).
            self._forget_rendered(dirty, column_keys)
            for key, i in dirty:
                self._refresh_cell(self._index_of(key), i)
            self.post_message(self.Refreshed(self))

    def _forget_rendered(self, dirty: list[tuple[str, int]], column_keys: list[ColumnKey]) -> None:
        """Drop DataTable's cached renders of these (row key, column index) cells and their rows."""
        if len(dirty) > 200:
            self._row_render_cache.clear()
            self._cell_render_cache.clear()
            self._row_renderable_cache.clear()
        else:
            cells = {(RowKey(key), column_keys[i]) for key, i in dirty}
            rows = {row for row, _ in cells}
            indexes = {self._index_of(key) for key, _ in dirty}
            _discard(self._cell_render_cache, lambda k: (k[0], k[1]) in cells)
            _discard(self._row_render_cache, lambda k: k[0] in rows)
            _discard(self._row_renderable_cache, lambda k: k[1] in indexes)
        self._line_cache.clear()  # keyed by screen line; rebuilt cheaply from the row renders

    def _keys_near_view(self) -> list[str]:
        """Keys of the rows on screen and a screenful above and below, in display order."""
        if not self._shown:
            return []
        height = max(1, self.size.height)
        first = max(0, int(self.scroll_y) - height)
        last = min(len(self._shown), int(self.scroll_y) + 2 * height + 1)
        keys = []
        for index in range(first, last):
            key = self._key_at(index)
            if key is not None:
                keys.append(key)
        return keys

    def _refresh_stale_near_view(self) -> None:
        """Redraw the clock-dependent cells of rows scrolled near the view since the minute changed."""
        if not self._live_stale:
            return
        stale = [k for k in self._keys_near_view() if k in self._live_stale]
        if stale:
            self._push_cells(self._rerender_live(stale, self._models, self._cell_context(), remember=False))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._refresh_stale_near_view()

    def _rerender_live(
        self, keys: Iterable[str], models: dict[str, T], ctx: CellContext, *, remember: bool = True
    ) -> list[str]:
        """Render the clock-dependent cells of rows `keys` again; the keys whose cells changed. With
        `remember` the old search text is kept for set_data's check that a row stays in the filter."""
        live = [i for i, c in enumerate(self._visible) if c.live]
        if not live:
            return []
        changed = []
        stale = self._live_stale
        for key in keys:
            stale.discard(key)
            model = models.get(key)
            if model is None:
                continue
            cells = self._rendered.get(key)
            if cells is None:
                continue
            updated = list(cells)
            words = self._haystack.get(key, "").split("\x00")
            for i in live:
                full, cell = self._cell(i, model, ctx)
                updated[i] = _gapped(cell) if self.compact else cell
                if i < len(words):
                    words[i] = ((" " if self.compact else "") + full).lower()
            if updated != list(cells):
                if remember:
                    self._haystack_before.setdefault(key, self._haystack.get(key, ""))
                self._rendered[key] = tuple(updated)
                self._haystack[key] = "\x00".join(words)
                changed.append(key)
        return changed

    def set_filter(self, text: str) -> None:
        """Show only rows with `text` (case-insensitive) in any visible column."""
        text = text.strip().lower()
        if text != self.filter_text:
            if text and self._live_stale:
                # The filter searches every row's text: bring the minute-old cells up to date first.
                self._rerender_live(list(self._live_stale), self._models, self._cell_context(), remember=False)
            self.filter_text = text
            self._sync()
            self._refresh_empty()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by `column`; `reverse` None toggles when it is already the sort column."""
        spec = self._column(column)
        if spec is None:
            return
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else spec.reverse_first
        self.sort_column = column
        self.sort_reverse = reverse
        self._relabel()
        self._sync()

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
        self._sync()
        if self.cursor_row + 1 < self.row_count:
            self.move_cursor(row=self.cursor_row + 1)

    def mark_all(self) -> None:
        """Mark every shown row (unmark them all when they already are)."""
        shown = set(self._shown)
        self.marked = set() if shown <= self.marked else self.marked | shown
        self._sync()

    def clear_marks(self) -> None:
        """Unmark every row."""
        if self.marked:
            self.marked.clear()
            self._sync()

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
        self._marked_cell = None
        self._layout = _Layout()  # forces a full rebuild: labels and every row, with the new styles
        if self.size.width:
            self._relayout(self.size.width)

    # --- layout -----------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout(event.size.width)

    def on_mount(self) -> None:
        if self.size.width:
            self._relayout(self.size.width)

    def _relayout(self, width: int) -> None:
        layout = self._plan(width)
        if layout.keys == self._layout.keys and layout.widths == self._layout.widths:
            return
        self._layout = layout
        by_key = {c.key: c for c in self.all_columns}
        self._visible = [by_key[k] for k in layout.keys]
        cursor = self.cursor_key
        self.clear(columns=True)
        self._shown = {}
        self.add_column(Text(" "), width=1, key=MARK_COLUMN)
        gap = 1 if self.compact else 0
        for column, w in zip(self._visible, layout.widths, strict=True):
            self.add_column(self._label(column), width=w + gap, key=column.key)
        ctx = self._cell_context()
        self._rendered.clear()
        self._haystack.clear()
        self._prerendered.clear()
        self._cell_x = []
        for key, model in self._models.items():
            self._render_row(key, model, ctx)
        self._haystack_before.clear()
        self._sync()
        if cursor is not None:
            self.move_to_key(cursor)

    def _plan(self, width: int) -> _Layout:
        """Which columns fit in `width` cells, dropping the highest priority numbers first."""
        padding = 2 * self.cell_padding + (1 if self.compact else 0)  # compact: a leading blank instead
        room = max(10, width - 2 - (1 + 2 * self.cell_padding))  # a scrollbar's worth, and the mark column
        columns = list(self.all_columns)

        def need(cols: list[Column[T]]) -> int:
            return sum(c.width + padding for c in cols)

        def need_wanted(cols: list[Column[T]]) -> int:
            return sum(max(c.width, c.want if c.flex else 0) + padding for c in cols)

        while need_wanted(columns) > room and any(c.priority for c in columns):
            worst = max(columns, key=lambda c: (c.priority, columns.index(c)))
            columns.remove(worst)
        spare = max(0, room - need(columns))
        flex = [c for c in columns if c.flex]
        # The room left goes first to flex columns short of what they want, then evenly.
        given = {c.key: 0 for c in flex}
        for c in flex:
            step = min(spare, max(0, c.want - c.width))
            given[c.key] += step
            spare -= step
        widths = []
        for c in columns:
            w = c.width
            if c.flex:
                w = min(c.max_width or 10_000, w + given[c.key] + spare // len(flex))
            widths.append(w)
        return _Layout(tuple(c.key for c in columns), tuple(widths))

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
        for column in self._visible:
            ck = ColumnKey(column.key)
            if ck in self.columns:
                self.columns[ck].label = self._label(column)
        self._update_count += 1
        self.refresh()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key and key != MARK_COLUMN:
            self.sort_by(key)

    # --- rendering and applying -------------------------------------------------------------------

    def _column(self, key: str) -> Column[T] | None:
        return next((c for c in self.all_columns if c.key == key), None)

    def _cell_context(self) -> CellContext:
        return CellContext(self, self.now)

    def _render_row(self, key: str, model: T, ctx: CellContext) -> None:
        self._live_stale.discard(key)
        if key in self._haystack:
            self._haystack_before.setdefault(key, self._haystack[key])
        pairs = [self._cell(i, model, ctx) for i in range(len(self._visible))]
        cells = tuple(_gapped(cell) if self.compact else cell for _full, cell in pairs)
        self._rendered[key] = cells
        # The filter searches the whole text, also of a cell shown cut in the middle.
        self._haystack[key] = "\x00".join((" " if self.compact else "") + full for full, _cell in pairs).lower()

    def _cell(self, index: int, model: T, ctx: CellContext) -> tuple[str, Text]:
        """Column `index`'s cell for `model`: its whole plain text, and the Text to show."""
        column = self._visible[index]
        cell = column.cell(model, ctx)
        full = cell.plain
        if column.cut_middle and index < len(self._layout.widths):
            cell = _cut_middle(cell, self._layout.widths[index])
        return full, cell

    def _refresh_empty(self) -> None:
        """Repaint the empty line when what it says changed (another filter, `m`, `f`); an idle empty
        table costs nothing."""
        message = "" if self._shown else self.empty_message()
        if message != self._empty_shown:
            self._empty_shown = message
            self.refresh()

    def render_line(self, y: int) -> Strip:
        if not self._shown and y == (self.header_height if self.show_header else 0):
            message = self.empty_message()
            if message:
                width = self.size.width
                style = self.rich_style + self.cell_style("dim")
                line = " " + cut(message, max(1, width - 2))
                return Strip([Segment(line, style)]).crop_extend(0, width, self.rich_style)
        return super().render_line(y)

    def _mark_cell(self, key: str) -> Text:
        # The same two objects every time: comparing unchanged rows is then an identity check.
        if key in self.marked:
            if self._marked_cell is None:
                self._marked_cell = Text("●", style=self._used_style("mark"), end="")
            return self._marked_cell
        return self._unmarked_cell

    def _sync(self) -> None:
        """Filter, sort and apply the rendered rows to the table."""
        if not self._layout.keys:
            return
        needle = self.filter_text
        keys = [k for k in self._models if not needle or needle in self._haystack.get(k, "")]
        spec = self._column(self.sort_column)
        if spec is not None:
            models = self._models
            sort = spec.sort

            def order(k: str) -> Any:
                return (sort(models[k]), k)

            try:
                keys.sort(key=order, reverse=self.sort_reverse)
            except TypeError:  # mixed types from an odd gateway: fall back to text order
                keys.sort(key=lambda k: (str(sort(models[k])), k), reverse=self.sort_reverse)
        if self.pinned:
            first = [k for k in self.pinned if k in keys]
            keys = first + [k for k in keys if k not in first]
        desired = {k: (self._mark_cell(k), *self._rendered[k]) for k in keys if k in self._rendered}
        self._apply(desired)
        self._refresh_stale_near_view()  # rows that came into view with the new order or filter

    def _apply(self, desired: dict[str, tuple[Text, ...]]) -> None:
        diff = diff_rows(self._shown, desired)
        if diff.empty:
            return
        cursor_key = self.cursor_key
        cursor_row = self.cursor_row
        column_keys = self._column_keys()
        column_index = {ck: i for i, ck in enumerate(column_keys)}
        structural = bool(diff.added or diff.removed or diff.moved)
        for key in diff.removed:
            rk = RowKey(key)
            self.rows.pop(rk, None)
            self._data.pop(rk, None)
        for key in diff.added:
            rk = RowKey(key)
            self.rows[rk] = Row(rk, 1)
            self._data[rk] = _RowData(column_index, desired[key])  # type: ignore[assignment]
        dirty: list[tuple[str, int]] = []
        for key, indexes in diff.changed.items():
            row = self._data[RowKey(key)]
            cells = desired[key]
            for i in indexes:
                row[column_keys[i]] = cells[i]
                dirty.append((key, i))
        self._shown = desired
        self._update_count += 1
        if structural:
            self._row_locations = TwoWayDict({RowKey(k): i for i, k in enumerate(desired)})
            self._require_update_dimensions = True
            self.refresh()
            self.check_idle()
            if cursor_key is not None and cursor_key in desired:
                target = self._index_of(cursor_key)
            else:
                target = min(cursor_row, len(desired) - 1)
            target = max(0, target)
            if desired and target != self.cursor_row:
                self.move_cursor(row=target, scroll=True)
            else:
                self.cursor_coordinate = self.cursor_coordinate  # revalidate against the new row count
        else:
            for key, i in dirty:
                self._refresh_cell(self._index_of(key), i)
        self.post_message(self.Refreshed(self))

    def _column_keys(self) -> list[ColumnKey]:
        return [ColumnKey(MARK_COLUMN), *(ColumnKey(c.key) for c in self._visible)]

    def _refresh_cell(self, row_index: int, column_index: int) -> None:
        """Repaint one cell. DataTable's own `refresh_coordinate` sums the heights of every row above
        (O(rows) per cell); here every row is one line high, so the cell's place is known at once."""
        if not self._cell_x:
            x = self._row_label_column_width
            for column in self.ordered_columns:
                width = column.get_render_width(self)
                self._cell_x.append((x, width))
                x += width
        if column_index >= len(self._cell_x):
            return
        x, width = self._cell_x[column_index]
        y = row_index + (self.header_height if self.show_header else 0)
        self._refresh_region(Region(x, y, width, 1))

    def _index_of(self, key: str) -> int:
        return int(self._row_locations.get(RowKey(key)))  # type: ignore[arg-type]

    def _key_at(self, index: int) -> str | None:
        rk = self._row_locations.get_key(index)
        return None if rk is None else str(rk.value)


def _discard(cache: LRUCache[Any, Any], stale: Callable[[Any], bool]) -> None:
    keys = cache.keys()
    for key in [key for key in keys if stale(key)]:
        cache.discard(key)
