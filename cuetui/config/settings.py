"""The resolved `Settings` (what every part of cuetui reads), its defaults and the variables it reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cuetui.config.errors import ConfigError
from cuetui.gateway.credentials import DEFAULT_TOKEN_TTL, Secret

DEFAULT_FARM = "default"
DEFAULT_REFRESH = 5.0
DEFAULT_FRAME_REFRESH = 2.0
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
    # Which alerts are shown as notifications: "all" (dead frames and finished jobs), "dead", "off".
    notifications: str = "all"
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
    # [triage] patterns: (regex, placeholder) pairs applied first when error signatures are made.
    triage_patterns: tuple[tuple[str, str], ...] = ()
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


def default_config_path() -> Path:
    """Where the config file lives when `--config` is not given."""
    import platformdirs

    return Path(platformdirs.user_config_dir("cuetui")) / "config.toml"
