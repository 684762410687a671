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


def test_elapsed_changes_rarely() -> None:
    """The jobs' Elapsed column, to two figures, rounded down."""
    from cuetui.ui.widgets.cells import elapsed_duration

    assert [elapsed_duration(s) for s in (None, -1, 30, 299, 300, 1799, 3599)] == [
        "",
        "",
        "<5m",
        "<5m",
        "5m",
        "25m",
        "55m",
    ]
    assert [elapsed_duration(s) for s in (3600, 3959, 13320, 35999)] == ["1.0h", "1.0h", "3.7h", "9.9h"]
    assert [elapsed_duration(s) for s in (36000, 86399)] == ["10h", "23h"]
    assert elapsed_duration(2 * 86400 + 18 * 3600) == "2d18h"
    # over its first day a job's Elapsed changes 116 times, not 1 440
    texts = {elapsed_duration(m * 60) for m in range(24 * 60)}
    assert len(texts) == 12 + 90 + 14
