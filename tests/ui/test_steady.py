"""SteadyStatic: an update with what is already shown repaints nothing (bench/bench_idle.py)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from cuetui.ui.widgets.steady import SteadyStatic


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield SteadyStatic(Text("frames 239", style="bold"), id="line")


async def test_same_content_does_not_repaint() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        line = app.query_one("#line", SteadyStatic)
        refreshes: list[Any] = []
        original = line.refresh

        def counting_refresh(*args: Any, **kwargs: Any) -> Any:
            refreshes.append(kwargs)
            return original(*args, **kwargs)

        line.refresh = counting_refresh  # type: ignore[method-assign]
        line.update(Text("frames 239", style="bold"))  # an equal Text, another object
        assert refreshes == []
        line.update(Text("frames 240", style="bold"))
        assert len(refreshes) == 1
        line.update(Text("frames 240", style="italic"))  # same words, another look
        assert len(refreshes) == 2
        line.update("frames 240")
        line.update("frames 240")
        assert len(refreshes) == 3
        await pilot.pause()
        assert "frames 240" in str(line.render())
