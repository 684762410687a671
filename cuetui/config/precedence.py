"""Precedence: defaults, the file (top level, then the chosen farm's section), the environment, the flags."""

from __future__ import annotations

import argparse
import difflib
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cuetui.config.checks import _check_layer, _table, validate_gateway_url
from cuetui.config.errors import ConfigError
from cuetui.config.reading import _holds_secret, _read_file, _read_secret_file, _warn_if_readable
from cuetui.config.schema import (
    FARM_CHECKS,
    FARM_KEYS,
    STUCK_CHECKS,
    STUCK_SERVICE_CHECKS,
    TOP_ONLY_CHECKS,
    TOP_ONLY_KEYS,
    TRIAGE_CHECKS,
)
from cuetui.config.settings import (
    DEFAULT_FARM,
    DEFAULT_STUCK_MIN_SILENCE,
    DEFAULT_STUCK_PERCENT_OF_RUNTIME,
    ENV_FARM,
    ENV_SECRET,
    ENV_TOKEN,
    ENV_URL,
    Settings,
    StuckRule,
)
from cuetui.config.source import _File
from cuetui.config.toml_lines import _dotted
from cuetui.gateway.credentials import Secret, default_user


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


def _stuck(f: _File, value: Any, b: _Builder) -> None:
    stuck = _table(f, value, ("stuck",))
    clean = _check_layer(f, stuck, ("stuck",), STUCK_CHECKS, b.warnings)
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
        values = _check_layer(f, _table(f, rule, path), path, STUCK_SERVICE_CHECKS, b.warnings)
        services[service] = StuckRule(
            values.get("min_silence", default.min_silence),
            values.get("percent_of_runtime", default.percent_of_runtime),
        )
    if services:
        b.set("stuck_services", MappingProxyType(services), f"[stuck.services] in {f.path}")


def _triage(f: _File, value: Any, b: _Builder) -> None:
    triage = _table(f, value, ("triage",))
    clean = _check_layer(f, triage, ("triage",), TRIAGE_CHECKS, b.warnings)
    if "patterns" in clean:
        b.set("triage_patterns", clean["patterns"], f"triage.patterns in {f.where(('triage', 'patterns'))}")


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


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The variables cuetui reads that are set and not blank; JWT_TOKEN/JWT_SECRET wrapped at once."""
    values: dict[str, Any] = {}
    for var in (ENV_URL, ENV_TOKEN, ENV_SECRET, ENV_FARM):
        value = environ.get(var, "").strip()
        if value:
            values[var] = Secret(value) if var in (ENV_TOKEN, ENV_SECRET) else value
    return values


def _load_settings(
    flags: Mapping[str, Any], env_value: Mapping[str, Any], default_config_path: Callable[[], Path]
) -> Settings:
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
        top_checks = {**FARM_CHECKS, **TOP_ONLY_CHECKS}
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
        for key in ("bell", "theme", "notifications"):
            if key in top:
                b.set(key, top[key], f"{key} in {f.where((key,))}")
        if "keymap" in top:
            b.set("keymap", MappingProxyType(top["keymap"]), f"[keymap] in {f.where(('keymap',))}")
        if "stuck" in top:
            _stuck(f, top["stuck"], b)
        if "triage" in top:
            _triage(f, top["triage"], b)

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
