"""The stuck-frames view: which running frames it lists (thresholds from the options), its columns, and
its keys checked on the simulated farm's state afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.stuck import StuckScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog
from tests.ui.steer_support import (
    EPOCH,
    actions_sent,
    gateway_for,
    make_app,
    scenario_gateway,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

APP_NOW = EPOCH + 60
# On the generated farm every running frame logged a second ago: thresholds of 0 list them all, so the
# actions can be tried on frames that have real procs.
EVERYTHING = {"stuck_min_silence": 0.0, "stuck_percent_of_runtime": 0.0}


async def open_stuck(pilot: Any) -> StuckScreen:
    await wait_loaded(pilot)
    screen = StuckScreen()
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen and table_loaded(screen), what="stuck data")
    await pilot.pause()
    return screen


def cursor_frame(screen: StuckScreen) -> tuple[str, str]:
    row = screen.table.cursor_model
    assert row is not None
    return row.job.name, row.frame.name


@pytest.fixture
def small(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def test_lists_quiet_running_frames_longest_silence_first(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    gw = scenario_gateway(make_gateway, tmp_path)
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        rows = [screen.table.model(k) for k in screen.table.shown_keys()]
        listed = [(r.frame.name, round(r.stuck.silent_for), r.last_line) for r in rows if r is not None]
        assert [name for name, _, _ in listed] == ["0011-render", "0007-sim", "0012-render", "0008-comp"]
        assert listed[0][1] == 5460
        assert listed[0][2] == "[render] waiting for license server (attempt 3)"
        top = rows[0]
        assert top is not None and top.stuck.percent_of_layer_average == pytest.approx(910.0)


async def test_one_poll_loop(small: DemoGatewayThread) -> None:
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        polls = [w for w in pilot.app.workers if w.node is screen and w.group == "poll" and not w.is_finished]
        assert len(polls) == 1, [w.name for w in polls]


async def test_thresholds_come_from_the_options(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> None:
    gw = scenario_gateway(make_gateway, tmp_path)
    app = make_app(
        gw,
        clock=lambda: APP_NOW,
        stuck_min_silence=1800.0,
        stuck_service_overrides={"nuke": 600.0},
        stuck_exclude_jobs=("asmith",),
    )
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        names = [screen.table.model(k).frame.name for k in screen.table.shown_keys()]  # type: ignore[union-attr]
        # 0012-render is silent 26 min < 30; 0008-comp (nuke) only needs 10; the fx job is excluded.
        assert names == ["0011-render", "0008-comp"]


async def test_r_kills_and_requeues_a_running_frame_after_confirming(small: DemoGatewayThread) -> None:
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        job, frame = cursor_frame(screen)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "will be killed and started again" in app.screen.question
        await pilot.press("y")
        await wait_farm(pilot, small, lambda farm: farm.find_job(job).frame_states()[frame] == "WAITING")
        assert [p for p, _ in actions_sent(small)] == ["/job.FrameInterface/Retry"]


async def test_e_eats_after_confirming(small: DemoGatewayThread) -> None:
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        job, frame = cursor_frame(screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "1 running frame will be killed" in app.screen.question
        await pilot.press("y")
        await wait_farm(pilot, small, lambda farm: farm.find_job(job).frame_states()[frame] == "EATEN")


async def test_K_asks_a_reason_refuses_an_empty_one_and_kills_with_it(small: DemoGatewayThread) -> None:
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        job, frame = cursor_frame(screen)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        dialog = app.screen
        assert isinstance(dialog, KillReasonDialog)
        assert dialog.query_one("#dialog-input").value == "Manual kill by tester from cuetui"  # type: ignore[attr-defined]
        await pilot.press("backspace", "enter")  # the pre-filled reason is selected: this empties it
        await wait_for(pilot, lambda: "needs a reason" in dialog.error_text)
        assert app.screen is dialog and actions_sent(small) == []
        await pilot.press(*"hung on license", "enter")
        await wait_farm(pilot, small, lambda farm: farm.find_job(job).frame_states()[frame] == "WAITING")
        (path, body), *_ = actions_sent(small)
        assert path == "/job.FrameInterface/Kill"
        sent = json.loads(body)
        assert sent["reason"] == "hung on license" and sent["username"] and sent["pid"] and sent["hostKill"]


async def test_escape_cancels_a_kill(small: DemoGatewayThread) -> None:
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any("cancelled" in t for t in toasts(app)))
        assert actions_sent(small) == []


async def test_read_only_refuses_with_a_message(small: DemoGatewayThread) -> None:
    app = make_app(small, read_only=True, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        assert not {"r", "e", "K"} & set(screen.active_bindings)
        await pilot.press("K")
        assert app.screen is screen
        await wait_for(pilot, lambda: any("read-only mode: kill frames not sent" in t for t in toasts(app)))
        assert actions_sent(small) == []


async def test_enter_and_l_open_the_full_log(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = scenario_gateway(make_gateway, tmp_path)
    app = make_app(gw, clock=lambda: APP_NOW)
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(app, "open_frame_log", lambda job, frame, path="": opened.append((job.name, frame.name)))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_stuck(pilot)
        first = cursor_frame(screen)
        await pilot.press("enter")
        await pilot.press("down", "l")
        second = cursor_frame(screen)
        assert opened == [first, second] and first != second
        assert actions_sent(gw) == []


async def test_W_on_marked_running_frames_sends_nothing_and_says_why(small: DemoGatewayThread) -> None:
    """Mark as waiting only releases frames held by a dependency: the stuck screen's frames run, so W
    sends nothing and says so, and the farm still runs both."""
    app = make_app(small, **EVERYTHING)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_stuck(pilot)
        first = cursor_frame(screen)
        await pilot.press("space", "down", "space")
        second = cursor_frame(screen)
        assert len({r.frame.id for r in screen.selected()}) == 2
        await pilot.press("W")
        why = "nothing to mark: mark as waiting releases frames held by a dependency; these are RUNNING"
        await wait_for(pilot, lambda: why in toasts(app), what="why nothing was sent", show=lambda: toasts(app))
        assert not isinstance(app.screen, ConfirmDialog)
        assert actions_sent(small) == []
        states = small.run(lambda farm: [farm.find_job(j).frame_state(f) for j, f in (first, second)])
        assert states == ["RUNNING", "RUNNING"]
