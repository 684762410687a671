"""Soak: the TUI and `monitor` against a faulty, fast-moving simulated farm; no crash, no growth.

Run: python -m bench.soak [--minutes 120] [--speed 60] [--profile studio]
     [--fault error-rate=0.05,html=0.02,drop=0.02]

`--minutes` is simulated time: the wall-clock run lasts minutes * 60 / speed seconds (120 simulated
minutes at speed 60: two minutes). The demo gateway runs as a child process; the TUI (headless, through
Textual's `run_test`) and the monitor loop (the same `run_lines` as `cuetui monitor`) share this process,
so its RSS and asyncio task count are theirs. The TUI visits every screen in turn and opens jobs while the
monitor follows one pending job after another. Prints RSS and task count at start (after a warm-up visit
of every screen) and at the end, the errors seen, and the crashes (0, or the run fails).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import common

DEFAULT_FAULTS = "error-rate=0.05,html=0.02,drop=0.02"
SECRET = common.SECRET
# One step of the TUI's tour every STEP_SECONDS of wall time: every screen, and a job opened and closed.
TOUR = ("1", "3", "4", "5", "2", "enter", "", "escape")
STEP_SECONDS = 1.5


@dataclass
class SoakReport:
    """What a soak measured. RSS in MiB; `tasks_*` are asyncio tasks of this process."""

    simulated_minutes: float
    speed: float
    wall_seconds: float = 0.0
    rss_start: float = 0.0
    rss_end: float = 0.0
    rss_peak: float = 0.0
    tasks_start: int = 0
    tasks_end: int = 0
    tasks_peak: int = 0
    tui_errors: int = 0  # failures the TUI's pollers reported (each shown in the status bar)
    monitor_faults: int = 0  # failed gateway calls of the monitor (most retried at once, unseen)
    monitor_errors: int = 0  # gateway failures the monitor reported (and retried with back-off)
    monitor_events: int = 0
    monitor_jobs: int = 0
    tour_steps: int = 0
    crashes: int = 0
    gateway_rss: float = 0.0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The figures, one per line, for a terminal or the README."""
        return [
            f"simulated time       {self.simulated_minutes:.0f} min at speed {self.speed:g} "
            f"({self.wall_seconds:.0f} s wall)",
            f"RSS (TUI + monitor)  start {self.rss_start:.1f} MiB, end {self.rss_end:.1f} MiB, "
            f"peak {self.rss_peak:.1f} MiB",
            f"asyncio tasks        start {self.tasks_start}, end {self.tasks_end}, peak {self.tasks_peak}",
            f"errors seen          TUI {self.tui_errors}, monitor {self.monitor_faults} failed calls, "
            f"{self.monitor_errors} reported (monitor followed {self.monitor_jobs} jobs, {self.monitor_events} events)",
            f"TUI tour             {self.tour_steps} steps (screens 1-5, a job opened and closed)",
            f"crashes              {self.crashes}",
            f"gateway RSS          {self.gateway_rss:.1f} MiB (child process)",
            *self.notes,
        ]


def rss_mib(pid: int | None = None) -> float:
    """Resident set size of a process (this one by default), in MiB."""
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_gateway(profile: str, seed: int, speed: float, faults: str) -> tuple[subprocess.Popen[str], str]:
    """The demo gateway as a child process (bench.common's); returns it and its URL."""
    return common.start_gateway(profile, seed=seed, speed=speed, faults=[faults] if faults else [])


stop_gateway = common.stop_gateway


class CountingSink:
    """The monitor's output, counted instead of printed."""

    def __init__(self) -> None:
        from cuetui.commands.monitor import PlainSink

        self.lines = PlainSink(io.StringIO(), io.StringIO())
        self.events = 0
        self.errors = 0

    def emit(self, event: Any) -> None:
        self.events += 1
        self.lines.emit(event)
        self._trim()

    def problem(self, now: float, message: str, retry_in: float | None) -> None:
        self.errors += 1
        self.lines.problem(now, message, retry_in)
        self._trim()

    def end(self, now: float, status: int, summary: str) -> None:
        self.lines.end(now, status, summary)
        self._trim()

    def _trim(self) -> None:
        # The text is formatted (that is part of what is soaked) but not kept.
        for stream in (self.lines.out, self.lines.errors):
            assert isinstance(stream, io.StringIO)
            stream.seek(0)
            stream.truncate()


