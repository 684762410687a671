"""The dependencies view (`v`, `cuetui depends`), the jobs-table marker's reads and the subscriptions view
(`6`, `cuetui subscriptions`) against the demo gateway."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views import depends as depends_view
from cuetui.farm.views.depends import DependsView, ExternalWaits, NoSuchPart, WaitsOnJobs
from cuetui.farm.views.subscriptions import SubscriptionsView
from cuetui.gateway.errors import NotFound
from cuetui.gateway.requests import JobSearch
from tests.commands.test_why import _run, comp_on_render, gateway_for, job_on_job, with_comp
from tests.farm.views.support import calls, client_of


def frame_by_frame() -> dict[str, Any]:
    """waiter's comp waits frame by frame on its render; `after` waits on waiter; s at 2 of burst 6."""
    data = with_comp(3, after=True)
    data["depends"] = [comp_on_render("FRAME_BY_FRAME"), job_on_job("after", "waiter")]
    data["subscriptions"] = [{"showName": "s", "allocationName": "local.general", "size": 400, "burst": 600}]
    _run(data, "blocker", "0001-render", cores=2)
    return data


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return gateway_for(make_gateway, tmp_path, frame_by_frame(), record=True)


async def test_a_frames_dependencies_and_the_other_job(gw: DemoGatewayThread, gateway_token: str) -> None:
    client = client_of(gw, gateway_token)
    (waiter,) = await client.get_jobs(JobSearch(jobs=["waiter"]))
    frame = await DependsView(client, waiter, frame="0002-comp").poll()
    assert frame.what == "waiter/0002-comp"
    assert [(d.type, d.on_name, d.active) for d in frame.waits_on] == [("FRAME_BY_FRAME", "waiter/render", True)]
    # `after` waits on every frame of waiter, this one included.
    assert [(d.type, d.er_name) for d in frame.waited_by] == [("JOB_ON_JOB", "after")]
    assert frame.active_waits("EXTERNAL") == []
    assert [d.type for d in frame.active_waits("INTERNAL")] == ["FRAME_BY_FRAME"]
    job = await DependsView(client, waiter).poll()
    assert [(d.type, d.er_name) for d in job.waited_by] == [("FRAME_BY_FRAME", "waiter/comp"), ("JOB_ON_JOB", "after")]
    assert (await DependsView(client, waiter).other_job("after")).name == "after"
    with pytest.raises(NotFound):
        await DependsView(client, waiter).other_job("nobody")
    with pytest.raises(NoSuchPart):
        await DependsView(client, waiter, layer="nope").poll()


async def test_external_waits_asks_only_when_depend_frames_move(
    gw: DemoGatewayThread, gateway_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_of(gw, gateway_token)
    now = [0.0]
    waits = ExternalWaits(client, clock=lambda: now[0])
    jobs = await client.get_jobs(JobSearch())
    assert dict(await waits.poll(jobs)) == {next(j.id for j in jobs if j.name == "after"): ("waiter",)}
    assert waits.reads == 2  # waiter (frame by frame inside itself) and after: the jobs with DEPEND frames
    marked = {j.name: j for j in waits.known(jobs)}
    assert isinstance(marked["after"], WaitsOnJobs) and not isinstance(marked["waiter"], WaitsOnJobs)
    mark = len(gw.recorded)
    await waits.poll(await client.get_jobs(JobSearch()))
    assert waits.reads == 2 and "GetWhatThisDependsOn" not in calls(gw, mark)
    now[0] = depends_view.WAITS_MAX_AGE  # a minute later: asked again even though nothing moved
    await waits.poll(await client.get_jobs(JobSearch()))
    assert waits.reads == 4
    # At most WAITS_PER_POLL a poll.
    monkeypatch.setattr(depends_view, "WAITS_PER_POLL", 1)
    fresh = ExternalWaits(client, clock=lambda: 0.0)
    await fresh.poll(jobs)
    assert fresh.reads == 1


async def test_subscriptions_view_with_hosts(gw: DemoGatewayThread, gateway_token: str) -> None:
    client = client_of(gw, gateway_token)
    (row,) = (await SubscriptionsView(client).poll()).rows
    sub = row.subscription
    assert (row.name, sub.size, sub.burst, sub.reserved_cores) == ("s in local.general", 400, 600, 200)
    assert (sub.size_cores, sub.burst_cores, sub.used_cores) == (4, 6, 2)
    assert row.allocation is not None and row.allocation.totals.idle_cores == 6
    assert row.hosts is not None and (row.hosts.total, row.hosts.usable, row.hosts.with_idle_cores) == (1, 1, 1)
    assert "GetHosts" in calls(gw)
    assert (await SubscriptionsView(client, ["nope"]).poll()).rows == ()  # a show that went: no rows
