"""FarmTable.prerender draws the changed rows in view ahead of set_data without showing them early,
and what set_data then puts in place is what drawing those rows afresh gives (a mark set in between
is not lost)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cuetui.ui.widgets.farm_table import HEADER_HEIGHT, FarmTable
from tests.ui.test_farm_table import Item, columns


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FarmTable(columns(), lambda m: m.id, sort_column="name", id="t")


def _lines(table: FarmTable[Item], rows: int) -> list[list[object]]:
    return [list(table.render_line(y)) for y in range(HEADER_HEIGHT, HEADER_HEIGHT + rows)]


async def test_rows_drawn_ahead_are_the_rows_drawn_afresh() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 16)) as pilot:
        table = app.query_one(FarmTable)
        items = [Item(f"id{i}", f"item-{i:03d}", i % 10) for i in range(300)]
        table.set_data(items, 0)
        await pilot.pause()
        shown = table.shown_keys()[:10]
        # Every row changes, none moves (sorted by name): those in view are drawn ahead.
        changed = [item._replace(size=item.size + 1) for item in items]
        await table.prerender(changed, 0)
        assert set(table._predrawn) == set(table.shown_keys()[:15])  # the rows in view
        size_cell = 1 + table.visible_columns.index("size")
        assert [table.get_row(k)[size_cell].plain for k in shown] == [str(int(k[2:]) % 10) for k in shown]
        # A mark set before the update: that row's line drawn ahead is unmarked, so it is drawn again.
        table.move_to_key(shown[3])
        table.toggle_mark()
        table.set_data(changed, 0)
        in_place = set(table._lines)
        assert set(shown) - {shown[3]} <= in_place and shown[3] not in in_place
        ahead = _lines(table, 10)
        table._lines.clear()
        table._rendered.clear()
        table._dirty = set(table._models)
        assert ahead == _lines(table, 10)
        assert [table.get_row(k)[size_cell].plain for k in shown] == [str(int(k[2:]) % 10 + 1) for k in shown]


async def test_with_a_filter_the_rows_rendered_ahead_are_searched_as_set_data_would() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 16)) as pilot:
        table = app.query_one(FarmTable)
        items = [Item(f"id{i}", f"item-{i:03d}", i % 10) for i in range(400)]
        table.set_data(items, 0)
        await pilot.pause()
        table.set_filter("-1")
        # Half the rows are renamed: some now match the filter, some no longer do.
        changed = [item._replace(name=f"row-1{i:03d}") if i % 2 else item for i, item in enumerate(items)]
        await table.prerender(changed, 0)
        table.set_data(changed, 0)
        await pilot.pause()
        expected = sorted((item.name, item.id) for item in changed if "-1" in item.name)
        assert table.shown_keys() == [key for _name, key in expected]
