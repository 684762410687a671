"""JobDetailView against the demo gateway: header and layers before the frames on the first poll, then
GetUpdatedFrames alone per poll, with the job's and layers' frame counters derived from the frames held;
GetJob + GetLayers again every QUIET_EVERY quiet polls, at most every LIVE_EVERY polls while frames change,
when the job's state changes and on refresh_all()."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from cuetui.demo.farm import DEAD, SUCCEEDED
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.job import LIVE_EVERY, QUIET_EVERY, JobDetailView
from cuetui.gateway.models import Job, Layer
from tests.farm.views.support import EPOCH, calls, client_of

T = TypeVar("T")


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


def header_calls(sent: list[str]) -> bool:
    """GetUpdatedFrames, then GetJob and GetLayers (asked at once: in either order)."""
    return sent[:1] == ["GetUpdatedFrames"] and sorted(sent[1:]) == ["GetJob", "GetLayers"]


def a_pending_job(gw: DemoGatewayThread) -> tuple[str, int]:
    def pick(farm: object) -> tuple[str, int]:
        jobs = [j for j in farm.jobs if j.state_name == "PENDING"]  # type: ignore[attr-defined]
        job = min(jobs, key=lambda j: (j.total, j.id))
        return job.id, job.total

    return gw.run(pick)


async def test_first_poll_header_first_then_quiet_polls_are_cheap(
    studio: DemoGatewayThread, gateway_token: str
) -> None:
    job_id, total = a_pending_job(studio)
    clock = studio.farm.now  # type: ignore[union-attr]
    headers: list[tuple[Job, tuple[Layer, ...], bool]] = []
    async with client_of(studio, gateway_token) as client:
        view: JobDetailView

        def on_header(job: Job, layers: tuple[Layer, ...]) -> None:
            headers.append((job, layers, view.sync.loaded))

        view = JobDetailView(client, job_id, clock=clock, on_header=on_header)
        first = await view.poll()
        sent = calls(studio)
        assert sorted(sent[:2]) == ["GetJob", "GetLayers"] and set(sent[2:]) == {"GetFrames"}
        assert len(headers) == 1 and not headers[0][2]  # the header came before the frames
        assert first.job.id == job_id and first.frames.first_load and len(view.sync.frames) == total
        assert first.layers is not None
        orders = [layer.dispatch_order for layer in first.layers]
        assert orders == sorted(orders)

        # A frozen farm: nothing changes, so one request a poll until the QUIET_EVERY-th.
        polls = []
        while view.polls < QUIET_EVERY:
            before = len(studio.recorded)
            detail = await view.poll()
            polls.append((calls(studio, before), detail.layers, detail.job))
        assert len(polls) == QUIET_EVERY - 1
        assert all(sent == ["GetUpdatedFrames"] and layers is None for sent, layers, _job in polls)
        assert all(job == first.job for _sent, _layers, job in polls)  # the same figures as GetJob's
        before = len(studio.recorded)
        due = await view.poll()
        assert header_calls(calls(studio, before)) and due.layers is not None
        assert due.fetched and due.job == first.job
        assert len(headers) == 1  # the early header is for the first poll only

        # A manual refresh (or an action) asks for the header and layers on the next poll.
        view.refresh_all()
        before = len(studio.recorded)
        await view.poll()
        assert header_calls(calls(studio, before))
        before = len(studio.recorded)
        await view.poll()
        assert calls(studio, before) == ["GetUpdatedFrames"]


async def test_a_changed_frame_updates_the_counters_from_the_frames(
    studio: DemoGatewayThread, gateway_token: str
) -> None:
    job_id, _total = a_pending_job(studio)
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        view = JobDetailView(client, job_id, clock=clock)
        first = await view.poll()
        assert first.layers is not None

        def kill_frame(n: int) -> Callable[[object], str]:
            def kill(farm: object) -> str:
                job = farm.find_job(job_id).job  # type: ignore[attr-defined]
                farm.set_state(job, n, DEAD)  # type: ignore[attr-defined]
                return str(job.frame_id(n))

            return kill

        frame_id = studio.run(kill_frame(0))
        before = len(studio.recorded)
        detail = await view.poll()
        assert calls(studio, before) == ["GetUpdatedFrames"]  # the counters come from the frames
        assert frame_id in detail.frames.changed and view.sync.frames[frame_id].state == "DEAD"
        assert detail.layers is not None and not detail.fetched
        # The derived counters are what the gateway says now.
        gateway_job = await client.get_job(job_id)
        gateway_layers = {layer.id: layer for layer in await client.get_layers(job_id)}
        assert detail.job.stats.dead_frames == first.job.stats.dead_frames + 1
        assert detail.job.stats == gateway_job.stats
        assert {layer.id: layer.stats for layer in detail.layers} == {
            i: layer.stats for i, layer in gateway_layers.items()
        }

        # Frames changing on every poll: GetJob + GetLayers at most every LIVE_EVERY polls.
        sent: list[list[str]] = []
        for n in range(1, LIVE_EVERY + 1):
            studio.run(kill_frame(n))
            before = len(studio.recorded)
            await view.poll()
            sent.append(calls(studio, before))
        headers = [s for s in sent if "GetJob" in s]
        assert len(headers) == 1 and header_calls(headers[0])
        assert sum(len(s) for s in sent) == LIVE_EVERY + 2


async def test_the_job_state_changing_brings_the_header(studio: DemoGatewayThread, gateway_token: str) -> None:
    job_id, _total = a_pending_job(studio)
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        view = JobDetailView(client, job_id, clock=clock)
        await view.poll()

        def finish(farm: object) -> None:
            job = farm.find_job(job_id).job  # type: ignore[attr-defined]
            for n in range(job.total):
                farm.set_state(job, n, SUCCEEDED)  # type: ignore[attr-defined]
            farm._update_job_state(job)  # type: ignore[attr-defined]  # what the farm's step does

        studio.run(finish)
        before = len(studio.recorded)
        detail = await view.poll()
        # Frames changed (and the job finished) on the poll after the one that fetched the header.
        assert calls(studio, before)[0] == "GetUpdatedFrames" and "GetJob" in calls(studio, before)
        assert detail.fetched and detail.finished and detail.job.state == "FINISHED"
        assert detail.job.stats == (await client.get_job(job_id)).stats


async def test_the_header_and_layers_are_asked_at_once(studio: DemoGatewayThread, gateway_token: str) -> None:
    job_id, _total = a_pending_job(studio)
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        in_flight = [0, 0]  # now, most

        def counted(call: Callable[[str], Awaitable[T]]) -> Callable[[str], Awaitable[T]]:
            async def wrapped(job: str) -> T:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
                try:
                    return await call(job)
                finally:
                    in_flight[0] -= 1

            return wrapped

        client.get_job = counted(client.get_job)  # type: ignore[method-assign]
        client.get_layers = counted(client.get_layers)  # type: ignore[method-assign]
        view = JobDetailView(client, job_id, clock=clock)
        first = await view.poll()
        assert in_flight[1] == 2  # GetLayers was sent before GetJob's answer came back
        assert first.job.id == job_id and first.layers
