"""Benchmark of the simulated gateway: huge-profile start-up and memory, GetJobs requests per second.

Run: python bench/demo_gateway.py [--skip-huge]. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import jwt

SECRET = "bench-secret-0123456789-0123456789-0123456789-0123456789"


def peak_rss_mib(pid: int) -> float:
    """VmHWM (peak resident set) of a process, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(profile: str, speed: str = "1") -> tuple[subprocess.Popen[str], str, float]:
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cuetui",
            "demo-gateway",
            "--port",
            "0",
            "--profile",
            profile,
            "--speed",
            speed,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "JWT_SECRET": SECRET},
    )
    assert p.stdout is not None
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t0
    return p, line.strip().split("=", 1)[1], elapsed


def headers() -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")}


async def hammer(url: str, path: str, body: dict[str, object], seconds: float, concurrency: int) -> float:
    """Requests/s over keep-alive connections; aiohttp's client, lighter than httpx, so the figure is the
    server's, not the load generator's (both share the machine)."""
    import aiohttp
    import orjson

    payload = orjson.dumps(body)
    done = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(url, headers=headers()) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(path, data=payload) as r:
                    assert r.status == 200
                    await r.read()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def huge() -> None:
    p, url, elapsed = start("huge")
    try:
        print(f"huge: process start to URL line {elapsed:.2f} s")
        with httpx.Client(base_url=url, headers=headers(), timeout=120) as c:
            t = time.perf_counter()
            jobs = c.post("/job.JobInterface/GetJobs", json={}).json()["jobs"]["jobs"]
            print(f"huge: GetJobs (all pending, {len(jobs)} jobs) {time.perf_counter() - t:.2f} s")
            big = max(jobs, key=lambda j: j["jobStats"]["totalFrames"])
            t = time.perf_counter()
            frames = c.post(
                "/job.JobInterface/GetFrames",
                json={"job": {"id": big["id"]}, "req": {"page": 1, "limit": 100000}},
            ).json()
            print(
                f"huge: GetFrames of the {big['jobStats']['totalFrames']}-frame job "
                f"({len(frames['frames']['frames'])} frames) {time.perf_counter() - t:.2f} s"
            )
            t = time.perf_counter()
            c.post("/host.HostInterface/GetHosts", json={})
            print(f"huge: GetHosts {time.perf_counter() - t:.2f} s")
        time.sleep(10)  # let the scheduler run a while at speed 1
        print(f"huge: peak RSS {peak_rss_mib(p.pid):.0f} MiB (VmHWM of the whole process; it has no children)")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)


def studio() -> None:
    # Speed 0: the figure is the request path alone, not the scheduler sharing the core.
    p, url, elapsed = start("studio", "0")
    try:
        print(f"studio: process start to URL line {elapsed:.2f} s")
        for path, concurrency in (
            ("/job.JobInterface/GetJobs", 1),
            ("/job.JobInterface/GetJobs", 8),
            ("/show.ShowInterface/GetShows", 8),
        ):
            cpu = cpu_seconds(p.pid)
            t = time.perf_counter()
            rate = asyncio.run(hammer(url, path, {}, 5.0, concurrency))
            wall = time.perf_counter() - t
            per_core = rate * wall / max(1e-9, cpu_seconds(p.pid) - cpu)
            print(
                f"studio: {path} {{}} {rate:.0f} requests/s wall ({concurrency} concurrent), "
                f"{per_core:.0f} requests per server CPU-second"
            )
        print(f"studio: peak RSS {peak_rss_mib(p.pid):.0f} MiB")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-huge", action="store_true")
    args = parser.parse_args()
    studio()
    if not args.skip_huge:
        huge()


if __name__ == "__main__":
    main()
