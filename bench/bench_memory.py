"""Bytes of RSS per job and per frame that cuetui's client keeps, each measured in a fresh process.

One process renders `huge`'s GetJobs answer (its pending jobs) and the GetFrames pages of its
50 000-frame job into files, as the demo gateway would. Then, in a fresh process each, a GatewayClient
fetches and decodes them through an in-process transport that reads the files (the client's whole
decode path, nothing on the network); the RSS kept after the answers are dropped, less the RSS before,
over the count is what one job or frame costs, allocator overhead included. The frames are measured
twice: as the client returns them (`get_all_frames`) and as the job screen keeps them (`FrameSync`: its
dict by id, its order, and the repeated values shared). `--before PATH` measures cuetui from another
source tree the same way, for a before/after figure in the same run.

Usage: python -m bench.bench_memory [--quick] [--before PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from bench.common import Result, rss_mb

# Where child processes run: an empty directory, so nothing there shadows the cuetui under test.
_EMPTY_DIR = tempfile.mkdtemp(prefix="cuetui-bench-")


def render(directory: str, profile: str) -> None:
    """Write `huge`'s GetJobs answer and its biggest job's GetFrames pages of 1000 into `directory`, as
    the demo gateway renders them (in a process of its own, so the farm never shares the measured heap)."""
    from cuetui.demo.farm import PENDING
    from cuetui.demo.profiles import build_farm
    from cuetui.demo.serialize import frame_json, job_json
    from cuetui.demo.wire import dumps

    farm = build_farm(profile, seed=7, speed=0.0, write_logs=False)
    job = max(farm.jobs, key=lambda j: j.total)
    now = int(farm.now())
    out = Path(directory)
    jobs = [job_json(j) for j in farm.jobs if j.state == PENDING]
    (out / "jobs.json").write_bytes(dumps({"jobs": {"jobs": jobs}}))
    (out / "jobs-warm-up.json").write_bytes(dumps({"jobs": {"jobs": jobs[:5]}}))
    warm = [frame_json(farm, job, i, now) for i in range(5)]
    (out / "frames-warm-up.json").write_bytes(dumps({"frames": {"frames": warm}}))
    for start in range(0, job.total, 1000):
        frames = [frame_json(farm, job, i, now) for i in range(start, min(job.total, start + 1000))]
        (out / f"frames-{start // 1000 + 1}.json").write_bytes(dumps({"frames": {"frames": frames}}))
    (out / "job.json").write_text(json.dumps({"id": job.id, "frames": job.total}))


def child(kind: str, directory: str) -> None:
    """Fetch and decode the rendered answers with cuetui's client; print the RSS it keeps per model."""
    import httpx

    from cuetui.gateway.client import GatewayClient

    folder = Path(directory)
    job = json.loads((folder / "job.json").read_text())
    empty = b'{"frames":{"frames":[]}}'

    warming = True

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/GetJobs"):
            return httpx.Response(
                200, content=(folder / ("jobs-warm-up.json" if warming else "jobs.json")).read_bytes()
            )
        page = folder / (
            "frames-warm-up.json" if warming else f"frames-{json.loads(request.content)['req']['page']}.json"
        )
        return httpx.Response(200, content=page.read_bytes() if page.exists() else empty)

    async def fetch(warm_up: bool) -> list[Any]:
        async with GatewayClient("http://bench", None, transport=httpx.MockTransport(answer)) as client:
            if warm_up:
                # Imports, decoders built, first-call costs, on answers of five: not the models' share,
                # and too small to leave freed memory behind that the measured fetch could reuse.
                return [*await client.get_frames(job["id"], page=1, limit=1000), *await client.get_jobs()]
            if kind == "frames":
                return await client.get_all_frames(job["id"], expected=job["frames"])
            if kind == "sync":
                from cuetui.farm.frames import FrameSync

                sync = FrameSync(client, job["id"])
                await sync.poll(None)
                return [sync]  # the frames as the job screen holds them (counted below)
            return await client.get_jobs()

    asyncio.run(fetch(warm_up=True))
    warming = False
    gc.collect()
    before = rss_mb()
    models = asyncio.run(fetch(warm_up=False))
    gc.collect()
    after = rss_mb()
    count = max(1, _count(models))
    # The same fetch again under tracemalloc: the bytes the models really keep, without the memory the
    # allocator holds on to after the answers are freed (which RSS counts until something reuses it).
    del models
    gc.collect()
    tracemalloc.start()
    kept = asyncio.run(fetch(warm_up=False))
    gc.collect()
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {"count": _count(kept), "bytes_each": (after - before) * 1024 * 1024 / count, "kept_each": traced / count}
    print(json.dumps(figures))


def _count(models: list[Any]) -> int:
    """How many models a fetch kept (a FrameSync counts its frames)."""
    return sum(len(m.frames) if hasattr(m, "frames") else 1 for m in models)


def measure(kind: str, directory: str, tree: str | None = None) -> dict[str, float]:
    """One fresh process's figures (`tree`: another cuetui source tree to import instead)."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*([tree] if tree else []), str(root)])
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_memory", "--child", kind, directory],
        capture_output=True,
        text=True,
        check=True,
        cwd=_EMPTY_DIR,  # not the repository: `python -m` puts the cwd first on sys.path
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(quick: bool = False, before: str | None = None) -> list[Result]:
    profile = "small" if quick else "huge"
    directory = tempfile.mkdtemp(prefix="cuetui-bench-memory-")
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "bench.bench_memory", "--render", directory, profile], check=True, cwd=root)
    rounds = 1 if quick else 3
    results = []
    for kind, what in (("jobs", "job"), ("frames", "frame"), ("sync", "frame held by the job screen")):
        now = min((measure(kind, directory) for _ in range(rounds)), key=lambda f: f["bytes_each"])
        models = "frames" if kind == "sync" else kind
        note = (
            f"{int(now['count']):,} {models} decoded from `{profile}`, fresh process, RSS delta (best of {rounds}); "
            f"kept by Python objects (tracemalloc) {now['kept_each']:.0f} B"
        )
        baseline = ratio = None
        if before:
            old = min((measure(kind, directory, before) for _ in range(rounds)), key=lambda f: f["bytes_each"])
            baseline, ratio = old["bytes_each"], old["bytes_each"] / max(1.0, now["bytes_each"])
            note += f" (before {old['kept_each']:.0f} B)"
        results.append(
            Result(
                "memory",
                f"RSS per {what} the client keeps (models)" if kind != "sync" else f"RSS per {what} (FrameSync)",
                now["bytes_each"],
                "B",
                baseline=baseline,
                baseline_name="cuetui before (the same measure)" if before else "",
                ratio=ratio,
                note=note,
            )
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--before", metavar="PATH")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--render", nargs=2, metavar=("DIR", "PROFILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        render(*args.render)
    elif args.child:
        child(*args.child)
    else:
        for r in run(args.quick, args.before):
            print(r)
