"""cProfile of the two hot paths of the performance goals (fetching frames, refreshing the jobs table),
written as text to bench/profiles/ (not part of `python -m bench`).

* fetch_decode.txt: cuetui's client fetching and decoding every frame of the biggest `huge` job
  (bench_fetch's `cuetui_fetch`, after the demo's warm-up, loopback), by own time and by cumulative time.
* table_refresh.txt: one poll of the `huge` jobs screen with 1 % of jobs changed, in place (cuetui's
  update), then one with the naive clear-and-re-add (bench_table's baseline); cumulative time.

* table_refresh_scale.txt (`--scale`, only that one): the same at 20 000 jobs (`scale`), and the poll
  in which the minute changes.
* screen_switch.txt (`--switch`, only that one): `3` then `2` (jobs → hosts → jobs screen) on the
  `studio` farm, headless at 160×48, four times each (bench_keys' keys, without the terminal); then
  `enter` on the first job until its layers are on screen, and `escape` back, four times each, in a
  profile of their own. The collector is frozen after the first table, as `cuetui` does.

Usage: python -m bench.profile_hot_paths [--scale | --switch]     (a few minutes: two `huge` gateways start)
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from bench import bench_fetch, bench_table
from bench.common import SECRET, start_gateway, stop_gateway, wait_idle

OUT = Path(__file__).with_name("profiles")


def _top(profile: cProfile.Profile, sort: str, limit: int = 35) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    return out.getvalue()


def _header(title: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"# {title}\n# {when}, Python {sys.version.split()[0]}, `python -m bench.profile_hot_paths`\n\n"


def fetch_decode() -> str:
    proc, url = start_gateway("huge")
    try:
        job_id, total = bench_fetch.biggest_job(url)
        bench_fetch.tutorial_fetch(url, job_id)
        wait_idle(proc.pid)
        bench_fetch.cuetui_fetch(url, job_id, total)
        profile = cProfile.Profile()
        profile.enable()
        bench_fetch.cuetui_fetch(url, job_id, total)
        profile.disable()
    finally:
        stop_gateway(proc)
    return (
        _header(f"fetch + decode {total:,} frames through GatewayClient.get_all_frames")
        + "## by own time\n"
        + _top(profile, "tottime")
        + "\n## by cumulative time\n"
        + _top(profile, "cumulative")
    )


def table_refresh() -> str:
    profiles = {"in_place": cProfile.Profile(), "rebuild": cProfile.Profile()}
    proc, url = start_gateway("huge")
    try:
        asyncio.run(bench_table.measure(url, polls=2, profiles=profiles))
    finally:
        stop_gateway(proc)
    return (
        _header("one poll of the huge jobs screen, 1 % of jobs changed")
        + "## in place (cuetui), by cumulative time\n"
        + _top(profiles["in_place"], "cumulative", 45)
        + "\n## in place (cuetui), by own time\n"
        + _top(profiles["in_place"], "tottime", 20)
        + "\n## clear() + add_row() for every job (baseline), by cumulative time\n"
        + _top(profiles["rebuild"], "cumulative", 30)
    )


def table_refresh_scale() -> str:
    profiles = {"in_place": cProfile.Profile(), "minute": cProfile.Profile()}
    proc, url = start_gateway("scale")
    try:
        asyncio.run(bench_table.measure(url, polls=2, profiles=profiles, baseline=False))
    finally:
        stop_gateway(proc)
    return (
        _header("one poll of the scale jobs screen (20 000 jobs), 1 % of jobs changed; then the minute's poll")
        + "## 1 % changed, by cumulative time\n"
        + _top(profiles["in_place"], "cumulative", 45)
        + "\n## 1 % changed, by own time\n"
        + _top(profiles["in_place"], "tottime", 25)
        + "\n## the minute's poll, by cumulative time\n"
        + _top(profiles["minute"], "cumulative", 30)
    )


def screen_switch() -> str:
    import gc

    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.jobs import JobsScreen

    profile = cProfile.Profile()
    job_profile = cProfile.Profile()
    timings: list[str] = []

    async def switch(url: str) -> None:
        client = GatewayClient(url, GatewayAuth(secret=SECRET, sub="bench"))
        app = CueTuiApp(client, UiOptions(url=url, farm_name="bench", user="bench"))
        async with app.run_test(size=(160, 48)) as pilot:
            while not (isinstance(app.screen, JobsScreen) and app.screen.table.loaded):
                await pilot.pause(0.05)
            gc.freeze()  # what `cuetui` does once its first table is on screen
            for key in ("3", "2"):  # each screen built once, not profiled
                await pilot.press(key)
                await pilot.pause(0.5)
            for _ in range(4):
                for key in ("3", "2"):
                    wall, cpu = time.perf_counter(), time.process_time()
                    profile.enable()
                    await pilot.press(key)
                    await pilot.pause()
                    profile.disable()
                    timings.append(
                        f"{key} -> {type(app.screen).__name__}: {(time.perf_counter() - wall) * 1000:.0f} ms wall, "
                        f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (under the profiler)"
                    )
                    await pilot.pause(0.5)
            for _ in range(5):  # the first one not profiled
                wall, cpu = time.perf_counter(), time.process_time()
                if _:
                    job_profile.enable()
                await pilot.press("enter")
                while not (
                    type(app.screen).__name__ == "JobScreen" and app.screen.query_one("#layers").row_count  # type: ignore[attr-defined]
                ):
                    await pilot.pause(0.005)
                await pilot.pause()
                job_profile.disable()
                if _:
                    timings.append(
                        f"enter -> JobScreen with its layers: {(time.perf_counter() - wall) * 1000:.0f} ms wall, "
                        f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (under the profiler)"
                    )
                await pilot.pause(1.0)
                wall, cpu = time.perf_counter(), time.process_time()
                if _:
                    job_profile.enable()
                await pilot.press("escape")
                await pilot.pause()
                job_profile.disable()
                if _:
                    timings.append(
                        f"escape -> {type(app.screen).__name__}: {(time.perf_counter() - wall) * 1000:.0f} ms wall, "
                        f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (under the profiler)"
                    )
                await pilot.pause(0.5)
        gc.unfreeze()
        await client.aclose()

    proc, url = start_gateway("studio")
    try:
        asyncio.run(switch(url))
    finally:
        stop_gateway(proc)
    return (
        _header(
            "switching screens (3 then 2, four times); opening a job and back (four times), studio, headless 160x48"
        )
        + "\n".join(timings)
        + "\n\n## 3 and 2, by cumulative time\n"
        + _top(profile, "cumulative", 45)
        + "\n## 3 and 2, by own time\n"
        + _top(profile, "tottime", 20)
        + "\n## enter (until the layers are on screen) and escape, by cumulative time\n"
        + _top(job_profile, "cumulative", 70)
        + "\n## enter and escape, by own time\n"
        + _top(job_profile, "tottime", 25)
    )


def main() -> None:
    OUT.mkdir(exist_ok=True)
    if "--switch" in sys.argv:
        (OUT / "screen_switch.txt").write_text(screen_switch())
        print(f"wrote {OUT}/screen_switch.txt")
        return
    if "--scale" in sys.argv:
        (OUT / "table_refresh_scale.txt").write_text(table_refresh_scale())
        print(f"wrote {OUT}/table_refresh_scale.txt")
        return
    (OUT / "fetch_decode.txt").write_text(fetch_decode())
    (OUT / "table_refresh.txt").write_text(table_refresh())
    print(f"wrote {OUT}/fetch_decode.txt and {OUT}/table_refresh.txt")


if __name__ == "__main__":
    main()
