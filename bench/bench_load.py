"""What cuetui costs the farm: requests and answer bytes per minute, against CueWeb (README Performance, row 6).

1. One cuetui, each screen at the default refresh (5 s; a job's frames every 2 s). The app runs
   headless in this process against the demo gateway (`studio`, seed 7, speed 1: a live farm, so
   GetUpdatedFrames has changes to return) on a thread; the gateway counts requests and answer bytes
   per path (`Gateway.traffic`). Each screen is opened, left to load and settle, then counted over a
   window (60 s; 6 s with --quick). The screens are those a user goes through: jobs, the first job
   (Enter), hosts (mode 3), dead-frame triage (mode 4); each earlier one stays open but hidden, so the
   per-path counts also check that hidden screens do not poll.

2. CueWeb for the same farm, the same jobs and the same job. Its requests are sent once to the same
   gateway and counted the same way, then scaled to a minute by the rates measured on a running CueWeb:
   every page also sends GetActiveShows 14 times a minute (health probes), the jobs table's 5 s refresh
   drifts to one every ~6.6 s, and a job row open sends GetLayers and GetFrames 12 times a minute each.
   What each request is was read from the
   OpenCue repository (github.com/AcademySoftwareFoundation/OpenCue at 1cea9a8d, 2026-08-12):
   - jobs page: `cueweb/app/jobs/data-table.tsx` refreshes every 5 s (`setInterval(refreshOnce, 5000)`);
     each refresh posts the table's jobs to `cueweb/public/workers/updateJobsTableDataWorker.tsx`, which
     sends one GetJobs `{"r": {"include_finished": true, "ids": [id]}}` per job in the table, then
     `addUsersJobs()` sends GetJobs `{"r": {"include_finished": false, "users": [user]}}` ("autoload
     mine" is on by default). For the same 64 jobs cuetui shows: 65 requests per refresh.
   - job page: `cueweb/app/jobs/[job-name]/page.tsx` refreshes the open tab every 5 s
     (`setInterval(runFetch, 5000)`); on the frames tab that is `getFramesForJob()` of
     `cueweb/app/utils/get_utils.ts`: GetFrames `{"job": {id, name}, "req": {"include_finished": true,
     "page": 1, "limit": 500}}` (and GetLayers for the layers of the open row).
   - hosts page: `cueweb/app/hosts/page.tsx`, `REFRESH_MS = 30000`, `getHosts()`: GetHosts `{"r": {}}`.
   CueWeb's browser talks to its Next.js server, which sends each of these to the gateway: the farm
   sees one gateway request per browser request. Ratio = CueWeb's per minute over cuetui's (> 1: cuetui
   costs the farm less). CueWeb has no dead-frame triage page.

3. 200 headless pollers (`cuetui.farm.poller.PollLoop` + `GatewayClient.get_jobs`, what the jobs screen
   polls, 5 s apart, their starts spread over one interval) as asyncio tasks in this process, against
   one demo gateway in a child process (`studio`, frozen): requests/s the gateway answered and its CPU
   (utime+stime from /proc) over the window.

4. The job screen on a quiet job: `JobDetailView` (what the job screen polls) on the biggest job of the
   live `studio` farm that has no frame running, paused first, polled back to back for two minutes' worth
   of 2 s polls; requests per poll and per minute.

What cuetui already does to send less, checked by the per-path counts: the job screen polls
GetUpdatedFrames alone after its first load and derives the job's and layers' frame counters from the
frames it holds; GetJob + GetLayers follow a reload, a state change or an action, at most every 10 polls
while frames change and every 30 when quiet; screens hidden under another or in another mode pause their
polls. The
gateway protocol has no conditional fetch (no ETag / If-Modified-Since, grpc-gateway does not compress
by default), so the jobs, hosts and triage screens cannot ask for "only what changed".

Usage: python -m bench.bench_load [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from bench.common import SECRET, Result, cpu_seconds, start_gateway, stop_gateway

REFRESH = 5.0  # cuetui's default (cuetui.ui.options.UiOptions.refresh) and CueWeb's jobs/job pages
CUEWEB_HOSTS_REFRESH = 30.0
# Measured on CueWeb (browser + its Next.js server) against a gateway, per minute: every page sends
# GetActiveShows 14 times (its health probes); the jobs table's 5 s refresh drifts to ~6.6 s; a job
# row open sends GetLayers and GetFrames 12 times each.
CUEWEB_HEALTH_PER_MIN = 14.0
CUEWEB_JOBS_PER_MIN = 60 / 6.6
CUEWEB_JOB_PER_MIN = 12.0
POLLERS = 200
USER = "jdoe"  # CueWeb's "autoload mine" user (one of the studio farm's users)

Traffic = dict[str, list[int]]


def _diff(after: Traffic, before: Traffic) -> Traffic:
    return {
        path: [n - before.get(path, [0, 0])[0], b - before.get(path, [0, 0])[1]]
        for path, (n, b) in after.items()
        if n - before.get(path, [0, 0])[0]
    }


def _copy(traffic: Traffic) -> Traffic:
    return {path: list(counts) for path, counts in list(traffic.items())}


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]


async def _until(pilot: Any, condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.1)


async def one_cuetui(window: float, settle: float) -> dict[str, Any]:
    """Per screen: {"traffic": per-path counts over the window, "wall": s}; plus CueWeb's per refresh."""
    import httpx

    from cuetui.demo.server import DemoGatewayThread
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.job import JobScreen

    gateway = DemoGatewayThread(profile="studio", seed=7, speed=1.0, secret=SECRET).start()
    out: dict[str, Any] = {}
    try:
        assert gateway.gateway is not None
        traffic = gateway.gateway.traffic
        client = GatewayClient(gateway.url, GatewayAuth(secret=SECRET, sub="bench"))
        app = CueTuiApp(client, UiOptions(url=gateway.url, farm_name="demo", user="bench"))

        async def count(name: str) -> None:
            await pilot.pause(settle)
            before = _copy(traffic)
            start = time.monotonic()
            await pilot.pause(window)
            out[name] = {"traffic": _diff(_copy(traffic), before), "wall": time.monotonic() - start}

        def table_loaded() -> bool:
            return bool(getattr(getattr(app.screen, "table", None), "loaded", False))

        async with app.run_test(size=(160, 48)) as pilot:
            await _until(pilot, table_loaded, 120, "the jobs table")
            jobs = app.screen.table.models()  # type: ignore[attr-defined]
            await count("jobs")
            await pilot.press("enter")

            def job_loaded() -> bool:
                screen = app.screen
                return isinstance(screen, JobScreen) and bool(screen.sync and screen.sync.loaded)

            await _until(pilot, job_loaded, 120, "the job screen")
            job_screen = app.screen
            assert isinstance(job_screen, JobScreen)
            job_id, job_name = job_screen.job_id, job_screen.job_name
            await count("job")
            for mode, name in (("hosts", "hosts"), ("dead", "triage")):
                await app.switch_mode(mode)
                await _until(pilot, table_loaded, 120, f"the {name} screen")
                await count(name)
        await client.aclose()

        # CueWeb's requests of each page, sent once each to the same gateway, with how often CueWeb
        # sends them (per minute, as measured; see the module docstring).
        token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
        headers = {"Authorization": f"Bearer {token}"}
        health = ("/show.ShowInterface/GetActiveShows", {}, CUEWEB_HEALTH_PER_MIN)
        pages: dict[str, list[tuple[str, dict[str, Any], float]]] = {
            "jobs": [
                ("/job.JobInterface/GetJobs", {"r": {"include_finished": True, "ids": [job.id]}}, CUEWEB_JOBS_PER_MIN)
                for job in jobs
            ]
            + [("/job.JobInterface/GetJobs", {"r": {"include_finished": False, "users": [USER]}}, CUEWEB_JOBS_PER_MIN)]
            + [health],
            "job": [
                (
                    "/job.JobInterface/GetFrames",
                    {
                        "job": {"id": job_id, "name": job_name},
                        "req": {"include_finished": True, "page": 1, "limit": 500},
                    },
                    CUEWEB_JOB_PER_MIN,
                ),
                ("/job.JobInterface/GetLayers", {"job": {"id": job_id, "name": job_name}}, CUEWEB_JOB_PER_MIN),
                health,
            ],
            "hosts": [("/host.HostInterface/GetHosts", {"r": {}}, 60 / CUEWEB_HOSTS_REFRESH), health],
        }
        with httpx.Client(base_url=gateway.url, headers=headers, timeout=60) as http:
            for page, calls in pages.items():
                per_min: Traffic = {}
                for path, body, rate in calls:
                    before = _copy(traffic)
                    http.post(path, json=body).raise_for_status()
                    for sent_path, (n, size) in _diff(_copy(traffic), before).items():
                        counts = per_min.setdefault(sent_path, [0, 0])
                        counts[0] += round(n * rate)
                        counts[1] += round(size * rate)
                out[f"cueweb_{page}"] = per_min
    finally:
        gateway.stop()
    return out


