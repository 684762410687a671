"""The dialogs every farm-changing action goes through: a yes/no confirmation that says how many frames
or jobs it will touch, an exact priority, and a kill reason.

Each is a ModalScreen returning its answer (None or False when cancelled), so a screen's action awaits
`app.push_screen_wait(...)` in a worker. Text from the farm (job names) is passed in as plain strings and
rendered as `Text`, never as markup. Validation happens in the dialog: a bad priority or an empty reason
keeps the dialog open with a message, and nothing is sent.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cuetui.farm.actions import parse_priority
from cuetui.farm.text import safe, visible


def name_list(names: list[str], limit: int = 3, width: int = 60) -> str:
    """`a, b, c and 4 more`: enough names to recognise what is about to change, safe for display."""
    shown = [safe(n, width) for n in names[:limit]]
    text = ", ".join(shown)
    if len(names) > limit:
        text += f" and {len(names) - limit} more"
    return text


class ConfirmDialog(ModalScreen[bool]):
    """`question` (plain text, one or two lines) answered with `y` (True) or `n` / `escape` (False)."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("y", "answer(True)", "yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "no", id="dialog.no"),
    ]

    def __init__(self, question: str, *, title: str = "Confirm") -> None:
        super().__init__(classes="steer-dialog")
        self.question = question
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = self.dialog_title
            yield Static(Text(safe_lines(self.question)), id="dialog-question")
            yield Static(Text("y confirm · n or escape cancel"), id="dialog-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def safe_lines(text: str) -> str:
    """Multi-line text with each line made safe (newlines kept, escapes and controls removed)."""
    return "\n".join(safe(line) for line in text.split("\n"))


class _InputDialog(ModalScreen[object]):
    """A question with one input line; enter validates (staying open with a message when the value
    is refused), escape cancels."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "cancel", id="dialog.cancel"),
    ]
    KEYS_TEXT = "enter confirm · escape cancel"

    def __init__(self, question: str, value: str, *, title: str) -> None:
        super().__init__(classes="steer-dialog")
        self.question = question
        self.initial = value
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = self.dialog_title
            yield Static(Text(safe_lines(self.question)), id="dialog-question")
            yield Input(value=self.initial, id="dialog-input", select_on_focus=True)
            yield Static("", id="dialog-error", markup=False)
            yield Static(Text(self.KEYS_TEXT), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#dialog-input", Input).focus()

    @property
    def error_text(self) -> str:
        """The message shown under the input ("" when none): tests read it."""
        return str(self.query_one("#dialog-error", Static).render())

    def refuse(self, message: str) -> None:
        """Keep the dialog open and say why the value was refused."""
        error = self.query_one("#dialog-error", Static)
        error.update(Text(message))
        error.add_class("-shown")
        self.query_one("#dialog-input", Input).focus()

    def validate_value(self, text: str) -> str | int:
        """The accepted value; raise ValueError with a message for a person otherwise."""
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self.validate_value(event.value)
        except ValueError as err:
            self.refuse(str(err))
            return
        self.dismiss(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        error = self.query_one("#dialog-error", Static)
        if error.has_class("-shown"):
            error.update("")
            error.remove_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)


class PriorityDialog(_InputDialog):
    """An exact priority for one or more jobs: a whole number from 0 to 1 000 000 (parse_priority);
    anything else is refused in the dialog with a message. Returns the int, or None when cancelled."""

    def __init__(self, job_names: list[str], current: int | None = None) -> None:
        count = len(job_names)
        what = f"{count} jobs: {name_list(job_names)}" if count != 1 else name_list(job_names)
        question = f"New priority for {what}\n(a whole number from 0 to 1,000,000)"
        super().__init__(question, "" if current is None else str(current), title="Priority")

    def validate_value(self, text: str) -> int:
        return parse_priority(text)


class KillReasonDialog(_InputDialog):
    """Confirms a kill and asks its reason (pre-filled, editable, never empty: Cuebot ignores a job kill
    without one). Returns the reason, or None when cancelled."""

    KEYS_TEXT = "enter kill · escape cancel"

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"Kill {what}?\nReason (sent to the farm and logged):", reason, title="Kill")

    def validate_value(self, text: str) -> str:
        reason = text.strip()
        if not visible(reason):
            raise ValueError("a kill needs a reason you can read: type one, or escape to cancel")
        return reason
