"""SteadyStatic: a Static that ignores an update with what it already shows.

Textual's `Static.update` always repaints the widget and lays out its parent again, even with the same
content. A screen that sets its header lines at every poll therefore rewrote them (and the scrollbars
the relayout touched) at every poll: on the job screen, polled every 2 s, ~3 KB per poll to the
terminal with nothing changed (bench/bench_idle.py).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


def _key(content: object) -> Any:
    """What decides whether two contents look the same (None: never assume they do)."""
    if isinstance(content, str):
        return ("str", content)
    if isinstance(content, Text):
        spans = tuple((s.start, s.end, str(s.style)) for s in content.spans)
        options = (content.justify, content.overflow, content.no_wrap, content.end, content.tab_size)
        return ("text", content.plain, str(content.style), spans, options)
    return None


class SteadyStatic(Static):
    """A Static whose `update()` does nothing when the new content equals the shown one."""

    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._steady_key = _key(content)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        key = _key(content)
        if key is not None and key == self._steady_key:
            return
        self._steady_key = key
        super().update(content, layout=layout)