async def _pollers(url: str, seconds: float, server_pid: int) -> dict[str, float]:
    from cuetui.farm.poller import PollLoop
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    clients = [GatewayClient(url, GatewayAuth(secret=SECRET, sub=f"poller{i}")) for i in range(POLLERS)]
    errors: list[Exception] = []
    latencies: list[float] = []

    def timed(client: GatewayClient) -> Callable[[], Awaitable[Any]]:
        async def fetch() -> Any:
            start = time.monotonic()
            try:
                return await client.get_jobs()
            finally:
                latencies.append(time.monotonic() - start)

        return fetch

    loops = [
        PollLoop(timed(c), interval=REFRESH, on_result=lambda _: None, on_error=lambda e, _: errors.append(e))
        for c in clients
    ]

    async def staggered(i: int, loop: PollLoop[Any]) -> None:
        await asyncio.sleep(REFRESH * i / POLLERS)
        await loop.run()

    tasks = [asyncio.create_task(staggered(i, loop)) for i, loop in enumerate(loops)]
    await asyncio.sleep(REFRESH + 1)  # every poller started and past its first poll
    polls = sum(loop.polls for loop in loops)
    latencies.clear()
    cpu = cpu_seconds(server_pid)
    own = time.process_time()
    start = time.monotonic()
    await asyncio.sleep(seconds)
    wall = time.monotonic() - start
    server_cpu = cpu_seconds(server_pid) - cpu
    client_cpu = time.process_time() - own
    polls = sum(loop.polls for loop in loops) - polls
    received = sum(c.bytes_received for c in clients)
    for loop in loops:
        loop.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for c in clients:
        await c.aclose()
    return {
        "requests_per_s": polls / wall,
        "server_cpu_percent": server_cpu / wall * 100,
        "client_cpu_percent": client_cpu / wall * 100,
        "errors": float(len(errors)),
        "bytes_total": float(received),
        "wall": wall,
        "median_latency": statistics.median(latencies) if latencies else 0.0,
    }


