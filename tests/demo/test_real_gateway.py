"""The real OpenCue REST gateway in front of the demo's Cuebot gRPC face answers as the demo's REST face.

Two identical frozen farms (same seed, epoch, log root; a clock that never moves): A answers on its own
REST face, B on its gRPC face behind the real gateway binary. The same sequence of calls (reads, paging,
every simulated action followed by reads of its effect, decoding and routing errors, JWT failures, RPCs
the demo does not simulate) goes to both; every answer must have the same status, Content-Type and body
(whitespace between JSON tokens aside: the gateway's protojson spaces members by build). The calls and
fields opencue-proto 1.37.0 added after the binary's snapshot (RestartRqd*, the newer Limit calls and
fields) are left out: the binary cannot know them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from cuetui.demo import server
from cuetui.demo.farm import DEAD, ManualClock
from cuetui.demo.server import DemoGatewayThread

from . import realgw
from .test_every_rpc import OWNED_ELSEWHERE

pytest.importorskip("grpc", reason="the Cuebot gRPC face needs the cuebot extra: pip install 'cuetui[cuebot]'")
pytest.importorskip("opencue_proto", reason="the Cuebot gRPC face needs the cuebot extra: pip install 'cuetui[cuebot]'")

BINARY, WHY_NOT = realgw.locate()
if BINARY is None and os.environ.get("CUETUI_REQUIRE_CUEBOT") == "1":
    raise RuntimeError(f"CUETUI_REQUIRE_CUEBOT=1 but {WHY_NOT}")
pytestmark = pytest.mark.skipif(BINARY is None, reason=WHY_NOT)

SECRET = "compare-secret-0123456789-0123456789-0123456789-0123456789-0123456789"
EPOCH = 1_767_225_600.0


def normalise(body: bytes) -> bytes:
    """The body without whitespace between JSON tokens (inside strings it is kept)."""
    out = bytearray()
    in_string = escaped = False
    for byte in body:
        if in_string:
            out.append(byte)
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
            out.append(byte)
        elif byte not in b" \t\r\n":
            out.append(byte)
    return bytes(out)


def _framing(response: httpx.Response) -> str:
    """How the body was delimited: Go chunks what outgrows its 2048-byte buffer."""
    return "chunked" if response.headers.get("transfer-encoding") == "chunked" else "length"


def _metadata(response: httpx.Response) -> list[str]:
    """Which Grpc-Metadata-* headers came (their values are the gRPC server's: grpc-java's, grpcio's)."""
    return sorted(k for k in response.headers if k.lower().startswith("grpc-metadata-"))


@pytest.fixture(scope="module")
def gateway_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert BINARY is not None
    return realgw.unpack(BINARY, tmp_path_factory.mktemp("realgw"))


class Pair:
    """Farm A's REST face and farm B behind the real gateway, one client each."""

    def __init__(self, rest: httpx.Client, real: httpx.Client, a: DemoGatewayThread, b: DemoGatewayThread) -> None:
        self.rest = rest
        self.real = real
        self.a = a
        self.b = b
        self.compared = 0
        self.differences: list[str] = []

    def call(
        self, label: str, path: str, body: Any = None, headers: dict[str, str] | None = None, method: str = "POST"
    ) -> Any:
        """Send one call to both; record a difference; return A's decoded JSON answer (or None)."""
        if body is None:
            content = b""
        elif isinstance(body, (bytes, str)):
            content = body.encode() if isinstance(body, str) else body
        else:
            content = json.dumps(body).encode()
        answers = []
        for client in (self.rest, self.real):
            response = client.request(method, path, content=content, headers=headers or {})
            answers.append(response)
        rest, real = answers
        self.compared += 1
        mine = (
            rest.status_code,
            rest.headers.get("content-type"),
            normalise(rest.content),
            _metadata(rest),
            _framing(rest),
        )
        theirs = (
            real.status_code,
            real.headers.get("content-type"),
            normalise(real.content),
            _metadata(real),
            _framing(real),
        )
        if mine != theirs:
            at = next((k for k, (x, y) in enumerate(zip(mine[2], theirs[2], strict=False)) if x != y), 0)
            start = max(0, at - 200)
            self.differences.append(
                f"{label}: {path} {content[:200]!r}\n  demo REST: {mine[0]} {mine[1]} {mine[2][start : at + 300]!r}\n"
                f"  real gw:   {theirs[0]} {theirs[1]} {theirs[2][start : at + 300]!r}\n"
                f"  Grpc-Metadata headers: demo {mine[3]}, real {theirs[3]}; framing: demo {mine[4]}, real {theirs[4]}"
            )
        try:
            return rest.json()
        except ValueError:
            return None

    def check(self) -> None:
        print(f"real gateway vs REST face: {self.compared} compared, {len(self.differences)} differ")
        assert not self.differences, f"{len(self.differences)} of {self.compared} differ:\n" + "\n".join(
            self.differences
        )


@pytest.fixture
def pair(gateway_binary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    # FarmClock runs on wall time even at speed 0, from the moment each farm is built; the two farms must
    # agree to the second, so both get a clock that never moves.
    monkeypatch.setattr(server, "FarmClock", lambda epoch=None, skew=0.0: ManualClock(EPOCH))
    logs = tmp_path / "logs"
    common: dict[str, Any] = {"profile": "small", "seed": 7, "speed": 0.0, "secret": SECRET, "epoch": EPOCH}
    with (
        DemoGatewayThread(log_root=logs, **common) as a,
        DemoGatewayThread(log_root=logs, grpc_port=0, **common) as b,
    ):
        # B's logs would be the same files as A's: A writes them, B only answers.
        b.run(lambda farm: setattr(farm.logs, "enabled", False))
        gateway = realgw.RealGateway(gateway_binary, b.cuebot_endpoint, SECRET, tmp_path / "gateway.log").start()
        token = jwt.encode({"sub": "tester"}, SECRET, algorithm="HS256")
        auth = {"Authorization": f"Bearer {token}"}
        try:
            with (
                httpx.Client(base_url=a.url, headers=auth, timeout=30) as rest,
                httpx.Client(base_url=gateway.url, headers=auth, timeout=30) as real,
            ):
                yield Pair(rest, real, a, b)
        finally:
            gateway.stop()


def _ids(pair: Pair) -> dict[str, Any]:
    """Ids to call with, read from farm A (B is the same farm)."""
    jobs = pair.rest.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}}).json()["jobs"]["jobs"]
    pending = [j for j in jobs if j["state"] == "PENDING"]
    job = next(j for j in pending if j["jobStats"]["deadFrames"] > 0)
    frames = pair.rest.post(
        "/job.JobInterface/GetFrames", json={"job": {"id": job["id"]}, "req": {"page": 1, "limit": 1000}}
    ).json()["frames"]["frames"]
    layers = pair.rest.post("/job.JobInterface/GetLayers", json={"job": {"id": job["id"]}}).json()["layers"]["layers"]
    hosts = pair.rest.post("/host.HostInterface/GetHosts", json={"r": {}}).json()["hosts"]["hosts"]
    by_state: dict[str, dict[str, Any]] = {}
    for frame in frames:
        by_state.setdefault(frame["state"], frame)
    busy = next(h for h in hosts if h["idleCores"] < h["cores"])
    return {
        "jobs": jobs,
        "job": job,
        "other": next(j for j in pending if j["id"] != job["id"]),
        "finished": next((j for j in jobs if j["state"] == "FINISHED"), job),
        "layer": layers[0],
        "frames": by_state,
        "host": busy,
        "idle": next((h for h in hosts if h["idleCores"] == h["cores"]), hosts[-1]),
    }


