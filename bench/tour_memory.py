"""Memory per tour step: the soak's TUI tour on a frozen, fault-free farm, with RSS and what stays alive.

Run: python -m bench.tour_memory [--profile small|studio] [--steps 50,100,200] [--trace]

Unlike the soak, nothing on the farm changes, so whatever keeps growing from one checkpoint to the next is
held by the UI. At each checkpoint it prints RSS, live widgets (and how many are detached from the DOM),
job screens and tables alive, the object types that grew since the start and, with `--trace`, the
allocations that grew most by traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tracemalloc
from collections import Counter

from bench.soak import SECRET, TOUR, _wait, rss_mib, start_gateway, stop_gateway


async def tour(profile: str, checkpoints: list[int], trace: bool) -> None:
    from textual.widget import Widget

    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions
    from cuetui.ui.screens.job import JobScreen
    from cuetui.ui.screens.jobs import JobsScreen
    from cuetui.ui.widgets.farm_table import FarmTable

    child, url = start_gateway(profile, 11, 0.0, "")
    try:
        client = GatewayClient(url, GatewayAuth(secret=SECRET, sub="tour"))
        options = UiOptions(farm_name="tour", url=url, user="tour", refresh=1.0, frame_refresh=1.0)
        app = CueTuiApp(client, options)

        def on_jobs_screen() -> bool:
            table = getattr(app.screen, "table", None)
            return isinstance(app.screen, JobsScreen) and bool(getattr(table, "loaded", False))

        async with app.run_test(size=(160, 48)) as pilot:
            if not await _wait(pilot, on_jobs_screen, 60.0):
                raise RuntimeError("the jobs screen never loaded")
            for key in TOUR:  # warm-up: every screen made once
                if key:
                    await pilot.press(key)
                await pilot.pause(0.3)
            gc.collect()
            if trace:
                tracemalloc.start(8)
            first_snapshot = tracemalloc.take_snapshot() if trace else None
            first = Counter(type(o).__qualname__ for o in gc.get_objects())
            print(f"step 0: RSS {rss_mib():.1f} MiB", flush=True)
            step = 0
            for checkpoint in checkpoints:
                while step < checkpoint:
                    key = TOUR[step % len(TOUR)]
                    if key:
                        await pilot.press(key)
                    step += 1
                    await pilot.pause(0.25)
                await pilot.pause(1.0)
                gc.collect()
                objects = gc.get_objects()
                widgets = [o for o in objects if isinstance(o, Widget)]
                detached = Counter(type(o).__qualname__ for o in widgets if not o.is_attached)
                print(
                    f"step {step}: RSS {rss_mib():.1f} MiB, widgets {len(widgets)}, "
                    f"JobScreen {sum(isinstance(o, JobScreen) for o in widgets)}, "
                    f"FarmTable {sum(isinstance(o, FarmTable) for o in widgets)}, tasks {len(asyncio.all_tasks())}",
                    flush=True,
                )
                print(f"    detached (other modes' screens, or leaked): {detached.most_common(6)}")
                grew = Counter(type(o).__qualname__ for o in objects)
                grew.subtract(first)
                print(f"    grew since step 0: {grew.most_common(8)}")
                del objects, widgets
                if first_snapshot is not None:
                    snapshot = tracemalloc.take_snapshot()
                    for stat in snapshot.compare_to(first_snapshot, "traceback")[:5]:
                        print(f"    {stat.size_diff / 1024:+.0f} KiB in {stat.count_diff:+d} blocks, from:")
                        for line in stat.traceback.format()[-8:]:
                            print(f"        {line}")
            await pilot.press("q")
        await client.aclose()
    finally:
        stop_gateway(child)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tour_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="small", choices=("small", "studio", "huge"))
    parser.add_argument("--steps", default="50,100,200", help="checkpoints, in tour steps (default 50,100,200)")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: the allocations that grew most")
    args = parser.parse_args(argv)
    asyncio.run(tour(args.profile, [int(n) for n in args.steps.split(",")], args.trace))
    return 0


if __name__ == "__main__":
    sys.exit(main())
