"""The action dialogs on their own: y/n/escape, priority refused in the dialog, kill reason non-empty."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, PriorityDialog, name_list


class Host(App[None]):
    """An empty app that records what each dialog returned."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def ask(self, dialog: Any) -> None:
        self.push_screen(dialog, self.answers.append)


async def test_confirm_y_n_escape() -> None:
    app = Host()
    async with app.run_test() as pilot:
        for key, expected in (("y", True), ("n", False), ("escape", False)):
            app.ask(ConfirmDialog("Eat 3 frames of job x?"))
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert app.answers[-1] is expected
        # Other keys do nothing: the dialog stays until y, n or escape.
        app.ask(ConfirmDialog("Kill?"))
        await pilot.pause()
        await pilot.press("x", "enter", "space")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("abc", "whole number"),
        ("", "whole number"),
        ("-5", "from 0 to 1,000,000"),
        ("1000001", "from 0 to 1,000,000"),
        ("12.5", "whole number"),
    ],
)
async def test_priority_refused_in_the_dialog(typed: str, message: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        dialog = PriorityDialog(["testing-sh010-jdoe_lighting_v003"], 100)
        app.ask(dialog)
        await pilot.pause()
        assert dialog.query_one(Input).value == "100"
        await pilot.press("backspace", *typed, "enter")
        await pilot.pause()
        assert app.screen is dialog and app.answers == []
        assert message in dialog.error_text
        # Typing again clears the message; a good value closes the dialog with the number.
        await pilot.press("home", "ctrl+k", *" 250 ", "enter")
        await pilot.pause()
        assert app.answers == [250]


async def test_priority_escape_cancels() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask(PriorityDialog(["a", "b"], None))
        await pilot.pause()
        assert "2 jobs: a, b" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("7", "escape")
        await pilot.pause()
        assert app.answers == [None]


async def test_kill_reason_prefilled_editable_and_never_empty() -> None:
    app = Host()
    async with app.run_test() as pilot:
        dialog = KillReasonDialog("job x", "Manual kill by tester from cuetui")
        app.ask(dialog)
        await pilot.pause()
        await pilot.press("backspace", *"   ", "enter")
        await pilot.pause()
        assert "needs a reason" in dialog.error_text and app.answers == []
        await pilot.press("home", "ctrl+k", *"wrong frame range", "enter")
        await pilot.pause()
        assert app.answers == ["wrong frame range"]


def test_name_list_is_short_and_safe() -> None:
    assert name_list(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert name_list(["\x1b]52;c;AAAA\x07[bold]x[/]"]) == "[bold]x[/]"
