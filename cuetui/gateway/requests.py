"""Every request cuetui sends, built by typed functions: (path, body) pairs, nothing sent here.

The gateway silently drops any field it does not know (protocol §1.5), so a misspelt filter is not an
error but "no filter" — and RetryFrames with no filter re-queues a whole job. Bodies are therefore
only ever built here, from typed criteria, and each builder is checked against OpenCue's published
schema by the test suite. Builders refuse (RefusedRequest) what would do something the user did not
mean: an empty RetryFrames/EatFrames criteria, a kill without a reason, an unknown frame state.
"""

from __future__ import annotations

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
        body: dict[str, Any] = {}
        for key in ("ids", "jobs", "regex", "substr", "users", "shots", "shows"):
            values = _strings(getattr(self, key))
            if values:
                body[key] = values
        if self.include_finished:
            body["includeFinished"] = True
        return body


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
        body: dict[str, Any] = {}
        for key in ("ids", "frames", "layers"):
            values = _strings(getattr(self, key))
            if values:
                body[key] = values
        states = _names(self.states, FRAME_STATES, "frame state")
        if states:
            body["states"] = {"frameStates": states}
        if self.frame_range.strip():
            body["frameRange"] = self.frame_range.strip()
        if self.memory_range.strip():
            body["memoryRange"] = self.memory_range.strip()
        if self.duration_range.strip():
            body["durationRange"] = self.duration_range.strip()
        if self.change_date:
            body["changeDate"] = _int32(self.change_date, "changeDate")
        return body

    def is_empty(self) -> bool:
        """True when the criteria would match every frame of a job."""
        return not self.filter_json()

    def page_json(self, page: int, limit: int) -> dict[str, Any]:
        """The criteria with a page (1-based) and a page size; Cuebot returns nothing without a limit."""
        if _int32(limit, "limit") <= 0:
            raise RefusedRequest("a frame page needs a limit above 0")
        return {**self.filter_json(), "page": max(1, _int32(page, "page")), "limit": limit}


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
        body: dict[str, Any] = {}
        for key in ("hosts", "regex", "substr", "ids", "allocs"):
            values = _strings(getattr(self, key))
            if values:
                body[key] = values
        states = _names(self.states, HARDWARE_STATES, "host state")
        if states:
            body["states"] = {"state": states}
        locks = _names(self.lock_states, LOCK_STATES, "lock state")
        if locks:
            body["lockStates"] = {"state": locks}
        return body


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
        body: dict[str, Any] = {}
        for key in ("hosts", "jobs", "layers", "shows", "allocs"):
            values = _strings(getattr(self, key))
            if values:
                body[key] = values
        if self.max_results:
            body["maxResults"] = [_int32(self.max_results, "maxResults")]
        return body


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
        """username, pid (a string in the schema), hostKill and a non-empty reason."""
        reason = (reason or "").strip()
        if not reason:
            raise RefusedRequest("a kill needs a reason (Cuebot ignores a kill without one)")
        return {"username": self.username, "pid": str(self.pid), "hostKill": self.host, "reason": reason}


def _ref(entity_id: str, what: str) -> dict[str, str]:
    return {"id": _id(entity_id, what)}


# --- shows -----------------------------------------------------------------------------------------


def get_shows() -> Call:
    """All shows, active or not."""
    return Call("/show.ShowInterface/GetShows", {})


def get_active_shows() -> Call:
    """Only active shows."""
    return Call("/show.ShowInterface/GetActiveShows", {})


def find_show(name: str) -> Call:
    """A show by exact name (404 when unknown)."""
    return Call("/show.ShowInterface/FindShow", {"name": name})


def show_get_jobs(show_id: str) -> Call:
    """Pending jobs of one show, by show id."""
    return Call("/show.ShowInterface/GetJobs", {"show": _ref(show_id, "show")})


# --- jobs ------------------------------------------------------------------------------------------


def get_jobs(search: JobSearch) -> Call:
    """Jobs matching `search` (pending only unless include_finished)."""
    return Call("/job.JobInterface/GetJobs", {"r": search.to_json()})