MISSING = "00000000-0000-0000-0000-000000000000"


def test_reads_and_paging_match(pair: Pair) -> None:
    ids = _ids(pair)
    job, layer, host = ids["job"], ids["layer"], ids["host"]
    frame = next(iter(ids["frames"].values()))
    show = job["show"]
    c = pair.call
    c("shows", "/show.ShowInterface/GetShows", {})
    c("active shows", "/show.ShowInterface/GetActiveShows")
    shows = c("find show", "/show.ShowInterface/FindShow", {"name": show})
    c("find show missing", "/show.ShowInterface/FindShow", {"name": "nope"})
    c("show jobs", "/show.ShowInterface/GetJobs", {"show": {"id": shows["show"]["id"]}})
    c("show jobs missing", "/show.ShowInterface/GetJobs", {"show": {"id": MISSING}})
    c("jobs empty body", "/job.JobInterface/GetJobs")
    c("jobs {}", "/job.JobInterface/GetJobs", {"r": {}})
    c("jobs finished", "/job.JobInterface/GetJobs", {"r": {"includeFinished": True}})
    c("jobs of show", "/job.JobInterface/GetJobs", {"r": {"shows": [show], "include_finished": True}})
    c("jobs of user", "/job.JobInterface/GetJobs", {"r": {"users": [job["user"]]}})
    c("jobs by regex", "/job.JobInterface/GetJobs", {"r": {"regex": ["comp"]}})
    c("jobs by substr", "/job.JobInterface/GetJobs", {"r": {"substr": ["anim"], "includeFinished": True}})
    c("jobs by id", "/job.JobInterface/GetJobs", {"r": {"ids": [job["id"]]}})
    c("jobs by name", "/job.JobInterface/GetJobs", {"r": {"jobs": [job["name"]]}})
    c("jobs of shot", "/job.JobInterface/GetJobs", {"r": {"shots": [job["shot"]]}})
    c("job", "/job.JobInterface/GetJob", {"id": job["id"]})
    c("job finished", "/job.JobInterface/GetJob", {"id": ids["finished"]["id"]})
    c("job missing", "/job.JobInterface/GetJob", {"id": MISSING})
    c("find job", "/job.JobInterface/FindJob", {"name": job["name"]})
    c("find job upper", "/job.JobInterface/FindJob", {"name": job["name"].upper()})
    c("find job finished", "/job.JobInterface/FindJob", {"name": ids["finished"]["name"]})
    c("current", "/job.JobInterface/GetCurrent", {"job": {"id": job["id"]}})
    c("current missing", "/job.JobInterface/GetCurrent", {"job": {"id": MISSING}})
    c("layers", "/job.JobInterface/GetLayers", {"job": {"id": job["id"]}})
    c("layers missing", "/job.JobInterface/GetLayers", {"job": {"id": MISSING}})
    frames = "/job.JobInterface/GetFrames"
    c("frames page 1", frames, {"job": {"id": job["id"]}, "req": {"page": 1, "limit": 10}})
    c("frames page 2", frames, {"job": {"id": job["id"]}, "req": {"page": 2, "limit": 10}})
    c("frames past the end", frames, {"job": {"id": job["id"]}, "req": {"page": 50, "limit": 10}})
    c("frames no limit", frames, {"job": {"id": job["id"]}, "req": {"page": 1}})
    c("frames all", frames, {"job": {"id": job["id"]}, "req": {"page": 1, "limit": 1000}})
    c("frames dead", frames, {"job": {"id": job["id"]}, "req": {"states": {"frameStates": ["DEAD"]}, "limit": 100}})
    c("frames enum number", frames, {"job": {"id": job["id"]}, "req": {"states": {"frame_states": [2]}, "limit": 9}})
    c("frames of layer", frames, {"job": {"id": job["id"]}, "req": {"layers": [layer["name"]], "limit": 5}})
    c("frames range", frames, {"job": {"id": job["id"]}, "req": {"frameRange": "1-5", "limit": 50}})
    c("frames missing job", frames, {"job": {"id": MISSING}, "req": {"limit": 5}})
    c("frame iface frames", "/job.FrameInterface/GetFrames", {"job": job["name"], "r": {"page": 1, "limit": 7}})
    c("frame iface frames missing", "/job.FrameInterface/GetFrames", {"job": "nope", "r": {"limit": 7}})
    c("layer frames", "/job.LayerInterface/GetFrames", {"layer": {"id": layer["id"]}, "s": {"limit": 6}})
    c("layer frames missing", "/job.LayerInterface/GetFrames", {"layer": {"id": MISSING}, "s": {"limit": 6}})
    c(
        "updated frames",
        "/job.JobInterface/GetUpdatedFrames",
        {"job": {"id": job["id"]}, "lastCheck": int(EPOCH) - 30},
    )
    c("frame", "/job.FrameInterface/GetFrame", {"id": frame["id"]})
    c("frame missing", "/job.FrameInterface/GetFrame", {"id": MISSING})
    c(
        "find frame",
        "/job.FrameInterface/FindFrame",
        {"job": job["name"], "layer": frame["layerName"], "frame": frame["number"]},
    )
    c("find frame missing", "/job.FrameInterface/FindFrame", {"job": job["name"], "layer": "x", "frame": 1})
    c("hosts", "/host.HostInterface/GetHosts", {"r": {}})
    c("hosts up", "/host.HostInterface/GetHosts", {"r": {"states": {"state": ["UP"]}}})
    c("hosts by name", "/host.HostInterface/GetHosts", {"r": {"hosts": [host["name"]]}})
    c("hosts by substr", "/host.HostInterface/GetHosts", {"r": {"substr": ["render00"]}})
    c("hosts open", "/host.HostInterface/GetHosts", {"r": {"lockStates": {"state": ["OPEN"]}}})
    c("host", "/host.HostInterface/GetHost", {"id": host["id"]})
    c("host missing", "/host.HostInterface/GetHost", {"id": MISSING})
    c("find host", "/host.HostInterface/FindHost", {"name": host["name"]})
    c("find host missing", "/host.HostInterface/FindHost", {"name": "nope"})
    c("host procs", "/host.HostInterface/GetProcs", {"host": host})
    c("host procs missing", "/host.HostInterface/GetProcs", {"host": {"id": MISSING}})
    c("procs of host", "/host.ProcInterface/GetProcs", {"r": {"hosts": [host["name"]]}})
    c("procs of job", "/host.ProcInterface/GetProcs", {"r": {"jobs": [job["name"]]}})
    c("procs all", "/host.ProcInterface/GetProcs", {"r": {}})
    c("job comments", "/job.JobInterface/GetComments", {"job": {"id": job["id"]}})
    c("host comments", "/host.HostInterface/GetComments", {"host": {"id": host["id"]}})
    pair.check()


