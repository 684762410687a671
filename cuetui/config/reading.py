"""Reading files from disk: the config file itself and the files a token or secret is kept in."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cuetui.config.errors import ConfigError
from cuetui.config.settings import MAX_CONFIG_BYTES, MAX_SECRET_FILE_BYTES
from cuetui.config.source import SECRET_KEYS, _File, _hide_secrets
from cuetui.config.syntax import _syntax_error
from cuetui.gateway.credentials import Secret
from cuetui.safefile import read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


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
