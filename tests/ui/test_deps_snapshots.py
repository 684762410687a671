"""How the subscriptions screen (`6`) and the dependencies panel (`v` on a job) look, on the frozen seeded
studio farm with a fixed clock. Update with `pytest tests/ui/test_deps_snapshots.py --snapshot-update`
after looking at the new SVGs."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.deps_panel import DepsPanel
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.screens.subscriptions import SubscriptionsScreen
from tests.ui.conftest import make_app, wait_for, wait_loaded

SIZES = [(80, 24), (160, 48)]


pytestmark = pytest.mark.usefixtures("utc")  # tests/ui/conftest.py: times on screen in UTC


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_subscriptions(snap_compare: Any, studio_gateway: DemoGatewayThread, size: tuple[int, int]) -> None:
    app = make_app(studio_gateway.url)

    async def ready(pilot: Any) -> None:
        await wait_loaded(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, SubscriptionsScreen) and app.screen.table.loaded)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


def job_with_most_depends(gw: DemoGatewayThread) -> str:
    """The studio job waiting on the most other jobs, then with the most dependencies (ties: by name)."""

    def pick(farm: Any) -> str:
        res = farm.resources
        counts = {}
        for job in farm.jobs:
            waits = res.depends_of(job)
            both = waits + res.depends_on(job)
            counts[job.name] = (sum(1 for d in waits if d.er_job is not d.on_job), len(both))
        return max(sorted(counts), key=lambda name: counts[name])

    return gw.run(pick)


def test_deps_panel(snap_compare: Any, studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    name = job_with_most_depends(studio_gateway)

    async def ready(pilot: Any) -> None:
        await wait_loaded(pilot)
        await pilot.press("colon", *f"job {name}", "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, JobScreen) and app.screen.sync is not None and app.screen.sync.loaded,
        )
        app.screen.set_focus(None)  # the whole job
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, DepsPanel) and app.screen.loads >= 1)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=ready)
