"""LogView: a scrolling view over a list of log lines, rendered as plain text one line at a time.

Lines arrive already cleaned (`cuetui.farm.logs`); here they become `rich.text.Text` (never markup),
with search matches highlighted. Lines can be appended (follow mode: the view sticks to the end when
it was there) and prepended (older text read on demand: the view keeps showing the same lines).
Scrolling to the very top asks the screen for earlier text with a `NeedEarlier` message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cuetui.farm.logs import match_spans
from cuetui.ui.widgets.states import component_style


class LogView(ScrollView, can_focus=True):
    """Plain-text lines with search highlighting (see the module docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--match",
        "log-view--current",
        "log-view--notice",
    }

    class NeedEarlier(Message):
        """The view is scrolled to its first line and earlier text may exist."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[str] = []
        self.needle = ""
        self.current: int | None = None  # the line of the current search match
        self.notice = False  # lines are a message (e.g. "cannot read"), not log text
        self.more_above = False  # earlier text exists that is not loaded
        self._width = 0

    # --- content -------------------------------------------------------------------------------------

    def set_lines(self, lines: Sequence[str], *, notice: bool = False, at_end: bool = True) -> None:
        """Replace everything; scroll to the end (or the start)."""
        self.lines = list(lines)
        self.notice = notice
        self.current = None
        self._width = max((len(line) for line in self.lines), default=0)
        self._resize()
        # The end is pinned with Textual's anchor: every layout puts the view back at the end (a
        # horizontal scrollbar that appears takes a line) until the user scrolls away.
        if at_end:
            self.anchor()
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.anchor(False)
            self.scroll_home(animate=False, immediate=True, x_axis=False, force=True)  # short text too
        self.refresh()

    def append(self, lines: Sequence[str], *, replace_last: bool = False) -> None:
        """Add lines at the end (the last line replaced first when it was incomplete); follows the end
        when the view was showing it."""
        if not lines and not replace_last:
            return
        stick = self.at_end
        if replace_last and self.lines:
            self.lines.pop()
        self.lines.extend(lines)
        self._width = max(self._width, max((len(line) for line in lines), default=0))
        self._resize()
        if stick:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def prepend(self, lines: Sequence[str]) -> None:
        """Add older lines at the top, keeping the same lines on screen."""
        if not lines:
            return
        self.lines[:0] = lines
        if self.current is not None:
            self.current += len(lines)
        self._width = max(self._width, max((len(line) for line in lines), default=0))
        self._resize()
        self.scroll_to(y=self.scroll_y + len(lines), animate=False, immediate=True)
        self.refresh()

    # Textual allows a scroll only once a layout has shown the scrollbar, so a scroll asked for between
    # new lines and the next layout (opening at the end, a search hit, a key) was silently dropped, or
    # not, depending on which came first. The lines say at once whether there is anything to scroll.
    @property
    def allow_vertical_scroll(self) -> bool:
        return not (self.disabled or self.loading) and self.max_scroll_y > 0

    @property
    def allow_horizontal_scroll(self) -> bool:
        return not (self.disabled or self.loading) and self.max_scroll_x > 0

    @property
    def at_end(self) -> bool:
        """True when the last line is on screen."""
        return self.scroll_y >= self.max_scroll_y - 0.5

    def _resize(self) -> None:
        self.virtual_size = Size(self._width + 1, len(self.lines))

    # --- search ---------------------------------------------------------------------------------------

    def set_search(self, needle: str) -> None:
        """Highlight every occurrence of `needle` (case-insensitive)."""
        if needle != self.needle:
            self.needle = needle
            self.refresh()

    def show_line(self, index: int) -> None:
        """Make line `index` the current match and scroll it into the middle of the view."""
        self.current = index
        top = max(0, index - self.size.height // 2)
        self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()

    @property
    def middle_line(self) -> int:
        """The line in the middle of the view (where a search starts from)."""
        return int(self.scroll_y) + self.size.height // 2

    # --- scrolling -------------------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value <= 0 and old_value > 0 and self.more_above:
            self.post_message(self.NeedEarlier())

    def action_scroll_up(self) -> None:
        if self.scroll_y <= 0 and self.more_above:
            self.post_message(self.NeedEarlier())
        super().action_scroll_up()

    # --- rendering -------------------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return component_style(self, f"log-view--{name}")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        text = Text(line, no_wrap=True, end="")
        text.stylize(base)  # as a span: Text(style=...) would not reach the rendered segments
        if self.notice:
            text.stylize(self._style("notice"))
        if self.needle:
            match = self._style("match")
            for start, end in match_spans(line, self.needle):
                text.stylize(match, start, end)
        if index == self.current:
            text.stylize(self._style("current"))
        segments = list(text.render(self.app.console))
        strip = Strip(segments, text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
