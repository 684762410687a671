"""Where keys are in a TOML text: line numbers of headers and keys, keys set twice, unclosed strings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Where keys are in the file: TOML parsers give values, not positions, so scan the text for
# `[section]` headers and `key =` lines. Good enough for hand-written config; a key the scan cannot
# place (inside an inline table) is reported at its nearest placed parent.

_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEYVAL_RE = re.compile(rf"^\s*({_DOTTED})\s*=(.*)$")
_PART_RE = re.compile(rf"\s*({_KEY_PART})\s*(?:\.|$)")
_BARE_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = []
    for m in _PART_RE.finditer(dotted):
        raw = m.group(1)
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = raw[1:-1]
        elif raw.startswith("'"):
            raw = raw[1:-1]
        parts.append(raw)
    return tuple(parts)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(p if _BARE_RE.match(p) else json.dumps(p) for p in path)


@dataclass
class _KeyLines:
    """Line numbers (1-based) of headers and keys in a TOML text, and keys defined twice."""

    lines: dict[tuple[str, ...], int]
    duplicates: list[tuple[tuple[str, ...], int]]
    unterminated: int | None  # first line with a single-line string left open

    @classmethod
    def scan(cls, text: str) -> _KeyLines:
        lines: dict[tuple[str, ...], int] = {}
        duplicates: list[tuple[tuple[str, ...], int]] = []
        unterminated: int | None = None
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER_RE.match(line)
            if header:
                table = _split_key(header.group(1))
                lines.setdefault(table, number)
                continue
            keyval = _KEYVAL_RE.match(line)
            if not keyval:
                continue
            path = table + _split_key(keyval.group(1))
            if path in lines:
                duplicates.append((path, number))
            else:
                lines[path] = number
            value = keyval.group(2)
            for delim in ('"""', "'''"):
                if value.count(delim) % 2 == 1:
                    in_multiline = delim
                    break
            else:
                if unterminated is None and _open_string(value):
                    unterminated = number
        return cls(lines, duplicates, unterminated)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def key_at(self, number: int) -> tuple[str, ...] | None:
        for path, line in self.lines.items():
            if line == number:
                return path
        return None


def _open_string(value: str) -> bool:
    """Whether a one-line TOML value leaves a "…" or '…' string unclosed (comments ignored)."""
    quote: str | None = None
    i = 0
    while i < len(value):
        ch = value[i]
        if quote is None:
            if ch == "#":
                return False
            if ch in "\"'":
                quote = ch
        elif ch == "\\" and quote == '"':
            i += 1
        elif ch == quote:
            quote = None
        i += 1
    return quote is not None
