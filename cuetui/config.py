"""Configuration: defaults, the TOML file, environment and command-line flags merged into one `Settings`.

Sources, lowest to highest: built-in defaults; the TOML file (`--config PATH`, else
`platformdirs.user_config_dir("cuetui")/config.toml`), whose top-level keys apply to every farm and whose
`[farms.NAME]` section for the chosen farm overrides them; the environment (`OPENCUE_REST_GATEWAY_URL`,
`JWT_TOKEN`, `JWT_SECRET`, `CUETUI_FARM`); the command-line flags (`--url`, `--farm`, `--read-only`,
`--refresh`, `--user`, `--show`). `config.example.toml` documents every key.

A bad config is one `ConfigError` line naming the file, the line and the key; an unknown key is a warning in
`Settings.warnings`. A secret or token is held in a `Secret` and never appears in a message or a repr.
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import hmac
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from cuetui.safefile import read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_FARM = "default"
DEFAULT_REFRESH = 5.0
DEFAULT_FRAME_REFRESH = 2.0
DEFAULT_TOKEN_TTL = 3600
MIN_TOKEN_TTL = 60
DEFAULT_STUCK_MIN_SILENCE = 600.0
DEFAULT_STUCK_PERCENT_OF_RUNTIME = 50.0
MAX_URL_LENGTH = 2048
MAX_CONFIG_BYTES = 1024 * 1024  # a config file; anything bigger is not one
MAX_SECRET_FILE_BYTES = 64 * 1024  # a secret_file / token_file holds one line
DEFAULT_REQUEST_DEADLINE = 10.0  # seconds for one whole request (send + the whole answer)
DEFAULT_MAX_ANSWER_MB = 128.0  # decompressed size of one answer

ENV_URL = "OPENCUE_REST_GATEWAY_URL"
ENV_TOKEN = "JWT_TOKEN"
ENV_SECRET = "JWT_SECRET"
ENV_FARM = "CUETUI_FARM"


class ConfigError(Exception):
    """A configuration the user must fix: one line, `config error: FILE line N: KEY …`; never a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("config error:") else f"config error: {message}")


class Secret:
    """A JWT secret or token. `repr`/`str`/`format` give `***`; `.reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: pass it straight to the code that needs it, never to a message."""
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class StuckRule:
    """When a running frame counts as stuck: its log silent for `min_silence` seconds and for at least
    `percent_of_runtime` % of its runtime so far."""

    min_silence: float = DEFAULT_STUCK_MIN_SILENCE
    percent_of_runtime: float = DEFAULT_STUCK_PERCENT_OF_RUNTIME


def _empty_map() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Settings:
    """Everything cuetui needs to know about the chosen farm and the user's preferences, resolved."""

    farm: str = DEFAULT_FARM
    url: str | None = None
    token: Secret | None = None
    secret: Secret | None = None
    token_file: Path | None = None
    secret_file: Path | None = None
    shows: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    refresh: float = DEFAULT_REFRESH
    frame_refresh: float = DEFAULT_FRAME_REFRESH
    read_only: bool = False
    verify: bool = True
    ca_bundle: Path | None = None
    log_path_map: tuple[tuple[str, str], ...] = ()
    loki_url: str | None = None
    bell: bool = False
    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=_empty_map)
    token_ttl: int = DEFAULT_TOKEN_TTL
    user: str = ""
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    max_answer_mb: float = DEFAULT_MAX_ANSWER_MB
    stuck_min_silence: float = DEFAULT_STUCK_MIN_SILENCE
    stuck_percent_of_runtime: float = DEFAULT_STUCK_PERCENT_OF_RUNTIME
    stuck_services: Mapping[str, StuckRule] = field(default_factory=_empty_map)
    stuck_exclude_jobs: tuple[str, ...] = ()
    farms: tuple[str, ...] = ()
    # True when the token comes from a higher-precedence source than the secret (e.g. JWT_TOKEN over a
    # secret in the file); then the fixed token is used although a secret is at hand.
    prefer_token: bool = False
    config_path: Path | None = None
    warnings: tuple[str, ...] = ()
    # Where each resolved value came from ("env JWT_SECRET", "--url", "farms.prod.url in FILE line 4").
    sources: Mapping[str, str] = field(default_factory=_empty_map)

    @property
    def auth_kind(self) -> str:
        """How requests are authenticated: "minted" (from the secret), "fixed" (the token) or "none".

        When both are set, the one from the higher-precedence source wins; on a tie the secret, because a
        minted token can be renewed and a fixed one cannot.
        """
        if self.secret and not (self.token and self.prefer_token):
            return "minted"
        return "fixed" if self.token else "none"

    def stuck_rule(self, service: str | None = None) -> StuckRule:
        """The stuck-frame thresholds for frames of this service (per-service override, else the default)."""
        default = StuckRule(self.stuck_min_silence, self.stuck_percent_of_runtime)
        if service is None:
            return default
        return self.stuck_services.get(service, default)

    def require_url(self) -> str:
        """The gateway URL, or a ConfigError telling the user where to set it."""
        if self.url:
            return self.url
        where = f"url in [farms.{self.farm}] of {self.config_path}" if self.config_path else "url in a config"
        raise ConfigError(f"no gateway URL: pass --url, set {ENV_URL}, or set {where}")

    def tls_verify(self) -> Any:
        """What httpx's `verify=` wants: False, True (system CAs) or an SSLContext over `ca_bundle`."""
        if not self.verify:
            return False
        if self.ca_bundle is not None:
            import ssl

            return ssl.create_default_context(cafile=str(self.ca_bundle))
        return True


