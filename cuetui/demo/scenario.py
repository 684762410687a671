"""Scenario files: start the simulated farm from a JSON snapshot instead of a generated profile.

Format (``cuetui demo-gateway --scenario FILE``; ``cuetui capture`` writes the same)::

    {
      "shows": [Show, ...],
      "jobs": [
        {"job": Job, "layers": [Layer, ...], "frames": [Frame, ...],
         "logs": {"<frame name>": "<log text>", ...}},
        ...
      ],
      "hosts": [{"host": Host, "procs": [Proc, ...]}, ...],
      "allocations": [Allocation, ...], "subscriptions": [Subscription, ...], "limits": [Limit, ...],
      "groups": [Group, ...], "depends": [Depend, ...]
    }

(the last five as `cuetui.demo.scenario_resources` reads them).

Every inner object has exactly the gateway's response JSON shape (camelCase keys, int64 as strings or
numbers, enums by name), e.g. one element of ``GetJobs``'s ``jobs.jobs``. Rules:

* A job may carry ``maxRetries`` (not a field of job.Job: Cuebot keeps it in its database); default 3.
* Missing fields get defaults; missing ids are generated from the seed. A job whose ``show`` names no
  listed show gets one. A frame whose ``layerName`` names no listed layer gets one.
* Stats (``jobStats``, ``layerStats``, ``showStats``, a host's ``idleCores``/``idleMemory``) are ignored
  and recomputed from the frames and procs.
* Any state is allowed: RUNNING frames with their procs (a proc is matched to its frame by ``jobName`` and
  ``frameName``; a RUNNING frame without a proc simply stays RUNNING), FINISHED jobs, DOWN hosts.
* Any string is data: names may hold ``[``, ``]``, ``/``, quotes, escapes. Frame names are kept as given.
* ``job.logDir`` is re-rooted under the log root (``--log-root``): a relative one is taken under it, an
  absolute one keeps its path below it (``/shows/a/logs`` becomes ``<log root>/shows/a/logs``), so
  replaying a capture never writes into the captured farm's real tree; a missing one is
  ``<log root>/<show>/<shot>/logs/<job name>``. Nothing is ever written outside the log root (a frame
  name with ``../`` that would leave it is not written). Each entry
  of ``logs`` is written at ``<logDir>/<job name>.<frame name>.rqlog`` (parent directories created, a
  ``/`` in a name nests). Started frames without a given log get a generated one, lazily.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cuetui.demo import ids
from cuetui.demo.farm import (
    FRAME_STATES,
    GB,
    HARDWARE_STATES,
    JOB_STATES,
    LAYER_TYPES,
    LOCK_STATES,
    RUNNING,
    SUCCEEDED,
    THREAD_MODES,
    Farm,
    FarmClock,
    Host,
    Job,
    Layer,
    Proc,
    Show,
)
from cuetui.demo.logs import inside_log_root, log_root, reroot
from cuetui.demo.scenario_resources import load_resources

_FRAME_PASSTHROUGH = (
    "checkpointState",
    "checkpointCount",
    "frameStateDisplayOverride",
    "reservedMemory",
    "eligibleTime",
    "submissionTime",
    "lastResource",
)


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float = 0.0) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _enum(names: tuple[str, ...], value: Any, default: int = 0) -> int:
    if isinstance(value, str) and value in names:
        return names.index(value)
    if isinstance(value, int) and 0 <= value < len(names):
        return value
    return default


def load_scenario(
    path: str | os.PathLike[str],
    seed: int = 0,
    speed: float = 1.0,
    clock: FarmClock | None = None,
    log_root: str | None = None,
    loki_url: str = "",
) -> Farm:
    """Read a scenario file into a farm."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a scenario is a JSON object with shows, jobs and hosts")
    return farm_from_scenario(data, seed=seed, speed=speed, clock=clock, log_root=log_root, loki_url=loki_url)


