"""The jobs table's "Waits on" column: a job an active dependency holds on another job names that job
(beside the Dep count, which counts dependencies inside the job too); the marker goes when the
dependency is satisfied; only jobs with DEPEND frames are asked about, and again only when that count
moves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.depends import WaitsOnJobs
from cuetui.ui.screens.jobs import WAITS_MARK, JobsScreen
from tests.commands.test_why import gateway_for
from tests.ui.steer_support import make_app, wait_for, wait_loaded
from tests.ui.test_deps_panel import scenario


def marks(screen: JobsScreen) -> dict[str, tuple[str, ...]]:
    return {j.name: j.waits_on for j in screen.table.models() if isinstance(j, WaitsOnJobs)}


def cell(screen: JobsScreen, name: str, column: str) -> str:
    table = screen.table
    job = next(j for j in table.models() if j.name == name)
    index = [c.key for c in table.columns.values()].index(column)  # type: ignore[attr-defined]
    return str(table.get_row(job.id)[index]).strip()


def waits_cell(screen: JobsScreen, name: str) -> str:
    return cell(screen, name, "waits_on")


async def test_waits_on_column_names_the_other_job_and_clears(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    gw = gateway_for(make_gateway, tmp_path, scenario(), speed=0.0, record=True)
    app = make_app(gw, refresh=0.3)
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await wait_for(pilot, lambda: marks(screen) == {"waiter": ("blocker",), "after": ("waiter",)}, what="marks")
        await wait_for(pilot, lambda: waits_cell(screen, "waiter") == f"{WAITS_MARK}blocker", what="the cell")
        assert waits_cell(screen, "blocker") == ""
        assert cell(screen, "waiter", "name") == f"{WAITS_MARK}waiter"  # the marker before the name too
        assert cell(screen, "blocker", "name") == "blocker"
        waits = screen._waits
        assert waits is not None and waits.reads == 2  # waiter and after: the jobs with DEPEND frames
        polls = screen.poll.polls if screen.poll else 0
        await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= polls + 3, what="more polls")
        assert waits.reads == 2  # nothing moved: not asked again

        def satisfy(farm: Any) -> None:
            farm.resources.satisfy(farm.resources.depends[0], farm.set_state)  # waiter on blocker

        gw.run(satisfy)
        await wait_for(pilot, lambda: marks(screen) == {"after": ("waiter",)}, what="waiter's mark gone")
        assert waits_cell(screen, "waiter") == "" and cell(screen, "waiter", "name") == "waiter"
        assert waits.reads == 3  # waiter's DEPEND count moved (comp still waits inside it): asked once more
