"""Reads behind `w` and `cuetui why`, `cuetui depends`, `cuetui subscriptions` and `cuetui allocations`:
what a job waits on and what decides where it may run, fetched in one go; `farm/why.py` explains it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from cuetui.farm import why
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError, NotFound
from cuetui.gateway.farm_models import Allocation, Depend, Limit, Subscription
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.gateway.requests import FrameSearch, JobSearch


class NoSuchPart(LookupError):
    """The layer or frame named is not in the job."""


async def _layer_named(client: GatewayClient, job: Job, name: str | None) -> tuple[list[Layer], Layer | None]:
    layers = await client.get_layers(job.id)
    if not name:
        return layers, None
    layer = next((la for la in layers if la.name == name), None)
    if layer is None:
        raise NoSuchPart(f"job {job.name} has no layer {name!r}")
    return layers, layer


async def _frame_named(client: GatewayClient, job: Job, layer: Layer | None, name: str) -> Frame:
    if name.isdigit():
        if layer is None:
            raise NoSuchPart("a frame number needs --layer")
        search = FrameSearch(layers=[layer.name], frame_range=str(int(name)))
    else:
        search = FrameSearch(frames=[name])
    frames = await client.get_frames(job.id, search, limit=10)
    if not frames:
        raise NoSuchPart(f"job {job.name} has no frame {name!r}")
    return frames[0]


async def frames_left(client: GatewayClient, depends: list[Depend]) -> dict[str, int]:
    """Frames of each active dependency's target not yet SUCCEEDED or EATEN, by dependency id (a target
    job that cannot be read is left out)."""
    names = sorted({d.depend_on_job for d in depends if d.active})
    jobs: dict[str, Job] = {}
    if names:
        for found in await client.get_jobs(JobSearch(jobs=names, include_finished=True)):
            jobs[found.name] = found
    layers: dict[str, list[Layer]] = {}
    for name in {d.depend_on_job for d in depends if d.active and d.depend_on_layer}:
        if name in jobs:
            layers[name] = await client.get_layers(jobs[name].id)
    out: dict[str, int] = {}
    for d in depends:
        target = jobs.get(d.depend_on_job)
        if not d.active or target is None:
            continue
        if d.depend_on_frame:
            frames = await client.get_frames(target.id, FrameSearch(frames=[d.depend_on_frame]), limit=1)
            out[d.id] = sum(1 for f in frames if f.state not in ("SUCCEEDED", "EATEN"))
            continue
        stats = target.stats
        if d.depend_on_layer:
            layer = next((la for la in layers.get(target.name, []) if la.name == d.depend_on_layer), None)
            if layer is None:
                continue
            ls = layer.stats
            out[d.id] = ls.total_frames - ls.succeeded_frames - ls.eaten_frames
        else:
            out[d.id] = stats.total_frames - stats.succeeded_frames - stats.eaten_frames
    return out


async def gather_why(
    client: GatewayClient, job: Job, layer_name: str | None = None, frame_name: str | None = None
) -> why.Farm:
    """Everything `why.explain` reads about one job (and a layer or frame of it)."""
    layers, layer = await _layer_named(client, job, layer_name)
    frame = await _frame_named(client, job, layer, frame_name) if frame_name else None
    show = await client.find_show(job.show)
    depends, subscriptions, allocations, hosts, limits, groups = await asyncio.gather(
        client.what_this_depends_on("job", job.id),
        client.get_show_subscriptions(show.id),
        client.get_allocations(),
        client.get_hosts(),
        _limits(client),
        client.get_show_groups(show.id),
    )
    left = await frames_left(client, depends)
    return why.Farm(
        job=job,
        layers=layers,
        now=time.time(),
        layer=layer,
        frame=frame,
        depends=depends,
        frames_left=left,
        subscriptions=subscriptions,
        allocations=allocations,
        hosts=hosts,
        limits=limits,
        groups=groups,
    )


async def _limits(client: GatewayClient) -> list[Limit]:
    """Every limit; a gateway without LimitInterface answers none."""
    try:
        return await client.get_limits()
    except NotFound:
        return []


@dataclass(frozen=True)
class Dependencies:
    """What a job (or layer) waits on, and what waits on it."""

    job: Job
    layer: Layer | None
    waits_on: list[Depend]
    waited_by: list[Depend]
    frames_left: dict[str, int]


async def gather_depends(client: GatewayClient, job: Job, layer_name: str | None = None) -> Dependencies:
    """The job's or layer's dependencies both ways, with the frames left on each active one's target."""
    _layers, layer = await _layer_named(client, job, layer_name)
    what, ident = ("layer", layer.id) if layer is not None else ("job", job.id)
    waits_on, waited_by = await asyncio.gather(
        client.what_this_depends_on(what, ident), client.what_depends_on_this(what, ident)
    )
    return Dependencies(job, layer, waits_on, waited_by, await frames_left(client, waits_on))


@dataclass(frozen=True)
class SubscriptionRow:
    """One show × allocation: the subscription and the allocation's figures."""

    subscription: Subscription
    allocation: Allocation | None

    @property
    def key(self) -> str:
        return self.subscription.id


async def gather_subscriptions(client: GatewayClient, shows: list[str] | None = None) -> list[SubscriptionRow]:
    """Every subscription of the shows (all shows when None), with its allocation, by show then allocation."""
    all_shows = await client.get_shows()
    chosen = [s for s in all_shows if not shows or s.name in shows]
    if shows and not chosen:
        raise NoSuchPart(f"no show called {', '.join(shows)}")
    allocations = {a.name: a for a in await client.get_allocations()}
    per_show = await asyncio.gather(*(client.get_show_subscriptions(s.id) for s in chosen))
    rows = [SubscriptionRow(sub, allocations.get(sub.allocation_name)) for subs in per_show for sub in subs]
    return sorted(rows, key=lambda r: (r.subscription.show_name, r.subscription.allocation_name))


async def find_subscription(client: GatewayClient, show: str, allocation: str) -> Subscription:
    """The subscription of `show` to `allocation` (by name); NotFound when there is none."""
    for row in await gather_subscriptions(client, [show]):
        if row.subscription.allocation_name == allocation:
            return row.subscription
    raise NoSuchPart(f"show {show} has no subscription to {allocation}")


__all__ = [
    "Dependencies",
    "GatewayError",
    "NoSuchPart",
    "SubscriptionRow",
    "find_subscription",
    "frames_left",
    "gather_depends",
    "gather_subscriptions",
    "gather_why",
]
