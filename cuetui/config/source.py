"""A parsed config file: its data with every secret wrapped, and messages that point at a line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cuetui.config.errors import ConfigError
from cuetui.config.toml_lines import _dotted, _KeyLines
from cuetui.gateway.credentials import Secret

# Keys whose values are secrets: wrapped as soon as the file is parsed, never shown in a message.
SECRET_KEYS = ("token", "secret")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def _show(value: Any) -> str:
    """A bad value for a message: short, and only for keys that are not secrets (callers check)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = json.dumps(value)
        return shown if len(shown) <= 42 else shown[:40] + '…"'
    if isinstance(value, (int, float)):
        return repr(value)
    return _kind(value)


class _File:
    """A loaded config file: its parsed data plus what is needed to point at a line in messages."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.keys = _KeyLines.scan(text)

    def where(self, path: tuple[str, ...]) -> str:
        line = self.keys.line_of(path)
        return f"{self.path} line {line}" if line else f"{self.path}"

    def error(self, path: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(f"{self.where(path)}: {_dotted(path)} {message}")

    def bad_type(self, path: tuple[str, ...], value: Any, expected: str) -> ConfigError:
        got = _kind(value) if path[-1] in SECRET_KEYS else _show(value)
        return self.error(path, f"must be {expected}, got {got}")


class _NotAString:
    """Stands in for a token/secret of the wrong type, so the value itself is not kept around."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _hide_secrets(data: dict[str, Any]) -> None:
    """Wrap every token/secret value as soon as the file is parsed, so that no dict or local variable met
    later (a traceback that shows locals, a debugger) holds one in the clear."""
    tables = [data]
    farms = data.get("farms")
    if isinstance(farms, dict):
        tables += [t for t in farms.values() if isinstance(t, dict)]
    for table in tables:
        for key in SECRET_KEYS:
            if key in table:
                value = table[key]
                table[key] = Secret(value) if isinstance(value, str) else _NotAString(_kind(value))
