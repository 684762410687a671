"""An action that failed says it failed, and counts only what succeeded: on the jobs screen (with the
gateway gone between the question and the answer) and in `cuetui monitor`'s live view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cuetui.config import Secret, Settings
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.requests import JobSearch
from cuetui.ui.monitor_app import MonitorApp
from cuetui.ui.screens.jobs import JobsScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog
from tests.conftest import DEMO_SECRET
from tests.ui.steer_support import (
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    toasts,
    wait_for,
    wait_loaded,
)

DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # 5 dead frames
RUNNING_JOB = "testing-sh550-jdoe_lookdev_v005"


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def cursor_to(pilot: Any, screen: Any, name: str) -> None:
    key = next(k for k in screen.table.shown_keys() if screen.table.model(k).name == name)
    screen.table.move_to_key(key)
    await pilot.pause()


def failure_said(app: Any, start: str) -> bool:
    return any(t.startswith(start) for t in toasts(app))


async def test_retry_with_the_gateway_down_says_it_failed(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await cursor_to(pilot, screen, DEAD_JOB)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        gw.stop()
        await pilot.press("y")
        await wait_for(pilot, lambda: failure_said(app, "failed to retry 5 frames: "), what="the failure")
        assert not any(t.startswith("retried") for t in toasts(app)), toasts(app)


async def test_partly_failed_pause_counts_only_what_succeeded(gw: DemoGatewayThread) -> None:
    from cuetui.gateway.models import Job

    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        (job,) = await app.services.client.get_jobs(JobSearch(jobs=[RUNNING_JOB]))
        gone = Job(id="00000000-0000-4000-8000-000000000000", name="gone")
        result = await app.services.actions.retry_dead([job, gone])
        # Only the job that exists succeeded; its dead frames are what count.
        assert result.done == 1 and result.frames == job.stats.dead_frames
        assert result.message.startswith(f"retried {job.stats.dead_frames} frame")
        assert "(1 of 2 jobs); failed: " in result.message


async def test_monitor_retry_with_the_gateway_down_says_it_failed(gw: DemoGatewayThread) -> None:
    settings = Settings(url=gw.url, secret=Secret(DEMO_SECRET), user="tester")
    async with client_from_settings(settings) as client:
        jobs = await client.get_jobs(JobSearch(jobs=[DEAD_JOB]))
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        status = lambda: str(app.query_one("#status").render())  # noqa: E731
        await wait_for(pilot, lambda: app.monitor.watches[jobs[0].id].progress, what="first poll")
        await pilot.press("R")
        await wait_for(pilot, lambda: "y/n" in status(), what="the question")
        gw.stop()
        await pilot.press("y")
        await wait_for(pilot, lambda: "failed to retry 5 frames" in status(), what="the failure")
        assert "retried" not in status()
        await pilot.press("q")
