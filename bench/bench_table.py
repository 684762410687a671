"""Refreshing the jobs screen of the `huge` farm (5 000 jobs) and the `scale` farm (20 000 jobs) when 1 % of
them changed, and on the poll in which the minute changes (README Performance, row 3).

cuetui runs headless (`run_test`, 160×48) on the real jobs screen against the demo gateway in a child
process (seeded, `--speed 0`, so nothing changes unless we change it). Between two polls the priority of
50 jobs is changed through the gateway (SetPriority, a change the next GetJobs reports, in a column on
screen); then the screen polls at once. The figure is the longest stall of the event loop from that poll
until its result is on screen and painted, measured by a ticker task that sleeps 5 ms and records how
late it wakes (a stall is a time in which no key is read and nothing is drawn). The whole poll counts:
GetJobs' decoding, the rendering of changed rows and the table update.

The baseline is the same poll in the same table with its update replaced by what a naive screen does:
empty the table and add every job again, each row's cells rendered again, sorted as shown.
Each side is measured over several polls (each with another 50 jobs changed) and its worst stall kept.
Then one more poll with the app's clock a minute on, so every Elapsed cell is due (the rows in view are
redrawn at once, the others when scrolled into view). At 20 000 jobs the rebuilding side is skipped.

The goal's own measure is the longest single callback of the loop (each `asyncio.Handle` run timed by
`CallbackMeter`, by the loop thread's CPU and by wall time, with the coroutine it ran); the ticker's
figure is kept beside it for the earlier rows.

Usage: python -m bench.bench_table [--quick] [--size huge|scale] [--polls N] [--verbose] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from bench.common import SECRET, Result, start_gateway, stop_gateway

CHANGED_SHARE = 0.01


class CallbackMeter:
    """The longest single event-loop callback since the last reset, by the loop thread's CPU time
    (`worst_cpu`) and by wall time (`worst`), with what ran (`worst_what`: the task's coroutine and where
    it stopped): the goal's own measure, each callback timed alone, where `StallMeter` sees a tick
    that may hold several callbacks. Installed by wrapping `asyncio.Handle._run` while measuring."""

    def __init__(self, *, explain: bool = False) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self.worst_what = ""
        # With `explain`, each callback runs under its own cProfile and the longest one's is kept
        # (`worst_profile`): what that one callback did, at the profiler's cost (about twice the time).
        self.explain = explain
        self.worst_profile: cProfile.Profile | None = None
        self.worst_faults = 0  # the page faults (minor) of the longest callback: fresh memory touched
        self._saved: Any = None
        # The longest run of the cyclic garbage collector (it runs inside whichever callback allocates),
        # and its generation.
        self.worst_gc = 0.0
        self.worst_gc_generation = -1
        self._gc_start = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.thread_time()
        else:
            took = time.thread_time() - self._gc_start
            if took > self.worst_gc:
                self.worst_gc, self.worst_gc_generation = took, info.get("generation", -1)

    def install(self) -> None:
        meter = self
        run = self._saved = asyncio.events.Handle._run

        def timed(handle: asyncio.Handle) -> None:
            profile = cProfile.Profile() if meter.explain else None
            faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
            wall, cpu = time.perf_counter(), time.thread_time()
            if profile is not None:
                profile.enable()
            run(handle)
            if profile is not None:
                profile.disable()
            cpu = time.thread_time() - cpu
            if cpu > meter.worst_cpu:
                meter.worst_cpu = cpu
                meter.worst_what = _callback_name(handle)
                meter.worst_profile = profile
                meter.worst_faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults
            meter.worst = max(meter.worst, time.perf_counter() - wall)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._saved is not None:
            asyncio.events.Handle._run = self._saved  # type: ignore[method-assign]
            self._saved = None

    def reset(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self.worst_what = ""
        self.worst_profile = None
        self.worst_faults = 0
        self.worst_gc = 0.0
        self.worst_gc_generation = -1


def _callback_name(handle: asyncio.Handle) -> str:
    """A task's coroutine and the innermost place it is suspended at, or the callback's name."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if not isinstance(task, asyncio.Task):
        return getattr(callback, "__qualname__", repr(callback))
    coro: Any = task.get_coro()
    name = getattr(coro, "__qualname__", "?")
    where = ""
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None:
            where = f"{frame.f_code.co_qualname}:{frame.f_lineno}"
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return f"{name} (then at {where})" if where else name


