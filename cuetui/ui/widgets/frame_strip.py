"""FrameStrip: every frame of a job as a coloured half cell, in frame order, so a glance shows where the
dead and running frames are.

Each terminal cell holds two frames: `▀` with the upper frame's colour as foreground and the lower
frame's as background. Frames run left to right over pairs of rows. When a job has more frames than
fit in `max_lines` lines, each half cell stands for a bucket of consecutive frames and shows the most
urgent state in it (dead before running before waiting … before succeeded), so one dead frame among
thousands is still visible. Colours come from component classes in the .tcss (theme variables).
Rendering is line-based (`render_line`) and cheap: a few hundred segments, recomputed on change only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from cuetui.gateway.models import FRAME_STATES
from cuetui.ui.widgets.states import STATE_CLASSES, state_style

# State codes: index in FRAME_STATES; unknown states get their own code.
UNKNOWN = len(FRAME_STATES)
STATE_CODES = {name: n for n, name in enumerate(FRAME_STATES)}
# Higher wins inside a bucket: what a wrangler must see first.
_PRIORITY_ORDER = ("SUCCEEDED", "EATEN", "CHECKPOINT", "DEPEND", "WAITING", "SETUP", "RUNNING", "?", "DEAD")
_PRIORITY = bytes(
    _PRIORITY_ORDER.index(name if name in _PRIORITY_ORDER else "?") for name in (*FRAME_STATES, "?")
) + bytes(256 - UNKNOWN - 1)
_BY_PRIORITY = [STATE_CODES.get(name, UNKNOWN) for name in _PRIORITY_ORDER]
_EMPTY = 255  # past the last frame


def state_code(state: str) -> int:
    """The strip's code for a frame state name."""
    return STATE_CODES.get(state, UNKNOWN)


def bucket_states(codes: bytes | bytearray, per_half: int) -> bytes:
    """One code per half cell: the most urgent state of each run of `per_half` frames."""
    if per_half <= 1:
        return bytes(codes)
    ranked = bytes(codes).translate(_PRIORITY)
    out = bytearray()
    for start in range(0, len(ranked), per_half):
        out.append(_BY_PRIORITY[max(ranked[start : start + per_half])])
    return bytes(out)


# Without colour (NO_COLOR) a half cell cannot be told apart: one frame (or bucket) per cell, by glyph.
GLYPHS = {
    "WAITING": "·",
    "SETUP": "s",
    "RUNNING": ">",
    "SUCCEEDED": "=",
    "DEPEND": "-",
    "DEAD": "X",
    "EATEN": "e",
    "CHECKPOINT": "c",
}
_GLYPH_BY_CODE = [GLYPHS.get(name, "?") for name in FRAME_STATES] + ["?"]


def plan(frames: int, width: int, max_lines: int, per_cell: int = 2) -> tuple[int, int]:
    """(frames per half cell, lines) for `frames` frames in `width` cells and at most `max_lines`;
    `per_cell` is 2 with half blocks, 1 with glyphs."""
    if frames <= 0 or width <= 0:
        return 1, 1
    per_line = per_cell * width
    per_half = max(1, math.ceil(frames / (per_line * max(1, max_lines))))
    halves = math.ceil(frames / per_half)
    return per_half, max(1, math.ceil(halves / per_line))


