"""Command-line entry point: global flags, subcommands, and the exit codes scripts rely on.

Subcommands live in `cuetui/commands/<name>.py`; each module exposes `register(subparsers)` and sets
`func` on its parser. Modules must stay cheap to import (no Textual, no httpx at module level) so that
`cuetui --help` and the non-interactive commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cuetui import __version__

# Exit codes are an interface: scripts and CI test them.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

# Where an unexpected error (a bug) should go; said in the one line that replaces a traceback.
REPORT_TO = "please report it to the cuetui maintainers with `cuetui --version` and the command you ran"
TRACEBACK_ENV = "CUETUI_TRACEBACK"  # set to 1 to see the traceback of an unexpected error (for a bug report)

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
    from cuetui.commands import COMMAND_MODULES

    parser = _global_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cuetui.commands.{name}")
        module.register(sub)
    return parser


def _global_parser() -> argparse.ArgumentParser:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the process exit status."""
    if argv is None:
        argv = sys.argv[1:]
    if not argv:
        # Plain `cuetui` opens the monitor: only the global flags' defaults are needed, not every
        # command's parser and module (start-up time).
        args = _global_parser().parse_args([])
        args.command = None
    else:
        args = build_parser().parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from cuetui.commands.tui import run_tui

        func = run_tui
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        print("cuetui: input nested too deeply to read (config, arguments or an answer)", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("cuetui: out of memory", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # the last line of defence: a bug says so in one line, never a traceback
        return unexpected(exc)


def unexpected(exc: BaseException) -> int:
    """One line for an error nobody planned for: its type and where, never its text or the locals
    (either may hold a farm string or a secret); the traceback only when CUETUI_TRACEBACK=1."""
    import os
    import traceback

    if os.environ.get(TRACEBACK_ENV) == "1":
        traceback.print_exception(exc)
    where = ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "cuetui" in f.filename.replace("\\", "/")]
    if frames:
        last = frames[-1]
        path = last.filename.replace("\\", "/")
        path = path[path.rfind("cuetui/") :] if "cuetui/" in path else os.path.basename(path)
        where = f" in {path} line {last.lineno}"
    print(f"cuetui: unexpected error ({type(exc).__name__}{where}); this is a bug: {REPORT_TO}", file=sys.stderr)
    return EXIT_FAILURE
