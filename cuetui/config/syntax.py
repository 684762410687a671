"""TOML syntax errors rewritten as one line naming the file, the line and the key."""

from __future__ import annotations

import re
from pathlib import Path

from cuetui.config.errors import ConfigError
from cuetui.config.toml_lines import _dotted, _KeyLines

_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _syntax_error(path: Path, text: str, exc: Exception) -> ConfigError:
    # tomllib's messages hold no text from the file, so they are safe to show; the key is found by line.
    message = str(exc.args[0]) if exc.args else str(exc)
    keys = _KeyLines.scan(text)
    line: int | None = None
    column = ""
    if message.startswith("Cannot overwrite") and keys.duplicates:
        dup_path, line = keys.duplicates[0]
        return ConfigError(f"{path} line {line}: {_dotted(dup_path)} is set twice (TOML syntax)")
    m = _AT_LINE.search(message)
    if m:
        line, column = int(m.group(1)), f" (column {m.group(2)})"
        message = message[: m.start()]
    elif _AT_END.search(message):
        message = message[: _AT_END.search(message).start()]  # type: ignore[union-attr]
        if message.startswith("Unterminated string") and keys.unterminated:
            line = keys.unterminated
        else:
            column = " (at end of file)"
    if line is not None and line == keys.unterminated and message.startswith("Illegal character '\\n'"):
        message, column = "unterminated string (a closing quote is missing)", ""
    message = message[:1].lower() + message[1:]
    key = keys.key_at(line) if line else None
    where = f"{path} line {line}" if line else f"{path}"
    hint = ""
    if key is not None and message.startswith("invalid value"):
        hint = f'; strings need quotes: {_dotted(key[-1:])} = "…"'
    subject = f"{_dotted(key)}: " if key is not None else ""
    return ConfigError(f"{where}: {subject}TOML syntax error: {message}{column}{hint}")
