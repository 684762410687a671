"""Fetching and decoding every frame of the biggest `huge` job (README Performance, row 1).

cuetui's GatewayClient (`get_all_frames`: pages of 1000 with 4 requests in flight over keep-alive
connections, orjson, NamedTuple models) against a baseline written like the public OpenCue REST gateway
tutorial's Python client: a `requests.Session`, one sequential GetFrames call per page, `json.loads`,
plain dicts. The baseline pages by 500, the page size pycue and CueWeb send (the gateway applies no
default); the same baseline at 1000 a page is in the note. Both run in the same process against the same
demo gateway (a child process, seeded, `--speed 0`, so the farm does not change between runs), after a
warm-up fetch of each and once the gateway is idle again: the demo writes each frame's log file the first
time it returns the frame (and goes on writing the ones it put off for a while), which a real gateway
never does. Runs alternate and each side's best is kept (the machine is shared and noisy). The figure is
wall time from the first request to the last frame decoded.

Two rows: on loopback, where the simulator answers at once and its own CPU time (single-threaded Python
serialising 50 000 frames) bounds what any client can gain; and with 50 ms added to each call by the
demo gateway (`--fault latency=0.05`, asyncio.sleep, no CPU), standing for the studio network and
Cuebot's query of a page, where fetching pages concurrently pays as it does against a real gateway.

A third row measures the client alone: client CPU per frame (user + system time of the client's own
process) fetching and decoding the same job from `bench/page_server.py`, which holds every page
pre-rendered in memory and so is never the bottleneck. Seven clients, each in a fresh process
(`bench/fetch_clients.py`), in one run on the same bytes: cuetui's pages as the job screen reads them
(and its get_all_frames, which drops duplicates, in the note), the tutorial-style client, "aiohttp
bytes only" (cuetui's transport, nothing decoded), "aiohttp + msgspec into plain structs" (the floor of
a typed client on that transport), and the same two on httpx's own transport. Two rows: cuetui against
aiohttp + msgspec (goal: within 1.3×, and at most 2 µs a frame) and against the tutorial-style client
(goal: 3× faster). `--before PATH` adds cuetui from another source tree (e.g. `git archive` of an
older commit) as one more client, for a before/after figure in the same run. Each client's clock stops
when it hands back what it decoded, every frame still held (freeing them afterwards is not counted).

Usage: python -m bench.bench_fetch [--quick] [--before PATH] [--client-only]     (prints the figures)
       python -m bench.bench_fetch --profile     (writes bench/profiles/fetch_decode.txt)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt

from bench.common import SECRET, Result, start_gateway, stop_gateway, wait_idle

# Where child processes run: an empty directory, so nothing there shadows the cuetui under test.
_EMPTY_DIR = tempfile.mkdtemp(prefix="cuetui-bench-")

BASELINE_PAGE = 500
# Per call, added by the demo gateway (`--fault latency=`): a real gateway sits on the studio network
# in front of Cuebot, whose query for a page of frames takes time; the simulator answers in no time.
LATENCY = 0.05


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _token() -> str:
    return jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")


def biggest_job(url: str) -> tuple[str, int]:
    """The id and frame count of the job with the most frames."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    async def find() -> tuple[str, int]:
        async with GatewayClient(url, GatewayAuth(token=_token())) as client:
            jobs = await client.get_jobs()
        job = max(jobs, key=lambda j: j.stats.total_frames)
        return job.id, job.stats.total_frames

    return asyncio.run(find())


def tutorial_fetch(url: str, job_id: str, page_size: int = BASELINE_PAGE) -> list[dict[str, Any]]:
    """Every frame of a job the way the tutorial's client would get them: one page after another."""
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {_token()}", "Content-Type": "application/json"})
    frames: list[dict[str, Any]] = []
    page = 1
    with session:
        while True:
            response = session.post(
                f"{url}/job.JobInterface/GetFrames",
                json={"job": {"id": job_id}, "req": {"page": page, "limit": page_size}},
            )
            response.raise_for_status()
            batch = json.loads(response.content)["frames"]["frames"]
            frames.extend(batch)
            if len(batch) < page_size:
                return frames
            page += 1