def test_actions_match_and_change_both_farms_alike(pair: Pair) -> None:
    ids = _ids(pair)
    job, other, host, idle = ids["job"], ids["other"], ids["host"], ids["idle"]
    frames = ids["frames"]
    c = pair.call
    jid = {"id": job["id"]}

    def state(label: str) -> None:
        c(f"{label}: job", "/job.JobInterface/GetJob", jid)
        c(f"{label}: frames", "/job.JobInterface/GetFrames", {"job": jid, "req": {"limit": 1000}})
        c(f"{label}: hosts", "/host.HostInterface/GetHosts", {"r": {}})

    c("pause", "/job.JobInterface/Pause", {"job": job})
    state("after pause")
    c("resume", "/job.JobInterface/Resume", {"job": jid})
    c("priority", "/job.JobInterface/SetPriority", {"job": jid, "val": 77})
    c("priority no val", "/job.JobInterface/SetPriority", {"job": {"id": other["id"]}})
    c("min cores", "/job.JobInterface/SetMinCores", {"job": jid, "val": 2.5})
    c("max cores", "/job.JobInterface/SetMaxCores", {"job": jid, "val": 40})
    c("pause missing", "/job.JobInterface/Pause", {"job": {"id": MISSING}})
    state("after settings")
    dead = {"states": {"frameStates": ["DEAD"]}}
    c("retry dead", "/job.JobInterface/RetryFrames", {"job": jid, "req": dead})
    state("after retry")
    c("eat waiting", "/job.JobInterface/EatFrames", {"job": jid, "req": {"states": {"frameStates": ["WAITING"]}}})
    state("after eat")
    c("kill frames of layer", "/job.JobInterface/KillFrames", {"job": jid, "req": {"layers": [ids["layer"]["name"]]}})
    state("after kill frames")
    for name, frame in sorted(frames.items()):
        fid = {"frame": {"id": frame["id"]}}
        c(f"frame retry {name}", "/job.FrameInterface/Retry", fid)
        c(f"frame eat {name}", "/job.FrameInterface/Eat", fid)
        c(f"frame kill {name}", "/job.FrameInterface/Kill", {**fid, "username": "t", "reason": "test"})
        c(f"frame {name} after", "/job.FrameInterface/GetFrame", {"id": frame["id"]})
    c("frame retry missing", "/job.FrameInterface/Retry", {"frame": {"id": MISSING}})
    c("frame kill missing", "/job.FrameInterface/Kill", {"frame": {"id": MISSING}, "reason": "x"})
    c("lock", "/host.HostInterface/Lock", {"host": host})
    c("lock again", "/host.HostInterface/Lock", {"host": {"id": host["id"]}})
    state("after lock")
    c("unlock", "/host.HostInterface/Unlock", {"host": {"id": host["id"]}})
    c("lock missing", "/host.HostInterface/Lock", {"host": {"id": MISSING}})
    c("reboot when idle", "/host.HostInterface/RebootWhenIdle", {"host": {"id": host["id"]}})
    c("reboot", "/host.HostInterface/Reboot", {"host": {"id": idle["id"]}})
    state("after reboot")
    c("add job comment", "/job.JobInterface/AddComment", {"job": jid, "newComment": {"user": "u", "subject": "s"}})
    comments = c("job comments", "/job.JobInterface/GetComments", {"job": jid})
    c(
        "add host comment",
        "/host.HostInterface/AddComment",
        {"host": {"id": host["id"]}, "new_comment": {"message": "m"}},
    )
    c("host comments", "/host.HostInterface/GetComments", {"host": {"id": host["id"]}})
    comment = comments["comments"]["comments"][0]
    c("save comment", "/comment.CommentInterface/Save", {"comment": {**comment, "subject": "edited"}})
    c("job comments after save", "/job.JobInterface/GetComments", {"job": jid})
    c("delete comment", "/comment.CommentInterface/Delete", {"comment": {"id": comment["id"]}})
    c("delete comment again", "/comment.CommentInterface/Delete", {"comment": {"id": comment["id"]}})
    c("job after comments", "/job.JobInterface/GetJob", jid)
    c("kill no reason", "/job.JobInterface/Kill", {"job": {"id": other["id"]}})
    c("kill", "/job.JobInterface/Kill", {"job": {"id": other["id"]}, "username": "t", "reason": "test"})
    c("killed job", "/job.JobInterface/GetJob", {"id": other["id"]})
    c("find killed job", "/job.JobInterface/FindJob", {"name": other["name"]})
    state("at the end")
    pair.check()
    # The actions reached farm B through the gRPC face: it changed as A did.
    assert pair.b.run(lambda farm: farm.jobs_by_id[job["id"]].priority) == 77


