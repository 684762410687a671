"""Shared by the job-screen and frame-log tests: a CueTuiApp on a demo gateway, showing one screen,
and waiting on conditions with a deadline (never sleeping a fixed time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from cuetui.ui.services import Services
from tests import waiting

EPOCH = 1_767_225_600.0  # 2026-01-01 00:00 UTC: a fixed farm clock for stable screens


def make_client(gw: DemoGatewayThread, token: str) -> GatewayClient:
    """A client of the demo gateway with a fixed token."""
    return GatewayClient(gw.url, GatewayAuth(token=token))


class ScreenTestApp(App[int]):
    """The app shell's services (client, options, actions, connection, clock) without its other
    screens: the job and frame-log screens are tested on their own."""

    CSS_PATH = CueTuiApp.CSS_PATH

    def __init__(
        self, client: GatewayClient, options: UiOptions, *, clock: Callable[[], float], first: Callable[[], Any]
    ) -> None:
        super().__init__()
        self.services = Services(client, options, clock=clock)
        self._first = first

    def on_mount(self) -> None:
        self.push_screen(self._first())


class ShellApp(CueTuiApp):
    """The real app shell (jobs screen underneath, status bars, palette) with `first()` pushed on top."""

    def __init__(
        self, client: GatewayClient, options: UiOptions, *, clock: Callable[[], float], first: Callable[[], Any]
    ):
        super().__init__(client, options, clock=clock)
        self._first = first

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(self._first())


def make_app(
    gw: DemoGatewayThread,
    token: str,
    screen_factory: Callable[[], Any],
    *,
    clock: Callable[[], float] | None = None,
    bare: bool = False,
    **options: Any,
) -> ScreenTestApp | ShellApp:
    """The app on the demo gateway showing `screen_factory()` once mounted: the real shell, or with
    `bare` a stand-in that has only the shell's contract (for snapshots of one screen alone)."""
    options.setdefault("url", gw.url)
    options.setdefault("farm_name", "demo")
    options.setdefault("frame_refresh", 0.2)
    farm_clock = clock or gw.farm.now  # type: ignore[union-attr]
    app_class = ScreenTestApp if bare else ShellApp
    return app_class(make_client(gw, token), UiOptions(**options), clock=farm_clock, first=screen_factory)


wait_for = waiting.wait_for_app  # the shared helper (tests/waiting.py)
