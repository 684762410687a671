"""Simulator handlers of what decides where and whether frames run: dependencies (DependInterface and the
Depend RPCs of jobs, layers and frames), subscriptions, allocations and facilities, limits, groups, and
the show's GetSubscriptions / GetGroups / GetRootGroup.

The records and their semantics are `cuetui.demo.resources`; this module only reads requests and words
answers in the gateway's JSON shape (through the schema table's emitters). Handlers register with
`@rpc(path, request_type)` (cuetui.demo.registry) and raise its GatewayError (RpcError here).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cuetui.demo import groups, limits
from cuetui.demo.registry import GatewayError, internal, rpc
from cuetui.demo.resources import (
    ALLOCATION_ID,
    ANY_TARGET,
    EXTERNAL,
    INTERNAL,
    LIMIT_ID,
    TYPE,
    Allocation,
    Depend,
    Group,
    Limit,
    Resources,
    Subscription,
    from_core_units,
    to_core_units,
)
from cuetui.demo.serialize import host_json, job_json
from cuetui.demo.wire import emitter

if TYPE_CHECKING:
    from cuetui.demo.farm import Farm
    from cuetui.demo.model import Job, Layer

EMPTY_RESULT = "Incorrect result size: expected 1, actual 0"

_DEPEND = emitter("depend.Depend")
_SUB = emitter("subscription.Subscription")
_ALLOC = emitter("facility.Allocation")
_LIMIT = emitter("limit.Limit")
_GROUP = emitter("job.Group")
_FACILITY = emitter("facility.Facility")
_TARGETS = {INTERNAL, EXTERNAL, ANY_TARGET}


# The registry's error answer (HTTP status, gRPC code, message), by the name this module raises it.
RpcError = GatewayError


def _not_found(message: str = EMPTY_RESULT) -> RpcError:
    return RpcError(404, 5, message)


def _internal(message: str = f"org.springframework.dao.EmptyResultDataAccessException: {EMPTY_RESULT}") -> RpcError:
    return RpcError(500, 13, message)


def _farm(gw: Any) -> Farm:
    farm: Farm = gw.farm
    return farm


def _res(gw: Any) -> Resources:
    return _farm(gw).resources


def _id(req: dict[str, Any], name: str) -> str:
    return str((req.get(name) or {}).get("id", ""))


# --- answers -------------------------------------------------------------------------------------------
def depend_json(farm: Farm, d: Depend) -> dict[str, Any]:
    er, on = d.er_job, d.on_job
    return _DEPEND(
        {
            "id": d.id,
            "type": d.type,
            "target": d.target,
            "any_frame": d.any_frame,
            "active": d.active,
            "depend_er_job": er.name,
            "depend_er_layer": d.er_layer.name if d.er_layer is not None else "",
            "depend_er_frame": er.frame_name(d.er_frame) if d.er_frame is not None else "",
            "depend_on_job": on.name,
            "depend_on_layer": d.on_layer.name if d.on_layer is not None else "",
            "depend_on_frame": on.frame_name(d.on_frame) if d.on_frame is not None else "",
        }
    )


def _depends(farm: Farm, depends: list[Depend]) -> dict[str, Any]:
    return {"depends": {"depends": [depend_json(farm, d) for d in depends]}}


def subscription_json(res: Resources, s: Subscription) -> dict[str, Any]:
    return _SUB(
        {
            "id": s.id,
            "name": s.name,
            "show_name": s.show.name,
            "facility": s.alloc.facility,
            "allocation_name": s.alloc.name,
            # Core units, as Cuebot's whiteboard reads them from its database (int_size, int_burst, int_cores).
            "size": to_core_units(s.size),
            "burst": to_core_units(s.burst),
            "reserved_cores": to_core_units(res.show_cores(s.show, s.alloc.name)),
            "reserved_gpus": 0,
        }
    )


def allocation_json(farm: Farm, a: Allocation) -> dict[str, Any]:
    cores = idle = running = locked = 0.0
    hosts = locked_hosts = down_hosts = 0
    for h in farm.hosts:
        if h.alloc_name != a.name:
            continue
        hosts += 1
        cores += h.cores
        running += h.cores - h.idle_cores
        if h.state != 0:
            down_hosts += 1
        elif h.lock_state != 0:
            locked_hosts += 1
            locked += h.cores
        else:
            idle += h.idle_cores
    return _ALLOC(
        {
            "id": a.id,
            "name": a.name,
            "tag": a.tag,
            "facility": a.facility,
            "billable": a.billable,
            "stats": {
                "cores": cores,
                "available_cores": idle,
                "idle_cores": idle,
                "running_cores": running,
                "locked_cores": locked,
                "hosts": hosts,
                "locked_hosts": locked_hosts,
                "down_hosts": down_hosts,
            },
        }
    )


def limit_json(farm: Farm, lim: Limit) -> dict[str, Any]:
    return _LIMIT(limit_values(farm, lim))


def limit_values(farm: Farm, lim: Limit) -> dict[str, Any]:
    """A limit's values by proto field name: its settings and what it counts now (`cuetui.demo.limits`)."""
    res = farm.resources
    used = limits.usage(lim, res.limit_procs.get(lim.name, ()))
    now = res.now()
    sources = [src for _job, _layer, src, _made in bindings(farm, lim)]
    return {
        "id": lim.id,
        "name": lim.name,
        "max_value": lim.max_value,
        "current_running": used.current,
        "type": lim.type,
        "enforcement": lim.enforcement,
        "soft_value": lim.soft_value,
        "current_usage": used.current,
        "settled_usage": used.settled,
        "pending_usage": used.pending,
        "host_count": used.hosts,
        "last_report_time": int(lim.reported_time),
        "report_source": lim.report_source,
        "report_ttl": lim.report_ttl,
        "report_stale": lim.stale(now),
        "blocking_disabled": not lim.blocking(now),
        "exit_status": lim.exit_status,
        "delay_minutes": lim.delay_minutes,
        "auto_tag": lim.auto_tag,
        "spec_layer_count": sources.count(limits.SPEC),
        "auto_layer_count": sources.count(limits.AUTO),
    }


