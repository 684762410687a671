"""The job, layer and frame calls beside the settings, frame actions, comments and dependencies: job names,
pending checks, launching job specs, shutting a finished job down, subscribers, render partitions,
layer lookups and output paths, a frame's checkpoint state and display overrides.

Cuebot's semantics kept: IsJobPending and FindLayer look a job up by name among the pending jobs;
ShutdownIfCompleted finishes a job only when no frame is left to run; a job spec (Cuebot's XML
<spec>) launches one job per <job>, named <show>-<shot>-<user>_<name>, its layers' frames WAITING; a
display override replaces the frame's override for the same state.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from typing import Any

from cuetui import schema
from cuetui.demo import ids, lookup, queries, rpc_filters
from cuetui.demo.admin import PARTITION, admin_of
from cuetui.demo.model import DEAD, DEPEND, FINISHED, GB, PENDING, RUNNING, SETUP, WAITING, Job, Layer
from cuetui.demo.registry import answer, not_found, refused, rpc
from cuetui.demo.serialize import job_json, layer_json

_J = "/job.JobInterface/"
_L = "/job.LayerInterface/"
_F = "/job.FrameInterface/"
_PART = schema.enum_numbers("renderPartition.RenderPartitionType")
_LAYER_TYPE = {name.lower(): n for name, n in schema.enum_numbers("job.LayerType").items()}


@rpc(_J + "GetJobNames", "job.JobGetJobNamesRequest")
def _job_names(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_J + "GetJobNames", {"names": [j.name for j in queries.search_jobs(gw.farm, req.get("r") or {})]})


@rpc(_J + "IsJobPending", "job.JobIsJobPendingRequest")
def _is_pending(gw: Any, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_name.get(req.get("name", ""))
    return answer(_J + "IsJobPending", {"value": job is not None and job.state == PENDING})


@rpc(_J + "ShutdownIfCompleted", "job.JobShutdownIfCompletedRequest")
def _shutdown(gw: Any, req: dict[str, Any]) -> Any:
    job = lookup.job(gw.farm, req)
    c = job.counts
    if job.state == PENDING and c[WAITING] + c[RUNNING] + c[DEPEND] + c[SETUP] + c[DEAD] == 0:
        job.state = FINISHED
        job.stop_time = int(gw.farm.now())
    return {}


@rpc(_J + "AddSubscriber", "job.JobAddSubscriberRequest")
def _add_subscriber(gw: Any, req: dict[str, Any]) -> Any:
    job = lookup.job(gw.farm, req)
    subscribers = admin_of(gw.farm).subscribers.setdefault(job.id, [])
    if req.get("subscriber") and req["subscriber"] not in subscribers:
        subscribers.append(req["subscriber"])
    return {}


def _partition(gw: Any, req: dict[str, Any], kind: str, job: Job, layer: str = "", frame: str = "") -> dict[str, Any]:
    host = gw.farm.hosts_by_name.get(req.get("host", ""))
    if host is None:
        raise refused("org.springframework.dao.EmptyResultDataAccessException", queries_empty())
    values = {
        "id": admin_of(gw.farm).new_id(PARTITION),
        "job": job.name,
        "layer": layer,
        "frame": frame,
        "render_part_type": _PART[kind],
        "host": host.name,
        "cores": req.get("max_cores", 0),
        "memory": req.get("max_memory", 0),
        "max_cores": req.get("max_cores", 0),
        "max_memory": req.get("max_memory", 0),
        "max_gpu_memory": req.get("max_gpu_memory", 0),
        "threads": req.get("threads", 0),
        "gpus": req.get("max_gpus", 0),
        "max_gpus": req.get("max_gpus", 0),
        "gpu_memory": req.get("max_gpu_memory", 0),
    }
    admin_of(gw.farm).partitions.append(values)
    return values


def queries_empty() -> str:
    return "Incorrect result size: expected 1, actual 0"


@rpc(_J + "AddRenderPartition", "job.JobAddRenderPartRequest")
def _job_partition(gw: Any, req: dict[str, Any]) -> Any:
    job = lookup.job(gw.farm, req)
    return answer(_J + "AddRenderPartition", {"render_partition": _partition(gw, req, "JOB_PARTITION", job)})


@rpc(_L + "AddRenderPartition", "job.LayerAddRenderPartitionRequest")
def _layer_partition(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = lookup.layer(gw.farm, req)
    values = _partition(gw, req, "LAYER_PARTITION", job, layer=layer.name)
    return answer(_L + "AddRenderPartition", {"render_partition": values})


@rpc(_F + "AddRenderPartition", "job.FrameAddRenderPartitionRequest")
def _frame_partition(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    layer = job.layers[job.f_layer[i]].name
    values = _partition(gw, req, "FRAME_PARTITION", job, layer=layer, frame=job.frame_name(i))
    return answer(_F + "AddRenderPartition", {"render_partition": values})


@rpc(_L + "GetLayer", "job.LayerGetLayerRequest")
def _get_layer(gw: Any, req: dict[str, Any]) -> Any:
    hit = gw.farm.layers_by_id.get(req.get("id", ""))
    if hit is None:
        raise not_found()
    return {"layer": layer_json(*hit)}


@rpc(_L + "FindLayer", "job.LayerFindLayerRequest")
def _find_layer(gw: Any, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_name.get(req.get("job", ""))
    if job is not None and job.state == PENDING:
        for layer in job.layers:
            if layer.name == req.get("layer", ""):
                return {"layer": layer_json(job, layer)}
    raise not_found()


@rpc(_L + "GetOutputPaths", "job.LayerGetOutputPathsRequest")
def _output_paths(gw: Any, req: dict[str, Any]) -> Any:
    _job, layer = lookup.layer(gw.farm, req)
    return answer(_L + "GetOutputPaths", {"output_paths": admin_of(gw.farm).output_paths.get(layer.id, [])})


@rpc(_L + "RegisterOutputPath", "job.LayerRegisterOutputPathRequest")
def _register_output(gw: Any, req: dict[str, Any]) -> Any:
    _job, layer = lookup.layer(gw.farm, req)
    admin_of(gw.farm).output_paths.setdefault(layer.id, []).append(req.get("spec", ""))
    return {}


@rpc(_F + "SetCheckpointState", "job.FrameSetCheckpointStateRequest")
def _checkpoint(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    admin_of(gw.farm).checkpoint[job.frame_id(i)] = req.get("state", 0)
    return {}


@rpc(_F + "SetFrameStateDisplayOverride", "job.FrameStateDisplayOverrideRequest")
def _set_override(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    given = req.get("override") or {}
    override = {
        "state": given.get("state", 0),
        "text": given.get("text", ""),
        "color": {k: v for k, v in (given.get("color") or {}).items() if k in ("red", "green", "blue")},
    }
    mine = admin_of(gw.farm).display_overrides.setdefault(job.frame_id(i), [])
    mine[:] = [o for o in mine if o["state"] != override["state"]] + [override]
    return {}


@rpc(_F + "GetFrameStateDisplayOverrides", "job.GetFrameStateDisplayOverridesRequest")
def _get_overrides(gw: Any, req: dict[str, Any]) -> Any:
    job, i = lookup.frame(gw.farm, req)
    mine = admin_of(gw.farm).display_overrides.get(job.frame_id(i), [])
    return answer(_F + "GetFrameStateDisplayOverrides", {"overrides": {"overrides": mine}})


# --- job specs ---------------------------------------------------------------------------------------
class SpecError(ValueError):
    """A job spec Cuebot would refuse."""


def _text(node: Any, tag: str, default: str = "") -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None and found.text else default


def _memory_kb(value: str) -> int:
    """`4g`, `512m`, `4096` (MB) → KB, as Cuebot reads a layer's <memory>."""
    value = value.strip().lower()
    try:
        if value.endswith("g"):
            return int(float(value[:-1]) * GB)
        if value.endswith("m"):
            return int(float(value[:-1]) * 1024)
        return int(float(value) * 1024) if value else 4 * GB
    except ValueError as err:
        raise SpecError(f"invalid memory {value!r}") from err


