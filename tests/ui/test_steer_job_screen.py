"""The steering keys on the job screen: job keys (p u + - = R E k) on the job, frame keys (r e K) on the
cursor or marked frames (`a` marks all shown, `d` shows dead only), checked on the demo farm's state."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.requests import JobSearch
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, PriorityDialog
from tests.ui.steer_support import (
    actions_sent,
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # 5 dead, 17 running
RUNNING_JOB = "testing-sh550-jdoe_lookdev_v005"


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def open_job(pilot: Any, name: str) -> JobScreen:
    app = pilot.app
    await wait_loaded(pilot)
    job = next(j for j in await app.services.client.get_jobs(JobSearch()) if j.name == name)
    app.open_job(job)
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    screen = app.screen
    assert isinstance(screen, JobScreen)
    await wait_for(pilot, lambda: screen.job is not None and screen.sync is not None and screen.sync.loaded)
    await wait_for(pilot, lambda: screen.frames_table.rows, what="the frames")
    await pilot.pause()
    return screen


def states(gw: DemoGatewayThread, job: str) -> dict[str, str]:
    return gw.run(lambda farm: farm.find_job(job).frame_states())  # type: ignore[no-any-return]


async def test_p_u_plus_minus_on_the_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, RUNNING_JOB)
        await pilot.press("p")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).is_paused)
        await wait_for(pilot, lambda: screen.job is not None and screen.job.is_paused, what="the header to say so")
        await pilot.press("u")
        await wait_farm(pilot, gw, lambda farm: not farm.find_job(RUNNING_JOB).is_paused)
        await wait_for(pilot, lambda: screen.job is not None and not screen.job.is_paused)
        await pilot.press("minus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == 90)


async def test_dead_only_then_a_marks_all_and_r_retries_them(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        dead = {name for name, state in states(gw, DEAD_JOB).items() if state == "DEAD"}
        await pilot.press("d")
        await wait_for(pilot, lambda: len(screen.frames_table.rows) == len(dead))
        await pilot.press("a", "r")  # dead frames of one job: no question
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["dead"] == 0)
        assert all(states(gw, DEAD_JOB)[name] == "WAITING" for name in dead)
        ((path, body),) = actions_sent(gw)
        assert path == "/job.JobInterface/RetryFrames"
        assert len(json.loads(body)["req"]["ids"]) == len(dead)
        # The rows change at once: dead-only now shows nothing.
        await wait_for(pilot, lambda: not screen.frames_table.rows, what="the retried frames to leave the view")


async def test_e_eats_the_cursor_frame_after_confirming(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen.frames_table.cursor_id is not None)
        frame = screen.selected_frames()[0]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Eat 1 frame of {DEAD_JOB} ({frame.name})?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_states()[frame.name] == "EATEN")


async def test_K_kills_the_running_frame_under_the_cursor(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        running = next(f for f in screen.sync.frames.values() if f.state == "RUNNING")  # type: ignore[union-attr]
        screen.frames_table.move_to(running.id)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        await pilot.press("end", *" (stuck)", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_states()[running.name] == "WAITING")
        ((path, body),) = actions_sent(gw)
        assert path == "/job.FrameInterface/Kill"
        assert json.loads(body)["reason"] == "Manual kill by tester from cuetui (stuck)"


async def test_R_E_and_k_act_on_the_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_job(pilot, DEAD_JOB)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Eat 5 dead frames of job {DEAD_JOB}?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["eaten"] == 5)
        await pilot.press("k")  # the frames table has focus: k is kill, not a cursor key
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        assert "17 running frames will be killed" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).state_name == "FINISHED")
        await wait_for(pilot, lambda: any("killed 1 job" in t for t in toasts(app)))


async def test_plus_equals_and_R_on_the_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_job(pilot, DEAD_JOB)
        before = gw.run(lambda farm: farm.find_job(DEAD_JOB).priority)
        await pilot.press("plus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).priority == before + 10)
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, PriorityDialog))
        await pilot.press("home", "ctrl+k", *"1000001", "enter")  # above CueGUI's maximum: refused here
        await wait_for(pilot, lambda: bool(app.screen.error_text))  # type: ignore[attr-defined]
        assert [p for p, _ in actions_sent(gw)] == ["/job.JobInterface/SetPriority"]
        await pilot.press("home", "ctrl+k", *"4242", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).priority == 4242)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Retry 5 dead frames of job {DEAD_JOB}?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["dead"] == 0)
        assert json.loads(actions_sent(gw)[-1][1])["req"] == {"states": {"frameStates": ["DEAD"]}}


async def test_read_only_job_screen(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        assert not {"p", "u", "k", "r", "e", "K", "R", "E"} & set(screen.active_bindings)
        await pilot.press("r", "k", "E")
        await wait_for(pilot, lambda: sum("read-only mode" in t for t in toasts(app)) == 3)
        assert app.screen is screen and actions_sent(gw) == []
