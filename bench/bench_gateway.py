"""Throughput of the simulated gateway on one core (README Performance, row 7).

`cuetui demo-gateway --profile studio --speed 0` runs in a child process pinned to CPU 0 (the farm is
frozen, so the figure is the request path alone, not the scheduler). The load generator, in this
process, is pinned to the other CPUs when there are any, and uses aiohttp's client (lighter than
httpx) over keep-alive connections so the figure is the server's, not the generator's. Four clients
send requests back to back for a few seconds:

- GetJobs `{}` (every pending job of the studio farm, the jobs screen's call);
- GetFrames in pages of 100 frames, cycling over every page of every studio job (64 jobs of ~400
  frames: ~270 distinct pages). All pages are fetched once before the clock starts, because the demo
  gateway writes a frame's log file the first time it returns the frame, which a real gateway never does.

Figure: requests per second of the gateway's CPU time (from /proc): what its one core serves when busy.
On a shared machine the load generator rarely keeps the gateway's core busy, so the wall-clock rate (in
the note, with how busy the core was) understates it; requests per CPU-second is the steadier figure.

Usage: python -m bench.bench_gateway [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from typing import Any

from bench.common import Result, cpu_seconds, start_gateway, stop_gateway, token

CONCURRENCY = 4
PAGE_SIZE = 100
GET_JOBS = "/job.JobInterface/GetJobs"
GET_FRAMES = "/job.JobInterface/GetFrames"


async def hammer(
    url: str, path: str, bodies: list[bytes], seconds: float, concurrency: int, server_pid: int
) -> dict[str, float]:
    """Send `bodies` (cycling) to `path` from `concurrency` clients for `seconds`: requests, bytes, wall
    seconds and the server's CPU seconds meanwhile."""
    import aiohttp

    done = 0
    received = 0
    headers = {"Authorization": "Bearer " + token(), "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        # every body once before the clock starts (connections made, frame logs written)
        for body in bodies:
            async with session.post(path, data=body) as r:
                await r.read()

        async def client(start: int) -> None:
            nonlocal done, received
            i = start
            while time.perf_counter() < deadline:
                async with session.post(path, data=bodies[i % len(bodies)]) as r:
                    raw = await r.read()
                    if r.status != 200:
                        raise RuntimeError(f"{path}: HTTP {r.status}")
                done += 1
                received += len(raw)
                i += concurrency

        cpu = cpu_seconds(server_pid)
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client(k) for k in range(concurrency)))
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds(server_pid) - cpu
    return {"requests": float(done), "bytes": float(received), "wall": wall, "server_cpu": server_cpu}


def _jobs(url: str) -> list[dict[str, Any]]:
    import httpx

    r = httpx.post(url + GET_JOBS, json={}, headers={"Authorization": "Bearer " + token()}, timeout=60)
    r.raise_for_status()
    return list(r.json()["jobs"]["jobs"])


def measure(quick: bool) -> dict[str, dict[str, float]]:
    """Both loads against one pinned gateway; per load: requests, bytes, wall s, server CPU s."""
    import orjson

    cpus = os.sched_getaffinity(0)
    server_cpus = {min(cpus)}
    load_cpus = cpus - server_cpus or cpus
    seconds = 1.0 if quick else 10.0
    proc, url = start_gateway("studio", cpus=server_cpus)
    out: dict[str, dict[str, float]] = {}
    own = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, load_cpus)
        frame_bodies = [
            orjson.dumps({"job": {"id": job["id"]}, "req": {"page": p, "limit": PAGE_SIZE, "includeFinished": True}})
            for job in _jobs(url)
            for p in range(1, -(-int(job["jobStats"]["totalFrames"]) // PAGE_SIZE) + 1)
        ]
        for name, path, bodies in (("GetJobs", GET_JOBS, [b"{}"]), ("GetFrames", GET_FRAMES, frame_bodies)):
            figures = asyncio.run(hammer(url, path, bodies, seconds, CONCURRENCY, proc.pid))
            figures["pages"] = float(len(bodies))
            out[name] = figures
    finally:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, own)
        stop_gateway(proc)
    return out


def run(quick: bool = False) -> list[Result]:
    """Requests/s of GetJobs and paged GetFrames, 4 concurrent clients, the gateway on one core."""
    figures = measure(quick)
    results = []
    for name, what in (
        ("GetJobs", "GetJobs {} (studio)"),
        ("GetFrames", f"GetFrames, pages of {PAGE_SIZE}"),
    ):
        f = figures[name]
        rate = f["requests"] / f["wall"] if f["wall"] else 0.0
        per_cpu_s = f["requests"] / f["server_cpu"] if f["server_cpu"] else 0.0
        size_kb = f["bytes"] / f["requests"] / 1024 if f["requests"] else 0.0
        busy = f["server_cpu"] / f["wall"] * 100 if f["wall"] else 0.0
        results.append(
            Result(
                "gateway",
                f"gateway on 1 core, {CONCURRENCY} clients: {what}",
                per_cpu_s,
                "/s",
                note=(
                    f"requests per second of the gateway's CPU (what its one core serves when busy); "
                    f"{rate:,.0f}/s measured on the wall clock with the gateway busy {busy:.0f} % of its core "
                    f"over {f['wall']:.1f} s (the load generator shares the machine); "
                    f"{size_kb:,.0f} KB per answer ({int(f['pages'])} distinct)"
                ),
            )
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for r in run(quick=args.quick):
        print(f"{r.name:<80} {r.figure:>10,.1f} {r.unit:<3} {r.note}")
