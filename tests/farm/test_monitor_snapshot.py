"""Snapshot of the monitor's live view on a frozen, seeded demo farm (fixed epoch, fixed clock, UTC)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cuetui.config import Secret, Settings
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.requests import JobSearch
from cuetui.ui.monitor_app import MonitorApp
from tests.conftest import DEMO_SECRET
from tests.ui.jobview_support import EPOCH

FROZEN = EPOCH + 3600.0
JOBS = ("testing-sh180-rpatel_layout_v015", "testing-sh550-bmartin_comp_v013")


@pytest.fixture
def frozen_gateway(make_gateway: Callable[..., DemoGatewayThread], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield make_gateway(profile="small", seed=7, speed=0.0, epoch=EPOCH)
    monkeypatch.undo()
    time.tzset()


def test_monitor_view_snapshot(frozen_gateway: DemoGatewayThread, snap_compare: Any) -> None:
    settings = Settings(url=frozen_gateway.url, secret=Secret(DEMO_SECRET), user="tester")

    async def jobs() -> Any:
        async with client_from_settings(settings) as client:
            found = await client.get_jobs(JobSearch(jobs=list(JOBS)))
        return sorted(found, key=lambda j: JOBS.index(j.name))

    app = MonitorApp(settings, asyncio.run(jobs()), interval=30.0, clock=lambda: FROZEN)

    async def ready(pilot: Any) -> None:
        for _ in range(200):
            if len(app.dead_lines) == 5 and all(app.layers.get(j) for j in app.monitor.job_ids):
                break
            await pilot.pause(0.05)
        app.render_jobs()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 26), run_before=ready)
