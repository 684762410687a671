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


# The keys every screen of the TUI has (CueTuiApp's own bindings).
APP_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("nav.shows", "1", "goto('shows')", "shows"),
    ActionSpec("nav.jobs", "2", "goto('jobs')", "jobs"),
    ActionSpec("nav.hosts", "3", "goto('hosts')", "hosts"),
    ActionSpec("nav.dead", "4", "goto('dead')", "dead frames"),
    ActionSpec("nav.stuck", "5", "goto('stuck')", "stuck frames"),
    ActionSpec(
        "nav.subs",
        "6",
        "goto('subs')",
        "subscriptions",
        footer=False,
        help="subscriptions: size, burst and use per allocation",
    ),
    ActionSpec("app.command", "colon", "command_line", "command", footer=False),
    ActionSpec("app.help", "question_mark", "help", "help"),
    ActionSpec("app.palette", "ctrl+p", "command_palette", "palette", footer=False, palette=False),
    ActionSpec("app.quit", "q", "quit", "quit"),
    ActionSpec("app.suspend", "ctrl+z", "suspend_process", "suspend (fg resumes)", footer=False, palette=False),
)

# The inline `cuetui monitor` view's keys (MonitorApp). Both lists live here, beside the catalogue, so
# that the `[keymap]` check (ui.keymap) reads every id without importing either app.
MONITOR_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("monitor.pause", "p", "pause", "pause", dangerous=True),
    ActionSpec("monitor.resume", "u", "resume", "resume", dangerous=True),
    ActionSpec("monitor.retry_dead", "R", "retry_dead", "retry dead", dangerous=True),
    # Not tab: the screen keeps tab for focus. Nothing here takes focus, so up/down reach the app.
    ActionSpec("monitor.next_job", "down,j", "select(1)", "next job", footer=False),
    ActionSpec("monitor.prev_job", "up,k", "select(-1)", "previous job", footer=False),
    ActionSpec("monitor.quit", "q", "quit", "quit"),
    ActionSpec("monitor.confirm_yes", "y", "confirm(True)", "yes", footer=False, palette=False),
    ActionSpec("monitor.confirm_no", "n,escape", "confirm(False)", "no", footer=False, palette=False),
)