def bindings(farm: Farm, lim: Limit) -> list[tuple[Job, Layer, int, int]]:
    """(job, layer, source, made at) of each layer bound to the limit, the newest first: a layer naming
    it is bound from its spec unless `Limit.sources` says otherwise."""
    found = []
    for job in farm.jobs:
        for layer in job.layers:
            if lim.name in layer.limits:
                source, made = lim.sources.get(layer.id, (limits.SPEC, job.start_time))
                found.append((job, layer, source, made))
    found.sort(key=lambda b: -b[3])
    return found


def group_json(farm: Farm, g: Group) -> dict[str, Any]:
    res = farm.resources
    running = dead = depend = waiting = pending = 0
    for job in farm.jobs:
        if job.state != 0 or not _in_group(res, job, g):
            continue
        pending += 1
        running += job.counts[2]
        dead += job.counts[5]
        depend += job.counts[4]
        waiting += job.counts[0]
    return _GROUP(
        {
            "id": g.id,
            "name": g.name,
            "department": g.department,
            "default_job_priority": g.default_job_priority,
            "default_job_min_cores": g.default_job_min_cores,
            "default_job_max_cores": g.default_job_max_cores,
            "min_cores": g.min_cores,
            "max_cores": g.max_cores,
            "level": g.level,
            "parent_id": g.parent.id if g.parent is not None else "",
            "group_stats": {
                "running_frames": running,
                "dead_frames": dead,
                "depend_frames": depend,
                "waiting_frames": waiting,
                "pending_jobs": pending,
                "reserved_cores": res.group_cores(g),
            },
            "default_job_min_gpus": float(g.default_job_min_gpus),
            "default_job_max_gpus": float(g.default_job_max_gpus),
            "min_gpus": g.min_gpus,
            "max_gpus": g.max_gpus,
        }
    )


