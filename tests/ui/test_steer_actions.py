"""Every steering key through `SteersFarm` and `steering`, on a bare screen that holds the selected jobs,
frames or hosts, against the demo gateway: the farm's state afterwards, confirm/cancel, the exact
priority, the kill reason, NIMBY refusal, read-only refusal (nothing sent), and gateway errors shown."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import pytest
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.models import Frame, Host, Job
from cuetui.gateway.requests import FrameSearch, JobSearch
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.steer_keys import SteersFarm, frame_actions, host_actions, job_actions
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

RUNNING_JOB = "testing-sh550-jdoe_lookdev_v005"
PAUSED_JOB = "testing-sh110-rpatel_comp_v004"
DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # 5 dead frames
OTHER_JOB = "testing-sh550-bmartin_comp_v013"
SPECS = job_actions("t") + frame_actions("t") + host_actions("t")


class Harness(SteersFarm, Screen[None]):
    """A screen whose selection is whatever the test gives it."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = SPECS
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = bindings(SPECS)  # type: ignore[assignment]

    def __init__(
        self, jobs: Sequence[Job] = (), frames: Sequence[tuple[Job, Frame]] = (), hosts: Sequence[Host] = ()
    ) -> None:
        super().__init__()
        self.jobs = list(jobs)
        self.frames = list(frames)
        self.hosts = list(hosts)
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        yield Static("harness")
        yield Footer()

    def steer_jobs(self) -> list[Job]:
        return self.jobs

    def steer_frames(self) -> list[tuple[Job, Frame]]:
        return self.frames

    def steer_hosts(self) -> list[Host]:
        return self.hosts

    def steer_refresh(self) -> Callable[[], object]:
        def refresh() -> None:
            self.refreshes += 1

        return refresh


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


async def jobs_named(app: Any, *names: str) -> list[Job]:
    jobs = {j.name: j for j in await app.services.client.get_jobs(JobSearch(include_finished=True))}
    return [jobs[n] for n in names]


async def harness(pilot: Any, **selection: Any) -> Harness:
    await wait_loaded(pilot)
    screen = Harness(**selection)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


def farm_job(gw: DemoGatewayThread, name: str, attr: str) -> Any:
    return gw.run(lambda farm: getattr(farm.find_job(name), attr))


async def test_p_pauses_and_u_resumes_refreshing_at_once(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, RUNNING_JOB)
        screen = await harness(pilot, jobs=[job])
        await pilot.press("p")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).is_paused)
        await wait_for(pilot, lambda: any("paused 1 job" in t for t in toasts(app)))
        assert screen.refreshes >= 1
        await pilot.press("u")
        await wait_farm(pilot, gw, lambda farm: not farm.find_job(RUNNING_JOB).is_paused)
        assert [p for p, _ in actions_sent(gw)] == ["/job.JobInterface/Pause", "/job.JobInterface/Resume"]


async def test_several_jobs_always_confirm_with_the_count(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        jobs = await jobs_named(app, RUNNING_JOB, OTHER_JOB)
        await harness(pilot, jobs=jobs)
        for key, words in (("p", "Pause 2 jobs"), ("u", "Resume 2 jobs"), ("plus", "Raise the priority of 2 jobs")):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert words in app.screen.question  # type: ignore[attr-defined]
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, Harness))
        assert actions_sent(gw) == []
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        for name in (RUNNING_JOB, OTHER_JOB):
            await wait_farm(pilot, gw, lambda farm, n=name: farm.find_job(n).is_paused)


async def test_plus_minus_move_priority_by_ten(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, RUNNING_JOB)
        start = job.priority
        screen = await harness(pilot, jobs=[job])
        await pilot.press("plus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == start + 10)
        (screen.jobs[0],) = await jobs_named(app, RUNNING_JOB)
        await pilot.press("minus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == start)
        bodies = [json.loads(b) for _, b in actions_sent(gw)]
        assert [b["val"] for b in bodies] == [start + 10, start]


async def test_equals_sets_exactly_the_typed_priority_and_refuses_bad_input(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, RUNNING_JOB)
        await harness(pilot, jobs=[job])
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, PriorityDialog))
        dialog = app.screen
        assert isinstance(dialog, PriorityDialog)
        for bad in ("high", "-1", "1000001", "1e3"):
            await pilot.press("home", "ctrl+k", *bad, "enter")
            await wait_for(pilot, lambda: bool(dialog.error_text))
            assert app.screen is dialog
        assert actions_sent(gw) == []
        await pilot.press("home", "ctrl+k", *"12345", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == 12345)
        assert [json.loads(b) for _, b in actions_sent(gw)] == [{"job": {"id": job.id}, "val": 12345}]


async def test_R_and_E_confirm_with_the_dead_count(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, DEAD_JOB)
        screen = await harness(pilot, jobs=[job])
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Retry 5 dead frames of job {DEAD_JOB}?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert actions_sent(gw) == []
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["dead"] == 0)
        await wait_for(pilot, lambda: any("retried 5 frames" in t for t in toasts(app)))
        # Make two frames die again, then eat them.
        gw.run(lambda farm: [farm.set_state(farm.find_job(DEAD_JOB), i, 5) for i in (0, 1)])
        (screen.jobs[0],) = await jobs_named(app, DEAD_JOB)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Eat 2 dead frames of job" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["eaten"] == 2)
        for path, body in actions_sent(gw):
            assert json.loads(body)["req"] == {"states": {"frameStates": ["DEAD"]}}, path