def _add_limit(farm: Any) -> str:
    """A limit made in the farm itself: its answers carry Limit fields newer than the binary."""
    from cuetui.demo.resources import LIMIT_ID, Limit

    res = farm.resources
    lim = Limit(res.next_id(LIMIT_ID), "lic", 2)
    res.limits.append(lim)
    return lim.id


def test_layer_frame_and_job_frame_calls_match(pair: Pair) -> None:
    """A layer's frame actions, limits, dispatch order, start-after gate and memory optimizer, a frame's
    depend state, a job's mark-done and group: the calls, the reads of their effect, their errors."""
    ids = _ids(pair)
    job, other, layer, frames = ids["job"], ids["other"], ids["layer"], ids["frames"]
    c = pair.call
    L, J, F = "/job.LayerInterface/", "/job.JobInterface/", "/job.FrameInterface/"
    jid, lid = {"id": job["id"]}, {"id": layer["id"]}

    def state(label: str) -> None:
        c(f"{label}: job", J + "GetJob", {"id": job["id"]})
        c(f"{label}: layers", J + "GetLayers", {"job": jid})
        c(f"{label}: frames", J + "GetFrames", {"job": jid, "req": {"limit": 1000}})

    limit_id = pair.a.run(_add_limit)
    assert pair.b.run(_add_limit) == limit_id
    c("add limit", L + "AddLimit", {"layer": lid, "limitId": limit_id})
    c("add unknown limit", L + "AddLimit", {"layer": lid, "limitId": MISSING})
    c("add limit missing layer", L + "AddLimit", {"layer": {"id": MISSING}, "limitId": limit_id})
    c("layer with limit", L + "GetLayer", {"id": layer["id"]})
    # GetLimits answers Limit messages: only the fields the binary knows are compared.
    known = ("id", "name", "maxValue", "currentRunning")
    limits = [
        [
            {k: v for k, v in lim.items() if k in known}
            for lim in client.post(L + "GetLimits", json={"layer": lid}).json()["limits"]
        ]
        for client in (pair.rest, pair.real)
    ]
    assert limits[0] == limits[1] and [lim["name"] for lim in limits[0]] == ["lic"]
    c("drop limit", L + "DropLimit", {"layer": lid, "limitId": limit_id})
    c("limits after drop", L + "GetLimits", {"layer": lid})
    c("dispatch order", L + "SetDispatchOrder", {"layer": lid, "order": 7})
    c("dispatch order zero", L + "SetDispatchOrder", {"layer": lid, "order": 0})
    c("start after", L + "SetStartAfter", {"layer": lid, "startAfter": str(int(EPOCH) + 3600), "username": "ann"})
    c("start after in ms", L + "SetStartAfter", {"layer": lid, "startAfter": str(int(EPOCH) * 1000)})
    c("start after negative", L + "SetStartAfter", {"layer": lid, "startAfter": "-1"})
    c("memory optimizer", L + "EnableMemoryOptimizer", {"layer": lid, "value": True})
    state("after layer settings")
    c("start after cleared", L + "SetStartAfter", {"layer": lid})
    c("min gpu", L + "SetMinGpu", {"layer": lid, "gpu": "1"})
    c("layer after", L + "GetLayer", {"id": layer["id"]})
    for name, frame in sorted(frames.items()):
        fid = {"frame": {"id": frame["id"]}}
        c(f"mark as waiting {name}", F + "MarkAsWaiting", fid)
        c(f"mark as depend {name}", F + "MarkAsDepend", fid)
        c(f"frame {name} after", F + "GetFrame", {"id": frame["id"]})
    c("mark as waiting missing", F + "MarkAsWaiting", {"frame": {"id": MISSING}})
    # The job's MarkAsWaiting with a frame search: the same rule as the frame's (only DEPEND frames change).
    c("job mark as waiting", J + "MarkAsWaiting", {"job": jid, "req": {"states": {"frameStates": ["DEAD", "DEPEND"]}}})
    c("job mark as waiting missing", J + "MarkAsWaiting", {"job": {"id": MISSING}, "req": {"layers": ["x"]}})
    state("after job mark as waiting")
    for farm in (pair.a, pair.b):  # its dead frames stayed dead on both farms
        assert farm.run(lambda f: f.jobs_by_id[job["id"]].counts[DEAD]) == job["jobStats"]["deadFrames"]
    c("layer retry", L + "RetryFrames", {"layer": lid})
    state("after layer retry")
    c("layer kill", L + "KillFrames", {"layer": lid, "username": "t", "reason": "test"})
    c("layer eat", L + "EatFrames", {"layer": lid})
    c("layer eat missing", L + "EatFrames", {"layer": {"id": MISSING}})
    state("after layer eat")
    shows = c("shows", "/show.ShowInterface/GetShows", {})["shows"]["shows"]
    show = {"id": next(s["id"] for s in shows if s["name"] == job["show"])}
    root = c("root group", "/show.ShowInterface/GetRootGroup", {"show": show})["group"]
    c("set group", J + "SetGroup", {"job": {"id": other["id"]}, "groupId": root["id"]})
    c("set group missing", J + "SetGroup", {"job": {"id": other["id"]}, "groupId": MISSING})
    elsewhere = c("another show", "/show.ShowInterface/CreateShow", {"name": "elsewhere"})["show"]
    away = c("root group elsewhere", "/show.ShowInterface/GetRootGroup", {"show": {"id": elsewhere["id"]}})["group"]
    refused = c("set group other show", J + "SetGroup", {"job": {"id": other["id"]}, "groupId": away["id"]})
    assert "cannot move jobs between shows" in refused["message"]
    c("set group missing job", J + "SetGroup", {"job": {"id": MISSING}, "groupId": root["id"]})
    c("groups after", "/show.ShowInterface/GetGroups", {"show": show})
    c("group jobs", "/job.GroupInterface/GetJobs", {"group": {"id": root["id"]}})
    c("mark done frames", J + "MarkDoneFrames", {"job": {"id": other["id"]}, "req": {"frameRange": "1-3"}})
    c("mark done missing", J + "MarkDoneFrames", {"job": {"id": MISSING}})
    c("other after mark done", J + "GetFrames", {"job": {"id": other["id"]}, "req": {"limit": 1000}})
    state("at the end")
    pair.check()
    assert pair.b.run(lambda farm: farm.layers_by_id[layer["id"]][1].dispatch_order) == 7