def get_job(job_id: str) -> Call:
    """One job by id, finished or not."""
    return Call("/job.JobInterface/GetJob", {"id": _id(job_id, "job")})


def find_job(name: str) -> Call:
    """A pending job by exact name."""
    return Call("/job.JobInterface/FindJob", {"name": name})


def get_layers(job_id: str) -> Call:
    """The layers of a job, in dispatch order."""
    return Call("/job.JobInterface/GetLayers", {"job": _ref(job_id, "job")})


def get_frames(job_id: str, search: FrameSearch, page: int, limit: int) -> Call:
    """One page of a job's frames (the job by id: works for finished jobs)."""
    return Call("/job.JobInterface/GetFrames", {"job": _ref(job_id, "job"), "req": search.page_json(page, limit)})


def get_updated_frames(job_id: str, last_check: int, layer_ids: Sequence[str] = ()) -> Call:
    """Frames changed since `last_check` (epoch s, at most 60 s behind Cuebot, else it hangs)."""
    if _int32(last_check, "lastCheck") <= 0:
        raise RefusedRequest("GetUpdatedFrames needs a lastCheck time (without one Cuebot never answers)")
    body: dict[str, Any] = {"job": _ref(job_id, "job"), "lastCheck": last_check}
    if layer_ids:
        body["layerFilter"] = {"layers": [_ref(layer_id, "layer") for layer_id in layer_ids]}
    return Call("/job.JobInterface/GetUpdatedFrames", body)


def pause_job(job_id: str) -> Call:
    """Stop dispatching new frames of a job."""
    return Call("/job.JobInterface/Pause", {"job": _ref(job_id, "job")})


def resume_job(job_id: str) -> Call:
    """Dispatch a paused job again."""
    return Call("/job.JobInterface/Resume", {"job": _ref(job_id, "job")})


def kill_job(job_id: str, reason: str, requester: Requester) -> Call:
    """Kill a job; Cuebot needs the reason, and logs who asked."""
    return Call("/job.JobInterface/Kill", {"job": _ref(job_id, "job"), **requester.kill_fields(reason)})


def set_priority(job_id: str, priority: int) -> Call:
    """Set a job's priority; the field is `val` (a `priority` field would be dropped and set 0)."""
    return Call("/job.JobInterface/SetPriority", {"job": _ref(job_id, "job"), "val": _int32(priority, "priority")})


