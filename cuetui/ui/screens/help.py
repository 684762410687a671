"""`?` help: every key of the screen underneath and the app's global keys, from their ActionSpecs, with
`[keymap]` remaps applied and each action's id (what `[keymap]` in the config names); actions that change
the farm are marked, and flagged off in read-only mode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cuetui.ui.catalogue import ActionSpec

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "colon": ":",
    "space": "space",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "escape": "esc",
    "enter": "enter",
}


def key_label(keys: str) -> str:
    """Textual key names as a person types them: `slash` → `/`, `ctrl+p` stays."""
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def help_table(
    sections: Sequence[tuple[str, Sequence[ActionSpec]]], keymap: Mapping[str, str], *, read_only: bool
) -> Table:
    """A three-column table (key, what it does, the action id for `[keymap]`) of every action, section
    by section."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(no_wrap=True)
    table.add_row(Text(""), Text(""), Text("[keymap] id", style="dim"))
    listed: set[str] = set()
    for title, specs in sections:
        keys = [(spec, keymap.get(spec.id, spec.key)) for spec in specs]
        keys = [(spec, key) for spec, key in keys if key not in listed]
        if not keys:
            continue
        table.add_row(Text(""), Text(title, style="bold"), Text(""))
        for spec, key in keys:
            listed.add(key)
            what = Text(spec.long_description)
            if spec.dangerous:
                what.append(" (disabled: read-only)" if read_only else " (changes the farm)", style="italic")
            table.add_row(Text(key_label(key), style="bold"), what, Text(spec.id, style="dim"))
    return table


class HelpScreen(ModalScreen[None]):
    """The key list of one screen; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,q,question_mark", "close", "close", show=False),
    ]

    def __init__(
        self,
        title: str,
        sections: Sequence[tuple[str, Sequence[ActionSpec]]],
        keymap: Mapping[str, str],
        *,
        read_only: bool,
    ):
        super().__init__()
        self.help_title = title
        self.sections = sections
        self.keymap = keymap
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = f"Keys: {self.help_title}"
            # Text, not a markup string: "[keymap]" would be read as a markup tag.
            box.border_subtitle = Text('remap: "id" = "key" under [keymap] in the config · escape closes')
            yield Static(help_table(self.sections, self.keymap, read_only=self.read_only), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