def farm_from_scenario(
    data: dict[str, Any],
    seed: int = 0,
    speed: float = 1.0,
    clock: FarmClock | None = None,
    log_root: str | None = None,
    loki_url: str = "",
) -> Farm:
    """Build a farm from an already parsed scenario."""
    farm = Farm(seed=seed, speed=speed, clock=clock, log_root=log_root, loki_url=loki_url)
    prefix = farm.id_prefix
    now = int(farm.now())
    for s, raw in enumerate(data.get("shows") or []):
        _add_show(farm, raw.get("name") or f"show{s}", raw)
    for h, entry in enumerate(data.get("hosts") or []):
        raw = entry.get("host") or {}
        cores = _float(raw.get("cores"), 16.0)
        memory = _int(raw.get("memory"), 64 * GB)
        host = Host(
            h,
            raw.get("id") or ids.make_id(prefix, ids.HOST, h),
            raw.get("name") or f"host{h}",
            alloc_name=raw.get("allocName", "local.general"),
            nimby_enabled=bool(raw.get("nimbyEnabled")),
            cores=cores,
            idle_cores=cores,
            memory=memory,
            idle_memory=memory,
            gpus=_float(raw.get("gpus")),
            idle_gpus=_float(raw.get("gpus")),
            gpu_memory=_int(raw.get("gpuMemory")),
            total_swap=_int(raw.get("totalSwap"), 8 * GB),
            total_memory=_int(raw.get("totalMemory"), memory),
            total_mcp=_int(raw.get("totalMcp"), 100 * GB),
            free_swap=_int(raw.get("freeSwap"), 8 * GB),
            free_memory=_int(raw.get("freeMemory"), memory),
            free_mcp=_int(raw.get("freeMcp"), 95 * GB),
            load=_int(raw.get("load")),
            boot_time=_int(raw.get("bootTime"), now - 86400),
            ping_time=_int(raw.get("pingTime"), now),
            os=raw.get("os", "linux"),
            tags=list(raw.get("tags") or []),
            state=_enum(HARDWARE_STATES, raw.get("state")),
            lock_state=_enum(LOCK_STATES, raw.get("lockState")),
            thread_mode=_enum(THREAD_MODES, raw.get("threadMode")),
        )
        farm.add_host(host)
    pending_logs: list[tuple[Job, str, str]] = []
    for j, entry in enumerate(data.get("jobs") or []):
        job = _add_job(farm, j, entry, now)
        for frame_name, text in (entry.get("logs") or {}).items():
            pending_logs.append((job, frame_name, text))
    load_resources(farm, data)
    for h, entry in enumerate(data.get("hosts") or []):
        host = farm.hosts[h]
        for raw in entry.get("procs") or []:
            _add_proc(farm, host, raw)
    for job, frame_name, text in pending_logs:
        path = f"{job.log_dir}/{job.name}.{frame_name}.rqlog"
        if not inside_log_root(farm, path):
            continue  # a frame name with "../" pointing out of the log root: not written
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        i = job.frame_index(frame_name)
        if i is not None:
            job.f_logged[i] = 1
            proc = farm.procs.get((job.index, i))
            if proc is not None:
                proc.log_lines = 10**6  # the scenario's text is the whole log: do not append to it
    return farm


def _add_show(farm: Farm, name: str, raw: dict[str, Any]) -> Show:
    index = len(farm.shows)
    show = Show(
        index,
        raw.get("id") or ids.make_id(farm.id_prefix, ids.SHOW, index),
        name,
        default_min_cores=_float(raw.get("defaultMinCores"), 1.0),
        default_max_cores=_float(raw.get("defaultMaxCores"), 200.0),
        comment_email=raw.get("commentEmail", ""),
        booking_enabled=raw.get("bookingEnabled", True),
        dispatch_enabled=raw.get("dispatchEnabled", True),
        active=raw.get("active", True),
        default_min_gpus=_float(raw.get("defaultMinGpus")),
        default_max_gpus=_float(raw.get("defaultMaxGpus"), 100.0),
        scheduler_managed=bool(raw.get("schedulerManaged")),
    )
    farm.add_show(show)
    return show