class FrameStrip(Widget):
    """The frame-state strip. Call `set_states(states)` with every frame's state in frame order and
    `update_state(index, state)` for single changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *STATE_CLASSES,
        "frame-strip--empty",
    }

    DEFAULT_CSS = """
    FrameStrip { height: auto; }
    """

    class Clicked(Message):
        """A half cell was clicked: `index` is the first frame it stands for."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, max_lines: int = 4, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.max_lines = max_lines
        self.codes = bytearray()
        self._lines: list[Strip] | None = None
        self._plan = (1, 1)
        self._laid_out_lines = -1  # the height the last layout gave the strip (-1: none yet)

    # --- data ------------------------------------------------------------------------------------

    def set_states(self, states: Iterable[str]) -> None:
        """Every frame's state, in frame order."""
        lookup = STATE_CODES
        codes = bytearray(lookup.get(s, UNKNOWN) for s in states)
        if codes != self.codes:
            self.codes = codes
            self._dirty()

    def append_states(self, states: Iterable[str]) -> None:
        """Add frames at the end (while a big job loads)."""
        before = len(self.codes)
        codes = STATE_CODES
        self.codes.extend(codes.get(s, UNKNOWN) for s in states)
        if len(self.codes) != before:
            self._dirty()

    def update_states(self, changes: Sequence[tuple[int, str]]) -> None:
        """Change some frames' states by index."""
        changed = False
        for index, state in changes:
            if 0 <= index < len(self.codes):
                code = state_code(state)
                if self.codes[index] != code:
                    self.codes[index] = code
                    changed = True
        if changed:
            self._dirty()

    def _dirty(self) -> None:
        self._lines = None
        # Lay the screen out again only when the strip's height changes: a job loading page by page
        # adds frames a thousand at a time, and a layout of the whole screen at each page was most
        # of a page's cost on the event loop once the strip had its last line.
        if self._lines_for(self.size.width or 80) != self._laid_out_lines:
            self.refresh(layout=True)
        else:
            self.refresh()

    def _lines_for(self, width: int) -> int:
        return plan(len(self.codes), width, self.max_lines, self._per_cell)[1] if self.codes else 1

    # --- layout and rendering --------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._laid_out_lines = self._lines_for(width)
        return self._laid_out_lines

    def on_resize(self, event: events.Resize) -> None:
        self._lines = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None  # a new theme: redraw with its colours

    @property
    def _per_cell(self) -> int:
        return 1 if getattr(self.app, "no_color", False) else 2

    def _styles(self) -> list[Style]:
        names = [*(s.lower() for s in FRAME_STATES), "unknown"]
        return [state_style(self, name) for name in names]

    def _build(self) -> list[Strip]:
        width = self.size.width
        if width <= 0:
            return []
        if not self.codes:
            return [Strip.blank(width, self.rich_style)]
        per_half, lines = plan(len(self.codes), width, self.max_lines, self._per_cell)
        self._plan = (per_half, lines)
        halves = bucket_states(self.codes, per_half)
        if self._per_cell == 1:
            return self._build_glyphs(halves, width, lines)
        colours = [s.color for s in self._styles()]
        try:
            empty = self.get_component_rich_style("frame-strip--empty", partial=True).color
        except Exception:
            empty = None
        base = self.rich_style
        cache: dict[tuple[int, int], Style] = {}
        strips = []
        per_line = 2 * width
        for line in range(lines):
            segments = []
            row0 = line * per_line
            for x in range(width):
                top_i = row0 + x
                bottom_i = row0 + width + x
                top = halves[top_i] if top_i < len(halves) else _EMPTY
                bottom = halves[bottom_i] if bottom_i < len(halves) else _EMPTY
                key = (top, bottom)
                style = cache.get(key)
                if style is None:
                    fg = empty if top == _EMPTY else colours[top]
                    bg = empty if bottom == _EMPTY else colours[bottom]
                    style = base + Style(color=fg, bgcolor=bg)
                    cache[key] = style
                segments.append(Segment("▀", style))
            strips.append(Strip(Segment.simplify(segments), width))
        return strips

    def _build_glyphs(self, cells: bytes, width: int, lines: int) -> list[Strip]:
        """NO_COLOR: one glyph per frame (or bucket), dead frames bold so they still stand out."""
        base = self.rich_style
        dead = base + Style(bold=True, reverse=True)
        strips = []
        for line in range(lines):
            row = cells[line * width : (line + 1) * width]
            segments = []
            for code in row:
                glyph = _GLYPH_BY_CODE[code] if code < len(_GLYPH_BY_CODE) else " "
                segments.append(Segment(glyph, dead if glyph == "X" else base))
            if len(row) < width:
                segments.append(Segment(" " * (width - len(row)), base))
            strips.append(Strip(Segment.simplify(segments), width))
        return strips

    def render_line(self, y: int) -> Strip:
        if self._lines is None:
            self._lines = self._build()
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def index_at(self, x: int, y: int) -> int | None:
        """The first frame index shown at cell (x, y), upper half."""
        per_half, _lines = plan(len(self.codes), self.size.width, self.max_lines, self._per_cell)
        if self._per_cell == 1:
            index = (y * self.size.width + x) * per_half
            return index if 0 <= index < len(self.codes) else None
        half = y * 2 * self.size.width + x
        index = half * per_half
        return index if 0 <= index < len(self.codes) else None

    def on_click(self, event: events.Click) -> None:
        index = self.index_at(event.x, event.y)
        if index is not None:
            self.post_message(self.Clicked(index))
