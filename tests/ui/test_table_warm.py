"""FarmTable makes the text the filter searches for the rows that have none yet while idle, a few at a
time within a time budget, and only while its screen is shown; it keeps rendered cells and drawn lines
for the rows last drawn only (a few screenfuls), never for every row of the table."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from cuetui.ui.widgets import farm_table
from cuetui.ui.widgets.farm_table import Column, FarmTable
from tests.ui.test_farm_table import Item, columns
from tests.waiting import wait_for_app


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FarmTable(columns(), lambda m: m.id, sort_column="name", id="t")


class Cover(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("another screen")


async def test_every_rows_search_text_is_made_while_idle_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(farm_table, "WARM_BUDGET", 0.0)  # one row a turn: many slices
    monkeypatch.setattr(farm_table, "WARM_DELAY", 0.001)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        first = [Item(f"id{i}", f"item-{i:04d}", i % 10) for i in range(600)]
        table.set_data(first, 0)
        await pilot.pause()
        # Before the first rows are all made: half of them leave, the others change.
        second = [item._replace(name=item.name + "-b") for item in first[::2]]
        table.set_data(second, 0)
        await wait_for_app(pilot, lambda: not table._dirty, 60, "every row's search text made")
        assert {key: text.split("\x00")[0] for key, text in table._haystack.items()} == {
            item.id: item.name for item in second
        }
        # Only the rows drawn have their cells kept, each of its current model.
        assert 0 < len(table._rendered) <= table._cache_rows() < len(second)
        assert all(cells[0].plain == table._models[key].name for key, cells in table._rendered.items())


async def test_cells_and_lines_are_kept_for_the_rows_last_drawn_only() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        items = [Item(f"id{i:04d}", f"item-{i:04d}", i % 10) for i in range(2_000)]
        table.set_data(items, 0)
        await wait_for_app(pilot, lambda: not table._dirty, 60, "every row's search text made")
        bound = table._cache_rows()
        assert bound < 200  # a few screenfuls of a 30-line screen
        assert len(table._rendered) <= bound and len(table._lines) <= bound
        # Paging through every row keeps no more, and the rows in view are drawn right.
        for _ in range(2_000 // 25):
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_key == "id1999"
        assert len(table._rendered) <= bound and len(table._lines) <= bound
        assert "item-1998" in table.render_line(table.scrollable_content_region.height - 2).text
        # The filter finds the rows whose cells are no longer kept as the rows drawn: by their shown text.
        assert "id0005" not in table._rendered
        table.set_filter("ITEM-000")
        assert table.shown_keys() == [f"id{i:04d}" for i in range(10)]
        table.set_filter("xxxxxxxxxx")  # the Extra column's text, in every row
        assert table.row_count == 2_000
        table.set_filter("")
        assert len(table._rendered) <= bound


async def test_the_warm_up_waits_while_another_screen_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(farm_table, "WARM_DELAY", 0.001)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        await app.push_screen(Cover())
        await pilot.pause()
        table.set_data([Item(f"id{i}", f"item-{i:04d}", i % 10) for i in range(600)], 0)
        await wait_for_app(pilot, lambda: table._warm_waits, 30, "the warm-up waiting for its screen")
        waiting = len(table._dirty)
        assert waiting == 600
        for _ in range(5):
            await pilot.pause(0.01)
        assert len(table._dirty) == waiting  # hidden: nothing made
        app.pop_screen()
        await wait_for_app(pilot, lambda: not table._dirty, 60, "every row's search text made once shown")
        assert not table._warm_waits
        assert len(table._haystack) == 600


class LiveCompactApp(App[None]):
    """A compact table with a name cut in the middle when long and a clock-dependent column."""

    def compose(self) -> ComposeResult:
        cols = [
            Column("name", "Name", lambda m, c: c.text(m.name), lambda m: m.name, width=8, cut_middle=True),
            Column(
                "age", "Age", lambda m, c: c.text(f"{int(c.now // 60) - m.size}m"), lambda m: m.size, width=5, live=True
            ),
        ]
        yield FarmTable(cols, lambda m: m.id, sort_column="name", compact=True, id="t")


async def test_the_filter_matches_each_rows_whole_text_as_shown_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(farm_table, "WARM_DELAY", 0.001)
    app = LiveCompactApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        items = [Item(f"id{i:03d}", f"a-long-name-{i:03d}-end", i % 7) for i in range(500)]
        table.set_data(items, 0)
        await wait_for_app(pilot, lambda: not table._dirty, 60, "every row's search text made")
        table.set_data(items, 3 * 60)  # three minutes on: every age moves, on screen or not

        def expected(needle: str, minute: int) -> set[str]:
            return {m.id for m in items if needle in m.name or needle in f"{minute - m.size}m"}

        for needle in ("name-04", "-end", "3m", "0m", "1-end"):
            table.set_filter(needle)
            assert set(table.shown_keys()) == expected(needle, 3), needle
        assert len(table._rendered) <= table._cache_rows() < len(items)
