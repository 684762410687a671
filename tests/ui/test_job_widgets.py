"""The frames table and the frame-state strip on their own: farm strings inert, unknown states as "?",
half-block cells, buckets that keep one dead frame visible among thousands."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cuetui.gateway.models import Frame
from cuetui.ui.app import CueTuiApp
from cuetui.ui.widgets.frame_strip import FrameStrip, bucket_states, plan, state_code
from cuetui.ui.widgets.frame_table import FrameTable


class TableApp(App[None]):
    CSS_PATH = CueTuiApp.CSS_PATH  # the states' colours

    def compose(self) -> ComposeResult:
        yield FrameTable(id="frames", clock=lambda: 1_767_225_600.0)
        yield FrameStrip(id="strip")


def line_text(table: FrameTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_farm_strings_and_unknown_states_render_as_plain_text() -> None:
    frames = {
        "a": Frame(id="a", name="[bold red]0001[/]-render", layer_name="[@click=q]", state="DEAD"),
        "b": Frame(id="b", name="0002-\x1b]0;pwn\x07render", layer_name="render", state="EXPLODED"),
    }
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(FrameTable)
        table.set_rows(["a", "b"], frames)
        await pilot.pause()
        first, second = line_text(table, 1), line_text(table, 2)
        assert "[bold red]0001[/]-render" in first and "[@click=q]" in first and "DEAD" in first
        assert "\x1b" not in second and "0002-render" in second and "?EXPLODED" in second
        await pilot.click(FrameTable, offset=(5, 1))
        assert app.is_running


async def test_cursor_stays_on_its_frame_when_rows_change() -> None:
    frames = {f"f{n}": Frame(id=f"f{n}", name=f"{n:04d}-render", state="WAITING") for n in range(100)}
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(FrameTable)
        table.set_rows(list(frames), frames)
        table.move_to("f50")
        await pilot.pause()
        table.set_rows([f"f{n}" for n in range(100) if n % 2 == 0], frames)
        assert table.cursor_id == "f50"
        table.set_rows(list(reversed(frames)), frames)
        assert table.cursor_id == "f50" and table.cursor == 49
        await pilot.press("down")
        assert table.cursor_id == "f49"  # the next row down in the new order


def test_buckets_keep_the_most_urgent_state() -> None:
    codes = bytes([state_code("SUCCEEDED")] * 999 + [state_code("DEAD")])
    assert bucket_states(codes, 1000) == bytes([state_code("DEAD")])
    mixed = bytes([state_code("SUCCEEDED"), state_code("RUNNING"), state_code("WAITING"), state_code("EATEN")])
    assert bucket_states(mixed, 2) == bytes([state_code("RUNNING"), state_code("WAITING")])
    assert bucket_states(bytes([state_code("WEIRD")]), 1) == bytes([state_code("WEIRD")])


def test_plan_fits_5000_frames_in_a_few_lines() -> None:
    assert plan(5000, 156, 4) == (5, 4)  # 5 frames per half cell, 4 lines at 160 columns
    assert plan(84, 156, 4) == (1, 1)
    assert plan(50_000, 78, 2) == (161, 2)


async def test_strip_draws_two_frames_per_cell_with_half_blocks() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        strip = app.query_one(FrameStrip)
        states = ["SUCCEEDED"] * 38 + ["DEAD"] * 38
        strip.set_states(states)
        await pilot.pause()
        line = strip.render_line(0)
        segments = list(line)
        assert "".join(s.text for s in segments) == "▀" * strip.size.width
        top, bottom = segments[0].style, segments[-1].style
        assert top is not None and bottom is not None
        assert top.color != top.bgcolor  # succeeded above, dead below
        assert strip.size.height == 1


async def test_a_loading_strip_lays_the_screen_out_again_only_when_it_grows_a_line() -> None:
    # A job loading page by page appends a thousand frames at a time; a layout of the whole screen
    # per page was most of a page's cost, though the strip's height changes only a few times.
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        strip = app.query_one(FrameStrip)
        layouts: list[int] = []
        refresh = strip.refresh

        def counting(*regions: object, layout: bool = False, **kwargs: object) -> object:
            if layout:
                layouts.append(len(strip.codes))
            return refresh(*regions, layout=layout, **kwargs)  # type: ignore[arg-type]

        strip.refresh = counting  # type: ignore[method-assign]
        for _ in range(50):
            strip.append_states(["WAITING"] * 1000)
            await pilot.pause()
        assert strip.size.height == strip.max_lines  # 50 000 frames fill every line
        assert 1 <= len(layouts) <= strip.max_lines  # once per new line, not once per page
        rendered = "".join(segment.text for segment in strip.render_line(strip.max_lines - 1))
        assert rendered == "▀" * strip.size.width  # the last line is drawn with the new frames


async def test_strip_without_colour_uses_one_glyph_per_frame(monkeypatch: object) -> None:
    import os

    os.environ["NO_COLOR"] = "1"
    try:
        app = TableApp()
    finally:
        del os.environ["NO_COLOR"]
    async with app.run_test(size=(40, 10)) as pilot:
        strip = app.query_one(FrameStrip)
        strip.set_states(["SUCCEEDED", "RUNNING", "DEAD", "WAITING", "MYSTERY"])
        await pilot.pause()
        text = "".join(s.text for s in strip.render_line(0))
        assert text.startswith("=>X·?")


async def test_frames_sort_on_the_engine_with_ties_in_frame_order_both_ways() -> None:
    # Equal sort values keep frame order (the tie), reversed too, as the screen's stable sort did.
    frames = {
        f"f{n}": Frame(id=f"f{n}", name=f"{n:04d}-render", state="DEAD" if n % 3 else "WAITING") for n in range(9)
    }
    order = list(frames)
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(FrameTable)
        table.tie = order.index
        table.set_rows(order, frames)
        await pilot.pause()
        table.set_sort("state", False)
        assert table.rows == ["f1", "f2", "f4", "f5", "f7", "f8", "f0", "f3", "f6"]
        table.set_sort("state", True)
        assert table.rows == ["f0", "f3", "f6", "f1", "f2", "f4", "f5", "f7", "f8"]
        assert "state ▼" in line_text(table, 0)
        # a changed frame moves to its place by bisection, the tie still holding
        table.append_data([Frame(id="f4", name="0004-render", state="WAITING")], 0)
        assert table.rows == ["f0", "f3", "f4", "f6", "f1", "f2", "f5", "f7", "f8"]
        table.set_sort("", False)
        assert table.rows == order


def dead_and_waiting(count: int) -> dict[str, Frame]:
    """`count` frames by id, the odd ones DEAD, the even ones WAITING."""
    return {
        f"f{n}": Frame(id=f"f{n}", name=f"{n:04d}-render", state="DEAD" if n % 2 else "WAITING") for n in range(count)
    }


async def test_frames_filtered_by_the_screens_where_keep_nothing_per_row() -> None:
    frames = dead_and_waiting(10)
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(FrameTable)
        table.set_rows(list(frames), frames)
        await pilot.pause()
        table.move_to("f2")
        await pilot.press("down")  # the cursor on f3
        table.toggle_mark()  # f3 marked
        assert table.marked == {"f3"} and table._shown is None  # no set of keys while nothing filters
        table.set_where(lambda frame: frame.state == "WAITING")
        assert table.rows == ["f0", "f2", "f4", "f6", "f8"]
        assert table.marked == set()  # a frame filtered out loses its mark, as before
        table.set_filter("0006")
        assert table.rows == ["f6"]
        table.set_where(None)
        table.set_filter("")
        assert len(table.rows) == 10 and table._shown is None
        assert not table._rendered and not table._dirty and not table._haystack  # lines drawn from the frames


async def test_a_resize_lays_the_frames_out_again_without_sorting_them_again() -> None:
    frames = dead_and_waiting(20)
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(FrameTable)
        table.tie = list(frames).index
        table.set_rows(list(frames), frames)
        table.set_sort("state", True)
        await pilot.pause()
        rows, shown = table.rows, table.visible_columns
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        assert table.visible_columns != shown  # laid out again: fewer columns
        assert table.rows is rows  # the same order, not sorted again
        assert "state ▼" in line_text(table, 0) and line_text(table, 1).split()[0] == "0000-render"
