"""Frame logs on disk (RQD layout, rotation, growth) and the optional Loki API."""

from __future__ import annotations

import calendar
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx

from cuetui.demo.server import DemoGatewayThread

from .helpers import wait_for


def frames_of(client: httpx.Client, job: dict[str, Any]) -> list[dict[str, Any]]:
    r = client.post("/job.JobInterface/GetFrames", json={"job": {"id": job["id"]}, "req": {"page": 1, "limit": 10_000}})
    return r.json()["frames"]["frames"]


def log_path(job: dict[str, Any], frame: dict[str, Any]) -> str:
    return f"{job['logDir']}/{job['name']}.{frame['name']}.rqlog"


def test_every_started_frame_has_its_log(demo_gateway: DemoGatewayThread, client: httpx.Client, tmp_path: Any) -> None:
    jobs = client.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}}).json()["jobs"]["jobs"]
    checked = 0
    for job in jobs:
        assert job["logDir"].startswith(str(tmp_path))
        for frame in frames_of(client, job):
            path = log_path(job, frame)
            if frame["state"] in ("RUNNING", "SUCCEEDED", "DEAD"):
                assert os.path.isfile(path), path
                text = Path(path).read_text(encoding="utf-8")
                assert text.startswith("=" * 59 + "\nRenderQ JobSpec")
                assert f"logDestination       {path}" in text
                if frame["state"] == "DEAD":
                    assert "RenderQ Job Complete" in text and "ERROR" in text
                    assert f"exitStatus          {frame['exitStatus']}" in text
                for attempt in range(1, frame["retryCount"] + 1):
                    assert os.path.isfile(f"{path}.{attempt}"), f"{path}.{attempt}"
                checked += 1
            elif frame["state"] == "WAITING" and frame["retryCount"] == 0:
                assert not os.path.exists(path)
    assert checked > 100