def test_admin_calls_match(pair: Pair) -> None:
    """Filters, departments and tasks, owners and deeds, services and overrides, show settings, the
    whiteboards, procs, job specs: reads, writes and the reads of their effect."""
    ids = _ids(pair)
    job, host, idle = ids["job"], ids["host"], ids["idle"]
    layer, frame = ids["layer"], next(iter(ids["frames"].values()))
    c = pair.call
    shows = c("shows", "/show.ShowInterface/GetShows", {})["shows"]["shows"]
    show = {"id": next(s["id"] for s in shows if s["name"] == job["show"])}
    S = "/show.ShowInterface/"
    c("booking", S + "EnableBooking", {"show": show, "enabled": False})
    c("dispatching", S + "EnableDispatching", {"show": show, "enabled": True})
    c("comment email", S + "SetCommentEmail", {"show": show, "email": "a@b.c"})
    c("default max cores", S + "SetDefaultMaxCores", {"show": show, "maxCores": 12.5})
    c("default min gpus", S + "SetDefaultMinGpus", {"show": show, "minGpus": 1})
    c("scheduler managed", S + "SetSchedulerManaged", {"show": show, "enabled": True})
    c("show after settings", S + "FindShow", {"name": job["show"]})
    c("create show", S + "CreateShow", {"name": "newshow"})
    c("create show again", S + "CreateShow", {"name": "newshow"})
    c("delete show with jobs", S + "Delete", {"show": show})
    c("job whiteboard", S + "GetJobWhiteboard", {"show": show})
    # Filters
    f = c("create filter", S + "CreateFilter", {"show": show, "name": "f1"})["filter"]
    c("create filter 2", S + "CreateFilter", {"show": show, "name": "f2"})
    F = "/filter.FilterInterface/"
    fid = {"id": f["id"]}
    c("matcher", F + "CreateMatcher", {"filter": fid, "data": {"subject": "USER", "type": "IS", "input": job["user"]}})
    c("action", F + "CreateAction", {"filter": fid, "data": {"type": "SET_JOB_PRIORITY", "integerValue": 55}})
    c("matchers", F + "GetMatchers", {"filter": fid})
    c("actions", F + "GetActions", {"filter": fid})
    c("lower", F + "LowerOrder", {"filter": fid})
    c("filters", S + "GetFilters", {"show": show})
    c("set type", F + "SetType", {"filter": fid, "type": "MATCH_ALL"})
    c("find filter", F + "FindFilter", {"show": job["show"], "name": "f1"})
    c("find filter missing", S + "FindFilter", {"show": show, "name": "nope"})
    c("run on jobs", F + "RunFilterOnJobs", {"filter": fid, "jobs": {"jobs": [{"id": job["id"]}]}})
    c("job after filter", "/job.JobInterface/GetJob", {"id": job["id"]})
    c("run filters", "/job.JobInterface/RunFilters", {"job": {"id": ids["other"]["id"]}})
    c("filter missing", F + "SetEnabled", {"filter": {"id": MISSING}, "enabled": True})
    # Departments and tasks
    depts = c("departments", S + "GetDepartments", {"show": show})["departments"]["departments"]
    c("department names", "/department.DepartmentInterface/GetDepartmentNames", {})
    c("get department", S + "GetDepartment", {"show": show, "department": "Lighting"})
    c("get department unknown name", S + "GetDepartment", {"show": show, "department": "Nope"})
    D = "/department.DepartmentInterface/"
    did = {"id": depts[0]["id"]}
    c("enable ti", D + "EnableTiManaged", {"department": did, "tiTask": "t", "managedCores": 10})
    task = c("add task", D + "AddTask", {"department": did, "shot": "sh010", "minCores": 4})["task"]
    c("add tasks", D + "AddTasks", {"department": did, "tmap": {"sh020": 2}})
    c("task min cores", "/task.TaskInterface/SetMinCores", {"task": {"id": task["id"]}, "newMinCores": 6})
    c("tasks", D + "GetTasks", {"department": did})
    c("departments after", S + "GetDepartments", {"show": show})
    # Owners and deeds
    owner = c("create owner", S + "CreateOwner", {"show": show, "name": "ann"})["owner"]
    c("get owner", "/host.OwnerInterface/GetOwner", {"name": "ann"})
    c("take non-nimby host", "/host.OwnerInterface/TakeOwnership", {"owner": {"id": owner["id"]}, "host": idle["name"]})
    c("host owner none", "/host.HostInterface/GetOwner", {"host": {"id": idle["id"]}})
    c("owner deeds", "/host.OwnerInterface/GetDeeds", {"owner": {"id": owner["id"]}})
    # Services and overrides
    V = "/service.ServiceInterface/"
    c("default services", V + "GetDefaultServices", {})
    c("service", V + "GetService", {"name": "shell"})
    c("service missing", V + "GetService", {"name": "nope"})
    made = c("create service", V + "CreateService", {"data": {"name": "mantra", "minCores": 200, "tags": ["a"]}})
    c("update service", V + "Update", {"service": {**made["service"], "maxCores": 800}})
    c("service after update", V + "GetService", {"name": "mantra"})
    o = c("override", S + "CreateServiceOverride", {"show": show, "service": {"name": "shell", "minCores": 300}})
    c("overrides", S + "GetServiceOverrides", {"show": show})
    c("override by name", S + "GetServiceOverride", {"show": show, "name": "shell"})
    oid = o["serviceOverride"]["id"]
    c("override update", "/service.ServiceOverrideInterface/Update", {"service": {"id": oid, "name": "shell"}})
    c("override delete", "/service.ServiceOverrideInterface/Delete", {"service": {"id": oid}})
    c("delete service", V + "Delete", {"service": {"id": made["service"]["id"]}})
    # Hosts and procs
    H = "/host.HostInterface/"
    c("set os", H + "SetOs", {"host": {"id": idle["id"]}, "os": "rocky9"})
    c("thread mode", H + "SetThreadMode", {"host": {"id": idle["id"]}, "mode": "ALL"})
    c("rename tag", H + "RenameTag", {"host": {"id": idle["id"]}, "oldTag": "general", "newTag": "gen"})
    c("host after", H + "GetHost", {"id": idle["id"]})
    c("render partitions", H + "GetRenderPartitions", {"host": {"id": host["id"]}})
    c("host whiteboard", H + "GetHostWhiteboard", {})
    procs = c("procs", "/host.ProcInterface/GetProcs", {"r": {"hosts": [host["name"]]}})["procs"]["procs"]
    P = "/host.ProcInterface/"
    pid = {"id": procs[0]["id"]}
    c("proc frame", P + "GetFrame", {"proc": pid})
    c("proc layer", P + "GetLayer", {"proc": pid})
    c("proc job", P + "GetJob", {"proc": pid})
    c("proc host", P + "GetHost", {"proc": pid})
    c("proc missing", P + "GetHost", {"proc": {"id": MISSING}})
    c("redirect", P + "RedirectToJob", {"proc": pid, "jobId": ids["other"]["id"]})
    c("clear redirect", P + "ClearRedirect", {"proc": pid})
    c("unbook procs", P + "UnbookProcs", {"r": {"hosts": [host["name"]]}, "kill": False})
    c("delete busy host", H + "Delete", {"host": {"id": host["id"]}})
    # Jobs, layers, frames
    J = "/job.JobInterface/"
    c("job names", J + "GetJobNames", {"r": {"shows": [job["show"]]}})
    c("is pending", J + "IsJobPending", {"name": job["name"]})
    c("add subscriber", J + "AddSubscriber", {"job": {"id": job["id"]}, "subscriber": "a@b.c"})
    c("shutdown if completed", J + "ShutdownIfCompleted", {"job": {"id": job["id"]}})
    c("get layer", "/job.LayerInterface/GetLayer", {"id": layer["id"]})
    c("find layer", "/job.LayerInterface/FindLayer", {"job": job["name"], "layer": layer["name"]})
    c("register output", "/job.LayerInterface/RegisterOutputPath", {"layer": {"id": layer["id"]}, "spec": "/o/#.exr"})
    c("output paths", "/job.LayerInterface/GetOutputPaths", {"layer": {"id": layer["id"]}})
    override = {"state": "RUNNING", "text": "busy", "color": {"red": 1, "green": 2, "blue": 3}}
    c("display override", "/job.FrameInterface/SetFrameStateDisplayOverride", {"frame": frame, "override": override})
    c("display overrides", "/job.FrameInterface/GetFrameStateDisplayOverrides", {"frame": {"id": frame["id"]}})
    c("checkpoint", "/job.FrameInterface/SetCheckpointState", {"frame": {"id": frame["id"]}, "state": "ENABLED"})
    spec = (
        f"<spec><show>{job['show']}</show><shot>sh010</shot><user>ann</user>"
        '<job name="t"><layers><layer name="r" type="Render"><cmd>echo</cmd><range>1-3</range></layer></layers>'
        "</job></spec>"
    )
    c("launch spec", J + "LaunchSpec", {"spec": spec})
    c("launch spec again", J + "LaunchSpec", {"spec": spec})
    c("launch bad spec", J + "LaunchSpecAndWait", {"spec": "<nope"})
    c("jobs after launch", J + "GetJobs", {"r": {"shows": [job["show"]]}})
    pair.check()