def _add_job(farm: Farm, j: int, entry: dict[str, Any], now: int) -> Job:
    raw = entry.get("job") or {}
    show_name = raw.get("show") or "testing"
    show = next((s for s in farm.shows if s.name == show_name), None) or _add_show(farm, show_name, {})
    name = raw.get("name") or f"{show_name}-job{j}"
    shot = raw.get("shot", "")
    log_dir = reroot(log_root(farm), str(raw.get("logDir") or os.path.join(show_name, shot or "shot", "logs", name)))
    job = Job(
        farm,
        len(farm.jobs),
        raw.get("id") or ids.make_id(farm.id_prefix, ids.JOB, len(farm.jobs)),
        name,
        show,
        shot=shot,
        user=raw.get("user", ""),
        group=raw.get("group", show_name),
        facility=raw.get("facility", ""),
        os=raw.get("os", ""),
        uid=raw.get("uid"),
        priority=_int(raw.get("priority")),
        min_cores=_float(raw.get("minCores")),
        max_cores=_float(raw.get("maxCores")),
        log_dir=log_dir,
        is_paused=bool(raw.get("isPaused")),
        auto_eat=bool(raw.get("autoEat")),
        # Not a field of job.Job (Cuebot keeps it in its database only), so scenarios may add it.
        max_retries=_int(raw.get("maxRetries"), 3),
        start_time=_int(raw.get("startTime"), now),
        stop_time=_int(raw.get("stopTime")),
        min_gpus=_float(raw.get("minGpus")),
        max_gpus=_float(raw.get("maxGpus")),
        loki_url=farm.loki_url or raw.get("lokiUrl", ""),
        eligible_time=_int(raw.get("eligibleTime")),
        state=_enum(JOB_STATES, raw.get("state")),
    )
    show.created_job_count += 1
    layers_raw = list(entry.get("layers") or [])
    frames_raw = list(entry.get("frames") or [])
    known = {layer.get("name", "") for layer in layers_raw}
    for frame in frames_raw:
        layer_name = frame.get("layerName", "")
        if layer_name not in known:
            known.add(layer_name)
            layers_raw.append({"name": layer_name})
    by_layer: dict[str, list[dict[str, Any]]] = {layer.get("name", ""): [] for layer in layers_raw}
    for frame in frames_raw:
        by_layer[frame.get("layerName", "")].append(frame)
    f_ids: list[str] = []
    f_names: list[str] = []
    for k, lraw in enumerate(layers_raw):
        lname = lraw.get("name", "")
        layer = Layer(
            k,
            lraw.get("id") or ids.make_id(farm.id_prefix, ids.LAYER, job.index, k),
            lname,
            0,
            0,
            range=lraw.get("range", ""),
            tags=list(lraw.get("tags") or []),
            min_cores=_float(lraw.get("minCores"), 1.0),
            max_cores=_float(lraw.get("maxCores")),
            is_threadable=bool(lraw.get("isThreadable")),
            min_memory=_int(lraw.get("minMemory"), GB),
            min_gpu_memory=_int(lraw.get("minGpuMemory")),
            chunk_size=_int(lraw.get("chunkSize"), 1),
            dispatch_order=_int(lraw.get("dispatchOrder"), k),
            type=_enum(LAYER_TYPES, lraw.get("type"), 2),
            services=list(lraw.get("services") or []),
            memory_optimizer_enabled=bool(lraw.get("memoryOptimizerEnabled")),
            limits=list(lraw.get("limits") if lraw.get("limits") is not None else [""]),
            timeout=_int(lraw.get("timeout")),
            timeout_llu=_int(lraw.get("timeoutLlu")),
            min_gpus=_float(lraw.get("minGpus")),
            max_gpus=_float(lraw.get("maxGpus")),
            command=lraw.get("command", ""),
            eligible_time=_int(lraw.get("eligibleTime")),
            start_time=_int(lraw.get("startTime")),
            stop_time=_int(lraw.get("stopTime")),
            start_after=_int(lraw.get("startAfter")),
            start_after_reason=lraw.get("startAfterReason", ""),
        )
        job.add_layer(layer)
        frames = sorted(by_layer[lname], key=lambda f: _int(f.get("number")))
        job.add_frames(layer, [_int(f.get("number")) for f in frames], float(job.start_time))
        for offset, fraw in enumerate(frames):
            i = layer.offset + offset
            number = _int(fraw.get("number"))
            f_ids.append(fraw.get("id") or ids.make_id(farm.id_prefix, ids.FRAME, job.index, k, i))
            f_names.append(fraw.get("name") or f"{number:04d}-{lname}")
            _load_frame(farm, job, layer, i, fraw)
    job.f_ids = f_ids
    job.f_names = f_names
    job.cursor = 0
    farm.add_job(job)
    return job