async def test_k_kills_only_with_a_reason(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, RUNNING_JOB)
        screen = await harness(pilot, jobs=[job])
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        assert "running frames will be killed" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        dialog = app.screen
        assert isinstance(dialog, KillReasonDialog)
        await pilot.press("backspace", "enter")
        await wait_for(pilot, lambda: "needs a reason" in dialog.error_text)
        assert actions_sent(gw) == [] and farm_job(gw, RUNNING_JOB, "state_name") == "PENDING"
        await pilot.press(*"duplicate submission", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).state_name == "FINISHED")
        ((path, body),) = actions_sent(gw)
        sent = json.loads(body)
        assert path == "/job.JobInterface/Kill"
        assert sent["reason"] == "duplicate submission"
        assert sent["username"] and sent["pid"] and sent["hostKill"]


async def test_frame_keys_retry_eat_kill(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, DEAD_JOB)
        frames = await app.services.client.get_frames(job.id, FrameSearch(states=["DEAD", "RUNNING"]))
        dead = [f for f in frames if f.state == "DEAD"]
        running = [f for f in frames if f.state == "RUNNING"]
        screen = await harness(pilot, frames=[(job, dead[0])])
        await pilot.press("r")  # a dead frame of one job: no question
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_states()[dead[0].name] == "WAITING")
        screen.frames = [(job, dead[1])]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_states()[dead[1].name] == "EATEN")
        screen.frames = [(job, dead[2]), (job, running[0])]
        await pilot.press("K")  # only the running one is killed
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        assert "1 frame of" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_states()[running[0].name] == "WAITING")
        kills = [json.loads(b) for p, b in actions_sent(gw) if p == "/job.FrameInterface/Kill"]
        assert kills == [
            {
                "frame": {"id": running[0].id},
                "reason": "Manual kill by tester from cuetui",
                "username": kills[0]["username"],
                "pid": kills[0]["pid"],
                "hostKill": kills[0]["hostKill"],
            }
        ]
        # K with no running frame selected: refused, nothing sent.
        before = len(actions_sent(gw))
        screen.frames = [(job, dead[2])]
        await pilot.press("K")
        await wait_for(pilot, lambda: any("none of the selected frames is running" in t for t in toasts(app)))
        assert len(actions_sent(gw)) == before


async def test_L_locks_U_unlocks_and_nimby_is_refused(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        gw.run(lambda farm: setattr(farm.find_host("render005"), "lock_state", 2))
        hosts = {h.name: h for h in await app.services.client.get_hosts()}
        screen = await harness(pilot, hosts=[hosts["render001"]])
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Lock host render001?" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render001").lock_state_name == "LOCKED")
        screen.hosts = [hosts["render008"]]
        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render008").lock_state_name == "OPEN")
        before = len(actions_sent(gw))
        screen.hosts = [hosts["render005"]]
        await pilot.press("U")
        await wait_for(pilot, lambda: any("NIMBY-locked" in t and "not unlocked" in t for t in toasts(app)))
        assert app.screen is screen and len(actions_sent(gw)) == before
        assert gw.run(lambda farm: farm.find_host("render005").lock_state_name) == "NIMBY_LOCKED"


async def test_read_only_every_key_answers_and_nothing_is_sent(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, DEAD_JOB)
        frames = await app.services.client.get_frames(job.id, FrameSearch(states=["DEAD", "RUNNING"]))
        hosts = await app.services.client.get_hosts()
        screen = await harness(pilot, jobs=[job], frames=[(job, f) for f in frames[:2]], hosts=hosts[:1])
        keys = [spec.key for spec in SPECS]
        assert not set(keys) & set(screen.active_bindings)
        for key in keys:
            await pilot.press(key)
            assert app.screen is screen, key
        await wait_for(pilot, lambda: sum("read-only mode" in t for t in toasts(app)) == len(keys), what="refusals")
        assert all(t.endswith("not sent") for t in toasts(app) if "read-only" in t)
        assert actions_sent(gw) == []


async def test_a_gateway_error_is_shown(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        await harness(pilot, jobs=[Job(id="00000000-0000-4000-8000-000000000000", name="gone")])
        await pilot.press("p")
        await wait_for(pilot, lambda: any(t.startswith("failed to pause 1 job: ") for t in toasts(app)))


async def test_R_and_E_on_a_job_without_dead_frames_send_nothing(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test() as pilot:
        (job,) = await jobs_named(app, RUNNING_JOB)
        screen = await harness(pilot, jobs=[job])
        await pilot.press("R", "E")
        await wait_for(pilot, lambda: sum("no dead frames in job" in t for t in toasts(app)) == 2)
        assert app.screen is screen and actions_sent(gw) == []
