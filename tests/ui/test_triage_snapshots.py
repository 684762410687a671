"""How the triage and stuck views look, on a frozen scenario farm (dead frames on a bad host, quiet
running frames) with a fixed clock, at 80×24, 120×36 and 160×48.

Update with `pytest tests/ui/test_triage_snapshots.py --snapshot-update` after looking at the new SVGs
(rsvg-convert file.svg -o file.png)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.dead import NOT_READ
from cuetui.ui.screens.stuck import StuckScreen
from cuetui.ui.screens.triage import TriageScreen
from cuetui.ui.widgets.log_tail import LogTail
from tests.ui.steer_support import EPOCH, make_app, scenario_gateway, table_loaded, wait_for, wait_loaded

SIZES = [(80, 24), (120, 36), (160, 48)]
APP_NOW = EPOCH + 60


pytestmark = pytest.mark.usefixtures("utc")  # tests/ui/conftest.py: times on screen in UTC


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return scenario_gateway(make_gateway, tmp_path)


def open_view(screen_type: type, *keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await wait_loaded(pilot)
        screen = screen_type()
        pilot.app.push_screen(screen)
        await wait_for(pilot, lambda: pilot.app.screen is screen and table_loaded(screen))
        if isinstance(screen, TriageScreen):  # every log read: the groups are final
            await wait_for(pilot, lambda: screen.groups and all(g.signature != NOT_READ for g in screen.groups))
            await wait_for(pilot, lambda: "reading logs" not in screen.heading())
        if keys:
            await pilot.press(*keys)
        if isinstance(screen, TriageScreen):
            panel = screen.query_one(LogTail)
            await wait_for(pilot, lambda: panel.shown is not None, what="the log tail")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor is on or off depending on when the picture is taken
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_triage(snap_compare: Any, gw: DemoGatewayThread, size: tuple[int, int]) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=size, run_before=open_view(TriageScreen))


def test_triage_group_expanded(snap_compare: Any, gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=(160, 48), run_before=open_view(TriageScreen, "enter"))


def test_triage_ungrouped(snap_compare: Any, gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_view(TriageScreen, "g", "g", "g"))


def test_triage_grouped_by_host(snap_compare: Any, gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=(160, 48), run_before=open_view(TriageScreen, "g", "g"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stuck(snap_compare: Any, gw: DemoGatewayThread, size: tuple[int, int]) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=size, run_before=open_view(StuckScreen))


def test_kill_dialog(snap_compare: Any, gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_view(StuckScreen, "space", "space", "K"))
