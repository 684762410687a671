"""Limits as an administrator and a licence reporter change them, over HTTP, and how a limit gates
booking on the farm: bindings are the layers naming the limit, holds the hosts running their frames or
reported by the licence server."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from cuetui.demo import limits
from cuetui.demo.scenario import farm_from_scenario
from tests.demo.test_rpc_facility import ok, refused

L = "/limit.LimitInterface/"


def _frames(layer: str, states: list[str]) -> list[dict[str, Any]]:
    return [{"layerName": layer, "number": n + 1, "state": s} for n, s in enumerate(states)]


SCENARIO: dict[str, Any] = {
    "shows": [{"name": "s"}],
    "limits": [{"name": "lic", "maxValue": 5}, {"name": "other", "maxValue": 1, "exitStatus": 33}],
    "hosts": [
        {
            "host": {"name": f"h{n}.farm.example", "cores": 8, "allocName": "local.general"},
            "procs": [{"jobName": "j", "frameName": f"000{n}-comp", "reservedCores": 1}] if n < 3 else [],
        }
        for n in (1, 2, 3)
    ],
    "jobs": [
        {
            "job": {"name": "j", "show": "s"},
            "layers": [{"name": "comp", "limits": ["lic"], "services": ["nuke"]}, {"name": "render"}],
            "frames": _frames("comp", ["RUNNING", "RUNNING", "WAITING"]) + _frames("render", ["WAITING"]),
        },
        {
            "job": {"name": "k", "show": "s"},
            "layers": [{"name": "comp", "limits": ["lic"]}],
            "frames": _frames("comp", ["WAITING"]),
        },
    ],
}


@pytest.fixture
def farm_scenario() -> dict[str, Any]:
    return SCENARIO


def _find(c: httpx.Client, name: str) -> dict[str, Any]:
    return ok(c, L + "Find", {"name": name})["limit"]  # type: ignore[no-any-return]


def _layer_limits(gw: Any) -> dict[str, list[str]]:
    return gw.run(lambda farm: {f"{j.name}/{layer.name}": list(layer.limits) for j in farm.jobs for layer in j.layers})  # type: ignore[no-any-return]


def test_a_renamed_limit_keeps_its_layers_and_what_runs_under_it(c: httpx.Client, gw: Any) -> None:
    before = _find(c, "lic")
    assert (before["currentRunning"], before["currentUsage"], before["pendingUsage"], before["hostCount"]) == (
        2,
        2,
        2,
        2,
    )
    assert before["specLayerCount"] == 2 and before["type"] == "FRAME" and before["enforcement"] == "ENFORCED"
    ok(c, L + "Rename", {"oldName": "lic", "newName": "nuke_lic"})
    after = _find(c, "nuke_lic")
    assert (after["id"], after["currentRunning"], after["specLayerCount"]) == (before["id"], 2, 2)
    assert refused(c, L + "Find", {"name": "lic"}, 404)
    assert _layer_limits(gw) == {"j/comp": ["nuke_lic"], "j/render": [""], "k/comp": ["nuke_lic"]}
    assert gw.run(lambda farm: farm.resources.limit_running("nuke_lic")) == 2
    layer = gw.run(lambda farm: farm.jobs_by_name["j"].layers[0].id)
    assert ok(c, "/job.LayerInterface/GetLayer", {"id": layer})["layer"]["limits"] == ["nuke_lic"]
    missing = refused(c, L + "Rename", {"oldName": "lic", "newName": "x"})
    assert missing.startswith("org.springframework.dao.EmptyResultDataAccessException")


def test_a_deleted_limit_leaves_its_layers_and_gates_nothing(c: httpx.Client, gw: Any) -> None:
    ok(c, L + "SetMaxValue", {"name": "lic", "maxValue": 2})
    admits = gw.run(lambda farm: farm.resources.limits_admit(farm.jobs_by_name["k"].layers[0], farm.hosts[2]))
    assert admits is False
    ok(c, L + "Delete", {"name": "lic"})
    assert [lim["name"] for lim in ok(c, L + "GetAll", {})["limits"]] == ["other"]
    assert _layer_limits(gw) == {"j/comp": [""], "j/render": [""], "k/comp": [""]}
    assert gw.run(lambda farm: farm.resources.limits_admit(farm.jobs_by_name["k"].layers[0], farm.hosts[2])) is True
    assert refused(c, L + "Delete", {"name": "lic"}).startswith(
        "org.springframework.dao.EmptyResultDataAccessException"
    )


def test_settings_are_kept_and_refused_as_cuebot_refuses(c: httpx.Client, gw: Any) -> None:
    ok(c, L + "SetType", {"name": "lic", "type": "HOST"})
    ok(c, L + "SetEnforcement", {"name": "lic", "enforcement": "ADVISORY"})
    ok(c, L + "SetSoftValue", {"name": "lic", "softValue": 0})
    ok(c, L + "SetReportTtl", {"name": "lic", "reportTtl": -5})
    ok(c, L + "SetFailureRule", {"name": "lic", "exitStatus": 42, "delayMinutes": 10, "autoTag": True})
    got = ok(c, L + "Get", {"id": _find(c, "lic")["id"]})["limit"]
    fields = (
        "type",
        "enforcement",
        "softValue",
        "reportTtl",
        "exitStatus",
        "delayMinutes",
        "autoTag",
        "blockingDisabled",
    )
    assert tuple(got[f] for f in fields) == ("HOST", "ADVISORY", -1, 0, 42, 10, True, True)
    assert gw.run(lambda farm: farm.resources.limit("lic").type) == limits.HOST
    r = c.post(L + "SetFailureRule", json={"name": "lic", "exitStatus": 1})
    assert (r.status_code, r.json()["code"]) == (400, 3) and "greater than 1" in r.json()["message"]
    r = c.post(L + "SetFailureRule", json={"name": "lic", "exitStatus": 33})
    assert (r.status_code, r.json()) == (
        409,
        {"code": 6, "message": "Exit status 33 is already claimed by limit other", "details": []},
    )
    r = c.post(L + "SetFailureRule", json={"name": "lic", "exitStatus": 5, "delayMinutes": -1})
    assert (r.status_code, r.json()["message"]) == (400, "delay minutes must be >= 0")
    ok(c, L + "SetFailureRule", {"name": "lic", "exitStatus": 0})
    assert _find(c, "lic")["exitStatus"] == 0
    for call in ("SetType", "SetEnforcement", "SetSoftValue", "SetReportTtl", "SetFailureRule"):
        r = c.post(L + call, json={"name": "nope"})
        assert (r.status_code, r.json()) == (404, {"code": 5, "message": "Limit not found.", "details": []}), call


def test_bindings_are_the_layers_naming_the_limit_and_clearing_spares_spec_ones(c: httpx.Client, gw: Any) -> None:
    def mark_manual(farm: Any) -> None:
        lim = farm.resources.limit("lic")
        lim.sources[farm.jobs_by_name["k"].layers[0].id] = (limits.MANUAL, 1_700_000_000)

    gw.run(mark_manual)
    bindings = ok(c, L + "GetBindings", {"limitName": "lic"})["bindings"]
    assert [(b["jobName"], b["layerName"], b["source"]) for b in bindings] == [
        ("j", "comp", "SPEC"),
        ("k", "comp", "MANUAL"),
    ]
    assert bindings[0]["services"] == ["nuke"] and bindings[0]["limitId"] == _find(c, "lic")["id"]
    only = ok(c, L + "GetBindings", {"limitName": "lic", "sources": ["MANUAL"]})["bindings"]
    assert [b["jobName"] for b in only] == ["k"]
    by_layer = ok(c, L + "GetBindings", {"limitName": "lic", "layerIds": [bindings[0]["layerId"]]})["bindings"]
    assert [b["jobName"] for b in by_layer] == ["j"]
    r = c.post(L + "ClearBindings", json={"limitName": "lic", "sources": ["SPEC"]})
    assert (r.status_code, r.json()["code"]) == (400, 3)
    assert ok(c, L + "ClearBindings", {"limitName": "lic", "sources": ["AUTO"]}) == {"removed": 0}
    assert ok(c, L + "ClearBindings", {"limitName": "lic"}) == {"removed": 1}
    assert _layer_limits(gw)["k/comp"] == [""] and _layer_limits(gw)["j/comp"] == ["lic"]
    assert _find(c, "lic")["specLayerCount"] == 1
    assert refused(c, L + "GetBindings", {"limitName": "nope"}, 404) == "Limit not found."


def test_reports_settle_usage_and_holds_join_the_farm_and_the_licence_server(c: httpx.Client, gw: Any) -> None:
    holds = ok(c, L + "GetHolds", {"limitName": "lic"})["holds"]
    assert [(h["hostName"], h["tokens"], h["source"], bool(h["hostId"])) for h in holds] == [
        ("h1", 1, "CUE", True),
        ("h2", 1, "CUE", True),
    ]
    report = {
        "limitName": "lic",
        "hosts": [{"hostName": "H1.farm.example", "tokens": 2, "user": "ann"}, {"hostName": "ws9", "tokens": 1}],
        "totalLicenses": 10,
    }
    answer = ok(c, L + "ReportUsage", {"reports": [report, {"limitName": "nope"}], "source": "lmstat@lic01"})
    assert answer["unknownLimits"] == ["nope"] and answer["skippedLimits"] == []
    (lim,) = answer["limits"]
    assert (lim["maxValue"], lim["settledUsage"], lim["pendingUsage"], lim["currentUsage"], lim["hostCount"]) == (
        10,
        3,
        2,
        5,
        3,
    )
    assert lim["reportSource"] == "lmstat@lic01" and int(lim["lastReportTime"]) > 0 and not lim["reportStale"]
    holds = ok(c, L + "GetHolds", {"limitName": "lic"})["holds"]
    assert [(h["hostName"], h["tokens"], h["source"], h["user"], bool(h["hostId"])) for h in holds] == [
        ("h1", 2, "BOTH", "ann", True),
        ("h2", 1, "CUE", "", True),
        ("ws9", 1, "EXTERNAL", "", False),
    ]
    one = ok(c, L + "GetHolds", {"hostName": "ws9.example"})["holds"]
    assert [(h["limitName"], h["hostName"]) for h in one] == [("lic", "ws9")]
    again = ok(c, L + "ReportUsage", {"reports": [report]})
    assert again["skippedLimits"] == [{"limitName": "lic", "reason": "RATE_LIMITED"}] and again["limits"] == []
    old = {**report, "captureTime": "1000"}
    assert ok(c, L + "ReportUsage", {"reports": [old]})["skippedLimits"] == [
        {"limitName": "lic", "reason": "OUT_OF_ORDER"}
    ]
    bad = {"limitName": "lic", "hosts": [{"hostName": "h9", "tokens": 0}]}
    r = c.post(L + "ReportUsage", json={"reports": [bad]})
    assert (r.status_code, r.json()["message"]) == (
        400,
        "Host h9 in limit lic reports tokens <= 0; omit hosts holding nothing.",
    )
    assert gw.run(lambda farm: sorted(farm.resources.limit("lic").holds)) == ["h1", "ws9"]


def _gate_farm(**limit: Any) -> Any:
    data = copy.deepcopy(SCENARIO)
    data["limits"] = [{"name": "lic", "maxValue": 2, **limit}]
    return farm_from_scenario(data, speed=0)


def test_a_host_limit_counts_machines_and_lets_holders_book_more() -> None:
    farm = _gate_farm(type="HOST")
    res, layer = farm.resources, farm.jobs_by_name["k"].layers[0]
    h1, _h2, h3 = farm.hosts
    assert res.limits_admit(layer, h1) is True  # h1 holds a token already
    assert res.limits_admit(layer, h3) is False  # two machines of two
    res.limit("lic").enforcement = limits.ENFORCEMENTS["ADVISORY"]
    assert res.limits_admit(layer, h3) is True


def test_a_frame_limit_blocks_at_its_soft_value_for_new_hosts_and_a_stale_report_stops_blocking() -> None:
    farm = _gate_farm(maxValue=5, softValue=2)
    res, layer = farm.resources, farm.jobs_by_name["k"].layers[0]
    h1, _h2, h3 = farm.hosts
    assert (res.limits_admit(layer, h1), res.limits_admit(layer, h3)) == (True, False)
    lim = res.limit("lic")
    lim.soft_value, lim.max_value = -1, 2
    assert res.limits_admit(layer, h1) is False
    lim.reported_time, lim.report_ttl = farm.now() - 60, 30
    assert lim.stale(farm.now()) and res.limits_admit(layer, h1) is True


def test_a_frame_failing_with_a_rules_exit_status_binds_its_layer_automatically() -> None:
    from cuetui.demo.rpc_farm import limit_values

    data = copy.deepcopy(SCENARIO)
    data["limits"] = [{"name": "lic", "maxValue": 5, "exitStatus": 42, "autoTag": True}]
    data["jobs"][0]["frames"][-1]["state"] = "RUNNING"
    data["hosts"][2]["procs"] = [{"jobName": "j", "frameName": "0001-render", "reservedCores": 1}]
    for exit_status, bound in ((1, [""]), (42, ["lic"])):  # the generic failure is no rule's
        farm = farm_from_scenario(data, speed=0)
        render = farm.jobs_by_name["j"].layers[1]
        proc = next(p for p in farm.procs.values() if p.job.layers[p.job.f_layer[p.frame]] is render)
        farm.finish_frame(proc, False, exit_status)
        assert render.limits == bound
    lim = farm.resources.limit("lic")
    assert lim.sources[render.id][0] == limits.AUTO
    assert limit_values(farm, lim)["auto_layer_count"] == 1
    assert farm.resources.limit_running("lic") == 2  # the comp frames still running, counted once
