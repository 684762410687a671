"""Cuebot's semantics through the gateway, and the REST tutorial's wrong bodies (protocol §3, §6)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from cuetui.demo.farm import DEAD, RUNNING, SUCCEEDED, WAITING, Farm
from cuetui.demo.server import DemoGatewayThread

from .helpers import wait_for


def post(client: httpx.Client, path: str, body: Any) -> Any:
    r = client.post(path, json=body)
    assert r.status_code == 200, (path, r.text)
    return r.json()


def all_jobs(client: httpx.Client, include_finished: bool = False) -> list[dict[str, Any]]:
    return post(client, "/job.JobInterface/GetJobs", {"r": {"includeFinished": include_finished}})["jobs"]["jobs"]


def job_with(gw: DemoGatewayThread, predicate: Any) -> Any:
    return gw.run(lambda farm: next(j for j in farm.jobs if predicate(j)))


# --- GetJobs -------------------------------------------------------------------------------------------
def test_get_jobs_filters(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    pending = all_jobs(client)
    everything = all_jobs(client, include_finished=True)
    assert all(j["state"] == "PENDING" for j in pending)
    assert len(everything) > len(pending)
    assert [j["name"] for j in everything] == sorted(j["name"] for j in everything)
    one = pending[0]
    by = lambda r: post(client, "/job.JobInterface/GetJobs", {"r": r})["jobs"]["jobs"]  # noqa: E731
    assert [j["id"] for j in by({"ids": [one["id"]]})] == [one["id"]]
    assert [j["name"] for j in by({"jobs": [one["name"]]})] == [one["name"]]
    assert {j["user"] for j in by({"users": [one["user"]]})} == {one["user"]}
    assert {j["shot"] for j in by({"shots": [one["shot"]]})} == {one["shot"]}
    assert {j["show"] for j in by({"shows": [one["show"]]})} == {one["show"]}
    assert by({"shows": ["testing"], "users": ["nobody"]}) == []
    part = one["name"].split("-")[1]
    assert all(part in j["name"] for j in by({"substr": [part]}))
    assert by({"substr": [part.upper()]}) == []  # LIKE is case-sensitive
    assert [j["name"] for j in by({"regex": ["^" + one["name"] + "$"]})] == [one["name"]]
    assert len(by({"ids": [pending[0]["id"], pending[1]["id"]]})) == 2  # OR inside a list


def test_find_job_get_job_get_current(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    finished = job_with(demo_gateway, lambda j: j.state_name == "FINISHED")
    assert post(client, "/job.JobInterface/GetJob", {"id": finished.id})["job"]["state"] == "FINISHED"
    assert client.post("/job.JobInterface/FindJob", json={"name": finished.name}).status_code == 404
    pending = job_with(demo_gateway, lambda j: j.state_name == "PENDING")
    assert post(client, "/job.JobInterface/FindJob", {"name": pending.name.upper()})["job"]["id"] == pending.id
    assert post(client, "/job.JobInterface/GetCurrent", {"job": {"id": pending.id}})["job"]["name"] == pending.name


# --- frames --------------------------------------------------------------------------------------------
def test_frame_paging(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = job_with(demo_gateway, lambda j: j.total >= 40 and len(j.layers) == 2)
    frames = lambda req: post(client, "/job.JobInterface/GetFrames", {"job": {"id": job.id}, "req": req})[  # noqa: E731
        "frames"
    ]["frames"]
    assert frames({}) == []
    assert frames({"page": 1}) == []
    assert frames({"page": 1, "limit": 0}) == []
    assert post(client, "/job.JobInterface/GetFrames", {"job": {"id": job.id}}) == {"frames": {"frames": []}}
    everything = frames({"page": 1, "limit": 100000})
    assert len(everything) == job.total
    page1, page2 = frames({"page": 1, "limit": 10}), frames({"page": 2, "limit": 10})
    assert everything[:10] == page1 and everything[10:20] == page2
    assert frames({"page": 0, "limit": 10}) == page1 and frames({"page": -3, "limit": 10}) == page1
    # Layers interleave: frame dispatch order first, then layer order.
    assert [f["layerName"] for f in page1[:2]] == [job.layers[0].name, job.layers[1].name]
    first = everything[0]["number"]
    spec = f"{first}-{first + 4}"
    render = frames({"page": 1, "limit": 1000, "layers": [job.layers[1].name], "frameRange": spec})
    assert {f["layerName"] for f in render} == {job.layers[1].name} and len(render) == 5
    name = everything[3]["name"]
    assert [f["name"] for f in frames({"page": 1, "limit": 10, "frames": [name]})] == [name]
    fid = everything[5]["id"]
    assert [f["id"] for f in frames({"page": 1, "limit": 10, "ids": [fid]})] == [fid]
    states = {f["state"] for f in frames({"page": 1, "limit": 1000, "states": {"frameStates": ["SUCCEEDED"]}})}
    assert states <= {"SUCCEEDED"}


def test_frame_interface_get_frames_by_name_and_layer_get_frames(
    demo_gateway: DemoGatewayThread, client: httpx.Client
) -> None:
    job = job_with(demo_gateway, lambda j: j.state_name == "PENDING")
    by_name = post(client, "/job.FrameInterface/GetFrames", {"job": job.name, "r": {"page": 1, "limit": 7}})
    assert len(by_name["frames"]["frames"]) == min(7, job.total)
    assert client.post("/job.FrameInterface/GetFrames", json={"job": job.id, "r": {"limit": 7}}).status_code == 500
    layer = job.layers[-1]
    by_layer = post(client, "/job.LayerInterface/GetFrames", {"layer": {"id": layer.id}, "s": {"limit": 1000}})
    assert {f["layerName"] for f in by_layer["frames"]["frames"]} == {layer.name}
    assert len(by_layer["frames"]["frames"]) == layer.count


def test_get_updated_frames(make_gateway: Any, gateway_token: str) -> None:
    demo_gateway = make_gateway(profile="studio")
    client = httpx.Client(base_url=demo_gateway.url, headers={"Authorization": f"Bearer {gateway_token}"})
    # The biggest job with frames running in its last layer (a show held at its burst runs none).
    job = demo_gateway.run(
        lambda farm: max(
            (j for j in farm.jobs if j.state_name == "PENDING" and j.layers[-1].counts[RUNNING]), key=lambda j: j.total
        )
    )
    assert job.total > 100
    now = demo_gateway.run(lambda farm: farm.now())
    r = post(client, "/job.JobInterface/GetUpdatedFrames", {"job": {"id": job.id}, "lastCheck": int(now) - 30})
    assert list(r) == ["state", "serverTime", "updatedFrames"]
    assert (
        r["serverTime"] == int(demo_gateway.run(lambda farm: farm.now())) - 1
        or abs(r["serverTime"] - (int(now) - 1)) <= 1
    )

    # Touch 150 frames: at most 100 come back.
    def touch(farm: Farm) -> None:
        j = farm.find_job(job.id)
        for i in range(150 if j.total >= 150 else j.total):
            j.f_updated[i] = farm.now()

    demo_gateway.run(touch)
    r = post(client, "/job.JobInterface/GetUpdatedFrames", {"job": {"id": job.id}, "lastCheck": int(now) - 1})
    assert len(r["updatedFrames"]["updatedFrames"]) == min(100, job.total)
    # layerFilter: only that layer's frames.
    layer = job.layers[-1]
    in_layer = post(
        client,
        "/job.JobInterface/GetFrames",
        {"job": {"id": job.id}, "req": {"layers": [layer.name], "page": 1, "limit": 100000}},
    )["frames"]["frames"]
    filtered = post(
        client,
        "/job.JobInterface/GetUpdatedFrames",
        {"job": {"id": job.id}, "lastCheck": int(now) - 1, "layerFilter": {"layers": [{"id": layer.id}]}},
    )["updatedFrames"]["updatedFrames"]
    assert filtered and {f["id"] for f in filtered} <= {f["id"] for f in in_layer}
    # GetFrames changeDate: only frames whose row changed after it.
    touched_ids = demo_gateway.run(lambda farm: {farm.find_job(job.id).frame_id(i) for i in range(150)})
    changed = post(
        client,
        "/job.JobInterface/GetFrames",
        {"job": {"id": job.id}, "req": {"changeDate": int(now) - 1, "page": 1, "limit": 100000}},
    )["frames"]["frames"]
    running = demo_gateway.run(lambda farm: farm.find_job(job.id).counts[2])
    assert touched_ids <= {f["id"] for f in changed} and len(changed) <= 150 + running
    assert set(r["updatedFrames"]["updatedFrames"][0]) == {
        "id",
        "state",
        "retryCount",
        "exitStatus",
        "startTime",
        "stopTime",
        "maxRss",
        "usedMemory",
        "lastResource",
        "lluTime",
        "maxGpuMemory",
        "usedGpuMemory",
        "frameStateDisplayOverride",
        "maxPss",
    }


@pytest.mark.parametrize("last_check", [None, 0, "OLD"])
def test_get_updated_frames_hangs_until_grpc_timeout(
    demo_gateway: DemoGatewayThread, client: httpx.Client, last_check: Any
) -> None:
    job = job_with(demo_gateway, lambda j: j.state_name == "PENDING")
    body: dict[str, Any] = {"job": {"id": job.id}}
    if last_check == "OLD":
        body["lastCheck"] = int(demo_gateway.run(lambda farm: farm.now())) - 61
    elif last_check is not None:
        body["lastCheck"] = last_check
    started = time.monotonic()
    r = client.post("/job.JobInterface/GetUpdatedFrames", json=body, headers={"Grpc-Timeout": "300m"})
    assert r.status_code == 504
    # The gateway's own Go context deadline fires: its words, as the real gateway binary answers.
    assert r.content == b'{"code":4,"message":"context deadline exceeded","details":[]}'
    assert 0.25 <= time.monotonic() - started < 5
    with pytest.raises(httpx.ReadTimeout):
        client.post("/job.JobInterface/GetUpdatedFrames", json=body, timeout=0.5)


# --- actions -------------------------------------------------------------------------------------------
def test_pause_resume_priority_cores(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = job_with(demo_gateway, lambda j: j.state_name == "PENDING")
    ref = {"job": {"id": job.id}}
    view = lambda: demo_gateway.run(lambda farm: farm.find_job(job.id))  # noqa: E731
    post(client, "/job.JobInterface/Pause", ref)
    assert view().is_paused
    post(client, "/job.JobInterface/Resume", ref)
    assert not view().is_paused
    post(client, "/job.JobInterface/SetPriority", {**ref, "val": 75})
    assert view().priority == 75
    post(client, "/job.JobInterface/SetPriority", ref)  # no val → 0
    assert view().priority == 0
    post(client, "/job.JobInterface/SetMinCores", {**ref, "val": 2.7})
    post(client, "/job.JobInterface/SetMaxCores", {**ref, "val": 64.9})
    assert (view().min_cores, view().max_cores) == (2.0, 64.0)
    got = post(client, "/job.JobInterface/GetJob", {"id": job.id})["job"]
    assert (got["minCores"], got["maxCores"], got["priority"]) == (2, 64, 0)


def test_kill_needs_a_reason_and_is_asynchronous(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = job_with(demo_gateway, lambda j: j.state_name == "PENDING" and j.counts[RUNNING] > 0)
    assert post(client, "/job.JobInterface/Kill", {"job": {"id": job.id}}) == {}
    assert demo_gateway.run(lambda farm: farm.find_job(job.id).state_name) == "PENDING"
    post(
        client,
        "/job.JobInterface/Kill",
        {"job": {"id": job.id}, "username": "t", "pid": "1", "hostKill": "ws", "reason": "tests"},
    )
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(job.id).state_name) == "FINISHED", 5)
    assert demo_gateway.run(lambda farm: farm.find_job(job.id).counts[RUNNING]) == 0
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_retry_eat_kill_frames_criteria(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = job_with(demo_gateway, lambda j: j.counts[DEAD] > 0)
    ref = {"job": {"id": job.id}}
    counts = lambda: demo_gateway.run(lambda farm: list(farm.find_job(job.id).counts))  # noqa: E731
    before = counts()
    post(client, "/job.JobInterface/RetryFrames", {**ref, "req": {"states": {"frameStates": ["DEAD"]}}})
    after = counts()
    assert after[DEAD] == 0 and after[WAITING] == before[WAITING] + before[DEAD]
    # Mis-spelt criteria match every frame: EatFrames eats the whole job except SUCCEEDED and RUNNING ones.
    post(client, "/job.JobInterface/EatFrames", {**ref, "req": {"states": {"frameStates": ["dead"]}}})
    eaten = counts()
    assert eaten[WAITING] == 0 and eaten[DEAD] == 0 and eaten[SUCCEEDED] == before[SUCCEEDED]
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_empty_retry_criteria_requeue_everything_not_running(
    demo_gateway: DemoGatewayThread, client: httpx.Client
) -> None:
    job = job_with(demo_gateway, lambda j: j.counts[SUCCEEDED] > 0 and j.counts[RUNNING] > 0)
    running = job.counts[RUNNING]
    post(client, "/job.JobInterface/RetryFrames", {"job": {"id": job.id}, "req": {}})
    c = demo_gateway.run(lambda farm: list(farm.find_job(job.id).counts))
    assert c[SUCCEEDED] == 0 and c[RUNNING] == running and c[WAITING] == job.total - running


def test_kill_frames_ignores_states(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = job_with(demo_gateway, lambda j: j.counts[RUNNING] > 0)
    post(
        client,
        "/job.JobInterface/KillFrames",
        {"job": {"id": job.id}, "req": {"states": {"frameStates": ["DEAD"]}}, "reason": "test"},
    )
    assert demo_gateway.run(lambda farm: farm.find_job(job.id).counts[RUNNING]) == 0
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_frame_actions(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    def pick(farm: Farm) -> tuple[str, str, str]:
        (j, i), _proc = next(iter(farm.procs.items()))
        job = farm.jobs[j]
        other = next(o for o in farm.jobs if SUCCEEDED in o.f_state)
        succeeded = other.f_state.index(SUCCEEDED)
        return job.id, job.frame_id(i), other.frame_id(succeeded)

    _job_id, running_id, succeeded_id = demo_gateway.run(pick)
    state = lambda fid: post(client, "/job.FrameInterface/GetFrame", {"id": fid})["frame"]["state"]  # noqa: E731
    post(client, "/job.FrameInterface/Eat", {"frame": {"id": succeeded_id}})
    assert state(succeeded_id) == "SUCCEEDED"
    post(client, "/job.FrameInterface/Retry", {"frame": {"id": succeeded_id}})
    assert state(succeeded_id) == "WAITING"
    post(client, "/job.FrameInterface/Kill", {"frame": {"id": running_id}, "reason": "t"})
    assert state(running_id) == "WAITING"
    post(client, "/job.FrameInterface/Eat", {"frame": {"id": running_id}})
    assert state(running_id) == "EATEN"
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_host_actions_and_comments(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    host = demo_gateway.run(lambda farm: next(h for h in farm.hosts if h.procs))
    ref = {"host": {"id": host.id}}
    view = lambda: post(client, "/host.HostInterface/GetHost", {"id": host.id})["host"]  # noqa: E731
    post(client, "/host.HostInterface/Lock", ref)
    assert view()["lockState"] == "LOCKED"
    post(client, "/host.HostInterface/Unlock", ref)
    assert view()["lockState"] == "OPEN"
    post(client, "/host.HostInterface/RebootWhenIdle", ref)
    assert view()["state"] == "REBOOT_WHEN_IDLE"
    post(client, "/host.HostInterface/Reboot", ref)
    assert view()["state"] in ("REBOOTING", "DOWN")  # DOWN once RQD's last report is in
    assert post(client, "/host.HostInterface/GetProcs", ref) == {"procs": {"procs": []}}
    wait_for(lambda: view()["state"] == "UP", 30)
    assert view()["hasComment"] is False
    post(
        client,
        "/host.HostInterface/AddComment",
        {**ref, "newComment": {"user": "u", "subject": "s", "message": "m"}},
    )
    comments = post(client, "/host.HostInterface/GetComments", ref)["comments"]["comments"]
    assert [(c["user"], c["subject"], c["message"]) for c in comments] == [("u", "s", "m")]
    assert view()["hasComment"] is True
    post(client, "/comment.CommentInterface/Save", {"comment": {**comments[0], "subject": "s2"}})
    assert post(client, "/host.HostInterface/GetComments", ref)["comments"]["comments"][0]["subject"] == "s2"
    post(client, "/comment.CommentInterface/Delete", {"comment": {"id": comments[0]["id"]}})
    assert post(client, "/host.HostInterface/GetComments", ref)["comments"]["comments"] == []


def test_hosts_and_procs_criteria(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    hosts = post(client, "/host.HostInterface/GetHosts", {"r": {}})["hosts"]["hosts"]
    up = post(client, "/host.HostInterface/GetHosts", {"r": {"states": {"state": ["UP"]}}})["hosts"]["hosts"]
    assert {h["state"] for h in up} == {"UP"} and len(up) <= len(hosts)
    name = hosts[0]["name"]
    assert [h["name"] for h in post(client, "/host.HostInterface/FindHost", {"name": name}).values()] == [name]
    procs = post(client, "/host.ProcInterface/GetProcs", {"r": {"hosts": [name]}})["procs"]["procs"]
    assert all(p["name"].startswith(name + "/") for p in procs)
    limited = post(client, "/host.ProcInterface/GetProcs", {"r": {"maxResults": [2]}})["procs"]["procs"]
    assert len(limited) == 2


# --- the tutorial's bodies (protocol §6) --------------------------------------------------------------
def test_tutorial_bodies_behave_like_the_real_gateway(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    every_pending = all_jobs(client)
    # 1-3: `show`, `user`, `maxResults` are not JobSearchCriteria fields → every pending job.
    for r in (
        {"show": "testing"},
        {"show": "testing", "user": "artist1"},
        {"show": {"name": "testing"}},
        {"show": {"name": "nope"}, "maxResults": 1},
        {"state": "RUNNING"},
    ):
        assert post(client, "/job.JobInterface/GetJobs", {"r": r})["jobs"]["jobs"] == every_pending
    job = every_pending[0]
    # 5: GetJob by id is right.
    assert post(client, "/job.JobInterface/GetJob", {"id": job["id"]})["job"]["id"] == job["id"]
    # 6-8, 16: the frame package does not exist.
    for path in (
        "/frame.FrameInterface/GetFrames",
        "/frame.FrameInterface/GetFrame",
        "/frame.FrameInterface/Retry",
    ):
        r = client.post(path, json={"r": {"job": job["id"]}})
        assert (r.status_code, r.json()) == (404, {"code": 5, "message": "Not Found", "details": []})
    # 6 at the right path: `job` inside `r` dropped, top-level job "" → 500.
    r = client.post("/job.FrameInterface/GetFrames", json={"r": {"job": job["id"]}})
    assert r.status_code == 500 and r.json()["code"] == 13
    # 7: `state` inside req is dropped: no state filter.
    frames = post(
        client,
        "/job.JobInterface/GetFrames",
        {"job": {"id": job["id"]}, "req": {"state": ["DEAD"], "page": 1, "limit": 1000}},
    )
    assert len(frames["frames"]["frames"]) == job["jobStats"]["totalFrames"]
    # 9, 10: GetHosts {"r":{}} all hosts; {"r":{"state":["UP"]}} also all hosts, DOWN ones included.
    hosts = post(client, "/host.HostInterface/GetHosts", {"r": {}})["hosts"]["hosts"]
    assert post(client, "/host.HostInterface/GetHosts", {"r": {"state": ["UP"]}})["hosts"]["hosts"] == hosts
    assert any(h["state"] != "UP" for h in hosts)
    # 11: GetHost by name: name dropped → 404.
    r = client.post("/host.HostInterface/GetHost", json={"name": hosts[0]["name"]})
    assert r.status_code == 404 and r.json()["message"] == "Incorrect result size: expected 1, actual 0"
    # 12: there is no ShowInterface/GetShow.
    assert client.post("/show.ShowInterface/GetShow", json={"name": "testing"}).status_code == 404
    # 14: Kill without reason: 200 {} and nothing happens.
    assert post(client, "/job.JobInterface/Kill", {"job": {"id": job["id"]}}) == {}
    # 15: SetPriority with `priority` → priority becomes 0.
    assert post(client, "/job.JobInterface/SetPriority", {"job": {"id": job["id"]}, "priority": 75}) == {}
    assert post(client, "/job.JobInterface/GetJob", {"id": job["id"]})["job"]["priority"] == 0
    assert post(client, "/job.JobInterface/GetJob", {"id": job["id"]})["job"]["state"] == "PENDING"
    # 23: packages that do not exist.
    for path in (
        "/layer.LayerInterface/GetFrames",
        "/group.GroupInterface/GetGroups",
        "/proc.ProcInterface/GetProcs",
        "/owner.OwnerInterface/GetOwner",
        "/deed.DeedInterface/GetHost",
        "/comment.CommentInterface/GetComments",
    ):
        assert client.post(path, json={}).status_code == 404
    # 13: Pause/Resume with {"job":{"id"}} are right.
    assert post(client, "/job.JobInterface/Pause", {"job": {"id": job["id"]}}) == {}


def test_farm_query_api(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = all_jobs(client)[0]
    post(client, "/job.JobInterface/Pause", {"job": {"id": job["id"]}})
    view = demo_gateway.run(lambda farm: farm.find_job(job["name"]))
    assert (view.id, view.name, view.state, view.is_paused, view.priority) == (
        job["id"],
        job["name"],
        "PENDING",
        True,
        job["priority"],
    )
    states = demo_gateway.run(lambda farm: farm.find_job(job["id"]).frame_states())
    assert len(states) == job["jobStats"]["totalFrames"]
    name, state = next(iter(states.items()))
    assert demo_gateway.run(lambda farm: farm.find_job(job["id"]).frame_state(name)) == state
    assert (
        demo_gateway.run(lambda farm: farm.find_job(job["id"]).stats())["waiting"] == job["jobStats"]["waitingFrames"]
    )
    host = demo_gateway.run(lambda farm: farm.find_host("render001"))
    assert (host.name, host.state, host.lock_state) == ("render001", "UP", "OPEN")
    assert demo_gateway.run(lambda farm: farm.find_job("nope")) is None
