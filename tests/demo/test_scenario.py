"""--scenario: a farm from a JSON snapshot, hostile names as data, and the capture round trip."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from cuetui.demo.farm import FarmClock
from cuetui.demo.profiles import build_farm
from cuetui.demo.scenario import dump_scenario, farm_from_scenario

from .test_wire import assert_valid

EXAMPLE = Path(__file__).parent / "data" / "scenario-example.json"
EVIL = "evil/../name \"quoted\" 'single' \\back \x1b[31mred\x1b[0m"


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    # The example's absolute logDir is rewritten into this test's tmp dir; its relative one lands under
    # --log-root.
    text = EXAMPLE.read_text(encoding="utf-8").replace("ABSROOT", str(tmp_path / "scenario-logs"))
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    return path


def client_for(gw: Any, token: str) -> httpx.Client:
    return httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_example_scenario(make_gateway: Any, gateway_token: str, scenario_file: Path, tmp_path: Path) -> None:
    gw = make_gateway(scenario=scenario_file, log_root=tmp_path / "root")
    with client_for(gw, gateway_token) as c:
        jobs = assert_valid(
            "/job.JobInterface/GetJobs",
            c.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}}),
        )
        by_name = {j["name"]: j for j in jobs["jobs"]["jobs"]}
        assert set(by_name) == {"testing-sh010-jdoe_lighting_v3", "[bold red]x[/]", EVIL}
        lighting = by_name["testing-sh010-jdoe_lighting_v3"]
        assert lighting["id"] == "11111111-1111-4111-8111-111111111111"
        stats = lighting["jobStats"]
        assert (
            stats["totalFrames"],
            stats["deadFrames"],
            stats["runningFrames"],
            stats["succeededFrames"],
            stats["waitingFrames"],
            stats["reservedCores"],
        ) == (4, 1, 1, 1, 1, 4)
        assert by_name["[bold red]x[/]"]["state"] == "FINISHED"
        shows = assert_valid("/show.ShowInterface/GetShows", c.post("/show.ShowInterface/GetShows", json={}))
        assert {s["name"] for s in shows["shows"]["shows"]} == {"testing", "other"}
        hosts = {h["name"]: h for h in c.post("/host.HostInterface/GetHosts", json={}).json()["hosts"]["hosts"]}
        assert hosts["render02"]["state"] == "DOWN" and hosts["render02"]["lockState"] == "LOCKED"
        assert hosts["render01"]["idleCores"] == 12  # recomputed from procs, not the file's 0
        procs = assert_valid(
            "/host.HostInterface/GetProcs",
            c.post("/host.HostInterface/GetProcs", json={"host": {"id": hosts["render01"]["id"]}}),
        )
        (proc,) = procs["procs"]["procs"]
        assert (proc["jobName"], proc["frameName"], proc["reservedCores"]) == (
            lighting["name"],
            "0003-render",
            4,
        )
        frames = assert_valid(
            "/job.JobInterface/GetFrames",
            c.post(
                "/job.JobInterface/GetFrames",
                json={"job": {"id": lighting["id"]}, "req": {"page": 1, "limit": 10}},
            ),
        )
        states = {f["name"]: (f["state"], f["retryCount"], f["exitStatus"]) for f in frames["frames"]["frames"]}
        assert states == {
            "0001-render": ("SUCCEEDED", 0, 0),
            "0002-render": ("DEAD", 3, 137),
            "0003-render": ("RUNNING", 1, 0),
            "0004-render": ("WAITING", 0, -1),
        }
        evil = by_name[EVIL]
        evil_frames = c.post(
            "/job.JobInterface/GetFrames", json={"job": {"id": evil["id"]}, "req": {"page": 1, "limit": 10}}
        ).json()
        assert [f["name"] for f in evil_frames["frames"]["frames"]] == ["0001-comp/slash"]
        markup = by_name["[bold red]x[/]"]
        assert markup["logDir"].startswith(str(tmp_path / "root"))
        c.post("/job.JobInterface/GetFrames", json={"job": {"id": markup["id"]}, "req": {"page": 1, "limit": 10}})
    # The scenario's own logs, where logDir says but re-rooted under the log root, "/" in names nesting.
    logs = tmp_path / "root" / str(tmp_path / "scenario-logs").lstrip("/")
    given = logs / "testing" / "sh010" / "logs" / "testing-sh010-jdoe_lighting_v3"
    assert (given / "testing-sh010-jdoe_lighting_v3.0002-render.rqlog").read_text() == (
        "=== scenario log ===\nERROR: out of memory\n"
    )
    assert (given / "testing-sh010-jdoe_lighting_v3.0001-render.rqlog").is_file()  # generated, lazily
    assert (given / "testing-sh010-jdoe_lighting_v3.0003-render.rqlog.1").is_file()  # retryCount 1
    evil_log = f"{tmp_path}/root/nested/dir/{EVIL}.0001-comp/slash.rqlog"
    assert os.path.isfile(evil_log)
    assert Path(evil_log).read_text() == "a log \x1b[1mwith escapes\x1b[0m\n"
    markup_log = Path(f"{markup['logDir']}/[bold red]x[/].0001-[b].rqlog")
    assert markup_log.read_text() == "[bold red]not markup[/]\n"


def test_actions_on_scenario_farm(make_gateway: Any, gateway_token: str, scenario_file: Path) -> None:
    gw = make_gateway(scenario=scenario_file)
    with client_for(gw, gateway_token) as c:
        job = c.post("/job.JobInterface/GetJob", json={"id": "11111111-1111-4111-8111-111111111111"}).json()["job"]
        c.post(
            "/job.JobInterface/RetryFrames",
            json={"job": {"id": job["id"]}, "req": {"states": {"frameStates": ["DEAD"]}}},
        )
        frame = c.post("/job.FrameInterface/GetFrame", json={"id": "22222222-2222-4222-8222-000000000002"}).json()
        assert frame["frame"]["state"] == "WAITING"


def test_round_trip_through_capture_format(tmp_path: Path) -> None:
    clock = FarmClock(epoch=1_767_225_600)
    farm = build_farm("small", seed=5, speed=0.0, clock=clock, log_root=str(tmp_path))
    data = json.loads(json.dumps(dump_scenario(farm)))
    again = farm_from_scenario(data, seed=99, speed=0.0, clock=clock, log_root=str(tmp_path / "again"))
    again.check_invariants()
    second = json.loads(json.dumps(dump_scenario(again)))

    def essentials(d: dict[str, Any], root: Path | None = None) -> Any:
        jobs = [
            (
                e["job"]["id"],
                e["job"]["name"],
                e["job"]["state"],
                e["job"]["logDir"].removeprefix(str(root)) if root else e["job"]["logDir"],  # re-rooted
                e["job"]["priority"],
                e["job"]["isPaused"],
                {k: v for k, v in e["job"]["jobStats"].items() if k.endswith("Frames")},
                [
                    (
                        f["id"],
                        f["name"],
                        f["state"],
                        f["retryCount"],
                        f["exitStatus"],
                        f["startTime"],
                        f["stopTime"],
                        f["lastResource"],
                    )
                    for f in e["frames"]
                ],
                [(la["id"], la["name"], la["minCores"], la["layerStats"]["totalFrames"]) for la in e["layers"]],
            )
            for e in d["jobs"]
        ]
        hosts = [
            (
                h["host"]["id"],
                h["host"]["name"],
                h["host"]["state"],
                h["host"]["idleCores"],
                sorted((p["jobName"], p["frameName"], p["reservedCores"]) for p in h["procs"]),
            )
            for h in d["hosts"]
        ]
        shows = [
            (s["id"], s["name"], s["showStats"]["runningFrames"], s["showStats"]["pendingJobs"]) for s in d["shows"]
        ]
        return jobs, hosts, shows

    assert essentials(second, tmp_path / "again") == essentials(data)


def test_round_trip_keeps_logs(tmp_path: Path) -> None:
    farm = build_farm("small", seed=6, speed=0.0, log_root=str(tmp_path / "a"))
    data = json.loads(json.dumps(dump_scenario(farm, logs=True)))
    entry = next(e for e in data["jobs"] if e["logs"])
    name, text = next(iter(entry["logs"].items()))
    entry["job"]["logDir"] = str(tmp_path / "b")
    again = farm_from_scenario(data, log_root=str(tmp_path / "c"))
    job = again.find_job(entry["job"]["id"])
    assert job is not None
    # an absolute logDir outside the log root is re-rooted under it, never written where it points
    assert Path(f"{tmp_path}/c{tmp_path}/b/{job.name}.{name}.rqlog").read_text(encoding="utf-8") == text
    assert not (tmp_path / "b").exists()


def test_missing_fields_get_defaults() -> None:
    farm = farm_from_scenario(
        {"jobs": [{"job": {"name": "bare"}, "frames": [{"number": 1, "layerName": "l"}]}]},
        log_root="/nonexistent-root",
    )
    job = farm.find_job("bare")
    assert job is not None and job.show.name == "testing" and job.frame_states() == {"0001-l": "WAITING"}
    assert job.log_dir.startswith("/nonexistent-root/")
