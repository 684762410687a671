"""DeadFramesView against the demo gateway: every dead frame of the jobs in view, newest first, and a
quiet poll costs one GetJobs (a job's dead frames are fetched again only when its counters change)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cuetui.demo.farm import DEAD, WAITING
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.dead import FULL_RELOAD_EVERY, DeadFramesView
from cuetui.gateway.requests import FrameSearch
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


def kill_a_waiting_frame(gw: DemoGatewayThread, job_id: str) -> str:
    def change(farm: object) -> str:
        job = farm.find_job(job_id).job  # type: ignore[attr-defined]
        i = next(i for i, state in enumerate(job.f_state) if state == WAITING)
        farm.set_state(job, i, DEAD)  # type: ignore[attr-defined]
        return str(job.frame_id(i))

    return gw.run(change)


async def test_every_dead_frame_newest_first_then_only_what_changed(
    studio: DemoGatewayThread, gateway_token: str
) -> None:
    async with client_of(studio, gateway_token) as client:
        view = DeadFramesView(client)
        first = await view.poll()
        with_dead = [j for j in first.jobs if j.stats.dead_frames]
        assert with_dead and first.dead
        expected = set()
        for job in with_dead:
            expected |= {f.id for f in await client.get_all_frames(job.id, FrameSearch(states=["DEAD"]))}
        assert {d.frame.id for d in first.dead} == expected
        died = [d.died_at for d in first.dead]
        assert died == sorted(died, reverse=True)

        before = len(studio.recorded)
        quiet = await view.poll()
        assert calls(studio, before) == ["GetJobs"]  # nothing changed: the cache answers
        assert quiet.dead == first.dead

        job = next(j for j in quiet.jobs if j.stats.waiting_frames and j.stats.dead_frames)
        new_dead = kill_a_waiting_frame(studio, job.id)
        before = len(studio.recorded)
        changed = await view.poll()
        assert calls(studio, before) == ["GetJobs", "GetFrames"]  # only that job's dead frames again
        assert new_dead in {d.frame.id for d in changed.dead}
        assert len(changed.dead) == len(first.dead) + 1


async def test_dead_frames_are_fetched_again_now_and_then(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        view = DeadFramesView(client)
        first = await view.poll()
        jobs_with_dead = sum(1 for j in first.jobs if j.stats.dead_frames)
        for _ in range(FULL_RELOAD_EVERY - 1):
            await view.poll()
        before = len(studio.recorded)
        await view.poll()
        assert calls(studio, before).count("GetFrames") >= jobs_with_dead


async def test_the_jobs_are_told_before_their_dead_frames_are_read(
    studio: DemoGatewayThread, gateway_token: str
) -> None:
    sent_when_told: list[list[str]] = []

    async def on_jobs(jobs: tuple[object, ...]) -> None:
        sent_when_told.append(calls(studio))

    async with client_of(studio, gateway_token) as client:
        snapshot = await DeadFramesView(client, on_jobs=on_jobs).poll()
    assert sent_when_told == [["GetJobs"]]
    assert snapshot.dead and "GetFrames" in calls(studio)


async def test_details_read_layers_and_hosts_only_for_killed_frames_and_suspects(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, tmp_path: object
) -> None:
    import json
    from pathlib import Path

    from tests.ui.steer_support import BAD_HOST, triage_scenario

    path = Path(str(tmp_path)) / "scenario.json"
    path.write_text(json.dumps(triage_scenario()), encoding="utf-8")
    gw = make_gateway(scenario=str(path), epoch=EPOCH, record=True, log_root=Path(str(tmp_path)) / "logs")
    async with client_of(gw, gateway_token) as client:
        plain = await DeadFramesView(client).poll()
        assert plain.min_memory == {} and plain.hosts == {}
        view = DeadFramesView(client, details=True)
        snap = await view.poll()
        killed_jobs = {d.job.id for d in snap.dead if d.frame.exit_status == 137}
        assert {job_id for job_id, _layer in snap.min_memory} == killed_jobs and len(killed_jobs) == 2
        # Hosts of the frames killed by signal 9, and the suspect host: not every host of the farm.
        assert set(snap.hosts) == {BAD_HOST, "render02"}
        assert {"FindHost", "GetLayers"} <= set(calls(gw))
        since = len(gw.recorded)
        await view.poll()  # nothing changed: layers and hosts come from the cache
        assert not {"FindHost", "GetLayers"} & set(calls(gw, since))
