"""FarmTable without a gateway: in-place updates, cursor kept by row id, filter, sort, marks, narrow widths."""

from __future__ import annotations

from typing import NamedTuple

from textual.app import App, ComposeResult

from cuetui.ui.widgets.farm_table import Column, FarmTable


class Item(NamedTuple):
    id: str
    name: str
    size: int


def name_and_size() -> list[Column[Item]]:
    """An item's name (flexible) and its size (right-aligned): the columns the table tests share."""
    return [
        Column("name", "Name", lambda m, c: c.text(m.name), lambda m: m.name, width=12, flex=True),
        Column("size", "Size", lambda m, c: c.text(str(m.size), justify="right"), lambda m: m.size, width=6),
    ]


def columns() -> list[Column[Item]]:
    return [
        *name_and_size(),
        Column("extra", "Extra", lambda m, c: c.text("x" * 10), lambda m: 0, width=30, priority=5),
    ]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FarmTable(columns(), lambda m: m.id, sort_column="name", id="t")


ITEMS = [Item(f"id{i}", f"item-{i:02d}", (i * 7) % 10) for i in range(20)]


async def test_updates_in_place_and_keeps_the_cursor_on_the_same_row() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data(ITEMS, 0)
        await pilot.pause()
        table.move_to_key("id5")
        await pilot.pause()
        assert table.cursor_key == "id5"
        cleared = []
        table.clear = lambda *a, **k: cleared.append(1)  # type: ignore[method-assign]
        # Rows above the cursor disappear and a changed row re-sorts: the cursor follows id5.
        changed = [i for i in ITEMS if i.id not in ("id0", "id1")]
        changed = [i._replace(name="aaa") if i.id == "id9" else i for i in changed]
        table.set_data(changed, 0)
        await pilot.pause()
        assert table.cursor_key == "id5"
        assert table.shown_keys()[0] == "id9"
        assert table.row_count == 18
        # Re-sorting keeps the cursor on the row too.
        table.sort_by("size", reverse=True)
        await pilot.pause()
        assert table.cursor_key == "id5"
        assert not cleared, "the table must never be cleared on a refresh"


async def test_a_changed_model_repaints_only_its_line() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data(ITEMS, 0)
        await pilot.pause()
        refreshed: list[int] = []
        original = table._refresh_row

        def spy(row: int) -> None:
            refreshed.append(row)
            original(row)

        table._refresh_row = spy  # type: ignore[method-assign]
        table.set_data([i._replace(size=99) if i.id == "id3" else i for i in ITEMS], 0)
        assert refreshed == [table.shown_keys().index("id3")]
        assert str(table.get_cell("id3", "size").plain) == "99"
        refreshed.clear()
        table.set_data([i._replace(size=99) if i.id == "id3" else i for i in ITEMS], 0)
        assert refreshed == []  # nothing changed, nothing repainted


async def test_an_in_place_change_is_painted_and_other_lines_stay_kept() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        table.move_cursor(row=0)
        table.set_data(ITEMS, 0)
        await pilot.pause()
        row = table.shown_keys().index("id3") + 1  # below the header
        assert "99" not in table.render_line(row).text
        kept = {key: table._lines[key] for key in table.shown_keys()[1:] if key in table._lines}
        assert len(kept) >= 10
        table.set_data([i._replace(size=99) if i.id == "id3" else i for i in ITEMS], 0)
        await pilot.pause()
        assert "99" in table.render_line(row).text
        # only the changed row was drawn again: the other rows kept the very lines drawn before
        again = {key: table._lines.get(key) for key in kept}
        assert [k for k in kept if again[k] is not kept[k]] == ["id3"]


async def test_filter_marks_and_selection() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data(ITEMS, 0)
        await pilot.pause()
        table.set_filter("ITEM-1")
        assert table.shown_count == 10
        assert all(table.model(k).name.startswith("item-1") for k in table.shown_keys())  # type: ignore[union-attr]
        table.move_cursor(row=0)
        table.toggle_mark()
        table.toggle_mark()
        assert [m.id for m in table.selected_models()] == ["id10", "id11"]
        table.set_filter("")
        assert table.shown_count == 20
        table.clear_marks()
        assert len(table.selected_models()) == 1


async def test_narrow_terminal_drops_high_priority_numbers_first() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data(ITEMS, 0)
        await pilot.pause()
        assert table.visible_columns == ["name", "size"]
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(FarmTable)
        await pilot.pause()
        assert table.visible_columns == ["name", "size", "extra"]


async def test_cells_are_text_never_markup() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data([Item("x", "[bold red]x[/]", 1), Item("y", "[@click=app.quit]", 2)], 0)
        await pilot.pause()
        assert table.get_cell("x", "name").plain == "[bold red]x[/]"
        assert table.get_cell("y", "name").plain == "[@click=app.quit]"


class LiveApp(App[None]):
    """A table with a clock-dependent column (minutes since `size`), 300 rows on a 20-line screen."""

    def compose(self) -> ComposeResult:
        cols = [
            Column("name", "Name", lambda m, c: c.text(m.name), lambda m: m.name, width=12),
            Column(
                "age", "Age", lambda m, c: c.text(f"{int(c.now // 60) - m.size}m"), lambda m: m.size, width=6, live=True
            ),
        ]
        yield FarmTable(cols, lambda m: m.id, sort_column="name", id="t")


async def test_the_minute_redraw_covers_the_rows_in_view_and_the_others_when_scrolled_to() -> None:
    app = LiveApp()
    items = [Item(f"id{i:03d}", f"item-{i:03d}", 0) for i in range(300)]
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(FarmTable)
        table.set_data(items, 0)
        await pilot.pause()
        assert table.get_cell("id000", "age").plain == "0m"
        table.set_data(items, 60)  # a new minute, nothing else changed
        await pilot.pause()
        assert table.get_cell("id000", "age").plain == "1m"  # on screen: redrawn at once
        redrawn = [k for k in table._rendered if k not in table._live_stale]
        assert 0 < len(redrawn) <= 20  # far below: not yet (only the rows in view cost anything)
        table.move_to_key("id299")
        await pilot.pause()
        assert "1m" in table.render_line(table.size.height - 1).text  # scrolled into view: redrawn
        assert "id150" not in table._rendered or "id150" in table._live_stale  # never in view: waiting
        table.set_filter("item-15")
        await pilot.pause()
        assert table.get_cell("id150", "age").plain == "1m"  # a filter brings every row up to date
        assert "1m" in table._haystack["id151"]
