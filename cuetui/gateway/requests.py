"""Every request cuetui sends, built by typed functions: (path, body) pairs, nothing sent here.

Bodies are built from values by proto field name through the schema table (`_message`, `_call`): the
JSON names come from the table, and a field the request message does not have fails here, at once.

The gateway silently drops any field it does not know (protocol §1.5), so a misspelt filter is not an
error but "no filter" — and RetryFrames with no filter re-queues a whole job. Bodies are therefore
only ever built here, from typed criteria, and each builder is checked against OpenCue's published
schema by the test suite. Builders refuse (RefusedRequest) what would do something the user did not
mean: an empty RetryFrames/EatFrames criteria, a kill without a reason, an unknown frame state.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cuetui import schema
from cuetui.gateway.errors import RefusedRequest

# The names a criteria may hold, and the int32 bounds, from the schema table.
FRAME_STATES = schema.enum_names("job.FrameState")
HARDWARE_STATES = schema.enum_names("host.HardwareState")
LOCK_STATES = schema.enum_names("host.LockState")
INT32_MIN, INT32_MAX = schema.INT_BOUNDS["int32"]


class Call(NamedTuple):
    """One gateway call: `POST <path>` with JSON `body`."""

    path: str
    body: dict[str, Any]


@functools.cache
def _json_names(message: str) -> dict[str, str]:
    return {field.name: field.json_name for field in schema.fields(message)}


def _message(message: str, /, **values: Any) -> dict[str, Any]:
    """The JSON object of `message` (full name) from values by proto field name, in the order given;
    None values are left out. A name the message does not have is a TypeError: the gateway would drop
    that field without a word (protocol §1.5), so it must never be sent."""
    names = _json_names(message)
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        json_name = names.get(name)
        if json_name is None:
            raise TypeError(f"{message} has no field {name!r}")
        out[json_name] = value
    return out


def _call(path: str, /, **values: Any) -> Call:
    """A call of the RPC at `path`, its body the RPC's request message (from the schema table)."""
    return Call(path, _message(schema.RPCS[path][0], **values))


def _names(values: Iterable[str] | None, known: Sequence[str], what: str) -> list[str]:
    """Enum names normalised to upper case; an unknown name is refused (the gateway would drop it)."""
    out: list[str] = []
    for value in values or ():
        name = str(value).strip().upper()
        if name not in known:
            raise RefusedRequest(f"unknown {what} {value!r}; expected one of {', '.join(known)}")
        if name not in out:
            out.append(name)
    return out


def _strings(values: Iterable[str] | None) -> list[str]:
    return [str(v) for v in values or ()]


