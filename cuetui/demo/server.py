"""The simulated farm behind an OpenCue-REST-Gateway-compatible HTTP server (aiohttp).

Request pipeline, in the real gateway's order (protocol §1.2): faults (a misbehaving proxy in front),
JWT (401 text), routing (404 / 501 JSON), body decoding (400 JSON, code 3), the Cuebot handler (200, or
404/500 as Cuebot chooses). ``Grpc-Timeout`` bounds the handler (504, code 4).

In-process use (tests)::

    from cuetui.demo.server import DemoGatewayThread
    with DemoGatewayThread(profile="small", seed=7, speed=0.0, secret="s", log_root=tmp_path) as gw:
        gw.url                      # "http://127.0.0.1:PORT"
        gw.run(lambda farm: farm.find_job(name).is_paused)   # on the server thread
        gw.recorded                 # [(method, path, headers, body, status)] when record=True
        gw.secret, gw.port          # the JWT secret (HS256/384/512) and the port
    # other kwargs: faults=("latency=0.2,error-rate=0.1",), scenario=path, loki=True, epoch=1767225600.0,
    # grpc_port=0 (also the Cuebot gRPC face, cuetui.demo.cuebot; then gw.cuebot_endpoint is "127.0.0.1:PORT")

Pytest fixtures (tests/conftest.py): ``demo_gateway`` (small, seed 7, speed 0, record=True, logs under
tmp_path), ``make_gateway(**kwargs)`` (same kwargs; all stopped at teardown), ``gateway_token`` (HS256
token for the fixtures' secret). The farm query API is documented in `cuetui.demo.farm`.

Frame logs are files (`cuetui.demo.logs`): ``<job.logDir>/<job.name>.<frame.name>.rqlog``, older
attempts ``.rqlog.1``, ``.rqlog.2``...; the gateway itself never serves logs, as on a real farm.

Loki (``loki=True``; no JWT, no faults), for a TUI that reads logs from Loki:

* ``GET /loki/api/v1/query_range?query={frame_id="<id>"}&start=<ns>&end=<ns>&limit=N&direction=backward``
  → ``{"status":"success","data":{"resultType":"streams","result":[{"stream":{"frame_id":…,
  "session_start_time":"<epoch s>","job_name":…,"frame_name":…,"host":…,"username":…},
  "values":[["<ns>","<line>"],…]}, …],"stats":{}}}`` — one stream per attempt; ``limit`` (default 100)
  counts lines over all streams, taken from the end for ``backward`` (the default), from the start for
  ``forward``; values are ordered by the direction.
* ``GET /loki/api/v1/label/session_start_time/values?query={frame_id="<id>"}``
  → ``{"status":"success","data":["<epoch s>",…]}``, one value per attempt, oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import socket
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO

from aiohttp import web

from cuetui.demo import actions, guard, queries
from cuetui.demo.farm import FINISHED, PENDING, Farm, FarmClock, Host, Job
from cuetui.demo.jwtcheck import TokenError, validate
from cuetui.demo.registry import (
    HANDLERS,
    GatewayError,
    internal,
    not_found,
    rpc,
)
from cuetui.demo.schema import DecodeError, decode_request
from cuetui.demo.serialize import (
    comment_json,
    frame_json,
    host_json,
    job_json,
    layer_json,
    proc_json,
    show_json,
    updated_frame_json,
)
from cuetui.demo.wire import dumps, error_body
from cuetui.schema import RPCS

# Every method of every service the gateway registers (protocol §1.1), from the schema table: POST to
# one of these is routed, another HTTP method gets 501, any other path 404.
REGISTERED: dict[str, str] = {}
for _path in RPCS:
    _service, _method = _path[1:].split("/")
    REGISTERED[_service] = f"{REGISTERED.get(_service, '')} {_method}".strip()
REGISTERED_PATHS = frozenset(RPCS)


def _job_by_id(gw: Gateway, req: dict[str, Any], field: str = "job", missing: GatewayError | None = None) -> Job:
    job_id = (req.get(field) or {}).get("id", "")
    job = gw.farm.jobs_by_id.get(job_id)
    if job is None:
        raise missing or not_found("Job not found")
    return job


def _host_by_id(gw: Gateway, req: dict[str, Any]) -> Host:
    host = gw.farm.hosts_by_id.get((req.get("host") or {}).get("id", ""))
    if host is None:
        raise internal()
    return host


def _now(gw: Gateway) -> int:
    return int(gw.farm.now())


def _frames_response(gw: Gateway, job: Job, indices: list[int]) -> dict[str, Any]:
    farm, now = gw.farm, _now(gw)
    for i in indices:
        farm.logs.materialize(job, i)
    return {"frames": {"frames": [frame_json(farm, job, i, now) for i in indices]}}


@rpc("/show.ShowInterface/GetShows", "show.ShowGetShowsRequest")
def _get_shows(gw: Gateway, req: dict[str, Any]) -> Any:
    return {"shows": {"shows": [show_json(gw.farm, s) for s in gw.farm.shows]}}


@rpc("/show.ShowInterface/GetActiveShows", "show.ShowGetActiveShowsRequest")
def _get_active_shows(gw: Gateway, req: dict[str, Any]) -> Any:
    return {"shows": {"shows": [show_json(gw.farm, s) for s in gw.farm.shows if s.active]}}


@rpc("/show.ShowInterface/FindShow", "show.ShowFindShowRequest")
def _find_show(gw: Gateway, req: dict[str, Any]) -> Any:
    for show in gw.farm.shows:
        if show.name == req.get("name", ""):
            return {"show": show_json(gw.farm, show)}
    raise not_found()


@rpc("/show.ShowInterface/GetJobs", "show.ShowGetJobsRequest")
def _show_get_jobs(gw: Gateway, req: dict[str, Any]) -> Any:
    show_id = (req.get("show") or {}).get("id", "")
    if not any(s.id == show_id for s in gw.farm.shows):
        raise internal()
    return {"jobs": {"jobs": [job_json(j) for j in queries.search_jobs(gw.farm, {}, show_id=show_id)]}}


@rpc("/job.JobInterface/GetJobs", "job.JobGetJobsRequest")
def _get_jobs(gw: Gateway, req: dict[str, Any]) -> Any:
    return {"jobs": {"jobs": [job_json(j) for j in queries.search_jobs(gw.farm, req.get("r") or {})]}}


@rpc("/job.JobInterface/GetJob", "job.JobGetJobRequest")
def _get_job(gw: Gateway, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_id.get(req.get("id", ""))
    if job is None:
        raise not_found()
    return {"job": job_json(job)}


@rpc("/job.JobInterface/FindJob", "job.JobFindJobRequest")
def _find_job(gw: Gateway, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_name.get(req.get("name", "").lower())
    if job is None or job.state != PENDING:
        raise not_found()
    return {"job": job_json(job)}


@rpc("/job.JobInterface/GetCurrent", "job.JobGetCurrentRequest")
def _get_current(gw: Gateway, req: dict[str, Any]) -> Any:
    return {"job": job_json(_job_by_id(gw, req))}


@rpc("/job.JobInterface/GetLayers", "job.JobGetLayersRequest")
def _get_layers(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    layers = sorted(job.layers, key=lambda layer: layer.dispatch_order)
    return {"layers": {"layers": [layer_json(job, layer) for layer in layers]}}


@rpc("/job.JobInterface/GetFrames", "job.JobGetFramesRequest")
def _get_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    return _frames_response(gw, job, queries.frame_page(gw.farm, job, req.get("req") or {}))


@rpc("/job.FrameInterface/GetFrames", "job.FrameGetFramesRequest")
def _frame_get_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_name.get(req.get("job", ""))
    if job is None or job.state != PENDING:
        raise internal()
    return _frames_response(gw, job, queries.frame_page(gw.farm, job, req.get("r") or {}))


@rpc("/job.LayerInterface/GetFrames", "job.LayerGetFramesRequest")
def _layer_get_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    hit = gw.farm.layers_by_id.get((req.get("layer") or {}).get("id", ""))
    if hit is None:
        raise internal()
    job, layer = hit
    criteria = dict(req.get("s") or {})
    criteria["layers"] = [layer.name]
    return _frames_response(gw, job, queries.frame_page(gw.farm, job, criteria))


@rpc("/job.JobInterface/GetUpdatedFrames", "job.JobGetUpdatedFramesRequest")
async def _get_updated_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    farm = gw.farm
    now = farm.now()
    last_check = req.get("last_check", 0)
    if last_check == 0 or now - last_check > 60:
        # Cuebot throws, swallows the exception and never answers (protocol §3.6).
        await gw.hang()
    layer_ids = {layer.get("id", "") for layer in (req.get("layer_filter") or {}).get("layers") or []}
    layer_set = {layer.index for layer in job.layers if layer.id in layer_ids} if layer_ids else None
    updated = job.f_updated
    out = []
    for i in range(job.total):
        if updated[i] >= last_check and (layer_set is None or job.f_layer[i] in layer_set):
            out.append(i)
            if len(out) >= 100:
                break
    now_int = int(now)
    for i in out:
        farm.logs.materialize(job, i)
    return {
        "state": "FINISHED" if job.state == FINISHED else "PENDING",
        "serverTime": now_int - 1,
        "updatedFrames": {"updatedFrames": [updated_frame_json(farm, job, i, now_int) for i in out]},
    }


@rpc("/job.JobInterface/Pause", "job.JobPauseRequest")
def _pause(gw: Gateway, req: dict[str, Any]) -> Any:
    _job_by_id(gw, req).is_paused = True
    return {}


@rpc("/job.JobInterface/Resume", "job.JobResumeRequest")
def _resume(gw: Gateway, req: dict[str, Any]) -> Any:
    _job_by_id(gw, req).is_paused = False
    return {}


@rpc("/job.JobInterface/Kill", "job.JobKillRequest")
def _kill(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    if req.get("reason"):
        actions.kill_job(gw.farm, job, req["reason"])
    # else: Cuebot logs "Invalid Job Kill Request" and answers {} anyway.
    return {}


@rpc("/job.JobInterface/SetPriority", "job.JobSetPriorityRequest")
def _set_priority(gw: Gateway, req: dict[str, Any]) -> Any:
    _job_by_id(gw, req).priority = req.get("val", 0)
    return {}


@rpc("/job.JobInterface/SetMinCores", "job.JobSetMinCoresRequest")
def _set_min_cores(gw: Gateway, req: dict[str, Any]) -> Any:
    _job_by_id(gw, req).min_cores = float(int(req.get("val", 0.0)))
    return {}


@rpc("/job.JobInterface/SetMaxCores", "job.JobSetMaxCoresRequest")
def _set_max_cores(gw: Gateway, req: dict[str, Any]) -> Any:
    _job_by_id(gw, req).max_cores = float(int(req.get("val", 0.0)))
    return {}


@rpc("/job.JobInterface/RetryFrames", "job.JobRetryFramesRequest")
def _retry_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    actions.retry_frames(gw.farm, job, list(queries.matching_frames(gw.farm, job, req.get("req") or {})))
    return {}


@rpc("/job.JobInterface/EatFrames", "job.JobEatFramesRequest")
def _eat_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    actions.eat_frames(gw.farm, job, list(queries.matching_frames(gw.farm, job, req.get("req") or {})))
    return {}


@rpc("/job.JobInterface/KillFrames", "job.JobKillFramesRequest")
def _kill_frames(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    frames = list(queries.matching_frames(gw.farm, job, req.get("req") or {}, use_states=False))
    actions.kill_frames(gw.farm, job, frames, req.get("reason", ""))
    return {}


@rpc("/job.JobInterface/GetComments", "job.JobGetCommentsRequest")
def _job_comments(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    return {"comments": {"comments": [comment_json(c) for c in job.comments]}}


@rpc("/job.JobInterface/AddComment", "job.JobAddCommentRequest")
def _job_add_comment(gw: Gateway, req: dict[str, Any]) -> Any:
    job = _job_by_id(gw, req)
    new = req.get("new_comment") or {}
    job.comments.append(gw.farm.new_comment(new.get("user", ""), new.get("subject", ""), new.get("message", "")))
    return {}


def _frame_by_id(gw: Gateway, frame_id: str, missing: GatewayError) -> tuple[Job, int]:
    hit = gw.farm.find_frame(frame_id)
    if hit is None:
        raise missing
    return hit


@rpc("/job.FrameInterface/GetFrame", "job.FrameGetFrameRequest")
def _get_frame(gw: Gateway, req: dict[str, Any]) -> Any:
    job, i = _frame_by_id(gw, req.get("id", ""), not_found())
    gw.farm.logs.materialize(job, i)
    return {"frame": frame_json(gw.farm, job, i, _now(gw))}


@rpc("/job.FrameInterface/FindFrame", "job.FrameFindFrameRequest")
def _find_frame(gw: Gateway, req: dict[str, Any]) -> Any:
    job = gw.farm.jobs_by_name.get(req.get("job", ""))
    if job is not None:
        for layer in job.layers:
            if layer.name != req.get("layer", ""):
                continue
            for i in range(layer.offset, layer.offset + layer.count):
                if job.f_number[i] == req.get("frame", 0):
                    gw.farm.logs.materialize(job, i)
                    return {"frame": frame_json(gw.farm, job, i, _now(gw))}
    raise not_found()


@rpc("/job.FrameInterface/Retry", "job.FrameRetryRequest")
def _frame_retry(gw: Gateway, req: dict[str, Any]) -> Any:
    job, i = _frame_by_id(gw, (req.get("frame") or {}).get("id", ""), internal())
    actions.retry_frame(gw.farm, job, i)
    return {}


@rpc("/job.FrameInterface/Eat", "job.FrameEatRequest")
def _frame_eat(gw: Gateway, req: dict[str, Any]) -> Any:
    job, i = _frame_by_id(gw, (req.get("frame") or {}).get("id", ""), internal())
    actions.eat_frames(gw.farm, job, [i])
    return {}


@rpc("/job.FrameInterface/Kill", "job.FrameKillRequest")
def _frame_kill(gw: Gateway, req: dict[str, Any]) -> Any:
    job, i = _frame_by_id(gw, (req.get("frame") or {}).get("id", ""), internal())
    actions.kill_frames(gw.farm, job, [i], req.get("reason", ""))
    return {}


@rpc("/host.HostInterface/GetHosts", "host.HostGetHostsRequest")
def _get_hosts(gw: Gateway, req: dict[str, Any]) -> Any:
    return {"hosts": {"hosts": [host_json(h) for h in queries.search_hosts(gw.farm, req.get("r") or {})]}}


@rpc("/host.HostInterface/GetHost", "host.HostGetHostRequest")
def _get_host(gw: Gateway, req: dict[str, Any]) -> Any:
    host = gw.farm.hosts_by_id.get(req.get("id", ""))
    if host is None:
        raise not_found()
    return {"host": host_json(host)}


@rpc("/host.HostInterface/FindHost", "host.HostFindHostRequest")
def _find_host(gw: Gateway, req: dict[str, Any]) -> Any:
    host = gw.farm.hosts_by_name.get(req.get("name", ""))
    if host is None:
        raise not_found()
    return {"host": host_json(host)}


def _procs_response(gw: Gateway, procs: list[Any]) -> Any:
    now = _now(gw)
    for proc in procs:
        gw.farm.logs.materialize(proc.job, proc.frame)
    return {"procs": {"procs": [proc_json(p, now) for p in procs]}}


@rpc("/host.HostInterface/GetProcs", "host.HostGetProcsRequest")
def _host_procs(gw: Gateway, req: dict[str, Any]) -> Any:
    host = _host_by_id(gw, req)
    return _procs_response(gw, list(host.procs.values()))


@rpc("/host.ProcInterface/GetProcs", "host.ProcGetProcsRequest")
def _proc_get_procs(gw: Gateway, req: dict[str, Any]) -> Any:
    return _procs_response(gw, queries.search_procs(gw.farm, req.get("r") or {}))


@rpc("/host.HostInterface/Lock", "host.HostLockRequest")
def _lock(gw: Gateway, req: dict[str, Any]) -> Any:
    actions.lock_host(_host_by_id(gw, req), True)
    return {}


@rpc("/host.HostInterface/Unlock", "host.HostUnlockRequest")
def _unlock(gw: Gateway, req: dict[str, Any]) -> Any:
    actions.lock_host(_host_by_id(gw, req), False)
    return {}


@rpc("/host.HostInterface/Reboot", "host.HostRebootRequest")
def _reboot(gw: Gateway, req: dict[str, Any]) -> Any:
    actions.reboot_host(gw.farm, _host_by_id(gw, req))
    return {}


@rpc("/host.HostInterface/RebootWhenIdle", "host.HostRebootWhenIdleRequest")
def _reboot_when_idle(gw: Gateway, req: dict[str, Any]) -> Any:
    actions.reboot_when_idle(gw.farm, _host_by_id(gw, req))
    return {}


@rpc("/host.HostInterface/GetComments", "host.HostGetCommentsRequest")
def _host_comments(gw: Gateway, req: dict[str, Any]) -> Any:
    host = _host_by_id(gw, req)
    return {"comments": {"comments": [comment_json(c) for c in host.comments]}}


@rpc("/host.HostInterface/AddComment", "host.HostAddCommentRequest")
def _host_add_comment(gw: Gateway, req: dict[str, Any]) -> Any:
    host = _host_by_id(gw, req)
    new = req.get("new_comment") or {}
    host.comments.append(gw.farm.new_comment(new.get("user", ""), new.get("subject", ""), new.get("message", "")))
    return {}


def _comment_owner(gw: Gateway, comment_id: str) -> tuple[list[Any], int]:
    owners: list[Job | Host] = [*gw.farm.jobs, *gw.farm.hosts]
    for owner in owners:
        for k, comment in enumerate(owner.comments):
            if comment.id == comment_id:
                return owner.comments, k
    raise internal()


@rpc("/comment.CommentInterface/Save", "comment.CommentSaveRequest")
def _comment_save(gw: Gateway, req: dict[str, Any]) -> Any:
    given = req.get("comment") or {}
    comments, k = _comment_owner(gw, given.get("id", ""))
    comment = comments[k]
    comment.subject = given.get("subject", "")
    comment.message = given.get("message", "")
    comment.user = given.get("user", comment.user)
    return {}


@rpc("/comment.CommentInterface/Delete", "comment.CommentDeleteRequest")
def _comment_delete(gw: Gateway, req: dict[str, Any]) -> Any:
    comments, k = _comment_owner(gw, (req.get("comment") or {}).get("id", ""))
    del comments[k]
    return {}


@rpc("/cue.CueInterface/GetSystemStats", "cue.CueGetSystemStatsRequest")
def _system_stats(gw: Gateway, req: dict[str, Any]) -> Any:
    # Served on the gRPC face only (the gateway registers no cue.CueInterface): PyCue calls it first to
    # check the connection. Cuebot's thread-pool counters: the simulator has no pools, only booked procs.
    # Only the gRPC face sees this answer, and unset fields are zero there.
    return {"stats": {"bookedProcs": str(sum(len(h.procs) for h in gw.farm.hosts))}}


# The handlers by area, each registering itself on import (imported for that alone).
from cuetui.demo import (  # noqa: E402, F401
    rpc_departments,
    rpc_facility,
    rpc_farm,
    rpc_filters,
    rpc_groups,
    rpc_hosts,
    rpc_jobs,
    rpc_layers,
    rpc_limits,
    rpc_owners,
    rpc_remedies,
    rpc_services,
    rpc_settings,
    rpc_shows,
)


# --- faults -----------------------------------------------------------------------------------------
@dataclass
class Faults:
    """What the misbehaving network in front of the gateway does (``--fault``)."""

    latency: float = 0.0
    error_rate: float = 0.0
    html: float = 0.0
    truncate: float = 0.0
    drop: float = 0.0
    down: tuple[float, float] | None = None
    skew: float = 0.0
    cuebot_down: tuple[float, float] | None = None

    def cuebot_is_down(self, uptime: float) -> bool:
        """True when `cuebot-down=A-B` covers `uptime` seconds (the gateway up, Cuebot not)."""
        window = self.cuebot_down
        return window is not None and window[0] <= uptime < window[1]

    @classmethod
    def parse(cls, specs: tuple[str, ...] | list[str]) -> Faults:
        """Parse ``latency=0.5,error-rate=0.1`` items (repeatable); ValueError on a bad item."""
        faults = cls()
        for spec in specs:
            for item in spec.split(","):
                item = item.strip()
                if not item:
                    continue
                key, sep, value = item.partition("=")
                if not sep:
                    raise ValueError(f"fault {item!r}: expected KEY=VALUE")
                key = key.strip().replace("_", "-")
                if key in ("down", "cuebot-down"):
                    a, _, b = value.partition("-")
                    setattr(faults, key.replace("-", "_"), (float(a), float(b)))
                elif key in ("latency", "skew"):
                    setattr(faults, key, float(value))
                elif key in ("error-rate", "html", "truncate", "drop"):
                    p = float(value)
                    if not 0 <= p <= 1:
                        raise ValueError(f"fault {key}: probability must be within 0..1")
                    setattr(faults, key.replace("-", "_"), p)
                else:
                    raise ValueError(f"unknown fault {key!r}")
        return faults


# What the real gateway answers when it cannot dial Cuebot (measured: CUEBOT_ENDPOINT on a closed port).
CUEBOT_DOWN_BODY = error_body(
    14,
    'connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:8443: connect: connection refused"',
)

_PROXY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    "</center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"
)

_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def parse_grpc_timeout(value: str) -> float:
    """`10S` → 10.0; ValueError for anything grpc-gateway would refuse."""
    m = re.fullmatch(r"(\d{1,8})([HMSmun])", value.strip())
    if not m:
        raise ValueError(value)
    return int(m.group(1)) * _TIMEOUT_UNITS[m.group(2)]


def _text_401(message: str) -> web.Response:
    return web.Response(
        status=401,
        body=(message + "\n").encode(),
        headers={"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"},
    )


# Go's net/http buffers 2048 bytes of an answer: one that fits is sent with Content-Length, a longer one
# (grpc-gateway sets no length) goes out chunked, on HTTP/1.1 (the real gateway measured).
GO_BUFFER = 2048


def _go_framing(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Chunked transfer encoding for an answer longer than Go's buffer, as the real gateway sends it."""
    if (
        isinstance(response, web.Response)
        and isinstance(response.body, bytes)
        and len(response.body) > GO_BUFFER
        and request.version >= (1, 1)
    ):
        response.enable_chunked_encoding()
    return response


