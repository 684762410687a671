"""The simulator's side of the wrangler's remedies on frames, procs and hosts, with Cuebot's semantics:
ReorderFrames / StaggerFrames (the dispatch order), MarkAsWaiting, ProcInterface Kill / Unbook, host
tags, allocation (the farm's allocations, cuetui.demo.resources) and hardware state.

Handlers register with `@rpc(path, request_type)` (cuetui.demo.registry) and raise its GatewayError.
"""

from __future__ import annotations

from array import array
from typing import Any, Protocol

from cuetui import schema
from cuetui.demo import queries
from cuetui.demo.actions import _reopen
from cuetui.demo.farm import RUNNING, WAITING, Farm, Host, Job, Layer
from cuetui.demo.registry import GatewayError, internal, rpc

# job.Order by number, as the request decoder gives enums.
ORDERS = schema.enum_by_number("job.Order")


class HasFarm(Protocol):
    """What a handler needs of the gateway: its farm."""

    farm: Farm


# --- lookups ---------------------------------------------------------------------------------------


def _job(gw: HasFarm, req: dict[str, Any]) -> Job:
    job = gw.farm.jobs_by_id.get((req.get("job") or {}).get("id", ""))
    if job is None:
        raise GatewayError(404, 5, "Job not found")
    return job


def _layer(gw: HasFarm, req: dict[str, Any]) -> tuple[Job, Layer]:
    hit = gw.farm.layers_by_id.get((req.get("layer") or {}).get("id", ""))
    if hit is None:
        raise internal()
    return hit


def _host(gw: HasFarm, req: dict[str, Any]) -> Host:
    host = gw.farm.hosts_by_id.get((req.get("host") or {}).get("id", ""))
    if host is None:
        raise internal()
    return host


def _proc(gw: HasFarm, req: dict[str, Any]) -> Any:
    proc_id = (req.get("proc") or {}).get("id", "")
    for proc in gw.farm.procs.values():
        if proc.id == proc_id:
            return proc
    raise internal()


def _numbers(frame_range: str) -> set[int]:
    numbers = queries.parse_frame_range(frame_range) if frame_range.strip() else None
    if numbers is None:
        # Cuebot's FrameSet throws on what it cannot parse; its interceptor answers INTERNAL.
        raise internal(f"java.lang.IllegalArgumentException: invalid frame range: {frame_range[:40]}")
    return numbers


# --- dispatch order ----------------------------------------------------------------------------------


def _dispatch(job: Job) -> array[int]:
    """The job's per-frame dispatch order (made on first change: each frame's place in its layer)."""
    if job.f_dispatch is None:
        job.f_dispatch = array("i", (i - job.layers[job.f_layer[i]].offset for i in range(job.total)))
    return job.f_dispatch


def _layer_order(job: Job, layer: Layer) -> list[int]:
    """The layer's frame indices in their current dispatch order."""
    order = _dispatch(job)
    return sorted(range(layer.offset, layer.offset + layer.count), key=lambda i: order[i])


def _apply(job: Job, layer: Layer, sequence: list[int]) -> None:
    order = _dispatch(job)
    for place, i in enumerate(sequence):
        order[i] = place
    job._order = None  # the paging order is rebuilt from the new dispatch order
    job.cursor = 0


def reorder(job: Job, layers: list[Layer], numbers: set[int], how: str) -> None:
    """FIRST / LAST: the frames in `numbers` move to the front / back of each layer's dispatch order, in
    their order; REVERSE: they keep their places, in the reverse order."""
    for layer in layers:
        current = _layer_order(job, layer)
        chosen = [i for i in current if job.f_number[i] in numbers]
        if not chosen:
            continue
        others = [i for i in current if job.f_number[i] not in numbers]
        if how == "LAST":
            sequence = others + chosen
        elif how == "REVERSE":
            backwards = iter(reversed(chosen))
            sequence = [next(backwards) if job.f_number[i] in numbers else i for i in current]
        else:
            sequence = chosen + others
        _apply(job, layer, sequence)


