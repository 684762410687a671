"""`cuetui why`, `depends`, `drop-depends`, `subscriptions`, `subscription-set`, `allocations` end to end
against the demo gateway. For each reason a scenario produces it, and `cuetui why --json` names it and no
other (no false reason)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result

Cli = Callable[..., Result]
GB = 1048576


def _frames(layer: str, n: int, state: str = "WAITING") -> list[dict[str, Any]]:
    return [{"layerName": layer, "number": k, "state": state} for k in range(1, n + 1)]


def base() -> dict[str, Any]:
    """One 8-core 32 GB host; `waiter` (render: 1 core, 1 GB, tag general) and `blocker`, all WAITING."""
    layer = {"name": "render", "minCores": 1, "minMemory": GB, "tags": ["general"]}
    return {
        "shows": [{"name": "s"}],
        "hosts": [
            {"host": {"name": "h1", "cores": 8, "memory": 32 * GB, "allocName": "local.general", "tags": ["general"]}}
        ],
        "jobs": [
            {"job": {"name": "waiter", "show": "s"}, "layers": [dict(layer)], "frames": _frames("render", 3)},
            {"job": {"name": "blocker", "show": "s"}, "layers": [dict(layer)], "frames": _frames("render", 2)},
        ],
    }


def _run(data: dict[str, Any], job: str, frame: str, cores: float = 1, memory: int = GB) -> None:
    """Frame `frame` of `job` RUNNING on h1 with a proc of `cores` and `memory`."""
    entry = next(e for e in data["jobs"] if e["job"]["name"] == job)
    for f in entry["frames"]:
        if f"{f['number']:04d}-{f['layerName']}" == frame:
            f["state"] = "RUNNING"
    proc = {"jobName": job, "frameName": frame, "reservedCores": cores, "reservedMemory": memory}
    data["hosts"][0].setdefault("procs", []).append(proc)


def paused(d: dict[str, Any]) -> None:
    d["jobs"][0]["job"]["isPaused"] = True


def dependency(d: dict[str, Any]) -> None:
    d["depends"] = [{"type": "JOB_ON_JOB", "dependErJob": "waiter", "dependOnJob": "blocker"}]


def burst(d: dict[str, Any]) -> None:
    d["subscriptions"] = [{"showName": "s", "allocationName": "local.general", "size": 100, "burst": 100}]
    _run(d, "blocker", "0001-render")


def job_max_cores(d: dict[str, Any]) -> None:
    d["jobs"][0]["job"]["maxCores"] = 1
    _run(d, "waiter", "0001-render")


def group_max_cores(d: dict[str, Any]) -> None:
    d["groups"] = [{"id": "root", "name": "s"}, {"name": "fx", "parentId": "root", "maxCores": 1}]
    d["jobs"][0]["job"]["group"] = "fx"
    _run(d, "waiter", "0001-render")


def tags(d: dict[str, Any]) -> None:
    d["jobs"][0]["layers"][0]["tags"] = ["gpu"]


def memory_at_all(d: dict[str, Any]) -> None:
    d["jobs"][0]["layers"][0]["minMemory"] = 64 * GB


def memory_free(d: dict[str, Any]) -> None:
    d["jobs"][0]["layers"][0]["minMemory"] = 4 * GB
    _run(d, "blocker", "0001-render", memory=30 * GB)


def limit(d: dict[str, Any]) -> None:
    d["limits"] = [{"name": "lic", "maxValue": 1}]
    d["jobs"][0]["layers"][0]["limits"] = ["lic"]
    _run(d, "waiter", "0001-render")


def hosts_down(d: dict[str, Any]) -> None:
    d["hosts"][0]["host"]["state"] = "DOWN"


def nothing(d: dict[str, Any]) -> None:
    pass


CASES = {
    "paused": (paused, ["paused"]),
    "dependency": (dependency, ["dependency"]),
    "subscription_burst": (burst, ["subscription_burst"]),
    "job_max_cores": (job_max_cores, ["job_max_cores"]),
    "group_max_cores": (group_max_cores, ["group_max_cores"]),
    "tags": (tags, ["tags"]),
    "memory_at_all": (memory_at_all, ["memory"]),
    "memory_free": (memory_free, ["memory"]),
    "limit": (limit, ["limit"]),
    "hosts_unavailable": (hosts_down, ["hosts_unavailable"]),
    "next_dispatch": (nothing, ["next_dispatch"]),
}


def gateway_for(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path, data: dict[str, Any], **options: Any
) -> DemoGatewayThread:
    """A demo gateway on the scenario `data` alone (no profile); `options`: make_gateway's."""
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return make_gateway(scenario=str(path), profile=None, log_root=tmp_path / "logs", **options)


