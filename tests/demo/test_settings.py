"""Job and layer settings and mark-done on the simulated farm: each RPC changes what the scheduler does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cuetui.demo.farm import DEAD, EATEN, WAITING, Farm
from cuetui.demo.server import DemoGatewayThread
from tests.schema import check_response

GB = 1048576
JOB = "testing-sh010-jdoe_settings"


def scenario(tmp_path: Path, **job: Any) -> Path:
    """One 16-core 64 GB host tagged general, and a job with a render layer (4 frames) and a sim layer
    (2 frames), every frame WAITING."""
    frames = [
        {"name": f"{n:04d}-{layer}", "layerName": layer, "number": n, "state": "WAITING"}
        for layer, count in (("render", 4), ("sim", 2))
        for n in range(1, count + 1)
    ]
    data = {
        "shows": [{"name": "testing"}],
        "jobs": [
            {
                "job": {"name": JOB, "show": "testing", "shot": "sh010", "user": "jdoe", "priority": 100, **job},
                "layers": [
                    {"name": "render", "minCores": 1, "minMemory": str(4 * GB), "tags": ["general"]},
                    {"name": "sim", "minCores": 1, "minMemory": str(4 * GB), "tags": ["general"]},
                ],
                "frames": frames,
            }
        ],
        "hosts": [{"host": {"name": "render01", "cores": 16, "memory": str(64 * GB), "tags": ["general", "render01"]}}],
    }
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def farm_gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return make_gateway(scenario=scenario(tmp_path, maxRetries=1), speed=0.0)


@pytest.fixture
def http(farm_gw: DemoGatewayThread, gateway_token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=farm_gw.url, headers={"Authorization": f"Bearer {gateway_token}"}, timeout=20) as c:
        yield c


def call(http: httpx.Client, path: str, body: dict[str, Any]) -> Any:
    r = http.post(path, json=body)
    assert r.status_code == 200, (path, r.text)
    check_response(path, r.content)
    return r.json()


def ids(gw: DemoGatewayThread) -> tuple[str, str, str]:
    return gw.run(lambda farm: (farm.jobs[0].id, farm.jobs[0].layers[0].id, farm.jobs[0].layers[1].id))


def states(gw: DemoGatewayThread) -> dict[str, str]:
    return gw.run(lambda farm: farm.find_job(JOB).frame_states())  # type: ignore[no-any-return]


def dispatch(gw: DemoGatewayThread) -> None:
    gw.run(lambda farm: farm.dispatch(budget=100))


def test_min_memory_no_host_has_keeps_the_layers_frames_waiting(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    _job, render, _sim = ids(farm_gw)
    call(http, "/job.LayerInterface/SetMinMemory", {"layer": {"id": render}, "memory": str(128 * GB)})
    dispatch(farm_gw)
    got = states(farm_gw)
    assert {got[f"{n:04d}-render"] for n in range(1, 5)} == {"WAITING"}
    assert {got["0001-sim"], got["0002-sim"]} == {"RUNNING"}  # the other layer is not held up
    layer = call(http, "/job.JobInterface/GetLayers", {"job": {"id": _job}})["layers"]["layers"][0]
    assert layer["minMemory"] == str(128 * GB)
    farm_gw.run(Farm.check_invariants)


def test_tags_decide_which_hosts_take_a_layer(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    _job, render, _sim = ids(farm_gw)
    call(http, "/job.LayerInterface/SetTags", {"layer": {"id": render}, "tags": ["gpu", " ", "gpu"]})
    assert farm_gw.run(lambda farm: farm.jobs[0].layers[0].tags) == ["gpu"]
    dispatch(farm_gw)
    assert states(farm_gw)["0001-render"] == "WAITING"
    call(http, "/job.LayerInterface/SetTags", {"layer": {"id": render}, "tags": ["render01"]})
    dispatch(farm_gw)
    assert states(farm_gw)["0001-render"] == "RUNNING"


def test_max_cores_caps_what_the_job_runs(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    job, _render, _sim = ids(farm_gw)
    call(http, "/job.JobInterface/SetMaxCores", {"job": {"id": job}, "val": 2.9})
    dispatch(farm_gw)
    assert list(states(farm_gw).values()).count("RUNNING") == 2
    assert farm_gw.run(lambda farm: farm.jobs[0].max_cores) == 2.0


def test_max_retries_and_auto_eat_decide_how_a_frame_ends(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    job, _render, _sim = ids(farm_gw)
    call(http, "/job.JobInterface/SetMaxRetries", {"job": {"id": job}, "maxRetries": 0})
    dispatch(farm_gw)

    def fail(farm: Farm, i: int) -> int:
        farm.finish_frame(farm.procs[(0, i)], False, 1)
        return int(farm.jobs[0].f_state[i])

    assert farm_gw.run(lambda farm: fail(farm, 0)) == DEAD  # no retries left: DEAD at once
    call(http, "/job.JobInterface/SetAutoEat", {"job": {"id": job}, "value": True})
    assert farm_gw.run(lambda farm: fail(farm, 1)) == EATEN
    call(http, "/job.JobInterface/SetMaxRetries", {"job": {"id": job}, "maxRetries": 3})
    call(http, "/job.JobInterface/SetAutoEat", {"job": {"id": job}, "value": False})
    assert farm_gw.run(lambda farm: fail(farm, 2)) == WAITING  # retried
    got = farm_gw.run(lambda farm: (farm.jobs[0].max_retries, farm.jobs[0].auto_eat))
    assert got == (3, False)


def test_gpus_cores_threadable_timeouts_are_stored(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    job, render, _sim = ids(farm_gw)
    ref = {"layer": {"id": render}}
    call(http, "/job.JobInterface/SetMinGpus", {"job": {"id": job}, "val": 1})
    call(http, "/job.JobInterface/SetMaxGpus", {"job": {"id": job}, "val": 3})
    call(http, "/job.LayerInterface/SetMinCores", {**ref, "cores": 2.5})
    call(http, "/job.LayerInterface/SetMaxCores", {**ref, "cores": 8})
    call(http, "/job.LayerInterface/SetMinGpuMemory", {**ref, "gpuMemory": str(2 * GB)})
    call(http, "/job.LayerInterface/SetMinGpus", {**ref, "minGpus": 1})
    call(http, "/job.LayerInterface/SetMaxGpus", {**ref, "maxGpus": 2})
    call(http, "/job.LayerInterface/SetThreadable", {**ref, "threadable": True})
    call(http, "/job.LayerInterface/SetTimeout", {**ref, "timeout": 90})
    call(http, "/job.LayerInterface/SetTimeoutLLU", {**ref, "timeoutLlu": 15})
    layer = call(http, "/job.JobInterface/GetLayers", {"job": {"id": job}})["layers"]["layers"][0]
    assert (layer["minCores"], layer["maxCores"], layer["minGpuMemory"]) == (2.0, 8.0, str(2 * GB))
    assert (layer["minGpus"], layer["maxGpus"], layer["isThreadable"]) == (1.0, 2.0, True)
    assert (layer["timeout"], layer["timeoutLlu"]) == (90, 15)
    got = call(http, "/job.JobInterface/GetJob", {"id": job})["job"]
    assert (got["minGpus"], got["maxGpus"]) == (1.0, 3.0)


def test_mark_done_leaves_the_layers_frames_as_they_are(farm_gw: DemoGatewayThread, http: httpx.Client) -> None:
    """Cuebot's mark done only satisfies what waits on the layer: no frame is eaten, none killed."""
    _job, render, _sim = ids(farm_gw)
    dispatch(farm_gw)
    farm_gw.run(lambda farm: farm.finish_frame(farm.procs[(0, 0)], True, 0))
    before = states(farm_gw)
    running = farm_gw.run(lambda farm: sorted(farm.procs))
    assert "RUNNING" in before.values() and "SUCCEEDED" in before.values()
    call(http, "/job.LayerInterface/MarkdoneFrames", {"layer": {"id": render}})
    assert states(farm_gw) == before
    assert farm_gw.run(lambda farm: sorted(farm.procs)) == running
    farm_gw.run(Farm.check_invariants)


def test_unknown_layer_or_job_is_refused(http: httpx.Client) -> None:
    r = http.post("/job.LayerInterface/SetMinMemory", json={"layer": {"id": "nope"}, "memory": "1"})
    assert r.status_code == 500
    r = http.post("/job.JobInterface/SetMaxRetries", json={"job": {"id": "nope"}, "maxRetries": 1})
    assert r.status_code == 404


def test_scenario_keeps_max_retries_and_the_settings(farm_gw: DemoGatewayThread) -> None:
    assert farm_gw.run(lambda farm: farm.jobs[0].max_retries) == 1
