"""What cuetui costs the farm: requests and answer bytes per minute, against CueWeb (README Performance, row 6).

1. One cuetui, each screen at the default refresh (5 s; a job's frames every 2 s). The app runs
   headless in this process against the demo gateway (`studio`, seed 7, speed 1: a live farm, so
   GetUpdatedFrames has changes to return) on a thread; the gateway counts requests and answer bytes
   per path (`Gateway.traffic`). Each screen is opened, left to load and settle, then counted over a
   window (60 s; 6 s with --quick). The screens are those a user goes through: jobs, the first job
   (Enter), hosts (mode 3), dead-frame triage (mode 4); each earlier one stays open but hidden, so the
   per-path counts also check that hidden screens do not poll.

2. CueWeb at its default refresh, for the same farm, the same jobs and the same job. Its requests are
   sent once to the same gateway and counted the same way, then scaled to a minute. Read from the
   OpenCue repository (github.com/AcademySoftwareFoundation/OpenCue at 1cea9a8d, 2026-08-12):
   - jobs page: `cueweb/app/jobs/data-table.tsx` refreshes every 5 s (`setInterval(refreshOnce, 5000)`);
     each refresh posts the table's jobs to `cueweb/public/workers/updateJobsTableDataWorker.tsx`, which
     sends one GetJobs `{"r": {"include_finished": true, "ids": [id]}}` per job in the table, then
     `addUsersJobs()` sends GetJobs `{"r": {"include_finished": false, "users": [user]}}` ("autoload
     mine" is on by default). For the same 64 jobs cuetui shows: 65 requests per refresh.
   - job page: `cueweb/app/jobs/[job-name]/page.tsx` refreshes the open tab every 5 s
     (`setInterval(runFetch, 5000)`); on the frames tab that is `getFramesForJob()` of
     `cueweb/app/utils/get_utils.ts`: GetFrames `{"job": {id, name}, "req": {"include_finished": true,
     "page": 1, "limit": 500}}`, one request (the layers tab: one GetLayers instead).
   - hosts page: `cueweb/app/hosts/page.tsx`, `REFRESH_MS = 30000`, `getHosts()`: GetHosts `{"r": {}}`.
   CueWeb's browser talks to its Next.js server, which sends each of these to the gateway: the farm
   sees one gateway request per browser request. Ratio = CueWeb's per minute over cuetui's (> 1: cuetui
   costs the farm less). CueWeb has no dead-frame triage page.

3. 200 headless pollers (`cuetui.farm.poller.PollLoop` + `GatewayClient.get_jobs`, what the jobs screen
   polls, 5 s apart, their starts spread over one interval) as asyncio tasks in this process, against
   one demo gateway in a child process (`studio`, frozen): requests/s the gateway answered and its CPU
   (utime+stime from /proc) over the window.

What cuetui already does to send less, checked by the per-path counts: the job screen polls
GetUpdatedFrames (not GetFrames) after its first load, GetJob for the header, GetLayers only every few
polls or when frames changed; screens hidden under another or in another mode pause their polls. The
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

from bench.bench_gateway import SECRET, cpu_seconds, start_gateway, stop_gateway
from bench.common import Result

REFRESH = 5.0  # cuetui's default (cuetui.ui.options.UiOptions.refresh) and CueWeb's jobs/job pages
CUEWEB_HOSTS_REFRESH = 30.0
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

        # CueWeb's requests for one refresh of each page, sent to the same gateway.
        token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
        headers = {"Authorization": f"Bearer {token}"}
        pages: dict[str, list[tuple[str, dict[str, Any]]]] = {
            "jobs": [("/job.JobInterface/GetJobs", {"r": {"include_finished": True, "ids": [job.id]}}) for job in jobs]
            + [("/job.JobInterface/GetJobs", {"r": {"include_finished": False, "users": [USER]}})],
            "job": [
                (
                    "/job.JobInterface/GetFrames",
                    {
                        "job": {"id": job_id, "name": job_name},
                        "req": {"include_finished": True, "page": 1, "limit": 500},
                    },
                )
            ],
            "hosts": [("/host.HostInterface/GetHosts", {"r": {}})],
        }
        with httpx.Client(base_url=gateway.url, headers=headers, timeout=60) as http:
            for page, calls in pages.items():
                before = _copy(traffic)
                for path, body in calls:
                    http.post(path, json=body).raise_for_status()
                out[f"cueweb_{page}"] = _diff(_copy(traffic), before)
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
    proc, url = start_gateway("studio", None)
    try:
        cpu = cpu_seconds(proc.pid)
        time.sleep(2)
        idle = (cpu_seconds(proc.pid) - cpu) / 2 * 100
        figures = asyncio.run(_pollers(url, seconds, proc.pid))
        figures["server_idle_cpu_percent"] = idle
    finally:
        stop_gateway(proc)
    return figures


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
    cueweb_interval = {"jobs": REFRESH, "job": REFRESH, "hosts": CUEWEB_HOSTS_REFRESH}
    cueweb_page = {"jobs": "jobs page", "job": "job page, frames tab", "hosts": "hosts page"}
    for screen in ("jobs", "job", "hosts", "triage"):
        f = figures[screen]
        requests, kb = _per_min(f["traffic"], f["wall"])
        note = _paths(f["traffic"], f["wall"])
        web_requests = web_kb = None
        if screen in cueweb_interval:
            per_refresh = figures[f"cueweb_{screen}"]
            web_requests, web_kb = _per_min(per_refresh, cueweb_interval[screen])
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
