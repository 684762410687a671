"""Groups as an administrator changes them, over HTTP: sub-groups, job defaults (on the jobs there and
on the jobs that come later), moving jobs and groups, deleting; the farm's state after each."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.demo.test_rpc_facility import ok, refused

G = "/job.GroupInterface/"

SCENARIO: dict[str, Any] = {
    "shows": [{"name": "s"}, {"name": "t"}],
    "hosts": [
        {
            "host": {"name": "h1", "cores": 8, "allocName": "local.general"},
            "procs": [{"jobName": "busy", "frameName": "0001-a", "reservedCores": 2}],
        }
    ],
    "jobs": [
        {
            "job": {"name": name, "show": show, "user": "ann", "priority": 10, "state": state},
            "layers": [{"name": "a"}],
            "frames": [{"layerName": "a", "number": 1, "state": frame_state}],
        }
        for name, show, state, frame_state in [
            ("busy", "s", "PENDING", "RUNNING"),
            ("idle", "s", "PENDING", "WAITING"),
            ("done", "s", "FINISHED", "SUCCEEDED"),
            ("other", "t", "PENDING", "WAITING"),
        ]
    ],
}


@pytest.fixture
def farm_scenario() -> dict[str, Any]:
    return SCENARIO


def _root(c: httpx.Client, gw: Any, show: str = "s") -> dict[str, Any]:
    show_id = gw.run(lambda farm: next(s.id for s in farm.shows if s.name == show))
    return ok(c, "/show.ShowInterface/GetRootGroup", {"show": {"id": show_id}})["group"]  # type: ignore[no-any-return]


def _sub(c: httpx.Client, parent: dict[str, Any], name: str) -> dict[str, Any]:
    return ok(c, G + "CreateSubGroup", {"group": {"id": parent["id"]}, "name": name})["group"]  # type: ignore[no-any-return]


def _job(gw: Any, name: str) -> Any:
    return gw.run(lambda farm: farm.jobs_by_name[name])


def _jobs(ids: list[str]) -> dict[str, Any]:
    return {"jobs": [{"id": i} for i in ids]}


def test_a_job_moved_into_a_group_takes_its_set_defaults(c: httpx.Client, gw: Any) -> None:
    root = _root(c, gw)
    fx = _sub(c, root, "fx")
    assert (fx["name"], fx["parentId"], fx["level"], fx["defaultJobPriority"], fx["department"]) == (
        "fx",
        root["id"],
        1,
        -1,
        "Unknown",
    )
    g = {"group": {"id": fx["id"]}}
    ok(c, G + "SetDefaultJobPriority", {**g, "priority": 77})
    ok(c, G + "SetDefaultJobMinCores", {**g, "minCores": 2.7})  # whole cores: 2
    ok(c, G + "SetDefaultJobMaxCores", {**g, "maxCores": 0.5})  # below a core: unset
    ok(c, G + "SetDefaultJobMaxGpus", {**g, "maxGpus": 2})
    got = ok(c, G + "GetGroup", {"id": fx["id"]})["group"]
    assert (got["defaultJobPriority"], got["defaultJobMinCores"], got["defaultJobMaxCores"]) == (77, 2.0, -1.0)
    assert (got["defaultJobMaxGpus"], got["defaultJobMinGpus"]) == (2.0, -1.0)
    idle = _job(gw, "idle")
    max_cores = gw.run(lambda farm: farm.jobs_by_name["idle"].max_cores)  # the unset default leaves it
    ok(c, G + "ReparentJobs", {**g, "jobs": _jobs([idle.id])})
    state = gw.run(
        lambda farm: (lambda j: (j.group, j.priority, j.min_cores, j.max_cores, j.max_gpus))(farm.jobs_by_name["idle"])
    )
    assert state == ("fx", 77, 2.0, max_cores, 2.0)
    listed = ok(c, G + "GetJobs", g)["jobs"]["jobs"]
    assert [j["name"] for j in listed] == ["idle"]
    assert ok(c, "/job.JobInterface/GetJob", {"id": idle.id})["job"]["group"] == "fx"
    other = _job(gw, "other")
    assert "cannot move jobs between shows" in refused(c, G + "ReparentJobs", {**g, "jobs": _jobs([other.id])})
    assert refused(c, G + "ReparentJobs", {**g, "jobs": _jobs(["nope"])}).startswith(
        "org.springframework.dao.EmptyResultDataAccessException"
    )


def test_defaults_apply_at_once_to_the_jobs_in_the_group_unless_unset_or_managed(c: httpx.Client, gw: Any) -> None:
    root = {"group": {"id": _root(c, gw)["id"]}}
    ok(c, G + "SetDefaultJobMaxCores", {**root, "maxCores": 6.0})
    ok(c, G + "SetDefaultJobPriority", {**root, "priority": 40})
    jobs = gw.run(lambda farm: {j.name: (j.priority, j.max_cores) for j in farm.jobs if j.show.name == "s"})
    assert jobs == {"busy": (40, 6.0), "idle": (40, 6.0), "done": (40, 6.0)}
    assert gw.run(lambda farm: farm.jobs_by_name["other"].priority) == 10  # another show's
    # A negative priority unsets the default, and Cuebot's second update still gives it to the jobs.
    ok(c, G + "SetDefaultJobPriority", {**root, "priority": -3})
    assert ok(c, G + "GetGroup", {"id": root["group"]["id"]})["group"]["defaultJobPriority"] == -1
    assert gw.run(lambda farm: farm.jobs_by_name["idle"].priority) == -3
    # TI-managed department: the core defaults stay on the group.
    show = gw.run(lambda farm: farm.shows[0].id)
    dept = ok(c, "/show.ShowInterface/GetDepartment", {"show": {"id": show}, "department": "Unknown"})["department"]
    managed = {"department": {"id": dept["id"]}, "tiTask": "t", "managedCores": 10}
    ok(c, "/department.DepartmentInterface/EnableTiManaged", managed)
    min_cores = gw.run(lambda farm: farm.jobs_by_name["idle"].min_cores)
    ok(c, G + "SetDefaultJobMinCores", {**root, "minCores": 3.0})
    assert ok(c, G + "GetGroup", {"id": root["group"]["id"]})["group"]["defaultJobMinCores"] == 3.0
    assert gw.run(lambda farm: farm.jobs_by_name["idle"].min_cores) == min_cores != 3.0


def test_a_job_a_filter_moves_at_launch_takes_the_group_defaults(c: httpx.Client, gw: Any) -> None:
    fx = _sub(c, _root(c, gw), "fx")
    ok(c, G + "SetDefaultJobPriority", {"group": {"id": fx["id"]}, "priority": 88})
    show = gw.run(lambda farm: farm.shows[0].id)
    f = ok(c, "/show.ShowInterface/CreateFilter", {"show": {"id": show}, "name": "to fx"})["filter"]
    F = "/filter.FilterInterface/"
    ok(c, F + "CreateMatcher", {"filter": {"id": f["id"]}, "data": {"subject": "USER", "type": "IS", "input": "ann"}})
    ok(
        c,
        F + "CreateAction",
        {"filter": {"id": f["id"]}, "data": {"groupValue": fx["id"]}},  # type 0 is MOVE_JOB_TO_GROUP
    )
    spec = (
        "<spec><show>s</show><shot>sh010</shot><user>ann</user>"
        '<job name="later"><layers><layer name="r" type="Render"><cmd>echo</cmd><range>1-3</range></layer></layers>'
        "</job></spec>"
    )
    (name,) = ok(c, "/job.JobInterface/LaunchSpec", {"spec": spec})["names"]
    assert gw.run(lambda farm: (lambda j: (j.group, j.priority))(farm.jobs_by_name[name])) == ("fx", 88)


def test_delete_keeps_groups_with_sub_groups_pending_jobs_or_filter_actions(c: httpx.Client, gw: Any) -> None:
    root = _root(c, gw)
    fx = _sub(c, root, "fx")
    comp = _sub(c, fx, "comp")
    ok(c, G + "ReparentJobs", {"group": {"id": comp["id"]}, "jobs": _jobs([_job(gw, "idle").id, _job(gw, "done").id])})
    expected = "Failed to remove group, be sure that there are no jobs or filter actions pointing at the group."
    assert refused(c, G + "Delete", {"group": {"id": fx["id"]}}) == expected  # a sub-group
    assert refused(c, G + "Delete", {"group": {"id": comp["id"]}}) == expected  # a pending job
    ok(c, G + "ReparentJobs", {"group": {"id": root["id"]}, "jobs": _jobs([_job(gw, "idle").id])})
    show = gw.run(lambda farm: farm.shows[0].id)
    f = ok(c, "/show.ShowInterface/CreateFilter", {"show": {"id": show}, "name": "f"})["filter"]
    action = {"filter": {"id": f["id"]}, "data": {"groupValue": comp["id"]}}  # MOVE_JOB_TO_GROUP
    made = ok(c, "/filter.FilterInterface/CreateAction", action)["action"]
    assert refused(c, G + "Delete", {"group": {"id": comp["id"]}}) == expected
    ok(c, "/filter.ActionInterface/Delete", {"action": {"id": made["id"]}})
    ok(c, G + "Delete", {"group": {"id": comp["id"]}})
    state = gw.run(
        lambda farm: ([g.name for g in farm.resources.groups if g.show.name == "s"], farm.jobs_by_name["done"].group)
    )
    assert state == (["s", "fx"], "s")  # the finished job went to the root group
    ok(c, G + "Delete", {"group": {"id": fx["id"]}})
    assert refused(c, G + "Delete", {"group": {"id": root["id"]}}) == expected  # its pending jobs
    assert gw.run(lambda farm: [g.name for g in farm.resources.groups if g.show.name == "s"]) == ["s"]


def test_groups_move_within_their_show_and_the_cores_they_hold_follow(c: httpx.Client, gw: Any) -> None:
    root = _root(c, gw)
    fx, lgt = _sub(c, root, "fx"), _sub(c, root, "lgt")
    comp = _sub(c, fx, "comp")
    ok(c, G + "ReparentJobs", {"group": {"id": comp["id"]}, "jobs": _jobs([_job(gw, "busy").id])})
    used = gw.run(
        lambda farm: {g.name: farm.resources.group_cores(g) for g in farm.resources.groups if g.show.name == "s"}
    )
    assert used == {"s": 2.0, "fx": 2.0, "lgt": 0.0, "comp": 2.0}
    ok(
        c,
        G + "ReparentGroups",
        {"group": {"id": lgt["id"]}, "groups": {"groups": [{"id": comp["id"]}, {"id": "nope"}]}},
    )
    state = gw.run(
        lambda farm: {
            g.name: (g.parent.name if g.parent else "", farm.resources.group_cores(g))
            for g in farm.resources.groups
            if g.show.name == "s"
        }
    )
    assert state == {"s": ("", 2.0), "fx": ("s", 0.0), "lgt": ("s", 2.0), "comp": ("lgt", 2.0)}
    assert ok(c, G + "GetGroup", {"id": comp["id"]})["group"]["parentId"] == lgt["id"]
    assert [g["name"] for g in ok(c, G + "GetGroups", {"group": {"id": lgt["id"]}})["groups"]["groups"]] == ["comp"]
    ok(c, G + "SetGroup", {"group": {"id": comp["id"]}, "parentGroup": {"id": fx["id"]}})
    assert gw.run(lambda farm: next(g.parent.name for g in farm.resources.groups if g.name == "comp")) == "fx"
    t_root = _root(c, gw, "t")
    cases = [
        ({"group": {"id": fx["id"]}, "parentGroup": {"id": fx["id"]}}, "cannot move group into itself"),
        ({"group": {"id": fx["id"]}, "parentGroup": {"id": comp["id"]}}, "into one of its sub groups"),
        ({"group": {"id": fx["id"]}, "parentGroup": {"id": t_root["id"]}}, "cannot move groups between shows"),
        # A root group is above every other group of its show: this check comes first.
        ({"group": {"id": root["id"]}, "parentGroup": {"id": fx["id"]}}, "into one of its sub groups"),
    ]
    for body, words in cases:
        message = refused(c, G + "SetGroup", body)
        assert (
            message.startswith("com.imageworks.spcue.EntityModificationError: error moving group") and words in message
        )
    # One refused move in ReparentGroups moves none of them.
    both = {"group": {"id": lgt["id"]}, "groups": {"groups": [{"id": comp["id"]}, {"id": lgt["id"]}]}}
    assert "into itself" in refused(c, G + "ReparentGroups", both)
    assert gw.run(lambda farm: next(g.parent.name for g in farm.resources.groups if g.name == "comp")) == "fx"


def test_name_department_and_gpus(c: httpx.Client, gw: Any) -> None:
    fx = _sub(c, _root(c, gw), "fx")
    g = {"group": {"id": fx["id"]}}
    ok(c, G + "ReparentJobs", {**g, "jobs": _jobs([_job(gw, "idle").id])})
    ok(c, G + "SetName", {**g, "name": "vfx"})
    assert gw.run(lambda farm: farm.jobs_by_name["idle"].group) == "vfx"
    assert ok(c, G + "FindGroup", {"show": "s", "name": "vfx"})["group"]["id"] == fx["id"]
    assert [j["name"] for j in ok(c, G + "GetJobs", g)["jobs"]["jobs"]] == ["idle"]
    ok(c, G + "SetDepartment", {**g, "dept": "Lighting"})
    assert ok(c, G + "GetGroup", {"id": fx["id"]})["group"]["department"] == "Lighting"
    show = gw.run(lambda farm: farm.shows[0].id)
    depts = ok(c, "/show.ShowInterface/GetDepartments", {"show": {"id": show}})["departments"]["departments"]
    assert sorted(d["dept"] for d in depts) == ["Lighting", "Unknown"]
    assert refused(c, G + "SetDepartment", {**g, "dept": "Nope"}).startswith("org.springframework.dao")
    ok(c, G + "SetMaxGpus", {**g, "maxGpus": -5})
    ok(c, G + "SetMinGpus", {**g, "minGpus": -5})
    got = ok(c, G + "GetGroup", {"id": fx["id"]})["group"]
    assert (got["maxGpus"], got["minGpus"]) == (-1.0, 0.0)
    ok(c, G + "SetMaxGpus", {**g, "maxGpus": 4})
    ok(c, G + "SetMinGpus", {**g, "minGpus": 1})
    assert gw.run(
        lambda farm: (lambda x: (x.max_gpus, x.min_gpus))(next(x for x in farm.resources.groups if x.name == "vfx"))
    ) == (4.0, 1.0)
    assert "error creating group" in refused(
        c, G + "CreateSubGroup", {"group": {"id": _root(c, gw)["id"]}, "name": "vfx"}
    )
    assert refused(c, G + "SetName", {"group": {"id": "nope"}, "name": "x"}).startswith(
        "org.springframework.dao.EmptyResultDataAccessException"
    )


def test_a_scenario_group_carries_its_job_defaults_and_gpus() -> None:
    from cuetui.demo.scenario import farm_from_scenario

    data = {
        **SCENARIO,
        "groups": [
            {"name": "s", "id": "root-s"},
            {
                "name": "fx",
                "parentId": "root-s",
                "defaultJobPriority": 70,
                "defaultJobMinGpus": 1,
                "defaultJobMaxGpus": 2,
                "minGpus": 1,
                "maxGpus": 4,
            },
        ],
    }
    farm = farm_from_scenario(data, speed=0)
    fx = next(g for g in farm.resources.groups if g.name == "fx")
    assert (fx.default_job_priority, fx.default_job_min_gpus, fx.default_job_max_gpus) == (70, 1, 2)
    assert (fx.min_gpus, fx.max_gpus, fx.parent.name if fx.parent else "") == (1.0, 4.0, "s")


def test_group_cores_are_whole_cores_and_a_cap_below_one_is_refused(c: httpx.Client, gw: Any) -> None:
    fx = _sub(c, _root(c, gw), "fx")
    g = {"group": {"id": fx["id"]}}
    ok(c, G + "SetMaxCores", {**g, "maxCores": 12.7})
    ok(c, G + "SetMinCores", {**g, "minCores": -3.0})
    got = ok(c, G + "GetGroup", {"id": fx["id"]})["group"]
    assert (got["maxCores"], got["minCores"]) == (12.0, 0.0)
    message = refused(c, G + "SetMaxCores", {**g, "maxCores": 0.5})
    assert message.startswith("java.lang.IllegalArgumentException: The group max cores feature must be a whole core")
    ok(c, G + "SetMaxCores", {**g, "maxCores": -7.0})
    assert gw.run(lambda farm: next(x.max_cores for x in farm.resources.groups if x.name == "fx")) == -1.0


def test_groups_are_listed_by_level_then_name_as_cuebot_lists_them(c: httpx.Client, gw: Any) -> None:
    root = _root(c, gw)
    zeta = _sub(c, root, "zeta")
    _sub(c, zeta, "alpha")
    _sub(c, root, "beta")
    show = gw.run(lambda farm: farm.shows[0].id)
    listed = ok(c, "/show.ShowInterface/GetGroups", {"show": {"id": show}})["groups"]["groups"]
    assert [g["name"] for g in listed] == ["s", "beta", "zeta", "alpha"]
    children = ok(c, G + "GetGroups", {"group": {"id": root["id"]}})["groups"]["groups"]
    assert [g["name"] for g in children] == ["beta", "zeta"]
