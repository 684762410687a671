"""`cuetui` with no command (or `cuetui tui`): the interactive monitor.

Textual is imported only inside the run functions, so `cuetui --help` and the other commands stay fast.
A bad config is one line on stderr and exit 2; a gateway that is down at start is not an error: the app
starts and says "unreachable at URL, retrying in N s".
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cuetui.commands.exits import EXIT_USAGE

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.options import UiOptions


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui tui`."""
    p = sub.add_parser("tui", help="open the interactive monitor (the default)")
    p.set_defaults(func=run_tui)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "tui": (
                "cuetui                                          the same: the monitor is the default command",
                "cuetui --url http://gateway:8448 --read-only    look, never change anything",
                "cuetui --farm prod --show bigbuck --user jdoe   a [farms.prod] config section, some jobs only",
            ),
        },
    )


def options_from_settings(settings: Settings, url: str) -> UiOptions:
    """The UI's view of the settings (no secrets)."""
    from cuetui.config import default_user
    from cuetui.ui.options import UiOptions

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


def run_tui(args: argparse.Namespace) -> int:
    """Open the interactive monitor against the configured farm."""
    from cuetui.config import ConfigError, load_settings
    from cuetui.farm.connect import client_from_settings

    try:
        settings = load_settings(args)
        client = client_from_settings(settings)
    except ConfigError as err:
        print(f"cuetui: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # e.g. an unreadable CA bundle
        print(f"cuetui: {err}", file=sys.stderr)
        return EXIT_USAGE
    options = options_from_settings(settings, client.url)
    return _run(client, options, list(settings.warnings))


def run_demo_tui(url: str, secret: str, read_only: bool) -> int:
    """The monitor on the simulated gateway at `url`, minting tokens from `secret` (`cuetui demo`)."""
    from cuetui.config import default_user
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.options import UiOptions

    user = default_user()
    client = GatewayClient(url, GatewayAuth(secret=secret, sub=user))
    options = UiOptions(farm_name="demo", url=url, read_only=read_only, user=user)
    return _run(client, options, [])


def _run(client: GatewayClient, options: UiOptions, warnings: list[str]) -> int:
    from cuetui.ui.app import CueTuiApp

    app = CueTuiApp(client, options)
    app.startup_messages.extend(warnings)
    result = app.run()
    return int(result or 0)
