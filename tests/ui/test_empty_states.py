"""Every empty table says why it is empty, on the line where its first row would be."""

from __future__ import annotations

from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.host_procs import HostProcsScreen
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.screens.stuck import StuckScreen
from cuetui.ui.screens.triage import TriageScreen
from tests.ui.conftest import make_app, wait_for, wait_loaded


def first_line(table: Any) -> str:
    """What the terminal shows where the table's first row would be."""
    return "".join(segment.text for segment in table.render_line(1)).strip()


async def test_mine_with_no_jobs_says_no_jobs_for_the_user(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, user="nobody")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        assert table.row_count > 0
        await pilot.press("m")
        await wait_for(pilot, lambda: table.row_count == 0, what="no rows")
        await wait_for(pilot, lambda: "for nobody" in first_line(table), what="the empty line")
        assert first_line(table) == "no active jobs for nobody (m: everyone's, f: finished ones too)"


async def test_a_filter_that_hides_every_row_says_so(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        total = table.total_count
        await pilot.press("slash", *"zzqq")
        await wait_for(pilot, lambda: table.row_count == 0, what="the filter")
        assert first_line(table) == f"none of the {total} jobs matches “zzqq” (escape clears the filter)"
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_count == total, what="the filter cleared")
        assert "matches" not in first_line(table)


async def test_triage_and_stuck_say_why_they_are_empty(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, shows=("nosuchshow",), stuck_min_silence=10 * 86400.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.table.loaded)
        table = app.screen.table
        await wait_for(pilot, lambda: "no dead frames" in first_line(table), what="triage's empty line")
        assert first_line(table) == "no dead frames in the active jobs of show nosuchshow (f: finished jobs too)"
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, StuckScreen) and app.screen.table.loaded)
        table = app.screen.table
        await wait_for(pilot, lambda: "no stuck frames" in first_line(table), what="stuck's empty line")
        assert first_line(table) == "no stuck frames (no running frame's log silent ≥ 10d00h and ≥ 50% of its run)"


async def test_hosts_filter_and_procs_of_an_idle_host_say_why(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen) and app.screen.table.loaded)
        screen = app.screen
        table = screen.table
        total = table.total_count
        for _ in range(6):  # a hardware state no host of the small farm is in
            await pilot.press("t")
            if table.row_count == 0:
                break
        assert table.row_count == 0, "every hardware state has a host"
        assert first_line(table) == (
            f"none of the {total} hosts is in state {screen.state_filter} (t / o: change the filter)"
        )
        while screen.state_filter:
            await pilot.press("t")
        idle = next(h for h in table.models() if h.idle_cores == h.cores)
        table.move_to_key(idle.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HostProcsScreen) and app.screen.table.loaded)
        table = app.screen.table
        await wait_for(pilot, lambda: first_line(table) == f"nothing is running on {idle.name}", what="procs")


async def test_dead_only_frames_of_a_job_without_dead_frames(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        clean = next(j for j in table.models() if not j.stats.dead_frames and j.stats.total_frames)
        table.move_to_key(clean.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.sync is not None and screen.sync.loaded, what="frames")
        await pilot.press("d")
        frames = screen.frames_table
        await wait_for(pilot, lambda: not frames.rows, what="no dead frames")
        assert frames._empty_text == "no dead frames in this job (d: every frame)"
