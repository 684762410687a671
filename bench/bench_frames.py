"""Opening the 50 000-frame job of the `huge` demo farm from the jobs screen (README Performance, row 5, and the
job screen's own figures).

The demo gateway runs in its own process (so its memory is not counted); cuetui runs headless in this
one (`run_test`, 160×48): the jobs screen with every job of `huge` first, then the biggest job opened
from it, as a user would. Figures: time until the first frame rows are on screen, time until every
frame is loaded, the longest stall of the event loop meanwhile (a loop that cannot run for that long
cannot take a keypress either), the same stall over a few idle polls afterwards and while moving
around, and the RSS with both screens (row 5's figure; the jobs screen stays mounted under the job
screen; cuetui runs in a fresh child process, so the RSS is its own). The bare client's fetch of the
same frames, after the demo has written its log files and gone idle, is the baseline of the load time.

On a shared machine the seconds say as much about the other processes as about cuetui, so beside them:
the CPU cuetui and the gateway used during the load, the CPU the event loop used in its longest tick,
and the cycle collector's pauses (longest, total, how many full collections) from `gc.callbacks`.

`--profile scale` opens the 200 000-frame job of the 20 000-job `scale` farm instead (RSS of both screens
in a fresh process: the goal of 250 MB is for that one).

Without `--profile` both run, `huge` then `scale`. `--no-warm` is an experiment: the table engine's idle
warm-up of every row (`FarmTable._schedule_warm`) turned off in the measured process, to show its cost.

Usage: python -m bench.bench_frames [--quick] [--profile huge|scale]     (prints the figures)
       python -m bench.bench_frames --measure URL --cprofile   (one open under cProfile, against a running
       demo gateway that has served the job once: bench/profiles/frames_load_scale.txt)
       python -m bench.bench_frames --measure URL --ticks      (the same open, without the profiler: every
       event-loop callback over 16 ms while the job loads, by task, with the CPU it used)
       python -m bench.bench_frames --measure URL --tracemalloc   (the same open under tracemalloc: what the
       jobs screen holds, then what the open job adds, by file and by line: bench/profiles/memory_scale.txt)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import time
from typing import Any

import jwt

from bench.common import SECRET, Result, cpu_seconds, rss_mb, start_gateway, stop_gateway, wait_idle


async def warm_up(url: str, pid: int) -> float:
    """Fetch the biggest job's frames once with the bare client; returns the seconds it took.

    The demo gateway writes each frame's log file the first time it returns the frame (tens of
    seconds for 50 000 frames), which a real gateway never does: the measured open comes after this.
    """
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient

    token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
    async with GatewayClient(url, GatewayAuth(token=token)) as client:
        jobs = await client.get_jobs()
        job = max(jobs, key=lambda j: j.stats.total_frames)
        await client.get_all_frames(job.id, expected=job.stats.total_frames)
        wait_idle(pid)
        start = time.perf_counter()
        await client.get_all_frames(job.id, expected=job.stats.total_frames)
        return time.perf_counter() - start


class _LongTicks:
    """Every event-loop callback over 16 ms, by the task (or callback) it ran, with its wall time and
    the CPU this thread used in it: which part of the app holds the loop, on a machine where the wall
    time mostly says how busy the other processes were. Wraps asyncio's `Handle._run` (a private
    method: a benchmark's instrument only)."""

    def __init__(self) -> None:
        from asyncio import events

        self.handle = events.Handle
        self.original = events.Handle._run
        self.ticks: list[tuple[str, float, float]] = []
        self.on = False
        original, ticks, owner = self.original, self.ticks, self

        def timed(handle: Any) -> None:
            if not owner.on:
                original(handle)
                return
            start, start_cpu = time.perf_counter(), time.thread_time()
            original(handle)
            took = time.perf_counter() - start
            if took > 0.016:
                callback = handle._callback
                what = getattr(callback, "__self__", callback)
                name = what.get_name() if isinstance(what, asyncio.Task) else getattr(what, "__qualname__", "")
                ticks.append((name or repr(what)[:60], took, time.thread_time() - start_cpu))

        self.handle._run = timed  # type: ignore[method-assign,assignment]

    def report(self) -> str:
        by: dict[str, list[float]] = {}
        for name, took, cpu in self.ticks:
            # Textual names a widget's task "message pump Widget(id='x')"; plain tasks "Task-123".
            key = "Task-N" if name.startswith("Task-") else name
            entry = by.setdefault(key, [0, 0.0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += took
            entry[2] += cpu
            entry[3] = max(entry[3], cpu)
        lines = [f"{'ticks':>6} {'wall s':>7} {'CPU s':>6} {'max CPU ms':>10}  task or callback"]
        for key, (n, took, cpu, most) in sorted(by.items(), key=lambda kv: -kv[1][2]):
            lines.append(f"{int(n):>6} {took:>7.2f} {cpu:>6.2f} {most * 1000:>10.1f}  {key}")
        return "\n".join(lines)


class _CollectorPauses:
    """A `gc.callbacks` entry: the longest and total time the cycle collector ran, and how many full
    (generation 2) collections it made."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_cpu = 0.0
        self.total = 0.0
        self.full = 0
        self._started = (0.0, 0.0)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
            return
        took = time.perf_counter() - self._started[0]
        if took > self.longest:
            self.longest = took
            self.longest_cpu = time.thread_time() - self._started[1]
        self.total += took
        self.full += info.get("generation") == 2


def _traced(title: str, snapshot: Any, since: Any = None, limit: int = 25) -> None:
    """Print where the memory a tracemalloc snapshot holds (or added `since` another) was allocated."""
    for key in ("filename", "lineno"):
        stats = snapshot.compare_to(since, key) if since is not None else snapshot.statistics(key)
        sizes = [(s.size_diff, s.count_diff) if since is not None else (s.size, s.count) for s in stats]
        print(f"## {title}, by {key}: {sum(size for size, _n in sizes) / 1e6:.1f} MB in all")
        for stat, (size, count) in list(zip(stats, sizes, strict=True))[:limit]:
            frame = stat.traceback[0]
            where = frame.filename.split("site-packages/")[-1].split("/cuetui/")[-1]
            line = f":{frame.lineno}" if key == "lineno" else ""
            print(f"{size / 1e6:9.1f} MB {count:>10,} blocks  {where}{line}")


async def measure(
    url: str, gateway_pid: int = 0, ticks: _LongTicks | None = None, trace: bool = False
) -> dict[str, float]:
    """Open cuetui headless on the jobs screen (every job of the farm), then the biggest job's screen
    from it, and time that (`ticks`: record the long callbacks while the job opens and loads; `trace`:
    print what the jobs screen, then the open job, hold by tracemalloc)."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.job import JobScreen
    from cuetui.ui.screens.jobs import JobsScreen

    token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
    client = GatewayClient(url, GatewayAuth(token=token))
    app = CueTuiApp(client, UiOptions(url=url, farm_name="bench", user="bench", frame_refresh=2.0))
    rss_before = rss_mb()
    if trace:
        import tracemalloc

        tracemalloc.start()
    async with app.run_test(size=(160, 48)) as pilot:
        deadline = time.perf_counter() + 300
        while not (isinstance(app.screen, JobsScreen) and app.screen.table.loaded):
            if time.perf_counter() > deadline:
                raise RuntimeError("the jobs screen did not load in 5 minutes")
            await pilot.pause(0.05)
        jobs_screen = app.screen
        # every job of the farm, finished ones too (the `f` key)
        assert isinstance(jobs_screen, JobsScreen) and jobs_screen.poll is not None
        polls = jobs_screen.poll.polls
        jobs_screen.action_toggle_finished()
        while jobs_screen.poll.polls < polls + 2:  # one may have been in flight, with the old search
            if time.perf_counter() > deadline:
                raise RuntimeError("the jobs screen did not reload in 5 minutes")
            await pilot.pause(0.05)
        job = max(jobs_screen.table.models(), key=lambda j: j.stats.total_frames)
        figures: dict[str, float] = {
            "frames": float(job.stats.total_frames),
            "jobs": float(len(jobs_screen.table.models())),
        }
        figures["rss_jobs_mb"] = rss_mb()
        jobs_held = None
        if trace:
            gc.collect()
            jobs_held = tracemalloc.take_snapshot()
            _traced(f"the jobs screen ({len(jobs_screen.table.models()):,} jobs)", jobs_held)
        loop = asyncio.get_running_loop()
        worst = [0.0]
        worst_cpu = [0.0]  # the CPU this thread used in its longest tick: steadier than wall time on a busy machine
        running = [True]

        async def monitor() -> None:
            while running[0]:
                t, cpu = loop.time(), time.thread_time()
                await asyncio.sleep(0.005)
                stall = loop.time() - t - 0.005
                if stall > worst[0]:
                    worst[0] = stall
                    worst_cpu[0] = time.thread_time() - cpu

        watcher = asyncio.create_task(monitor())
        collections = _CollectorPauses()
        gc.callbacks.append(collections)
        start, start_cpu = time.perf_counter(), time.process_time()
        gateway_cpu = cpu_seconds(gateway_pid) if gateway_pid else 0.0
        if ticks is not None:
            ticks.on = True
        app.open_job(job)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, JobScreen)
        first_rows = None
        while True:
            if first_rows is None and screen.frames_table.rows:
                first_rows = time.perf_counter() - start
                # Opening a screen (its CSS, the first layout) is a one-off; loading is measured apart.
                figures["open_stall_ms"] = worst[0] * 1000
                figures["open_stall_cpu_ms"] = worst_cpu[0] * 1000
                worst[0] = worst_cpu[0] = 0.0
            if screen.sync is not None and screen.sync.loaded and screen.last_result is not None:
                break
            if time.perf_counter() - start > 300:
                raise RuntimeError("the job did not load in 5 minutes")
            await pilot.pause(0.01)
        if ticks is not None:
            ticks.on = False
        figures["first_rows_s"] = first_rows or 0.0
        figures["loaded_s"] = time.perf_counter() - start
        figures["loaded_cpu_s"] = time.process_time() - start_cpu
        figures["loaded_gateway_cpu_s"] = cpu_seconds(gateway_pid) - gateway_cpu if gateway_pid else 0.0
        figures["load_stall_ms"] = worst[0] * 1000
        figures["load_stall_cpu_ms"] = worst_cpu[0] * 1000
        gc.callbacks.remove(collections)
        figures["gc_longest_ms"] = collections.longest * 1000
        figures["gc_longest_cpu_ms"] = collections.longest_cpu * 1000
        figures["gc_full"] = float(collections.full)
        figures["gc_total_ms"] = collections.total * 1000
        figures["rows"] = float(len(screen.frames_table.rows))
        figures["full_loads"] = float(screen.sync.stats.full_loads)
        figures["poll_errors"] = float(screen.poll.errors if screen.poll else 0)
        if os.environ.get("BENCH_DEBUG"):
            print("reasons", screen.sync.stats.reasons, "errors", figures["poll_errors"], file=sys.stderr)
        # a few idle polls (GetUpdatedFrames on a frozen farm), and moving around the table
        worst[0] = 0.0
        polls = screen.polls
        deadline = time.perf_counter() + 30
        while screen.polls < polls + 3 and time.perf_counter() < deadline:
            await pilot.pause(0.05)
        figures["idle_stall_ms"] = worst[0] * 1000
        worst[0] = 0.0
        await pilot.press("end", "pageup", "home")
        figures["scroll_stall_ms"] = worst[0] * 1000
        worst[0] = 0.0
        await pilot.press("d", "d")
        figures["dead_only_stall_ms"] = worst[0] * 1000
        figures["rss_mb"] = rss_mb()
        figures["rss_delta_mb"] = figures["rss_mb"] - rss_before
        if jobs_held is not None:
            gc.collect()
            _traced(
                f"what opening the {len(screen.sync.frames):,}-frame job added", tracemalloc.take_snapshot(), jobs_held
            )
            tracemalloc.stop()
        running[0] = False
        await watcher
    await client.aclose()
    return figures


def without_table_warm_up() -> None:
    """An experiment, never the default: the table engine's idle warm-up (rendering every row's cells
    ahead, `FarmTable._schedule_warm`) turned off in this process, to measure what it costs."""
    from cuetui.ui.widgets.farm_table import FarmTable

    FarmTable._schedule_warm = lambda self: None  # type: ignore[method-assign]


def measure_in_fresh_process(url: str, gateway_pid: int = 0, no_warm: bool = False) -> dict[str, float]:
    """`measure` in a child process, so its RSS is cuetui's alone (this one has fetched every frame)."""
    import json

    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_frames", "--measure", url, "--gateway-pid", str(gateway_pid)]
        + (["--no-warm"] if no_warm else []),
        check=True,
        capture_output=True,
        env={**os.environ, "TEXTUAL": ""},
        timeout=900,
    ).stdout
    figures: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