def test_proc_log_paths_exist(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    procs = client.post("/host.ProcInterface/GetProcs", json={"r": {}}).json()["procs"]["procs"]
    assert procs
    for proc in procs:
        assert proc["logPath"].endswith(f"{proc['jobName']}.{proc['frameName']}.rqlog")
        assert os.path.isfile(proc["logPath"])


def test_log_grows_while_running_and_rotates_on_retry(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(speed=20.0)
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as client:
        proc = client.post("/host.ProcInterface/GetProcs", json={"r": {}}).json()["procs"]["procs"][0]
        path = proc["logPath"]
        size = os.path.getsize(path)

        def grew_or_ended() -> bool:
            state = gw.run(lambda farm: farm.find_job(proc["jobName"]).frame_states()[proc["frameName"]])
            return os.path.getsize(path) > size or state != "RUNNING"

        wait_for(grew_or_ended, timeout=20)
        job = client.post("/job.JobInterface/FindJob", json={"name": proc["jobName"]}).json()["job"]
        frame = next(f for f in frames_of(client, job) if f["name"] == proc["frameName"])
        client.post("/job.FrameInterface/Retry", json={"frame": {"id": frame["id"]}})
        wait_for(
            lambda: gw.run(lambda farm: farm.find_job(job["id"]).frame_states()[frame["name"]]) == "RUNNING",
            timeout=20,
        )
        rotated = [p for p in os.listdir(os.path.dirname(path)) if p.startswith(os.path.basename(path) + ".")]
        assert rotated, "the previous attempt was kept as .rqlog.N"
        assert Path(path).read_text(encoding="utf-8").startswith("=" * 59)


def test_loki_endpoints(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(loki=True)
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as client:
        job = client.post("/job.JobInterface/GetJobs", json={}).json()["jobs"]["jobs"][0]
        assert job["lokiUrl"] == gw.url
        frame = next(f for f in frames_of(client, job) if f["state"] in ("SUCCEEDED", "DEAD", "RUNNING"))
    query = '{frame_id="' + frame["id"] + '"}'
    r = httpx.get(gw.url + "/loki/api/v1/query_range", params={"query": query, "limit": 1000, "direction": "forward"})
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "success" and data["data"]["resultType"] == "streams"
    streams = data["data"]["result"]
    assert len(streams) == frame["retryCount"] + 1
    labels = streams[-1]["stream"]
    assert set(labels) == {"frame_id", "session_start_time", "job_name", "frame_name", "host", "username"}
    assert labels["frame_id"] == frame["id"] and labels["job_name"] == job["name"]
    values = streams[-1]["values"]
    assert values[0][1].startswith("=" * 59) and all(isinstance(ts, str) and ts.isdigit() for ts, _ in values)
    assert [int(ts) for ts, _ in values] == sorted(int(ts) for ts, _ in values)
    sessions = httpx.get(gw.url + "/loki/api/v1/label/session_start_time/values", params={"query": query}).json()
    assert sessions["status"] == "success" and sessions["data"] == [s["stream"]["session_start_time"] for s in streams]
    last = httpx.get(gw.url + "/loki/api/v1/query_range", params={"query": query, "limit": 3}).json()
    tail = [v for s in last["data"]["result"] for v in s["values"]]
    assert len(tail) == 3 and tail[0][0] > tail[-1][0]  # backward: newest first


def test_loki_off_by_default(demo_gateway: DemoGatewayThread) -> None:
    assert httpx.get(demo_gateway.url + "/loki/api/v1/query_range").status_code == 401


def test_huge_compromise_backlog_drains_even_when_frozen(tmp_path: Path) -> None:
    from cuetui.demo.farm import SUCCEEDED, ManualClock
    from cuetui.demo.profiles import build_farm

    farm = build_farm("small", seed=4, speed=0.0, clock=ManualClock(), log_root=str(tmp_path))
    farm.logs.sync_limit = 2  # what the huge profile does with 200
    job = next(j for j in farm.jobs if j.counts[SUCCEEDED] >= 10)
    done = [i for i in range(job.total) if job.f_state[i] == SUCCEEDED][:10]
    farm.logs.begin_request()
    for i in done:
        farm.logs.materialize(job, i)
    assert sum(os.path.exists(job.log_path(i)) for i in done) == 2
    farm.tick(0.1)
    assert all(os.path.exists(job.log_path(i)) for i in done)


def test_retrying_a_history_frame_keeps_every_attempt(tmp_path: Path) -> None:
    from cuetui.demo import actions
    from cuetui.demo.farm import SUCCEEDED, ManualClock
    from cuetui.demo.profiles import build_farm

    clock = ManualClock()
    farm = build_farm("small", seed=8, speed=30.0, clock=clock, log_root=str(tmp_path))
    job, i = next((j, k) for j in farm.jobs for k in range(j.total) if j.f_state[k] == SUCCEEDED and j.f_retry[k])
    for j in farm.jobs:  # make room so the retried frame is dispatched at once
        actions.kill_frames(farm, j, range(j.total), "make room")
        j.is_paused = j is not job
    attempts_before = job.f_attempts[i]
    actions.retry_frames(farm, job, [i])
    job.priority = 10**6
    farm.dispatch(budget=10**6)
    assert job.f_state[i] == 2 and job.f_attempts[i] == attempts_before + 1
    path = job.log_path(i)
    for k in range(1, attempts_before + 1):
        assert os.path.isfile(f"{path}.{k}"), k
    assert os.path.isfile(path) and not os.path.exists(f"{path}.{attempts_before + 1}")


_STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\]")


def _log_facts(path: str) -> tuple[list[float], int | None]:
    """(every bracketed line stamp as epoch seconds, the footer's maxrss) of one log file."""
    stamps: list[float] = []
    rss = None
    mems: list[int] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _STAMP.match(line)
            if " mem " in line:
                mems.append(int(line.rsplit(" mem ", 1)[1].split()[0]))
            if m:
                stamps.append(calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")))
            elif line.startswith("maxrss ") and "(KB)" not in line:
                rss = int(line.split()[1])
    assert rss is None or all(mem * 1024 <= rss for mem in mems), (path, mems, rss)  # "mem" under the peak
    return stamps, rss


def test_logs_agree_with_their_frames(tmp_path: Path) -> None:
    """Stamps within the frame's start..stop (the farm's times, at any speed), maxrss = the frame's maxRss."""
    from cuetui.demo.farm import RUNNING, SUCCEEDED, ManualClock
    from cuetui.demo.profiles import build_farm

    clock = ManualClock()
    farm = build_farm("small", seed=5, speed=20.0, clock=clock, log_root=str(tmp_path))
    before = {(j.index, i): j.f_attempts[i] for j in farm.jobs for i in range(j.total)}
    for _ in range(400):  # 400 farm seconds, ticked as the server does
        clock.advance(1.0)
        farm.tick(1.0)
    checked = 0
    for job in farm.jobs:
        for i in range(job.total):
            if job.f_state[i] == RUNNING or job.f_attempts[i] == before.get((job.index, i), 0):
                continue  # only attempts that started and ended while the farm ran
            stamps, rss = _log_facts(job.log_path(i))
            assert stamps, job.log_path(i)
            assert job.f_start[i] <= min(stamps) and max(stamps) <= job.f_stop[i], (job.frame_name(i), stamps)
            assert stamps == sorted(stamps)
            assert rss == job.f_rss[i]
            checked += 1
    assert checked >= 20
    # History frames too (their logs are written when first seen): the footer's maxrss is the frame's.
    job, i = next((j, k) for j in farm.jobs for k in range(j.total) if j.f_state[k] == SUCCEEDED and j.f_rss[k])
    farm.logs.materialize(job, i)
    assert _log_facts(job.log_path(i))[1] == job.f_rss[i]
