"""One action catalogue: each action of a screen is declared once, and that declaration feeds the
key bindings, the footer, `?` help, the command palette, read-only mode and `[keymap]` remapping.

A screen lists its actions as `ACTIONS = (ActionSpec(...), ...)` and sets `BINDINGS = bindings(ACTIONS)`.
The binding id is the action id, so `App.set_keymap({"job.pause": "P"})` remaps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class ActionSpec:
    """One user action: `id` (stable, used in [keymap]), default `key` (Textual key syntax, several
    separated by commas), the Textual `action` to run, a short `description` for footer and help
    (`help`, when given, is the longer text for `?` help and the palette),
    `dangerous` when it changes the farm (confirmed; refused in read-only mode), `footer` to show it
    in the footer, `palette` to offer it in the command palette, and `key_display` to show the keys
    differently in the footer (`⏎/l` when a focused table shadows `enter`'s own footer entry)."""

    id: str
    key: str
    action: str
    description: str
    dangerous: bool = False
    footer: bool = True
    palette: bool = True
    help: str = ""
    key_display: str = ""

    @property
    def long_description(self) -> str:
        """What `?` help and the palette say: `help`, else the footer's `description`."""
        return self.help or self.description

    def binding(self) -> Binding:
        """The Textual binding for this action."""
        return Binding(
            self.key, self.action, self.description, show=self.footer, id=self.id, key_display=self.key_display or None
        )


def bindings(specs: Iterable[ActionSpec]) -> list[BindingType]:
    """Bindings for a screen's BINDINGS from its ActionSpecs (typed as Textual types BINDINGS)."""
    return [spec.binding() for spec in specs]
