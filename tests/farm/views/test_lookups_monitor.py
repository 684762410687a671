"""FarmLookups and MonitorView against the demo gateway."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.monitor import Monitor
from cuetui.farm.views.jobs import JobsView
from cuetui.farm.views.lookups import FarmLookups
from cuetui.farm.views.monitor import MonitorView
from cuetui.gateway.errors import NotFound
from cuetui.gateway.requests import FrameSearch, ProcSearch
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


async def test_lookups_by_name_and_id(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        lookups = FarmLookups(client)
        jobs = (await JobsView(client).poll()).jobs
        job = next(j for j in jobs if j.stats.running_frames and j.stats.waiting_frames + j.stats.succeeded_frames)
        assert (await lookups.find_job(job.name)).id == job.id
        assert (await lookups.job(job.id)).name == job.name
        with pytest.raises(NotFound):
            await lookups.find_job(job.name + "-no-such-job")
        running = (await client.get_frames(job.id, FrameSearch(states=["RUNNING"])))[0]
        named = await lookups.frame_named(job, running.name)
        assert named is not None and named.id == running.id
        assert await lookups.frame_named(job, "9999-no-such-layer") is None
        assert (await lookups.frame(running.id)).name == running.name
        procs = await client.get_procs(ProcSearch(jobs=[job.name]))
        proc = next(p for p in procs if p.frame_name == running.name)
        assert await lookups.proc_log_path(job, running) == proc.log_path != ""
        waiting = await client.get_frames(job.id, FrameSearch(states=["WAITING", "SUCCEEDED"]), limit=1)
        assert await lookups.proc_log_path(job, waiting[0]) is None  # no proc runs it


async def test_monitor_view_with_and_without_layers(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        jobs = list((await JobsView(client).poll()).jobs[:3])
        plain = MonitorView(client, Monitor(jobs), clock=studio.farm.now)  # type: ignore[union-attr]
        before = len(studio.recorded)
        snapshot = await plain.poll()
        assert "GetLayers" not in calls(studio, before) and not snapshot.layers

        live = MonitorView(client, Monitor(jobs), clock=studio.farm.now, with_layers=True)  # type: ignore[union-attr]
        before = len(studio.recorded)
        snapshot = await live.poll()
        assert calls(studio, before).count("GetLayers") == len(jobs)
        assert set(snapshot.layers) == {j.id for j in jobs}
        for job in jobs:
            expected = {layer.id for layer in await client.get_layers(job.id)}
            assert {layer.id for layer in snapshot.layers[job.id]} == expected
        with pytest.raises(TypeError):
            snapshot.layers["x"] = ()  # type: ignore[index]
