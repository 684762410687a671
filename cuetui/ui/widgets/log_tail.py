"""The last lines of a frame's log, for views that show a log beside a table (dead-frame triage) or
one line of it in a column (stuck frames).

`read_log_tail` (`cuetui.farm.log_tail`, no Textual) finds and reads the tail and never raises;
`LogTail` renders lines as plain Text (log lines are data, never markup), wrapped to the panel's width,
with the first error line highlighted by a theme style.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from cuetui.farm.log_tail import TAIL_BYTES, TAIL_LINES, TailRead, read_log_tail
from cuetui.farm.text import safe

__all__ = ["TAIL_BYTES", "TAIL_LINES", "LogTail", "TailRead", "read_log_tail"]

# Lines shown above the first error line when the panel scrolls to it.
ERROR_CONTEXT = 3
# A line of one repeated character (RQD's `=====` bars) is shown this long at most.
RULE_WIDTH = 40
_RULE = re.compile(r"^(\S)\1{" + str(RULE_WIDTH) + ",}$")


class LogTail(Vertical):
    """A title line over a scrollable panel of wrapped log lines, scrolled to the first error line (a
    few lines of context above it) or to the end when none."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"log-tail--error", "log-tail--dim"}
    DEFAULT_CSS = """
    LogTail > .log-tail--error { color: $error; text-style: bold reverse; }
    LogTail > .log-tail--dim { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: TailRead | None = None  # what is on screen (tests and the highlighted line)
        # Its parts are made here and kept, not looked up: a log read that ends while the panel is being
        # composed or torn down (the app quitting) then updates widgets off screen instead of raising.
        self._title = Static("", id="log-tail-title", markup=False)
        self._text = Static("", id="log-tail-text", markup=False)
        self._scroll = VerticalScroll(id="log-tail-scroll")

    @property
    def error_line(self) -> str | None:
        """The highlighted first error line, if one is shown."""
        tail = self.shown
        if tail is None or tail.error_index is None:
            return None
        return tail.lines[tail.error_index]

    def compose(self) -> ComposeResult:
        yield self._title
        with self._scroll:
            yield self._text

    def show_message(self, title: str, message: str) -> None:
        """A title and a dim message instead of lines (nothing selected, loading, unreadable)."""
        self.shown = None
        self._title.update(Text(safe(title)))
        self._text.update(
            Text("\n".join(safe(m) for m in message.split("\n")), style=self.get_component_rich_style("log-tail--dim"))
        )
        self._scroll.scroll_home(animate=False)

    def show_tail(self, title: str, tail: TailRead) -> None:
        """The tail's lines, the first error line highlighted and scrolled into view."""
        if tail.problem:
            self.show_message(title, tail.problem)
            return
        if not tail.lines:
            self.show_message(title, f"{tail.path}\n(the log is empty)")
            return
        self.shown = tail
        error_style = self.get_component_rich_style("log-tail--error")
        # `fold`: a path or a URL longer than the panel breaks anywhere rather than being cut off.
        text = Text(overflow="fold")
        for i, line in enumerate(tail.lines):
            if i:
                text.append("\n")
            if _RULE.match(line):
                line = line[:RULE_WIDTH]  # RQD's `=====` bars are decoration: never worth a wrapped stub
            text.append(line, style=error_style if i == tail.error_index else "")
        self._title.update(Text(safe(title)))
        self._text.update(text)
        scroll = self._scroll
        if tail.error_index is not None:
            # A few lines of context above the error, then the error and what follows it. Lines wrap,
            # so where the error starts is known only once the panel's width is.
            scroll.call_after_refresh(self._scroll_to_line, max(0, tail.error_index - ERROR_CONTEXT))
        else:
            scroll.call_after_refresh(scroll.scroll_end, animate=False)

    def wrapped_row(self, index: int) -> int:
        """The screen row (from the top of the text) where log line `index` starts, lines wrapped."""
        tail = self.shown
        width = self._text.content_size.width
        if tail is None or width <= 0:
            return index
        console = self.app.console
        lines = (line[:RULE_WIDTH] if _RULE.match(line) else line for line in tail.lines[:index])
        return sum(len(Text(line, overflow="fold").wrap(console, width)) for line in lines)

    def _scroll_to_line(self, index: int) -> None:
        self._scroll.scroll_to(y=self.wrapped_row(index), animate=False)
