"""Dependencies, subscriptions, allocations, limits and groups in the simulated farm: Cuebot's semantics
on the farm itself, and their RPCs over HTTP checked strictly against opencue-proto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jwt

from cuetui.demo.farm import DEPEND, RUNNING, SUCCEEDED, WAITING, Farm
from cuetui.demo.profiles import build_farm
from cuetui.demo.rpc_farm import subscription_json
from cuetui.demo.scenario import farm_from_scenario
from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET
from tests.schema import check_request, check_response


def _scenario(**extra: Any) -> dict[str, Any]:
    frames = [{"layerName": layer, "number": n, "state": "WAITING"} for layer in ("a", "b") for n in (1, 2)]
    data: dict[str, Any] = {
        "shows": [{"name": "s"}],
        "hosts": [{"host": {"name": "h1", "cores": 8, "allocName": "local.general", "tags": ["general"]}}],
        "jobs": [
            {"job": {"name": "up", "show": "s"}, "layers": [{"name": "a"}, {"name": "b"}], "frames": frames},
            {"job": {"name": "down", "show": "s"}, "layers": [{"name": "a"}, {"name": "b"}], "frames": frames},
        ],
    }
    data.update(extra)
    return data


def _finish(farm: Farm, job_name: str, frame: str) -> None:
    job = farm.jobs_by_name[job_name]
    i = job.frame_index(frame)
    assert i is not None
    farm.set_state(job, i, SUCCEEDED)


def test_job_on_job_holds_every_frame_until_the_other_job_is_done() -> None:
    farm = farm_from_scenario(
        _scenario(depends=[{"type": "JOB_ON_JOB", "dependErJob": "down", "dependOnJob": "up"}]), speed=0
    )
    down = farm.find_job("down")
    assert down is not None
    assert set(down.frame_states().values()) == {"DEPEND"}
    for frame in ("0001-a", "0002-a", "0001-b"):
        _finish(farm, "up", frame)
    assert set(down.frame_states().values()) == {"DEPEND"}  # one frame left there
    assert farm.resources.depends[0].frames_left() == 1
    _finish(farm, "up", "0002-b")
    assert set(down.frame_states().values()) == {"WAITING"}
    assert farm.resources.depends[0].active is False
    farm.check_invariants()


def test_frame_by_frame_releases_each_frame_as_its_partner_finishes() -> None:
    fbf = {
        "type": "FRAME_BY_FRAME",
        "dependErJob": "up",
        "dependErLayer": "b",
        "dependOnJob": "up",
        "dependOnLayer": "a",
    }
    farm = farm_from_scenario(_scenario(depends=[fbf]), speed=0)
    up = farm.find_job("up")
    assert up is not None
    assert up.frame_state("0001-b") == "DEPEND" and up.frame_state("0002-b") == "DEPEND"
    _finish(farm, "up", "0002-a")
    assert up.frame_state("0002-b") == "WAITING" and up.frame_state("0001-b") == "DEPEND"
    assert farm.resources.depends[0].active
    _finish(farm, "up", "0001-a")
    assert up.frame_state("0001-b") == "WAITING"
    assert not farm.resources.depends[0].active


def test_a_subscription_burst_caps_the_cores_a_show_runs() -> None:
    # In core units, as on the wire: size 1 core, burst 2 cores.
    subs = [{"showName": "s", "allocationName": "local.general", "size": 100, "burst": 200}]
    farm = farm_from_scenario(_scenario(subscriptions=subs), speed=0)
    assert [(s.size, s.burst) for s in farm.resources.subscriptions] == [(1.0, 2.0)]
    farm.dispatch(budget=100)
    assert farm.resources.show_cores(farm.shows[0], "local.general") == 2.0
    assert sum(j.counts[RUNNING] for j in farm.jobs) == 2
    farm.check_invariants()


def test_a_limit_caps_running_frames_and_a_group_its_cores() -> None:
    data = _scenario(limits=[{"name": "lic", "maxValue": 1}], groups=[{"name": "s"}, {"name": "g", "maxCores": 3}])
    data["jobs"][0]["layers"][0]["limits"] = ["lic"]
    data["jobs"][0]["layers"][1]["limits"] = ["lic"]
    data["jobs"][1]["job"]["group"] = "g"
    farm = farm_from_scenario(data, speed=0)
    # The child group names no parent: it is a root group only if it names a show; "g" does not.
    assert [g.name for g in farm.resources.groups] == ["s"]
    farm = farm_from_scenario(
        {**data, "groups": [{"id": "root", "name": "s"}, {"name": "g", "maxCores": 3, "parentId": "root"}]}, speed=0
    )
    farm.dispatch(budget=100)
    up, down = farm.jobs_by_name["up"], farm.jobs_by_name["down"]
    assert up.counts[RUNNING] == 1  # the limit
    assert down.counts[RUNNING] == 3  # the group's 3 cores, one a frame
    assert farm.resources.limit_running("lic") == 1
    farm.check_invariants()


def test_the_studio_profile_stages_jobs_waiting_for_each_reason() -> None:
    farm = build_farm("studio", seed=0, speed=0.0, write_logs=False)
    res = farm.resources
    kinds = {d.type_name for d in res.depends if d.active}
    assert {"JOB_ON_JOB", "LAYER_ON_LAYER", "FRAME_BY_FRAME"} <= kinds
    assert all(d.er_job.counts[DEPEND] > 0 for d in res.depends if d.active)
    capped = next(s for s in res.subscriptions if s.burst < s.size * 10 and s.burst == 48)
    assert res.show_cores(capped.show, capped.alloc.name) == capped.burst
    # On the wire in Cuebot's core units: a 48-core burst, held in full, is 4800 (an int32, a JSON number).
    wire = subscription_json(res, capped)
    assert (wire["burst"], wire["reservedCores"]) == (4800, 4800)
    group = next(g for g in res.groups if g.max_cores > 0)
    assert res.group_cores(group) == group.max_cores
    assert any(any(t == "gpu" for t in layer.tags) and layer.counts[WAITING] for j in farm.jobs for layer in j.layers)
    farm.check_invariants()


def _post(gw: DemoGatewayThread, path: str, body: dict[str, Any]) -> Any:
    check_request(path, body)
    token = jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
    r = httpx.post(gw.url + path, headers={"Authorization": f"Bearer {token}"}, content=json.dumps(body))
    assert r.status_code == 200, r.text
    check_response(path, r.content)
    return r.json()


def test_the_rpcs_answer_in_the_gateway_shape(make_gateway: Any, tmp_path: Path) -> None:
    path = tmp_path / "farm.json"
    fbf = {
        "type": "FRAME_BY_FRAME",
        "dependErJob": "up",
        "dependErLayer": "b",
        "dependOnJob": "up",
        "dependOnLayer": "a",
    }
    jj = {"type": "JOB_ON_JOB", "dependErJob": "down", "dependOnJob": "up"}
    path.write_text(json.dumps(_scenario(depends=[fbf, jj], limits=[{"name": "lic", "maxValue": 2}])))
    gw = make_gateway(scenario=path, profile=None)
    down = gw.run(lambda farm: farm.jobs_by_name["down"].id)
    up = gw.run(lambda farm: farm.jobs_by_name["up"].id)
    deps = _post(gw, "/job.JobInterface/GetWhatThisDependsOn", {"job": {"id": down}})["depends"]["depends"]
    assert [(d["type"], d["dependOnJob"], d["active"], d["target"]) for d in deps] == [
        ("JOB_ON_JOB", "up", True, "EXTERNAL")
    ]
    on_up = _post(gw, "/job.JobInterface/GetWhatDependsOnThis", {"job": {"id": up}})["depends"]["depends"]
    assert {d["type"] for d in on_up} == {"FRAME_BY_FRAME", "JOB_ON_JOB"}
    _post(gw, "/depend.DependInterface/Satisfy", {"depend": {"id": deps[0]["id"]}})
    assert gw.run(lambda farm: set(farm.find_job("down").frame_states().values())) == {"WAITING"}
    _post(gw, "/job.JobInterface/DropDepends", {"job": {"id": up}, "target": "ANY_TARGET"})
    assert gw.run(lambda farm: farm.find_job("up").frame_state("0001-b")) == "WAITING"
    show = gw.run(lambda farm: farm.shows[0].id)
    subs = _post(gw, "/show.ShowInterface/GetSubscriptions", {"show": {"id": show}})["subscriptions"]["subscriptions"]
    # Cuebot's core units on the wire (hundredths of a core): the 8-core allocation's uncapped burst is 800.
    assert [(s["allocationName"], s["showName"], s["size"], s["burst"]) for s in subs] == [
        ("local.general", "s", 800, 800)
    ]
    _post(gw, "/subscription.SubscriptionInterface/SetBurst", {"subscription": {"id": subs[0]["id"]}, "burst": 300})
    _post(gw, "/subscription.SubscriptionInterface/SetSize", {"subscription": {"id": subs[0]["id"]}, "newSize": 250})
    assert gw.run(lambda farm: (farm.resources.subscriptions[0].size, farm.resources.subscriptions[0].burst)) == (
        2.5,
        3.0,
    )
    again = _post(gw, "/subscription.SubscriptionInterface/Get", {"id": subs[0]["id"]})["subscription"]
    assert (again["size"], again["burst"]) == (250, 300)
    allocs = _post(gw, "/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"]
    assert [(a["name"], a["tag"], a["stats"]["hosts"], a["stats"]["cores"]) for a in allocs] == [
        ("local.general", "general", 1, 8.0)
    ]
    hosts = _post(gw, "/facility.AllocationInterface/GetHosts", {"allocation": {"id": allocs[0]["id"]}})
    assert [h["name"] for h in hosts["hosts"]["hosts"]] == ["h1"]
    limits = _post(gw, "/limit.LimitInterface/GetAll", {})["limits"]
    assert [(lim["name"], lim["maxValue"]) for lim in limits] == [("lic", 2)]
    root = _post(gw, "/show.ShowInterface/GetRootGroup", {"show": {"id": show}})["group"]
    assert root["name"] == "s" and root["level"] == 0
    groups = _post(gw, "/show.ShowInterface/GetGroups", {"show": {"id": show}})["groups"]["groups"]
    assert [g["name"] for g in groups] == ["s"]
    layer = gw.run(lambda farm: farm.jobs_by_name["down"].layers[1].id)
    on = gw.run(lambda farm: farm.jobs_by_name["up"].layers[1].id)
    made = _post(
        gw, "/job.LayerInterface/CreateDependencyOnLayer", {"layer": {"id": layer}, "dependOnLayer": {"id": on}}
    )["depend"]
    assert (made["type"], made["dependErLayer"], made["active"]) == ("LAYER_ON_LAYER", "b", True)
    assert gw.run(lambda farm: farm.find_job("down").frame_state("0001-b")) == "DEPEND"
    assert gw.run(lambda farm: farm.find_job("down").frame_state("0001-a")) == "WAITING"


def test_every_farm_endpoint_parses_strictly(make_gateway: Any) -> None:
    from tests.demo.test_wire import assert_valid
    from tests.demo.wire_farm_bodies import farm_bodies, farm_sample

    gw = make_gateway(profile="studio", seed=3)
    s = gw.run(farm_sample)
    token = jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {token}"}) as c:
        for path, body in farm_bodies(s).items():
            check_request(path, body)
            assert_valid(path, c.post(path, json=body))
    gw.run(lambda farm: farm.check_invariants())


def test_mark_done_on_a_layer_releases_what_waits_on_it_and_leaves_its_frames() -> None:
    """MarkdoneFrames (the remedies) satisfies what waits on the layer, as Cuebot's
    satisfyWhatDependsOn does: the job held on it goes (DEPEND -> WAITING), the layer's own DEAD and
    WAITING frames keep their state."""
    from cuetui.demo.rpc_settings import mark_layer_done

    data = _scenario(
        depends=[
            {
                "type": "LAYER_ON_LAYER",
                "dependErJob": "down",
                "dependErLayer": "a",
                "dependOnJob": "up",
                "dependOnLayer": "b",
            }
        ]
    )
    data["jobs"][0]["frames"] = [
        {"layerName": layer, "number": n, "state": "DEAD" if (layer, n) == ("b", 1) else "WAITING"}
        for layer in ("a", "b")
        for n in (1, 2)
    ]
    farm = farm_from_scenario(data, speed=0)
    down, up = farm.jobs_by_name["down"], farm.jobs_by_name["up"]
    held = {name: state for name, state in down.frame_states().items() if name.endswith("-a")}
    assert set(held.values()) == {"DEPEND"}
    up_before = dict(up.frame_states())
    assert (up_before["0001-b"], up_before["0002-b"]) == ("DEAD", "WAITING")
    assert mark_layer_done(farm, up, next(layer for layer in up.layers if layer.name == "b")) == 1
    assert {s for n, s in down.frame_states().items() if n.endswith("-a")} == {"WAITING"}
    assert farm.resources.depends[0].active is False
    assert dict(up.frame_states()) == up_before
    # nothing else waits on it now: a second mark done satisfies nothing
    assert mark_layer_done(farm, up, next(layer for layer in up.layers if layer.name == "b")) == 0
    farm.check_invariants()


def test_mark_done_on_a_layer_leaves_a_frame_by_frame_dependency_to_its_frames() -> None:
    """Cuebot's depends waiting on a layer are its JOB_ON_LAYER, LAYER_ON_LAYER and FRAME_ON_LAYER
    ones: a frame-by-frame dependency on it stays active."""
    from cuetui.demo.rpc_settings import mark_layer_done

    farm = farm_from_scenario(
        _scenario(
            depends=[
                {
                    "type": "FRAME_BY_FRAME",
                    "dependErJob": "down",
                    "dependErLayer": "a",
                    "dependOnJob": "up",
                    "dependOnLayer": "b",
                }
            ]
        ),
        speed=0,
    )
    up = farm.jobs_by_name["up"]
    assert mark_layer_done(farm, up, next(layer for layer in up.layers if layer.name == "b")) == 0
    assert farm.resources.depends[0].active is True
