"""Every endpoint's response parses strictly into the real response type and has Go protojson's shape."""

from __future__ import annotations

import importlib
import re
from typing import Any

import httpx
import orjson
import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from cuetui.demo.server import HANDLERS, REGISTERED_PATHS, DemoGatewayThread
from cuetui.demo.wire import f32
from tests.demo.wire_farm_bodies import farm_bodies

_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64,
}
_FLOAT = {FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE}


def response_class(path: str) -> Any:
    service, method = path[1:].split("/")
    package, name = service.split(".")
    module = importlib.import_module(f"opencue_proto.{package}_pb2")
    out = module.DESCRIPTOR.services_by_name[name].methods_by_name[method].output_type
    return getattr(importlib.import_module(f"opencue_proto.{out.file.package}_pb2"), out.name)


def check_shape(value: Any, desc: Descriptor, where: str = "$") -> None:
    """Every field present in declaration order (oneof members may be omitted), Go's types."""
    assert isinstance(value, dict), where
    expected = [f.json_name for f in desc.fields if not (f.containing_oneof and f.json_name not in value)]
    assert list(value) == expected, f"{where}: keys {list(value)} != {expected}"
    for f in desc.fields:
        if f.json_name not in value:
            continue
        v = value[f.json_name]
        here = f"{where}.{f.json_name}"
        items = v if f.is_repeated else [v]
        if f.is_repeated:
            assert isinstance(v, list), here
        for item in items:
            if f.type == FieldDescriptor.TYPE_MESSAGE:
                if item is None and not f.is_repeated:
                    continue
                check_shape(item, f.message_type, here)
            elif f.type in _INT64:
                assert isinstance(item, str) and re.fullmatch(r"-?\d+", item), here
            elif f.type in _FLOAT:
                assert isinstance(item, (int, float)) and not isinstance(item, bool), here
                if isinstance(item, float):
                    assert item != int(item), f"{here}: integral float {item}"
                    assert f32(item) == item, f"{here}: not the shortest float32 form"
            elif f.type == FieldDescriptor.TYPE_ENUM:
                assert isinstance(item, str) and item in f.enum_type.values_by_name, here
            elif f.type == FieldDescriptor.TYPE_BOOL:
                assert isinstance(item, bool), here
            elif f.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
                assert isinstance(item, str), here
            else:
                assert isinstance(item, int) and not isinstance(item, bool), here