def map_log_path(path: str, mapping: tuple[tuple[str, str], ...]) -> str:
    """Rewrite a frame log path as the render nodes see it to the path on this machine; first match wins."""
    for src, dst in mapping:
        root = src.rstrip("/")  # "/net/logs/" and "/net/logs" mean the same; "/net/logs2" does not match
        if path == root or path.startswith(root + "/"):
            rest = path[len(root) :]
            return dst.rstrip("/") + rest if rest else (dst.rstrip("/") or "/")
    return path


def default_config_path() -> Path:
    """Where the config file lives when `--config` is not given."""
    import platformdirs

    return Path(platformdirs.user_config_dir("cuetui")) / "config.toml"


def default_user() -> str:
    """The local user name, used as the JWT `sub` and in kill requests."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "cuetui"


# --------------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------------
# The file's schema. Every key here is documented in config.example.toml (a test checks both ways).

# Keys a [farms.NAME] section may set; at the top level they apply to every farm.
FARM_KEYS = (
    "url",
    "token",
    "secret",
    "token_file",
    "secret_file",
    "shows",
    "users",
    "refresh",
    "frame_refresh",
    "read_only",
    "verify",
    "ca_bundle",
    "log_path_map",
    "loki_url",
    "token_ttl",
    "user",
    "request_deadline",
    "max_answer_mb",
)
# Keys only the top level may set.
TOP_ONLY_KEYS = ("default_farm", "bell", "theme", "keymap", "stuck", "farms")
STUCK_KEYS = ("min_silence", "percent_of_runtime", "exclude_jobs", "services")
STUCK_SERVICE_KEYS = ("min_silence", "percent_of_runtime")
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


def _read_file(path: Path, explicit: bool) -> _File | None:
    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: no such config file") from None
        return None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path} line {line}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables nested too deeply to read") from None
    _hide_secrets(data)
    return _File(path, text, data)


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


# --------------------------------------------------------------------------------------------------
# Value checks. Each takes (value, key path, file) and returns the clean value or raises.

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


def _secret(value: Any, path: tuple[str, ...], f: _File) -> Secret:
    if isinstance(value, _NotAString):
        raise f.error(path, f"must be a string, got {value.kind}")
    if not isinstance(value, Secret):
        raise f.bad_type(path, value, "a string")
    if not value.reveal().strip():
        raise f.error(path, "must not be empty")
    return Secret(value.reveal().strip())


FARM_CHECKS: dict[str, Check] = {
    "url": _gateway_url,
    "token": _secret,
    "secret": _secret,
    "token_file": _path,
    "secret_file": _path,
    "shows": _string_list,
    "users": _string_list,
    "refresh": _positive_number,
    "frame_refresh": _positive_number,
    "read_only": _boolean,
    "verify": _boolean,
    "ca_bundle": _path,
    "log_path_map": _pairs,
    "loki_url": _any_url,
    "token_ttl": _ttl,
    "user": _string,
    "request_deadline": _positive_number,
    "max_answer_mb": _megabytes,
}
assert tuple(FARM_CHECKS) == FARM_KEYS


def validate_gateway_url(raw: str, allow_path: bool = False) -> str:
    """The URL without a trailing slash, or ValueError saying what is wrong and what to write instead."""
    url = raw.strip()
    if not url:
        raise ValueError("must not be empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(url)} characters long; a gateway URL has at most {MAX_URL_LENGTH}")
    if "://" not in url:
        raise ValueError(f"must start with http:// or https://, e.g. http://{url.lstrip('/')}")
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


# --------------------------------------------------------------------------------------------------
# Loading


def _cli_mapping(cli: argparse.Namespace | Mapping[str, Any] | None) -> dict[str, Any]:
    if cli is None:
        return {}
    raw = vars(cli) if isinstance(cli, argparse.Namespace) else dict(cli)
    return {k: v for k, v in raw.items() if v is not None}


class _Builder:
    """Collects resolved values, where each came from, and warnings while the sources are merged."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.sources: dict[str, str] = {}
        self.warnings: list[str] = []
        self.file_keys: dict[str, tuple[str, ...]] = {}  # setting -> key path in the file that set it
        self.levels: dict[str, int] = {}  # "token"/"secret" -> precedence of the source that set it

    def set(self, key: str, value: Any, source: str) -> None:
        self.values[key] = value
        self.sources[key] = source


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


