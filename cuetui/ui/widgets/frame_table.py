"""FrameTable: the table engine (`FarmTable`) set up for a job's frames, which stays fast at 200 000 rows.

The engine keeps the rows by frame id, sorts (with the arrow on the sorted column), filters, marks and
keeps its cursor on its frame; this subclass draws the lines itself, straight from the frames
(`render_line`), one blank cell between columns, colours from its own component classes, so it keeps
no rendered cells per row (`KEEPS_CELLS` False): what it holds per row is the frame's key in the
engine's dict and list, nothing more. Columns have fixed widths (the name column takes what is left),
and the least important are dropped first when the terminal is narrow. The filter text is matched
against a frame's name, layer, state and last host (`frame_matches`), not the rendered cells.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.strip import Strip

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.gateway.models import Frame, is_known_enum
from cuetui.ui.widgets.farm_table import HEADER_HEIGHT, CellContext, Column, FarmTable, plan_columns
from cuetui.ui.widgets.states import STATE_CLASSES, STATES, component_style
from cuetui.ui.widgets.states import state_style as theme_state_style

GAP = 1  # blank cells between columns


def frame_column(
    key: str,
    label: str,
    width: int,
    text: Callable[[Frame, float], str],
    sort: Callable[[Frame], Any],
    *,
    priority: int = 0,
    right: bool = False,
    flex: bool = False,
    style: Callable[[Frame], str] | None = None,
    max_width: int = 0,
    want: int = 0,
) -> Column[Frame]:
    """One column: `text(frame, now)` gives the cell's plain text, `sort(frame)` orders by it; `style`
    (frame) names a state or component class or ""; `priority` 0 is never dropped, higher numbers go first."""

    def cell(frame: Frame, ctx: CellContext) -> Text:
        name = style(frame) if style is not None else ""
        return ctx.text(text(frame, ctx.now), name, justify="right" if right else "left")

    return Column(
        key, label, cell, sort, width, priority=priority, flex=flex, max_width=max_width, want=want, right=right
    )


def state_text(frame: Frame) -> str:
    """The state as shown: OpenCue's name, a site override's text, or "?" + an unknown raw value."""
    override = frame.frame_state_display_override
    if override is not None and override.text and override.state == frame.state:
        return safe(override.text, 12)
    if is_known_enum("FrameState", frame.state):
        return frame.state
    return "?" + safe(frame.state, 11)


def state_style(frame: Frame) -> str:
    """The component class suffix for a frame's state."""
    if is_known_enum("FrameState", frame.state):
        return frame.state.lower()
    return "unknown"


def run_seconds(frame: Frame, now: float) -> float | None:
    """How long the frame ran (runs, when RUNNING); None when it never started."""
    if not frame.start_time:
        return None
    end = frame.stop_time if frame.stop_time and frame.state != "RUNNING" else now
    return max(0.0, end - frame.start_time)


def _start(frame: Frame, now: float) -> str:
    return fmt.timestamp(frame.start_time, now) if frame.start_time else ""


def _exit(frame: Frame, now: float) -> str:
    if frame.state in ("WAITING", "DEPEND") and frame.exit_status in (0, -1):
        return ""
    return "" if frame.exit_status == -1 and frame.state == "RUNNING" else str(frame.exit_status)


FRAME_COLUMNS: tuple[Column[Frame], ...] = (
    frame_column(
        "name", "frame", 14, lambda f, _n: safe(f.name), lambda f: (f.number, f.name), flex=True, max_width=30
    ),
    frame_column("layer", "layer", 10, lambda f, _n: safe(f.layer_name), lambda f: f.layer_name, priority=3),
    frame_column("state", "state", 10, lambda f, _n: state_text(f), lambda f: f.state, style=state_style),
    frame_column("exit", "exit", 4, _exit, lambda f: f.exit_status, right=True, priority=2),
    frame_column(
        "retries", "try", 3, lambda f, _n: str(f.retry_count), lambda f: f.retry_count, right=True, priority=2
    ),
    frame_column("host", "host", 12, lambda f, _n: safe(f.host), lambda f: f.host, priority=1),
    frame_column("start", "started", 12, _start, lambda f: f.start_time, priority=4),
    frame_column(
        "runtime",
        "run time",
        8,
        lambda f, n: fmt.duration(run_seconds(f, n)),
        lambda f: run_seconds(f, time.time()) or 0.0,
        right=True,
        priority=1,
    ),
    frame_column(
        "rss", "max rss", 7, lambda f, _n: fmt.memory_kb(f.max_rss), lambda f: f.max_rss, right=True, priority=2
    ),
)