def test_facility_group_and_limit_admin_calls_match(pair: Pair) -> None:
    """Facilities, allocations and subscriptions, groups, limits: each change, its refusals and the reads
    of its effect. Of the limits only the calls the binary knows, and no answer carrying a Limit (the
    binary drops the fields 1.37.0 added)."""
    ids = _ids(pair)
    job, host, idle, layer = ids["job"], ids["host"], ids["idle"], ids["layer"]
    c = pair.call
    shows = c("shows", "/show.ShowInterface/GetShows", {})["shows"]["shows"]
    show = {"id": next(s["id"] for s in shows if s["name"] == job["show"])}
    A, F, S, G, L = (
        "/facility.AllocationInterface/",
        "/facility.FacilityInterface/",
        "/show.ShowInterface/",
        "/job.GroupInterface/",
        "/limit.LimitInterface/",
    )
    # Facilities, allocations, subscriptions
    c("create facility", F + "Create", {"name": "remote"})
    c("create facility again", F + "Create", {"name": "remote"})
    c("rename facility", F + "Rename", {"facility": {"name": "remote"}, "newName": "offsite"})
    c("facility after rename", F + "Get", {"name": "offsite"})
    c("rename missing facility", F + "Rename", {"facility": {"name": "nope"}, "newName": "x"})
    made = c("create allocation", A + "Create", {"name": "spare", "tag": "spare", "facility": {"name": "offsite"}})
    spare = made["allocation"]["id"]
    moved = {"allocation": {"id": spare}, "hosts": {"hosts": [{"id": idle["id"]}, {"id": host["id"]}]}}
    c("reparent hosts", A + "ReparentHosts", moved)
    c("idle host after reparent", "/host.HostInterface/GetHost", {"id": idle["id"]})
    c("busy host after reparent", "/host.HostInterface/GetHost", {"id": host["id"]})
    c("allocation hosts", A + "GetHosts", {"allocation": {"id": spare}})
    c("find hosts", A + "FindHosts", {"allocation": {"id": spare}, "r": {"allocs": ["offsite.spare"]}})
    c("set allocation name", A + "SetName", {"allocation": {"facility": "offsite", "name": "spare"}, "name": "extra"})
    c("set bad allocation name", A + "SetName", {"allocation": {"facility": "offsite", "name": "extra"}, "name": "a.b"})
    c("allocations after", A + "GetAll", {})
    c("delete allocation with hosts", A + "Delete", {"allocation": {"facility": "offsite", "name": "extra"}})
    c("delete missing allocation", A + "Delete", {"allocation": {"facility": "offsite", "name": "nope"}})
    sub = {"show": show, "allocationId": spare, "size": 10, "burst": 20}
    c("create subscription", S + "CreateSubscription", sub)
    c("create subscription again", S + "CreateSubscription", sub)
    c("subscriptions after", S + "GetSubscriptions", {"show": show})
    c("delete facility with allocations", F + "Delete", {"name": "offsite"})
    c("create facility to delete", F + "Create", {"name": "gone"})
    c("delete facility", F + "Delete", {"name": "gone"})
    c("deleted facility", F + "Get", {"name": "gone"})
    # Groups
    root = c("root group", S + "GetRootGroup", {"show": show})["group"]
    fx = c("sub group", G + "CreateSubGroup", {"group": {"id": root["id"]}, "name": "fx"})["group"]
    c("sub group again", G + "CreateSubGroup", {"group": {"id": root["id"]}, "name": "fx"})
    comp = c("sub sub group", G + "CreateSubGroup", {"group": {"id": fx["id"]}, "name": "comp"})["group"]
    g = {"group": {"id": fx["id"]}}
    c("default priority", G + "SetDefaultJobPriority", {**g, "priority": 66})
    c("default min cores", G + "SetDefaultJobMinCores", {**g, "minCores": 2.6})
    c("default max cores", G + "SetDefaultJobMaxCores", {**g, "maxCores": 0.4})
    c("default min gpus", G + "SetDefaultJobMinGpus", {**g, "minGpus": 1})
    c("default max gpus", G + "SetDefaultJobMaxGpus", {**g, "maxGpus": 0})
    c("max gpus", G + "SetMaxGpus", {**g, "maxGpus": -3})
    c("min gpus", G + "SetMinGpus", {**g, "minGpus": 2})
    c("department", G + "SetDepartment", {**g, "dept": "Lighting"})
    c("department unknown", G + "SetDepartment", {**g, "dept": "Nope"})
    c("reparent jobs", G + "ReparentJobs", {**g, "jobs": {"jobs": [{"id": job["id"]}]}})
    c("job after reparent", "/job.JobInterface/GetJob", {"id": job["id"]})
    c("group jobs", G + "GetJobs", g)
    c("rename group", G + "SetName", {**g, "name": "vfx"})
    c("find renamed group", G + "FindGroup", {"show": job["show"], "name": "vfx"})
    c("group into its sub group", G + "SetGroup", {**g, "parentGroup": {"id": comp["id"]}})
    c("group into itself", G + "ReparentGroups", {**g, "groups": {"groups": [{"id": fx["id"]}]}})
    c("move sub group", G + "ReparentGroups", {"group": {"id": root["id"]}, "groups": {"groups": [{"id": comp["id"]}]}})
    c("groups after", S + "GetGroups", {"show": show})
    c("delete group with a job", G + "Delete", g)
    c("delete group", G + "Delete", {"group": {"id": comp["id"]}})
    c("delete missing group", G + "Delete", {"group": {"id": MISSING}})
    c("groups at the end", S + "GetGroups", {"show": show})

    # Limits: the same limit, named by the layer, on both farms.
    def bind(farm: Any) -> None:
        from cuetui.demo.limits import Limit

        farm.resources.limits.append(Limit("lim-0001", "lic", 4))
        farm.layers_by_id[layer["id"]][1].limits = ["lic"]
        farm.resources.recount_limits(farm.procs.values())

    pair.a.run(bind)
    pair.b.run(bind)
    c("rename limit", L + "Rename", {"oldName": "lic", "newName": "lic2"})
    c("layer after rename", "/job.LayerInterface/GetLayer", {"id": layer["id"]})
    c("rename missing limit", L + "Rename", {"oldName": "lic", "newName": "x"})
    c("delete limit", L + "Delete", {"name": "lic2"})
    c("layer after delete", "/job.LayerInterface/GetLayer", {"id": layer["id"]})
    c("delete missing limit", L + "Delete", {"name": "lic2"})
    pair.check()
    assert pair.b.run(lambda farm: farm.jobs_by_id[job["id"]].priority) == 66


