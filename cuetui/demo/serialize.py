"""Response objects in the gateway's JSON shape (Go protojson, EmitUnpopulated), from the schema table.

Each function gathers the farm's values by proto field name; `wire.Emitter` writes them in declaration
order under their JSON names, fills every field the farm does not model with its default, writes int64
values as strings, enums as names and floats the Go way. ``tests/demo/test_wire.py`` checks each answer
against the opencue-proto descriptors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cuetui.demo.farm import DEAD, DEPEND, PENDING, RUNNING, SUCCEEDED, WAITING
from cuetui.demo.wire import emitter

if TYPE_CHECKING:
    from cuetui.demo.farm import Comment, Farm, Host, Job, Layer, Proc, RunStats, Show

_SHOW = emitter("show.Show")
_JOB = emitter("job.Job")
_LAYER = emitter("job.Layer")
_FRAME = emitter("job.Frame")
_UPDATED_FRAME = emitter("job.UpdatedFrame")
_HOST = emitter("host.Host")
_PROC = emitter("host.Proc")
_COMMENT = emitter("comment.Comment")


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
    return _SHOW(
        {
            "id": show.id,
            "name": show.name,
            "default_min_cores": show.default_min_cores,
            "default_max_cores": show.default_max_cores,
            "comment_email": show.comment_email,
            "booking_enabled": show.booking_enabled,
            "dispatch_enabled": show.dispatch_enabled,
            "active": show.active,
            "show_stats": {
                "running_frames": running,
                "dead_frames": dead,
                "pending_frames": pending,
                "pending_jobs": pending_jobs,
                "created_job_count": show.created_job_count,
                "created_frame_count": frames,
                "rendered_frame_count": rendered,
                "failed_frame_count": failed,
                "reserved_cores": reserved,
            },
            "default_min_gpus": show.default_min_gpus,
            "default_max_gpus": show.default_max_gpus,
            "scheduler_managed": show.scheduler_managed,
        }
    )


def _stats(counts: list[int], run: RunStats, total: int, layers: int | None) -> dict[str, Any]:
    """JobStats (with `layers`) or LayerStats values; the emitter of the parent message orders them."""
    avg_core = run.rendered_core_sec // run.rendered_frame_count if run.rendered_frame_count else 0
    avg_frame = run.total_frame_sec // run.rendered_frame_count if run.rendered_frame_count else 0
    remaining = avg_core * (counts[WAITING] + counts[DEPEND] + counts[RUNNING])
    out: dict[str, Any] = {
        "total_frames": total,
        "waiting_frames": counts[WAITING],
        "running_frames": counts[RUNNING],
        "dead_frames": counts[DEAD],
        "eaten_frames": counts[6],
        "depend_frames": counts[DEPEND],
        "succeeded_frames": counts[SUCCEEDED],
        "pending_frames": counts[WAITING] + counts[DEPEND],
        "high_frame_sec": run.high_frame_sec,
        "avg_core_sec": avg_core,
        "rendered_frame_count": run.rendered_frame_count,
        "failed_frame_count": run.failed_frame_count,
        "remaining_core_sec": remaining,
        "total_core_sec": run.rendered_core_sec + run.failed_core_sec,
        "rendered_core_sec": run.rendered_core_sec,
        "failed_core_sec": run.failed_core_sec,
        "max_rss": run.max_rss,
        "reserved_cores": run.reserved_cores,
    }
    if layers is not None:
        out["total_layers"] = layers
        out["avg_frame_sec"] = 0  # always 0 on Cuebot (protocol §4.2)
    else:
        out["avg_frame_sec"] = avg_frame
        out["low_frame_sec"] = run.low_frame_sec
    return out


def job_json(job: Job) -> dict[str, Any]:
    """A job with its stats; `uid` (a oneof member) is left out when unset."""
    values: dict[str, Any] = {
        "id": job.id,
        "state": job.state,
        "name": job.name,
        "shot": job.shot,
        "show": job.show.name,
        "user": job.user,
        "group": job.group,
        "facility": job.facility,
        "os": job.os,
        "priority": job.priority,
        "min_cores": job.min_cores,
        "max_cores": job.max_cores,
        "log_dir": job.log_dir,
        "is_paused": job.is_paused,
        "has_comment": bool(job.comments),
        "auto_eat": job.auto_eat,
        "start_time": job.start_time,
        "stop_time": job.stop_time,
        "job_stats": _stats(job.counts, job.run, job.total, len(job.layers)),
        "min_gpus": job.min_gpus,
        "max_gpus": job.max_gpus,
        "loki_url": job.loki_url,
        "eligible_time": job.eligible_time,
    }
    if job.uid is not None:
        values["uid"] = job.uid
    return _JOB(values)


def layer_json(job: Job, layer: Layer) -> dict[str, Any]:
    """A layer with its stats."""
    return _LAYER(
        {
            "id": layer.id,
            "name": layer.name,
            "range": layer.range,
            "tags": layer.tags,
            "min_cores": layer.min_cores,
            "max_cores": layer.max_cores,
            "is_threadable": layer.is_threadable,
            "min_memory": layer.min_memory,
            "min_gpu_memory": layer.min_gpu_memory,
            "chunk_size": layer.chunk_size,
            "dispatch_order": layer.dispatch_order,
            "type": layer.type,
            "services": layer.services,
            "memory_optimizer_enabled": layer.memory_optimizer_enabled,
            "layer_stats": _stats(layer.counts, layer.run, layer.count, None),
            "parent_id": job.id,
            "limits": layer.limits,
            "timeout": layer.timeout,
            "timeout_llu": layer.timeout_llu,
            "min_gpus": layer.min_gpus,
            "max_gpus": layer.max_gpus,
            "command": layer.command,
            "eligible_time": layer.eligible_time,
            "start_time": layer.start_time,
            "stop_time": layer.stop_time,
            "start_after": layer.start_after,
            "start_after_reason": layer.start_after_reason,
        }
    )


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
        llu = farm.llu_time(proc, now)  # a hung frame keeps the time its log went quiet
        core_time = int(max(0, now - start) * proc.cores)
    else:
        used = 0
        rss = job.f_rss[i]
        llu = stop if stop else (start if state == RUNNING else 0)
        core_time = int(max(0, stop - start) * job.f_cores[i]) if stop else 0
    return state, last_resource, start, stop, used, rss, llu, core_time


def frame_json(farm: Farm, job: Job, i: int, now: int) -> dict[str, Any]:
    """A full Frame; a scenario's extra fields (by JSON name) override the computed ones."""
    state, last_resource, start, stop, used, rss, llu, core_time = _frame_common(farm, job, i, now)
    layer = job.layers[job.f_layer[i]]
    out = _FRAME(
        {
            "id": job.frame_id(i),
            "name": job.frame_name(i),
            "layer_name": layer.name,
            "number": job.f_number[i],
            "state": state,
            "retry_count": job.f_retry[i],
            "exit_status": job.f_exit[i],
            "dispatch_order": i - layer.offset,
            "start_time": start,
            "stop_time": stop,
            "max_rss": rss,
            "used_memory": used,
            "reserved_memory": layer.min_memory,
            "last_resource": last_resource,
            "total_core_time": core_time,
            "llu_time": llu,
            "eligible_time": job.eligible_time,
            "submission_time": job.start_time,
        }
    )
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
    out = _UPDATED_FRAME(
        {
            "id": job.frame_id(i),
            "state": state,
            "retry_count": job.f_retry[i],
            "exit_status": job.f_exit[i],
            "start_time": start,
            "stop_time": stop,
            "max_rss": rss,
            "used_memory": used,
            "last_resource": last_resource,
            "llu_time": llu,
        }
    )
    extra = job.f_extra.get(i)
    if extra and "frameStateDisplayOverride" in extra:  # the scenario's JSON, as written
        out["frameStateDisplayOverride"] = extra["frameStateDisplayOverride"]
    return out


