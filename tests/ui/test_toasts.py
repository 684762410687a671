"""The notifications on screen are a bounded stack: a burst never shows more than the cap, the newest
says how many went early, errors outlast milder ones, and the toasts stay off the status bar, the key
footer and the table's header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Region
from textual.notifications import Notification

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.toasts import TOAST_CAP, ToastStack
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.status_bar import StatusBar
from tests.ui.steer_support import gateway_for, make_app, wait_for, wait_loaded


def toasts_on_screen(app: Any) -> list[Any]:
    return list(app.screen.query("Toast"))


def test_the_stack_dismisses_the_oldest_past_the_cap_and_counts_them() -> None:
    stack = ToastStack(cap=3)
    first = [stack.admit(Notification(f"n{i}", timeout=60)) for i in range(3)]
    assert [n.message for n in stack.visible] == ["n0", "n1", "n2"]
    newest = stack.admit(Notification("n3", title="cuetui", timeout=60))
    assert [n.message for n in stack.visible] == ["n1", "n2", "n3"]
    assert first[0].has_expired and newest.title == "cuetui · +1 more"
    assert stack.admit(Notification("n4", timeout=60)).title == "+2 more"


def test_an_error_outlasts_milder_notifications() -> None:
    stack = ToastStack(cap=2)
    stack.admit(Notification("refused", severity="error", timeout=60))
    for i in range(4):
        stack.admit(Notification(f"info {i}", timeout=60))
    assert [n.message for n in stack.visible] == ["refused", "info 3"]


def test_the_count_starts_again_once_the_stack_has_emptied() -> None:
    stack = ToastStack(cap=1)
    stack.admit(Notification("a", timeout=60))
    stack.admit(Notification("b", timeout=60)).timeout = 0.0  # as if it had run out
    assert stack.admit(Notification("c", timeout=60)).title == ""


def _overlaps(a: Region, b: Region) -> bool:
    return a.overlaps(b)


async def test_a_burst_of_notifications_leaves_at_most_the_cap_on_screen(
    make_gateway: Callable[..., DemoGatewayThread],
) -> None:
    gw = gateway_for(make_gateway)
    app = make_app(gw)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot)
        for i in range(12):
            app.notify(f"notification {i}", timeout=60)
        await wait_for(
            pilot,
            lambda: any("notification 11" in t.render().plain for t in toasts_on_screen(app)),
            what="the newest toast",
        )
        await pilot.pause()
        shown = toasts_on_screen(app)
        assert len(shown) == TOAST_CAP
        assert [n.message for n in app.toasts.visible] == [f"notification {i}" for i in (9, 10, 11)]
        assert app.toasts.visible[-1].title == f"+{12 - TOAST_CAP} more"
        # Never over the status bar, the key footer or the table's header row.
        table = app.screen.table
        header = Region(table.region.x, table.region.y, table.region.width, 1)
        for toast in shown:
            for widget in (app.screen.query_one(StatusBar), app.screen.query_one(KeyFooter)):
                assert not _overlaps(toast.region, widget.region), (toast.region, widget.region)
            assert not _overlaps(toast.region, header)
            # Nor over any of the table's rows: the table gives up the lines the stack takes.
            assert not _overlaps(toast.region, table.region), (toast.region, table.region)