async def monitor_forever(url: str, report: SoakReport) -> None:
    """Follow one pending job after another, as `cuetui monitor JOB --plain` would, until cancelled."""
    from cuetui.commands.monitor import Retrier, run_lines
    from cuetui.farm.reads import retry_reads
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.errors import GatewayError

    sink = CountingSink()
    try:
        async with GatewayClient(url, GatewayAuth(secret=SECRET, sub="soak")) as client:
            send = client.call

            async def counted(request: Any, **options: Any) -> dict[str, Any]:
                try:
                    return await send(request, **options)
                except GatewayError:
                    report.monitor_faults += 1
                    raise

            client.call = counted  # type: ignore[method-assign]
            retry_reads(client)  # as `cuetui monitor` does: a passing fault costs a quick retry
            retrier = Retrier(sink, None)  # type: ignore[arg-type]
            turn = 0
            while True:
                jobs = await retrier(client.get_jobs)
                pending = [job for job in jobs if job.state == "PENDING"]
                if not pending:
                    await asyncio.sleep(1.0)
                    continue
                job = pending[turn % len(pending)]
                turn += 1
                report.monitor_jobs += 1
                # A job is followed for a while, then the next one: a long soak sees many jobs.
                with contextlib.suppress(asyncio.TimeoutError, GatewayError):
                    await asyncio.wait_for(
                        run_lines(client, [job.id], sink, until_dead=False, interval=1.0, timeout=None),  # type: ignore[arg-type]
                        timeout=20.0,
                    )
    finally:
        report.monitor_errors = sink.errors
        report.monitor_events = sink.events


def _object_counts() -> Counter[str]:
    """Live objects the garbage collector tracks, by type: what grew between two counts is what leaks."""
    gc.collect()
    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def _cached_entries() -> int:
    """Entries held by Textual's bounded render caches (LRUCache, FIFOCache): growth there is bounded."""
    from textual.cache import FIFOCache, LRUCache

    return sum(len(o) for o in gc.get_objects() if isinstance(o, (LRUCache, FIFOCache)))


async def _wait(pilot: Any, condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.05)
    return True


