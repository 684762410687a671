"""Dialogs of the remedies on procs and hosts: a pick from a few choices (unbook: let the frame finish
or kill it; hardware state; an allocation), one line checked by a function (tags; a host name typed to
confirm a reboot), and a host's comments with a line to add one. Farm text is rendered as `Text`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cuetui.farm.text import safe
from cuetui.ui.widgets.dialogs import _InputDialog, safe_lines


class ChoiceDialog(ModalScreen[str | None]):
    """`question` and a list of (value, label) choices: enter (or the choice's number) picks one,
    escape cancels (None)."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "cancel", id="dialog.cancel"),
        *[Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)],
    ]

    def __init__(self, question: str, choices: Sequence[tuple[str, str]], *, title: str, current: str = "") -> None:
        super().__init__(classes="steer-dialog")
        self.question = question
        self.choices = list(choices)
        self.dialog_title = title
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = self.dialog_title
            yield Static(Text(safe_lines(self.question)), id="dialog-question")
            options = [
                Option(Text(f"{k + 1 if k < 9 else ' '} {safe(label, 60)}"), id=str(k))
                for k, (_value, label) in enumerate(self.choices)
            ]
            yield OptionList(*options, id="dialog-choices")
            yield Static(Text("enter or 1-9 choose · escape cancel"), id="dialog-keys")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        values = [value for value, _ in self.choices]
        choices.highlighted = values.index(self.current) if self.current in values else 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(int(event.option.id or 0))

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.dismiss(self.choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class LineDialog(_InputDialog):
    """One line, accepted by `check` (which returns the value, or raises ValueError with a message)."""

    def __init__(
        self, question: str, check: Callable[[str], Any], *, title: str, value: str = "", keys: str = ""
    ) -> None:
        super().__init__(question, value, title=title)
        self.check = check
        if keys:
            self.KEYS_TEXT = keys

    def validate_value(self, text: str) -> Any:
        return self.check(text)


class CommentsDialog(ModalScreen[tuple[str, str] | None]):
    """A host's comments, oldest first, and two lines to add one: enter on the message adds it
    (subject, message); escape closes without adding."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "close", id="dialog.cancel"),
    ]

    def __init__(self, what: str, comments: Sequence[tuple[str, str, str]], default_subject: str = "") -> None:
        super().__init__(classes="steer-dialog")
        self.what = what
        self.comments = list(comments)  # (user, subject, message)
        self.default_subject = default_subject

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = "Comments"
            listing = Text()
            listing.append(safe(self.what, 80) + "\n", style="bold")
            if not self.comments:
                listing.append("no comments yet\n")
            for user, subject, message in self.comments[-8:]:
                listing.append(f"{safe(user, 20)}: {safe(subject, 40)} — {safe(message, 120)}\n")
            yield Static(listing, id="dialog-question")
            yield Input(value=self.default_subject, placeholder="subject", id="comment-subject")
            yield Input(placeholder="message (enter adds the comment)", id="comment-message")
            yield Static("", id="dialog-error", markup=False)
            yield Static(Text("enter add · escape close"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#comment-message", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        subject = self.query_one("#comment-subject", Input).value.strip()
        message = self.query_one("#comment-message", Input).value.strip()
        if event.input.id == "comment-subject":
            self.query_one("#comment-message", Input).focus()
            return
        if not subject or not message:
            self.query_one("#dialog-error", Static).update(Text("a comment needs a subject and a message"))
            return
        self.dismiss((subject, message))

    def action_cancel(self) -> None:
        self.dismiss(None)
