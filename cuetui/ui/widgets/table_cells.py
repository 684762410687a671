"""One table cell as a line of segments: a rich Text padded, justified, cut and styled to its column.

The farm tables draw their rows themselves (Textual's line API: `render_line` returns a `Strip`), so
this is where a cell's `Text` becomes what the terminal shows. The result is the one rich's own
renderer gives for the same cell inside `Padding` with a style before and after it (what a table
widget of cells does); the common case (one line of text whose every character is one cell wide) takes a
short path that is five times quicker, the rest goes through rich's renderer. A test checks both give
the same segments.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

_NULL = Style.null()
_JOIN = Text("\n")


class _Sandwich:
    """`renderable` with `pre` applied under each segment's own style and `post` over it."""

    def __init__(self, renderable: Padding, pre: Style, post: Style) -> None:
        self.renderable = renderable
        self.pre = pre
        self.post = post

    def __rich_console__(self, console: Console, options: object) -> object:
        return Segment.apply_style(console.render(self.renderable, options), self.pre, self.post)  # type: ignore[arg-type]


def reference_segments(
    console: Console, cell: Text, width: int, padding: int, pre: Style, post: Style
) -> list[Segment]:
    """The cell drawn by rich's renderer: `padding` blanks each side, `width` cells in all."""
    options = console.options.update_dimensions(width, 1).update(no_wrap=True)
    lines = console.render_lines(_Sandwich(Padding(cell, (0, padding)), pre, post), options)  # type: ignore[arg-type]
    return list(lines[0]) if lines else [Segment(" " * width, pre + post if post else pre)]


def _simple(cell: Text) -> bool:
    plain = cell.plain
    return plain.isascii() and plain.isprintable() and cell.no_wrap is not False


def cell_segments(console: Console, cell: Text, width: int, padding: int, pre: Style, post: Style) -> list[Segment]:
    """The segments of `cell` in a column `width` cells wide (padding included), as `reference_segments`."""
    inner = width - 2 * padding
    if inner <= 0 or not _simple(cell):
        return reference_segments(console, cell, width, padding, pre, post)
    lines = cell.wrap(console, inner, justify=cell.justify or "default", overflow=cell.overflow or "fold", no_wrap=True)
    if len(lines) != 1:
        return reference_segments(console, cell, width, padding, pre, post)
    line = lines[0]
    used = len(line.plain)
    if used > inner:
        return reference_segments(console, cell, width, padding, pre, post)
    segments: list[Segment] = []
    if padding:
        segments.append(Segment(" " * padding, _NULL))
    segments.extend(_JOIN.join(lines).render(console, end=""))
    if used < inner:
        segments.append(Segment(" " * (inner - used), _NULL))
    if padding:
        segments.append(Segment(" " * padding, _NULL))
    return list(Segment.apply_style(segments, pre, post or None))
