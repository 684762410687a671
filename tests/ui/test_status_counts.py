"""The status bar's counts never cut a part in the middle: a number left beside the next segment read as
"· 1 updated 00:10:00" (a marked job) or "· 371 updated" (paused jobs on `huge`)."""

from __future__ import annotations

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.widgets.status_bar import COUNTS_SEPARATOR, fit_counts
from tests.ui.conftest import make_app, wait_for, wait_loaded


def test_fit_counts_keeps_whole_parts() -> None:
    text = "5000/5000 jobs · 1234 with dead · 371 paused"
    assert fit_counts(text, 60) == text
    assert fit_counts(text, 40) == "5000/5000 jobs · 1234 with dead"
    assert fit_counts("1/1 jobs · 12345678901234567890 with dead · 3 paused", 20) == "1/1 jobs · 3 paused"
    assert fit_counts("a very long first part", 10) == "a very lo…"


async def test_marked_jobs_are_counted_whole_in_the_status_bar(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await pilot.press("space")
        segment = screen.query_one("#status-counts")
        full = screen.counts(screen.table)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: "marked" in segment.text)
        assert len(full) > segment.size.width, "the test needs counts that do not fit"
        drawn = segment.render().plain
        assert len(drawn) <= segment.size.width
        parts = full.split(COUNTS_SEPARATOR)
        assert all(part in parts for part in drawn.split(COUNTS_SEPARATOR)), drawn
        assert "1 marked" in drawn