def _int32(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RefusedRequest(f"{what} must be a whole number, got {value!r}")
    if not INT32_MIN <= value <= INT32_MAX:
        raise RefusedRequest(f"{what} {value} is out of range")
    return value


def _id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RefusedRequest(f"a {what} id is required")
    return value


# --- criteria ----------------------------------------------------------------------------------------


_JOB_LISTS = ("ids", "jobs", "regex", "substr", "users", "shots", "shows")
_FRAME_LISTS = ("ids", "frames", "layers")
_HOST_LISTS = ("hosts", "regex", "substr", "ids", "allocs")
_PROC_LISTS = ("hosts", "jobs", "layers", "shows", "allocs")


@dataclass(frozen=True)
class JobSearch:
    """JobSearchCriteria: lists are OR-ed inside, AND-ed across; empty means no filter."""

    ids: Sequence[str] = ()
    jobs: Sequence[str] = ()
    regex: Sequence[str] = ()
    substr: Sequence[str] = ()
    users: Sequence[str] = ()
    shots: Sequence[str] = ()
    shows: Sequence[str] = ()
    include_finished: bool = False

    def to_json(self) -> dict[str, Any]:
        """The criteria as the gateway's JSON, only the fields that filter."""
        values = {key: _strings(getattr(self, key)) or None for key in _JOB_LISTS}
        return _message("job.JobSearchCriteria", **values, include_finished=True if self.include_finished else None)


@dataclass(frozen=True)
class FrameSearch:
    """FrameSearchCriteria. `states` are FrameState names; `frame_range` like "1-100" or "1,3,5"."""

    ids: Sequence[str] = ()
    frames: Sequence[str] = ()
    layers: Sequence[str] = ()
    states: Sequence[str] = ()
    frame_range: str = ""
    memory_range: str = ""
    duration_range: str = ""
    change_date: int = 0

    def filter_json(self) -> dict[str, Any]:
        """The filtering part of the criteria (no page/limit)."""
        states = _names(self.states, FRAME_STATES, "frame state")
        return _message(
            "job.FrameSearchCriteria",
            **{key: _strings(getattr(self, key)) or None for key in _FRAME_LISTS},
            states=_message("job.FrameStateSeq", frame_states=states) if states else None,
            frame_range=self.frame_range.strip() or None,
            memory_range=self.memory_range.strip() or None,
            duration_range=self.duration_range.strip() or None,
            change_date=_int32(self.change_date, "changeDate") if self.change_date else None,
        )

    def is_empty(self) -> bool:
        """True when the criteria would match every frame of a job."""
        return not self.filter_json()

    def page_json(self, page: int, limit: int) -> dict[str, Any]:
        """The criteria with a page (1-based) and a page size; Cuebot returns nothing without a limit."""
        if _int32(limit, "limit") <= 0:
            raise RefusedRequest("a frame page needs a limit above 0")
        paging = _message("job.FrameSearchCriteria", page=max(1, _int32(page, "page")), limit=limit)
        return {**self.filter_json(), **paging}


@dataclass(frozen=True)
class HostSearch:
    """HostSearchCriteria: names, substrings, allocations, hardware and lock states."""

    hosts: Sequence[str] = ()
    regex: Sequence[str] = ()
    substr: Sequence[str] = ()
    ids: Sequence[str] = ()
    allocs: Sequence[str] = ()
    states: Sequence[str] = ()
    lock_states: Sequence[str] = ()

    def to_json(self) -> dict[str, Any]:
        """The criteria as the gateway's JSON (note the singular inner key `state`)."""
        states = _names(self.states, HARDWARE_STATES, "host state")
        locks = _names(self.lock_states, LOCK_STATES, "lock state")
        return _message(
            "host.HostSearchCriteria",
            **{key: _strings(getattr(self, key)) or None for key in _HOST_LISTS},
            states=_message("host.HardwareStateSeq", state=states) if states else None,
            lock_states=_message("host.LockStateSeq", state=locks) if locks else None,
        )


@dataclass(frozen=True)
class ProcSearch:
    """ProcSearchCriteria by exact names of hosts, jobs, layers, shows, allocations."""

    hosts: Sequence[str] = ()
    jobs: Sequence[str] = ()
    layers: Sequence[str] = ()
    shows: Sequence[str] = ()
    allocs: Sequence[str] = ()
    max_results: int = 0

    def to_json(self) -> dict[str, Any]:
        """The criteria as the gateway's JSON."""
        return _message(
            "host.ProcSearchCriteria",
            **{key: _strings(getattr(self, key)) or None for key in _PROC_LISTS},
            max_results=[_int32(self.max_results, "maxResults")] if self.max_results else None,
        )


@dataclass(frozen=True)
class Requester:
    """Who asks for a kill: Cuebot logs it, and ignores a job kill without a reason."""

    username: str
    pid: int
    host: str

    @classmethod
    def local(cls, username: str | None = None) -> Requester:
        """This process on this machine, as `username` (default: the login name)."""
        import getpass

        return cls(username or getpass.getuser(), os.getpid(), socket.gethostname())

    def kill_fields(self, reason: str) -> dict[str, Any]:
        """username, pid (a string in the schema), host_kill and a non-empty reason, by proto name."""
        reason = (reason or "").strip()
        if not reason:
            raise RefusedRequest("a kill needs a reason (Cuebot ignores a kill without one)")
        return {"username": self.username, "pid": str(self.pid), "host_kill": self.host, "reason": reason}


_REFERENCED = {"job": "job.Job", "layer": "job.Layer", "frame": "job.Frame", "host": "host.Host", "show": "show.Show"}


def _ref(entity_id: str, what: str) -> dict[str, str]:
    """The message a request names an entity by: only its id."""
    return _message(_REFERENCED[what], id=_id(entity_id, what))


def _comment(user: str, subject: str, message: str) -> dict[str, Any]:
    return _message("comment.Comment", user=user, subject=subject, message=message)


# --- shows -----------------------------------------------------------------------------------------


def get_shows() -> Call:
    """All shows, active or not."""
    return _call("/show.ShowInterface/GetShows")


def get_active_shows() -> Call:
    """Only active shows."""
    return _call("/show.ShowInterface/GetActiveShows")


def find_show(name: str) -> Call:
    """A show by exact name (404 when unknown)."""
    return _call("/show.ShowInterface/FindShow", name=name)


def show_get_jobs(show_id: str) -> Call:
    """Pending jobs of one show, by show id."""
    return _call("/show.ShowInterface/GetJobs", show=_ref(show_id, "show"))


# --- jobs ------------------------------------------------------------------------------------------


def get_jobs(search: JobSearch) -> Call:
    """Jobs matching `search` (pending only unless include_finished)."""
    return _call("/job.JobInterface/GetJobs", r=search.to_json())


def get_job(job_id: str) -> Call:
    """One job by id, finished or not."""
    return _call("/job.JobInterface/GetJob", id=_id(job_id, "job"))


def find_job(name: str) -> Call:
    """A pending job by exact name."""
    return _call("/job.JobInterface/FindJob", name=name)


def get_layers(job_id: str) -> Call:
    """The layers of a job, in dispatch order."""
    return _call("/job.JobInterface/GetLayers", job=_ref(job_id, "job"))


def get_frames(job_id: str, search: FrameSearch, page: int, limit: int) -> Call:
    """One page of a job's frames (the job by id: works for finished jobs)."""
    return _call("/job.JobInterface/GetFrames", job=_ref(job_id, "job"), req=search.page_json(page, limit))


def get_updated_frames(job_id: str, last_check: int, layer_ids: Sequence[str] = ()) -> Call:
    """Frames changed since `last_check` (epoch s, at most 60 s behind Cuebot, else it hangs)."""
    if _int32(last_check, "lastCheck") <= 0:
        raise RefusedRequest("GetUpdatedFrames needs a lastCheck time (without one Cuebot never answers)")
    layers = _message("job.LayerSeq", layers=[_ref(layer_id, "layer") for layer_id in layer_ids]) if layer_ids else None
    return _call(
        "/job.JobInterface/GetUpdatedFrames", job=_ref(job_id, "job"), last_check=last_check, layer_filter=layers
    )


def pause_job(job_id: str) -> Call:
    """Stop dispatching new frames of a job."""
    return _call("/job.JobInterface/Pause", job=_ref(job_id, "job"))


def resume_job(job_id: str) -> Call:
    """Dispatch a paused job again."""
    return _call("/job.JobInterface/Resume", job=_ref(job_id, "job"))


def kill_job(job_id: str, reason: str, requester: Requester) -> Call:
    """Kill a job; Cuebot needs the reason, and logs who asked."""
    return _call("/job.JobInterface/Kill", job=_ref(job_id, "job"), **requester.kill_fields(reason))


def set_priority(job_id: str, priority: int) -> Call:
    """Set a job's priority; the field is `val` (a `priority` field would be dropped and set 0)."""
    return _call("/job.JobInterface/SetPriority", job=_ref(job_id, "job"), val=_int32(priority, "priority"))


def _cores(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise RefusedRequest(f"cores must be a number of at least 0, got {value!r}")
    return float(value)


def set_min_cores(job_id: str, cores: float) -> Call:
    """Set a job's minimum cores."""
    return _call("/job.JobInterface/SetMinCores", job=_ref(job_id, "job"), val=_cores(cores))


def set_max_cores(job_id: str, cores: float) -> Call:
    """Set a job's maximum cores."""
    return _call("/job.JobInterface/SetMaxCores", job=_ref(job_id, "job"), val=_cores(cores))


# --- job settings (the `o` form, `cuetui job-set`) ---------------------------------------------------


def _whole(value: int, what: str) -> int:
    """A whole number of at least 0 that fits an int32."""
    if _int32(value, what) < 0:
        raise RefusedRequest(f"{what} must be at least 0, got {value}")
    return value


def set_job_min_gpus(job_id: str, gpus: int) -> Call:
    """Set a job's minimum GPUs."""
    return _call("/job.JobInterface/SetMinGpus", job=_ref(job_id, "job"), val=_whole(gpus, "min GPUs"))


def set_job_max_gpus(job_id: str, gpus: int) -> Call:
    """Set a job's maximum GPUs."""
    return _call("/job.JobInterface/SetMaxGpus", job=_ref(job_id, "job"), val=_whole(gpus, "max GPUs"))


def set_max_retries(job_id: str, retries: int) -> Call:
    """Set how many times a job's frames are retried before they go DEAD."""
    return _call("/job.JobInterface/SetMaxRetries", job=_ref(job_id, "job"), max_retries=_whole(retries, "max retries"))


def set_auto_eat(job_id: str, value: bool) -> Call:
    """Turn auto-eat on or off: frames that die are eaten at once."""
    if not isinstance(value, bool):
        raise RefusedRequest(f"auto-eat must be on or off, got {value!r}")
    return _call("/job.JobInterface/SetAutoEat", job=_ref(job_id, "job"), value=value)


def delete_comment(comment_id: str) -> Call:
    """Delete one comment (of a job or a host) by id."""
    return _call("/comment.CommentInterface/Delete", comment=_message("comment.Comment", id=_id(comment_id, "comment")))


def _non_empty(search: FrameSearch, action: str) -> dict[str, Any]:
    criteria = search.filter_json()
    if not criteria:
        raise RefusedRequest(f"{action} with no criteria would act on every frame of the job; refused")
    return criteria


def retry_frames(job_id: str, search: FrameSearch) -> Call:
    """Re-queue every frame of a job matching `search` (never an empty criteria)."""
    return _call("/job.JobInterface/RetryFrames", job=_ref(job_id, "job"), req=_non_empty(search, "RetryFrames"))


def eat_frames(job_id: str, search: FrameSearch) -> Call:
    """Mark every frame of a job matching `search` EATEN (never an empty criteria)."""
    return _call("/job.JobInterface/EatFrames", job=_ref(job_id, "job"), req=_non_empty(search, "EatFrames"))


def kill_frames(job_id: str, search: FrameSearch, reason: str, requester: Requester) -> Call:
    """Kill the running frames of a job matching `search` (Cuebot ignores its states part)."""
    criteria = _non_empty(search, "KillFrames")
    return _call("/job.JobInterface/KillFrames", job=_ref(job_id, "job"), req=criteria, **requester.kill_fields(reason))


def get_job_comments(job_id: str) -> Call:
    """A job's comments, oldest first."""
    return _call("/job.JobInterface/GetComments", job=_ref(job_id, "job"))


def add_job_comment(job_id: str, user: str, subject: str, message: str) -> Call:
    """Add a comment to a job."""
    return _call("/job.JobInterface/AddComment", job=_ref(job_id, "job"), new_comment=_comment(user, subject, message))


# --- frames and layers ------------------------------------------------------------------------------


def get_frame(frame_id: str) -> Call:
    """One frame by id."""
    return _call("/job.FrameInterface/GetFrame", id=_id(frame_id, "frame"))


def find_frame(job_name: str, layer: str, number: int) -> Call:
    """One frame of a pending job by job name, layer name and frame number."""
    return _call("/job.FrameInterface/FindFrame", job=job_name, layer=layer, frame=_int32(number, "frame"))


def layer_get_frames(layer_id: str, search: FrameSearch, page: int, limit: int) -> Call:
    """One page of a layer's frames."""
    return _call("/job.LayerInterface/GetFrames", layer=_ref(layer_id, "layer"), s=search.page_json(page, limit))


# --- layer settings (the `o` form on layers, `cuetui layer-set`, `cuetui mark-done`) -----------------


def _layer_call(rpc: str, layer_id: str, **values: Any) -> Call:
    return _call(f"/job.LayerInterface/{rpc}", layer=_ref(layer_id, "layer"), **values)


def _kb(value: int, what: str) -> str:
    """Kilobytes as Cuebot counts memory, an int64: a JSON string (proto3 JSON mapping)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RefusedRequest(f"{what} must be a whole number of KB of at least 0, got {value!r}")
    if value > schema.INT_BOUNDS["int64"][1]:
        raise RefusedRequest(f"{what} {value} is out of range")
    return str(value)


def set_layer_min_cores(layer_id: str, cores: float) -> Call:
    """Set the cores each frame of a layer books at least."""
    return _layer_call("SetMinCores", layer_id, cores=_cores(cores))


def set_layer_max_cores(layer_id: str, cores: float) -> Call:
    """Set the cores a frame of a layer books at most (0: no limit)."""
    return _layer_call("SetMaxCores", layer_id, cores=_cores(cores))


def set_layer_min_memory(layer_id: str, memory_kb: int) -> Call:
    """Set the memory (KB) each frame of a layer reserves: hosts with less free memory never take it."""
    return _layer_call("SetMinMemory", layer_id, memory=_kb(memory_kb, "min memory"))


def set_layer_min_gpu_memory(layer_id: str, memory_kb: int) -> Call:
    """Set the GPU memory (KB) each frame of a layer reserves."""
    return _layer_call("SetMinGpuMemory", layer_id, gpu_memory=_kb(memory_kb, "min GPU memory"))


def set_layer_min_gpus(layer_id: str, gpus: int) -> Call:
    """Set the GPUs each frame of a layer books at least."""
    return _layer_call("SetMinGpus", layer_id, min_gpus=_whole(gpus, "min GPUs"))


def set_layer_max_gpus(layer_id: str, gpus: int) -> Call:
    """Set the GPUs a frame of a layer books at most."""
    return _layer_call("SetMaxGpus", layer_id, max_gpus=_whole(gpus, "max GPUs"))


def set_layer_tags(layer_id: str, tags: Sequence[str]) -> Call:
    """Replace a layer's tags (the hosts that may take its frames); never empty, never a blank tag."""
    cleaned = [str(t).strip() for t in tags]
    if not cleaned or any(not t for t in cleaned):
        raise RefusedRequest("a layer needs at least one tag, and no tag may be empty")
    return _layer_call("SetTags", layer_id, tags=cleaned)


def set_layer_threadable(layer_id: str, threadable: bool) -> Call:
    """Say whether a layer's frames may run on more than one core."""
    if not isinstance(threadable, bool):
        raise RefusedRequest(f"threadable must be on or off, got {threadable!r}")
    return _layer_call("SetThreadable", layer_id, threadable=threadable)


def set_layer_timeout(layer_id: str, minutes: int) -> Call:
    """Kill a layer's frames that run longer than this many minutes (0: never)."""
    return _layer_call("SetTimeout", layer_id, timeout=_whole(minutes, "timeout"))


def set_layer_timeout_llu(layer_id: str, minutes: int) -> Call:
    """Kill a layer's frames whose log has not changed for this many minutes (0: never)."""
    return _layer_call("SetTimeoutLLU", layer_id, timeout_llu=_whole(minutes, "timeout LLU"))


def mark_layer_done(layer_id: str) -> Call:
    """Mark a layer done: its frames count as finished and what depends on it may start."""
    return _layer_call("MarkdoneFrames", layer_id)


def retry_frame(frame_id: str) -> Call:
    """Re-queue one frame (a running one is killed first)."""
    return _call("/job.FrameInterface/Retry", frame=_ref(frame_id, "frame"))


def eat_frame(frame_id: str) -> Call:
    """Mark one frame EATEN."""
    return _call("/job.FrameInterface/Eat", frame=_ref(frame_id, "frame"))


def kill_frame(frame_id: str, reason: str, requester: Requester) -> Call:
    """Kill one running frame."""
    return _call("/job.FrameInterface/Kill", frame=_ref(frame_id, "frame"), **requester.kill_fields(reason))


# --- hosts and procs -------------------------------------------------------------------------------


def get_hosts(search: HostSearch) -> Call:
    """Hosts matching `search` (all hosts when empty)."""
    return _call("/host.HostInterface/GetHosts", r=search.to_json())


def get_host(host_id: str) -> Call:
    """One host by id."""
    return _call("/host.HostInterface/GetHost", id=_id(host_id, "host"))


def find_host(name: str) -> Call:
    """One host by exact name."""
    return _call("/host.HostInterface/FindHost", name=name)


def get_host_procs(host_id: str) -> Call:
    """The procs (running frames) of one host."""
    return _call("/host.HostInterface/GetProcs", host=_ref(host_id, "host"))


def get_procs(search: ProcSearch) -> Call:
    """Procs matching `search` across the farm."""
    return _call("/host.ProcInterface/GetProcs", r=search.to_json())


def lock_host(host_id: str) -> Call:
    """Lock a host: no new frames are booked on it."""
    return _call("/host.HostInterface/Lock", host=_ref(host_id, "host"))


def unlock_host(host_id: str) -> Call:
    """Unlock a host."""
    return _call("/host.HostInterface/Unlock", host=_ref(host_id, "host"))


def reboot_host(host_id: str) -> Call:
    """Reboot a host now (its running frames die)."""
    return _call("/host.HostInterface/Reboot", host=_ref(host_id, "host"))


def reboot_host_when_idle(host_id: str) -> Call:
    """Reboot a host once its frames have finished."""
    return _call("/host.HostInterface/RebootWhenIdle", host=_ref(host_id, "host"))


def get_host_comments(host_id: str) -> Call:
    """A host's comments."""
    return _call("/host.HostInterface/GetComments", host=_ref(host_id, "host"))


def add_host_comment(host_id: str, user: str, subject: str, message: str) -> Call:
    """Add a comment to a host."""
    return _call(
        "/host.HostInterface/AddComment", host=_ref(host_id, "host"), new_comment=_comment(user, subject, message)
    )


# --- frame order, procs and host settings (wrangler remedies) --------------------------------------

FRAME_ORDERS = schema.enum_names("job.Order")


def _frame_set(frame_range: str) -> str:
    """A frame set to send: never empty (Cuebot would act on nothing, or fail deep inside)."""
    text = "".join(str(frame_range or "").split())
    if not text:
        raise RefusedRequest("a frame range is required (e.g. 1-100, 1-100x3, 1,5,9)")
    return text


def _enum_value(value: str, enum: str, known: Sequence[str], what: str) -> str | None:
    """An enum name to send, or None for the enum's default (protojson leaves a default out; the
    gateway reads a missing field as it)."""
    (name,) = _names([value], known, what)
    return None if name == schema.enum_default(enum) else name


def _order(order: str) -> str | None:
    return _enum_value(order, "job.Order", FRAME_ORDERS, "frame order")


def _stagger(increment: int) -> int:
    if _int32(increment, "stagger increment") < 1:
        raise RefusedRequest("the stagger increment must be at least 1")
    return increment


def reorder_frames(job_id: str, frame_range: str, order: str) -> Call:
    """Move a job's frames in `frame_range` to the FIRST / LAST of its dispatch order, or REVERSE them."""
    return _call(
        "/job.JobInterface/ReorderFrames", job=_ref(job_id, "job"), range=_frame_set(frame_range), order=_order(order)
    )


def layer_reorder_frames(layer_id: str, frame_range: str, order: str) -> Call:
    """ReorderFrames on one layer's frames."""
    return _call(
        "/job.LayerInterface/ReorderFrames",
        layer=_ref(layer_id, "layer"),
        range=_frame_set(frame_range),
        order=_order(order),
    )


def stagger_frames(job_id: str, frame_range: str, increment: int) -> Call:
    """Stagger a job's frames in `frame_range`: every `increment`th frame first, then the gaps."""
    return _call(
        "/job.JobInterface/StaggerFrames",
        job=_ref(job_id, "job"),
        range=_frame_set(frame_range),
        stagger=_stagger(increment),
    )


def layer_stagger_frames(layer_id: str, frame_range: str, increment: int) -> Call:
    """StaggerFrames on one layer's frames."""
    return _call(
        "/job.LayerInterface/StaggerFrames",
        layer=_ref(layer_id, "layer"),
        range=_frame_set(frame_range),
        stagger=_stagger(increment),
    )


def mark_as_waiting(job_id: str, search: FrameSearch) -> Call:
    """Frames of a job matching `search` become WAITING without a retry counted (never empty criteria)."""
    return _call("/job.JobInterface/MarkAsWaiting", job=_ref(job_id, "job"), req=_non_empty(search, "MarkAsWaiting"))


def _proc(proc_id: str) -> dict[str, str]:
    return _message("host.Proc", id=_id(proc_id, "proc"))


def kill_proc(proc_id: str) -> Call:
    """Kill a proc: its frame is killed on the host (the request has no reason field)."""
    return _call("/host.ProcInterface/Kill", proc=_proc(proc_id))


def unbook_proc(proc_id: str, kill: bool) -> Call:
    """Unbook a proc: with `kill` its frame is killed now, else it finishes and the cores are freed after."""
    return _call("/host.ProcInterface/Unbook", proc=_proc(proc_id), kill=True if kill else None)


def _tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        name = str(tag).strip()
        if not name or any(c.isspace() for c in name):
            raise RefusedRequest(f"bad tag {str(tag)[:40]!r}: a tag is one word, not empty")
        if name not in out:
            out.append(name)
    if not out:
        raise RefusedRequest("no tags given")
    return out


def add_host_tags(host_id: str, tags: Iterable[str]) -> Call:
    """Add tags to a host."""
    return _call("/host.HostInterface/AddTags", host=_ref(host_id, "host"), tags=_tags(tags))


def remove_host_tags(host_id: str, tags: Iterable[str]) -> Call:
    """Remove tags from a host."""
    return _call("/host.HostInterface/RemoveTags", host=_ref(host_id, "host"), tags=_tags(tags))


def set_host_allocation(host_id: str, allocation_id: str) -> Call:
    """Move a host to another allocation (by the allocation's id)."""
    return _call(
        "/host.HostInterface/SetAllocation", host=_ref(host_id, "host"), allocation_id=_id(allocation_id, "allocation")
    )


def set_hardware_state(host_id: str, state: str) -> Call:
    """Set a host's hardware state (UP, REPAIR, ...): a host in REPAIR takes no frames."""
    name = _enum_value(state, "host.HardwareState", HARDWARE_STATES, "host state")
    return _call("/host.HostInterface/SetHardwareState", host=_ref(host_id, "host"), state=name)


def get_all_allocations() -> Call:
    """Every allocation of every facility."""
    return _call("/facility.AllocationInterface/GetAll")


# --- dependencies, subscriptions, allocations, limits, groups -----------------------------------------

_DEPEND_OWNERS = {"job": "JobInterface", "layer": "LayerInterface", "frame": "FrameInterface"}
DEPEND_TARGETS = schema.enum_names("depend.DependTarget")


def _depend_path(what: str, method: str) -> str:
    if what not in _DEPEND_OWNERS:
        raise RefusedRequest(f"dependencies belong to a job, layer or frame, not {what!r}")
    return f"/job.{_DEPEND_OWNERS[what]}/{method}"


def what_this_depends_on(what: str, entity_id: str) -> Call:
    """The dependencies a job, layer or frame ("job"/"layer"/"frame") waits on."""
    return _call(_depend_path(what, "GetWhatThisDependsOn"), **{what: _ref(entity_id, what)})


def what_depends_on_this(what: str, entity_id: str) -> Call:
    """The dependencies that wait on a job, layer or frame."""
    return _call(_depend_path(what, "GetWhatDependsOnThis"), **{what: _ref(entity_id, what)})


def drop_depends(what: str, entity_id: str, target: str) -> Call:
    """Satisfy every dependency of a job, layer or frame on `target`: INTERNAL (inside its job),
    EXTERNAL (on other jobs) or ANY_TARGET."""
    name = _names([target], DEPEND_TARGETS, "dependency target")[0]
    # INTERNAL is the enum's default: protojson leaves it out, and so do we (the gateway reads it so).
    value = None if name == DEPEND_TARGETS[0] else name
    return _call(_depend_path(what, "DropDepends"), **{what: _ref(entity_id, what)}, target=value)


def satisfy_depend(depend_id: str) -> Call:
    """Satisfy one dependency: the frames it held (and nothing else holds) become WAITING."""
    return _call("/depend.DependInterface/Satisfy", depend=_message("depend.Depend", id=_id(depend_id, "dependency")))


def get_show_subscriptions(show_id: str) -> Call:
    """A show's subscriptions to allocations."""
    return _call("/show.ShowInterface/GetSubscriptions", show=_ref(show_id, "show"))


def _subscription(subscription_id: str) -> dict[str, Any]:
    return _message("subscription.Subscription", id=_id(subscription_id, "subscription"))


def set_subscription_size(subscription_id: str, size: int) -> Call:
    """The cores a show is guaranteed in an allocation, in Cuebot's core units (hundredths of a core)."""
    size = _int32(size, "size")
    if size < 0:
        raise RefusedRequest("a subscription size cannot be negative")
    return _call(
        "/subscription.SubscriptionInterface/SetSize", subscription=_subscription(subscription_id), new_size=size
    )


def set_subscription_burst(subscription_id: str, burst: int) -> Call:
    """The most cores a show may hold in an allocation, in core units (hundredths of a core)."""
    burst = _int32(burst, "burst")
    if burst < 0:
        raise RefusedRequest("a subscription burst cannot be negative")
    return _call(
        "/subscription.SubscriptionInterface/SetBurst", subscription=_subscription(subscription_id), burst=burst
    )


def get_allocations() -> Call:
    """Every allocation of every facility."""
    return _call("/facility.AllocationInterface/GetAll")


def get_allocation_hosts(allocation_id: str) -> Call:
    """The hosts of an allocation."""
    return _call(
        "/facility.AllocationInterface/GetHosts",
        allocation=_message("facility.Allocation", id=_id(allocation_id, "allocation")),
    )


def get_limits() -> Call:
    """Every limit."""
    return _call("/limit.LimitInterface/GetAll")


def get_show_groups(show_id: str) -> Call:
    """Every group of a show (the root group first)."""
    return _call("/show.ShowInterface/GetGroups", show=_ref(show_id, "show"))
