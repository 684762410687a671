"""The subscriptions screen (`6`, `:subs`): one row per show × allocation with size, burst, cores in use, the
bar and the allocation's idle cores and hosts; `=` sets the size and `b` the burst (checked in the dialog,
confirmed, refused in read-only mode), and the farm's subscription changes. Every request parses strictly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.actions import parse_cores
from cuetui.ui.screens.subscriptions import CoresDialog, SubscriptionsScreen, subscription_columns, use_bar
from cuetui.ui.widgets.dialogs import ConfirmDialog
from tests.commands.test_why import _run, base, gateway_for
from tests.ui.steer_support import check_requests, make_app, toasts, wait_for


def scenario() -> dict[str, Any]:
    """Show s subscribes to local.general with size 4, burst 6 and holds 2 cores; show t with 0/8 (given
    in core units, as on the wire)."""
    data = base()
    data["shows"].append({"name": "t"})
    data["subscriptions"] = [
        {"showName": "s", "allocationName": "local.general", "size": 400, "burst": 600},
        {"showName": "t", "allocationName": "local.general", "size": 0, "burst": 800},
    ]
    _run(data, "blocker", "0001-render", cores=2)
    return data


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return gateway_for(make_gateway, tmp_path, scenario(), record=True)


def sub_of(gw: DemoGatewayThread, show: str) -> tuple[float, float]:
    """The farm's size and burst of the show's subscription, in cores."""

    def read(farm: Any) -> tuple[float, float]:
        sub = next(s for s in farm.resources.subscriptions if s.show.name == show)
        return sub.size, sub.burst

    return gw.run(read)


def wire(gw: DemoGatewayThread) -> list[Any]:
    return [r for r in gw.recorded if r[1].startswith("/subscription.SubscriptionInterface/")]


def sent(gw: DemoGatewayThread) -> list[str]:
    return [p for _m, p, _h, _b, _s in wire(gw)]


async def open_screen(pilot: Any) -> SubscriptionsScreen:
    app = pilot.app
    await pilot.press("6")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, SubscriptionsScreen) and app.screen.table.loaded,
        what="subscriptions loaded",
    )
    return app.screen  # type: ignore[no-any-return]


async def set_cores(pilot: Any, key: str, text: str) -> str:
    """`key` (`=` or `b`), `text` typed into the cores dialog and entered, up to the confirmation (left
    open for `y` or `n`); its question."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CoresDialog), what=f"{key} dialog")
    await pilot.press("home", "ctrl+k", *text, "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="confirmation")
    return str(pilot.app.screen.question)


@asynccontextmanager
async def on_subscriptions(gw: DemoGatewayThread) -> AsyncIterator[tuple[Any, SubscriptionsScreen]]:
    """The app on `gw`, 160×40, on the subscriptions screen: the pilot and the screen."""
    app = make_app(gw)
    async with app.run_test(size=(160, 40)) as pilot:
        yield pilot, await open_screen(pilot)


def row_text(screen: SubscriptionsScreen, show: str) -> list[str]:
    table = screen.table
    key = next(r.key for r in table.models() if r.subscription.show_name == show)
    shown = [str(c).strip() for c in table.get_row(key)]
    return shown[-len(subscription_columns()) :]  # the columns, not the table's own mark column


async def test_rows_and_the_setters_change_the_farm(gw: DemoGatewayThread) -> None:
    async with on_subscriptions(gw) as (pilot, screen):
        app = pilot.app
        rows = {r.subscription.show_name: r for r in screen.table.models()}
        assert set(rows) == {"s", "t"}
        s = rows["s"]
        # The wire's core units, shown as cores.
        assert (s.subscription.size, s.subscription.burst, s.subscription.reserved_cores) == (400, 600, 200)
        assert (s.subscription.size_cores, s.subscription.burst_cores, s.subscription.used_cores) == (4, 6, 2)
        assert s.allocation is not None and s.allocation.totals.idle_cores == 6
        assert s.hosts is not None and (s.hosts.total, s.hosts.usable, s.hosts.with_idle_cores) == (1, 1, 1)
        cells = row_text(screen, "s")
        assert cells[:5] == ["s", "local.general", "4", "6", "2"] and "33%" in cells[5]
        assert cells[6:] == ["6", "1", "1", "1"]

        # `=` with a bad number: refused in the dialog, nothing sent; then 5, confirmed.
        screen.table.move_to_key(s.key)
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, CoresDialog), what="size dialog")
        await pilot.press("home", "ctrl+k", *"4x", "enter")
        dialog: CoresDialog = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: "whole number of cores" in dialog.error_text, what="refusal")
        assert isinstance(app.screen, CoresDialog) and sent(gw) == []
        await pilot.press("home", "ctrl+k", *"5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        assert "from 4 to 5 cores" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_for(pilot, lambda: sub_of(gw, "s") == (5, 6), what="the farm's subscription")
        await wait_for(pilot, lambda: row_text(screen, "s")[2] == "5", what="the row refreshed")
        assert "done: s in local.general size 4 -> 5" in toasts(app)

        # `b`: 9, confirmed.
        await set_cores(pilot, "b", "9")
        await pilot.press("y")
        await wait_for(pilot, lambda: sub_of(gw, "s") == (5, 9), what="the farm's subscription")
        # escape on the confirmation: nothing sent.
        assert "it holds 2 now" in await set_cores(pilot, "b", "1")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the screen")
        assert sub_of(gw, "s") == (5, 9)
        assert sent(gw) == [
            "/subscription.SubscriptionInterface/SetSize",
            "/subscription.SubscriptionInterface/SetBurst",
        ]
        # What went on the wire: core units (5 cores is 500, 9 is 900).
        assert [json.loads(b)["newSize" if p.endswith("SetSize") else "burst"] for _m, p, _h, b, _s in wire(gw)] == [
            500,
            900,
        ]
    assert sub_of(gw, "t") == (0, 8)
    assert check_requests(gw) > 0


async def test_colon_subs_and_read_only(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("colon", *"subs", "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, SubscriptionsScreen) and app.screen.table.loaded,
            what=":subs",
        )
        for key in ("equals_sign", "b"):
            await pilot.press(key)
        await wait_for(pilot, lambda: len([t for t in toasts(app) if "read-only mode" in t]) >= 2, what="refusals")
        assert isinstance(app.screen, SubscriptionsScreen)  # no dialog opened
    assert sent(gw) == [] and sub_of(gw, "s") == (4, 6)


# At most what fits the protocol's int32 core units (hundredths of a core).
@pytest.mark.parametrize(("text", "value"), [("0", 0), (" 12 ", 12), ("21474836", 21474836)])
def test_parse_cores_takes_whole_numbers(text: str, value: int) -> None:
    assert parse_cores(text) == value


@pytest.mark.parametrize("text", ["", "-1", "1.5", "4x", "١٢", "1_000", "21474837"])
def test_parse_cores_refuses_the_rest(text: str) -> None:
    with pytest.raises(ValueError, match="cores"):
        parse_cores(text, "burst")


def test_use_bar_marks_size_and_burst() -> None:
    # 6 of burst 8, size 4: 4 cells used within size, 2 borrowed beyond it, 2 free up to burst (width 8).
    assert use_bar(6, 4, 8, width=8) == [("████", "bar-done"), ("██", "warn"), ("··", "dim")]
    assert use_bar(0, 0, 0, width=4) == [("····", "dim")]
    assert use_bar(1, 4, 4, width=4) == [("█", "bar-done"), ("░░░", "bar-todo")]


async def test_a_set_the_gateway_refuses_says_failed(gw: DemoGatewayThread) -> None:
    async with on_subscriptions(gw) as (pilot, screen):
        app = pilot.app
        row = next(r for r in screen.table.models() if r.subscription.show_name == "s")
        screen.table.move_to_key(row.key)
        gw.run(
            lambda farm: farm.resources.subscriptions.remove(
                next(s for s in farm.resources.subscriptions if s.show.name == "s")
            )
        )
        await set_cores(pilot, "b", "7")
        await pilot.press("y")
        await wait_for(pilot, lambda: any(t.startswith("failed: ") for t in toasts(app)), what="failed")
        assert not any(t.startswith("done: ") for t in toasts(app))
