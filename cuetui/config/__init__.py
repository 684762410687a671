"""Configuration: defaults, the TOML file, environment and command-line flags merged into one `Settings`.

Sources, lowest to highest: built-in defaults; the TOML file (`--config PATH`, else
`platformdirs.user_config_dir("cuetui")/config.toml`), whose top-level keys apply to every farm and whose
`[farms.NAME]` section for the chosen farm overrides them; the environment (`OPENCUE_REST_GATEWAY_URL`,
`JWT_TOKEN`, `JWT_SECRET`, `CUETUI_FARM`); the command-line flags (`--url`, `--farm`, `--read-only`,
`--refresh`, `--user`, `--show`). `config.example.toml` documents every key.

A bad config is one `ConfigError` line naming the file, the line and the key; an unknown key is a warning in
`Settings.warnings`. A secret or token is held in a `Secret` and never appears in a message or a repr.

One module per reason to change: `settings` (the resolved object and its defaults), `toml_lines` (where keys
are in the text), `syntax` (TOML errors as one line), `source` (the parsed file, secrets wrapped, messages
pointing at lines), `reading` (files from disk), `checks` (value checks), `schema` (which key is checked
how), `precedence` (merging the sources), `summary` (`cuetui doctor`'s rows), `log_paths` (log_path_map).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any

from cuetui.config.checks import validate_gateway_url
from cuetui.config.errors import ConfigError
from cuetui.config.log_paths import map_log_path
from cuetui.config.precedence import _cli_mapping, _load_settings, _read_environment
from cuetui.config.schema import (
    FARM_KEYS,
    SECRET_KEYS,
    STUCK_KEYS,
    STUCK_SERVICE_KEYS,
    TOP_ONLY_KEYS,
    TRIAGE_KEYS,
)
from cuetui.config.settings import (
    DEFAULT_FARM,
    DEFAULT_FRAME_REFRESH,
    DEFAULT_REFRESH,
    DEFAULT_STUCK_MIN_SILENCE,
    DEFAULT_STUCK_PERCENT_OF_RUNTIME,
    ENV_FARM,
    ENV_SECRET,
    ENV_TOKEN,
    ENV_URL,
    MIN_TOKEN_TTL,
    Settings,
    StuckRule,
    default_config_path,
)
from cuetui.config.summary import settings_summary
from cuetui.gateway.credentials import DEFAULT_TOKEN_TTL, Secret, default_user

__all__ = [
    "DEFAULT_FARM",
    "DEFAULT_FRAME_REFRESH",
    "DEFAULT_REFRESH",
    "DEFAULT_STUCK_MIN_SILENCE",
    "DEFAULT_STUCK_PERCENT_OF_RUNTIME",
    "DEFAULT_TOKEN_TTL",
    "ENV_FARM",
    "ENV_SECRET",
    "ENV_TOKEN",
    "ENV_URL",
    "FARM_KEYS",
    "MIN_TOKEN_TTL",
    "SECRET_KEYS",
    "STUCK_KEYS",
    "STUCK_SERVICE_KEYS",
    "TOP_ONLY_KEYS",
    "TRIAGE_KEYS",
    "ConfigError",
    "Secret",
    "Settings",
    "StuckRule",
    "default_config_path",
    "default_user",
    "load_settings",
    "map_log_path",
    "settings_summary",
    "validate_gateway_url",
]


def load_settings(
    cli: argparse.Namespace | Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and command-line flags into one Settings.

    `cli` holds the parsed global flags (`url`, `farm`, `config`, `read_only`, `refresh`, `user`, `show`;
    None or absent = not given); `env` defaults to os.environ. Raises ConfigError for a bad config.
    """
    try:
        # default_config_path is looked up here, in this module, so that replacing it (as the tests do to
        # keep away from the user's own config) takes effect.
        return _load_settings(
            _cli_mapping(cli), _read_environment(os.environ if env is None else env), default_config_path
        )
    except ConfigError as exc:
        message = str(exc)
    # A fresh exception raised outside the handler, from a frame that no longer holds the environment: no
    # traceback into frames that held the file's text or a secret, for whoever renders one with local
    # variables (Textual does).
    del cli, env
    raise ConfigError(message)
