"""Output of the non-interactive commands: aligned tables that fit the terminal, and `--json` documents.

Tables: every cell is a farm string made safe (`cuetui.farm.text.safe`), columns are aligned by display
width, and when the terminal is too narrow the least important columns are dropped first, then the one
flexible column (usually a name) is cut with an ellipsis. When stdout is not a terminal (a pipe) and
`COLUMNS` is not set, nothing is dropped: a script grepping the table gets every column.

JSON: `--json` prints exactly one document, a list of objects. A model becomes an object with its
snake_case field names (the proto field names, in proto order) and real numbers; nested stats become
nested objects, string lists become lists. `JsonListWriter` writes such a list item by item, so frames
stream page by page without the whole list being held in memory as well as in the output buffer.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from cuetui.farm.text import safe

GAP = "  "
HARD_MIN_WIDTH = 4


def _model_items(value: Any) -> list[tuple[str, Any]] | None:
    """A model's (attribute, value) pairs in declaration order (a Struct or a NamedTuple), else None."""
    fields = getattr(value, "__struct_fields__", None)
    if fields is not None:
        return [(name, getattr(value, name)) for name in fields]
    fields = getattr(value, "_fields", None)
    if fields is not None and isinstance(value, tuple):
        return list(zip(fields, value, strict=True))
    return None


def to_jsonable(value: Any) -> Any:
    """A model (Struct or NamedTuple), tuple, list or scalar as plain JSON values with snake_case keys."""
    items = _model_items(value)
    if items is not None:
        return {name: to_jsonable(item) for name, item in items}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def _default(value: Any) -> Any:
    """orjson's hook for what it does not know: a model (Struct or NamedTuple) becomes an object."""
    items = _model_items(value)
    if items is not None:
        return dict(items)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


