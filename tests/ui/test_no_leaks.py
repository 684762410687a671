"""Screens opened and closed all day (a job, its frame log) leave nothing behind: the app forgets their
status bars and the screens are freed. The soak (`python -m bench.soak`) found RSS growing by the size
of a job screen each time one was closed."""

from __future__ import annotations

import gc
import time
import weakref
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from tests.ui.conftest import make_app, wait_for, wait_loaded


async def test_closed_job_screens_are_freed(frozen_gateway: DemoGatewayThread) -> None:
    from cuetui.ui.screens.job import JobScreen  # type: ignore[import-not-found,unused-ignore]

    app = make_app(frozen_gateway.url)
    closed: list[weakref.ref[Any]] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        bars = len(app.services.status_bars)
        for _ in range(3):
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="the job screen")
            screen = app.screen
            await wait_for(pilot, lambda s=screen: len(s.frames_table.rows) > 0, what="frames")  # type: ignore[attr-defined]
            closed.append(weakref.ref(screen))
            del screen
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobScreen), what="the jobs screen")
        await wait_for(
            pilot, lambda: len(app.services.status_bars) == bars, what="the closed screens' status bars gone"
        )
        # A timer scheduled from a screen's worker holds it until the timer fires: allow for that.
        collected = [0.0]

        def freed() -> bool:
            if time.monotonic() - collected[0] >= 0.25:  # a full collection is costly: not every 20 ms
                gc.collect()
                collected[0] = time.monotonic()
            return all(ref() is None for ref in closed)

        await wait_for(pilot, freed, what="freed")
