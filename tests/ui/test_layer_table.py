"""The job screen's layers table on its own: every column at 120 columns, the least needed dropped
when narrow, a sideways scroll when even the essential ones do not fit, the job row first."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from cuetui.gateway.models import Job, JobStats, Layer, LayerStats
from cuetui.ui.widgets.layer_table import ALL_LAYERS, LAYER_COLUMNS, LayerTable

LAYERS = [
    Layer(
        id=f"l{i}",
        name=name,
        type=kind,
        services=("arnold",),
        min_cores=4,
        min_memory=8 * 1024 * 1024,
        dispatch_order=i,
        layer_stats=LayerStats(total_frames=50_000, succeeded_frames=12_345, running_frames=120, dead_frames=i),
    )
    for i, (name, kind) in enumerate([("beauty_lighting_v3", "RENDER"), ("preflight", "UTIL"), ("comp", "POST")])
]
JOB = Job(id="j", name="job", job_stats=JobStats(total_frames=150_000, succeeded_frames=37_035, dead_frames=3))


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LayerTable(id="layers")


def row_text(table: LayerTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


@pytest.mark.parametrize("width", [120, 160])
async def test_every_column_is_readable_at_120_and_wider(width: int) -> None:
    app = TableApp()
    async with app.run_test(size=(width, 10)) as pilot:
        table = app.query_one(LayerTable)
        table.set_layers(LAYERS, JOB, 0.0)
        await pilot.pause()
        assert table.visible_columns == [c.key for c in LAYER_COLUMNS]
        assert table.max_scroll_x == 0  # nothing off to the side
        header = row_text(table, 0)
        for label in ("layer", "type", "services", "run", "dead", "avg", "high", "cores", "mem"):
            assert f" {label}" in header
        first = row_text(table, 2)  # the job row comes first, then the layers in dispatch order
        assert "beauty_lighting_v3" in first and "8.0G" in first and "arnold" in first


async def test_narrow_drops_the_least_needed_columns_and_keeps_the_job_row_first() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(LayerTable)
        table.set_layers(LAYERS, JOB, 0.0)
        await pilot.pause()
        shown = table.visible_columns
        assert {"name", "progress", "running", "waiting", "dead"} <= set(shown)
        assert "services" not in shown and "type" not in shown
        assert table.max_scroll_x == 0
        table.sort_by("dead")  # most dead first, the job row still on top
        await pilot.pause()
        assert table.shown_keys()[0] == ALL_LAYERS
        assert table.shown_keys()[1:] == ["l2", "l1", "l0"]


async def test_too_narrow_even_for_the_essential_columns_scrolls_sideways() -> None:
    app = TableApp()
    async with app.run_test(size=(24, 10)) as pilot:
        table = app.query_one(LayerTable)
        table.set_layers(LAYERS, JOB, 0.0)
        await pilot.pause()
        assert table.max_scroll_x > 0
        table.focus()
        await pilot.press("right", "right")
        assert table.scroll_x > 0
