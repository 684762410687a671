"""Every column sorted by `s` (or `S`) shows the sort indicator in its own header cell, narrow numeric
columns included, at 80×24 and 160×48, on the jobs, hosts and shows screens."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.ui.conftest import make_app, wait_for, wait_loaded


def header_cells(table: Any) -> dict[str, str]:
    """Column key -> the header text as drawn (cut to the column's width)."""
    out = {}
    for column in table.ordered_columns:
        key = column.key.value
        if not key or key == "__mark__":
            continue
        drawn = column.label.plain
        out[key] = drawn[: column.get_render_width(table) - 2 * table.cell_padding]
    return out


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen_key", ["2", "3", "1"], ids=["jobs", "hosts", "shows"])
async def test_every_sorted_column_shows_the_indicator(
    small_gateway: DemoGatewayThread, size: tuple[int, int], screen_key: str
) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        if screen_key != "2":
            await pilot.press(screen_key)
            await wait_for(pilot, lambda: getattr(app.screen, "table", None) is not None)
            await wait_loaded(pilot)
        table = app.screen.table  # type: ignore[attr-defined]
        visible = list(table.visible_columns)
        seen = set()
        for _ in visible:
            await pilot.press("s")
            await pilot.pause()
            column = table.sort_column
            seen.add(column)
            drawn = header_cells(table)[column]
            assert drawn.rstrip().endswith(("▲", "▼")), f"{column}: {drawn!r}"
            others = [k for k, text in header_cells(table).items() if k != column and ("▲" in text or "▼" in text)]
            assert not others
            await pilot.press("S")
            await pilot.pause()
            flipped = header_cells(table)[column]
            assert flipped.rstrip()[-1] != drawn.rstrip()[-1], f"{column}: S did not flip {drawn!r}"
        assert seen == set(visible)