class StallMeter:
    """The longest lateness of a 5 ms ticker on the running loop since the last reset, in seconds
    (`worst`), and the most CPU time this thread spent within one tick (`worst_cpu`): on a shared,
    loaded machine the first also counts time in which other processes had the core, the second
    only the loop's own work."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self._running = True
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while self._running:
            before, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - before - 0.005)
            self.worst_cpu = max(self.worst_cpu, time.thread_time() - cpu)

    def reset(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            await self._task


async def _wait(pilot: Any, condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def naive_rebuild(table: Any) -> Callable[[Iterable[Any], float], None]:
    """A `set_data` that empties the table and adds every row again (the baseline): every row's cells
    rendered again (as a table that renders rows when they are added must), every row sorted as
    shown, every line in view drawn again."""
    from cuetui.ui.widgets.farm_table import FarmTable

    def set_data(models: Iterable[Any], now: float) -> None:
        models = list(models)
        FarmTable.set_data(table, [], now)
        FarmTable.set_data(table, models, now)
        for key in table.shown_keys():
            table.get_row(key)

    return set_data


@dataclass(frozen=True)
class Poll:
    """One measured poll: the worst tick's lateness and CPU (`StallMeter`), the longest callback's wall
    time and CPU and what it was (`CallbackMeter`), in seconds."""

    stall: float
    stall_cpu: float
    callback: float
    callback_cpu: float
    callback_what: str
    gc: float = 0.0
    gc_generation: int = -1
    faults: int = 0

    def __str__(self) -> str:
        return (
            f"tick {self.stall * 1000:.1f} ms ({self.stall_cpu * 1000:.1f} CPU); longest callback "
            f"{self.callback * 1000:.1f} ms ({self.callback_cpu * 1000:.1f} CPU): {self.callback_what}, "
            f"{self.faults} page faults; longest collection {self.gc * 1000:.1f} ms (generation {self.gc_generation})"
        )


async def measure(
    url: str,
    polls: int,
    profiles: dict[str, cProfile.Profile] | None = None,
    *,
    baseline: bool = True,
    verbose: bool = False,
    explain: bool = False,
) -> dict[str, float]:
    """Open the jobs screen headless, then time `polls` refreshes each way (the last of each under
    `profiles["in_place"]` and `profiles["rebuild"]` when given: bench/profile_hot_paths.py), and one
    more poll in which the minute changes (every Elapsed cell due; under `profiles["minute"]`).
    `baseline` False skips the rebuilding side."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.jobs import JobsScreen

    token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
    client = GatewayClient(url, GatewayAuth(token=token))
    steer = GatewayClient(url, GatewayAuth(token=token))
    app = CueTuiApp(client, UiOptions(url=url, farm_name="bench", user="bench"))
    shift = 0.0  # added to the app's clock: 60 s more makes the next poll the minute's redraw
    app.services.clock = lambda: time.time() + shift  # type: ignore[method-assign]
    figures: dict[str, float] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, JobsScreen) and app.screen.table.loaded, 300, "jobs")
        screen = app.screen
        assert isinstance(screen, JobsScreen) and screen.poll is not None
        table = screen.table
        # every job of the farm, finished ones too (the `f` key); a poll in flight has the old search
        # (`done`, not `polls`: that is how many polls to measure)
        done = screen.poll.polls
        screen.action_toggle_finished()
        await _wait(pilot, lambda: screen.poll is not None and screen.poll.polls >= done + 2, 300, "all jobs")
        # The toggle's toast would leave during a measured poll, and its leaving repaints what it covered.
        app.clear_notifications()
        jobs = table.models()
        figures["jobs"] = float(len(jobs))
        changed = max(1, round(len(jobs) * CHANGED_SHARE))
        # Only the polls asked for below: one now, to be sure none is in flight, then no timer.
        screen.poll.interval = 3600
        done = screen.poll.polls
        screen.poll.poke()
        await _wait(pilot, lambda: screen.poll is not None and screen.poll.polls > done, 120, "a quiet poll")
        meter = StallMeter()
        meter.start()
        callbacks = CallbackMeter(explain=explain)
        callbacks.install()
        await pilot.pause(0.5)
        offset = 0

        async def one_poll(done: Callable[[list[Any]], bool], profile: cProfile.Profile | None) -> Poll:
            """Change `changed` jobs' priority, poll once, return the worst stall until it is painted."""
            nonlocal offset
            assert screen.poll is not None
            batch = jobs[offset : offset + changed]
            offset += changed
            for job in batch:
                await steer.set_priority(job.id, job.priority + 7)
            polls_before = screen.poll.polls
            await pilot.pause(0.3)
            meter.reset()
            callbacks.reset()
            if profile is not None:
                profile.enable()
            screen.poll.poke()
            await _wait(pilot, lambda: screen.poll is not None and screen.poll.polls > polls_before, 120, "a poll")
            await pilot.pause(0.5)  # the repaint, the alerts, the counts
            if profile is not None:
                profile.disable()
            if not done(batch):
                raise RuntimeError("the poll did not show the changed jobs")
            poll = Poll(
                meter.worst,
                meter.worst_cpu,
                callbacks.worst,
                callbacks.worst_cpu,
                callbacks.worst_what,
                callbacks.worst_gc,
                callbacks.worst_gc_generation,
                callbacks.worst_faults,
            )
            if verbose:
                print(f"  {poll}", flush=True)
            if explain and callbacks.worst_profile is not None:
                out = io.StringIO()
                stats = pstats.Stats(callbacks.worst_profile, stream=out)
                stats.strip_dirs().sort_stats("cumulative").print_stats(30)
                print(out.getvalue(), flush=True)
            return poll

        def in_place_done(batch: list[Any]) -> bool:
            return all(getattr(table.model(j.id), "priority", None) == j.priority + 7 for j in batch)

        profiles = profiles or {}
        ours = [
            await one_poll(in_place_done, profiles.get("in_place") if i == polls - 1 else None) for i in range(polls)
        ]
        figures["rows_after"] = float(table.row_count)
        # The minute changes: every Elapsed cell is due (only the rows in view are redrawn at once).
        shift += 60.0
        minute = await one_poll(in_place_done, profiles.get("minute"))
        figures["minute_ms"], figures["minute_cpu_ms"] = minute.stall * 1000, minute.stall_cpu * 1000
        figures["minute_callback_ms"], figures["minute_callback_cpu_ms"] = (
            minute.callback * 1000,
            minute.callback_cpu * 1000,
        )
        figures["in_place_ms"] = max(p.stall for p in ours) * 1000
        figures["in_place_cpu_ms"] = max(p.stall_cpu for p in ours) * 1000
        figures["in_place_callback_ms"] = max(p.callback for p in ours) * 1000
        figures["in_place_callback_cpu_ms"] = max(p.callback_cpu for p in ours) * 1000
        figures["changed"] = float(changed)
        callbacks.uninstall()
        if explain:
            # What a full collection walks: every object the collector tracks, by type.
            tracked = Counter(type(o).__name__ for o in gc.get_objects())
            print(f"objects the collector tracks: {sum(tracked.values()):,}; most: {tracked.most_common(8)}")
            print(f"collections so far by generation: {[g['collections'] for g in gc.get_stats()]}")
        if not baseline:
            await meter.stop()
            await client.aclose()
            await steer.aclose()
            return figures
        table.set_data = naive_rebuild(table)  # type: ignore[method-assign]

        priority_cell = 1 + table.visible_columns.index("priority")  # after the mark column

        def rebuilt_done(batch: list[Any]) -> bool:
            return table.row_count == len(jobs) and all(
                table.get_row(j.id)[priority_cell].plain == str(j.priority + 7) for j in batch
            )

        theirs = [
            await one_poll(rebuilt_done, profiles.get("rebuild") if i == polls - 1 else None) for i in range(polls)
        ]
        figures["rebuild_ms"] = max(p.stall for p in theirs) * 1000
        figures["rebuild_cpu_ms"] = max(p.stall_cpu for p in theirs) * 1000
        await meter.stop()
    await client.aclose()
    await steer.aclose()
    return figures


