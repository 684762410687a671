"""The triage screen's log tail panel."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cuetui.farm.log_tail import TailRead
from cuetui.ui.widgets.log_tail import LogTail

TAIL = TailRead(lines=("starting", "ERROR: Segmentation fault", "done"), error_index=1, path="/logs/x.rqlog")


async def test_a_read_that_ends_while_the_panel_is_torn_down_is_shown_nowhere() -> None:
    """A log read can finish as the app quits and the panel's parts are removed: no error then."""

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogTail(id="log-tail")

    app = One()
    async with app.run_test(size=(80, 20)) as pilot:
        panel = app.query_one(LogTail)
        panel.show_tail("newest of 3", TAIL)
        await pilot.pause()
        assert "Segmentation fault" in str(app.query_one("#log-tail-text").render())
        await panel.remove_children()  # as when the app tears the panel down
        panel.show_tail("newest of 3", TAIL)
        panel.show_message("newest of 3", "reading...")
        assert panel.shown is None