def many_pollers(seconds: float) -> dict[str, float]:
    """200 jobs-screen pollers against a demo gateway in a child process."""
    proc, url = start_gateway("studio")
    try:
        cpu = cpu_seconds(proc.pid)
        time.sleep(2)
        idle = (cpu_seconds(proc.pid) - cpu) / 2 * 100
        figures = asyncio.run(_pollers(url, seconds, proc.pid))
        figures["server_idle_cpu_percent"] = idle
    finally:
        stop_gateway(proc)
    return figures


async def quiet_job(polls: int = 60) -> dict[str, Any]:
    """JobDetailView on a quiet job (paused, nothing running): what `polls` polls after the first sent."""
    from cuetui.demo.model import RUNNING
    from cuetui.demo.server import DemoGatewayThread
    from cuetui.farm.views.job import JobDetailView
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    # A live farm (a frozen one answers GetUpdatedFrames with the frames stamped at its one instant),
    # and a job that stays quiet: paused, with no frame running.
    gateway = DemoGatewayThread(profile="studio", seed=7, speed=1.0, secret=SECRET).start()
    try:
        assert gateway.gateway is not None and gateway.farm is not None
        traffic = gateway.gateway.traffic

        def pick(farm: Any) -> str:
            jobs = [j for j in farm.jobs if j.state_name == "PENDING" and not j.counts[RUNNING]]
            return str(max(jobs, key=lambda j: (j.total, j.id)).id)

        job_id = gateway.run(pick)
        client = GatewayClient(gateway.url, GatewayAuth(secret=SECRET, sub="bench"))
        await client.pause_job(job_id)
        view = JobDetailView(client, job_id)
        await view.poll()
        before = _copy(traffic)
        for _ in range(polls):
            await view.poll()
        sent = _diff(_copy(traffic), before)
        await client.aclose()
    finally:
        gateway.stop()
    return {"traffic": sent, "polls": polls, "frames": len(view.sync.frames)}