def test_errors_match(pair: Pair) -> None:
    ids = _ids(pair)
    job = ids["job"]
    c = pair.call
    frames = "/job.JobInterface/GetFrames"
    c("not json", frames, "not json")
    c("truncated json", frames, '{"job":')
    c("array body", frames, "[1]")
    c("string for message", frames, {"job": "abc"})
    c("number for string", "/job.JobInterface/GetJob", {"id": 5})
    c("fraction for int", frames, {"job": {"id": job["id"]}, "req": {"limit": 1.5}})
    c("string for bool", "/job.JobInterface/GetJobs", {"r": {"includeFinished": "yes"}})
    c("unknown fields dropped", "/job.JobInterface/GetJob", {"id": job["id"], "nope": {"x": [1]}})
    c("unknown enum dropped", frames, {"job": {"id": job["id"]}, "req": {"states": {"frameStates": ["NOPE"]}}})
    c("null field", "/job.JobInterface/GetJob", {"id": None})
    c("both name styles", "/job.JobInterface/GetJobs", {"r": {"includeFinished": True, "include_finished": False}})
    c("int64 as number", "/job.JobInterface/GetUpdatedFrames", {"job": {"id": job["id"]}, "lastCheck": "x"})
    c("multi-line body", "/job.JobInterface/GetJob", '{\n  "x": 1,\n    "id": true\n}')
    c("non-ASCII before", "/job.JobInterface/GetJobs", '{"r": {"shows": ["é", 7]}}')
    c("repeated not a list", "/job.JobInterface/GetJobs", '{"r": {"shows": "testing"}}')
    c("null in a list", "/job.JobInterface/GetJobs", '{"r": {"users": [null]}}')
    c("NaN literal", frames, '{"job": NaN}')
    c("true misspelt", "/job.JobInterface/GetJobs", '{"r": {"includeFinished": tru}}')
    c("missing colon", frames, '{"job" {}}')
    c("missing comma", frames, '{"job": {} "req": {}}')
    c("bad key", frames, "{job: 1}")
    c("array element", "/job.JobInterface/GetJobs", '{"r": {"shows": [1 2]}}')
    c("control char in string", "/job.JobInterface/GetJob", '{"id": "a\tb"}')
    c("bad escape", "/job.JobInterface/GetJob", '{"id": "a\\qb"}')
    c("number then garbage", frames, '{"req": {"limit": 1.}}')
    c("exponent", frames, '{"req": {"limit": 1e}}')
    c("lone minus", frames, '{"req": {"limit": -}}')
    c("float as int", frames, '{"job": {"id": "x"}, "req": {"limit": 1e2}}')
    c("int out of range", frames, '{"req": {"limit": 4294967296}}')
    c("unknown duplicates", "/job.JobInterface/GetJob", '{"nope": 1, "nope": 2, "id": "x"}')
    c("literal duplicate", "/job.JobInterface/GetJob", '{"id": "x", "id": "y"}')
    c("string escapes echoed", "/job.JobInterface/GetJobs", '{"r": {"includeFinished": "\\u0041"}}')
    c("trailing garbage", "/job.JobInterface/GetJob", '{"id": "x"} trailing')
    c("enum as string number", frames, '{"req": {"states": {"frameStates": ["2"]}}}')
    c("bool for enum", frames, '{"req": {"states": {"frameStates": [true]}}}')
    c("object for string", "/job.JobInterface/GetJob", '{"id": {"a": 1}}')
    c("unregistered path", "/frame.FrameInterface/Retry", {})
    c("root", "/", {})
    c("cue interface is not on the gateway", "/cue.CueInterface/GetSystemStats", {})
    c("GET", "/job.JobInterface/GetJobs", None, method="GET")
    c("PUT", "/job.JobInterface/GetJobs", {}, method="PUT")
    c("no deed", "/host.HostInterface/GetDeed", {"host": {"id": ids["host"]["id"]}})
    # Not simulated: the gRPC face answers UNIMPLEMENTED with the REST face's message.
    c("not simulated allocations", "/facility.AllocationInterface/GetAll", {})
    c("not simulated groups", "/show.ShowInterface/GetGroups", {"show": {"id": MISSING}})
    c("not simulated bad body", "/job.JobInterface/GetDepends", "not json")
    pair.check()


