"""Notifications: a job in view that gets new dead frames or finishes makes one toast (and rings the bell
when `bell = true`), never repeated for the same frames."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo import actions as farm_actions
from cuetui.demo.farm import DEAD, WAITING
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.dead import NOT_READ
from cuetui.ui.screens.triage import TriageScreen
from tests.ui.steer_support import (
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    wait_for,
    wait_loaded,
)

JOB = "testing-sh550-jdoe_lookdev_v005"


@pytest.fixture
def small(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


def kill_a_frame(farm: Any) -> None:
    job = farm.find_job(JOB)
    i = next(i for i in range(job.total) if job.f_state[i] == WAITING)
    farm.set_state(job, i, DEAD)


async def polls_pass(pilot: Any, screen: TriageScreen, count: int = 2) -> None:
    assert screen.poll is not None
    target = screen.poll.polls + count
    await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= target, what="more polls")


async def open_triage(pilot: Any) -> TriageScreen:
    await wait_loaded(pilot)
    screen = TriageScreen()
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen and table_loaded(screen))
    return screen


@pytest.mark.parametrize("bell", [True, False])
async def test_new_dead_frames_toast_once_and_ring_the_bell(small: DemoGatewayThread, bell: bool) -> None:
    app = make_app(small, refresh=0.2, bell=bell)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await polls_pass(pilot, screen)
        assert not any("new dead" in t for t in toasts(app))  # old dead frames never ring at start
        small.run(kill_a_frame)
        await wait_for(pilot, lambda: any(f"{JOB}: 1 new dead frame" in t for t in toasts(app)), what="the toast")
        await polls_pass(pilot, screen, 3)
        assert sum("new dead" in t for t in toasts(app)) == 1
        assert rings == ([1] if bell else [])


async def test_a_killed_job_is_announced_as_killed_even_when_it_leaves_the_list(small: DemoGatewayThread) -> None:
    app = make_app(small, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await polls_pass(pilot, screen)
        small.run(lambda farm: farm_actions.kill_job(farm, farm.find_job(JOB), "test"))
        await wait_for(pilot, lambda: any(f"{JOB}: killed (" in t for t in toasts(app)), what="the killed toast")
        await polls_pass(pilot, screen, 3)
        assert sum("killed" in t for t in toasts(app)) == 1
        assert not any("finished" in t for t in toasts(app))


def die_of_a_texture(farm: Any, job_name: str, count: int) -> None:
    """`count` waiting frames of the job run and die at once, their logs ending in the texture error."""
    job = farm.find_job(job_name).job
    waiting = [i for i in range(job.total) if job.f_state[i] == WAITING][:count]
    for i in waiting:
        proc = farm.start_frame(job, i, farm.hosts[0])
        farm.finish_frame(proc, False, 1, requeue=False)


async def test_a_burst_of_deaths_in_several_jobs_is_one_notification(small: DemoGatewayThread) -> None:
    app = make_app(small, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await polls_pass(pilot, screen)

        def burst(farm: Any) -> list[str]:
            names = [j.name for j in farm.jobs if j.counts[WAITING] >= 3][:3]
            for name, count in zip(names, (3, 2, 2), strict=True):
                die_of_a_texture(farm, name, count)
            return names

        names = small.run(burst)
        await wait_for(pilot, lambda: any("new dead frame" in t for t in toasts(app)), what="the burst toast")
        await polls_pass(pilot, screen, 3)
        dead = [t for t in toasts(app) if "new dead frame" in t]
        assert len(dead) == 1, dead
        assert dead[0].startswith("7 new dead frames in 3 jobs: 7 × failed to open texture"), dead[0]
        assert not any(name in dead[0] for name in names)


async def test_notifications_dead_keeps_quiet_about_ended_jobs(small: DemoGatewayThread) -> None:
    app = make_app(small, refresh=0.2, notifications="dead")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await polls_pass(pilot, screen)
        small.run(lambda farm: farm_actions.kill_job(farm, farm.find_job(JOB), "test"))
        small.run(kill_a_frame_elsewhere)
        await wait_for(pilot, lambda: any("new dead frame" in t for t in toasts(app)), what="the dead toast")
        await polls_pass(pilot, screen, 3)
        assert not any("killed" in t or "finished" in t for t in toasts(app))


def kill_a_frame_elsewhere(farm: Any) -> None:
    job = next(j for j in farm.jobs if j.name != JOB and j.counts[WAITING])
    die_of_a_texture(farm, job.name, 1)


async def test_notifications_stay_small_and_off_the_status_bar(small: DemoGatewayThread) -> None:
    from textual.widgets._toast import Toast, ToastRack  # not exported by textual.widgets (8.2)

    from cuetui.ui.widgets.status_bar import StatusBar

    app = make_app(small, refresh=0.2)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_loaded(pilot)
        # What one poll can raise: a dead-frame line and an ended-jobs line.
        app.notify(
            "7 new dead frames in 3 jobs: " + "5 × failed to open texture '/shots/a/b.<frame>.tx' " * 2, markup=False
        )
        app.notify(
            "2 jobs ended: 1 finished (testing-sh070-rpatel_anim_v018), 1 killed (testing-sh550-j)", markup=False
        )
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) == 2, what="the toasts")
        await pilot.pause()
        bar = app.screen.query_one(StatusBar).region
        rack = app.screen.query_one(ToastRack).region
        toasts_ = list(app.screen.query(Toast))
        assert rack.bottom <= bar.y, (rack, bar)
        assert all(t.region.width <= 48 and t.region.height <= 5 for t in toasts_)  # 40 % of 120 columns
        assert all(not t.region.overlaps(bar) for t in toasts_)


async def test_the_alert_and_triage_read_each_new_dead_frames_log_once(
    small: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cuetui.farm.dead as dead_module

    reads: list[str] = []

    class CountingLogFile(dead_module.LogFile):
        def open_tail(self) -> list[str]:
            reads.append(str(self.path))
            return super().open_tail()

    monkeypatch.setattr(dead_module, "LogFile", CountingLogFile)
    app = make_app(small, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await wait_for(pilot, lambda: screen.groups and all(g.signature != NOT_READ for g in screen.groups))
        await polls_pass(pilot, screen)
        before = len(reads)

        def burst(farm: Any) -> list[str]:
            names = [j.name for j in farm.jobs if j.counts[WAITING] >= 3][:2]
            for name in names:
                die_of_a_texture(farm, name, 3)
            return names

        small.run(burst)
        await wait_for(pilot, lambda: any("6 new dead frames" in t for t in toasts(app)), what="the burst toast")
        await wait_for(
            pilot, lambda: sum(g.count for g in screen.groups if g.signature != NOT_READ) >= len(screen.dead)
        )
        await polls_pass(pilot, screen, 3)
        new = reads[before:]
        assert len(new) == 6 and len(set(new)) == 6, new  # six new logs, each read once by the two
        assert app.services.signatures.reads == len(reads)  # one reader for both
