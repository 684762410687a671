"""Reads behind `w` and `cuetui why`: what a job waits on and what decides where it may run, fetched in one
go; `farm/why.py` explains it. The dependencies both ways are `views/depends.py`, the subscriptions
`views/subscriptions.py`."""

from __future__ import annotations

import asyncio
import time

from cuetui.farm import why
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError, NotFound
from cuetui.gateway.farm_models import Depend, Limit
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.gateway.requests import FrameSearch, JobSearch


class NoSuchPart(LookupError):
    """The layer or frame named is not in the job."""


async def layer_named(client: GatewayClient, job: Job, name: str | None) -> tuple[list[Layer], Layer | None]:
    """The job's layers and the one called `name` (None when no name is given); NoSuchPart when none is."""
    layers = await client.get_layers(job.id)
    if not name:
        return layers, None
    layer = next((la for la in layers if la.name == name), None)
    if layer is None:
        raise NoSuchPart(f"job {job.name} has no layer {name!r}")
    return layers, layer


async def frame_named(client: GatewayClient, job: Job, layer: Layer | None, name: str) -> Frame:
    """The frame called `name` (`0007-render`, or a number of `layer`); NoSuchPart when there is none."""
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
    layers, layer = await layer_named(client, job, layer_name)
    frame = await frame_named(client, job, layer, frame_name) if frame_name else None
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


__all__ = [
    "GatewayError",
    "NoSuchPart",
    "frame_named",
    "frames_left",
    "gather_why",
    "layer_named",
]
