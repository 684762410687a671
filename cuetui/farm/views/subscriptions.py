"""The shows' shares of the allocations: the subscriptions screen (`6`, `:subs`), `cuetui subscriptions`
and `cuetui subscription-set`.

One row per show × allocation: the subscription (size, burst, reserved cores from GetSubscriptions) with
its allocation (AllocationInterface GetAll: cores, idle cores, hosts) and, for the screen, a summary of
the allocation's hosts (AllocationInterface GetHosts: how many are up and open, how many have idle cores).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from cuetui.farm.views.why import NoSuchPart
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.farm_models import Allocation, Subscription
from cuetui.gateway.models import Host


@dataclass(frozen=True)
class HostsSummary:
    """An allocation's hosts as a wrangler counts them: all, up and open (able to take frames), and those
    of them with idle cores now."""

    total: int = 0
    usable: int = 0
    with_idle_cores: int = 0

    @classmethod
    def of(cls, hosts: Sequence[Host]) -> HostsSummary:
        usable = [h for h in hosts if h.state == "UP" and h.lock_state == "OPEN"]
        return cls(len(hosts), len(usable), sum(1 for h in usable if h.idle_cores >= 1))


@dataclass(frozen=True)
class SubscriptionRow:
    """One show × allocation: the subscription, the allocation's figures and (when read) its hosts."""

    subscription: Subscription
    allocation: Allocation | None
    hosts: HostsSummary | None = None

    @property
    def key(self) -> str:
        return self.subscription.id

    @property
    def id(self) -> str:
        """The row key (the subscription's id)."""
        return self.subscription.id

    @property
    def name(self) -> str:
        """`show in allocation`, what `c` copies and the dialogs say."""
        return f"{self.subscription.show_name} in {self.subscription.allocation_name}"


async def gather_subscriptions(
    client: GatewayClient, shows: Sequence[str] | None = None, *, with_hosts: bool = False
) -> list[SubscriptionRow]:
    """Every subscription of the shows (all shows when None), with its allocation (and, `with_hosts`, a
    summary of the allocation's hosts), by show then allocation. NoSuchPart when no show has those names."""
    all_shows = await client.get_shows()
    chosen = [s for s in all_shows if not shows or s.name in shows]
    if shows and not chosen:
        raise NoSuchPart(f"no show called {', '.join(shows)}")
    allocations = {a.name: a for a in await client.get_allocations()}
    per_show = await asyncio.gather(*(client.get_show_subscriptions(s.id) for s in chosen))
    subs = [sub for found in per_show for sub in found]
    hosts: dict[str, HostsSummary] = {}
    if with_hosts:
        wanted = [allocations[n] for n in sorted({s.allocation_name for s in subs}) if n in allocations]
        answers = await asyncio.gather(*(client.get_allocation_hosts(a.id) for a in wanted), return_exceptions=True)
        for alloc, answer in zip(wanted, answers, strict=True):
            if isinstance(answer, GatewayError):
                continue  # a gateway without GetHosts: the row keeps the allocation's own counts
            if isinstance(answer, BaseException):
                raise answer
            hosts[alloc.name] = HostsSummary.of(answer)
    rows = [SubscriptionRow(sub, allocations.get(sub.allocation_name), hosts.get(sub.allocation_name)) for sub in subs]
    return sorted(rows, key=lambda r: (r.subscription.show_name, r.subscription.allocation_name))


async def find_subscription(client: GatewayClient, show: str, allocation: str) -> Subscription:
    """The subscription of `show` to `allocation` (by name); NoSuchPart when there is none."""
    for row in await gather_subscriptions(client, [show]):
        if row.subscription.allocation_name == allocation:
            return row.subscription
    raise NoSuchPart(f"show {show} has no subscription to {allocation}")


@dataclass(frozen=True)
class SubscriptionsSnapshot:
    """Every subscription of the shows in view, with its allocation and hosts."""

    rows: tuple[SubscriptionRow, ...]


class SubscriptionsView:
    """The subscriptions screen's data: `shows` (empty: every show) set between polls."""

    def __init__(self, client: GatewayClient, shows: Sequence[str] = ()) -> None:
        self.client = client
        self.shows = tuple(shows)

    async def poll(self) -> SubscriptionsSnapshot:
        """The rows now. A show filter that matches no show gives no rows (not an error: shows come and go)."""
        try:
            rows = await gather_subscriptions(self.client, self.shows or None, with_hosts=True)
        except NoSuchPart:
            rows = []
        return SubscriptionsSnapshot(tuple(rows))


__all__ = [
    "HostsSummary",
    "NoSuchPart",
    "SubscriptionRow",
    "SubscriptionsSnapshot",
    "SubscriptionsView",
    "find_subscription",
    "gather_subscriptions",
]
