"""The table engine's own checks: rows bisected into the kept order end where a full sort puts them,
only the lines in view are drawn, the cursor follows its key, and a cell's segments are rich's."""

from __future__ import annotations

import random
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from cuetui.ui.widgets.farm_table import Column, FarmTable
from cuetui.ui.widgets.table_cells import cell_segments, reference_segments
from tests.ui.test_farm_table import Item, name_and_size
from tests.waiting import wait_for_app


def columns() -> list[Column[Item]]:
    return name_and_size()


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FarmTable(columns(), lambda m: m.id, sort_column="size", pinned=("total",), id="t")


def expected(items: dict[str, Item], needle: str, reverse: bool) -> list[str]:
    """What a full filter and sort shows: the pinned row first, then by (size, key)."""
    keys = [k for k, m in items.items() if not needle or needle in f"{m.name}\x00{m.size}".lower()]
    rest = sorted((k for k in keys if k != "total"), key=lambda k: (items[k].size, k), reverse=reverse)
    return (["total"] if "total" in keys else []) + rest


async def test_incremental_updates_keep_the_order_a_full_sort_gives() -> None:
    rng = random.Random(7)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        items = {f"id{i:03d}": Item(f"id{i:03d}", f"item-{i % 37}", rng.randrange(50)) for i in range(300)}
        items["total"] = Item("total", "all", 0)
        table.set_data(list(items.values()), 0)
        await pilot.pause()
        sorted_again: list[int] = []
        full_sort = table._sync

        def counting(*args: object) -> None:
            sorted_again.append(1)
            full_sort(*args)  # type: ignore[arg-type]

        table._sync = counting  # type: ignore[method-assign]
        for step in range(40):
            if step == 15:
                assert not sorted_again, "small polls must be bisected in, not sorted again"
                table.set_filter("item-1")
                sorted_again.clear()
            for key in rng.sample(sorted(items), 5):
                if key != "total":
                    items[key] = items[key]._replace(size=rng.randrange(50))
            for key in rng.sample(sorted(k for k in items if k != "total"), 2):
                del items[key]
            for _ in range(2):
                key = f"new{step}-{rng.randrange(1000)}"
                items[key] = Item(key, f"item-{rng.randrange(37)}", rng.randrange(50))
            cursor = table.cursor_key
            table.set_data(list(items.values()), 0)
            assert table.shown_keys() == expected(items, table.filter_text, reverse=False)
            if cursor in table.shown_keys():
                assert table.cursor_key == cursor
        assert not sorted_again, "small polls must be bisected in, not sorted again"
        table.sort_by("size", reverse=True)
        assert table.shown_keys() == expected(items, table.filter_text, reverse=True)
        table.set_data([m._replace(size=m.size + 1) if i % 3 == 0 else m for i, m in enumerate(items.values())], 0)


async def test_only_the_lines_in_view_are_drawn() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        # The rows turned into lines (not the line cache, which a style update empties: Textual 6.2 to 7.4
        # send one right after the first paint).
        drawn: set[str] = set()
        draw = table._draw

        def counting(key: str | None, *args: Any, **kwargs: Any) -> Strip:
            if key is not None:
                drawn.add(key)
            return draw(key, *args, **kwargs)

        table._draw = counting  # type: ignore[method-assign]
        table.set_data([Item(f"id{i:05d}", f"item-{i}", i) for i in range(20_000)], 0)
        assert not table._rendered  # the poll renders nothing: rows are rendered when drawn
        await pilot.pause()
        assert table.row_count == 20_000
        assert 0 < len(drawn) <= 20  # a screenful, not 20 000
        # The others' search text is made while the app is idle, a few at a time, for the filter; their
        # cells are not kept (only those of the rows drawn, a few screenfuls at most).
        await wait_for_app(pilot, lambda: not table._dirty, timeout=60, what="every row's search text made")
        assert len(table._haystack) == 20_000
        assert len(table._rendered) <= table._cache_rows() < 1_000
        table.move_to_key("id15000")
        await pilot.pause()
        assert table.cursor_key == "id15000"
        assert "item-15000" in table.render_line(table.scrollable_content_region.height - 1).text