def run(quick: bool = False, profile: str | None = None, no_warm: bool = False) -> list[Result]:
    """The figures as bench Results (`quick` uses the 20 000-frame studio farm's biggest job; `profile`
    "scale" is the 20 000-job farm with its 200 000-frame job; None runs `huge` then `scale`)."""
    if profile is None and not quick:
        return run(profile="huge", no_warm=no_warm) + run(profile="scale", no_warm=no_warm)
    load = os.getloadavg()[0]
    proc, url = start_gateway("studio" if quick else profile or "huge")
    try:
        raw = asyncio.run(warm_up(url, proc.pid))
        f = measure_in_fresh_process(url, proc.pid, no_warm)
    finally:
        stop_gateway(proc)
    load = max(load, os.getloadavg()[0])
    n = int(f["frames"])
    return [
        Result(
            "frames",
            f"job screen: first rows ({n:,} frames)",
            f["first_rows_s"],
            "s",
            goal="≤ 1 s",
            met=f["first_rows_s"] <= 1,
            note=f"load average {load:.1f}",
        ),
        Result(
            "frames",
            f"job screen: all frames loaded ({n:,})",
            f["loaded_s"],
            "s",
            baseline=raw,
            baseline_name="the bare client fetching them",
            ratio=f["loaded_s"] / raw if raw else None,
            goal="≤ 5 s",
            met=f["loaded_s"] <= 5,
            note=f"ratio = screen / bare client (the UI's overhead); cuetui's CPU meanwhile "
            f"{f['loaded_cpu_s']:.1f} s, the gateway's {f.get('loaded_gateway_cpu_s', 0.0):.1f} s; "
            f"load average {load:.1f}",
        ),
        Result(
            "frames",
            f"job screen ({n:,} frames): longest loop stall opening the screen",
            f.get("open_stall_ms", 0.0),
            "ms",
            note=f"CSS and first layout, before any frame arrives; the loop's own CPU in that tick "
            f"{f['open_stall_cpu_ms']:.0f} ms",
        ),
        Result(
            "frames",
            f"job screen ({n:,} frames): longest loop stall while frames load",
            f["load_stall_ms"],
            "ms",
            goal="≤ 16 ms (one frame at 60 Hz)",
            met=f["load_stall_ms"] <= 16,
            note=f"load average {load:.1f}; the loop's own CPU in that tick {f['load_stall_cpu_ms']:.0f} ms; "
            f"longest collection {f['gc_longest_ms']:.0f} ms ({f['gc_longest_cpu_ms']:.0f} ms CPU), "
            f"{f['gc_full']:.0f} full",
        ),
        Result(
            "frames",
            f"job screen ({n:,} frames): longest loop stall, idle polls",
            f["idle_stall_ms"],
            "ms",
            goal="≤ 50 ms",
            met=f["idle_stall_ms"] <= 50,
        ),
        Result(
            "frames",
            f"job screen ({n:,} frames): longest loop stall, end/pageup/home",
            f["scroll_stall_ms"],
            "ms",
            goal="≤ 50 ms",
            met=f["scroll_stall_ms"] <= 50,
        ),
        Result(
            "frames",
            f"job screen: longest loop stall, d twice ({n:,} rows)",
            f["dead_only_stall_ms"],
            "ms",
            goal="≤ 100 ms",
            met=f["dead_only_stall_ms"] <= 100,
        ),
        Result(
            "frames",
            f"RSS: jobs screen ({int(f['jobs']):,} jobs) + the {n:,}-frame job open",
            f["rss_mb"],
            "MB",
            goal="≤ 250 MB",
            met=f["rss_mb"] <= 250,
            note=f"jobs screen alone {f['rss_jobs_mb']:.0f} MB; before the app "
            f"{f['rss_mb'] - f['rss_delta_mb']:.0f} MB; gateway in its own process, not counted",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", choices=("huge", "scale"), help="the demo farm (default: huge, then scale)")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the child of a run
    parser.add_argument("--gateway-pid", type=int, default=0, help=argparse.SUPPRESS)  # its CPU is measured too
    parser.add_argument(
        "--cprofile", action="store_true", help="with --measure URL: print a cProfile of it (bench/profiles/)"
    )
    parser.add_argument(
        "--ticks", action="store_true", help="with --measure URL: print the loop's callbacks over 16 ms while loading"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="with --measure URL: print what the screens hold, by tracemalloc"
    )
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="an experiment: the table engine's idle warm-up of every row off in the measured process",
    )
    args = parser.parse_args()
    if args.no_warm:
        without_table_warm_up()
    os.environ.setdefault("TEXTUAL", "")
    if args.measure and args.cprofile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        figures = asyncio.run(measure(args.measure, args.gateway_pid))
        profiler.disable()
        for sort in ("tottime", "cumulative"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(sort).print_stats(35)
            print(f"## by {sort}\n{text.getvalue()}")
        print(f"figures under the profiler: {figures}")
        sys.exit(0)
    if args.measure and args.tracemalloc:
        figures = asyncio.run(measure(args.measure, args.gateway_pid, trace=True))
        print(f"figures under tracemalloc: {figures}")
        sys.exit(0)
    if args.measure and args.ticks:
        long_ticks = _LongTicks()
        figures = asyncio.run(measure(args.measure, args.gateway_pid, long_ticks))
        print("callbacks over 16 ms from opening the job to all frames loaded, by task (most CPU first):")
        print(long_ticks.report())
        print(f"figures: {figures}")
        sys.exit(0)
    if args.measure:
        import json

        print(json.dumps(asyncio.run(measure(args.measure, args.gateway_pid))))
        sys.exit(0)
    for r in run(quick=args.quick, profile=args.profile, no_warm=args.no_warm):
        met = "" if r.met is None else (" ✓" if r.met else " ✗")
        base = f"  (bare client {r.baseline:,.2f} s, ratio {r.ratio:.2f})" if r.baseline and r.ratio else ""
        print(f"{r.name:<52} {r.figure:>10,.2f} {r.unit:<3} {r.goal}{met} {r.note}{base}")