def cuetui_fetch(url: str, job_id: str, total: int) -> list[Any]:
    """Every frame of a job through cuetui's client, as the job screen asks for them."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    async def fetch() -> list[Any]:
        async with GatewayClient(url, GatewayAuth(token=_token())) as client:
            return await client.get_all_frames(job_id, expected=total)

    return asyncio.run(fetch())


def timed(fn: Any, *args: Any) -> tuple[float, int]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, len(out)


def measure(url: str, pid: int, rounds: int = 3) -> dict[str, float]:
    """Best wall times of each way of fetching, alternating, after one warm-up of each."""
    job_id, total = biggest_job(url)
    tutorial_fetch(url, job_id)  # warm-up: the demo writes the log files here
    cuetui_fetch(url, job_id, total)
    wait_idle(pid)
    best = {"cuetui": float("inf"), "tutorial": float("inf"), "tutorial_1000": float("inf")}
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for name, fn, args in (
            ("cuetui", cuetui_fetch, (url, job_id, total)),
            ("tutorial", tutorial_fetch, (url, job_id)),
            ("tutorial_1000", tutorial_fetch, (url, job_id, 1000)),
        ):
            seconds, count = timed(fn, *args)
            best[name] = min(best[name], seconds)
            counts[name] = count
    if len(set(counts.values())) != 1 or counts["cuetui"] != total:
        raise RuntimeError(f"the fetches disagree on the number of frames: {counts}, expected {total}")
    return {**best, "frames": float(total)}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


@contextlib.contextmanager
def page_server(profile: str) -> Iterator[tuple[str, str, str]]:
    """`python -m bench.page_server` for `profile` in a child process, listening; yields its URL, the
    job's id and its frame count, and stops it on leaving."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.page_server", str(port), profile],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError("the page server did not start")
        url = f"http://127.0.0.1:{port}"
        _wait_listening(url)
        yield url, ready[1], ready[2]
    finally:
        server.terminate()
        server.wait(timeout=30)


def client_cpu(quick: bool = False, before: str | None = None) -> dict[str, dict[str, float]]:
    """Each client's best client CPU and wall seconds (and frames) against the in-memory page server."""
    root = Path(__file__).resolve().parent.parent
    with page_server("small" if quick else "huge") as (url, job_id, total):
        names = ("cuetui", "cuetui-all", "tutorial", "aiohttp-bytes", "aiohttp-msgspec", "httpx-bytes", "httpx-msgspec")
        clients = {name: None for name in names}
        if before:
            clients["before"] = before  # type: ignore[assignment]
        rounds = "1" if quick else "5"
        best: dict[str, dict[str, float]] = {}
        for _ in range(1 if quick else 3):  # alternate the clients; keep each one's best
            for name, tree in clients.items():
                env = _child_env(root, tree)
                argv = ["cuetui" if tree else name, url, job_id, total, rounds]
                done = subprocess.run(
                    [sys.executable, "-m", "bench.fetch_clients", *argv],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=_EMPTY_DIR,  # not the repository: `python -m` puts the cwd first on sys.path
                    env=env,
                )
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                if figures["frames"] != int(total):
                    raise RuntimeError(f"{name} got {figures['frames']} frames, expected {total}")
                old = best.get(name)
                if old is None or figures["cpu"] < old["cpu"]:
                    best[name] = {"cpu": figures["cpu"], "wall": figures["wall"], "frames": float(total)}
        return best


def write_profile(out: Path) -> None:
    """bench/profiles/fetch_decode.txt: cProfile of cuetui's fetch + decode against the page server, with
    each client's figures of the same run beside it."""
    import datetime
    import platform

    root = Path(__file__).resolve().parent.parent
    with page_server("huge") as (url, job_id, total):
        argv = ["cuetui", url, job_id, total, "1", "--cprofile"]
        done = subprocess.run(
            [sys.executable, "-m", "bench.fetch_clients", *argv],
            capture_output=True,
            text=True,
            check=True,
            cwd=_EMPTY_DIR,
            env=_child_env(root, None),
        )
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"# fetch + decode {int(total):,} frames: GatewayClient.iter_frame_pages from bench/page_server.py\n"
        f"# {when}, Python {platform.python_version()}, {_load()}\n"
        "# `python -m bench.bench_fetch --profile` (runs `python -m bench.fetch_clients cuetui URL JOB FRAMES 1 "
        "--cprofile`\n# against `python -m bench.page_server PORT huge`: one fetch after a warm-up, cProfile on "
        "the CPU clock)\n\n"
    )
    out.write_text(header + done.stdout)


