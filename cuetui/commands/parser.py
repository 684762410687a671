"""The whole `cuetui` command line as one argparse parser: global flags, then one subparser per command.

Used by `cuetui.cli.main` and by `cuetui completion` (which writes a script from it). Each command module
is imported here only by name (`importlib`), so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from cuetui import __version__
from cuetui.commands import COMMAND_MODULES
from cuetui.commands.exits import EXIT_USAGE

EPILOG = """\
examples:
  cuetui demo                          try it on a simulated farm, no set-up needed
  cuetui --url http://gw:8448 jobs     list pending jobs (JWT_SECRET or JWT_TOKEN in the environment)
  cuetui monitor my_job --until-dead   follow a job in a terminal or a pipe
  cuetui doctor                        check config, gateway, token and clock
  source <(cuetui completion bash)     tab completion (also zsh, fish)
  cuetui COMMAND --help                each command's flags and examples
"""


def nonblank(value: str) -> str:
    """argparse type of a criterion or a reason: refuse an empty or invisible value (exit 2) rather
    than drop it, since a dropped criterion widens what an action touches (`eat JOB --layer ""`)."""
    from cuetui.farm.text import visible

    if not visible(value):
        raise argparse.ArgumentTypeError("must not be empty (or only spaces and invisible characters)")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on exit code 2 and one clear line, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global flags first, then one subparser per command module."""
    parser = global_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cuetui.commands.{name}")
        module.register(sub)
    return parser


def global_parser() -> argparse.ArgumentParser:
    """The global flags alone: enough for plain `cuetui`, which opens the monitor."""
    parser = _Parser(
        prog="cuetui",
        # Raw formatter (for the examples): the description is wrapped by hand.
        description="Watch and steer an OpenCue render farm from the terminal, through the OpenCue REST\n"
        "Gateway. Without a command, opens the interactive monitor.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cuetui {__version__}")
    parser.add_argument("--url", help="gateway URL, e.g. http://gateway:8448 (env OPENCUE_REST_GATEWAY_URL)")
    parser.add_argument("--farm", help="name of a [farms.NAME] section of the config (env CUETUI_FARM)")
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user config dir)")
    parser.add_argument("--read-only", action="store_true", default=None, help="never send an action")
    parser.add_argument("--refresh", type=float, metavar="SECONDS", help="poll interval of the screens")
    parser.add_argument("--user", action="append", metavar="USER", type=nonblank, help="show only jobs of this user")
    parser.add_argument("--show", action="append", metavar="SHOW", type=nonblank, help="show only jobs of this show")
    return parser
