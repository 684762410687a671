"""What the UI needs to know from the configuration, in one object screens can read (`app.options`).

Built from config.Settings by the command that starts the app; kept separate so screens never parse
config and tests can build one directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cuetui.config import Settings


@dataclass(frozen=True)
class UiOptions:
    """Settings of one running UI. Secrets are never here: the client holds the auth."""

    farm_name: str = "default"
    url: str = ""
    read_only: bool = False
    refresh: float = 5.0  # seconds between polls of most screens
    frame_refresh: float = 2.0  # seconds between polls of a job's frames
    users: Sequence[str] = ()  # show only jobs of these users ("my jobs" uses `user`)
    shows: Sequence[str] = ()  # show only jobs of these shows
    user: str = ""  # the local user name (my jobs, kill requests)
    log_path_map: Sequence[tuple[str, str]] = ()  # (farm prefix, local prefix) for frame logs
    loki_url: str = ""  # read frame logs from Loki when the job has no lokiUrl of its own
    bell: bool = False  # ring the terminal bell on new dead frames / finished jobs
    notifications: str = "all"  # which alerts pop up: "all", "dead" (new dead frames only), "off"
    triage_patterns: Sequence[tuple[str, str]] = ()  # extra (regex, placeholder) error-signature rules
    keymap: Mapping[str, str] = field(default_factory=dict)  # action id -> key(s)
    theme: str = ""
    tls_unverified: bool = False  # `verify = false`: warn in the status bar
    stuck_min_silence: float = 600.0
    stuck_percent_of_runtime: float = 50.0
    stuck_service_overrides: Mapping[str, float] = field(default_factory=dict)
    stuck_exclude_jobs: Sequence[str] = ()


def options_from_settings(settings: Settings, url: str) -> UiOptions:
    """The UI's view of the settings (no secrets)."""
    from cuetui.config import default_user

    return UiOptions(
        farm_name=settings.farm,
        url=url,
        read_only=settings.read_only,
        refresh=settings.refresh,
        frame_refresh=settings.frame_refresh,
        users=tuple(settings.users),
        shows=tuple(settings.shows),
        user=settings.user or default_user(),
        log_path_map=tuple(settings.log_path_map),
        loki_url=settings.loki_url or "",
        bell=settings.bell,
        notifications=settings.notifications,
        triage_patterns=tuple(settings.triage_patterns),
        keymap=dict(settings.keymap),
        theme=settings.theme or "",
        tls_unverified=not settings.verify,
        stuck_min_silence=settings.stuck_min_silence,
        stuck_percent_of_runtime=settings.stuck_percent_of_runtime,
        stuck_service_overrides={name: rule.min_silence for name, rule in settings.stuck_services.items()},
        stuck_exclude_jobs=tuple(settings.stuck_exclude_jobs),
    )