def _stuck(f: _File, value: Any, b: _Builder) -> None:
    stuck = _table(f, value, ("stuck",))
    checks: dict[str, Check] = {
        "min_silence": _positive_number,
        "percent_of_runtime": _percent,
        "exclude_jobs": _string_list,
        "services": lambda v, p, ff: _table(ff, v, p),
    }
    assert tuple(checks) == STUCK_KEYS
    clean = _check_layer(f, stuck, ("stuck",), checks, b.warnings)
    for key in ("min_silence", "percent_of_runtime", "exclude_jobs"):
        if key in clean:
            b.set(f"stuck_{key}", clean[key], f"stuck.{key} in {f.where(('stuck', key))}")
    default = StuckRule(
        b.values.get("stuck_min_silence", DEFAULT_STUCK_MIN_SILENCE),
        b.values.get("stuck_percent_of_runtime", DEFAULT_STUCK_PERCENT_OF_RUNTIME),
    )
    services: dict[str, StuckRule] = {}
    for service, rule in clean.get("services", {}).items():
        path = ("stuck", "services", service)
        rule_checks = dict(zip(STUCK_SERVICE_KEYS, (_positive_number, _percent), strict=True))
        values = _check_layer(f, _table(f, rule, path), path, rule_checks, b.warnings)
        services[service] = StuckRule(
            values.get("min_silence", default.min_silence),
            values.get("percent_of_runtime", default.percent_of_runtime),
        )
    if services:
        b.set("stuck_services", MappingProxyType(services), f"[stuck.services] in {f.path}")


