"""Frame ranges as Cuebot's frame sets spell them: `7`, `1-100`, `1-100x3` (every 3rd), `1-100y3` (all
but every 3rd), `1-100:4` (interleaved: every 4th, then every 2nd, then the rest), and lists of these
joined by commas (`1,5,9`, `1-10,20-30x2`). Pure: a person's text in, the frame numbers out, or a
ValueError that says what is wrong in one line, before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# More frames than any job holds: a typo like 1-1000000000 is refused instead of expanded.
MAX_FRAMES = 1_000_000

_ITEM = re.compile(r"^(-?\d+)(?:-(-?\d+)(?:([xy:])(\d+))?)?$")


@dataclass(frozen=True)
class FrameRange:
    """A parsed frame set: `text` as it is sent to Cuebot (no spaces), `numbers` in the set's order."""

    text: str
    numbers: tuple[int, ...]

    def __contains__(self, number: object) -> bool:
        return number in self._set

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def _set(self) -> frozenset[int]:
        return frozenset(self.numbers)


def _span(start: int, end: int, step: int = 1) -> list[int]:
    """start..end inclusive, descending when end < start."""
    if end >= start:
        return list(range(start, end + 1, step))
    return list(range(start, end - 1, -step))


def _interleave(start: int, end: int, step: int) -> list[int]:
    """Every `step`th frame, then every step/2th not yet taken, ... down to every frame."""
    out: list[int] = []
    seen: set[int] = set()
    while True:
        for n in _span(start, end, step):
            if n not in seen:
                seen.add(n)
                out.append(n)
        if step == 1:
            return out
        step = max(1, step // 2)


def _item(text: str) -> list[int]:
    match = _ITEM.fullmatch(text)
    if match is None:
        raise ValueError(f"bad frame range {text[:40]!r}: use 7, 1-100, 1-100x3 or 1,5,9")
    first, last, kind, step_text = match.groups()
    start = int(first)
    if last is None:
        return [start]
    end = int(last)
    if abs(end - start) + 1 > MAX_FRAMES:
        raise ValueError(f"frame range {text[:40]!r} holds more than {MAX_FRAMES:,} frames")
    if kind is None:
        return _span(start, end)
    step = int(step_text)
    if step <= 0:
        raise ValueError(f"bad frame range {text[:40]!r}: the step must be at least 1")
    if kind == "x":
        return _span(start, end, step)
    if kind == "y":
        skipped = set(_span(start, end, step))
        return [n for n in _span(start, end) if n not in skipped]
    return _interleave(start, end, step)


def parse_frame_range(text: str) -> FrameRange:
    """The frame set a person typed; ValueError for an empty or malformed one (nothing to send)."""
    cleaned = "".join(str(text).split())
    if not cleaned.replace(",", ""):
        raise ValueError("an empty frame range: give frame numbers like 1-100, 1-100x3 or 1,5,9")
    numbers: list[int] = []
    seen: set[int] = set()
    for part in cleaned.split(","):
        if not part:
            raise ValueError(f"bad frame range {cleaned[:40]!r}: an empty item between commas")
        for n in _item(part):
            if n not in seen:
                seen.add(n)
                numbers.append(n)
        if len(numbers) > MAX_FRAMES:
            raise ValueError(f"frame range {cleaned[:40]!r} holds more than {MAX_FRAMES:,} frames")
    return FrameRange(cleaned, tuple(numbers))


@dataclass(frozen=True)
class FramesCommand:
    """`:retry RANGE`, `:eat RANGE`, `:kill RANGE`, `:reorder RANGE ORDER`, `:stagger RANGE N`, checked."""

    name: str
    frames: FrameRange
    order: str = ""
    increment: int = 0


def parse_frames_command(name: str, arg: str) -> FramesCommand:
    """The frame range (and order or increment) of a `:` frames command; ValueError says what is wrong."""
    words = arg.split()
    expected = {"reorder": 2, "stagger": 2}.get(name, 1)
    usage = {"reorder": ":reorder RANGE first|last|reverse", "stagger": ":stagger RANGE N"}.get(name, f":{name} RANGE")
    if len(words) != expected:
        raise ValueError(f"usage: {usage} (RANGE like 1-100, 1-100x3 or 1,5,9, without spaces)")
    frames = parse_frame_range(words[0])
    if name == "reorder":
        order = words[1].upper()
        if order not in ("FIRST", "LAST", "REVERSE"):
            raise ValueError(f"usage: {usage}")
        return FramesCommand(name, frames, order=order)
    if name == "stagger":
        if not words[1].isascii() or not words[1].isdigit() or int(words[1]) < 1:
            raise ValueError(f"usage: {usage} (N a whole number of at least 1)")
        return FramesCommand(name, frames, increment=int(words[1]))
    return FramesCommand(name, frames)