def with_comp(frames: int, *, after: bool = False) -> dict[str, Any]:
    """base() with a comp layer (1 core, 1 GB) of `frames` frames in waiter; with `after`, a job `after`
    (render, one frame) too."""
    data = base()
    data["jobs"][0]["layers"].append({"name": "comp", "minCores": 1, "minMemory": GB})
    data["jobs"][0]["frames"] += _frames("comp", frames)
    if after:
        layer = {"name": "render", "minCores": 1, "minMemory": GB}
        data["jobs"].append({"job": {"name": "after", "show": "s"}, "layers": [layer], "frames": _frames("render", 1)})
    return data


def job_on_job(er: str, on: str) -> dict[str, Any]:
    """A scenario's JOB_ON_JOB dependency: job `er` waits on job `on`."""
    return {"type": "JOB_ON_JOB", "dependErJob": er, "dependOnJob": on}


def comp_on_render(kind: str = "LAYER_ON_LAYER") -> dict[str, Any]:
    """A scenario's dependency of waiter's comp layer on its render layer (`kind`: LAYER_ON_LAYER,
    FRAME_BY_FRAME, …)."""
    return {
        "type": kind,
        "dependErJob": "waiter",
        "dependErLayer": "comp",
        "dependOnJob": "waiter",
        "dependOnLayer": "render",
    }


