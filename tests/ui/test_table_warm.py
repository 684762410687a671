"""FarmTable renders the rows not yet rendered while idle, a few at a time within a time budget, until
every row's cells are those of its current model (rows that left along the way are dropped)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from cuetui.ui.widgets import farm_table
from cuetui.ui.widgets.farm_table import FarmTable
from tests.ui.test_farm_table import Item, columns
from tests.waiting import wait_for_app


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FarmTable(columns(), lambda m: m.id, sort_column="name", id="t")


async def test_every_row_is_rendered_while_idle_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(farm_table, "WARM_BUDGET", 0.0)  # one row a turn: many slices
    monkeypatch.setattr(farm_table, "WARM_DELAY", 0.001)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        first = [Item(f"id{i}", f"item-{i:04d}", i % 10) for i in range(600)]
        table.set_data(first, 0)
        await pilot.pause()
        # Before the first rows are all rendered: half of them leave, the others change.
        second = [item._replace(name=item.name + "-b") for item in first[::2]]
        table.set_data(second, 0)
        await wait_for_app(pilot, lambda: not table._dirty, 60, "every row rendered")
        assert {key: cells[0].plain for key, cells in table._rendered.items() if key in table._models} == {
            item.id: item.name for item in second
        }