def assert_valid(path: str, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["grpc-metadata-content-type"] == "application/grpc"
    cls = response_class(path)
    json_format.Parse(response.text, cls(), ignore_unknown_fields=False)
    data = orjson.loads(response.content)
    check_shape(data, cls.DESCRIPTOR)
    assert not re.search(rb"[:\[,]-?\d+\.0[,}\]]", response.content), "integral float written with .0"
    return data


def sample(gw: DemoGatewayThread) -> dict[str, Any]:
    """Ids and names of a running job with a proc, a host with procs, a layer, a frame."""

    def pick(farm: Any) -> dict[str, Any]:
        (job_index, frame), proc = next(iter(farm.procs.items()))
        job = farm.jobs[job_index]
        return {
            "job_id": job.id,
            "job_name": job.name,
            "layer_id": job.layers[0].id,
            "layer": job.layers[0].name,
            "frame_id": job.frame_id(frame),
            "frame_number": job.f_number[frame],
            "frame_layer": job.layers[job.f_layer[frame]].name,
            "host_id": proc.host.id,
            "host_name": proc.host.name,
            "show_id": job.show.id,
            "show": job.show.name,
            # a proc the job and host actions above leave alone
            "proc_id": next(p.id for p in farm.procs.values() if p.job is not job and p.host is not proc.host),
            "alloc_id": farm.resources.allocations[0].id,
        }

    return gw.run(pick)


def bodies(s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    job = {"id": s["job_id"], "name": s["job_name"]}
    host = {"id": s["host_id"]}
    crit = {"page": 1, "limit": 1000}
    return {
        "/show.ShowInterface/GetShows": {},
        "/show.ShowInterface/GetActiveShows": {},
        "/show.ShowInterface/FindShow": {"name": s["show"]},
        "/show.ShowInterface/GetJobs": {"show": {"id": s["show_id"]}},
        "/job.JobInterface/GetJobs": {"r": {"includeFinished": True}},
        "/job.JobInterface/GetJob": {"id": s["job_id"]},
        "/job.JobInterface/FindJob": {"name": s["job_name"]},
        "/job.JobInterface/GetCurrent": {"job": job},
        "/job.JobInterface/GetLayers": {"job": job},
        "/job.JobInterface/GetFrames": {"job": job, "req": crit},
        "/job.JobInterface/GetUpdatedFrames": {"job": job, "lastCheck": "NOW"},
        "/job.JobInterface/Pause": {"job": job},
        "/job.JobInterface/Resume": {"job": job},
        "/job.JobInterface/Kill": {
            "job": job,
            "username": "t",
            "pid": "1",
            "hostKill": "h",
            "reason": "test",
        },
        "/job.JobInterface/SetPriority": {"job": job, "val": 75},
        "/job.JobInterface/SetMinCores": {"job": job, "val": 1},
        "/job.JobInterface/SetMaxCores": {"job": job, "val": 64},
        "/job.JobInterface/RetryFrames": {"job": job, "req": {"states": {"frameStates": ["DEAD"]}}},
        "/job.JobInterface/EatFrames": {"job": job, "req": {"states": {"frameStates": ["DEAD"]}}},
        "/job.JobInterface/KillFrames": {"job": job, "req": {"layers": ["nope"]}, "reason": "r"},
        "/job.JobInterface/GetComments": {"job": job},
        "/job.JobInterface/AddComment": {
            "job": job,
            "newComment": {"user": "u", "subject": "s", "message": "m"},
        },
        "/job.FrameInterface/GetFrame": {"id": s["frame_id"]},
        "/job.FrameInterface/FindFrame": {
            "job": s["job_name"],
            "layer": s["frame_layer"],
            "frame": s["frame_number"],
        },
        "/job.FrameInterface/GetFrames": {"job": s["job_name"], "r": crit},
        "/job.FrameInterface/Retry": {"frame": {"id": s["frame_id"]}},
        "/job.FrameInterface/Eat": {"frame": {"id": s["frame_id"]}},
        "/job.FrameInterface/Kill": {"frame": {"id": s["frame_id"]}, "reason": "r"},
        "/job.LayerInterface/GetFrames": {"layer": {"id": s["layer_id"]}, "s": crit},
        "/host.HostInterface/GetHosts": {"r": {}},
        "/host.HostInterface/GetHost": {"id": s["host_id"]},
        "/host.HostInterface/FindHost": {"name": s["host_name"]},
        "/host.HostInterface/GetProcs": {"host": host},
        "/host.HostInterface/Lock": {"host": host},
        "/host.HostInterface/Unlock": {"host": host},
        "/host.HostInterface/Reboot": {"host": host},
        "/host.HostInterface/RebootWhenIdle": {"host": host},
        "/host.HostInterface/GetComments": {"host": host},
        "/host.HostInterface/AddComment": {
            "host": host,
            "newComment": {"user": "u", "subject": "s", "message": "m"},
        },
        "/host.ProcInterface/GetProcs": {"r": {}},
        "/comment.CommentInterface/Save": {"comment": {"id": "COMMENT", "subject": "s2", "message": "m2"}},
        "/comment.CommentInterface/Delete": {"comment": {"id": "COMMENT"}},
        # frame order, procs and host settings
        "/job.JobInterface/ReorderFrames": {"job": job, "range": "1-10", "order": "LAST"},
        "/job.LayerInterface/ReorderFrames": {"layer": {"id": s["layer_id"]}, "range": "1-10", "order": "REVERSE"},
        "/job.JobInterface/StaggerFrames": {"job": job, "range": "1-10", "stagger": 2},
        "/job.LayerInterface/StaggerFrames": {"layer": {"id": s["layer_id"]}, "range": "1-10", "stagger": 3},
        "/job.JobInterface/MarkAsWaiting": {"job": job, "req": {"states": {"frameStates": ["EATEN"]}}},
        "/host.ProcInterface/Unbook": {"proc": {"id": s["proc_id"]}},
        "/host.ProcInterface/Kill": {"proc": {"id": s["proc_id"]}},
        "/host.HostInterface/AddTags": {"host": host, "tags": ["gpu"]},
        "/host.HostInterface/RemoveTags": {"host": host, "tags": ["gpu"]},
        "/host.HostInterface/SetHardwareState": {"host": host, "state": "UP"},
        "/facility.AllocationInterface/GetAll": {},
        "/host.HostInterface/SetAllocation": {"host": host, "allocationId": s["alloc_id"]},
    }


def rest_handlers() -> set[str]:
    """The handlers the REST face routes (the rest, GetSystemStats, is the gRPC face's: test_cuebot_face)."""
    return set(HANDLERS) & REGISTERED_PATHS


FARM_SAMPLE_KEYS = (
    "job_id",
    "other_id",
    "layer_id",
    "other_layer_id",
    "frame_id",
    "other_frame_id",
    "show_id",
    "show",
    "depend_id",
    "sub_id",
    "sub_name",
    "alloc_id",
    "alloc_name",
    "facility",
    "limit_id",
    "limit_name",
    "group_id",
    "group_name",
)


def test_every_handler_is_covered() -> None:
    """The handlers of the first simulated calls have their bodies here; every handler's answer is also
    shape-checked by tests/demo/test_every_rpc.py."""
    assert (
        set(
            bodies(
                {
                    k: "x"
                    for k in (
                        "job_id",
                        "job_name",
                        "layer_id",
                        "layer",
                        "frame_id",
                        "frame_number",
                        "frame_layer",
                        "host_id",
                        "host_name",
                        "show_id",
                        "show",
                        "proc_id",
                        "alloc_id",
                    )
                }
            )
        )
        | set(farm_bodies(dict.fromkeys(FARM_SAMPLE_KEYS, "x")))
        <= rest_handlers()
    )


def test_every_endpoint_parses_strictly(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    s = sample(demo_gateway)
    comment_id = None
    for path, body in bodies(s).items():
        if "lastCheck" in body:
            body = {**body, "lastCheck": int(demo_gateway.run(lambda farm: farm.now())) - 5}
        if path.startswith("/comment."):
            if comment_id is None:
                comments = client.post("/job.JobInterface/GetComments", json={"job": {"id": s["job_id"]}}).json()
                comment_id = comments["comments"]["comments"][0]["id"]
            body = {"comment": {**body["comment"], "id": comment_id}}
        data = assert_valid(path, client.post(path, json=body))
        if path.endswith(
            (
                "Pause",
                "Resume",
                "Kill",
                "SetPriority",
                "Lock",
                "Unlock",
                "AddComment",
                "Save",
                "Delete",
                "Retry",
                "Eat",
                "RetryFrames",
                "EatFrames",
                "KillFrames",
                "Reboot",
                "RebootWhenIdle",
                "SetMinCores",
                "SetMaxCores",
                "ReorderFrames",
                "StaggerFrames",
                "MarkAsWaiting",
                "Unbook",
                "Tags",
                "SetHardwareState",
                "SetAllocation",
            )
        ):
            assert data == {}


@pytest.mark.parametrize("profile", ["small", "studio"])
def test_lists_are_nested_twice_and_empty_lists_kept(make_gateway: Any, gateway_token: str, profile: str) -> None:
    gw = make_gateway(profile=profile, seed=3)
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as c:
        jobs = assert_valid("/job.JobInterface/GetJobs", c.post("/job.JobInterface/GetJobs", json={}))
        assert isinstance(jobs["jobs"]["jobs"], list) and jobs["jobs"]["jobs"]
        empty = c.post("/job.JobInterface/GetJobs", json={"r": {"shows": ["no-such-show"]}}).json()
        assert empty == {"jobs": {"jobs": []}}
        first = jobs["jobs"]["jobs"][0]
        layers = assert_valid(
            "/job.JobInterface/GetLayers",
            c.post("/job.JobInterface/GetLayers", json={"job": {"id": first["id"]}}),
        )
        assert layers["layers"]["layers"][0]["limits"] == [""]
        frames = assert_valid(
            "/job.JobInterface/GetFrames",
            c.post(
                "/job.JobInterface/GetFrames",
                json={"job": {"id": first["id"]}, "req": {"page": 1, "limit": 100000}},
            ),
        )
        assert len(frames["frames"]["frames"]) == first["jobStats"]["totalFrames"]
        assert all(f["frameStateDisplayOverride"] is None for f in frames["frames"]["frames"])
        hosts = assert_valid("/host.HostInterface/GetHosts", c.post("/host.HostInterface/GetHosts", json={"r": {}}))
        assert all(isinstance(h["memory"], str) for h in hosts["hosts"]["hosts"])
        assert_valid("/host.ProcInterface/GetProcs", c.post("/host.ProcInterface/GetProcs", json={"r": {}}))


def test_float32_formatting() -> None:
    assert f32(1.0) == 1 and isinstance(f32(1.0), int)
    assert f32(0.5) == 0.5
    assert f32(0.1) == 0.1  # shortest float32 repr, not 0.10000000149011612
    assert orjson.dumps({"v": f32(2.2)}) == b'{"v":2.2}'
    assert f32(float("nan")) == "NaN" and f32(float("inf")) == "Infinity"


def test_emitter_writes_the_schema_shape_from_proto_names() -> None:
    from cuetui.demo.wire import emitter

    job = emitter("job.Job")
    out = job({"id": "j", "state": 1, "min_cores": 1.0, "job_stats": {"max_rss": 7, "reserved_cores": 0.1}})
    assert list(out)[:3] == ["id", "state", "name"] and "uid" not in out  # a unset oneof member is left out
    assert out["state"] == "FINISHED" and out["minCores"] == 1 and out["priority"] == 0
    assert out["jobStats"]["maxRss"] == "7" and out["jobStats"]["totalCoreSec"] == "0"
    assert out["jobStats"]["reservedCores"] == f32(0.1) and out["lokiUrl"] == ""
    with_uid = job({"uid": 1000, "id": "j"})
    assert list(with_uid)[8:11] == ["os", "uid", "priority"] and with_uid["uid"] == 1000  # in its place
    with pytest.raises(KeyError):
        job({"minCore": 1})  # misspelt: fails instead of leaving the field at its default