async def soak(
    minutes: float = 120.0,
    speed: float = 60.0,
    profile: str = "studio",
    seed: int = 11,
    faults: str = DEFAULT_FAULTS,
    settle_seconds: float = 60.0,
    say: Callable[[str], None] = lambda text: None,
    trace_memory: bool = False,
) -> SoakReport:
    """Run the soak and return its figures; raises if the TUI or the monitor crashed."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.jobs import JobsScreen

    report = SoakReport(simulated_minutes=minutes, speed=speed)
    wall = minutes * 60.0 / speed if speed > 0 else minutes * 60.0
    say(f"starting the demo gateway ({profile}, speed {speed:g}, faults {faults or 'none'})")
    child, url = start_gateway(profile, seed, speed, faults)
    try:
        client = GatewayClient(url, GatewayAuth(secret=SECRET, sub="soak"))
        options = UiOptions(farm_name="soak", url=url, user="soak", refresh=1.0, frame_refresh=1.0)
        app = CueTuiApp(client, options)
        failure = app.services.connection.failure

        def count_failure(error: Exception, retry_in: float | None) -> None:
            report.tui_errors += 1
            failure(error, retry_in)

        app.services.connection.failure = count_failure  # type: ignore[method-assign]

        def on_jobs_screen() -> bool:
            table = getattr(app.screen, "table", None)
            return isinstance(app.screen, JobsScreen) and bool(getattr(table, "loaded", False))

        async with app.run_test(size=(160, 48)) as pilot:
            say("TUI started; waiting for the jobs screen")
            if not await _wait(pilot, on_jobs_screen, 60.0):
                raise RuntimeError("the jobs screen never loaded")
            # Warm-up: every screen once (modes keep their screens), then measure the baseline.
            for key in TOUR:
                if key:
                    await pilot.press(key)
                await pilot.pause(0.5)
            await _wait(pilot, on_jobs_screen, 30.0)
            # The quiet count between polls (a poll in flight adds a task or two for a moment).
            counts = []
            for _ in range(20):
                await pilot.pause(0.1)
                counts.append(len(asyncio.all_tasks()))
            gc.collect()
            report.rss_start = rss_mib()
            report.tasks_start = min(counts)
            if trace_memory:
                first = _object_counts()
                first_cached = _cached_entries()
            say(f"baseline taken; soaking for {wall:.0f} s")
            monitor = asyncio.create_task(monitor_forever(url, report))
            began = time.monotonic()
            step = 0
            while time.monotonic() - began < wall:
                key = TOUR[step % len(TOUR)]
                if key:
                    await pilot.press(key)
                step += 1
                if step % 8 == 0:
                    say(
                        f"{time.monotonic() - began:.0f} s: {step} steps, {len(asyncio.all_tasks())} tasks, "
                        f"RSS {rss_mib():.1f} MiB, TUI errors {report.tui_errors}, monitor {report.monitor_faults}"
                    )
                await pilot.pause(STEP_SECONDS)
                if not app.is_running:
                    raise RuntimeError("the TUI stopped during the soak")
                if monitor.done():
                    monitor.result()  # raises what crashed it
                    raise RuntimeError("the monitor stopped during the soak")
                report.rss_peak = max(report.rss_peak, rss_mib())
                report.tasks_peak = max(report.tasks_peak, len(asyncio.all_tasks()))
            report.tour_steps = step
            report.wall_seconds = time.monotonic() - began
            report.gateway_rss = rss_mib(child.pid)
            monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monitor
            say("soak done; waiting for the task count to settle")
            # Back on the jobs screen, the task count returns to the baseline once in-flight polls end.
            while len(app.screen_stack) > 1:
                await pilot.press("escape")
                await pilot.pause(0.2)
            await pilot.press("2")
            await _wait(pilot, on_jobs_screen, 30.0)
            await _wait(pilot, lambda: len(asyncio.all_tasks()) <= report.tasks_start, settle_seconds)
            gc.collect()
            report.tasks_end = len(asyncio.all_tasks())
            report.rss_end = rss_mib()
            if trace_memory:
                counts = _object_counts()
                counts.subtract(first)
                report.notes.append(f"entries in Textual's caches: {first_cached} at start, {_cached_entries()} at end")
                report.notes.append("object types that grew most in number:")
                for name, grew in counts.most_common(12):
                    report.notes.append(f"    {grew:+8d} {name}")
            await pilot.press("q")
        await client.aclose()
    finally:
        stop_gateway(child)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=120.0, help="simulated minutes (default 120)")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per second (default 60)")
    parser.add_argument("--profile", default="studio", choices=("small", "studio", "huge"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--fault", default=DEFAULT_FAULTS, help=f"demo gateway faults (default {DEFAULT_FAULTS})")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--trace-memory", action="store_true", help="list the object types that grew in number")
    args = parser.parse_args(argv)
    try:
        t0 = time.monotonic()

        def say(text: str) -> None:
            print(f"[{time.monotonic() - t0:6.1f} s] {text}", file=sys.stderr, flush=True)

        report = asyncio.run(
            soak(args.minutes, args.speed, args.profile, args.seed, args.fault, say=say, trace_memory=args.trace_memory)
        )
    except Exception as exc:
        print(f"soak: crashed: {type(exc).__name__}: {exc}", file=sys.stderr)
        raise
    if args.json:
        import json

        print(json.dumps(asdict(report)))
    else:
        print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
