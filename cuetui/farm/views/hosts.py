"""Render hosts (the hosts screen and `cuetui hosts`) and the procs of one host (its procs screen)."""

from __future__ import annotations

from dataclasses import dataclass

from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Host, Proc
from cuetui.gateway.requests import HostSearch


@dataclass(frozen=True)
class HostScope:
    """Which hosts: hardware states and allocations (empty = all)."""

    states: tuple[str, ...] = ()
    allocs: tuple[str, ...] = ()

    def search(self) -> HostSearch:
        """The GetHosts criteria; refuses an unknown state name before anything is sent."""
        search = HostSearch(states=self.states, allocs=self.allocs)
        search.to_json()
        return search


@dataclass(frozen=True)
class HostsSnapshot:
    """The hosts of `scope`, in the gateway's order."""

    scope: HostScope
    hosts: tuple[Host, ...]


class HostsView:
    """One GetHosts per poll."""

    def __init__(self, client: GatewayClient, scope: HostScope | None = None) -> None:
        self.client = client
        self.scope = scope or HostScope()

    async def poll(self) -> HostsSnapshot:
        """The hosts now."""
        scope = self.scope
        return HostsSnapshot(scope, tuple(await self.client.get_hosts(scope.search())))


@dataclass(frozen=True)
class HostProcsSnapshot:
    """The procs running on one host."""

    host_id: str
    procs: tuple[Proc, ...]


class HostProcsView:
    """One GetProcs of a host per poll."""

    def __init__(self, client: GatewayClient, host_id: str) -> None:
        self.client = client
        self.host_id = host_id

    async def poll(self) -> HostProcsSnapshot:
        """What runs on the host now."""
        return HostProcsSnapshot(self.host_id, tuple(await self.client.get_host_procs(self.host_id)))
