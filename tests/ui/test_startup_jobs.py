"""The start-up GetJobs: the app sends it before the jobs screen exists, and the screen's first poll is
that answer, not a second request; a screen that asks for other jobs does not take it."""

from __future__ import annotations

import gc

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from cuetui.ui.screens.jobs import JobsScreen
from tests.conftest import DEMO_SECRET
from tests.ui.conftest import APP_NOW, DISPLAY_URL, make_app, wait_for, wait_loaded


def get_jobs_count(gw: DemoGatewayThread) -> int:
    return sum(1 for _, path, *_rest in gw.recorded if path.endswith("/GetJobs"))


async def test_the_jobs_screen_shows_the_start_up_answer_without_asking_again(
    studio_gateway: DemoGatewayThread,
) -> None:
    app = make_app(studio_gateway.url, refresh=600.0)  # no second poll while the test looks
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen) and screen.table.row_count > 10
        assert screen.poll is not None and screen.poll.polls == 1
        assert get_jobs_count(studio_gateway) == 1
        assert app.take_first_jobs(screen.search()) is None  # taken once, by that screen
        screen.refresh_now()
        await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= 2, what="a second poll")
        assert get_jobs_count(studio_gateway) == 2


async def test_a_screen_asking_for_other_jobs_sends_its_own(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url, refresh=600.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        first = app.screen
        assert isinstance(first, JobsScreen)
        shows = sorted({job.show for job in first.table.models()})
        other = JobsScreen(shows=shows[:1])
        await app.push_screen(other)
        await wait_for(pilot, lambda: other.poll is not None and other.poll.polls >= 1, what="its first poll")
        assert get_jobs_count(studio_gateway) == 2
        assert {job.show for job in other.table.models()} == set(shows[:1])


async def test_the_collector_paused_for_the_start_up_runs_again_once_the_table_is_shown(
    studio_gateway: DemoGatewayThread,
) -> None:
    """`cuetui` starts with the garbage collector off (its imports' collections were a tenth of the
    start-up); the app turns it on again after the first table's paint and freezes what exists then."""
    client = GatewayClient(studio_gateway.url, GatewayAuth(secret=DEMO_SECRET, sub="tester"))
    options = UiOptions(url=DISPLAY_URL, farm_name="demo", user="tester", refresh=600.0)
    app = CueTuiApp(client, options, clock=lambda: APP_NOW, collector_paused=True)
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: getattr(getattr(app.screen, "table", None), "loaded", False), what="data")
            assert isinstance(app.screen, JobsScreen) and app.screen.table.row_count > 10
            await wait_for(pilot, gc.isenabled, what="the collector on again")
            assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.enable()


async def test_an_app_not_told_of_a_pause_leaves_the_collector_alone(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    gc.disable()
    try:
        async with app.run_test(size=(120, 24)) as pilot:
            await wait_loaded(pilot)
            await pilot.pause(0.1)
            assert not gc.isenabled()
    finally:
        gc.enable()