def _read_secret_file(path: Path, key: tuple[str, ...], f: _File, warnings: list[str]) -> Secret:
    try:
        raw = read_regular(path, MAX_SECRET_FILE_BYTES)
    except FileNotFoundError:
        raise f.error(key, f"names a file that does not exist: {path}") from None
    except OSError as exc:
        raise f.error(key, f"names a file that cannot be read: {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise f.error(key, f"names a file that is not UTF-8 text: {path}") from None
    if not text:
        raise f.error(key, f"names an empty file: {path}")
    _warn_if_readable(path, warnings)
    return Secret(text)


def _warn_if_readable(path: Path, warnings: list[str]) -> None:
    """ssh-style: a file holding a secret must be readable by its owner only."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(
            f"{path} holds a JWT secret or token and is readable by others "
            f"(mode {stat.S_IMODE(mode):04o}); chmod 600 {path}"
        )


def _holds_secret(data: Mapping[str, Any]) -> bool:
    if any(k in data for k in SECRET_KEYS):
        return True
    farms = data.get("farms")
    return isinstance(farms, dict) and any(
        isinstance(t, dict) and any(k in t for k in SECRET_KEYS) for t in farms.values()
    )


def _apply_credentials(
    f: _File,
    layer: Mapping[str, Any],
    prefix: tuple[str, ...],
    level: int,
    b: _Builder,
) -> None:
    """Token/secret of one file layer: inline value or a *_file, never both at the same level."""
    for name in ("token", "secret"):
        file_key = f"{name}_file"
        if name in layer and file_key in layer:
            raise f.error((*prefix, file_key), f"and {_dotted((*prefix, name))} are both set; keep one")
        if name in layer:
            b.set(name, layer[name], f"{_dotted((*prefix, name))} in {f.where((*prefix, name))}")
            b.levels[name] = level
            b.values.pop(file_key, None)
        elif file_key in layer:
            path = layer[file_key]
            b.set(
                name,
                _read_secret_file(path, (*prefix, file_key), f, b.warnings),
                f"{_dotted((*prefix, file_key))} {path}",
            )
            b.levels[name] = level
            b.values[file_key] = path


def load_settings(
    cli: argparse.Namespace | Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and command-line flags into one Settings.

    `cli` holds the parsed global flags (`url`, `farm`, `config`, `read_only`, `refresh`, `user`, `show`;
    None or absent = not given); `env` defaults to os.environ. Raises ConfigError for a bad config.
    """
    try:
        return _load_settings(_cli_mapping(cli), _read_environment(os.environ if env is None else env))
    except ConfigError as exc:
        message = str(exc)
    # A fresh exception raised outside the handler, from a frame that no longer holds the environment: no
    # traceback into frames that held the file's text or a secret, for whoever renders one with local
    # variables (Textual does).
    del cli, env
    raise ConfigError(message)


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The variables cuetui reads that are set and not blank; JWT_TOKEN/JWT_SECRET wrapped at once."""
    values: dict[str, Any] = {}
    for var in (ENV_URL, ENV_TOKEN, ENV_SECRET, ENV_FARM):
        value = environ.get(var, "").strip()
        if value:
            values[var] = Secret(value) if var in (ENV_TOKEN, ENV_SECRET) else value
    return values


def _load_settings(flags: Mapping[str, Any], env_value: Mapping[str, Any]) -> Settings:
    b = _Builder()

    explicit = flags.get("config")
    config_path = Path(explicit).expanduser() if explicit else default_config_path()
    f = _read_file(config_path, explicit=bool(explicit))
    data: Mapping[str, Any] = f.data if f else {}

    top: dict[str, Any] = {}
    farms: dict[str, dict[str, Any]] = {}
    if f is not None:
        if _holds_secret(f.data):
            _warn_if_readable(f.path, b.warnings)
        top_checks: dict[str, Check] = {
            **FARM_CHECKS,
            "default_farm": _string,
            "bell": _boolean,
            "theme": _string,
            "keymap": lambda v, p, ff: _keymap(ff, v),
            "stuck": lambda v, p, ff: v,  # checked by _stuck(), which also records the values
            "farms": lambda v, p, ff: _table(ff, v, p),
        }
        top = _check_layer(f, data, (), top_checks, b.warnings)
        for name, table in top.get("farms", {}).items():
            path = ("farms", name)
            farms[name] = _check_layer(
                f, _table(f, table, path), path, FARM_CHECKS, b.warnings, misplaced=TOP_ONLY_KEYS
            )

    farm_name, farm_source = _choose_farm(flags, env_value, f, config_path, top, farms)
    b.set("farm", farm_name, farm_source)

    b.set("user", default_user(), "the local login name")
    if f is not None:
        for level, prefix, layer in ((1, (), top), (2, ("farms", farm_name), farms.get(farm_name, {}))):
            for key, value in layer.items():
                if key in FARM_KEYS and key not in ("token", "secret", "token_file", "secret_file"):
                    b.set(key, value, f"{_dotted((*prefix, key))} in {f.where((*prefix, key))}")
                    b.file_keys[key] = (*prefix, key)
            _apply_credentials(f, layer, prefix, level, b)
        for key in ("bell", "theme"):
            if key in top:
                b.set(key, top[key], f"{key} in {f.where((key,))}")
        if "keymap" in top:
            b.set("keymap", MappingProxyType(top["keymap"]), f"[keymap] in {f.where(('keymap',))}")
        if "stuck" in top:
            _stuck(f, top["stuck"], b)

    _apply_environment(env_value, b)
    _apply_flags(flags, b)
    _check_tls(f, b)
    return Settings(
        **b.values,
        prefer_token=b.levels.get("token", 0) > b.levels.get("secret", 0),
        farms=tuple(farms),
        config_path=f.path if f else None,
        warnings=tuple(b.warnings),
        sources=MappingProxyType(dict(b.sources)),
    )


def _choose_farm(
    flags: Mapping[str, Any],
    env_value: Mapping[str, Any],
    f: _File | None,
    config_path: Path,
    top: Mapping[str, Any],
    farms: Mapping[str, Any],
) -> tuple[str, str]:
    """(farm name, where the choice came from): --farm, CUETUI_FARM, default_farm, the first [farms.*]
    section, else "default" (the top-level keys alone)."""
    name, source = DEFAULT_FARM, "default"
    if "farm" in flags:
        name, source = str(flags["farm"]), "--farm"
    elif ENV_FARM in env_value:
        name, source = env_value[ENV_FARM], f"env {ENV_FARM}"
    elif f is not None and "default_farm" in top:
        name, source = top["default_farm"], f"default_farm in {f.where(('default_farm',))}"
    elif f is not None and farms:
        name = next(iter(farms))
        source = f"first [farms.*] section in {f.where(('farms', name))}"
    if source != "default" and name not in farms:
        known = ", ".join(farms) if farms else "none"
        if f is None:
            where = f"no config file at {config_path}"
        else:
            where = f.where(("default_farm",)) if source.startswith("default_farm") else str(f.path)
        close = difflib.get_close_matches(name, list(farms), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ConfigError(f"{where}: unknown farm {json.dumps(name)} (from {source}); farms defined: {known}{hint}")
    return name, source


def _apply_environment(env_value: Mapping[str, Any], b: _Builder) -> None:
    if ENV_URL in env_value:
        try:
            url = validate_gateway_url(env_value[ENV_URL])
        except ValueError as exc:
            raise ConfigError(f"env {ENV_URL} {exc}") from None
        if b.values.get("url") not in (None, url):
            b.warnings.append(f"env {ENV_URL} ({url}) overrides {b.sources['url']} ({b.values['url']})")
        b.set("url", url, f"env {ENV_URL}")
    for name, var in (("token", ENV_TOKEN), ("secret", ENV_SECRET)):
        if var in env_value:
            b.set(name, env_value[var], f"env {var}")
            b.levels[name] = 3
            b.values.pop(f"{name}_file", None)


def _apply_flags(flags: Mapping[str, Any], b: _Builder) -> None:
    if "url" in flags:
        try:
            b.set("url", validate_gateway_url(str(flags["url"])), "--url")
        except ValueError as exc:
            raise ConfigError(f"--url {exc}") from None
    if flags.get("read_only"):
        b.set("read_only", True, "--read-only")
    if "refresh" in flags:
        refresh = flags["refresh"]
        if (
            isinstance(refresh, bool)
            or not isinstance(refresh, (int, float))
            or not math.isfinite(refresh)
            or refresh <= 0
        ):
            raise ConfigError(f"--refresh must be a positive number of seconds, got {refresh!r}")
        b.set("refresh", float(refresh), "--refresh")
    for flag, key in (("user", "users"), ("users", "users"), ("show", "shows"), ("shows", "shows")):
        if flag in flags:
            value = flags[flag]
            b.set(key, (value,) if isinstance(value, str) else tuple(value), f"--{flag.rstrip('s')}")


def _check_tls(f: _File | None, b: _Builder) -> None:
    url = b.values.get("url") or ""
    verify_off = b.values.get("verify") is False
    if verify_off and url.startswith("https://"):
        source = b.sources["verify"]
        b.warnings.append(f"TLS certificates of {url} are NOT verified: verify = false ({source})")
    ca = b.values.get("ca_bundle")
    if f is None or ca is None:
        return
    if verify_off:
        b.warnings.append(f"{f.where(b.file_keys['ca_bundle'])}: ca_bundle is ignored because verify = false")
    elif not Path(ca).is_file():
        raise f.error(b.file_keys["ca_bundle"], f"names a file that does not exist: {ca}")


def settings_summary(settings: Settings) -> list[tuple[str, str]]:
    """(name, value) rows describing the settings for `cuetui doctor`; says where secrets come from, never
    what they are."""
    src = settings.sources

    def origin(key: str) -> str:
        where = src.get(key)
        return f" (from {where})" if where and where != "default" else ""

    if settings.config_path is not None:
        config = str(settings.config_path)
    else:
        config = "none (defaults, environment and flags only)"
    rows = [
        ("config", config),
        ("farm", f"{settings.farm}{origin('farm')}"),
        ("url", f"{settings.url}{origin('url')}" if settings.url else "not set"),
    ]
    kind = settings.auth_kind
    if kind == "minted":
        auth = f"token minted from the secret (sub {settings.user}, ttl {settings.token_ttl} s)"
    elif kind == "fixed":
        auth = "fixed token (cannot be renewed)"
    else:
        auth = "none: set JWT_SECRET or JWT_TOKEN"
    rows.append(("auth", auth))
    rows.append(("secret", f"set{origin('secret')}" if settings.secret else "not set"))
    rows.append(("token", f"set{origin('token')}" if settings.token else "not set"))
    if not settings.verify:
        tls = "certificates NOT verified (verify = false)"
    elif settings.ca_bundle is not None:
        tls = f"verified with ca_bundle {settings.ca_bundle}"
    else:
        tls = "verified with the system CAs"
    if settings.url and settings.url.startswith("https://"):
        rows.append(("tls", tls))
    rows += [
        ("read_only", f"{'yes' if settings.read_only else 'no'}{origin('read_only')}"),
        ("refresh", f"{settings.refresh:g} s, frames {settings.frame_refresh:g} s"),
        ("shows", ", ".join(settings.shows) or "all"),
        ("users", ", ".join(settings.users) or "all"),
        ("user", f"{settings.user}{origin('user')}"),
    ]
    if settings.farms:
        rows.append(("farms", ", ".join(settings.farms)))
    return rows