def stagger(job: Job, layers: list[Layer], numbers: set[int], increment: int) -> None:
    """The frames in `numbers` keep the places they hold, taken in Cuebot's `range:increment` order:
    every increment-th frame first, then every increment/2-th of the rest, ... down to every frame."""
    for layer in layers:
        current = _layer_order(job, layer)
        chosen = sorted((i for i in current if job.f_number[i] in numbers), key=lambda i: job.f_number[i])
        if not chosen:
            continue
        staggered: list[int] = []
        taken: set[int] = set()
        step = increment
        while True:
            for k in range(0, len(chosen), step):
                if k not in taken:
                    taken.add(k)
                    staggered.append(chosen[k])
            if step == 1:
                break
            step = max(1, step // 2)
        slots = iter(staggered)
        sequence = [next(slots) if job.f_number[i] in numbers else i for i in current]
        _apply(job, layer, sequence)


@rpc("/job.JobInterface/ReorderFrames", "job.JobReorderFramesRequest")
def _job_reorder(gw: HasFarm, req: dict[str, Any]) -> Any:
    job = _job(gw, req)
    reorder(job, job.layers, _numbers(req.get("range", "")), ORDERS.get(int(req.get("order") or 0), "FIRST"))
    return {}


@rpc("/job.LayerInterface/ReorderFrames", "job.LayerReorderFramesRequest")
def _layer_reorder(gw: HasFarm, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    reorder(job, [layer], _numbers(req.get("range", "")), ORDERS.get(int(req.get("order") or 0), "FIRST"))
    return {}


def _increment(req: dict[str, Any]) -> int:
    increment = int(req.get("stagger") or 0)
    if increment < 1:
        raise internal("java.lang.IllegalArgumentException: the stagger increment must be at least 1")
    return increment


@rpc("/job.JobInterface/StaggerFrames", "job.JobStaggerFramesRequest")
def _job_stagger(gw: HasFarm, req: dict[str, Any]) -> Any:
    job = _job(gw, req)
    stagger(job, job.layers, _numbers(req.get("range", "")), _increment(req))
    return {}


@rpc("/job.LayerInterface/StaggerFrames", "job.LayerStaggerFramesRequest")
def _layer_stagger(gw: HasFarm, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    stagger(job, [layer], _numbers(req.get("range", "")), _increment(req))
    return {}


@rpc("/job.JobInterface/MarkAsWaiting", "job.JobMarkAsWaitingRequest")
def _mark_as_waiting(gw: HasFarm, req: dict[str, Any]) -> Any:
    """Matching frames that are not running become WAITING, without a retry counted (Cuebot's
    markFrameAsWaiting: used to release frames held by a dependency or an eat)."""
    job = _job(gw, req)
    for i in list(queries.matching_frames(gw.farm, job, req.get("req") or {})):
        if job.f_state[i] not in (RUNNING, WAITING):
            gw.farm.set_state(job, i, WAITING)
    _reopen(gw.farm, job)
    return {}


# --- procs ---------------------------------------------------------------------------------------------


@rpc("/host.ProcInterface/Kill", "host.ProcKillRequest")
def _proc_kill(gw: HasFarm, req: dict[str, Any]) -> Any:
    """The proc's frame is killed; it goes back to waiting (or dies after its retries), as RQD's kill."""
    proc = _proc(gw, req)
    gw.farm.finish_frame(proc, False, 299, kill_message="Proc killed by user", requeue=True)
    return {}


@rpc("/host.ProcInterface/Unbook", "host.ProcUnbookRequest")
def _proc_unbook(gw: HasFarm, req: dict[str, Any]) -> Any:
    """With kill: the frame is killed now and waits again, its cores free. Without: it is marked
    unbooked, finishes, and its cores are freed then (a simulated proc never takes a second frame)."""
    proc = _proc(gw, req)
    if req.get("kill"):
        gw.farm.finish_frame(proc, False, 299, kill_message="Proc unbooked and killed by user", requeue=True)
    else:
        proc.unbooked = True
    return {}


# --- hosts ---------------------------------------------------------------------------------------------


@rpc("/host.HostInterface/AddTags", "host.HostAddTagsRequest")
def _add_tags(gw: HasFarm, req: dict[str, Any]) -> Any:
    host = _host(gw, req)
    for tag in req.get("tags") or ():
        if tag and tag not in host.tags:
            host.tags.append(tag)
    return {}


@rpc("/host.HostInterface/RemoveTags", "host.HostRemoveTagsRequest")
def _remove_tags(gw: HasFarm, req: dict[str, Any]) -> Any:
    host = _host(gw, req)
    gone = set(req.get("tags") or ())
    host.tags[:] = [t for t in host.tags if t not in gone]
    return {}


@rpc("/host.HostInterface/SetHardwareState", "host.HostSetHardwareStateRequest")
def _set_hardware_state(gw: HasFarm, req: dict[str, Any]) -> Any:
    """The state as given (the decoder gives its number); a host not UP takes no new frames, running
    ones go on."""
    host = _host(gw, req)
    host.state = int(req.get("state") or 0)
    return {}


@rpc("/host.HostInterface/SetAllocation", "host.HostSetAllocationRequest")
def _set_allocation(gw: HasFarm, req: dict[str, Any]) -> Any:
    host = _host(gw, req)
    # The farm's allocations (cuetui.demo.resources, served by AllocationInterface in rpc_farm).
    alloc = next((a for a in gw.farm.resources.allocations if a.id == req.get("allocation_id", "")), None)
    if alloc is None:
        raise internal()
    host.alloc_name = alloc.name
    return {}
