"""A layer's frame actions, a frame's depend state, a job's mark-done and group, a layer's limits, dispatch
order, start-after gate and memory optimizer, through the gateway: Cuebot's semantics checked on the
farm's state (and on what the scheduler then books)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from cuetui.demo.farm import RUNNING, Farm
from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET
from tests.schema import check_request, check_response

GB = 1048576
MakeGateway = Callable[..., DemoGatewayThread]


def _frames(layer: str, n: int, state: str = "WAITING") -> list[dict[str, Any]]:
    return [{"layerName": layer, "number": k, "state": state} for k in range(1, n + 1)]


def scenario() -> dict[str, Any]:
    """One 8-core host; job `j` with layers a and b of 3 WAITING frames each; job `other` with layer a."""
    layer = {"minCores": 1, "minMemory": GB, "tags": ["general"]}
    return {
        "shows": [{"name": "s"}],
        "hosts": [
            {"host": {"name": "h1", "cores": 8, "memory": 32 * GB, "allocName": "local.general", "tags": ["general"]}}
        ],
        "jobs": [
            {
                "job": {"name": "j", "show": "s"},
                "layers": [{"name": "a", **layer}, {"name": "b", **layer}],
                "frames": _frames("a", 3) + _frames("b", 3),
            },
            {"job": {"name": "other", "show": "s"}, "layers": [{"name": "a", **layer}], "frames": _frames("a", 2)},
        ],
    }


def _running(data: dict[str, Any], job: str, frame: str) -> None:
    """Frame `frame` of `job` RUNNING on h1 with a one-core proc."""
    entry = next(e for e in data["jobs"] if e["job"]["name"] == job)
    for f in entry["frames"]:
        if f"{f['number']:04d}-{f['layerName']}" == frame:
            f["state"] = "RUNNING"
    proc = {"jobName": job, "frameName": frame, "reservedCores": 1, "reservedMemory": GB}
    data["hosts"][0].setdefault("procs", []).append(proc)


class Farmhand:
    """A scenario farm behind the demo gateway, and a client of it."""

    def __init__(self, make_gateway: MakeGateway, tmp_path: Path, data: dict[str, Any]) -> None:
        path = tmp_path / "scenario.json"
        path.write_text(json.dumps(data))
        self.gw = make_gateway(scenario=str(path), profile=None, log_root=tmp_path / "logs")
        token = jwt.encode({"sub": "t"}, DEMO_SECRET, algorithm="HS256")
        self.client = httpx.Client(base_url=self.gw.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.job = self.gw.run(lambda farm: farm.jobs_by_name["j"])

    def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        check_request(path, body)
        r = self.client.post(path, json=body)
        assert r.status_code == status, (path, r.text)
        if status == 200:
            check_response(path, r.content)
        return r.json()

    def layer(self, name: str, job: str = "j") -> dict[str, str]:
        found = self.gw.run(lambda farm: next(x for x in farm.jobs_by_name[job].layers if x.name == name))
        return {"id": found.id}

    def frame(self, name: str, job: str = "j") -> dict[str, str]:
        def find(farm: Farm) -> str:
            j = farm.jobs_by_name[job]
            i = j.frame_index(name)
            assert i is not None
            return j.frame_id(i)

        return {"id": self.gw.run(find)}

    def states(self, job: str = "j") -> dict[str, str]:
        """Frame name -> state name."""

        return self.gw.run(lambda farm: dict(farm.jobs_by_name[job].frame_states()))

    def dispatch(self) -> None:
        def run(farm: Farm) -> None:
            farm.dispatch(budget=100)
            farm.check_invariants()

        self.gw.run(run)

    def get_layer(self, name: str) -> dict[str, Any]:
        return self.post("/job.LayerInterface/GetLayer", {"id": self.layer(name)["id"]})["layer"]  # type: ignore[no-any-return]


@pytest.fixture
def farmhand(make_gateway: MakeGateway, tmp_path: Path) -> Callable[[dict[str, Any]], Farmhand]:
    return lambda data: Farmhand(make_gateway, tmp_path, data)


def _dead_in(data: dict[str, Any], layer: str) -> None:
    for f in data["jobs"][0]["frames"]:
        if f["layerName"] == layer and f["number"] < 3:
            f["state"] = "DEAD"


def test_a_layers_retry_eat_and_kill_act_on_that_layers_frames_only(farmhand: Callable[..., Farmhand]) -> None:
    data = scenario()
    _dead_in(data, "a")
    _dead_in(data, "b")
    _running(data, "j", "0003-a")
    hand = farmhand(data)
    hand.post("/job.LayerInterface/RetryFrames", {"layer": hand.layer("a")})
    states = hand.states()
    assert [states[f"000{n}-a"] for n in (1, 2, 3)] == ["WAITING", "WAITING", "RUNNING"]  # running: not retried
    assert [states[f"000{n}-b"] for n in (1, 2)] == ["DEAD", "DEAD"]
    assert hand.gw.run(lambda farm: [hand.job.f_retry[i] for i in range(2)]) == [1, 1]

    hand.post("/job.LayerInterface/KillFrames", {"layer": hand.layer("a"), "username": "t", "reason": "test"})
    assert hand.states()["0003-a"] == "WAITING"  # killed, back to waiting
    assert hand.gw.run(lambda farm: len(farm.procs)) == 0

    hand.post("/job.LayerInterface/EatFrames", {"layer": hand.layer("b")})
    states = hand.states()
    assert {states[f"000{n}-b"] for n in (1, 2, 3)} == {"EATEN"}
    assert {states[f"000{n}-a"] for n in (1, 2, 3)} == {"WAITING"}
    assert hand.states("other") == {"0001-a": "WAITING", "0002-a": "WAITING"}  # another job's layer "a": untouched

    missing = hand.post("/job.LayerInterface/RetryFrames", {"layer": {"id": "nope"}}, status=500)
    assert missing["code"] == 13 and "EmptyResultDataAccessException" in missing["message"]


def test_mark_as_waiting_releases_a_held_frame_and_mark_as_depend_holds_it_again(
    farmhand: Callable[..., Farmhand],
) -> None:
    data = scenario()
    data["depends"] = [{"type": "JOB_ON_JOB", "dependErJob": "j", "dependOnJob": "other"}]
    data["jobs"][0]["frames"][2]["state"] = "DEAD"  # 0003-a
    hand = farmhand(data)
    assert hand.states()["0001-a"] == "DEPEND"
    hand.post("/job.FrameInterface/MarkAsWaiting", {"frame": hand.frame("0001-a")})
    hand.post("/job.FrameInterface/MarkAsWaiting", {"frame": hand.frame("0003-a")})  # not DEPEND: left alone
    states = hand.states()
    assert (states["0001-a"], states["0002-a"], states["0003-a"]) == ("WAITING", "DEPEND", "DEAD")
    hand.post("/job.FrameInterface/MarkAsDepend", {"frame": hand.frame("0001-a", job="other")})
    assert hand.states("other")["0001-a"] == "WAITING"  # no dependency holds it: it stays WAITING
    hand.dispatch()
    assert hand.states()["0001-a"] == "RUNNING"  # released: the scheduler books it, its siblings still wait

    hand.post("/job.FrameInterface/MarkAsWaiting", {"frame": hand.frame("0001-b")})
    hand.post("/job.FrameInterface/MarkAsDepend", {"frame": hand.frame("0001-b")})
    assert hand.states()["0001-b"] == "DEPEND"  # the job-on-job dependency still holds it
    missing = hand.post("/job.FrameInterface/MarkAsDepend", {"frame": {"id": "nope"}}, status=500)
    assert missing["code"] == 13


def test_job_mark_as_waiting_releases_only_depend_frames_as_the_frame_call_does(
    farmhand: Callable[..., Farmhand],
) -> None:
    data = scenario()
    data["depends"] = [{"type": "JOB_ON_JOB", "dependErJob": "j", "dependOnJob": "other"}]
    frames = data["jobs"][0]["frames"]
    frames[2]["state"] = "DEAD"  # 0003-a
    frames[4]["state"] = "SUCCEEDED"  # 0002-b
    frames[5]["state"] = "EATEN"  # 0003-b
    hand = farmhand(data)
    before = hand.states()
    assert [before[f] for f in ("0001-a", "0002-a", "0001-b")] == ["DEPEND"] * 3
    retries = hand.gw.run(lambda farm: list(hand.job.f_retry))
    for name in ("0003-a", "0002-b", "0003-b"):  # the frame's call: not DEPEND, left as it is
        hand.post("/job.FrameInterface/MarkAsWaiting", {"frame": hand.frame(name)})
    assert hand.states() == before
    hand.post("/job.JobInterface/MarkAsWaiting", {"job": {"id": hand.job.id}, "req": {"layers": ["a", "b"]}})
    after = hand.states()
    assert after == {**before, "0001-a": "WAITING", "0002-a": "WAITING", "0001-b": "WAITING"}
    assert (after["0003-a"], after["0002-b"], after["0003-b"]) == ("DEAD", "SUCCEEDED", "EATEN")
    assert hand.gw.run(lambda farm: list(hand.job.f_retry)) == retries  # no retry counted
    hand.gw.run(lambda farm: farm.check_invariants())


def test_mark_done_frames_of_a_job_satisfies_what_waits_on_them_and_leaves_the_frames(
    farmhand: Callable[..., Farmhand],
) -> None:
    """Cuebot's frame search path: every dependency waiting ON one of the searched frames is satisfied
    (here b waits on frame 1 of a); a LAYER_ON_LAYER on their layer is not one of them; no frame
    changes state, the running one keeps running."""
    data = scenario()
    data["depends"] = [
        {
            "type": "LAYER_ON_FRAME",
            "dependErJob": "j",
            "dependErLayer": "b",
            "dependOnJob": "j",
            "dependOnFrame": "0001-a",
        },
        {
            "type": "LAYER_ON_LAYER",
            "dependErJob": "other",
            "dependErLayer": "a",
            "dependOnJob": "j",
            "dependOnLayer": "a",
        },
    ]
    _running(data, "j", "0001-a")
    hand = farmhand(data)
    before = hand.states()
    assert before["0001-b"] == "DEPEND" and before["0001-a"] == "RUNNING"
    hand.post("/job.JobInterface/MarkDoneFrames", {"job": {"id": hand.job.id}, "req": {"layers": ["a"]}})
    after = hand.states()
    assert {after[f"000{n}-a"] for n in (1, 2, 3)} == {before[f"000{n}-a"] for n in (1, 2, 3)}
    assert {after[f"000{n}-b"] for n in (1, 2, 3)} == {"WAITING"}  # what waited on frame 1 of a goes
    assert set(hand.states("other").values()) == {"DEPEND"}  # the layer-on-layer one still holds
    assert hand.gw.run(lambda farm: (len(farm.procs), [d.active for d in farm.resources.depends])) == (1, [False, True])
    missing = hand.post("/job.JobInterface/MarkDoneFrames", {"job": {"id": "nope"}}, status=404)
    assert missing == {"code": 5, "message": "Job not found", "details": []}


def test_set_group_moves_the_job_and_its_running_cores(farmhand: Callable[..., Farmhand]) -> None:
    data = scenario()
    data["groups"] = [
        {"id": "root", "name": "s"},
        {"name": "fx", "parentId": "root", "maxCores": 2, "defaultJobPriority": 321},
    ]
    data["shows"].append({"name": "t"})
    _running(data, "j", "0001-a")
    hand = farmhand(data)
    groups = hand.post("/show.ShowInterface/GetGroups", {"show": {"id": hand.job.show.id}})["groups"]["groups"]
    fx = next(g for g in groups if g["name"] == "fx")
    before = hand.post("/job.JobInterface/GetJob", {"id": hand.job.id})["job"]
    hand.post("/job.JobInterface/SetGroup", {"job": {"id": hand.job.id}, "groupId": fx["id"]})
    moved = hand.post("/job.JobInterface/GetJob", {"id": hand.job.id})["job"]
    assert (moved["group"], moved["priority"]) == ("fx", 321)  # the group's job default that is set applies
    assert moved["maxCores"] == before["maxCores"]  # fx sets no default max cores: the job keeps its own
    jobs = hand.post("/job.GroupInterface/GetJobs", {"group": {"id": fx["id"]}})["jobs"]["jobs"]
    assert [j["name"] for j in jobs] == [hand.job.name]
    got = hand.post("/job.GroupInterface/GetGroup", {"id": fx["id"]})["group"]
    assert got["groupStats"]["reservedCores"] == 1 and got["groupStats"]["runningFrames"] == 1
    hand.dispatch()  # fx caps its jobs at 2 cores: one more frame of j, the other job's run
    assert hand.gw.run(lambda farm: hand.job.counts[RUNNING]) == 2
    assert hand.gw.run(lambda farm: farm.jobs_by_name["other"].counts[RUNNING]) == 2

    for body in ({"job": {"id": hand.job.id}, "groupId": "nope"}, {"job": {"id": "nope"}, "groupId": fx["id"]}):
        assert hand.post("/job.JobInterface/SetGroup", body, status=404)["message"] == "Job not found"
    elsewhere = hand.gw.run(lambda farm: farm.resources.root_group(farm.shows[1]).id)
    across = hand.post("/job.JobInterface/SetGroup", {"job": {"id": hand.job.id}, "groupId": elsewhere}, status=500)
    assert across["message"].startswith("com.imageworks.spcue.EntityModificationError: error moving job, cannot move")
    assert hand.post("/job.JobInterface/GetJob", {"id": hand.job.id})["job"]["group"] == "fx"


def test_a_limit_added_to_a_layer_caps_its_running_frames_until_dropped(farmhand: Callable[..., Farmhand]) -> None:
    data = scenario()
    data["limits"] = [{"name": "lic", "maxValue": 2}]
    _running(data, "j", "0001-a")
    hand = farmhand(data)
    lic = hand.post("/limit.LimitInterface/Find", {"name": "lic"})["limit"]
    layer = hand.layer("a")
    assert hand.post("/job.LayerInterface/GetLimits", {"layer": layer}) == {"limits": []}
    hand.post("/job.LayerInterface/AddLimit", {"layer": layer, "limitId": lic["id"]})
    hand.post("/job.LayerInterface/AddLimit", {"layer": layer, "limitId": "no-such-limit"})  # nothing to see
    assert hand.get_layer("a")["limits"] == ["lic"]
    limits = hand.post("/job.LayerInterface/GetLimits", {"layer": layer})["limits"]
    got = [{k: lim[k] for k in ("id", "name", "maxValue", "currentRunning")} for lim in limits]
    assert got == [{"id": lic["id"], "name": "lic", "maxValue": 2, "currentRunning": 1}]  # this layer's running
    assert hand.gw.run(lambda farm: farm.resources.limit_running("lic")) == 1  # the running frame counts
    hand.dispatch()
    assert hand.gw.run(lambda farm: hand.job.layers[0].counts[RUNNING]) == 2  # capped at the limit's 2
    assert hand.states()["0003-a"] == "WAITING"

    hand.post("/job.LayerInterface/DropLimit", {"layer": layer, "limitId": lic["id"]})
    assert hand.get_layer("a")["limits"] == [""]
    assert hand.post("/job.LayerInterface/GetLimits", {"layer": layer}) == {"limits": []}
    assert hand.gw.run(lambda farm: farm.resources.limit_running("lic")) == 0
    hand.dispatch()
    assert hand.gw.run(lambda farm: hand.job.layers[0].counts[RUNNING]) == 3
    assert hand.gw.run(lambda farm: farm.resources.limit_used.get("lic", 0)) == 0  # counters stay right


def test_set_dispatch_order_changes_which_layer_goes_first(farmhand: Callable[..., Farmhand]) -> None:
    hand = farmhand(scenario())
    jid = {"id": hand.job.id}
    first = hand.post("/job.JobInterface/GetFrames", {"job": jid, "req": {"limit": 2}})["frames"]["frames"]
    assert [f["name"] for f in first] == ["0001-a", "0001-b"]
    hand.post("/job.LayerInterface/SetDispatchOrder", {"layer": hand.layer("a"), "order": 5})
    hand.post("/job.LayerInterface/SetDispatchOrder", {"layer": hand.layer("b"), "order": 1})
    assert hand.get_layer("a")["dispatchOrder"] == 5
    layers = hand.post("/job.JobInterface/GetLayers", {"job": jid})["layers"]["layers"]
    assert [x["name"] for x in layers] == ["b", "a"]
    first = hand.post("/job.JobInterface/GetFrames", {"job": jid, "req": {"limit": 2}})["frames"]["frames"]
    assert [f["name"] for f in first] == ["0001-b", "0001-a"]
    refused = hand.post("/job.LayerInterface/SetDispatchOrder", {"layer": hand.layer("a"), "order": 0}, status=500)
    assert refused["message"].startswith("java.lang.IllegalArgumentException: Layer dispatch order must be positive.")
    assert hand.get_layer("a")["dispatchOrder"] == 5


def test_start_after_holds_a_layer_until_cleared(farmhand: Callable[..., Farmhand]) -> None:
    hand = farmhand(scenario())
    now = int(hand.gw.run(lambda farm: farm.now()))
    layer = hand.layer("a")
    hand.post("/job.LayerInterface/SetStartAfter", {"layer": layer, "startAfter": str(now + 3600), "username": "ann"})
    shown = hand.get_layer("a")
    assert (int(shown["startAfter"]), shown["startAfterReason"]) == (now + 3600, "Set by ann")
    hand.dispatch()
    states = hand.states()
    assert {states[f"000{n}-a"] for n in (1, 2, 3)} == {"WAITING"}  # gated
    assert {states[f"000{n}-b"] for n in (1, 2, 3)} == {"RUNNING"}  # the job's other layer goes on
    for bad in (-1, now + 6 * 365 * 24 * 3600, (now + 60) * 1000):
        err = hand.post("/job.LayerInterface/SetStartAfter", {"layer": layer, "startAfter": str(bad)}, status=400)
        assert err["code"] == 3 and f"got {bad}." in err["message"]
    hand.post("/job.LayerInterface/SetStartAfter", {"layer": layer})  # 0, the default, clears the gate
    shown = hand.get_layer("a")
    assert (int(shown["startAfter"]), shown["startAfterReason"]) == (0, "")
    hand.dispatch()
    assert hand.states()["0001-a"] == "RUNNING"


def test_memory_optimizer_is_stored_and_shown_and_set_min_gpu_is_unimplemented(
    farmhand: Callable[..., Farmhand],
) -> None:
    hand = farmhand(scenario())
    layer = hand.layer("a")
    hand.post("/job.LayerInterface/EnableMemoryOptimizer", {"layer": layer})  # false, the default
    assert hand.get_layer("a")["memoryOptimizerEnabled"] is False
    hand.post("/job.LayerInterface/EnableMemoryOptimizer", {"layer": layer, "value": True})
    assert hand.get_layer("a")["memoryOptimizerEnabled"] is True
    err = hand.post("/job.LayerInterface/SetMinGpu", {"layer": layer, "gpu": "1"}, status=501)
    assert err == {"code": 12, "message": "Method job.LayerInterface/SetMinGpu is unimplemented", "details": []}
