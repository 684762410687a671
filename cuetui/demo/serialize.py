"""Response objects in the gateway's JSON shape (Go protojson, EmitUnpopulated), built by hand.

Keys are in proto declaration order, every field is present, int64 values are strings, enums are names,
unset sub-messages are ``None`` (``null``), floats go through `wire.f32`. ``tests/demo/test_wire.py``
checks each builder against the opencue-proto descriptors.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from cuetui.demo.farm import (
    DEAD,
    DEPEND,
    FRAME_STATES,
    HARDWARE_STATES,
    JOB_STATES,
    LAYER_TYPES,
    LOCK_STATES,
    PENDING,
    RUNNING,
    SUCCEEDED,
    THREAD_MODES,
    WAITING,
)
from cuetui.demo.wire import f32

if TYPE_CHECKING:
    from cuetui.demo.farm import Comment, Farm, Host, Job, Layer, Proc, RunStats, Show


def show_json(farm: Farm, show: Show) -> dict[str, Any]:
    """A show with stats summed over its jobs."""
    running = dead = pending = pending_jobs = frames = rendered = failed = 0
    reserved = 0.0
    for job in farm.jobs:
        if job.show is not show:
            continue
        c = job.counts
        frames += job.total
        rendered += job.run.rendered_frame_count
        failed += job.run.failed_frame_count
        if job.state == PENDING:
            pending_jobs += 1
            running += c[RUNNING]
            dead += c[DEAD]
            pending += c[WAITING] + c[DEPEND]
            reserved += job.run.reserved_cores
    return {
        "id": show.id,
        "name": show.name,
        "defaultMinCores": f32(show.default_min_cores),
        "defaultMaxCores": f32(show.default_max_cores),
        "commentEmail": show.comment_email,
        "bookingEnabled": show.booking_enabled,
        "dispatchEnabled": show.dispatch_enabled,
        "active": show.active,
        "showStats": {
            "runningFrames": running,
            "deadFrames": dead,
            "pendingFrames": pending,
            "pendingJobs": pending_jobs,
            "createdJobCount": str(show.created_job_count),
            "createdFrameCount": str(frames),
            "renderedFrameCount": str(rendered),
            "failedFrameCount": str(failed),
            "reservedCores": f32(reserved),
            "reservedGpus": 0,
        },
        "defaultMinGpus": f32(show.default_min_gpus),
        "defaultMaxGpus": f32(show.default_max_gpus),
        "schedulerManaged": show.scheduler_managed,
    }


def _stats(counts: list[int], run: RunStats, total: int, layers: int | None) -> dict[str, Any]:
    avg_core = run.rendered_core_sec // run.rendered_frame_count if run.rendered_frame_count else 0
    avg_frame = run.total_frame_sec // run.rendered_frame_count if run.rendered_frame_count else 0
    remaining = avg_core * (counts[WAITING] + counts[DEPEND] + counts[RUNNING])
    out: dict[str, Any] = {}
    if layers is not None:
        out["totalLayers"] = layers
    out.update(
        {
            "totalFrames": total,
            "waitingFrames": counts[WAITING],
            "runningFrames": counts[RUNNING],
            "deadFrames": counts[DEAD],
            "eatenFrames": counts[6],
            "dependFrames": counts[DEPEND],
            "succeededFrames": counts[SUCCEEDED],
            "pendingFrames": counts[WAITING] + counts[DEPEND],
        }
    )
    if layers is not None:
        out["avgFrameSec"] = 0  # always 0 on Cuebot (protocol §4.2)
        out["highFrameSec"] = run.high_frame_sec
    else:
        out["avgFrameSec"] = avg_frame
        out["lowFrameSec"] = run.low_frame_sec
        out["highFrameSec"] = run.high_frame_sec
    out.update(
        {
            "avgCoreSec": avg_core,
            "renderedFrameCount": str(run.rendered_frame_count),
            "failedFrameCount": str(run.failed_frame_count),
            "remainingCoreSec": str(remaining),
            "totalCoreSec": str(run.rendered_core_sec + run.failed_core_sec),
            "renderedCoreSec": str(run.rendered_core_sec),
            "failedCoreSec": str(run.failed_core_sec),
            "maxRss": str(run.max_rss),
            "reservedCores": f32(run.reserved_cores),
            "totalGpuSec": "0",
            "renderedGpuSec": "0",
            "failedGpuSec": "0",
            "reservedGpus": 0,
            "maxGpuMemory": "0",
            "maxPss": "0",
        }
    )
    return out


def job_json(job: Job) -> dict[str, Any]:
    """A job with its stats."""
    out: dict[str, Any] = {
        "id": job.id,
        "state": JOB_STATES[job.state],
        "name": job.name,
        "shot": job.shot,
        "show": job.show.name,
        "user": job.user,
        "group": job.group,
        "facility": job.facility,
        "os": job.os,
    }
    if job.uid is not None:  # oneof member: omitted when unset
        out["uid"] = job.uid
    out.update(
        {
            "priority": job.priority,
            "minCores": f32(job.min_cores),
            "maxCores": f32(job.max_cores),
            "logDir": job.log_dir,
            "isPaused": job.is_paused,
            "hasComment": bool(job.comments),
            "autoEat": job.auto_eat,
            "startTime": job.start_time,
            "stopTime": job.stop_time,
            "jobStats": _stats(job.counts, job.run, job.total, len(job.layers)),
            "minGpus": f32(job.min_gpus),
            "maxGpus": f32(job.max_gpus),
            "lokiUrl": job.loki_url,
            "eligibleTime": job.eligible_time,
        }
    )
    return out


def layer_json(job: Job, layer: Layer) -> dict[str, Any]:
    """A layer with its stats."""
    return {
        "id": layer.id,
        "name": layer.name,
        "range": layer.range,
        "tags": list(layer.tags),
        "minCores": f32(layer.min_cores),
        "maxCores": f32(layer.max_cores),
        "isThreadable": layer.is_threadable,
        "minMemory": str(layer.min_memory),
        "minGpuMemory": str(layer.min_gpu_memory),
        "chunkSize": layer.chunk_size,
        "dispatchOrder": layer.dispatch_order,
        "type": LAYER_TYPES[layer.type],
        "services": list(layer.services),
        "memoryOptimizerEnabled": layer.memory_optimizer_enabled,
        "layerStats": _stats(layer.counts, layer.run, layer.count, None),
        "parentId": job.id,
        "limits": list(layer.limits),
        "timeout": layer.timeout,
        "timeoutLlu": layer.timeout_llu,
        "minGpus": f32(layer.min_gpus),
        "maxGpus": f32(layer.max_gpus),
        "command": layer.command,
        "eligibleTime": layer.eligible_time,
        "startTime": layer.start_time,
        "stopTime": layer.stop_time,
        "startAfter": str(layer.start_after),
        "startAfterReason": layer.start_after_reason,
    }


def _frame_common(farm: Farm, job: Job, i: int, now: int) -> tuple[Any, ...]:
    state = job.f_state[i]
    proc = farm.procs.get((job.index, i)) if state == RUNNING else None
    host_index = job.f_host[i]
    if host_index >= 0 and host_index < len(farm.hosts):
        last_resource = f"{farm.hosts[host_index].name}/{job.f_cores[i]:.2f}/0"
    else:
        extra = job.f_extra.get(i)
        last_resource = extra.get("lastResource", "") if extra else ""
    start = job.f_start[i]
    stop = job.f_stop[i]
    if proc is not None:
        used = proc.used_memory
        rss = max(job.f_rss[i], used)
        llu = now - 1 if now - 1 > start else start
        core_time = int(max(0, now - start) * proc.cores)
    else:
        used = 0
        rss = job.f_rss[i]
        llu = stop if stop else (start if state == RUNNING else 0)
        core_time = int(max(0, stop - start) * job.f_cores[i]) if stop else 0
    return state, last_resource, start, stop, used, rss, llu, core_time


def frame_json(farm: Farm, job: Job, i: int, now: int) -> dict[str, Any]:
    """A full Frame."""
    state, last_resource, start, stop, used, rss, llu, core_time = _frame_common(farm, job, i, now)
    layer = job.layers[job.f_layer[i]]
    out = {
        "id": job.frame_id(i),
        "name": job.frame_name(i),
        "layerName": layer.name,
        "number": job.f_number[i],
        "state": FRAME_STATES[state],
        "retryCount": job.f_retry[i],
        "exitStatus": job.f_exit[i],
        "dispatchOrder": i - layer.offset,
        "startTime": start,
        "stopTime": stop,
        "maxRss": str(rss),
        "usedMemory": str(used),
        "reservedMemory": str(layer.min_memory),
        "reservedGpuMemory": "0",
        "lastResource": last_resource,
        "checkpointState": "DISABLED",
        "checkpointCount": 0,
        "totalCoreTime": core_time,
        "lluTime": llu,
        "totalGpuTime": 0,
        "maxGpuMemory": "0",
        "usedGpuMemory": "0",
        "frameStateDisplayOverride": None,
        "maxPss": "0",
        "usedPss": "0",
        "eligibleTime": job.eligible_time,
        "submissionTime": job.start_time,
    }
    extra = job.f_extra.get(i)
    if extra:
        for key, value in extra.items():
            if key in out and key not in _STORED_FRAME_KEYS:
                out[key] = value
    return out


# Fields a scenario cannot override through f_extra: they live in the arrays.
_STORED_FRAME_KEYS = frozenset(
    {
        "id",
        "name",
        "layerName",
        "number",
        "state",
        "retryCount",
        "exitStatus",
        "startTime",
        "stopTime",
        "maxRss",
        "lastResource",
        "dispatchOrder",
    }
)


def updated_frame_json(farm: Farm, job: Job, i: int, now: int) -> dict[str, Any]:
    """The UpdatedFrame subset of GetUpdatedFrames."""
    state, last_resource, start, stop, used, rss, llu, _core = _frame_common(farm, job, i, now)
    extra = job.f_extra.get(i) or {}
    return {
        "id": job.frame_id(i),
        "state": FRAME_STATES[state],
        "retryCount": job.f_retry[i],
        "exitStatus": job.f_exit[i],
        "startTime": start,
        "stopTime": stop,
        "maxRss": str(rss),
        "usedMemory": str(used),
        "lastResource": last_resource,
        "lluTime": llu,
        "maxGpuMemory": "0",
        "usedGpuMemory": "0",
        "frameStateDisplayOverride": extra.get("frameStateDisplayOverride"),
        "maxPss": "0",
    }


def host_json(host: Host) -> dict[str, Any]:
    """A host."""
    return {
        "id": host.id,
        "name": host.name,
        "allocName": host.alloc_name,
        "nimbyEnabled": host.nimby_enabled,
        "hasComment": bool(host.comments),
        "cores": f32(host.cores),
        "idleCores": f32(host.idle_cores),
        "memory": str(host.memory),
        "idleMemory": str(host.idle_memory),
        "gpuMemory": str(host.gpu_memory),
        "idleGpuMemory": str(host.idle_gpu_memory),
        "totalSwap": str(host.total_swap),
        "totalMemory": str(host.total_memory),
        "totalGpuMemory": str(host.gpu_memory),
        "totalMcp": str(host.total_mcp),
        "freeSwap": str(host.free_swap),
        "freeMemory": str(host.free_memory),
        "freeMcp": str(host.free_mcp),
        "freeGpuMemory": str(host.gpu_memory),
        "load": host.load,
        "bootTime": host.boot_time,
        "pingTime": host.ping_time,
        "os": host.os,
        "tags": list(host.tags),
        "state": HARDWARE_STATES[host.state],
        "lockState": LOCK_STATES[host.lock_state],
        "threadMode": THREAD_MODES[host.thread_mode],
        "gpus": f32(host.gpus),
        "idleGpus": f32(host.idle_gpus),
    }


def proc_json(proc: Proc, now: int) -> dict[str, Any]:
    """A running proc."""
    job = proc.job
    return {
        "id": proc.id,
        "name": proc.name,
        "showName": job.show.name,
        "jobName": job.name,
        "frameName": job.frame_name(proc.frame),
        "groupName": job.group,
        "pingTime": now,
        "bookedTime": proc.booked_time,
        "dispatchTime": proc.dispatch_time,
        "reservedMemory": str(proc.reserved_memory),
        "reservedGpuMemory": "0",
        "usedMemory": str(proc.used_memory),
        "reservedCores": f32(proc.cores),
        "unbooked": False,
        "logPath": job.log_path(proc.frame),
        "redirectTarget": "",
        "services": list(job.layers[job.f_layer[proc.frame]].services),
        "usedGpuMemory": "0",
        "reservedGpus": 0,
        "childProcesses": base64.b64encode(b"").decode(),
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    """A comment."""
    return {
        "id": comment.id,
        "timestamp": comment.timestamp,
        "user": comment.user,
        "subject": comment.subject,
        "message": comment.message,
    }
