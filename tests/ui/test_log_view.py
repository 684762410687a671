"""LogView on its own: where it opens when its text is replaced, and that it keeps to the end as lines
arrive, without waiting on a layout it could race."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cuetui.ui.widgets.log_view import LogView


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(id="log")


def many(n: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {i:05d}" for i in range(n)]


async def test_set_lines_is_at_the_end_at_once_even_before_the_view_knows_it_can_scroll() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        view.set_lines(["a short message"])
        await pilot.pause()
        assert not view.show_vertical_scrollbar
        # The view was laid out with nothing to scroll: the end must be reached now, not after a refresh.
        view.set_lines(many(5000))
        assert view.at_end and view.scroll_y > 0
        await pilot.pause()
        assert view.at_end and view.max_scroll_y > 0
        assert "line 04999" in "".join(seg.text for seg in view.render_line(view.size.height - 1))


async def test_a_scroll_right_after_new_lines_is_not_lost() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        await pilot.pause()
        view.set_lines(many(1000))
        view.scroll_to(y=1, animate=False, immediate=True)  # before any layout saw the new lines
        assert view.scroll_y == 1
        await pilot.pause()
        assert view.scroll_y == 1  # the user's position, not the pinned end
        view.show_line(500)
        assert view.scroll_y > 400


async def test_set_lines_in_a_batch_still_ends_at_the_end() -> None:
    # Inside a batch the screen skips its layout but still runs after-refresh callbacks: a scroll
    # deferred that way lands before the view knows it can scroll.
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        await pilot.pause()
        with app.batch_update():
            view.set_lines(many(3000))
            await pilot.pause()
        await pilot.pause()
        assert view.at_end and view.max_scroll_y > 0


async def test_set_lines_before_the_first_layout_opens_at_the_end() -> None:
    class EarlyApp(ViewApp):
        def on_mount(self) -> None:
            self.query_one(LogView).set_lines(many(2000))

    app = EarlyApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(LogView)
        assert view.at_end and view.max_scroll_y > 0


async def test_appended_lines_are_followed_only_from_the_end() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        view.set_lines(many(100))
        await pilot.pause()
        view.append(many(50, "new"))
        await pilot.pause()
        assert view.at_end and view.lines[-1] == "new 00049"
        view.scroll_to(y=10, animate=False, immediate=True)
        view.append(many(50, "later"))
        await pilot.pause()
        assert view.scroll_y == 10  # the user scrolled away: the view stays where they are
        view.scroll_end(animate=False, immediate=True)
        view.append(["last"])
        await pilot.pause()
        assert view.at_end


async def test_set_lines_at_the_start_shows_the_first_line() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        view.set_lines(many(500))
        await pilot.pause()
        view.set_lines(["cannot read", "because"], notice=True, at_end=False)
        await pilot.pause()
        assert view.scroll_y == 0
        view.set_lines(many(500), at_end=False)
        await pilot.pause()
        assert view.scroll_y == 0