# Characters kept in --json but written as \uXXXX escapes: C1 controls (a terminal may act on them),
# bidi overrides and isolates, zero-width characters and the line/paragraph separators. They can only
# occur inside JSON strings, where the escape means the same character.
_JSON_ESCAPE = re.compile("[\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _nan_as_null(value: Any) -> Any:
    """NaN and infinities as null, as orjson writes them (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_nan_as_null(v) for v in value]
    if isinstance(value, dict):
        return {k: _nan_as_null(v) for k, v in value.items()}
    return value


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(value: Any) -> str:
    """One compact JSON text (no trailing newline); non-ASCII kept as UTF-8 except the characters
    that could steer a terminal or reorder text, which are escaped. Same result as
    `json.dumps(to_jsonable(value))`, several times faster (orjson walks the models itself)."""
    import orjson

    try:
        text = orjson.dumps(value, default=_default).decode("utf-8")
    except TypeError:
        # An integer beyond 64 bits from a hostile gateway: the standard library writes it exactly.
        import json

        text = json.dumps(_nan_as_null(to_jsonable(value)), ensure_ascii=False, separators=(",", ":"), default=str)
    return escape_json(text)


def escape_json(text: str) -> str:
    """JSON text with C1 controls, bidi and zero-width characters written as \\uXXXX (same meaning)."""
    return _JSON_ESCAPE.sub(_escape, text)


class JsonListWriter:
    """Writes one JSON list to `stream` an item at a time: `[`, items separated by `,`, then `]`.

    Use as a context manager; the closing bracket is written even when the producer fails, so the
    output stays one parseable document (an error goes to stderr and the exit status).
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.count = 0
        self._open = False

    def __enter__(self) -> JsonListWriter:
        self.stream.write("[")
        self._open = True
        return self

    def write(self, item: Any) -> None:
        """Append one item (a model or plain JSON value)."""
        self.stream.write(("\n" if self.count == 0 else ",\n") + dumps(item))
        self.count += 1

    def write_all(self, items: Iterable[Any]) -> None:
        """Append every item of `items` (one serializer call for the lot: a page of frames at a time
        costs a fraction of item-by-item writes)."""
        batch = list(items)
        if not batch:
            return
        text = dumps(batch)[1:-1]  # the items, comma-separated, without the list's brackets
        self.stream.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += len(batch)

    def __exit__(self, *exc: object) -> None:
        if self._open:
            self.stream.write("\n]\n" if self.count else "]\n")
            self.stream.flush()
            self._open = False


def print_json_list(items: Iterable[Any], stream: TextIO | None = None) -> int:
    """Print `items` as one JSON list; returns how many were written."""
    with JsonListWriter(stream) as writer:
        writer.write_all(items)
    return writer.count


# --- tables -----------------------------------------------------------------------------------------


def cell_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def cut(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, an ellipsis marking the cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out: list[str] = []
    used = 0
    for ch in text:
        w = 0 if unicodedata.combining(ch) else (2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _head(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text:
        used += _char_width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out)


def _tail(text: str, width: int) -> str:
    return _head(text[::-1], width)[::-1]


# Fewer cells than this of a job name's end say too little (`v012` is four).
_MIN_TAIL = 8


def cut_middle(text: str, width: int) -> str:
    """`text` in at most `width` columns, cut in the middle so that its end stays visible: the end of a
    job name (`…_anim_v012`) tells jobs apart, its start (the show) rarely does. An OpenCue job name
    (`show-shot-user_name`) keeps its shot: the show goes first (`…sh030-rpatel_anim_v012`), then the
    middle (`testing-sh030-…anim_v012`, `…sh030-…v012`)."""
    if cell_width(text) <= width:
        return text
    if width <= 1:
        return cut(text, width)
    parts = text.split("-", 2)
    if len(parts) == 3 and parts[1] and parts[2]:
        show, shot, rest = parts
        without_show = f"…{shot}-"
        if cell_width(without_show) + cell_width(rest) <= width:
            return without_show + rest
        head = f"{show}-{shot}-"
        if cell_width(head) + 1 + _MIN_TAIL <= width:
            return head + "…" + _tail(rest, width - cell_width(head) - 1)
        if cell_width(without_show) + 1 + _MIN_TAIL // 2 <= width:
            return without_show + "…" + _tail(rest, width - cell_width(without_show) - 1)
    room = width - 1
    start = _head(text, room // 2)
    return start + "…" + _tail(text, room - cell_width(start))


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - cell_width(text))
    return fill + text if right else text + fill


@dataclass(frozen=True)
class Column:
    """One table column: a header, how to get the cell text from a row, and how much it matters.

    `priority` 0 columns are never dropped; higher numbers are dropped first when the table is too
    wide. `flexible` marks the column that is cut (with an ellipsis) rather than dropped: down to
    `min_width` before optional columns go, further only when nothing is left to drop. `right` aligns
    numbers to the right.
    """

    header: str
    get: Callable[[Any], object]
    priority: int = 0
    right: bool = False
    flexible: bool = False
    min_width: int = 8
    cut_middle: bool = False  # cut in the middle (job names: the end tells them apart), not at the end


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to fit tables to: COLUMNS, else the terminal's width, else None (a pipe: no limit)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = stream if stream is not None else sys.stdout
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def cells(columns: Sequence[Column], row: Any) -> list[str]:
    """The display text of every column of one row: safe one-line strings."""
    out = []
    for column in columns:
        value = column.get(row)
        out.append("" if value is None else safe(value))
    return out


def fit_columns(columns: Sequence[Column], widths: Sequence[int], width: int | None) -> tuple[list[int], list[int]]:
    """Which columns to keep (indexes, in order) and their widths so the table fits in `width`."""
    keep = list(range(len(columns)))
    sizes = list(widths)
    if width is None:
        return keep, sizes

    def total() -> int:
        return sum(sizes[i] for i in keep) + len(GAP) * max(0, len(keep) - 1)

    flexible = [i for i in keep if columns[i].flexible]
    # Drop optional columns, least important (and rightmost among equals) first, while too wide; but
    # first cut the flexible column to its minimum if that alone would make it fit.
    droppable = sorted((i for i in keep if columns[i].priority > 0), key=lambda i: (-columns[i].priority, -i))
    while total() > width:
        slack = sum(max(0, sizes[i] - columns[i].min_width) for i in flexible if i in keep)
        if total() - slack <= width or not droppable:
            break
        keep.remove(droppable.pop(0))
    # Cut flexible columns to their preferred minimum, then (nothing left to drop) down to a few cells.
    for floor in ("soft", "hard"):
        excess = total() - width
        for i in flexible:
            if excess <= 0 or i not in keep:
                continue
            least = columns[i].min_width if floor == "soft" else min(columns[i].min_width, HARD_MIN_WIDTH)
            shrink = min(excess, max(0, sizes[i] - least))
            sizes[i] -= shrink
            excess -= shrink
    return keep, sizes


def render_table(columns: Sequence[Column], rows: Iterable[Any], width: int | None = None) -> list[str]:
    """The table as lines (header first), fitted to `width` columns of terminal (None: no limit)."""
    grid = [cells(columns, row) for row in rows]
    return render_cells(columns, grid, width)


def render_cells(columns: Sequence[Column], grid: Sequence[Sequence[str]], width: int | None = None) -> list[str]:
    """Like render_table, for rows already turned into cell texts (see `cells`)."""
    widths = [cell_width(c.header) for c in columns]
    for row in grid:
        for i, text in enumerate(row):
            w = cell_width(text)
            if w > widths[i]:
                widths[i] = w
    keep, sizes = fit_columns(columns, widths, width)
    lines = []
    for row in [[c.header for c in columns], *grid]:
        parts = [
            _pad((cut_middle if columns[i].cut_middle else cut)(row[i], sizes[i]), sizes[i], columns[i].right)
            for i in keep
        ]
        line = GAP.join(parts).rstrip()
        if width is not None and cell_width(line) > width:
            line = cut(line, width)
        lines.append(line)
    return lines


def print_table(
    columns: Sequence[Column], rows: Iterable[Any], stream: TextIO | None = None, width: int | None = -1
) -> int:
    """Print rows as an aligned table fitted to the terminal; returns the number of rows.

    `width` -1 (the default) means "ask the terminal"; None means no limit.
    """
    stream = stream if stream is not None else sys.stdout
    if width == -1:
        width = terminal_width(stream)
    grid = [cells(columns, row) for row in rows]
    for line in render_cells(columns, grid, width):
        stream.write(line + "\n")
    stream.flush()
    return len(grid)