async def test_enter_and_a_click_on_the_cursor_row_select_it() -> None:
    selected: list[str | None] = []

    class Selecting(TableApp):
        def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
            selected.append(event.key)

    app = Selecting()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data([Item(f"id{i}", f"item-{i}", i) for i in range(5)], 0)
        table.focus()
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert selected == ["id1"]
        await pilot.click(FarmTable, offset=(3, 3))  # the header, then id0, id1: row 2
        await pilot.pause()
        assert table.cursor_key == "id2" and selected == ["id1"]
        await pilot.click(FarmTable, offset=(3, 3))
        await pilot.pause()
        assert selected == ["id1", "id2"]
        await pilot.click(FarmTable, offset=(3, 0))  # the Name header: sort by name
        await pilot.pause()
        assert table.sort_column == "name"


def test_a_cells_segments_are_the_ones_richs_renderer_gives() -> None:
    console = Console(width=200)
    rng = random.Random(3)
    styles = [Style(), Style(color="red"), Style(bold=True, bgcolor="blue"), Style(dim=True)]
    for i in range(2000):
        plain = "".join(rng.choice("abc XYZ-_.0123456789") for _ in range(rng.randrange(21)))
        if i % 50 == 0:
            plain = "名前ab"  # wide characters take rich's own path
        cell = Text(
            plain,
            style=rng.choice(styles),
            justify=rng.choice(["left", "right", "default", None]),
            overflow=rng.choice(["ellipsis", "crop", "fold", None]),
            end="",
            no_wrap=rng.choice([True, None]),
        )
        if plain and rng.random() < 0.5:
            cell.stylize(rng.choice(styles), 0, rng.randrange(1, len(plain) + 1))
        width, padding = rng.randrange(1, 17), rng.choice([0, 1])
        pre = rng.choice(styles) + Style(bgcolor="black") + Style.from_meta({"column": i % 5})
        post = rng.choice([Style(), Style(color="yellow", bgcolor="green")])
        assert cell_segments(console, cell, width, padding, pre, post) == reference_segments(
            console, cell, width, padding, pre, post
        ), (plain, width, padding)


async def test_rows_appended_page_by_page_are_merged_in_without_sorting_everything_again() -> None:
    rng = random.Random(11)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        await pilot.pause()
        items: dict[str, Item] = {}
        sorted_again: list[int] = []
        full_sort = table._sync

        def counting(*args: object) -> None:
            sorted_again.append(1)
            full_sort(*args)  # type: ignore[arg-type]

        for page in range(30):
            batch = [Item(f"p{page:02d}-{i:03d}", f"item-{rng.randrange(37)}", rng.randrange(80)) for i in range(50)]
            if page == 0:
                batch.append(Item("total", "all", 0))
            if page == 20:
                batch.append(items["p03-007"]._replace(size=999))  # a row seen before, changed
            items.update((m.id, m) for m in batch)
            if page == 10:
                table.set_filter("item-2")
            if page == 15:
                table.sort_by("size", reverse=True)
            if page == 1:
                table._sync = counting  # type: ignore[method-assign]
            if page in (12, 25):
                table.move_to_key(table.shown_keys()[3])
            cursor = table.cursor_key
            table.append_data(batch, 0)
            assert table.shown_keys() == expected(items, table.filter_text, reverse=table.sort_reverse), page
            assert table.total_count == len(items)
            if page > 1 and cursor is not None:
                assert table.cursor_key == cursor, page
        assert len(sorted_again) == 1, "only the new filter sorts again (reversed, the order reads backwards): no page"


async def test_rows_appended_in_the_models_order_stay_in_it() -> None:
    class Unsorted(App[None]):
        def compose(self) -> ComposeResult:
            yield FarmTable(columns(), lambda m: m.id, sort_column="_arrival", id="t")

    app = Unsorted()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        await pilot.pause()
        keys: list[str] = []
        for page in range(5):
            batch = [Item(f"k{(page * 7919 + i * 31) % 1000:04d}", f"name-{page}-{i}", i) for i in range(20)]
            keys.extend(m.id for m in batch)
            table.append_data(batch, 0)
        await pilot.pause()
        assert table.shown_keys() == keys
        assert table.row_count == 100 and "name-0-0" in table.render_line(1).text
