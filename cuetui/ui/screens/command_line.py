"""The `:` command line (like k9s) and its parser: `:jobs`, `:shows`, `:hosts`, `:show NAME`, `:job NAME`,
`:dead`, `:stuck`, `:subs`, `:help`, `:quit`. Parsing is pure so it is tested without a terminal; the app
runs the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from cuetui.farm.frame_range import parse_frames_command


@dataclass(frozen=True)
class Command:
    """A parsed command: `name` is one of COMMANDS, `arg` the rest of the line."""

    name: str
    arg: str = ""


# command -> (needs an argument, description); aliases map onto these.
COMMANDS: dict[str, tuple[bool, str]] = {
    "jobs": (False, "the jobs screen"),
    "shows": (False, "the shows screen"),
    "hosts": (False, "the hosts screen"),
    "dead": (False, "dead-frame triage across the jobs in view"),
    "stuck": (False, "running frames whose log went quiet"),
    "subs": (False, "each show's size, burst and cores in use per allocation"),
    "show": (True, "the jobs of show NAME"),
    "job": (True, "open job NAME (exact, or the one job whose name contains it)"),
    "help": (False, "keys of this screen"),
    "quit": (False, "quit cuetui"),
    # on the open job (the job screen): RANGE as Cuebot's frame sets, 1-100, 1-100x3, 1,5,9
    "retry": (True, "retry the open job's frames in RANGE"),
    "eat": (True, "eat the open job's frames in RANGE"),
    "kill": (True, "kill the open job's running frames in RANGE"),
    "reorder": (True, "reorder the open job's frames: RANGE first|last|reverse"),
    "stagger": (True, "stagger the open job's frames: RANGE N"),
    # on the hosts screen
    "reboot": (False, "reboot the marked hosts (or the cursor's) now, after typing the host name"),
}
# The commands that act on what the current screen shows (it answers `run_screen_command`).
SCREEN_COMMANDS = frozenset({"retry", "eat", "kill", "reorder", "stagger", "reboot"})
ALIASES = {
    "j": "jobs",
    "s": "shows",
    "h": "hosts",
    "q": "quit",
    "q!": "quit",
    "?": "help",
    "host": "hosts",
    "triage": "dead",
    "subscriptions": "subs",
}


class CommandError(ValueError):
    """A command line that cannot be run; the message says why in one line."""


def parse_command(line: str) -> Command:
    """`":show testing"` → Command("show", "testing"). Raises CommandError for unknown or incomplete ones."""
    text = line.strip().lstrip(":").strip()
    if not text:
        raise CommandError("empty command: try :jobs, :hosts, :dead, :stuck, :show NAME, :job NAME")
    word, _, rest = text.partition(" ")
    word = word.lower()
    name = ALIASES.get(word, word)
    if name not in COMMANDS:
        known = ", ".join(f":{c}" for c in COMMANDS)
        raise CommandError(f"unknown command :{word[:30]} (known: {known})")
    needs_arg, _ = COMMANDS[name]
    arg = rest.strip()
    if needs_arg and not arg and name in SCREEN_COMMANDS:
        raise CommandError(f":{name} needs a frame range, e.g. :{name} 1-100")
    if needs_arg and not arg:
        raise CommandError(f":{name} needs a name, e.g. :{name} NAME")
    if not needs_arg and arg and name != "show":
        raise CommandError(f":{name} takes no argument")
    if name in SCREEN_COMMANDS and needs_arg:
        try:
            parse_frames_command(name, arg)
        except ValueError as err:
            raise CommandError(str(err)) from None
    return Command(name, arg)


class CommandLine(ModalScreen[str | None]):
    """A one-line prompt at the bottom; enter returns the line, escape returns None."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "cancel", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="jobs · shows · hosts · dead · stuck · show NAME · job NAME · help · quit", id="command-input"
        )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