def host_json(host: Host) -> dict[str, Any]:
    """A host."""
    return _HOST(host_values(host))


def host_values(host: Host) -> dict[str, Any]:
    """A host's values by proto field name (also a NestedHost's, without its procs)."""
    return {
        "id": host.id,
        "name": host.name,
        "alloc_name": host.alloc_name,
        "nimby_enabled": host.nimby_enabled,
        "has_comment": bool(host.comments),
        "cores": host.cores,
        "idle_cores": host.idle_cores,
        "memory": host.memory,
        "idle_memory": host.idle_memory,
        "gpu_memory": host.gpu_memory,
        "idle_gpu_memory": host.idle_gpu_memory,
        "total_swap": host.total_swap,
        "total_memory": host.total_memory,
        "total_gpu_memory": host.gpu_memory,
        "total_mcp": host.total_mcp,
        "free_swap": host.free_swap,
        "free_memory": host.free_memory,
        "free_mcp": host.free_mcp,
        "free_gpu_memory": host.gpu_memory,
        "load": host.load,
        "boot_time": host.boot_time,
        "ping_time": host.ping_time,
        "os": host.os,
        "tags": host.tags,
        "state": host.state,
        "lock_state": host.lock_state,
        "thread_mode": host.thread_mode,
        "gpus": host.gpus,
        "idle_gpus": host.idle_gpus,
    }


def proc_json(proc: Proc, now: int) -> dict[str, Any]:
    """A running proc (no child processes: the bytes field is empty)."""
    return _PROC(proc_values(proc, now))


def proc_values(proc: Proc, now: int) -> dict[str, Any]:
    """A proc's values by proto field name (also a NestedProc's)."""
    job = proc.job
    return {
        "id": proc.id,
        "name": proc.name,
        "show_name": job.show.name,
        "job_name": job.name,
        "frame_name": job.frame_name(proc.frame),
        "group_name": job.group,
        "ping_time": now,
        "bookedTime": proc.booked_time,
        "dispatch_time": proc.dispatch_time,
        "reserved_memory": proc.reserved_memory,
        "used_memory": proc.used_memory,
        "reserved_cores": proc.cores,
        "unbooked": proc.unbooked,
        "log_path": job.log_path(proc.frame),
        "services": job.layers[job.f_layer[proc.frame]].services,
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    """A comment."""
    return _COMMENT(
        {
            "id": comment.id,
            "timestamp": comment.timestamp,
            "user": comment.user,
            "subject": comment.subject,
            "message": comment.message,
        }
    )