def _child_env(root: Path, tree: str | None) -> dict[str, str]:
    """The environment of a client process: `bench` from this repository, `cuetui` from `tree` if given."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*([tree] if tree else []), str(root)])
    return env


def _wait_listening(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.post(url + "/job.JobInterface/GetFrames", content=b"{}", timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def client_results(quick: bool = False, before: str | None = None) -> list[Result]:
    """The client-CPU rows: cuetui against its transport's floor (aiohttp + msgspec into plain structs)
    with the 2 µs budget, and against the tutorial-style client; the other clients in the notes."""
    best = client_cpu(quick, before)
    n = int(best["cuetui"]["frames"])
    per = {name: b["cpu"] / n * 1e6 for name, b in best.items()}  # µs of client CPU per frame
    floor = per["cuetui"] / per["aiohttp-msgspec"]
    speedup = per["tutorial"] / per["cuetui"]
    note = (
        f"µs/frame: get_all_frames (drops frames seen twice) {per['cuetui-all']:.2f}, "
        f"aiohttp bytes only {per['aiohttp-bytes']:.2f}, aiohttp + msgspec {per['aiohttp-msgspec']:.2f}, "
        f"httpx bytes only {per['httpx-bytes']:.2f}, httpx + msgspec {per['httpx-msgspec']:.2f}, "
        f"tutorial {per['tutorial']:.2f}; wall ms: cuetui {best['cuetui']['wall'] * 1000:.0f}, "
        f"aiohttp + msgspec {best['aiohttp-msgspec']['wall'] * 1000:.0f}, "
        f"tutorial {best['tutorial']['wall'] * 1000:.0f}"
    )
    goal = "≤ 1.3× aiohttp + msgspec, ≤ 2 µs"
    met = floor <= 1.3 and per["cuetui"] <= 2.0
    if "before" in per:
        note += f"; cuetui before {per['before']:.2f} ({per['before'] / per['cuetui']:.1f}× this one)"
    note += f"; {_load()}"
    name = f"client CPU per frame, fetch + decode {n:,} frames, in-memory server"
    return [
        Result(
            "fetch",
            name,
            per["cuetui"],
            "µs",
            baseline=per["aiohttp-msgspec"],
            baseline_name="transport bytes-only + msgspec: aiohttp + msgspec into plain structs, the same pages",
            ratio=floor,
            goal=goal,
            met=met,
            note=note,
        ),
        Result(
            "fetch",
            name + ", against the tutorial-style client",
            per["cuetui"],
            "µs",
            baseline=per["tutorial"],
            baseline_name="tutorial-style client (requests, sequential pages of 500, json.loads, dicts), same server",
            ratio=speedup,
            goal="≥ 3× faster",
            met=speedup >= 3,
            note=f"{_load()}",
        ),
    ]


def run(quick: bool = False, before: str | None = None) -> list[Result]:
    """The figures as bench Results (`quick` uses the `small` farm's biggest job, one round)."""
    results = client_results(quick, before)
    for latency in (0.0, LATENCY):
        proc, url = start_gateway("small" if quick else "huge", faults=[f"latency={latency}"] if latency else [])
        try:
            f = measure(url, proc.pid, rounds=1 if quick else 3)
        finally:
            stop_gateway(proc)
        n = int(f["frames"])
        ratio = f["tutorial"] / f["cuetui"]
        where = f"{latency * 1000:.0f} ms a call" if latency else "loopback"
        results.append(
            Result(
                "fetch",
                f"fetch + decode {n:,} frames, {where}",
                f["cuetui"],
                "s",
                baseline=f["tutorial"],
                baseline_name=f"tutorial-style client (requests, sequential pages of {BASELINE_PAGE}, "
                "json.loads, dicts)",
                ratio=ratio,
                goal="≥ 3× faster",
                met=ratio >= 3,
                note=f"baseline with pages of 1000: {f['tutorial_1000']:.2f} s "
                f"({f['tutorial_1000'] / f['cuetui']:.1f}×)",
            )
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--before", metavar="PATH", help="also run cuetui from this source tree")
    parser.add_argument("--client-only", action="store_true", help="only the client-CPU row")
    parser.add_argument("--profile", action="store_true", help="write bench/profiles/fetch_decode.txt")
    args = parser.parse_args()
    if args.profile:
        target = Path(__file__).with_name("profiles") / "fetch_decode.txt"
        write_profile(target)
        print(f"wrote {target}")
        sys.exit(0)
    rows = client_results(args.quick, args.before) if args.client_only else run(args.quick, args.before)
    for r in rows:
        print(r)
