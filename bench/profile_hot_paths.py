"""cProfile of the two hot paths of the performance goals (fetching frames, refreshing the jobs table),
written as text to bench/profiles/ (not part of `python -m bench`).

* fetch_decode.txt: cuetui's client fetching and decoding every frame of the biggest `huge` job
  (bench_fetch's `cuetui_fetch`, after the demo's warm-up, loopback), by own time and by cumulative time.
* table_refresh.txt: one poll of the `huge` jobs screen with 1 % of jobs changed, in place (cuetui's
  update), then one with the naive clear-and-re-add (bench_table's baseline); cumulative time.

* table_refresh_scale.txt (`--scale`, only that one): the same at 20 000 jobs (`scale`), and the poll
  in which the minute changes.

Usage: python -m bench.profile_hot_paths [--scale]     (a few minutes: two `huge` gateways start)
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
from bench.common import start_gateway, stop_gateway, wait_idle

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


def main() -> None:
    OUT.mkdir(exist_ok=True)
    if "--scale" in sys.argv:
        (OUT / "table_refresh_scale.txt").write_text(table_refresh_scale())
        print(f"wrote {OUT}/table_refresh_scale.txt")
        return
    (OUT / "fetch_decode.txt").write_text(fetch_decode())
    (OUT / "table_refresh.txt").write_text(table_refresh())
    print(f"wrote {OUT}/fetch_decode.txt and {OUT}/table_refresh.txt")


if __name__ == "__main__":
    main()
