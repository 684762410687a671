"""Job and layer settings and mark-done on the simulated farm, with Cuebot's semantics.

What the settings do is the scheduler's (`cuetui.demo.farm`): a layer's min memory, min cores and tags
decide which hosts can take its frames (none can: they stay WAITING), a job's max cores caps what it
runs, max retries decides when a failed frame goes DEAD, auto-eat eats it instead. This module only
stores the values as Cuebot does (cores truncated to whole cores, memory in KB) and answers `{}`.
Mark-done satisfies what waits on the layer and leaves the layer's frames as they are.

Handlers register with `@rpc(path, request_type)` (cuetui.demo.registry): an unknown job is Cuebot's
NOT_FOUND "Job not found", an unknown layer its INTERNAL empty-result error.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import lookup
from cuetui.demo.actions import mark_done
from cuetui.demo.farm import Farm, Job, Layer
from cuetui.demo.registry import not_found, rpc


def _job_by_id(farm: Farm, req: dict[str, Any]) -> Job:
    return lookup.job(farm, req, missing=not_found("Job not found"))


def _layer(farm: Farm, req: dict[str, Any]) -> tuple[Job, Layer]:
    return lookup.layer(farm, req)


def _whole_cores(value: Any) -> float:
    # Cuebot stores cores as hundredths of a core in whole cores: 2.7 becomes 2.
    return float(int(float(value or 0.0)))


# --- job ---------------------------------------------------------------------------------------------


@rpc("/job.JobInterface/SetMinGpus", "job.JobSetMinGpusRequest")
def _job_min_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _job_by_id(gw.farm, req).min_gpus = float(req.get("val", 0))
    return {}


@rpc("/job.JobInterface/SetMaxGpus", "job.JobSetMaxGpusRequest")
def _job_max_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _job_by_id(gw.farm, req).max_gpus = float(req.get("val", 0))
    return {}


@rpc("/job.JobInterface/SetMaxRetries", "job.JobSetMaxRetriesRequest")
def _job_max_retries(gw: Any, req: dict[str, Any]) -> Any:
    _job_by_id(gw.farm, req).max_retries = int(req.get("max_retries", 0))
    return {}


@rpc("/job.JobInterface/SetAutoEat", "job.JobSetAutoEatRequest")
def _job_auto_eat(gw: Any, req: dict[str, Any]) -> Any:
    # From now on a frame that runs out of retries is EATEN instead of DEAD (Farm.finish_frame).
    _job_by_id(gw.farm, req).auto_eat = bool(req.get("value", False))
    return {}


# --- layer -------------------------------------------------------------------------------------------


@rpc("/job.LayerInterface/SetMinCores", "job.LayerSetMinCoresRequest")
def _layer_min_cores(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].min_cores = _whole_cores(req.get("cores"))
    return {}


@rpc("/job.LayerInterface/SetMaxCores", "job.LayerSetMaxCoresRequest")
def _layer_max_cores(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].max_cores = _whole_cores(req.get("cores"))
    return {}


@rpc("/job.LayerInterface/SetMinMemory", "job.LayerSetMinMemoryRequest")
def _layer_min_memory(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].min_memory = int(req.get("memory", 0))
    return {}


@rpc("/job.LayerInterface/SetMinGpuMemory", "job.LayerSetMinGpuMemoryRequest")
def _layer_min_gpu_memory(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].min_gpu_memory = int(req.get("gpu_memory", 0))
    return {}


@rpc("/job.LayerInterface/SetMinGpus", "job.LayerSetMinGpusRequest")
def _layer_min_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].min_gpus = float(req.get("min_gpus", 0))
    return {}


@rpc("/job.LayerInterface/SetMaxGpus", "job.LayerSetMaxGpusRequest")
def _layer_max_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].max_gpus = float(req.get("max_gpus", 0))
    return {}


@rpc("/job.LayerInterface/SetTags", "job.LayerSetTagsRequest")
def _layer_tags(gw: Any, req: dict[str, Any]) -> Any:
    # Cuebot joins the tags with " | " and splits them again: blanks and repeats go.
    tags: list[str] = []
    for tag in req.get("tags") or []:
        tag = str(tag).strip()
        if tag and tag not in tags:
            tags.append(tag)
    _layer(gw.farm, req)[1].tags = tags
    return {}


@rpc("/job.LayerInterface/SetThreadable", "job.LayerSetThreadableRequest")
def _layer_threadable(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].is_threadable = bool(req.get("threadable", False))
    return {}


@rpc("/job.LayerInterface/SetTimeout", "job.LayerSetTimeoutRequest")
def _layer_timeout(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].timeout = int(req.get("timeout", 0))
    return {}


@rpc("/job.LayerInterface/SetTimeoutLLU", "job.LayerSetTimeoutLLURequest")
def _layer_timeout_llu(gw: Any, req: dict[str, Any]) -> Any:
    _layer(gw.farm, req)[1].timeout_llu = int(req.get("timeout_llu", 0))
    return {}


def mark_layer_done(farm: Farm, job: Job, layer: Layer) -> int:
    """MarkdoneFrames: what waits on the layer is satisfied, its frames are left as they are
    (actions.mark_done); the number of dependencies satisfied."""
    return mark_done(farm, job, layer)


@rpc("/job.LayerInterface/MarkdoneFrames", "job.LayerMarkdoneFramesRequest")
def _layer_mark_done(gw: Any, req: dict[str, Any]) -> Any:
    job, layer = _layer(gw.farm, req)
    mark_layer_done(gw.farm, job, layer)
    return {}