def frame_matches(frame: Frame, text: str) -> bool:
    """True when `text` (lower case) is in the frame's name, layer, state or last host."""
    return text in f"{frame.name}\x00{frame.layer_name}\x00{frame.state}\x00{frame.last_resource}".lower()


class FrameTable(FarmTable[Frame], inherit_bindings=False):
    """The frames of a job, one line each (see the module docstring). The screen hands it the frames
    (`set_data` with every frame in frame order, `append_data` with the pages of a load or the frames a
    poll changed); the engine's `set_where`, `set_filter` and `set_sort` choose what is shown."""

    KEEPS_CELLS: ClassVar[bool] = False

    # The engine's look (a DataTable's) is not this table's: no panel background, no focus tint.
    DEFAULT_CSS = """
    FrameTable {
        background: transparent;
        height: 1fr;
        &:focus {
            background-tint: $foreground 0%;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "frame-table--header",
        "frame-table--cursor",
        "frame-table--cursor-blurred",
        "frame-table--mark",
        *STATE_CLASSES,
        "frame-table--sorted",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        # No vi-style j/k: `k` kills the job on the job screen (the steering keys are exact: scripts rely on them).
        # No enter either: the job screen's `enter` opens the frame's log.
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "edge(0)", "first", show=False),
        Binding("end", "edge(1)", "last", show=False),
        Binding("left", "scroll_left", "Scroll Left", show=False),
        Binding("right", "scroll_right", "Scroll Right", show=False),
        Binding("ctrl+pageup", "page_left", "Page Left", show=False),
        Binding("ctrl+pagedown", "page_right", "Page Right", show=False),
    ]

    def __init__(
        self,
        columns: Sequence[Column[Frame]] = FRAME_COLUMNS,
        *,
        clock: Callable[[], float] = time.time,
        tie: Callable[[str], Any] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(columns, attrgetter("id"), tie=tie, match=frame_matches, id=id, classes=classes)
        self.sort_column = ""  # frame order until the user sorts
        self.clock = clock
        self._styles: dict[str, Style] = {}
        self._ctx: CellContext | None = None
        self._empty_text = ""
        self.empty_message = lambda: self._empty_text

    # --- the frames' words for the engine's ---------------------------------------------------------

    @property
    def rows(self) -> list[str]:
        """Frame ids shown, in display order: the engine's own list when it is that (read, never change
        it), so 200 000 rows are not copied to be counted; a new list only after the rows were sorted
        or filtered again."""
        if not self._top and not self._reads_back():
            return self._order
        return self.shown_keys()

    @property
    def cursor(self) -> int:
        """The cursor's row index."""
        return self.cursor_row

    @property
    def cursor_id(self) -> str | None:
        """The frame id under the cursor."""
        return self.cursor_key

    def set_rows(self, rows: Sequence[str], frames: Mapping[str, Frame]) -> None:
        """Show `rows` (frame ids, in this order) from `frames`; the cursor stays on its frame if still shown."""
        self.set_data([frames[i] for i in rows], self.clock())

    def row_of(self, frame_id: str) -> int | None:
        """The row index of a frame, if shown."""
        return self._index_of(frame_id)

    def move_to(self, frame_id: str) -> bool:
        """Put the cursor on a frame if it is shown."""
        return self.move_to_key(frame_id)

    @property
    def empty_text(self) -> str:
        """What the table says while it has no rows."""
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        """What to show when there are no rows (e.g. "loading 12 000 / 50 000 frames")."""
        if text != self._empty_text:
            self._empty_text = text
            self._refresh_empty()

    def cycle_sort(self) -> None:
        """Sort by the next visible column, after the last one back to frame order."""
        options = ["", *(self.visible_columns or [c.key for c in self.all_columns])]  # "": frame order
        index = options.index(self.sort_column) + 1 if self.sort_column in options else 0
        self.set_sort(options[index % len(options)], False)

    def _after_reorder(self, cursor_key: str | None, cursor_row: int) -> None:
        # Marks are of the frames shown: a frame filtered out loses its mark (`a` marks what is shown).
        if self._shown is not None and self.marked:
            self.marked &= self._shown
        super()._after_reorder(cursor_key, cursor_row)

    # --- cursor ------------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(1, self.size.height - 2))

    def action_edge(self, end: int) -> None:
        self.move_cursor(row=self.row_count - 1 if end else 0)

    def on_click(self, event: events.Click) -> None:
        if event.y < HEADER_HEIGHT:
            column = self._column_at(event.x + int(self.scroll_x))
            if column is not None:
                self.sort_by(column)
            return
        row = int(self.scroll_y) + event.y - HEADER_HEIGHT
        if 0 <= row < self.row_count:
            self.move_cursor(row=row, scroll=False)
            if event.chain >= 2:
                self.post_message(self.RowSelected(self, row, self.cursor_key))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        pass  # no hover look

    # --- layout --------------------------------------------------------------------------------------

    def _plan(self, width: int) -> Any:
        planned = plan_columns(self.all_columns, max(10, width - 2), GAP)  # room: the mark column and a scrollbar
        return type(self._layout)(tuple(c.key for c, _w in planned), tuple(w for _c, w in planned))

    def _relabel(self) -> None:
        # (the header is drawn from the sort column at each repaint: no labels to build)
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(max(1, self.size.width), HEADER_HEIGHT + self.row_count)

    def _column_at(self, x: int) -> str | None:
        pos = 1
        for column, width in zip(self._visible, self._layout.widths, strict=False):
            if pos <= x < pos + width + GAP:
                return column.key
            pos += width + GAP
        return None

    # --- rendering -------------------------------------------------------------------------------------

    def cell_style(self, name: str) -> Style:
        """The rich Style of a state (`states.tcss`) or of component class `frame-table--<name>`."""
        style = self._styles.get(name)
        if style is None:
            style = theme_state_style(self, name) if name in STATES else component_style(self, f"frame-table--{name}")
            self._styles[name] = style
        return style

    _style = cell_style  # (the name the theme tests know)

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._ctx = None
        super().notify_style_update()

    @staticmethod
    def _fit(text: str, width: int, right: bool) -> str:
        if len(text) > width:
            return text[: max(0, width - 1)] + "…"
        return text.rjust(width) if right else text.ljust(width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y < HEADER_HEIGHT:
            return self._header(width, base)
        row = int(self.scroll_y) + y - HEADER_HEIGHT
        key = self._key_at(row)
        if key is None:
            if not self.row_count and y == HEADER_HEIGHT and self._empty_text:
                return Strip([Segment(self._fit(" " + self._empty_text, width, False), base)], width)
            return Strip.blank(width, base)
        frame = self._models.get(key)
        if frame is None:
            return Strip.blank(width, base)
        cursor = row == self.cursor_row
        line_style = base
        if cursor:
            line_style = base + self.cell_style("cursor" if self.has_focus else "cursor-blurred")
        ctx = self._ctx
        if ctx is None:
            ctx = self._ctx = CellContext(self, 0.0)
        ctx.now = self.clock()
        marked = key in self.marked
        segments = [Segment("●" if marked else " ", line_style + self.cell_style("mark") if marked else line_style)]
        gap = Segment(" " * GAP, line_style)
        for column, w in zip(self._visible, self._layout.widths, strict=False):
            cell = column.cell(frame, ctx)
            text = self._fit(cell.plain, w, cell.justify == "right")
            style = line_style
            if cell.style and not cursor:
                # (on the cursor row the cursor's colours win: a reversed DEAD would be unreadable)
                style = line_style + cell.style  # type: ignore[operator]
            segments.append(Segment(text, style))
            segments.append(gap)
        used = 1 + sum(w + GAP for w in self._layout.widths)
        if used < width:
            segments.append(Segment(" " * (width - used), line_style))
        return Strip(segments, max(width, used)).crop(0, width)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self.cell_style("header")
        segments = [Segment(" ", style)]
        for column, w in zip(self._visible, self._layout.widths, strict=False):
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            segments.append(Segment(self._fit(label, w, column.right), style))
            segments.append(Segment(" " * GAP, style))
        used = 1 + sum(w + GAP for w in self._layout.widths)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, max(width, used)).crop(0, width)
