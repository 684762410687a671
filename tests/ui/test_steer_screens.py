"""The steering keys where people press them: the jobs table, the hosts table, `4` / `5` and `:dead` /
`:stuck`, the alerts of the jobs screen; checked on the demo farm's state."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.farm import DEAD, WAITING
from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.jobs import JobsScreen
from cuetui.ui.screens.stuck import StuckScreen
from cuetui.ui.screens.triage import TriageScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, PriorityDialog
from tests.ui.steer_support import (
    actions_sent,
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

RUNNING_JOB = "testing-sh550-jdoe_lookdev_v005"
OTHER_JOB = "testing-sh550-bmartin_comp_v013"


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def cursor_to(pilot: Any, screen: Any, name: str) -> None:
    key = next(k for k in screen.table.shown_keys() if screen.table.model(k).name == name)
    screen.table.move_to_key(key)
    await pilot.pause()


async def test_jobs_table_p_u_plus_equals_on_the_cursor_job(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await cursor_to(pilot, screen, RUNNING_JOB)
        await pilot.press("p")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).is_paused)
        # The row says so at once (the screen polls again right after the action).
        await wait_for(pilot, lambda: screen.table.cursor_model is not None and screen.table.cursor_model.is_paused)
        await pilot.press("u")
        await wait_farm(pilot, gw, lambda farm: not farm.find_job(RUNNING_JOB).is_paused)
        await wait_for(pilot, lambda: not screen.table.cursor_model.is_paused)  # type: ignore[union-attr]
        await pilot.press("plus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == 110)
        await wait_for(pilot, lambda: screen.table.cursor_model.priority == 110)  # type: ignore[union-attr]
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, PriorityDialog))
        await pilot.press("home", "ctrl+k", *"lots", "enter")
        await wait_for(pilot, lambda: bool(app.screen.error_text))  # type: ignore[attr-defined]
        await pilot.press("home", "ctrl+k", *"777", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == 777)
        paths = [p for p, _ in actions_sent(gw)]
        assert paths == ["/job.JobInterface/Pause", "/job.JobInterface/Resume"] + ["/job.JobInterface/SetPriority"] * 2


async def test_jobs_table_marked_jobs_confirm_with_the_count_then_kill_with_a_reason(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        for name in (RUNNING_JOB, OTHER_JOB):
            await cursor_to(pilot, screen, name)
            await pilot.press("space")
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        assert "Kill 2 jobs:" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("enter")
        for name in (RUNNING_JOB, OTHER_JOB):
            await wait_farm(pilot, gw, lambda farm, n=name: farm.find_job(n).state_name == "FINISHED")
        for path, body in actions_sent(gw):
            assert (
                path == "/job.JobInterface/Kill" and json.loads(body)["reason"] == "Manual kill by tester from cuetui"
            )
        await wait_for(pilot, lambda: any("killed 2 jobs" in t for t in toasts(app)))


async def test_jobs_table_marked_jobs_p_u_plus_minus_confirm_with_the_count(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    names = (RUNNING_JOB, OTHER_JOB)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        before = {n: gw.run(lambda farm, n=n: farm.find_job(n).priority) for n in names}
        for name in names:
            await cursor_to(pilot, screen, name)
            await pilot.press("space")
        assert len(screen.table.marked) == 2
        # `n` cancels: nothing is sent.
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Pause 2 jobs:" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any("cancelled: nothing sent" in t for t in toasts(app)))
        assert actions_sent(gw) == []
        # `y` acts on both marked jobs, whatever row the cursor is on.
        for key, question, check in (
            ("p", "Pause 2 jobs:", lambda farm, n: farm.find_job(n).is_paused),
            ("u", "Resume 2 jobs:", lambda farm, n: not farm.find_job(n).is_paused),
            ("minus", "Lower the priority of 2 jobs: ", lambda farm, n: farm.find_job(n).priority == before[n] - 10),
            ("plus", "Raise the priority of 2 jobs: ", lambda farm, n: farm.find_job(n).priority == before[n]),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what=f"{key}'s confirmation")
            assert app.screen.question.startswith(question)  # type: ignore[attr-defined]
            await pilot.press("y")
            await wait_for(pilot, lambda: app.screen is screen)
            for name in names:
                await wait_farm(pilot, gw, lambda farm, n=name, c=check: c(farm, n), what=f"{key} on {name}")
        paths = [p for p, _ in actions_sent(gw)]
        assert paths == (
            ["/job.JobInterface/Pause"] * 2 + ["/job.JobInterface/Resume"] * 2 + ["/job.JobInterface/SetPriority"] * 4
        )


async def test_jobs_table_E_eats_dead_after_confirming_escape_cancels(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    job = "testing-sh180-rpatel_layout_v015"
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await cursor_to(pilot, screen, job)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Eat 5 dead frames of job {job}?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert actions_sent(gw) == []
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(job).stats()["eaten"] == 5)
        assert gw.run(lambda farm: farm.find_job(job).stats()["dead"]) == 0
        ((path, body),) = actions_sent(gw)
        assert path == "/job.JobInterface/EatFrames"
        assert json.loads(body)["req"] == {"states": {"frameStates": ["DEAD"]}}
        await wait_for(pilot, lambda: screen.table.cursor_model.stats.dead_frames == 0)  # type: ignore[attr-defined]


async def test_jobs_table_R_retries_dead_after_confirming(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    job = "testing-sh180-rpatel_layout_v015"
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await cursor_to(pilot, screen, job)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Retry 5 dead frames" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(job).stats()["dead"] == 0)
        await wait_for(pilot, lambda: screen.table.cursor_model.stats.dead_frames == 0)  # type: ignore[attr-defined]


async def test_jobs_table_read_only(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        shown = set(screen.active_bindings)
        assert not {"p", "u", "plus", "minus", "equals_sign", "R", "E", "k"} & shown
        assert {"f", "m", "slash"} <= shown
        await pilot.press("p", "equals_sign", "k")
        await wait_for(pilot, lambda: sum("read-only mode" in t for t in toasts(app)) == 3)
        assert app.screen is screen and actions_sent(gw) == []


async def test_hosts_L_locks_and_U_unlocks_after_confirming(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen) and table_loaded(app.screen))
        screen = app.screen
        await cursor_to(pilot, screen, "render002")
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render002").lock_state_name == "LOCKED")
        await wait_for(pilot, lambda: screen.table.cursor_model.lock_state == "LOCKED")  # type: ignore[union-attr]
        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render002").lock_state_name == "OPEN")


async def test_hosts_U_on_a_nimby_locked_host_is_refused_with_a_message(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    gw.run(lambda farm: setattr(farm.find_host("render005"), "lock_state", 2))  # NIMBY: the desk's user's
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen) and table_loaded(app.screen))
        screen = app.screen
        await cursor_to(pilot, screen, "render005")
        assert screen.table.cursor_model.lock_state == "NIMBY_LOCKED"  # type: ignore[union-attr]
        await pilot.press("U")
        await wait_for(pilot, lambda: any("NIMBY-locked" in t and "not unlocked" in t for t in toasts(app)))
        assert app.screen is screen  # no dialog: there is nothing to confirm
        assert actions_sent(gw) == []
        assert gw.run(lambda farm: farm.find_host("render005").lock_state_name) == "NIMBY_LOCKED"


async def test_4_5_and_the_command_line_open_triage_and_stuck(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and table_loaded(app.screen))
        assert len(app.screen.dead) == 6  # the small farm's dead frames
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, StuckScreen) and table_loaded(app.screen))
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
        await pilot.press("colon", *"dead", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("colon", *"stuck", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StuckScreen))


async def test_hidden_triage_does_not_poll(gw: DemoGatewayThread) -> None:
    app = make_app(gw, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and table_loaded(app.screen))
        triage = app.screen
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
        assert triage.poll is not None and triage.poll.paused
        jobs = app.screen
        assert isinstance(jobs, JobsScreen) and jobs.poll is not None
        polls, seen = triage.poll.polls, jobs.poll.polls
        await wait_for(pilot, lambda: jobs.poll is not None and jobs.poll.polls >= seen + 3)
        assert triage.poll.polls <= polls + 1  # at most the round that was in flight


async def test_jobs_screen_announces_new_dead_frames_once(gw: DemoGatewayThread) -> None:
    app = make_app(gw, refresh=0.2, bell=True)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen) and screen.poll is not None
        target = screen.poll.polls + 2
        await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= target)

        def die(farm: Any) -> None:
            job = farm.find_job(RUNNING_JOB)
            farm.set_state(job, next(i for i in range(job.total) if job.f_state[i] == WAITING), DEAD)

        gw.run(die)
        await wait_for(pilot, lambda: any(f"{RUNNING_JOB}: 1 new dead frame" in t for t in toasts(app)))
        target = screen.poll.polls + 3
        await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= target)
        assert sum("new dead frame" in t for t in toasts(app)) == 1 and rings == [1]
