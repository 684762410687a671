"""Job and layer settings and mark-done on the simulated farm, with Cuebot's semantics.

What the settings do is the scheduler's (`cuetui.demo.farm`): a layer's min memory, min cores and tags
decide which hosts can take its frames (none can: they stay WAITING), a job's max cores caps what it
runs, max retries decides when a failed frame goes DEAD, auto-eat eats it instead. This module only
stores the values as Cuebot does (cores truncated to whole cores, memory in KB) and answers `{}`.

Handlers take the farm and the decoded request, and raise `Missing` for an unknown job or layer;
`server.py` registers `HANDLERS` with its `rpc` and turns `Missing` into Cuebot's error answers (this
module does not import the server, so the two make no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cuetui.demo.actions import mark_frames_done
from cuetui.demo.farm import Farm, Job, Layer

Handler = Callable[[Farm, dict[str, Any]], Any]
# path -> (request type, handler), registered by the server.
HANDLERS: dict[str, tuple[str, Handler]] = {}


class Missing(LookupError):
    """The request names a job or layer the farm does not have (`what`: "job" or "layer")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def rpc(path: str, request_type: str) -> Callable[[Handler], Handler]:
    """Record a handler for the server to register (which checks the request type against the schema)."""

    def record(fn: Handler) -> Handler:
        HANDLERS[path] = (request_type, fn)
        return fn

    return record


def _job_by_id(farm: Farm, req: dict[str, Any]) -> Job:
    job = farm.jobs_by_id.get((req.get("job") or {}).get("id", ""))
    if job is None:
        raise Missing("job")
    return job


def _layer(farm: Farm, req: dict[str, Any]) -> tuple[Job, Layer]:
    hit = farm.layers_by_id.get((req.get("layer") or {}).get("id", ""))
    if hit is None:
        raise Missing("layer")
    return hit


def _whole_cores(value: Any) -> float:
    # Cuebot stores cores as hundredths of a core in whole cores: 2.7 becomes 2.
    return float(int(float(value or 0.0)))


# --- job ---------------------------------------------------------------------------------------------


@rpc("/job.JobInterface/SetMinGpus", "job.JobSetMinGpusRequest")
def _job_min_gpus(farm: Farm, req: dict[str, Any]) -> Any:
    _job_by_id(farm, req).min_gpus = float(req.get("val", 0))
    return {}


@rpc("/job.JobInterface/SetMaxGpus", "job.JobSetMaxGpusRequest")
def _job_max_gpus(farm: Farm, req: dict[str, Any]) -> Any:
    _job_by_id(farm, req).max_gpus = float(req.get("val", 0))
    return {}


@rpc("/job.JobInterface/SetMaxRetries", "job.JobSetMaxRetriesRequest")
def _job_max_retries(farm: Farm, req: dict[str, Any]) -> Any:
    _job_by_id(farm, req).max_retries = int(req.get("max_retries", 0))
    return {}


@rpc("/job.JobInterface/SetAutoEat", "job.JobSetAutoEatRequest")
def _job_auto_eat(farm: Farm, req: dict[str, Any]) -> Any:
    # From now on a frame that runs out of retries is EATEN instead of DEAD (Farm.finish_frame).
    _job_by_id(farm, req).auto_eat = bool(req.get("value", False))
    return {}


# --- layer -------------------------------------------------------------------------------------------


@rpc("/job.LayerInterface/SetMinCores", "job.LayerSetMinCoresRequest")
def _layer_min_cores(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].min_cores = _whole_cores(req.get("cores"))
    return {}


@rpc("/job.LayerInterface/SetMaxCores", "job.LayerSetMaxCoresRequest")
def _layer_max_cores(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].max_cores = _whole_cores(req.get("cores"))
    return {}


@rpc("/job.LayerInterface/SetMinMemory", "job.LayerSetMinMemoryRequest")
def _layer_min_memory(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].min_memory = int(req.get("memory", 0))
    return {}


@rpc("/job.LayerInterface/SetMinGpuMemory", "job.LayerSetMinGpuMemoryRequest")
def _layer_min_gpu_memory(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].min_gpu_memory = int(req.get("gpu_memory", 0))
    return {}


@rpc("/job.LayerInterface/SetMinGpus", "job.LayerSetMinGpusRequest")
def _layer_min_gpus(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].min_gpus = float(req.get("min_gpus", 0))
    return {}


@rpc("/job.LayerInterface/SetMaxGpus", "job.LayerSetMaxGpusRequest")
def _layer_max_gpus(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].max_gpus = float(req.get("max_gpus", 0))
    return {}


@rpc("/job.LayerInterface/SetTags", "job.LayerSetTagsRequest")
def _layer_tags(farm: Farm, req: dict[str, Any]) -> Any:
    # Cuebot joins the tags with " | " and splits them again: blanks and repeats go.
    tags: list[str] = []
    for tag in req.get("tags") or []:
        tag = str(tag).strip()
        if tag and tag not in tags:
            tags.append(tag)
    _layer(farm, req)[1].tags = tags
    return {}


@rpc("/job.LayerInterface/SetThreadable", "job.LayerSetThreadableRequest")
def _layer_threadable(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].is_threadable = bool(req.get("threadable", False))
    return {}


@rpc("/job.LayerInterface/SetTimeout", "job.LayerSetTimeoutRequest")
def _layer_timeout(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].timeout = int(req.get("timeout", 0))
    return {}


@rpc("/job.LayerInterface/SetTimeoutLLU", "job.LayerSetTimeoutLLURequest")
def _layer_timeout_llu(farm: Farm, req: dict[str, Any]) -> Any:
    _layer(farm, req)[1].timeout_llu = int(req.get("timeout_llu", 0))
    return {}


def mark_layer_done(farm: Farm, job: Job, layer: Layer) -> None:
    """MarkdoneFrames: every frame of the layer is marked done (actions.mark_frames_done)."""
    mark_frames_done(farm, job, range(layer.offset, layer.offset + layer.count))


@rpc("/job.LayerInterface/MarkdoneFrames", "job.LayerMarkdoneFramesRequest")
def _layer_mark_done(farm: Farm, req: dict[str, Any]) -> Any:
    job, layer = _layer(farm, req)
    mark_layer_done(farm, job, layer)
    return {}