def _in_group(res: Resources, job: Job, g: Group) -> bool:
    return res.group_of(job) is g


# --- lookups -------------------------------------------------------------------------------------------
def _job(gw: Any, req: dict[str, Any], name: str = "job") -> Job:
    job = _farm(gw).jobs_by_id.get(_id(req, name))
    if job is None:
        raise _internal()
    return job


def _layer(gw: Any, req: dict[str, Any], name: str = "layer") -> tuple[Job, Layer]:
    hit = _farm(gw).layers_by_id.get(_id(req, name))
    if hit is None:
        raise _internal()
    return hit


def _frame(gw: Any, req: dict[str, Any], name: str = "frame") -> tuple[Job, int]:
    hit = _farm(gw).find_frame(_id(req, name))
    if hit is None:
        raise _internal()
    return hit


def _target(req: dict[str, Any]) -> int:
    value = req.get("target", INTERNAL)
    return value if value in _TARGETS else INTERNAL


Place = tuple["Job", "Layer | None", "int | None"]


def _create(gw: Any, kind: str, er: Place, on: Place, any_frame: bool = False) -> Any:
    farm = _farm(gw)
    res = farm.resources
    er_job, er_layer, er_frame = er
    on_job, on_layer, on_frame = on
    if er_job is on_job and er_layer is on_layer and er_frame == on_frame:
        raise RpcError(500, 13, "com.imageworks.spcue.DependencyManagerException: a dependency cannot depend on itself")
    d = Depend(
        "",
        TYPE[kind],
        er_job,
        on_job,
        er_layer=er_layer,
        er_frame=er_frame,
        on_layer=on_layer,
        on_frame=on_frame,
        any_frame=any_frame,
    )
    if res.active_twin(d) is not None:
        # The depend table's signature index is unique: Cuebot's insert fails and nothing changes.
        message = f'duplicate key value violates unique constraint "i_depend_signature" ({kind})'
        raise RpcError(500, 13, f"org.springframework.dao.DuplicateKeyException: {message}\n{message}")
    d.id = res.next_id(0x21)
    res.add_depend(d, farm.set_state)
    return {"depend": depend_json(farm, d)}


def _depend_by(gw: Any, req: dict[str, Any]) -> Depend:
    depend_id = _id(req, "depend")
    d = next((d for d in _res(gw).depends if d.id == depend_id), None)
    if d is None:
        raise _internal()
    return d


# --- DependInterface ---------------------------------------------------------------------------------
@rpc("/depend.DependInterface/GetDepend", "depend.DependGetDependRequest")
def _get_depend(gw: Any, req: dict[str, Any]) -> Any:
    d = next((d for d in _res(gw).depends if d.id == req.get("id", "")), None)
    if d is None:
        raise _not_found()
    return {"depend": depend_json(_farm(gw), d)}


