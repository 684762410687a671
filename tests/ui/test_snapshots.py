"""How the screens look, on the frozen seeded studio farm with a fixed clock, at 80×24 and 160×48.

Update with `pytest tests/ui/test_snapshots.py --snapshot-update` after looking at the new SVGs."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.ui.conftest import make_app, wait_loaded

SIZES = [(80, 24), (160, 48)]


pytestmark = pytest.mark.usefixtures("utc")  # tests/ui/conftest.py: times on screen in UTC


def keys_then_wait(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await wait_loaded(pilot)
        if keys:
            await pilot.press(*keys)
            if hasattr(pilot.app.screen, "table"):
                await wait_loaded(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [(), ("1",), ("3",), ("question_mark",)],
    ids=["jobs", "shows", "hosts", "help"],
)
def test_screen(
    snap_compare: Any, studio_gateway: DemoGatewayThread, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    app = make_app(studio_gateway.url)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_wait(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_host_procs(snap_compare: Any, studio_gateway: DemoGatewayThread, size: tuple[int, int]) -> None:
    app = make_app(studio_gateway.url)
    assert snap_compare(app, terminal_size=size, run_before=keys_then_wait("3", "down", "enter"))
