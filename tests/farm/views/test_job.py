"""JobDetailView against the demo gateway: header and layers before the frames on the first poll, then
GetJob + GetUpdatedFrames per quiet poll, and the layers only when frames changed or every
LAYERS_EVERY polls."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cuetui.demo.farm import DEAD
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.job import LAYERS_EVERY, JobDetailView
from cuetui.gateway.models import Job, Layer
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


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
        assert sent[:2] == ["GetJob", "GetLayers"] and set(sent[2:]) == {"GetFrames"}
        assert len(headers) == 1 and not headers[0][2]  # the header came before the frames
        assert first.job.id == job_id and first.frames.first_load and len(view.sync.frames) == total
        assert first.layers is not None
        orders = [layer.dispatch_order for layer in first.layers]
        assert orders == sorted(orders)

        # A frozen farm: nothing changes, so no layers until the LAYERS_EVERY-th poll.
        polls = []
        while view.polls % LAYERS_EVERY != LAYERS_EVERY - 1:
            before = len(studio.recorded)
            detail = await view.poll()
            polls.append((calls(studio, before), detail.layers))
        assert polls and all(sent == ["GetJob", "GetUpdatedFrames"] and layers is None for sent, layers in polls)
        before = len(studio.recorded)
        due = await view.poll()
        assert view.polls % LAYERS_EVERY == 0
        assert calls(studio, before)[-1] == "GetLayers" and due.layers is not None
        assert len(headers) == 1  # the early header is for the first poll only


async def test_a_changed_frame_brings_the_layers(studio: DemoGatewayThread, gateway_token: str) -> None:
    job_id, _total = a_pending_job(studio)
    clock = studio.farm.now  # type: ignore[union-attr]
    async with client_of(studio, gateway_token) as client:
        view = JobDetailView(client, job_id, clock=clock)
        await view.poll()

        def kill_first_frame(farm: object) -> str:
            job = farm.find_job(job_id).job  # type: ignore[attr-defined]
            farm.set_state(job, 0, DEAD)  # type: ignore[attr-defined]
            return str(job.frame_id(0))

        frame_id = studio.run(kill_first_frame)
        detail = await view.poll()
        assert frame_id in detail.frames.changed
        assert detail.layers is not None
        assert view.sync.frames[frame_id].state == "DEAD"
