"""Keys and `:` commands the README names that no other test pressed (tests/test_readme_keys.py finds
them): `o` on hosts, `G` in the frame log, `ctrl+c`, `:jobs`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.logs import frame_log_path
from cuetui.ui.screens.frame_log import FrameLogScreen
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.jobs import JobsScreen
from tests.ui import jobview_support
from tests.ui.conftest import make_app, wait_for, wait_loaded
from tests.ui.test_frame_log import fetch, frame_in_state


async def test_o_cycles_the_allocation_filter(small_gateway: DemoGatewayThread) -> None:
    def two_allocations(farm: Any) -> None:
        for host in farm.hosts[::3]:
            host.alloc_name = "local.gpu"

    small_gateway.run(two_allocations)
    app = make_app(small_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen), what="the hosts screen")
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, HostsScreen)
        total = screen.table.shown_count
        assert {h.alloc_name for h in screen.table.models()} == {"local.general", "local.gpu"}
        for alloc in ("local.general", "local.gpu"):
            await pilot.press("o")
            await wait_for(pilot, lambda a=alloc: {h.alloc_name for h in screen.table.models()} == {a}, what=alloc)
            assert f"alloc {alloc}" in screen.heading() and screen.table.shown_count < total
        await pilot.press("o")  # round to every allocation again
        await wait_for(pilot, lambda: screen.table.shown_count == total, what="all allocations")
        assert "all allocs" in screen.heading()


async def test_G_goes_back_to_the_end_of_the_log_after_g(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=jobview_support.EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    Path(frame_log_path(job, frame)).write_text("".join(f"line {n:04d}\n" for n in range(400)), encoding="utf-8")
    app = jobview_support.make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FrameLogScreen) and len(app.screen.view.lines) == 400)
        view = app.screen.view  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: view.at_end and view.max_scroll_y > 0, what="the log opened at its end")
        await pilot.press("g")
        await wait_for(pilot, lambda: view.scroll_y == 0, what="the start after g")
        await pilot.press("G")
        await wait_for(pilot, lambda: view.at_end and view.scroll_y == view.max_scroll_y > 0, what="the end after G")


async def test_ctrl_c_quits_at_once_even_from_the_filter(frozen_gateway: DemoGatewayThread) -> None:
    app = make_app(frozen_gateway.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", "x")  # the filter input has focus
        await wait_for(pilot, lambda: app.screen.table.filter_text == "x", what="the filter typed")  # type: ignore[attr-defined]
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")
    assert app.return_code in (0, None)


async def test_colon_jobs_goes_to_the_jobs_screen(frozen_gateway: DemoGatewayThread) -> None:
    app = make_app(frozen_gateway.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen), what="the hosts screen")
        await pilot.press("colon", *"jobs", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen), what="the jobs screen")