def run(
    quick: bool = False,
    sizes: Sequence[str] = ("huge", "scale"),
    polls: int = 3,
    verbose: bool = False,
    explain: bool = False,
) -> list[Result]:
    """The figures as bench Results (`quick` uses the `studio` farm, one poll each way): `huge`
    (5 000 jobs) against the rebuilding baseline, then `scale` (20 000 jobs) ours only."""
    results: list[Result] = []
    for profile in ("studio",) if quick else sizes:
        load = os.getloadavg()[0]
        proc, url = start_gateway(profile)
        try:
            f = asyncio.run(
                measure(
                    url,
                    polls=1 if quick else polls,
                    baseline=profile != "scale" and not explain,
                    verbose=verbose or explain,
                    explain=explain,
                )
            )
        finally:
            stop_gateway(proc)
        load = max(load, os.getloadavg()[0])
        jobs = f"{int(f['jobs']):,} jobs"
        if "rebuild_ms" in f:
            ratio = f["rebuild_ms"] / f["in_place_ms"] if f["in_place_ms"] else None
            results.append(
                Result(
                    "table",
                    f"jobs table: longest stall, poll with {int(f['changed'])} of {jobs} changed",
                    f["in_place_ms"],
                    "ms",
                    baseline=f["rebuild_ms"],
                    baseline_name="empty the table, add every job again",
                    ratio=ratio,
                    goal="≤ 16 ms (one frame at 60 Hz) and ≥ 10× better",
                    met=f["in_place_ms"] <= 16 and ratio is not None and ratio >= 10,
                    note="whole poll: GetJobs decode, changed rows rendered, table updated and painted; "
                    f"the loop's own CPU in its longest tick {f['in_place_cpu_ms']:.0f} ms vs "
                    f"{f['rebuild_cpu_ms']:.0f} ms; {_longest(f, 'in_place')}; load average {load:.1f}",
                )
            )
        else:
            results.append(
                Result(
                    "table",
                    f"jobs table: longest stall, poll with {int(f['changed'])} of {jobs} changed",
                    f["in_place_ms"],
                    "ms",
                    goal="≤ 16 ms (one frame at 60 Hz)",
                    met=f["in_place_ms"] <= 16,
                    note=f"the loop's own CPU in its longest tick {f['in_place_cpu_ms']:.0f} ms; "
                    f"{_longest(f, 'in_place')}; load average {load:.1f}",
                )
            )
        results.append(
            Result(
                "table",
                f"jobs table: longest stall, the minute's poll (Elapsed due), {jobs}",
                f["minute_ms"],
                "ms",
                goal="≤ 16 ms (one frame at 60 Hz)",
                met=f["minute_ms"] <= 16,
                note=f"the loop's own CPU in its longest tick {f['minute_cpu_ms']:.0f} ms; "
                f"{_longest(f, 'minute')}; load average {load:.1f}",
            )
        )
        # The goal's own measure: the longest single callback, by the loop's CPU (the longest by wall time
        # in the note: on a loaded machine that is mostly time the other processes had the core).
        for side, what in (
            ("in_place", f"poll with {int(f['changed'])} of {jobs} changed"),
            ("minute", "the minute's poll"),
        ):
            cpu = f[side + "_callback_cpu_ms"]
            results.append(
                Result(
                    "table",
                    f"jobs table: longest single callback's CPU, {what}" + ("" if side == "in_place" else f", {jobs}"),
                    cpu,
                    "ms",
                    goal="≤ 16 ms (one frame at 60 Hz)",
                    met=cpu <= 16,
                    note=f"the longest by wall time {f[side + '_callback_ms']:.1f} ms; load average {load:.1f}",
                )
            )
    return results


def _longest(figures: dict[str, float], side: str) -> str:
    return (
        f"longest single callback {figures[side + '_callback_ms']:.1f} ms "
        f"({figures[side + '_callback_cpu_ms']:.1f} ms CPU)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", action="append", choices=("huge", "scale"), help="one farm (again: both)")
    parser.add_argument("--polls", type=int, default=3, help="measured polls of 1 %% changed (3)")
    parser.add_argument("--verbose", action="store_true", help="each poll's figures and its longest callback")
    parser.add_argument("--explain", action="store_true", help="the cProfile of each poll's longest callback")
    args = parser.parse_args()
    sizes = args.size or ("huge", "scale")
    for r in run(quick=args.quick, sizes=sizes, polls=args.polls, verbose=args.verbose, explain=args.explain):
        print(r)
