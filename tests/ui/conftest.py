"""Fixtures for the TUI tests: the studio farm frozen at a fixed epoch, and the app on it with a fixed clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from tests import waiting
from tests.conftest import DEMO_SECRET

EPOCH = 1_767_225_600.0  # 2026-01-01 00:00 UTC
APP_NOW = EPOCH + 600  # the app's fixed clock: ten minutes into the frozen farm's day
DISPLAY_URL = "http://demo-gateway:8448"  # shown in the status bar instead of the random loopback port


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local: pin the zone so the snapshots are the same everywhere (the snapshot
    modules use it for every test)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def studio_gateway(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    """The studio farm, seed 7, frozen at EPOCH, recording requests."""
    return make_gateway(profile="studio", seed=7, speed=0.0, epoch=EPOCH, record=True)


@pytest.fixture
def small_gateway(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    """The small farm, seed 7, frozen at EPOCH, recording requests."""
    return make_gateway(profile="small", seed=7, speed=0.0, epoch=EPOCH, record=True)


def make_app(url: str, *, display_url: str = DISPLAY_URL, **options: Any) -> CueTuiApp:
    """The app on the gateway at `url`, with a fixed clock and the given UiOptions fields."""
    client = GatewayClient(url, GatewayAuth(secret=DEMO_SECRET, sub="tester"))
    options.setdefault("farm_name", "demo")
    options.setdefault("user", "tester")
    return CueTuiApp(client, UiOptions(url=display_url, **options), clock=lambda: APP_NOW)


wait_for = waiting.wait_for_app  # the shared helper (tests/waiting.py)


async def wait_loaded(pilot: Any) -> None:
    """Until the current screen's table has its first data."""
    app = pilot.app
    await wait_for(pilot, lambda: getattr(getattr(app.screen, "table", None), "loaded", False), what="first data")
    # The jobs screen asks which jobs wait on another job after showing them: wait for that answer too.
    await wait_for(pilot, lambda: getattr(app.screen, "waits_rounds", 1) >= 1, what="the jobs' waits")
    await pilot.pause()