def _json(status: int, body: bytes) -> web.Response:
    return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})


# What the gateway copies from Cuebot's gRPC metadata onto answers that reached Cuebot (protocol §1.1).
_CUEBOT_HEADERS = {
    "Content-Type": "application/json",
    "Grpc-Metadata-Content-Type": "application/grpc",
    "Grpc-Metadata-Grpc-Accept-Encoding": "gzip",
}


def _cuebot_json(status: int, body: bytes) -> web.Response:
    return web.Response(status=status, body=body, headers=_CUEBOT_HEADERS)


_LOKI_QUERY = re.compile(r'^\s*\{\s*frame_id\s*=\s*"([^"]*)"\s*\}\s*$')


@dataclass(frozen=True)
class Answer:
    """One RPC's answer: HTTP status and JSON body (a google.rpc.Status body when not 200)."""

    status: int
    body: bytes
    reached_cuebot: bool = False


class Gateway:
    """The aiohttp application over one farm."""

    def __init__(
        self,
        farm: Farm,
        secret: str,
        faults: Faults | None = None,
        loki: bool = False,
        record: bool = False,
        request_log: TextIO | None = None,
    ) -> None:
        self.farm = farm
        self.secret = secret.encode()
        self.faults = faults or Faults()
        self.loki = loki
        self.record = record
        self.recorded: list[tuple[str, str, dict[str, str], bytes, int]] = []
        # One JSON line per request (method, path, status, ms, bytes; never a header or a body), for
        # measuring what a client such as CueWeb asks of the farm.
        self.request_log = request_log
        # path -> [requests, response body bytes]: what clients cost the farm (bench/bench_load.py)
        self.traffic: dict[str, list[int]] = {}
        self.fault_rng = random.Random(farm.seed + 99)
        self._hangs: set[asyncio.Future[None]] = set()
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def hang(self) -> None:
        """Never answer (until the request is cancelled or the server stops)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._hangs.add(fut)
        try:
            await fut
        finally:
            self._hangs.discard(fut)

    def release_hangs(self) -> None:
        for fut in list(self._hangs):
            if not fut.done():
                fut.cancel()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        guard.request_started(request)
        try:
            body = await guard.read_body(request)
            if body is None:  # a body trickled slower than the deadline: the connection is dropped
                return web.Response(status=408, text="request body timeout\n", headers={"Connection": "close"})
            return await self._handle(request, body)
        finally:
            guard.request_done(request)

    async def _handle(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if self.loki and request.path.startswith("/loki/api/v1/"):
            return self._loki(request)
        started = time.perf_counter()
        response = await self._gateway(request, body)
        counts = self.traffic.setdefault(request.path, [0, 0])
        counts[0] += 1
        if isinstance(response, web.Response) and isinstance(response.body, bytes):
            counts[1] += len(response.body)
        if self.record:
            headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
            self.recorded.append((request.method, request.path, headers, body, response.status))
        if self.request_log is not None:
            size = len(response.body) if isinstance(response, web.Response) and isinstance(response.body, bytes) else 0
            line = {
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "bytes": size,
            }
            self.request_log.write(json.dumps(line) + "\n")
            self.request_log.flush()
        return response

    async def _gateway(self, request: web.Request, body: bytes) -> web.StreamResponse:
        faults = self.faults
        rng = self.fault_rng
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.drop and rng.random() < faults.drop:
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if faults.html and rng.random() < faults.html:
            return web.Response(status=502, body=_PROXY_PAGE.encode(), headers={"Content-Type": "text/html"})
        if faults.error_rate and rng.random() < faults.error_rate:
            return _json(500, error_body(13, "java.lang.RuntimeException: simulated failure (--fault error-rate)"))
        response = await self._pipeline(request, body)
        if faults.truncate and rng.random() < faults.truncate and isinstance(response, web.Response):
            raw = response.body if isinstance(response.body, bytes) else b""
            return web.Response(
                status=response.status,
                body=raw[: len(raw) // 2],
                headers={"Content-Type": response.content_type},
            )
        return _go_framing(request, response)

    async def _pipeline(self, request: web.Request, body: bytes) -> web.StreamResponse:
        try:
            validate(request.headers.get("Authorization"), self.secret)
        except TokenError as err:
            return _text_401(str(err))
        path = request.path
        if path not in REGISTERED_PATHS:
            return _json(404, error_body(5, "Not Found"))
        if request.method != "POST":
            return _json(501, error_body(12, "Method Not Allowed"))
        timeout = None
        if "Grpc-Timeout" in request.headers:
            try:
                timeout = parse_grpc_timeout(request.headers["Grpc-Timeout"])
            except ValueError:
                return _json(400, error_body(3, f"invalid grpc-timeout: {request.headers['Grpc-Timeout']}"))
        answer = await self.call(path, body, timeout)
        if answer.reached_cuebot and answer.status == 200:
            # Cuebot's header metadata comes only with an answer: an error is a trailers-only gRPC
            # response, and the real gateway then copies no Grpc-Metadata-* headers (measured).
            return _cuebot_json(answer.status, answer.body)
        return _json(answer.status, answer.body)

    async def call(self, path: str, body: bytes, timeout: float | None = None) -> Answer:
        """What Cuebot answers for one routed RPC: look the handler up, decode the body, run it.

        The one code path behind both faces: the REST pipeline calls it after JWT and routing, the gRPC
        face (`cuetui.demo.cuebot`) with the request message as JSON. Runs on the farm's event loop.
        """
        self.farm.logs.begin_request()
        entry = HANDLERS.get(path)
        if entry is None:
            # The gateway decodes the body before it calls Cuebot: a malformed one is its 400, even for an
            # RPC the demo does not simulate. (A request type without fields: only the JSON is checked.)
            try:
                decode_request("show.ShowGetShowsRequest", body)
            except DecodeError as err:
                return Answer(400, error_body(3, str(err)))
            if self.faults.cuebot_is_down(self.farm.clock.monotonic()):
                return Answer(503, CUEBOT_DOWN_BODY)
            return Answer(501, error_body(12, f"{path[1:].replace('/', '.')} is not simulated by cuetui demo"))
        request_type, fn = entry
        try:
            req = decode_request(request_type, body)
        except DecodeError as err:
            return Answer(400, error_body(3, str(err)))
        if self.faults.cuebot_is_down(self.farm.clock.monotonic()):
            # The gateway dials Cuebot only for the call itself, after the token, route and body.
            return Answer(503, CUEBOT_DOWN_BODY)
        try:
            result = fn(self, req)
            if isinstance(result, Awaitable):
                if timeout is not None:
                    result = await asyncio.wait_for(result, timeout)
                else:
                    result = await result
        except GatewayError as err:
            return Answer(err.status, error_body(err.code, err.message), reached_cuebot=True)
        except queries.RangeTooLarge as err:
            # As Cuebot's interceptor words an uncaught exception: INTERNAL, "<class>: <msg>\n<msg>".
            return Answer(500, error_body(13, f"java.lang.IllegalArgumentException: {err}\n{err}"), reached_cuebot=True)
        except asyncio.TimeoutError:
            # The gateway's own deadline fires first: its Go context's words (the real gateway measured).
            return Answer(504, error_body(4, "context deadline exceeded"))
        return Answer(200, dumps(result), reached_cuebot=True)

    def _loki(self, request: web.Request) -> web.Response:
        m = _LOKI_QUERY.match(request.query.get("query", ""))
        if request.path not in ("/loki/api/v1/query_range", "/loki/api/v1/label/session_start_time/values"):
            return web.Response(status=404, text="404 page not found\n")
        if not m:
            return web.Response(status=400, text='parse error: expected {frame_id="<id>"}\n')
        hit = self.farm.find_frame(m.group(1))
        streams = self.farm.logs.loki_streams(*hit) if hit is not None else []
        if request.path.endswith("/values"):
            values = [s["stream"]["session_start_time"] for s in streams]
            return _json(200, dumps({"status": "success", "data": values}))
        try:
            start = int(request.query.get("start", "0"))
            end = int(request.query.get("end", str(2**63 - 1)))
            limit = int(request.query.get("limit", "100"))
        except ValueError:
            return web.Response(status=400, text="invalid start/end/limit\n")
        forward = request.query.get("direction", "backward") == "forward"
        entries = []
        for k, s in enumerate(streams):
            for ts, line in s["values"]:
                if start <= int(ts) < end:
                    entries.append((int(ts), k, line))
        entries.sort(reverse=not forward)
        entries = entries[:limit]
        result = []
        for k, s in enumerate(streams):
            values = [[str(ts), line] for ts, kk, line in entries if kk == k]
            if values:
                result.append({"stream": s["stream"], "values": values})
        return _json(
            200,
            dumps({"status": "success", "data": {"resultType": "streams", "result": result, "stats": {}}}),
        )


# --- running it --------------------------------------------------------------------------------------
def build(
    profile: str = "small",
    seed: int = 0,
    speed: float = 1.0,
    scenario: str | os.PathLike[str] | None = None,
    log_root: str | os.PathLike[str] | None = None,
    epoch: float | None = None,
    skew: float = 0.0,
    loki_url: str = "",
) -> Farm:
    """Make the farm from a profile or a scenario file."""
    clock = FarmClock(epoch=epoch, skew=skew)
    root = str(log_root) if log_root is not None else tempfile.mkdtemp(prefix="cuetui-demo-logs-")
    if scenario is not None:
        from cuetui.demo.scenario import load_scenario

        return load_scenario(scenario, seed=seed, speed=speed, clock=clock, log_root=root, loki_url=loki_url)
    from cuetui.demo.profiles import build_farm

    return build_farm(profile, seed=seed, speed=speed, clock=clock, log_root=root, loki_url=loki_url)


class Server:
    """Owns the aiohttp runner, the scheduler tick and the `down` fault on one event loop."""

    TICK = 0.1

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0, grpc_port: int | None = None) -> None:
        self.gateway = gateway
        self.host = host
        self.port = port
        # The Cuebot gRPC face (cuetui.demo.cuebot) on this loop too, when a port is given (0 = a free one).
        self.grpc_port = grpc_port
        self.cuebot: Any = None
        self.runner: web.AppRunner | None = None
        self.site: web.TCPSite | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        self.runner = guard.GuardedRunner(
            self.gateway.app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await self.runner.setup()
        await self._listen()
        if self.grpc_port is not None:
            # Imported only here: the plain install has no grpcio (MissingExtra says which extra to add).
            from cuetui.demo.cuebot import CuebotFace

            self.cuebot = CuebotFace(self.gateway, self.host, self.grpc_port)
            await self.cuebot.start()
            self.grpc_port = self.cuebot.port
        self._tasks.append(asyncio.create_task(self._ticker()))
        if self.gateway.faults.down is not None:
            self._tasks.append(asyncio.create_task(self._down(*self.gateway.faults.down)))

    async def _listen(self) -> None:
        assert self.runner is not None
        self.site = web.TCPSite(self.runner, self.host, self.port, reuse_address=True)
        await self.site.start()
        if self.port == 0:
            server: Any = self.site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.TICK)
            now = loop.time()
            try:
                self.gateway.farm.tick(now - last)
            except Exception:  # a scheduler bug must not take the server down
                import traceback

                traceback.print_exc()
            last = now

    async def _down(self, start: float, end: float) -> None:
        clock = self.gateway.farm.clock
        await asyncio.sleep(max(0.0, start - clock.monotonic()))
        if self.site is not None:
            await self.site.stop()
            self.site = None
            assert self.runner is not None
            server = self.runner.server
            if server is not None:
                for conn in list(server.connections):
                    conn.force_close()
                    if conn.transport is not None:
                        conn.transport.close()
        await asyncio.sleep(max(0.0, end - clock.monotonic()))
        await self._listen()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.gateway.release_hangs()
        if self.cuebot is not None:
            await self.cuebot.stop()
        if self.runner is not None:
            await self.runner.cleanup()


class DemoGatewayThread:
    """The demo gateway on a background thread with its own event loop (tests, `cuetui demo`)."""

    def __init__(
        self,
        profile: str = "small",
        seed: int = 7,
        speed: float = 0.0,
        secret: str = "test-secret",
        faults: tuple[str, ...] | list[str] = (),
        scenario: str | os.PathLike[str] | None = None,
        log_root: str | os.PathLike[str] | None = None,
        loki: bool = False,
        epoch: float | None = None,
        record: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        grpc_port: int | None = None,
    ) -> None:
        self.profile = profile
        self.seed = seed
        self.speed = speed
        self.secret = secret
        self.faults = Faults.parse(tuple(faults))
        self.scenario = scenario
        # A log root we create is ours to remove at stop(); a given one is the caller's.
        self._own_log_root = None if log_root is not None else tempfile.mkdtemp(prefix="cuetui-demo-logs-")
        self.log_root = log_root if log_root is not None else self._own_log_root
        self.loki = loki
        self.epoch = epoch
        self.record = record
        self.host = host
        self.port = port
        self.grpc_port = grpc_port
        self.cuebot_endpoint = ""  # host:port of the Cuebot gRPC face, when grpc_port is given
        self.url = ""
        self.farm: Farm | None = None
        self.gateway: Gateway | None = None
        self._server: Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def recorded(self) -> list[tuple[str, str, dict[str, str], bytes, int]]:
        """(method, path, headers without Authorization, body, status) of every gateway request."""
        return self.gateway.recorded if self.gateway is not None else []

    def start(self) -> DemoGatewayThread:
        """Build the farm and listen; returns once the URL answers."""
        self._thread = threading.Thread(target=self._main, name="cuetui-demo-gateway", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start())
        except BaseException as err:
            self._error = err
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _start(self) -> None:
        port = self.port
        if port == 0:
            # The URL is needed for lokiUrl before the farm is built: reserve the port first.
            with socket.socket() as s:
                s.bind((self.host, 0))
                port = s.getsockname()[1]
        url = f"http://{self.host}:{port}"
        self.farm = build(
            self.profile,
            self.seed,
            self.speed,
            self.scenario,
            self.log_root,
            self.epoch,
            self.faults.skew,
            loki_url=url if self.loki else "",
        )
        self.gateway = Gateway(self.farm, self.secret, self.faults, loki=self.loki, record=self.record)
        self._server = Server(self.gateway, self.host, port, self.grpc_port)
        await self._server.start()
        self.port = self._server.port
        self.url = self._server.url
        if self._server.cuebot is not None:
            self.grpc_port = self._server.grpc_port
            self.cuebot_endpoint = self._server.cuebot.endpoint

    def run(self, fn: Callable[[Farm], Any], timeout: float = 30.0) -> Any:
        """Call fn(farm) on the server's loop thread and return its result."""
        assert self._loop is not None and self.farm is not None
        farm = self.farm

        async def call() -> Any:
            return fn(farm)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is None or self._thread is None:
            return
        if self._server is not None and self._loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
        if self._own_log_root is not None:
            import shutil

            shutil.rmtree(self._own_log_root, ignore_errors=True)
            self._own_log_root = None

    def __enter__(self) -> DemoGatewayThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