@rpc("/depend.DependInterface/Satisfy", "depend.DependSatisfyRequest")
def _satisfy(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    farm.resources.satisfy(_depend_by(gw, req), farm.set_state)
    return {}


@rpc("/depend.DependInterface/Unsatisfy", "depend.DependUnsatisfyRequest")
def _unsatisfy(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    farm.resources.unsatisfy(_depend_by(gw, req), farm.set_state)
    return {}


# --- the Depend RPCs of jobs, layers and frames --------------------------------------------------------
@rpc("/job.JobInterface/GetWhatThisDependsOn", "job.JobGetWhatThisDependsOnRequest")
def _job_this_on(gw: Any, req: dict[str, Any]) -> Any:
    return _depends(_farm(gw), _res(gw).depends_of(_job(gw, req)))


@rpc("/job.JobInterface/GetDepends", "job.JobGetDependsRequest")
def _job_get_depends(gw: Any, req: dict[str, Any]) -> Any:
    job = _job(gw, req)
    return _depends(_farm(gw), [d for d in _res(gw).depends_of(job) if d.er_layer is None and d.er_frame is None])


@rpc("/job.JobInterface/GetWhatDependsOnThis", "job.JobGetWhatDependsOnThisRequest")
def _job_on_this(gw: Any, req: dict[str, Any]) -> Any:
    return _depends(_farm(gw), _res(gw).depends_on(_job(gw, req)))


@rpc("/job.JobInterface/DropDepends", "job.JobDropDependsRequest")
def _job_drop(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    farm.resources.drop(_job(gw, req), None, None, _target(req), farm.set_state)
    return {}


@rpc("/job.JobInterface/CreateDependencyOnJob", "job.JobCreateDependencyOnJobRequest")
def _job_on_job(gw: Any, req: dict[str, Any]) -> Any:
    return _create(gw, "JOB_ON_JOB", (_job(gw, req), None, None), (_job(gw, req, "on_job"), None, None))


@rpc("/job.JobInterface/CreateDependencyOnLayer", "job.JobCreateDependencyOnLayerRequest")
def _job_on_layer(gw: Any, req: dict[str, Any]) -> Any:
    on_job, on_layer = _layer(gw, req)
    return _create(gw, "JOB_ON_LAYER", (_job(gw, req), None, None), (on_job, on_layer, None))


@rpc("/job.JobInterface/CreateDependencyOnFrame", "job.JobCreateDependencyOnFrameRequest")
def _job_on_frame(gw: Any, req: dict[str, Any]) -> Any:
    on_job, i = _frame(gw, req)
    return _create(gw, "JOB_ON_FRAME", (_job(gw, req), None, None), (on_job, None, i))


@rpc("/job.LayerInterface/GetWhatThisDependsOn", "job.LayerGetWhatThisDependsOnRequest")
def _layer_this_on(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    covering = [
        d
        for d in _res(gw).depends_of(job)
        if d.er_layer is layer or (d.er_frame is not None and layer.offset <= d.er_frame < layer.offset + layer.count)
    ]
    return _depends(_farm(gw), covering)


@rpc("/job.LayerInterface/GetWhatDependsOnThis", "job.LayerGetWhatDependsOnThisRequest")
def _layer_on_this(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    on = [
        d
        for d in _res(gw).depends_on(job)
        if d.on_layer is layer or (d.on_frame is not None and layer.offset <= d.on_frame < layer.offset + layer.count)
    ]
    return _depends(_farm(gw), on)


@rpc("/job.LayerInterface/DropDepends", "job.LayerDropDependsRequest")
def _layer_drop(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    job, layer = _layer(gw, req)
    farm.resources.drop(job, layer, None, _target(req), farm.set_state)
    return {}


@rpc("/job.LayerInterface/CreateDependencyOnJob", "job.LayerCreateDependOnJobRequest")
def _layer_on_job(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    return _create(gw, "LAYER_ON_JOB", (job, layer, None), (_job(gw, req), None, None))


@rpc("/job.LayerInterface/CreateDependencyOnLayer", "job.LayerCreateDependOnLayerRequest")
def _layer_on_layer(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    on_job, on_layer = _layer(gw, req, "depend_on_layer")
    return _create(gw, "LAYER_ON_LAYER", (job, layer, None), (on_job, on_layer, None))


@rpc("/job.LayerInterface/CreateDependencyOnFrame", "job.LayerCreateDependOnFrameRequest")
def _layer_on_frame(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    on_job, i = _frame(gw, req)
    return _create(gw, "LAYER_ON_FRAME", (job, layer, None), (on_job, None, i))


@rpc("/job.LayerInterface/CreateFrameByFrameDependency", "job.LayerCreateFrameByFrameDependRequest")
def _layer_frame_by_frame(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw, req)
    on_job, on_layer = _layer(gw, req, "depend_layer")
    return _create(gw, "FRAME_BY_FRAME", (job, layer, None), (on_job, on_layer, None), bool(req.get("any_frame")))


@rpc("/job.FrameInterface/GetWhatThisDependsOn", "job.FrameGetWhatThisDependsOnRequest")
def _frame_this_on(gw: Any, req: dict[str, Any]) -> Any:
    job, i = _frame(gw, req)
    return _depends(_farm(gw), [d for d in _res(gw).depends_of(job) if d.covers(job, i)])


@rpc("/job.FrameInterface/GetWhatDependsOnThis", "job.FrameGetWhatDependsOnThisRequest")
def _frame_on_this(gw: Any, req: dict[str, Any]) -> Any:
    job, i = _frame(gw, req)
    on = [d for d in _res(gw).depends_on(job) if i in d.on_frames()]
    return _depends(_farm(gw), on)


@rpc("/job.FrameInterface/DropDepends", "job.FrameDropDependsRequest")
def _frame_drop(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    job, i = _frame(gw, req)
    farm.resources.drop(job, None, i, _target(req), farm.set_state)
    return {}


@rpc("/job.FrameInterface/CreateDependencyOnJob", "job.FrameCreateDependencyOnJobRequest")
def _frame_on_job(gw: Any, req: dict[str, Any]) -> Any:
    job, i = _frame(gw, req)
    return _create(gw, "FRAME_ON_JOB", (job, None, i), (_job(gw, req), None, None))


@rpc("/job.FrameInterface/CreateDependencyOnLayer", "job.FrameCreateDependencyOnLayerRequest")
def _frame_on_layer(gw: Any, req: dict[str, Any]) -> Any:
    job, i = _frame(gw, req)
    on_job, on_layer = _layer(gw, req)
    return _create(gw, "FRAME_ON_LAYER", (job, None, i), (on_job, on_layer, None))


@rpc("/job.FrameInterface/CreateDependencyOnFrame", "job.FrameCreateDependencyOnFrameRequest")
def _frame_on_frame(gw: Any, req: dict[str, Any]) -> Any:
    job, i = _frame(gw, req)
    on_job, k = _frame(gw, req, "depend_on_frame")
    return _create(gw, "FRAME_ON_FRAME", (job, None, i), (on_job, None, k))


# --- subscriptions -----------------------------------------------------------------------------------
def _subscription(gw: Any, req: dict[str, Any]) -> Subscription:
    sub_id = _id(req, "subscription")
    sub = next((s for s in _res(gw).subscriptions if s.id == sub_id), None)
    if sub is None:
        raise _internal()
    return sub


@rpc("/subscription.SubscriptionInterface/Get", "subscription.SubscriptionGetRequest")
def _sub_get(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    sub = next((s for s in res.subscriptions if s.id == req.get("id", "")), None)
    if sub is None:
        raise _not_found()
    return {"subscription": subscription_json(res, sub)}


@rpc("/subscription.SubscriptionInterface/Find", "subscription.SubscriptionFindRequest")
def _sub_find(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    sub = next((s for s in res.subscriptions if s.name == req.get("name", "")), None)
    if sub is None:
        raise _not_found()
    return {"subscription": subscription_json(res, sub)}


@rpc("/subscription.SubscriptionInterface/SetSize", "subscription.SubscriptionSetSizeRequest")
def _sub_set_size(gw: Any, req: dict[str, Any]) -> Any:
    size = int(req.get("new_size", 0))
    if size < 0:
        raise RpcError(500, 13, "java.lang.IllegalArgumentException: new subscription size must be positive")
    _subscription(gw, req).size = from_core_units(size)  # core units, passed through as Cuebot does
    return {}


@rpc("/subscription.SubscriptionInterface/SetBurst", "subscription.SubscriptionSetBurstRequest")
def _sub_set_burst(gw: Any, req: dict[str, Any]) -> Any:
    burst = int(req.get("burst", 0))
    if burst < 0:
        raise RpcError(500, 13, "java.lang.IllegalArgumentException: burst must be positive")
    _subscription(gw, req).burst = from_core_units(burst)  # core units
    return {}


@rpc("/subscription.SubscriptionInterface/Delete", "subscription.SubscriptionDeleteRequest")
def _sub_delete(gw: Any, req: dict[str, Any]) -> Any:
    sub = _subscription(gw, req)
    _res(gw).subscriptions.remove(sub)
    return {}


@rpc("/show.ShowInterface/GetSubscriptions", "show.ShowGetSubscriptionRequest")
def _show_subs(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    show = farm.find_show(_id(req, "show"))
    if show is None:
        raise _internal()
    res = farm.resources
    subs = [subscription_json(res, s) for s in res.subscriptions if s.show is show]
    return {"subscriptions": {"subscriptions": subs}}


@rpc("/show.ShowInterface/GetGroups", "show.ShowGetGroupsRequest")
def _show_groups(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    show = farm.find_show(_id(req, "show"))
    if show is None:
        raise _internal()
    farm.resources.root_group(show)
    # Cuebot lists them by level, then name.
    shown = sorted((g for g in farm.resources.groups if g.show is show), key=lambda g: (g.level, g.name))
    return {"groups": {"groups": [group_json(farm, g) for g in shown]}}


@rpc("/show.ShowInterface/GetRootGroup", "show.ShowGetRootGroupRequest")
def _show_root_group(gw: Any, req: dict[str, Any]) -> Any:
    farm = _farm(gw)
    show = farm.find_show(_id(req, "show"))
    if show is None:
        raise _internal()
    return {"group": group_json(farm, farm.resources.root_group(show))}


# --- allocations and facilities ------------------------------------------------------------------------
def _alloc(gw: Any, req: dict[str, Any]) -> Allocation:
    alloc = _res(gw).allocation(_id(req, "allocation")) if _id(req, "allocation") else None
    if alloc is None:
        raise _internal()
    return alloc


def _allocs(gw: Any, facility: str | None = None) -> Any:
    farm = _farm(gw)
    allocs = [a for a in farm.resources.allocations if facility is None or a.facility == facility]
    if facility is None:
        allocs.sort(key=lambda a: a.name)  # Cuebot lists every allocation by name
    return {"allocations": {"allocations": [allocation_json(farm, a) for a in allocs]}}


@rpc("/facility.AllocationInterface/GetAll", "facility.AllocGetAllRequest")
def _alloc_get_all(gw: Any, req: dict[str, Any]) -> Any:
    return _allocs(gw)


@rpc("/facility.AllocationInterface/Get", "facility.AllocGetRequest")
def _alloc_get(gw: Any, req: dict[str, Any]) -> Any:
    alloc = next((a for a in _res(gw).allocations if a.id == req.get("id", "")), None)
    if alloc is None:
        raise _not_found()
    return {"allocation": allocation_json(_farm(gw), alloc)}


@rpc("/facility.AllocationInterface/Find", "facility.AllocFindRequest")
def _alloc_find(gw: Any, req: dict[str, Any]) -> Any:
    alloc = next((a for a in _res(gw).allocations if a.name == req.get("name", "")), None)
    if alloc is None:
        raise _not_found()
    return {"allocation": allocation_json(_farm(gw), alloc)}


@rpc("/facility.AllocationInterface/GetHosts", "facility.AllocGetHostsRequest")
def _alloc_hosts(gw: Any, req: dict[str, Any]) -> Any:
    alloc = _alloc(gw, req)
    return {"hosts": {"hosts": [host_json(h) for h in _farm(gw).hosts if h.alloc_name == alloc.name]}}


@rpc("/facility.AllocationInterface/GetSubscriptions", "facility.AllocGetSubscriptionsRequest")
def _alloc_subs(gw: Any, req: dict[str, Any]) -> Any:
    alloc = _alloc(gw, req)
    res = _res(gw)
    subs = [subscription_json(res, s) for s in res.subscriptions if s.alloc is alloc]
    return {"subscriptions": {"subscriptions": subs}}


@rpc("/facility.AllocationInterface/GetDefault", "facility.AllocGetDefaultRequest")
def _alloc_default(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    alloc = res.allocation(res.default_alloc)
    if alloc is None:
        raise _not_found()
    return {"allocation": allocation_json(_farm(gw), alloc)}


@rpc("/facility.AllocationInterface/SetDefault", "facility.AllocSetDefaultRequest")
def _alloc_set_default(gw: Any, req: dict[str, Any]) -> Any:
    _res(gw).default_alloc = _alloc(gw, req).name
    return {}


@rpc("/facility.AllocationInterface/SetTag", "facility.AllocSetTagRequest")
def _alloc_set_tag(gw: Any, req: dict[str, Any]) -> Any:
    alloc = _alloc(gw, req)
    old, alloc.tag = alloc.tag, str(req.get("tag", ""))
    # Cuebot re-tags the allocation's hosts: their allocation tag is the new one.
    for host in _farm(gw).hosts:
        if host.alloc_name == alloc.name:
            kept = [t for t in host.tags if t != old]
            host.tags = kept if not alloc.tag or alloc.tag in kept else [*kept, alloc.tag]
    return {}


@rpc("/facility.AllocationInterface/SetBillable", "facility.AllocSetBillableRequest")
def _alloc_set_billable(gw: Any, req: dict[str, Any]) -> Any:
    _alloc(gw, req).billable = bool(req.get("value"))
    return {}


@rpc("/facility.AllocationInterface/Create", "facility.AllocCreateRequest")
def _alloc_create(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    facility = res.facility(str((req.get("facility") or {}).get("name", "")))
    if facility is None:
        raise internal()
    short = str(req.get("name", ""))
    if re.fullmatch(r"\w+\.\w+", short, re.ASCII):
        short = short.split(".", 1)[1]
    name = f"{facility.name}.{short}"
    disabled = next((a for a in res.disabled_allocations if a.name == name), None)
    if disabled is not None:
        # Cuebot enables the allocation it had disabled, then fails to read back the one it did not make.
        res.disabled_allocations.remove(disabled)
        res.allocations.append(disabled)
        raise internal()
    if res.allocation(name) is not None:
        raise internal()  # Cuebot leaves the allocation as it is and fails to read back a new one
    alloc = Allocation(res.next_id(ALLOCATION_ID), name, str(req.get("tag", "")), facility.name)
    res.allocations.append(alloc)
    return {"allocation": allocation_json(_farm(gw), alloc)}


@rpc("/facility.FacilityInterface/Get", "facility.FacilityGetRequest")
def _facility_get(gw: Any, req: dict[str, Any]) -> Any:
    facility = _res(gw).facility(str(req.get("name", "")))
    if facility is None:
        raise _not_found()
    return {"facility": _FACILITY({"id": facility.id, "name": facility.name})}


@rpc("/facility.FacilityInterface/GetAllocations", "facility.FacilityGetAllocationsRequest")
def _facility_allocs(gw: Any, req: dict[str, Any]) -> Any:
    return _allocs(gw, str((req.get("facility") or {}).get("name", "")))


# --- limits ------------------------------------------------------------------------------------------
@rpc("/limit.LimitInterface/GetAll", "limit.LimitGetAllRequest")
def _limit_all(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    # Cuebot lists them by name.
    return {"limits": [limit_json(_farm(gw), lim) for lim in sorted(res.limits, key=lambda lim: lim.name)]}


@rpc("/limit.LimitInterface/Get", "limit.LimitGetRequest")
def _limit_get(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    lim = next((lim for lim in res.limits if lim.id == req.get("id", "")), None)
    if lim is None:
        raise _not_found()
    return {"limit": limit_json(_farm(gw), lim)}


@rpc("/limit.LimitInterface/Find", "limit.LimitFindRequest")
def _limit_find(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    lim = next((lim for lim in res.limits if lim.name == req.get("name", "")), None)
    if lim is None:
        raise _not_found()
    return {"limit": limit_json(_farm(gw), lim)}


@rpc("/limit.LimitInterface/SetMaxValue", "limit.LimitSetMaxValueRequest")
def _limit_set_max(gw: Any, req: dict[str, Any]) -> Any:
    lim = _res(gw).limit(str(req.get("name", "")))
    if lim is None:
        raise _internal()
    lim.max_value = int(req.get("max_value", 0))
    return {}


@rpc("/limit.LimitInterface/Create", "limit.LimitCreateRequest")
def _limit_create(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    name = str(req.get("name", ""))
    if not name or res.limit(name) is not None:
        raise RpcError(500, 13, f"org.springframework.dao.DuplicateKeyException: limit {name} exists")
    soft = int(req.get("soft_value", 0))
    lim = Limit(
        res.next_id(LIMIT_ID),
        name,
        int(req.get("max_value", 0)),
        type=int(req.get("type", limits.FRAME)),
        enforcement=int(req.get("enforcement", limits.ENFORCED)),
        soft_value=soft if soft > 0 else -1,
    )
    exit_status = int(req.get("exit_status", 0))
    if exit_status:
        limits.set_failure_rule(
            res.limits, lim, exit_status, int(req.get("delay_minutes", 0)), bool(req.get("auto_tag"))
        )
    res.limits.append(lim)
    return {"limit": limit_json(_farm(gw), lim)}


# --- groups ------------------------------------------------------------------------------------------
def _group(gw: Any, req: dict[str, Any]) -> Group:
    group_id = _id(req, "group")
    g = next((g for g in _res(gw).groups if g.id == group_id), None)
    if g is None:
        raise _internal()
    return g


@rpc("/job.GroupInterface/GetGroup", "job.GroupGetGroupRequest")
def _group_get(gw: Any, req: dict[str, Any]) -> Any:
    g = next((g for g in _res(gw).groups if g.id == req.get("id", "")), None)
    if g is None:
        raise _not_found()
    return {"group": group_json(_farm(gw), g)}


@rpc("/job.GroupInterface/FindGroup", "job.GroupFindGroupRequest")
def _group_find(gw: Any, req: dict[str, Any]) -> Any:
    g = next((g for g in _res(gw).groups if g.show.name == req.get("show", "") and g.name == req.get("name", "")), None)
    if g is None:
        raise _not_found()
    return {"group": group_json(_farm(gw), g)}


@rpc("/job.GroupInterface/GetGroups", "job.GroupGetGroupsRequest")
def _group_children(gw: Any, req: dict[str, Any]) -> Any:
    g = _group(gw, req)
    farm = _farm(gw)
    children = sorted((c for c in farm.resources.groups if c.parent is g), key=lambda c: c.name)
    return {"groups": {"groups": [group_json(farm, c) for c in children]}}


@rpc("/job.GroupInterface/GetJobs", "job.GroupGetJobsRequest")
def _group_jobs(gw: Any, req: dict[str, Any]) -> Any:
    g = _group(gw, req)
    farm = _farm(gw)
    res = farm.resources
    return {"jobs": {"jobs": [job_json(j) for j in farm.jobs if j.state == 0 and res.group_of(j) is g]}}


@rpc("/job.GroupInterface/SetMaxCores", "job.GroupSetMaxCoresRequest")
def _group_set_max(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    cores = groups.whole_cores(float(req.get("max_cores", 0.0)))
    if cores < 0:
        cores = -1  # no cap
    elif cores < 1:
        message = f"The group max cores feature must be a whole core or greater, pass in: {cores * 100}"
        raise RpcError(500, 13, f"java.lang.IllegalArgumentException: {message}\n{message}")
    group.max_cores = float(cores)
    return {}


@rpc("/job.GroupInterface/SetMinCores", "job.GroupSetMinCoresRequest")
def _group_set_min(gw: Any, req: dict[str, Any]) -> Any:
    _group(gw, req).min_cores = float(max(0, groups.whole_cores(float(req.get("min_cores", 0.0)))))
    return {}
