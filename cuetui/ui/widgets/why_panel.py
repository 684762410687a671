"""The why panel (`w`): every reason a job, layer or frame waits, most decisive first, each with the
figure that proves it and the key of its remedy. Farm strings are data: rendered as Text, never markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cuetui.farm.text import safe
from cuetui.farm.why import Reason


def reasons_text(reasons: Sequence[Reason], keys: Mapping[str, str] | None = None) -> Text:
    """One line per reason: its key, the sentence with its figure, `[remedy]` and the keys that apply
    it here (`keys`: remedy -> keys)."""
    out = Text()
    if not reasons:
        out.append("nothing waits: it is running (or done)")
        return out
    for n, r in enumerate(reasons):
        if n:
            out.append("\n")
        out.append(f"{r.reason:<18}", style="bold")
        out.append(safe(r.detail))
        if r.remedy:
            out.append(f"  [{r.remedy}]", style="italic")
            if keys and r.remedy in keys:
                out.append(f" {keys[r.remedy]}", style="bold")
    return out


class WhyPanel(ModalScreen[None]):
    """The reasons of one job, layer or frame; `escape` or `w` closes it."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,w", "close", "close", id="why.close"),
    ]

    def __init__(self, what: str, reasons: Sequence[Reason], keys: Mapping[str, str] | None = None) -> None:
        super().__init__(classes="steer-dialog")
        self.what = what
        self.reasons = list(reasons)
        self.keys = dict(keys or {})

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = f"Why not running: {safe(self.what)}"
            yield Static(reasons_text(self.reasons, self.keys), id="why-reasons")
            yield Static(Text("escape close"), id="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