def _per_min(traffic: Traffic, wall: float) -> tuple[float, float]:
    requests = sum(n for n, _ in traffic.values())
    size = sum(b for _, b in traffic.values())
    return requests / wall * 60, size / wall * 60 / 1024


def _paths(traffic: Traffic, wall: float) -> str:
    return ", ".join(f"{_short(p)} {n / wall * 60:.0f}/min" for p, (n, _) in sorted(traffic.items()))


def run(quick: bool = False) -> list[Result]:
    """Per-screen load of one cuetui against CueWeb's, then 200 pollers on one gateway."""
    window, settle = (6.0, 1.0) if quick else (60.0, 3.0)
    figures = asyncio.run(one_cuetui(window, settle))
    results: list[Result] = []
    cueweb_page = {"jobs": "jobs page", "job": "job page (job row open)", "hosts": "hosts page"}
    for screen in ("jobs", "job", "hosts", "triage"):
        f = figures[screen]
        requests, kb = _per_min(f["traffic"], f["wall"])
        note = _paths(f["traffic"], f["wall"])
        web_requests = web_kb = None
        if screen in cueweb_page:
            web_requests, web_kb = _per_min(figures[f"cueweb_{screen}"], 60.0)
        for what, value, unit, web in (("requests", requests, "/min", web_requests), ("KB", kb, "KB", web_kb)):
            name = f"load, {screen} screen: {what}/min"
            if web is None:
                results.append(Result("load", name, value, unit, note=note + " (CueWeb has no such page)"))
                continue
            results.append(
                Result(
                    "load",
                    name,
                    value,
                    unit,
                    baseline=web,
                    baseline_name=f"CueWeb {cueweb_page[screen]}",
                    ratio=web / value if value else None,
                    goal="below CueWeb's (ratio > 1)",
                    met=value < web,
                    note=note,
                )
            )
    q = asyncio.run(quiet_job())
    wall = q["polls"] * 2.0  # the job screen's default frame refresh
    requests, kb = _per_min(q["traffic"], wall)
    web_requests, web_kb = _per_min(figures["cueweb_job"], 60.0)
    per_poll = sum(n for n, _ in q["traffic"].values()) / q["polls"]
    note = f"{per_poll:.2f} requests a poll over {q['polls']} polls of a {q['frames']:,}-frame job; " + _paths(
        q["traffic"], wall
    )
    results.append(
        Result(
            "load",
            "load, job screen, quiet job: requests/min",
            requests,
            "/min",
            baseline=web_requests,
            baseline_name="CueWeb job page (job row open)",
            ratio=web_requests / requests if requests else None,
            goal="below CueWeb's and <= 1 a poll when nothing changed (GetJob + GetLayers once a minute)",
            met=requests < web_requests,
            note=note,
        )
    )
    results.append(
        Result(
            "load",
            "load, job screen, quiet job: KB/min",
            kb,
            "KB",
            baseline=web_kb,
            baseline_name="CueWeb job page (job row open)",
            ratio=web_kb / kb if kb else None,
            goal="<= 1/10 of CueWeb's (ratio >= 10)",
            met=kb * 10 <= web_kb,
            note=note,
        )
    )
    p = many_pollers(10.0 if quick else 60.0)
    results.append(
        Result(
            "load",
            f"{POLLERS} pollers (jobs, 5 s): gateway requests/s",
            p["requests_per_s"],
            "/s",
            note=f"{POLLERS} / (5 s + answer time) = {POLLERS / (REFRESH + p['median_latency']):.0f}/s; "
            f"median answer {p['median_latency'] * 1000:.0f} ms; {p['errors']:.0f} errors over {p['wall']:.0f} s; "
            f"the pollers' own process used {p['client_cpu_percent']:.0f} % of a CPU",
        )
    )
    results.append(
        Result(
            "load",
            f"{POLLERS} pollers (jobs, 5 s): gateway CPU",
            p["server_cpu_percent"],
            "%",
            note=f"of one CPU; {p['server_idle_cpu_percent']:.1f} % with no client (frozen studio farm)",
        )
    )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL", "")
    for r in run(quick=args.quick):
        base = f" (CueWeb {r.baseline:,.1f}, ratio {r.ratio:.2f})" if r.baseline is not None and r.ratio else ""
        met = "" if r.met is None else (" ✓" if r.met else " ✗")
        print(f"{r.name:<48} {r.figure:>10,.1f} {r.unit:<4}{base}{met}  {r.note}", file=sys.stdout)
