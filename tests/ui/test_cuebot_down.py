"""The TUI's status bar when the gateway answers but cannot reach Cuebot: stale data, retrying."""

from __future__ import annotations

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.errors import CUEBOT_UNREACHABLE
from tests.ui.conftest import make_app, wait_for, wait_loaded


async def test_status_bar_says_the_gateway_cannot_reach_cuebot(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        rows = screen.table.row_count
        studio_gateway.faults.cuebot_down = (0.0, 1e9)  # Cuebot goes away behind the running gateway
        screen.refresh_now()
        conn = screen.query_one("#status-conn")
        await wait_for(pilot, lambda: CUEBOT_UNREACHABLE in conn.text, what="the Cuebot line")
        assert "retrying in" in conn.text
        assert screen.query_one("#status-time").text.startswith("stale")
        assert screen.has_class("-stale") and screen.table.row_count == rows
        studio_gateway.faults.cuebot_down = None
        screen.refresh_now()
        await wait_for(pilot, lambda: conn.text.strip() == "live", timeout=60, what="live again")
