"""The layer, frame and job calls that act on frames or change how a layer is dispatched, with Cuebot's
semantics: a layer's Retry / Eat / KillFrames (the job's frame actions on that layer's frames), a
frame's MarkAsDepend / MarkAsWaiting, a job's MarkDoneFrames and SetGroup, the limits that cap a
layer (AddLimit / DropLimit / GetLimits), its dispatch order, start-after gate and memory optimizer,
and SetMinGpu, which Cuebot declares but does not implement.

Cuebot's rules kept:

* MarkAsWaiting turns a DEPEND frame WAITING (its depend count is reset; the dependencies themselves
  stay) and leaves a frame in any other state as it is, the same rule as the job's MarkAsWaiting
  (cuetui.demo.actions.mark_as_waiting, one code path); MarkAsDepend turns a WAITING frame DEPEND
  again when an active dependency still holds it; frames in other states are left as they are.
* MarkDoneFrames satisfies every dependency waiting on the searched frames and changes no frame's
  state, the same code path as the layer's MarkdoneFrames (cuetui.demo.actions.mark_done).
* AddLimit adds the limit to the layer's (a second time too: Cuebot keeps a row per call); DropLimit
  removes it; an id that names no limit changes nothing anyone can see. GetLimits answers each limit
  once, its running count the frames of this layer that run.
* SetDispatchOrder refuses an order that is not positive; SetStartAfter refuses a time before 1970 or
  more than five years ahead (INVALID_ARGUMENT), 0 clears the gate; a layer whose gate is later than
  now dispatches no frame.
* SetGroup gives the job the group's job defaults that are set (priority, min and max cores) and
  refuses a group of another show; a group id that names no group answers as an unknown job does
  (Cuebot catches both in one place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cuetui.demo import actions, groups, lookup, queries
from cuetui.demo.model import DEPEND, RUNNING, WAITING, Job, Layer
from cuetui.demo.registry import GatewayError, not_found, refused, rpc
from cuetui.demo.wire import emitter

_J = "/job.JobInterface/"
_L = "/job.LayerInterface/"
_F = "/job.FrameInterface/"
_LIMIT = emitter("limit.Limit")
_START_AFTER_YEARS = 5
_REASON_MAX = 255


def _job_not_found() -> GatewayError:
    return not_found("Job not found")


def _layer_frames(gw: Any, job: Job, layer: Layer, use_states: bool = True) -> list[int]:
    """The layer's frames, as the job's frame actions find them with a layer filter."""
    return list(queries.matching_frames(gw.farm, job, {"layers": [layer.name]}, use_states=use_states))


# --- a layer's frame actions -------------------------------------------------------------------------
@rpc(_L + "RetryFrames", "job.LayerRetryFramesRequest")
def _layer_retry(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = lookup.layer(gw.farm, req)
    actions.retry_frames(gw.farm, job, _layer_frames(gw, job, layer))
    return {}


@rpc(_L + "EatFrames", "job.LayerEatFramesRequest")
def _layer_eat(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = lookup.layer(gw.farm, req)
    actions.eat_frames(gw.farm, job, _layer_frames(gw, job, layer))
    return {}


@rpc(_L + "KillFrames", "job.LayerKillFramesRequest")
def _layer_kill(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = lookup.layer(gw.farm, req)
    actions.kill_frames(gw.farm, job, _layer_frames(gw, job, layer, use_states=False), req.get("reason", ""))
    return {}


# --- a frame's depend state --------------------------------------------------------------------------
@rpc(_F + "MarkAsWaiting", "job.FrameMarkAsWaitingRequest")
def _frame_waiting(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    actions.mark_as_waiting(gw.farm, job, [i])
    return {}


@rpc(_F + "MarkAsDepend", "job.FrameMarkAsDependRequest")
def _frame_depend(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    if job.f_state[i] == WAITING and gw.farm.resources.held(job, i):
        gw.farm.set_state(job, i, DEPEND)
    return {}


# --- a job's frames and group ------------------------------------------------------------------------
@rpc(_J + "MarkDoneFrames", "job.JobMarkDoneFramesRequest")
def _job_mark_done(gw: Any, req: dict[str, Any]) -> Any:
    job = lookup.job(gw.farm, req, missing=_job_not_found())
    actions.mark_done(gw.farm, job, frames=queries.matching_frames(gw.farm, job, req.get("req") or {}))
    return {}


@rpc(_J + "SetGroup", "job.JobSetGroupRequest")
def _job_set_group(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    job = lookup.job(farm, req, missing=_job_not_found())
    group = next((g for g in farm.resources.groups if g.id == req.get("group_id", "")), None)
    if group is None:
        raise _job_not_found()
    # Refused across shows; the group's job defaults that are set (-1: not set) apply to the job, as
    # Cuebot's updateParent does, and the groups' booked cores are recounted.
    groups.reparent_job(farm.resources, farm.procs.values(), job, group)
    return {}


# --- limits ------------------------------------------------------------------------------------------
def _limit(gw: Any, req: dict[str, Any]) -> Any:
    wanted = req.get("limit_id", "")
    return next((lim for lim in gw.farm.resources.limits if lim.id == wanted), None)


def _change_limit(gw: Any, req: dict[str, Any], change: Callable[[Any, Any, Iterable[Any]], object]) -> Any:
    """`change(layer, limit, procs)` for the request's layer and limit; an unknown limit changes nothing."""
    _, layer = lookup.layer(gw.farm, req)
    lim = _limit(gw, req)
    if lim is not None:
        change(layer, lim, gw.farm.procs.values())
    return {}


