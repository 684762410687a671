"""ShowsView, HostsView and HostProcsView against the demo gateway."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.hosts import HostProcsView, HostScope, HostsView
from cuetui.farm.views.shows import ShowsView
from cuetui.gateway.errors import RefusedRequest
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


async def test_shows_are_the_farms_shows(studio: DemoGatewayThread, gateway_token: str) -> None:
    names = studio.run(lambda farm: sorted(s.name for s in farm.shows))
    async with client_of(studio, gateway_token) as client:
        snapshot = await ShowsView(client).poll()
    assert isinstance(snapshot.shows, tuple)
    assert sorted(s.name for s in snapshot.shows) == names
    assert calls(studio) == ["GetShows"]


async def test_hosts_by_scope(studio: DemoGatewayThread, gateway_token: str) -> None:
    total = studio.run(lambda farm: len(farm.hosts))
    async with client_of(studio, gateway_token) as client:
        view = HostsView(client)
        every = await view.poll()
        assert len(every.hosts) == total
        alloc = every.hosts[0].alloc_name
        view.scope = HostScope(allocs=(alloc,))
        one_alloc = await view.poll()
        assert one_alloc.hosts and {h.alloc_name for h in one_alloc.hosts} == {alloc}
        assert len(one_alloc.hosts) <= total
        view.scope = HostScope(states=("NOT_A_STATE",))
        with pytest.raises(RefusedRequest):
            await view.poll()
    assert calls(studio) == ["GetHosts", "GetHosts"]  # the bad state was refused before sending


async def test_host_procs_run_on_that_host(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        hosts = (await HostsView(client).poll()).hosts
        busy = next(h for h in hosts if h.idle_cores < h.cores)
        snapshot = await HostProcsView(client, busy.id).poll()
    assert snapshot.host_id == busy.id
    assert snapshot.procs and isinstance(snapshot.procs, tuple)
    assert {p.host for p in snapshot.procs} == {busy.name}