def _load_frame(farm: Farm, job: Job, layer: Layer, i: int, fraw: dict[str, Any]) -> None:
    state = _enum(FRAME_STATES, fraw.get("state"))
    job.f_retry[i] = _int(fraw.get("retryCount"))
    job.f_exit[i] = _int(fraw.get("exitStatus"), -1 if state == 0 else 0)
    job.f_start[i] = _int(fraw.get("startTime"))
    job.f_stop[i] = _int(fraw.get("stopTime"))
    job.f_rss[i] = _int(fraw.get("maxRss"))
    job.f_updated[i] = float(max(job.f_stop[i], job.f_start[i], job.start_time))
    resource = fraw.get("lastResource") or ""
    host_name, _, rest = resource.partition("/")
    host = farm.hosts_by_name.get(host_name) if resource else None
    if host is not None:
        job.f_host[i] = host.index
        job.f_cores[i] = _float(rest.partition("/")[0], layer.min_cores)
    else:
        job.f_cores[i] = layer.min_cores
    started = state in (RUNNING, SUCCEEDED, 5) or job.f_start[i] > 0
    job.f_attempts[i] = job.f_retry[i] + 1 if started else 0
    extra = {k: fraw[k] for k in _FRAME_PASSTHROUGH if k in fraw}
    if extra:
        job.f_extra[i] = extra
    if state != 0:
        farm.set_state(job, i, state)
        job.f_updated[i] = float(max(job.f_stop[i], job.f_start[i], job.start_time))
    if state in (SUCCEEDED, 5) and job.f_stop[i]:
        seconds = max(0, job.f_stop[i] - job.f_start[i])
        for run in (job.run, layer.run):
            run.record(seconds, job.f_cores[i], job.f_rss[i], state == SUCCEEDED)


def _add_proc(farm: Farm, host: Host, raw: dict[str, Any]) -> None:
    job = farm.jobs_by_name.get(raw.get("jobName", ""))
    i = job.frame_index(raw.get("frameName", "")) if job is not None else None
    if job is None or i is None or (job.index, i) in farm.procs:
        return
    layer = job.layers[job.f_layer[i]]
    if job.f_state[i] != RUNNING:
        farm.set_state(job, i, RUNNING)
    cores = _float(raw.get("reservedCores"), layer.min_cores)
    start = _int(raw.get("dispatchTime"), job.f_start[i] or int(farm.now()))
    duration = layer.base_seconds / farm.speed if farm.speed > 0 else float("inf")
    farm._proc_seq += 1
    proc = Proc(
        id=raw.get("id") or ids.make_id(farm.id_prefix, ids.PROC, host.index, 0, farm._proc_seq),
        host=host,
        job=job,
        frame=i,
        cores=cores,
        reserved_memory=_int(raw.get("reservedMemory"), layer.min_memory),
        used_memory=_int(raw.get("usedMemory")),
        booked_time=_int(raw.get("bookedTime"), start),
        dispatch_time=start,
        end_at=farm.now() + duration,
        succeed=True,
        exit_status=0,
        duration=layer.base_seconds if duration == float("inf") else duration,
        seq=farm._proc_seq,
    )
    host.procs[proc.id] = proc
    host.idle_cores -= cores
    host.idle_memory -= proc.reserved_memory
    farm.procs[(job.index, i)] = proc
    farm.resources.book(proc)
    job.run.reserved_cores += cores
    layer.run.reserved_cores += cores
    job.f_host[i] = host.index
    job.f_cores[i] = cores
    if not job.f_start[i]:
        job.f_start[i] = start
    if job.f_attempts[i] == 0:
        job.f_attempts[i] = job.f_retry[i] + 1
    if proc.end_at != float("inf"):
        import heapq

        heapq.heappush(farm._ends, (proc.end_at, proc.seq, proc))


def dump_scenario(farm: Farm, logs: bool = False) -> dict[str, Any]:
    """The farm as a scenario (the same shape `cuetui capture` writes); logs=True adds each started
    frame's current log text."""
    from cuetui.demo.serialize import frame_json, host_json, job_json, layer_json, proc_json, show_json

    now = int(farm.now())
    jobs = []
    for job in farm.jobs:
        entry: dict[str, Any] = {
            "job": job_json(job),
            "layers": [layer_json(job, layer) for layer in job.layers],
            "frames": [frame_json(farm, job, i, now) for i in range(job.total)],
        }
        if logs:
            entry["logs"] = {}
            for i in range(job.total):
                if job.f_attempts[i] > 0:
                    farm.logs.materialize(job, i)
                    try:
                        with open(job.log_path(i), encoding="utf-8", errors="surrogateescape") as f:
                            entry["logs"][job.frame_name(i)] = f.read()
                    except OSError:
                        pass
        jobs.append(entry)
    return {
        "shows": [show_json(farm, s) for s in farm.shows],
        "jobs": jobs,
        "hosts": [{"host": host_json(h), "procs": [proc_json(p, now) for p in h.procs.values()]} for h in farm.hosts],
    }