def _cores(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise RefusedRequest(f"cores must be a number of at least 0, got {value!r}")
    return float(value)


def set_min_cores(job_id: str, cores: float) -> Call:
    """Set a job's minimum cores."""
    return Call("/job.JobInterface/SetMinCores", {"job": _ref(job_id, "job"), "val": _cores(cores)})


def set_max_cores(job_id: str, cores: float) -> Call:
    """Set a job's maximum cores."""
    return Call("/job.JobInterface/SetMaxCores", {"job": _ref(job_id, "job"), "val": _cores(cores)})


def _non_empty(search: FrameSearch, action: str) -> dict[str, Any]:
    criteria = search.filter_json()
    if not criteria:
        raise RefusedRequest(f"{action} with no criteria would act on every frame of the job; refused")
    return criteria


def retry_frames(job_id: str, search: FrameSearch) -> Call:
    """Re-queue every frame of a job matching `search` (never an empty criteria)."""
    return Call("/job.JobInterface/RetryFrames", {"job": _ref(job_id, "job"), "req": _non_empty(search, "RetryFrames")})


def eat_frames(job_id: str, search: FrameSearch) -> Call:
    """Mark every frame of a job matching `search` EATEN (never an empty criteria)."""
    return Call("/job.JobInterface/EatFrames", {"job": _ref(job_id, "job"), "req": _non_empty(search, "EatFrames")})


def kill_frames(job_id: str, search: FrameSearch, reason: str, requester: Requester) -> Call:
    """Kill the running frames of a job matching `search` (Cuebot ignores its states part)."""
    body = {"job": _ref(job_id, "job"), "req": _non_empty(search, "KillFrames"), **requester.kill_fields(reason)}
    return Call("/job.JobInterface/KillFrames", body)


def get_job_comments(job_id: str) -> Call:
    """A job's comments, oldest first."""
    return Call("/job.JobInterface/GetComments", {"job": _ref(job_id, "job")})


def add_job_comment(job_id: str, user: str, subject: str, message: str) -> Call:
    """Add a comment to a job."""
    comment = {"user": user, "subject": subject, "message": message}
    return Call("/job.JobInterface/AddComment", {"job": _ref(job_id, "job"), "newComment": comment})


# --- frames and layers ------------------------------------------------------------------------------


def get_frame(frame_id: str) -> Call:
    """One frame by id."""
    return Call("/job.FrameInterface/GetFrame", {"id": _id(frame_id, "frame")})


def find_frame(job_name: str, layer: str, number: int) -> Call:
    """One frame of a pending job by job name, layer name and frame number."""
    return Call("/job.FrameInterface/FindFrame", {"job": job_name, "layer": layer, "frame": _int32(number, "frame")})


def layer_get_frames(layer_id: str, search: FrameSearch, page: int, limit: int) -> Call:
    """One page of a layer's frames."""
    return Call("/job.LayerInterface/GetFrames", {"layer": _ref(layer_id, "layer"), "s": search.page_json(page, limit)})


def retry_frame(frame_id: str) -> Call:
    """Re-queue one frame (a running one is killed first)."""
    return Call("/job.FrameInterface/Retry", {"frame": _ref(frame_id, "frame")})


def eat_frame(frame_id: str) -> Call:
    """Mark one frame EATEN."""
    return Call("/job.FrameInterface/Eat", {"frame": _ref(frame_id, "frame")})


def kill_frame(frame_id: str, reason: str, requester: Requester) -> Call:
    """Kill one running frame."""
    return Call("/job.FrameInterface/Kill", {"frame": _ref(frame_id, "frame"), **requester.kill_fields(reason)})


# --- hosts and procs -------------------------------------------------------------------------------


def get_hosts(search: HostSearch) -> Call:
    """Hosts matching `search` (all hosts when empty)."""
    return Call("/host.HostInterface/GetHosts", {"r": search.to_json()})


def get_host(host_id: str) -> Call:
    """One host by id."""
    return Call("/host.HostInterface/GetHost", {"id": _id(host_id, "host")})


def find_host(name: str) -> Call:
    """One host by exact name."""
    return Call("/host.HostInterface/FindHost", {"name": name})


def get_host_procs(host_id: str) -> Call:
    """The procs (running frames) of one host."""
    return Call("/host.HostInterface/GetProcs", {"host": _ref(host_id, "host")})


def get_procs(search: ProcSearch) -> Call:
    """Procs matching `search` across the farm."""
    return Call("/host.ProcInterface/GetProcs", {"r": search.to_json()})


def lock_host(host_id: str) -> Call:
    """Lock a host: no new frames are booked on it."""
    return Call("/host.HostInterface/Lock", {"host": _ref(host_id, "host")})


def unlock_host(host_id: str) -> Call:
    """Unlock a host."""
    return Call("/host.HostInterface/Unlock", {"host": _ref(host_id, "host")})


def reboot_host(host_id: str) -> Call:
    """Reboot a host now (its running frames die)."""
    return Call("/host.HostInterface/Reboot", {"host": _ref(host_id, "host")})


def reboot_host_when_idle(host_id: str) -> Call:
    """Reboot a host once its frames have finished."""
    return Call("/host.HostInterface/RebootWhenIdle", {"host": _ref(host_id, "host")})


def get_host_comments(host_id: str) -> Call:
    """A host's comments."""
    return Call("/host.HostInterface/GetComments", {"host": _ref(host_id, "host")})


def add_host_comment(host_id: str, user: str, subject: str, message: str) -> Call:
    """Add a comment to a host."""
    comment = {"user": user, "subject": subject, "message": message}
    return Call("/host.HostInterface/AddComment", {"host": _ref(host_id, "host"), "newComment": comment})
