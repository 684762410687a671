"""FrameTable: a virtual table of a job's frames that stays fast at 50 000 rows.

A DataTable keeps per-row bookkeeping and measures rows as they are added (adding 50 000 rows took
tens of seconds and ~90 MB in a measurement); this widget keeps only the ordered list of frame ids and
renders the lines on screen from the frames themselves (`render_line`). Updating a frame redraws its
line if it is on screen and nothing else; the cursor stays on the same frame id across updates,
filters and sorts. Columns have fixed widths (the name column takes what is left), and the least
important are dropped first when the terminal is narrow. Colours come from component classes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.gateway.models import Frame, is_known_enum
from cuetui.ui.widgets.farm_table import plan_columns
from cuetui.ui.widgets.states import STATE_CLASSES, STATES, component_style
from cuetui.ui.widgets.states import state_style as theme_state_style

GAP = 1  # blank cells between columns


@dataclass(frozen=True)
class FrameColumn:
    """One column: `text(frame, now)` gives the cell's plain text, `sort(frame)` orders by it; `style`
    (frame) names a component class or ""; `priority` 0 is never dropped, higher numbers go first."""

    key: str
    label: str
    width: int
    text: Callable[[Frame, float], str]
    sort: Callable[[Frame], Any]
    priority: int = 0
    right: bool = False
    flex: bool = False
    style: Callable[[Frame], str] | None = None
    max_width: int = 0  # a flex column's widest (0: no limit)
    want: int = 0  # a flex column's width kept before columns of a higher priority number


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


FRAME_COLUMNS: tuple[FrameColumn, ...] = (
    FrameColumn("name", "frame", 14, lambda f, _n: safe(f.name), lambda f: (f.number, f.name), flex=True, max_width=30),
    FrameColumn("layer", "layer", 10, lambda f, _n: safe(f.layer_name), lambda f: f.layer_name, priority=3),
    FrameColumn("state", "state", 10, lambda f, _n: state_text(f), lambda f: f.state, style=state_style),
    FrameColumn("exit", "exit", 4, _exit, lambda f: f.exit_status, right=True, priority=2),
    FrameColumn("retries", "try", 3, lambda f, _n: str(f.retry_count), lambda f: f.retry_count, right=True, priority=2),
    FrameColumn("host", "host", 12, lambda f, _n: safe(f.host), lambda f: f.host, priority=1),
    FrameColumn("start", "started", 12, _start, lambda f: f.start_time, priority=4),
    FrameColumn(
        "runtime",
        "run time",
        8,
        lambda f, n: fmt.duration(run_seconds(f, n)),
        lambda f: run_seconds(f, time.time()) or 0.0,
        right=True,
        priority=1,
    ),
    FrameColumn(
        "rss", "max rss", 7, lambda f, _n: fmt.memory_kb(f.max_rss), lambda f: f.max_rss, right=True, priority=2
    ),
)


class FrameTable(ScrollView, can_focus=True):
    """The frames of a job, one line each (see the module docstring). The screen owns the data:
    `set_rows(ids, frames)` sets what is shown and in which order; `refresh_frames(ids)` redraws the
    lines of frames that changed in `frames`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "frame-table--header",
        "frame-table--cursor",
        "frame-table--cursor-blurred",
        "frame-table--mark",
        *STATE_CLASSES,
        "frame-table--sorted",
    }

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        # No vi-style j/k: `k` kills the job on the job screen (the steering keys are exact: scripts rely on them).
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "edge(0)", "first", show=False),
        Binding("end", "edge(1)", "last", show=False),
    ]

    class CursorMoved(Message):
        """The cursor is on another frame (None: the table is empty)."""

        def __init__(self, table: FrameTable, frame_id: str | None) -> None:
            super().__init__()
            self.table = table
            self.frame_id = frame_id

    class Selected(Message):
        """Enter or a double click on a frame."""

        def __init__(self, table: FrameTable, frame_id: str) -> None:
            super().__init__()
            self.table = table
            self.frame_id = frame_id

    class SortChanged(Message):
        """The user clicked a header: sort by `column` (the screen decides the order)."""

        def __init__(self, table: FrameTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(
        self,
        columns: Sequence[FrameColumn] = FRAME_COLUMNS,
        *,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.all_columns = list(columns)
        self.clock = clock
        self.rows: list[str] = []
        self.frames: Mapping[str, Frame] = {}
        self.marked: set[str] = set()
        self.cursor = 0
        self.sort_column = ""
        self.sort_reverse = False
        self._row_of: dict[str, int] = {}
        self._visible: list[tuple[FrameColumn, int]] = []
        self._styles: dict[str, Style] = {}
        self._empty_text = ""

    # --- data --------------------------------------------------------------------------------------

    @property
    def cursor_id(self) -> str | None:
        """The frame id under the cursor."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[str], frames: Mapping[str, Frame], *, keep_cursor: bool = True) -> None:
        """Show `rows` (frame ids, in order) from `frames`; the cursor stays on its frame if still shown."""
        current = self.cursor_id if keep_cursor else None
        self.rows = list(rows)
        self.frames = frames
        self._row_of = {frame_id: n for n, frame_id in enumerate(self.rows)}
        self.marked &= self._row_of.keys()
        if current is not None and current in self._row_of:
            self.cursor = self._row_of[current]
        else:
            self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.virtual_size = Size(self._content_width(), len(self.rows) + 1)
        self.refresh()
        if current != self.cursor_id:
            self.post_message(self.CursorMoved(self, self.cursor_id))

    def append_rows(self, rows: Sequence[str]) -> None:
        """Add rows at the end (frames arriving while a big job loads); cheap, whatever the size."""
        if not rows:
            return
        start = len(self.rows)
        self.rows.extend(rows)
        row_of = self._row_of
        for n, frame_id in enumerate(rows, start):
            row_of[frame_id] = n
        self.virtual_size = Size(self._content_width(), len(self.rows) + 1)
        top = int(self.scroll_y)
        if start < top + self.size.height:
            self.refresh()
        if start == 0:
            self.post_message(self.CursorMoved(self, self.cursor_id))

    def refresh_frames(self, frame_ids: Iterable[str]) -> None:
        """Redraw the lines of these frames if they are on screen."""
        top = int(self.scroll_y)
        height = self.size.height
        width = self.size.width
        for frame_id in frame_ids:
            row = self._row_of.get(frame_id)
            if row is None:
                continue
            y = row - top + 1
            if 1 <= y < height:
                self.refresh(Region(0, y, width, 1))

    def row_of(self, frame_id: str) -> int | None:
        """The row index of a frame, if shown."""
        return self._row_of.get(frame_id)

    def move_to(self, frame_id: str) -> bool:
        """Put the cursor on a frame if it is shown."""
        row = self._row_of.get(frame_id)
        if row is None:
            return False
        self._set_cursor(row)
        return True

    def set_empty_text(self, text: str) -> None:
        """What to show when there are no rows (e.g. "loading 12 000 / 50 000 frames")."""
        if text != self._empty_text:
            self._empty_text = text
            if not self.rows:
                self.refresh()

    def toggle_mark(self) -> None:
        """Mark or unmark the cursor row, then move down."""
        frame_id = self.cursor_id
        if frame_id is None:
            return
        if frame_id in self.marked:
            self.marked.discard(frame_id)
        else:
            self.marked.add(frame_id)
        self.refresh_frames([frame_id])
        self._set_cursor(self.cursor + 1)

    def mark_all(self) -> None:
        """Mark every shown row, or unmark them all when they already are."""
        shown = set(self.rows)
        self.marked = set() if shown <= self.marked else shown
        self.refresh()

    # --- cursor ------------------------------------------------------------------------------------

    def _set_cursor(self, row: int, *, scroll: bool = True) -> None:
        if not self.rows:
            return
        row = max(0, min(len(self.rows) - 1, row))
        old = self.cursor
        if row == old:
            return
        self.cursor = row
        width = self.size.width
        top = int(self.scroll_y)
        for r in (old, row):
            y = r - top + 1
            if 1 <= y < self.size.height:
                self.refresh(Region(0, y, width, 1))
        if scroll:
            self._scroll_to_cursor()
        self.post_message(self.CursorMoved(self, self.cursor_id))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.size.height - 2))

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self.rows) - 1 if end else 0)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + int(self.scroll_x))
            if column is not None:
                self.post_message(self.SortChanged(self, column))
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.rows):
            self._set_cursor(row, scroll=False)
            if event.chain >= 2:
                self.post_message(self.Selected(self, self.rows[row]))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- layout --------------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._visible = self._plan(event.size.width)
        self.virtual_size = Size(self._content_width(), len(self.rows) + 1)
        self._scroll_to_cursor()

    def _plan(self, width: int) -> list[tuple[FrameColumn, int]]:
        return plan_columns(self.all_columns, max(10, width - 2), GAP)  # room: the mark column and a scrollbar

    def _content_width(self) -> int:
        return max(1, self.size.width)

    def _column_at(self, x: int) -> str | None:
        pos = 1
        for column, width in self._visible:
            if pos <= x < pos + width + GAP:
                return column.key
            pos += width + GAP
        return None

    @property
    def visible_columns(self) -> list[str]:
        """Keys of the columns shown at the current width."""
        return [c.key for c, _w in self._visible]

    # --- rendering -------------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            is_state = name in STATES
            style = theme_state_style(self, name) if is_state else component_style(self, f"frame-table--{name}")
            self._styles[name] = style
        return style

    @staticmethod
    def _fit(text: str, width: int, right: bool) -> str:
        if len(text) > width:
            return text[: max(0, width - 1)] + "…"
        return text.rjust(width) if right else text.ljust(width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if not self._visible:
            self._visible = self._plan(width)
        if y == 0:
            return self._header(width, base)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.rows):
            if not self.rows and y == 1 and self._empty_text:
                return Strip([Segment(self._fit(" " + self._empty_text, width, False), base)], width)
            return Strip.blank(width, base)
        frame_id = self.rows[row]
        frame = self.frames.get(frame_id)
        if frame is None:
            return Strip.blank(width, base)
        line_style = base
        if row == self.cursor:
            line_style = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        now = self.clock()
        mark = "●" if frame_id in self.marked else " "
        segments = [Segment(mark, line_style + self._style("mark") if frame_id in self.marked else line_style)]
        for column, w in self._visible:
            text = self._fit(column.text(frame, now), w, column.right)
            style = line_style
            if column.style is not None and row != self.cursor:
                # (on the cursor row the cursor's colours win: a reversed DEAD would be unreadable)
                name = column.style(frame)
                if name:
                    style = line_style + self._style(name)
            segments.append(Segment(text, style))
            segments.append(Segment(" " * GAP, line_style))
        used = 1 + sum(w + GAP for _c, w in self._visible)
        if used < width:
            segments.append(Segment(" " * (width - used), line_style))
        return Strip(segments, max(width, used)).crop(0, width)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._style("header")
        segments = [Segment(" ", style)]
        for column, w in self._visible:
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            segments.append(Segment(self._fit(label, w, column.right), style))
            segments.append(Segment(" " * GAP, style))
        used = 1 + sum(w + GAP for _c, w in self._visible)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, max(width, used)).crop(0, width)