@rpc(_L + "AddLimit", "job.LayerAddLimitRequest")
def _add_limit(gw: Any, req: dict[str, Any]) -> Any:
    return _change_limit(gw, req, gw.farm.resources.add_layer_limit)


@rpc(_L + "DropLimit", "job.LayerDropLimitRequest")
def _drop_limit(gw: Any, req: dict[str, Any]) -> Any:
    return _change_limit(gw, req, gw.farm.resources.drop_layer_limit)


@rpc(_L + "GetLimits", "job.LayerGetLimitsRequest")
def _get_limits(gw: Any, req: dict[str, Any]) -> Any:
    _, layer = lookup.layer(gw.farm, req)
    res = gw.farm.resources
    out = []
    for name in dict.fromkeys(n for n in layer.limits if n):
        lim = res.limit(name)
        if lim is not None:
            running = layer.counts[RUNNING] * layer.limits.count(name)
            out.append(_LIMIT({"id": lim.id, "name": lim.name, "max_value": lim.max_value, "current_running": running}))
    return {"limits": out}


# --- how the layer is dispatched ---------------------------------------------------------------------
@rpc(_L + "SetDispatchOrder", "job.LayerSetDispatchOrderRequest")
def _set_dispatch_order(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = lookup.layer(gw.farm, req)
    order = int(req.get("order", 0))
    if order <= 0:
        raise refused("java.lang.IllegalArgumentException", "Layer dispatch order must be positive.")
    layer.dispatch_order = order
    job._order = None  # the paging and dispatch order is rebuilt with the layer's new place
    job.cursor = 0
    return {}


@rpc(_L + "SetStartAfter", "job.LayerSetStartAfterRequest")
def _set_start_after(gw: Any, req: dict[str, Any]) -> Any:
    start_after = int(req.get("start_after", 0))
    latest = int(gw.farm.now()) + _START_AFTER_YEARS * 365 * 24 * 3600
    if start_after < 0 or start_after > latest:
        raise GatewayError(
            400,
            3,
            f"start_after must be a Unix timestamp in seconds no more than {_START_AFTER_YEARS} years in the "
            f"future, or 0 to clear the gate; got {start_after}. Was a milliseconds value passed where seconds "
            "are expected?",
        )
    layer = lookup.layer(gw.farm, req)[1]
    layer.start_after = start_after
    layer.start_after_reason = f"Set by {req.get('username') or 'unknown'}"[:_REASON_MAX] if start_after else ""
    return {}


@rpc(_L + "EnableMemoryOptimizer", "job.LayerEnableMemoryOptimizerRequest")
def _memory_optimizer(gw: Any, req: dict[str, Any]) -> Any:
    lookup.layer(gw.farm, req)[1].memory_optimizer_enabled = bool(req.get("value", False))
    return {}


@rpc(_L + "SetMinGpu", "job.LayerSetMinGpuRequest")
def _set_min_gpu(gw: Any, req: dict[str, Any]) -> Any:
    # Deprecated in the proto and not implemented by Cuebot's layer servant: grpc-java's default answer.
    raise GatewayError(501, 12, "Method job.LayerInterface/SetMinGpu is unimplemented")
