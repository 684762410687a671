"""Answers that OpenCue's CueWeb, driven page by page against the simulator, found wrong, each checked on
the farm's state and strictly against opencue-proto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.conftest import DEMO_SECRET
from tests.schema import check_request, check_response


def _farm_file(tmp_path: Path) -> Path:
    frames = [{"layerName": layer, "number": n, "state": "WAITING"} for layer in ("a", "b") for n in (1, 2)]
    path = tmp_path / "farm.json"
    path.write_text(
        json.dumps(
            {
                "shows": [{"name": "s"}],
                "hosts": [{"host": {"name": "h1", "cores": 8, "allocName": "local.general", "tags": ["general"]}}],
                "jobs": [
                    {"job": {"name": name, "show": "s"}, "layers": [{"name": "a"}, {"name": "b"}], "frames": frames}
                    for name in ("up", "down")
                ],
            }
        )
    )
    return path


def _call(gw: Any, path: str, body: dict[str, Any]) -> httpx.Response:
    check_request(path, body)
    token = jwt.encode({"sub": "cueweb"}, DEMO_SECRET, algorithm="HS256")
    return httpx.post(gw.url + path, json=body, headers={"Authorization": f"Bearer {token}"})


def _ok(gw: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = _call(gw, path, body)
    assert r.status_code == 200, r.text
    check_response(path, r.text)
    answer: dict[str, Any] = r.json()
    return answer


def test_a_second_identical_active_dependency_is_refused_as_cuebot_does(make_gateway: Any, tmp_path: Path) -> None:
    # CueWeb's Dependency Wizard, run twice on the same layers, showed the same dependency twice. Cuebot's
    # depend table has a unique signature (type, depend-er, depend-on): the second insert fails with a
    # DuplicateKeyException (500 INTERNAL through its interceptor) and nothing changes. A satisfied
    # depend's signature becomes its own id, so the same dependency can be made again once satisfied.
    gw = make_gateway(scenario=_farm_file(tmp_path), profile=None)
    layer, on = gw.run(lambda farm: (farm.jobs_by_name["down"].layers[1].id, farm.jobs_by_name["up"].layers[1].id))
    create = "/job.LayerInterface/CreateDependencyOnLayer"
    body = {"layer": {"id": layer}, "dependOnLayer": {"id": on}}
    first = _ok(gw, create, body)["depend"]
    assert (first["type"], first["active"], first["dependErLayer"], first["dependOnJob"]) == (
        "LAYER_ON_LAYER",
        True,
        "b",
        "up",
    )

    again = _call(gw, create, body)
    assert again.status_code == 500
    error = again.json()
    assert error["code"] == 13 and error["details"] == []
    assert error["message"].startswith("org.springframework.dao.DuplicateKeyException: ")

    listed = "/job.LayerInterface/GetWhatThisDependsOn"
    depends = _ok(gw, listed, {"layer": {"id": layer}})["depends"]["depends"]
    assert [(d["id"], d["active"]) for d in depends] == [(first["id"], True)]
    assert gw.run(lambda farm: len(farm.resources.depends)) == 1

    _ok(gw, "/depend.DependInterface/Satisfy", {"depend": {"id": first["id"]}})
    second = _ok(gw, create, body)["depend"]
    assert second["id"] != first["id"] and second["active"] is True
    depends = _ok(gw, listed, {"layer": {"id": layer}})["depends"]["depends"]
    assert sorted((d["id"], d["active"]) for d in depends) == sorted([(first["id"], False), (second["id"], True)])
    assert gw.run(lambda farm: farm.find_job("down").frame_state("0001-b")) == "DEPEND"


def test_the_same_job_on_job_twice_is_refused_but_another_type_is_not(make_gateway: Any, tmp_path: Path) -> None:
    gw = make_gateway(scenario=_farm_file(tmp_path), profile=None)
    down, up = gw.run(lambda farm: (farm.jobs_by_name["down"].id, farm.jobs_by_name["up"].id))
    layer = gw.run(lambda farm: farm.jobs_by_name["up"].layers[0].id)
    on_job = {"job": {"id": down}, "onJob": {"id": up}}
    _ok(gw, "/job.JobInterface/CreateDependencyOnJob", on_job)
    assert _call(gw, "/job.JobInterface/CreateDependencyOnJob", on_job).status_code == 500
    # The other way round, and down on a layer of up, are other signatures.
    _ok(gw, "/job.JobInterface/CreateDependencyOnJob", {"job": {"id": up}, "onJob": {"id": down}})
    _ok(gw, "/job.JobInterface/CreateDependencyOnLayer", {"job": {"id": down}, "layer": {"id": layer}})
    kinds = _ok(gw, "/job.JobInterface/GetWhatThisDependsOn", {"job": {"id": down}})["depends"]["depends"]
    assert sorted(d["type"] for d in kinds) == ["JOB_ON_JOB", "JOB_ON_LAYER"]
