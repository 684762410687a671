"""The jobs screen's status counts (jobs with dead frames, paused jobs), kept from poll to poll by
counting only the jobs that changed, equal a count of every job in the table after each poll."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import make_app, wait_for, wait_loaded


async def test_the_dead_and_paused_counts_follow_each_poll(make_gateway: Any) -> None:
    gateway = make_gateway(profile="studio", seed=7, speed=0.0)
    app = make_app(gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen: Any = app.screen
        table = screen.table

        def recounted() -> str:
            jobs = table.models()
            dead = sum(1 for j in jobs if j.stats.dead_frames)
            paused = sum(1 for j in jobs if j.is_paused)
            text = f"{table.shown_count}/{table.total_count} jobs"
            return text + (f" · {dead} with dead" if dead else "") + (f" · {paused} paused" if paused else "")

        assert "with dead" in recounted()  # the farm has jobs with dead frames: the test needs them
        assert screen.counts(table) == recounted()
        job = next(j for j in table.models() if not j.is_paused)
        table.move_to_key(job.id)
        await pilot.press("p")
        await wait_for(pilot, lambda: gateway.run(lambda farm: farm.jobs_by_id[job.id].is_paused), what="paused")
        await wait_for(pilot, lambda: table.model(job.id).is_paused, what="the row to say paused")
        assert "paused" in recounted()
        assert screen.counts(table) == recounted()
        segment = screen.query_one("#status-counts")
        await wait_for(pilot, lambda: recounted() in segment.text, what="the status bar's counts")
