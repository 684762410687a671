"""One recorded session that presses every steering key, then parses every request the app sent strictly
into its opencue-proto request type (unknown or mis-spelt fields fail). The other steering tests run the
same check on their own requests after each test (`strict_requests`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.requests import FrameSearch
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, PriorityDialog
from tests.schema import check_request
from tests.ui.steer_support import make_app, wait_farm, wait_for
from tests.ui.test_steer_actions import DEAD_JOB, OTHER_JOB, RUNNING_JOB, harness, jobs_named

# Everything the UI sends to change the farm. (FrameInterface/Eat and JobInterface/KillFrames exist
# in the protocol, but the UI eats by frame ids with EatFrames and kills frames one by one.)
UI_ACTION_PATHS = {
    "/job.JobInterface/Pause",
    "/job.JobInterface/Resume",
    "/job.JobInterface/SetPriority",
    "/job.JobInterface/RetryFrames",
    "/job.JobInterface/EatFrames",
    "/job.JobInterface/Kill",
    "/job.FrameInterface/Retry",
    "/job.FrameInterface/Kill",
    "/host.HostInterface/Lock",
    "/host.HostInterface/Unlock",
}


async def answer(pilot: Any, dialog: type, *keys: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, dialog), what=dialog.__name__)
    await pilot.press(*keys)


async def test_every_request_of_a_steering_session_parses_strictly(
    make_gateway: Callable[..., DemoGatewayThread],
) -> None:
    gw = make_gateway(profile="small", seed=7, speed=0.0, record=True)
    app = make_app(gw)
    async with app.run_test() as pilot:
        running, dead_job, other = await jobs_named(app, RUNNING_JOB, DEAD_JOB, OTHER_JOB)
        frames = await app.services.client.get_frames(dead_job.id, FrameSearch(states=["DEAD", "RUNNING"]))
        dead = [f for f in frames if f.state == "DEAD"]
        live = [f for f in frames if f.state == "RUNNING"]
        hosts = {h.name: h for h in await app.services.client.get_hosts()}
        screen = await harness(pilot, jobs=[running])
        await pilot.press("p", "u", "plus")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == running.priority + 10)
        await pilot.press("equals_sign")
        await answer(pilot, PriorityDialog, "home", "ctrl+k", *"500", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(RUNNING_JOB).priority == 500)
        screen.jobs = [dead_job]
        await pilot.press("E")
        await answer(pilot, ConfirmDialog, "y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).stats()["dead"] == 0)
        screen.frames = [(dead_job, dead[0])]
        await pilot.press("r")
        screen.frames = [(dead_job, live[0])]
        await pilot.press("r")
        await answer(pilot, ConfirmDialog, "y")
        screen.frames = [(dead_job, live[1])]
        await pilot.press("e")
        await answer(pilot, ConfirmDialog, "y")
        screen.frames = [(dead_job, live[2])]
        await pilot.press("K")
        await answer(pilot, KillReasonDialog, "enter")
        gw.run(lambda farm: farm.set_state(farm.find_job(DEAD_JOB), 0, 5))  # one dead frame again, for R
        (screen.jobs[0],) = await jobs_named(app, DEAD_JOB)
        await pilot.press("R")
        await answer(pilot, ConfirmDialog, "y")
        screen.jobs = [other]
        await pilot.press("k")
        await answer(pilot, KillReasonDialog, "enter")
        screen.hosts = [hosts["render001"]]
        await pilot.press("L")
        await answer(pilot, ConfirmDialog, "y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render001").lock_state_name == "LOCKED")
        await pilot.press("U")
        await answer(pilot, ConfirmDialog, "y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render001").lock_state_name == "OPEN")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(OTHER_JOB).state_name == "FINISHED")

    posts = [(path, body) for method, path, _h, body, _s in gw.recorded if method == "POST"]
    assert {path for path, _ in posts} >= UI_ACTION_PATHS
    for path, body in posts:
        check_request(path, body or b"{}")
    for path, body in posts:
        if path in ("/job.JobInterface/RetryFrames", "/job.JobInterface/EatFrames"):
            assert json.loads(body)["req"], "RetryFrames/EatFrames are never sent with an empty criteria"
