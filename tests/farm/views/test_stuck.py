"""StuckFramesView against the demo gateway: the rules decide which running frames are stuck, and each
comes with its log's last line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.stuck import StuckRules
from cuetui.farm.views.jobs import JobScope
from cuetui.farm.views.stuck import LAST_LINE_CAP, StuckFramesView
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH + 3600, record=True)


async def test_with_no_threshold_every_running_frame_is_stuck(studio: DemoGatewayThread, gateway_token: str) -> None:
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        view = StuckFramesView(client, clock=clock, rules=StuckRules(min_silence=0, percent_of_runtime=0))
        snapshot = await view.poll()
    running = sum(j.stats.running_frames for j in snapshot.jobs)
    assert running and len(snapshot.stuck) == running
    for job in snapshot.jobs:  # longest silence first within a job (the table sorts across jobs)
        silences = [line.stuck.silent_for for line in snapshot.stuck if line.stuck.job.id == job.id]
        assert silences == sorted(silences, reverse=True)
    lines = [line.last_line for line in snapshot.stuck]
    assert all(lines[:LAST_LINE_CAP])  # the demo writes every running frame's log
    assert not any(lines[LAST_LINE_CAP:])  # past the cap, not read
    jobs_running = sum(1 for j in snapshot.jobs if j.stats.running_frames)
    assert calls(studio).count("GetLayers") == jobs_running  # only jobs that run frames are asked


async def test_thresholds_and_exclusions_narrow_the_list(studio: DemoGatewayThread, gateway_token: str) -> None:
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        loose = StuckFramesView(client, clock=clock, rules=StuckRules(min_silence=0, percent_of_runtime=0))
        every = await loose.poll()
        name = every.stuck[0].stuck.job.name
        loose.rules = StuckRules(min_silence=0, percent_of_runtime=0, exclude_jobs=(name,))
        loose.scope = JobScope()
        without = await loose.poll()
        assert without.stuck and all(line.stuck.job.name != name for line in without.stuck)
        strict = StuckFramesView(client, clock=clock, rules=StuckRules(min_silence=10 * 86400))
        assert (await strict.poll()).stuck == ()


async def test_the_jobs_are_told_before_their_frames_are_read(studio: DemoGatewayThread, gateway_token: str) -> None:
    sent_when_told: list[list[str]] = []

    async def on_jobs(jobs: tuple[object, ...]) -> None:
        sent_when_told.append(calls(studio))

    async with client_of(studio, gateway_token) as client:
        await StuckFramesView(client, on_jobs=on_jobs).poll()
    assert sent_when_told == [["GetJobs"]]
    assert "GetLayers" in calls(studio)
