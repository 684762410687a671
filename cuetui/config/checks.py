"""Value checks: each takes (value, key path, file) and returns the clean value or raises a ConfigError."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cuetui.config.settings import MAX_URL_LENGTH, MIN_TOKEN_TTL
from cuetui.config.source import _File, _NotAString, _show
from cuetui.config.toml_lines import _dotted
from cuetui.gateway.credentials import Secret

Check = Callable[[Any, tuple[str, ...], _File], Any]


def _string(value: Any, path: tuple[str, ...], f: _File) -> str:
    if not isinstance(value, str):
        raise f.bad_type(path, value, "a string")
    if not value.strip():
        raise f.error(path, "must not be empty")
    return value


def _boolean(value: Any, path: tuple[str, ...], f: _File) -> bool:
    if not isinstance(value, bool):
        raise f.bad_type(path, value, "true or false")
    return value


def _positive_number(value: Any, path: tuple[str, ...], f: _File) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise f.bad_type(path, value, "a number")
    if not math.isfinite(value) or value <= 0:
        raise f.error(path, f"must be a positive number of seconds, got {_show(value)}")
    return float(value)


def _megabytes(value: Any, path: tuple[str, ...], f: _File) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise f.bad_type(path, value, "a number")
    if not math.isfinite(value) or value < 1:
        raise f.error(path, f"must be a number of megabytes of at least 1, got {_show(value)}")
    return float(value)


def _percent(value: Any, path: tuple[str, ...], f: _File) -> float:
    number = _positive_number(value, path, f)
    if number > 100:
        raise f.error(path, f"must be a percentage between 0 and 100, got {_show(value)}")
    return number


def _ttl(value: Any, path: tuple[str, ...], f: _File) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise f.bad_type(path, value, "a whole number of seconds")
    if value < MIN_TOKEN_TTL:
        raise f.error(path, f"must be at least {MIN_TOKEN_TTL} seconds, got {value}")
    return value


def _string_list(value: Any, path: tuple[str, ...], f: _File) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        example = f'{path[-1]} = ["{value}"]' if isinstance(value, str) else f'{path[-1]} = ["a", "b"]'
        raise f.bad_type(path, value, f"a list of non-empty strings, e.g. {example}")
    return tuple(value)


def _path(value: Any, path: tuple[str, ...], f: _File) -> Path:
    text = _string(value, path, f)
    resolved = Path(text).expanduser()
    if not resolved.is_absolute():
        resolved = f.path.parent / resolved  # relative to the config file, not to the current directory
    return resolved


def _pairs(value: Any, path: tuple[str, ...], f: _File) -> tuple[tuple[str, str], ...]:
    expected = 'a list of [from, to] prefix pairs, e.g. log_path_map = [["/net/logs", "/Volumes/logs"]]'
    if not isinstance(value, list):
        raise f.bad_type(path, value, expected)
    pairs = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(p, str) and p for p in item)):
            raise f.error(path, f"must be {expected}")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _regex_pairs(value: Any, path: tuple[str, ...], f: _File) -> tuple[tuple[str, str], ...]:
    expected = 'a list of [regex, placeholder] pairs, e.g. patterns = [["shot_\\\\w+", "<shot>"]]'
    if not isinstance(value, list):
        raise f.bad_type(path, value, expected)
    pairs = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(p, str) for p in item) and item[0]):
            raise f.error(path, f"must be {expected}")
        try:
            re.compile(item[0])
        except re.error as exc:
            bad = json.dumps(item[0])
            raise f.error(path, f"holds {bad}, which is not a valid regular expression: {exc}") from None
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _choice(*allowed: str) -> Check:
    """A check that the value is one of `allowed` strings."""
    names = ", ".join(json.dumps(a) for a in allowed)

    def check(value: Any, path: tuple[str, ...], f: _File) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise f.bad_type(path, value, f"one of {names}")
        return value

    return check


def _gateway_url(value: Any, path: tuple[str, ...], f: _File) -> str:
    if not isinstance(value, str):
        raise f.bad_type(path, value, "a string")
    try:
        return validate_gateway_url(value)
    except ValueError as exc:
        raise f.error(path, str(exc)) from None


def _any_url(value: Any, path: tuple[str, ...], f: _File) -> str:
    if not isinstance(value, str):
        raise f.bad_type(path, value, "a string")
    try:
        return validate_gateway_url(value, allow_path=True)
    except ValueError as exc:
        raise f.error(path, str(exc)) from None


def _secret(value: Any, path: tuple[str, ...], f: _File) -> Secret:
    if isinstance(value, _NotAString):
        raise f.error(path, f"must be a string, got {value.kind}")
    if not isinstance(value, Secret):
        raise f.bad_type(path, value, "a string")
    if not value.reveal().strip():
        raise f.error(path, "must not be empty")
    return Secret(value.reveal().strip())


def validate_gateway_url(raw: str, allow_path: bool = False) -> str:
    """The URL without a trailing slash, or ValueError saying what is wrong and what to write instead."""
    url = raw.strip()
    if not url:
        raise ValueError("must not be empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(url)} characters long; a gateway URL has at most {MAX_URL_LENGTH}")
    if "://" not in url:
        # json.dumps escapes a newline or control character typed into the value: one line, as every error.
        raise ValueError(f"must start with http:// or https://, e.g. http://{json.dumps(url.lstrip('/'))[1:-1]}")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"must start with http:// or https://, not {parts.scheme}://")
    if "@" in parts.netloc:
        # Never echo it: the part before @ may be a password.
        raise ValueError("must not hold a user name or password (the gateway authenticates with a JWT)")
    if not parts.hostname:
        raise ValueError(f"has no host name: {json.dumps(url)}")
    if len(parts.hostname) > 253 or any(len(label) > 63 for label in parts.hostname.split(".")):
        raise ValueError("has a host name longer than DNS allows (63 characters a label, 253 in all)")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"has a bad port: {json.dumps(url)}") from None
    if parts.query or parts.fragment:
        raise ValueError(f"must not have a query or fragment: {json.dumps(url)}")
    path = parts.path.rstrip("/")
    if path and not allow_path:
        base = f"{parts.scheme.lower()}://{parts.netloc}"
        raise ValueError(f"must not have a path ({path}): the gateway serves every call at the root, use {base}")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def _check_layer(
    f: _File,
    table: Mapping[str, Any],
    prefix: tuple[str, ...],
    allowed: Mapping[str, Check],
    warnings: list[str],
    misplaced: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate the known keys of one table; warn about unknown ones (with a did-you-mean)."""
    clean: dict[str, Any] = {}
    for key, value in table.items():
        path = (*prefix, key)
        if key in allowed:
            clean[key] = allowed[key](value, path, f)
        elif key in misplaced:
            warnings.append(
                f"{f.where(path)}: {_dotted(path)} is only read at the top of the file (not in a farm section); ignored"
            )
        else:
            close = difflib.get_close_matches(key, list(allowed) + list(misplaced), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"{f.where(path)}: unknown key {_dotted(path)}{hint}; ignored")
    return clean


def _table(f: _File, value: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise f.bad_type(path, value, f"a table ([{_dotted(path)}])")
    return value


def _keymap(f: _File, value: Any) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for action, keys in _table(f, value, ("keymap",)).items():
        path = ("keymap", action)
        if isinstance(keys, str):
            keys = [keys]
        if not (isinstance(keys, list) and keys and all(isinstance(k, str) and k.strip() for k in keys)):
            raise f.bad_type(path, keys, 'a key or a list of keys, e.g. "ctrl+k" or ["K", "f8"]')
        keymap[action] = ",".join(k.strip() for k in keys)
    return keymap
