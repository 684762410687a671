"""`cuetui` with no command (or `cuetui tui`): the interactive monitor.

Textual is imported only inside the run functions, so `cuetui --help` and the other commands stay fast.
A bad config is one line on stderr and exit 2; a gateway that is down at start is not an error: the app
starts and says "unreachable at URL, retrying in N s".
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec

from cuetui.commands.exits import EXIT_USAGE

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.options import UiOptions

P = ParamSpec("P")


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
    """The UI's view of the settings (no secrets): `cuetui.ui.options.options_from_settings`."""
    from cuetui.ui.options import options_from_settings

    return options_from_settings(settings, url)


def _collector_paused(run: Callable[P, int]) -> Callable[P, int]:
    """`run` with no cyclic garbage collection while the monitor starts: importing Textual, httpx and
    cuetui makes some 50 000 long-lived objects, and the collections their allocation set off scanned
    them again and again (a tenth of the start-up's CPU). The app starts the collector again once its
    first table is on screen and freezes what exists then (`CueTuiApp.resume_collector`); here it is
    started again in any case when `run` returns or raises."""

    @functools.wraps(run)
    def paused(*args: P.args, **kwargs: P.kwargs) -> int:
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def without_httpx_command_line() -> None:
    """httpx imports its own command-line client (`httpx._main`: click, pygments' lexers, rich's
    console) whenever click happens to be installed; the monitor never runs it (~25 ms of start-up
    CPU). A placeholder module keeps it out: httpx then makes its `main` the message it gives when its
    command-line extras are not installed. Only before httpx is first imported, in the monitor's
    process."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


@_collector_paused
def run_tui(args: argparse.Namespace) -> int:
    """Open the interactive monitor against the configured farm."""
    without_httpx_command_line()
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


def demo_options(settings: Settings | None, url: str, read_only: bool) -> UiOptions:
    """The monitor's options for `cuetui demo`: the config's preferences as `cuetui` reads them (theme,
    bell, keymap, refresh, stuck thresholds, read_only, user), but the farm is the simulator: its URL,
    no TLS, its own logs (no `log_path_map`, no `loki_url`), and show/user filters only from flags
    (a config's `shows` name a real farm's shows)."""
    from dataclasses import replace

    from cuetui.config import Settings, default_user

    settings = settings or Settings()
    options = options_from_settings(settings, url)

    def from_flag(key: str) -> bool:
        return settings.sources.get(key, "").startswith("--")

    return replace(
        options,
        farm_name="demo",
        url=url,
        read_only=read_only or settings.read_only,
        user=settings.user or default_user(),
        shows=tuple(settings.shows) if from_flag("shows") else (),
        users=tuple(settings.users) if from_flag("users") else (),
        log_path_map=(),
        loki_url="",
        tls_unverified=False,
    )


@_collector_paused
def run_demo_tui(url: str, secret: str, read_only: bool, settings: Settings | None = None) -> int:
    """The monitor on the simulated gateway at `url`, minting tokens from `secret` (`cuetui demo`),
    with the preferences of `settings` (see `demo_options`)."""
    without_httpx_command_line()
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    options = demo_options(settings, url, read_only)
    client = GatewayClient(url, GatewayAuth(secret=secret, sub=options.user))
    return _run(client, options, list(settings.warnings) if settings is not None else [])


def _run(client: GatewayClient, options: UiOptions, warnings: list[str]) -> int:
    from cuetui.ui.app import CueTuiApp

    app = CueTuiApp(client, options, collector_paused=True)
    app.startup_messages.extend(warnings)
    result = app.run()
    return int(result or 0)
