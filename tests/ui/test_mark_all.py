"""`a` marks every visible row on the jobs, hosts and shows screens (again: unmarks them), and the
steering keys then act on exactly those rows: checked on the demo farm's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.jobs import JobsScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog
from tests.ui.steer_support import (
    actions_sent,
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    wait_farm,
    wait_for,
    wait_loaded,
)


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def filter_to(pilot: Any, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.table.filter_text == text and screen.table.shown_count > 1)


async def test_a_then_p_pauses_every_visible_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        every = {screen.table.model(k).name for k in screen.table.shown_keys()}  # type: ignore[union-attr]
        await filter_to(pilot, "sh550")
        shown = {screen.table.model(k).name for k in screen.table.shown_keys()}  # type: ignore[union-attr]
        assert 1 < len(shown) < len(every)
        others = every - shown
        paused_before = {n for n in others if gw.run(lambda farm, n=n: farm.find_job(n).is_paused)}
        await pilot.press("a")
        assert screen.table.marked == set(screen.table.shown_keys())
        assert f"{len(shown)} marked" in screen.counts(screen.table)
        # `a` again unmarks them all, and a third time marks them again.
        await pilot.press("a")
        assert not screen.table.marked
        await pilot.press("a")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Pause {len(shown)} jobs:" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        for name in shown:
            await wait_farm(pilot, gw, lambda farm, n=name: farm.find_job(n).is_paused, what=f"{name} paused")
        assert len(actions_sent(gw)) == len(shown)
        # The jobs the filter hid are as they were.
        assert {n for n in others if gw.run(lambda farm, n=n: farm.find_job(n).is_paused)} == paused_before


async def test_a_then_L_locks_every_visible_host(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen))
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, HostsScreen)
        await filter_to(pilot, "render00")
        shown = {screen.table.model(k).name for k in screen.table.shown_keys()}  # type: ignore[union-attr]
        await pilot.press("a")
        assert screen.table.marked == set(screen.table.shown_keys())
        assert f"{len(shown)} marked" in screen.counts(screen.table)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Lock {len(shown)} hosts:" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        for name in shown:
            await wait_farm(pilot, gw, lambda farm, n=name: farm.find_host(n).lock_state_name != "OPEN", what=name)
        assert [p for p, _ in actions_sent(gw)] == ["/host.HostInterface/Lock"] * len(shown)
        # escape clears the filter first, then the marks.
        await pilot.press("escape")
        assert screen.table.marked
        await pilot.press("escape")
        assert not screen.table.marked


async def test_a_marks_every_show(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("1")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ShowsScreen")
        await wait_loaded(pilot)
        table = app.screen.table  # type: ignore[attr-defined]
        await pilot.press("a")
        assert table.marked == set(table.shown_keys()) and table.marked
