"""The monitor's live view: draws the jobs, ends by itself with the right status, keys act on the farm."""

from __future__ import annotations

from collections.abc import Callable

from cuetui.config import Secret, Settings
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.models import Job
from cuetui.gateway.requests import JobSearch
from cuetui.ui.monitor_app import MonitorApp
from tests.conftest import DEMO_SECRET
from tests.waiting import wait_for_app

DEAD_JOB = "testing-sh180-rpatel_layout_v015"
PAUSED_JOB = "testing-sh110-rpatel_comp_v004"
CLEAN_JOB = "testing-sh550-bmartin_comp_v013"


def settings_for(gw: DemoGatewayThread, read_only: bool = False) -> Settings:
    return Settings(url=gw.url, secret=Secret(DEMO_SECRET), user="tester", read_only=read_only)


async def jobs_named(settings: Settings, *names: str) -> list[Job]:
    async with client_from_settings(settings) as client:
        jobs = await client.get_jobs(JobSearch(jobs=list(names), include_finished=True))
    return sorted(jobs, key=lambda j: names.index(j.name))


async def polls_after(pilot: object, gw: DemoGatewayThread, mark: int, polls: int = 2) -> None:
    """Until the app has sent `polls` more reads of its jobs than it had by request number `mark`."""

    def reads() -> int:
        return sum(path.endswith("/GetJobs") for _m, path, _h, _b, _s in gw.recorded[mark:])

    await wait_for_app(pilot, lambda: reads() >= polls, what=f"{polls} polls")


def finish_running(gw: DemoGatewayThread, name: str) -> None:
    def run(farm: object) -> None:
        for proc in list(farm.procs.values()):  # type: ignore[attr-defined]
            if proc.job.name == name:
                farm.finish_frame(proc, True, 0)  # type: ignore[attr-defined]

    gw.run(run)


async def test_dead_end_stays_open_and_retry_carries_on(demo_gateway: DemoGatewayThread) -> None:
    settings = settings_for(demo_gateway)
    jobs = await jobs_named(settings, DEAD_JOB, CLEAN_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_app(pilot, lambda: app.dead_lines, what="dead frames listed")
        panel = str(app.query_one("#job-0").render())
        assert DEAD_JOB in panel and "62/84" in panel and "dead 5" in panel
        await wait_for_app(pilot, lambda: app.layers.get(jobs[0].id), what="layers")
        finish_running(demo_gateway, DEAD_JOB)
        finish_running(demo_gateway, CLEAN_JOB)
        # ended with dead frames: the view stays so they can be retried, and says so
        await wait_for_app(pilot, lambda: "R retries them" in str(app.query_one("#status").render()), what="end")
        assert app.return_code is None
        await pilot.press("R", "y")
        await wait_for_app(pilot, lambda: not app.monitor.finished, what="the retried job to be followed again")
        assert app.return_code is None
        # the retried frames run and succeed: every frame succeeded now, so the view closes with 0
        demo_gateway.run(lambda farm: farm.dispatch(100))
        finish_running(demo_gateway, DEAD_JOB)
        await wait_for_app(pilot, lambda: app.return_code is not None, what="the app to end")
    assert app.return_code == 0


async def test_quit_after_dead_end_exits_1(demo_gateway: DemoGatewayThread) -> None:
    settings = settings_for(demo_gateway)
    jobs = await jobs_named(settings, DEAD_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        finish_running(demo_gateway, DEAD_JOB)
        await wait_for_app(pilot, lambda: app.monitor.finished, what="end")
        await pilot.press("q")
    assert app.return_code == 1


async def test_clean_job_exits_0(demo_gateway: DemoGatewayThread) -> None:
    settings = settings_for(demo_gateway)
    jobs = await jobs_named(settings, CLEAN_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for_app(pilot, lambda: app.monitor.watches[jobs[0].id].progress, what="first poll")
        finish_running(demo_gateway, CLEAN_JOB)
        await wait_for_app(pilot, lambda: app.return_code is not None, what="the app to end")
    assert app.return_code == 0


async def test_keys_pause_resume_and_retry_with_confirmation(demo_gateway: DemoGatewayThread) -> None:
    settings = settings_for(demo_gateway)
    jobs = await jobs_named(settings, DEAD_JOB, PAUSED_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)

    def farm_job(name: str) -> object:
        return demo_gateway.run(lambda farm: farm.find_job(name))

    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_app(pilot, lambda: app.monitor.watches[jobs[0].id].progress, what="first poll")
        await pilot.press("p")
        await wait_for_app(pilot, lambda: farm_job(DEAD_JOB).is_paused, what="pause")  # type: ignore[attr-defined]
        await pilot.press("down", "u")
        await wait_for_app(pilot, lambda: not farm_job(PAUSED_JOB).is_paused, what="resume")  # type: ignore[attr-defined]
        await pilot.press("up", "R")
        assert "retry 5 dead frames" in str(app.query_one("#status").render())
        await pilot.press("n")
        await wait_for_app(pilot, lambda: "cancelled" in str(app.query_one("#status").render()), what="the cancel")
        await polls_after(pilot, demo_gateway, len(demo_gateway.recorded))
        assert demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).counts[5]) == 5
        assert not any(path.endswith("/RetryFrames") for _m, path, _h, _b, _s in demo_gateway.recorded)
        await pilot.press("R", "y")
        await wait_for_app(
            pilot, lambda: demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).counts[5]) == 0, what="retry"
        )
        await pilot.press("q")
    assert app.return_code == 0


async def test_read_only_hides_and_refuses_actions(demo_gateway: DemoGatewayThread) -> None:
    settings = settings_for(demo_gateway, read_only=True)
    jobs = await jobs_named(settings, DEAD_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_app(pilot, lambda: app.monitor.watches[jobs[0].id].progress, what="first poll")
        assert app.check_action("pause", ()) is False and app.check_action("retry_dead", ()) is False
        mark = len(demo_gateway.recorded)
        await pilot.press("p", "R", "y")
        # The keys are hidden, so there is no refusal to wait for: wait until the app has polled twice
        # since (an action sent by a key goes out before those), then look at everything that was sent.
        await polls_after(pilot, demo_gateway, mark)
        assert "?" not in str(app.query_one("#status").render())  # no question was opened either
        paths = [path for _m, path, _h, _b, _s in demo_gateway.recorded]
        assert not any(p.endswith(("/Pause", "/RetryFrames")) for p in paths)
        await pilot.press("q")


async def test_gateway_down_gives_up_after_timeout(make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway()
    settings = settings_for(gw)
    jobs = await jobs_named(settings, CLEAN_JOB)
    gw.stop()
    app = MonitorApp(settings, jobs, interval=0.1, timeout=0.5)
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for_app(pilot, lambda: app.return_code is not None, what="give up")
    assert app.return_code == 3 and "unreachable" in app.exit_message


async def test_gateway_lost_is_worded_as_the_app_status_bar(make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway()
    settings = settings_for(gw)
    jobs = await jobs_named(settings, CLEAN_JOB)
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(100, 20)) as pilot:

        def status() -> str:
            return str(app.query_one("#status").render())

        await wait_for_app(pilot, lambda: status() == "live", what="live")
        gw.stop()
        # the connection tracker's words (the full-screen app's status bar), and the data marked stale
        await wait_for_app(pilot, lambda: "(stale)" in status(), what="the gateway to be missed")
        assert status().startswith(f"unreachable at {gw.url}, retrying in ")
        assert app.services.connection.status.text(app.clock()) in status()
        await pilot.press("q")
    assert app.return_code == 0