def launch_spec(gw: Any, spec: str) -> list[Job]:
    """Parse a job spec and add its jobs to the farm (pending, frames waiting)."""
    if "<!ENTITY" in spec or ("<!DOCTYPE" in spec.upper() and "[" in spec):
        raise SpecError("entity declarations are not allowed in a job spec")
    try:
        root = ElementTree.fromstring(spec)
    except ElementTree.ParseError as err:
        raise SpecError(f"failed to parse the job spec: {err}") from err
    if root.tag != "spec":
        raise SpecError("the job spec has no <spec> element")
    farm = gw.farm
    show = farm.find_show(_text(root, "show"))
    if show is None or show.id == _text(root, "show"):
        raise SpecError(f"the show {_text(root, 'show')!r} does not exist")
    shot, user = _text(root, "shot", "shot"), _text(root, "user", "user")
    uid = int(_text(root, "uid", "0") or 0)
    made: list[Job] = []
    now = farm.now()
    for node in root.iter("job"):
        name = f"{show.name}-{shot}-{user}_{node.get('name', 'job')}"
        if name in farm.jobs_by_name and farm.jobs_by_name[name].state == PENDING:
            raise SpecError(f"the job {name} is already pending")
        index = len(farm.jobs)
        job = Job(
            farm,
            index,
            ids.make_id(farm.id_prefix, ids.JOB, index),
            name,
            show,
            shot=shot,
            user=user,
            uid=uid,
            facility=_text(root, "facility", "local"),
            priority=int(_text(node, "priority", "1") or 1),
            max_retries=int(_text(node, "maxretries", "3") or 3),
            auto_eat=_text(node, "autoeat", "false").lower() == "true",
            is_paused=_text(node, "paused", "false").lower() == "true",
            min_cores=show.default_min_cores,
            max_cores=show.default_max_cores,
            log_dir=os.path.join(farm.log_root or "/tmp/cuetui-demo", show.name, shot, "logs", name),
            start_time=int(now),
            loki_url=farm.loki_url,
        )
        for order, lnode in enumerate(node.iter("layer")):
            spec_range = _text(lnode, "range", "1")
            try:
                numbers = queries.parse_frame_range(spec_range)
            except queries.RangeTooLarge as err:
                raise SpecError(str(err)) from err
            if not numbers:
                raise SpecError(f"invalid frame range {spec_range!r}")
            services = [s.text.strip() for s in lnode.iter("service") if s.text and s.text.strip()] or ["default"]
            cores = float(_text(lnode, "cores", "1") or 1)
            layer = Layer(
                order,
                ids.make_id(farm.id_prefix, ids.LAYER, index, order),
                lnode.get("name", f"layer{order}"),
                0,
                0,
                range=spec_range,
                min_cores=cores,
                min_memory=_memory_kb(_text(lnode, "memory")),
                chunk_size=int(_text(lnode, "chunk", "1") or 1),
                dispatch_order=order,
                type=_LAYER_TYPE.get(lnode.get("type", "render").lower(), _LAYER_TYPE["render"]),
                services=services,
                is_threadable=cores > 1,
                command=_text(lnode, "cmd"),
                eligible_time=int(now),
                tags=[t for t in _text(lnode, "tags", "general").split("|") if t] or ["general"],
            )
            job.add_layer(layer)
            job.add_frames(layer, sorted(numbers), now)
        if not job.layers:
            raise SpecError(f"the job {name} has no layers")
        show.created_job_count += 1
        farm.add_job(job)
        made.append(job)
    if not made:
        raise SpecError("the job spec holds no job")
    return made


def _launch(gw: Any, req: dict[str, Any]) -> list[Job]:
    try:
        jobs = launch_spec(gw, req.get("spec", ""))
    except SpecError as err:
        raise refused("com.imageworks.spcue.SpecBuilderException", str(err)) from None
    for job in jobs:
        # Cuebot runs the show's filters on each job it launches (the last step of creating it).
        rpc_filters.run_show_filters(gw, job)
    return jobs


@rpc(_J + "LaunchSpec", "job.JobLaunchSpecRequest")
def _launch_spec(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_J + "LaunchSpec", {"names": [j.name for j in _launch(gw, req)]})


@rpc(_J + "LaunchSpecAndWait", "job.JobLaunchSpecAndWaitRequest")
def _launch_and_wait(gw: Any, req: dict[str, Any]) -> Any:
    return {"jobs": {"jobs": [job_json(j) for j in _launch(gw, req)]}}