def test_deadline_matches(pair: Pair) -> None:
    """GetUpdatedFrames without a recent lastCheck never answers; Grpc-Timeout bounds it: 504."""
    job = _ids(pair)["job"]
    body = {"job": {"id": job["id"]}, "lastCheck": 0}
    # Two timers hold the same deadline here: the gateway's context ("context deadline exceeded") and the
    # simulator's grpcio server, which answers DEADLINE_EXCEEDED itself ("Deadline Exceeded") when its copy
    # of the deadline passes first, as it may on a loaded machine (Cuebot's grpc-java sends no status of
    # its own then). The REST face must say what the gateway says of its own deadline; either is the
    # real gateway's.
    headers = {"Grpc-Timeout": "1S"}
    path = "/job.JobInterface/GetUpdatedFrames"
    rest = pair.rest.post(path, json=body, headers=headers)
    real = pair.real.post(path, json=body, headers=headers)
    assert (rest.status_code, rest.json()) == (504, {"code": 4, "message": "context deadline exceeded", "details": []})
    assert real.status_code == 504
    assert real.json() in (
        {"code": 4, "message": "context deadline exceeded", "details": []},
        {"code": 4, "message": "Deadline Exceeded", "details": []},
    )
    assert rest.headers.get("content-type") == real.headers.get("content-type")
    pair.call("bad timeout", "/job.JobInterface/GetUpdatedFrames", body, headers={"Grpc-Timeout": "soon"})
    pair.check()


def test_jwt_failures_match(pair: Pair) -> None:
    now = int(time.time())
    path = "/show.ShowInterface/GetShows"
    c = pair.call
    good = jwt.encode({"sub": "t"}, SECRET, algorithm="HS256")
    c("no header", path, {}, headers={"Authorization": ""})
    c(
        "bad signature",
        path,
        {},
        headers={"Authorization": "Bearer " + jwt.encode({"sub": "t"}, "another-secret-" * 5, "HS256")},
    )
    expired = jwt.encode({"sub": "t", "exp": now - 60}, SECRET, algorithm="HS256")
    c("expired", path, {}, headers={"Authorization": f"Bearer {expired}"})
    future = jwt.encode({"sub": "t", "nbf": now + 3600}, SECRET, algorithm="HS256")
    c("not yet valid", path, {}, headers={"Authorization": f"Bearer {future}"})
    c("malformed", path, {}, headers={"Authorization": "Bearer invalid_token"})
    c("bad base64", path, {}, headers={"Authorization": "Bearer a!b.c.d"})
    c("alg none", path, {}, headers={"Authorization": "Bearer " + jwt.encode({"sub": "t"}, None, algorithm="none")})
    c("HS512", path, {}, headers={"Authorization": "Bearer " + jwt.encode({"sub": "t"}, SECRET, "HS512")})
    c("bare token", path, {}, headers={"Authorization": good})
    c("lower-case bearer", path, {}, headers={"Authorization": f"bearer {good}"})
    c("unauthorised unknown path", "/nope", {}, headers={"Authorization": ""})
    pair.check()


# What opencue-proto 1.37.0 added after the binary's snapshot: it answers 404 for these (version skew).
NEWER_THAN_THE_BINARY = frozenset(
    {"/host.HostInterface/RestartRqdNow", "/host.HostInterface/RestartRqdWhenIdle"}
    | {
        f"/limit.LimitInterface/{m}"
        for m in [
            "SetType",
            "SetEnforcement",
            "SetSoftValue",
            "SetReportTtl",
            "SetFailureRule",
            "GetBindings",
            "ClearBindings",
            "ReportUsage",
            "GetHolds",
        ]
    }
)


def test_every_rpc_the_demo_does_not_simulate_answers_the_same_501(pair: Pair) -> None:
    """The gRPC face answers UNIMPLEMENTED with the REST face's text; the gateway makes it the same 501."""
    not_simulated = sorted(server.REGISTERED_PATHS - set(server.HANDLERS) - NEWER_THAN_THE_BINARY)
    # Only the calls other work still owns (tests/demo/test_every_rpc.py lists them) are left.
    assert set(not_simulated) == OWNED_ELSEWHERE - NEWER_THAN_THE_BINARY
    for path in not_simulated:
        pair.call("not simulated", path, {})
    pair.check()
    # And the skew is what it says: the binary does not route those.
    for path in sorted(NEWER_THAN_THE_BINARY):
        assert pair.real.post(path, json={}).status_code == 404, path