@pytest.mark.parametrize("case", list(CASES))
def test_why_names_the_reason_and_no_other(
    case: str, cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    change, expected = CASES[case]
    data = copy.deepcopy(base())
    change(data)
    gw = gateway_for(make_gateway, tmp_path, data)
    r = cli("--url", gw.url, "why", "waiter", "--json")
    assert r.code == 0, r.err
    reasons = json.loads(r.out)
    assert [x["reason"] for x in reasons] == expected, reasons
    assert set(reasons[0]) == {"reason", "detail", "figures", "remedy"}
    first = reasons[0]
    if case == "dependency":
        assert first["figures"]["frames_left"] == 2 and first["remedy"] == "drop-depends"
        assert "blocker" in first["detail"]
    if case == "subscription_burst":
        # In cores (the gateway sent core units: 100 each).
        assert first["figures"] == {"allocation": "local.general", "used": 1, "burst": 1, "size": 1, "need": 1}
        assert "(1/1 cores)" in first["detail"]
    if case == "memory_at_all":
        assert first["figures"]["at_all"] is True and first["figures"]["host"] == "h1"
    if case == "memory_free":
        assert first["figures"]["at_all"] is False and first["figures"]["host_free"] == 2 * GB
    if case == "limit":
        assert first["figures"] == {"limit": "lic", "running": 1, "max_value": 1}
    if case == "tags":
        assert first["figures"]["tags"] == ["gpu"] and first["remedy"] == "layer-tags"
    text = cli("--url", gw.url, "why", "waiter")
    assert text.code == 0 and first["detail"].split(" (waited")[0] in text.out  # the wait ticks on


def test_why_exits_1_when_it_is_in_fact_running(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    data = base()
    for k in (1, 2, 3):
        _run(data, "waiter", f"{k:04d}-render")
    gw = gateway_for(make_gateway, tmp_path, data)
    r = cli("--url", gw.url, "why", "waiter", "--json")
    assert (r.code, json.loads(r.out)) == (1, [])
    frame = cli("--url", gw.url, "why", "waiter", "--frame", "0001-render", "--json")
    assert (frame.code, json.loads(frame.out)) == (1, [])


def test_why_of_a_layer_and_a_frame(cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> None:
    data = base()
    data["jobs"][0]["layers"].append({"name": "comp", "minCores": 1, "minMemory": GB, "tags": ["gpu"]})
    data["jobs"][0]["frames"] += _frames("comp", 2)
    gw = gateway_for(make_gateway, tmp_path, data)
    whole = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
    assert [x["reason"] for x in whole] == ["tags"]  # render could run: only comp has a reason
    render = json.loads(cli("--url", gw.url, "why", "waiter", "--layer", "render", "--json").out)
    assert [x["reason"] for x in render] == ["next_dispatch"]
    frame = json.loads(cli("--url", gw.url, "why", "waiter", "--layer", "comp", "--frame", "2", "--json").out)
    assert [x["reason"] for x in frame] == ["tags"]
    assert cli("--url", gw.url, "why", "waiter", "--layer", "nope").code == 2


def test_depends_and_drop_depends(cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> None:
    data = with_comp(2)
    data["depends"] = [job_on_job("waiter", "blocker"), comp_on_render()]
    gw = gateway_for(make_gateway, tmp_path, data)
    listed = json.loads(cli("--url", gw.url, "depends", "waiter", "--json").out)
    assert [(x["direction"], x["type"], x["on"], x["active"], x["frames_left"]) for x in listed] == [
        ("waits on", "JOB_ON_JOB", "blocker", True, 2),
        ("waits on", "LAYER_ON_LAYER", "waiter/render", True, 3),
        ("waited on by", "LAYER_ON_LAYER", "waiter/render", True, 3),
    ]
    table = cli("--url", gw.url, "depends", "blocker")
    assert table.code == 0 and "waited on by" in table.out and "waiter" in table.out
    assert cli("--url", gw.url, "--read-only", "drop-depends", "waiter").code == 2
    assert gw.run(lambda farm: farm.find_job("waiter").frame_state("0001-render")) == "DEPEND"
    r = cli("--url", gw.url, "drop-depends", "waiter", "--external", "--json")
    assert r.code == 0, r.err
    changed = json.loads(r.out)
    assert changed["target"] == "EXTERNAL" and [d["type"] for d in changed["dropped"]] == ["JOB_ON_JOB"]
    states = gw.run(lambda farm: farm.find_job("waiter").frame_states())
    assert states["0001-render"] == "WAITING" and states["0001-comp"] == "DEPEND"
    r = cli("--url", gw.url, "drop-depends", "waiter", "--layer", "comp")
    assert r.code == 0 and "dropped 1 dependency of waiter/comp" in r.out
    assert gw.run(lambda farm: farm.find_job("waiter").frame_state("0001-comp")) == "WAITING"


def test_subscriptions_subscription_set_and_allocations(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    data = base()
    # Core units, as on the wire: 4 cores guaranteed, a burst of 6.
    data["subscriptions"] = [{"showName": "s", "allocationName": "local.general", "size": 400, "burst": 600}]
    _run(data, "blocker", "0001-render", cores=2)
    gw = gateway_for(make_gateway, tmp_path, data)
    subs = json.loads(cli("--url", gw.url, "subscriptions", "--json").out)
    assert subs == [
        {
            "show": "s",
            "allocation": "local.general",
            "size": 4,
            "burst": 6,
            "reserved_cores": 2,
            "idle_cores": 6,
            "hosts": 1,
        }
    ]
    assert cli("--url", gw.url, "subscriptions", "--show", "nope").code == 2
    assert cli("--url", gw.url, "subscription-set", "s", "local.general").code == 2
    assert cli("--url", gw.url, "--read-only", "subscription-set", "s", "local.general", "--burst", "9").code == 2
    r = cli("--url", gw.url, "subscription-set", "s", "local.general", "--burst", "9", "--size", "5", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == {
        "show": "s",
        "allocation": "local.general",
        "size": 5,
        "burst": 9,
        "was": {"size": 4, "burst": 6},
    }
    # The farm holds cores; the gateway was sent core units (SetSize 500, SetBurst 900) and answers them.
    sub = gw.run(lambda farm: farm.resources.subscriptions[0])
    assert (sub.size, sub.burst) == (5, 9)
    show = gw.run(lambda farm: farm.shows[0].id)
    token = jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
    answer = httpx.post(
        gw.url + "/show.ShowInterface/GetSubscriptions",
        headers={"Authorization": f"Bearer {token}"},
        json={"show": {"id": show}},
    )
    wire = answer.json()["subscriptions"]["subscriptions"]
    assert [(s["size"], s["burst"], s["reservedCores"]) for s in wire] == [(500, 900, 200)]
    text = cli("--url", gw.url, "subscriptions").out.splitlines()
    assert text[1].split() == ["s", "local.general", "5", "9", "2", "6", "1"], text
    allocs = json.loads(cli("--url", gw.url, "allocations", "--json").out)
    assert [(a["name"], a["tag"], a["cores"], a["idle_cores"], a["hosts"]) for a in allocs] == [
        ("local.general", "general", 8, 6, 1)
    ]
    assert "local.general" in cli("--url", gw.url, "allocations").out


def test_every_waiting_studio_job_gets_a_true_reason(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    """On the frozen studio farm, every pending job's top reason is proved by the simulator's own state."""
    gw = make_gateway(profile="studio", seed=0, speed=0.0)

    def pending(farm: Any) -> list[str]:
        return [j.name for j in farm.jobs if j.state == 0]

    seen: set[str] = set()
    for name in gw.run(pending):
        r = cli("--url", gw.url, "why", name, "--json")
        reasons = json.loads(r.out)

        def check(farm: Any, name: str = name, reasons: list[dict[str, Any]] = reasons) -> None:
            job = farm.jobs_by_name[name]
            res = farm.resources
            if not reasons:
                assert job.counts[0] + job.counts[4] == 0, name  # nothing WAITING or DEPEND
                return
            top = reasons[0]
            kind, figures = top["reason"], top["figures"]
            if kind == "paused":
                assert job.is_paused
            elif kind == "dependency":
                assert any(d.active and d.er_job is job for d in res.depends) and job.counts[4] > 0
            elif kind == "subscription_burst":
                sub = res.subscription(job.show, figures["allocation"])
                assert res.show_cores(job.show, sub.alloc.name) + figures["need"] > sub.burst
            elif kind == "job_max_cores":
                assert job.run.reserved_cores >= job.max_cores - 8
            elif kind == "group_max_cores":
                group = res.group_of(job)
                assert res.group_cores(group) >= group.max_cores - 8
            elif kind == "tags":
                assert not any(t in h.tags for h in farm.hosts for t in figures["tags"])
            elif kind == "memory":
                assert all(h.memory < figures["need"] for h in farm.hosts) or all(
                    h.idle_memory < figures["need"] for h in farm.hosts if h.state == 0 and h.lock_state == 0
                )
            elif kind == "cores":
                assert all(
                    h.idle_cores < figures["need"]
                    for h in farm.hosts
                    if h.state == 0 and h.lock_state == 0 and h.alloc_name == "local.general"
                )
            elif kind == "limit":
                assert res.limit_running(figures["limit"]) >= res.limit(figures["limit"]).max_value
            else:
                raise AssertionError(f"{name}: unexpected top reason {top}")

        gw.run(check)
        seen.update(x["reason"] for x in reasons)
    assert {"paused", "dependency", "subscription_burst", "group_max_cores", "tags", "memory", "limit"} <= seen
