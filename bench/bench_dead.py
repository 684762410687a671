"""9 000 dead frames grouped by error signature: how soon the first groups show, and how long until every
log is read (`cuetui.farm.dead.SignatureReader`, 16 reads at a time, newest deaths first).

The logs are real RQD-style files in a temporary directory (a header, progress lines, one of five
errors with varying numbers, paths and times, the footer), read through the same code as `cuetui dead`.
Measured twice: on local disk, and with 5 ms added to every read (a file server or Loki across a
network). "first group" is the time to the first partial result and grouping it; "all" the time to the
last. A second pass over the same frames (a re-poll) reads nothing: every signature comes from the cache.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable

from bench.common import Result
from cuetui.farm.dead import SignatureReader, group_dead
from cuetui.farm.logs import LogFile, frame_log_path
from cuetui.farm.triage import DeadFrame, collect_dead
from cuetui.gateway.models import Frame, Job

FRAMES = 9_000
JOBS = 60
LATENCY = 0.005

_ERRORS = (
    "[{t}] ERROR: [kick] failed to open texture '/shots/assets/tex/ground_diffuse.{n:04d}.tx': No such file",
    "[{t}] ERROR: process {pid} killed by the OOM killer (memory limit exceeded at {gb}.2 GB)",
    "[{t}] FATAL: Segmentation fault (core dumped) in libai.so at 0x7f{pid:08x}",
    "[{t}] Error: cannot write /tmp/houdini_temp/sim_{pid:06x}.bgeo.sc: No space left on device",
    "[{t}] ERROR: license checkout failed for arnold (server lic{k:02d}:5053)",
)


def _log_text(k: int) -> str:
    t = f"2026-12-03 {k % 24:02d}:{k % 60:02d}:{(k * 7) % 60:02d}"
    error = _ERRORS[k % len(_ERRORS)].format(t=t, n=1000 + k, pid=4000 + k, gb=k % 64, k=k % 10)
    body = [f"[{t}] INFO  | {p:3d}% done, {k % 64} threads, mem {900 + k % 8000} MB" for p in range(0, 100, 7)]
    header = ["=" * 59, "RenderQ JobSpec      Thu Dec 03 11:00:02 2026", f"frameId              f-{k}", "=" * 59]
    footer = ["", "=" * 59, "RenderQ Job Complete", "", "exitStatus          1", "=" * 59]
    return "\n".join([*header, *body, error, *footer]) + "\n"


def _farm(root: str, frames: int) -> list[DeadFrame]:
    pairs = []
    per_job = frames // JOBS
    for j in range(JOBS):
        job = Job(id=f"job-{j}", name=f"bigbuck-sh{j:03d}-jdoe_lighting_v001", log_dir=os.path.join(root, f"j{j}"))
        os.makedirs(job.log_dir, exist_ok=True)
        dead = []
        for n in range(per_job):
            k = j * per_job + n
            frame = Frame(
                id=f"frame-{k}",
                name=f"{n + 1:04d}-render",
                state="DEAD",
                retry_count=3,
                exit_status=1,
                stop_time=1767225600 + k,
                last_resource=f"render{k % 200:03d}/4.00/0",
            )
            with open(frame_log_path(job, frame), "w") as fh:
                fh.write(_log_text(k))
            dead.append(frame)
        pairs.append((job, dead))
    return collect_dead(pairs)


def _slow_reader(latency: float) -> Callable[[Job, Frame], Awaitable[list[str]]]:
    async def read(job: Job, frame: Frame) -> list[str]:
        await asyncio.sleep(latency)
        path = frame_log_path(job, frame)
        return await asyncio.to_thread(lambda: LogFile(path, tail_bytes=32 * 1024).open_tail())

    return read


async def _measure(dead: list[DeadFrame], latency: float) -> tuple[float, float, int, float]:
    """(seconds to the first groups, seconds to all, groups, seconds of a cached second pass)."""
    reader = SignatureReader(read_tail=_slow_reader(latency) if latency else None)
    start = time.perf_counter()
    first = 0.0
    groups = 0
    async for partial in reader.progress(dead):
        shown = group_dead(dead, partial.signatures)
        if not first:
            first = time.perf_counter() - start
        groups = len(shown)
    total = time.perf_counter() - start
    again = time.perf_counter()
    async for partial in reader.progress(dead):
        group_dead(dead, partial.signatures)
    cached = time.perf_counter() - again
    assert reader.reads == len(dead)
    return first, total, groups, cached


def run(quick: bool = False) -> list[Result]:
    frames = 900 if quick else FRAMES
    results = []
    with tempfile.TemporaryDirectory(prefix="cuetui-bench-dead-") as root:
        dead = _farm(root, frames)
        for latency, where in ((0.0, "local disk"), (LATENCY, f"{LATENCY * 1000:.0f} ms per read")):
            first, total, groups, cached = asyncio.run(_measure(dead, latency))
            label = f"{len(dead)} dead frames, {where}"
            results.append(
                Result(
                    "dead",
                    f"{label}: first groups",
                    first,
                    "s",
                    goal="< 1 s",
                    met=first < 1.0,
                    note=f"{groups} groups (5 failures + not-read-yet while reading)",
                )
            )
            results.append(Result("dead", f"{label}: every log read", total, "s"))
            results.append(Result("dead", f"{label}: re-poll from the cache", cached, "s"))
    return results
