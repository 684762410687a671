"""What every non-interactive command shares: settings from the global flags, one client, the async
run, and errors turned into one line on stderr and the documented exit status.

Exit codes (cuetui.commands.exits): 0 ok; 1 failure (the gateway refused or failed an action); 2 usage, config, job
not found or ambiguous, refused request (read-only, empty criteria); 3 gateway unreachable or token
refused. Messages are one line, name the command, and never hold a secret (GatewayError and ConfigError
messages are built without tokens).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cuetui.commands.exits import EXIT_FAILURE, EXIT_UNREACHABLE, EXIT_USAGE

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient

# The global flags cli.py defines; only these are handed to load_settings, so a subcommand option can
# never be mistaken for a setting.
GLOBAL_FLAGS = ("url", "farm", "config", "read_only", "refresh", "user", "show")


def global_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The global flags that were given (None = not given)."""
    return {name: getattr(args, name) for name in GLOBAL_FLAGS if getattr(args, name, None) is not None}


def err(args: argparse.Namespace, message: str) -> None:
    """Print `cuetui COMMAND: message` on stderr."""
    command = getattr(args, "command", None) or "cuetui"
    print(f"cuetui {command}: {message}" if command != "cuetui" else f"cuetui: {message}", file=sys.stderr)


def load(args: argparse.Namespace) -> Settings | None:
    """Settings from the config, environment and global flags; prints the error and returns None when
    the config is bad. Warnings (e.g. a secret readable by others) go to stderr."""
    from cuetui.config import ConfigError, load_settings

    try:
        settings = load_settings(global_flags(args))
    except ConfigError as exc:
        err(args, str(exc))
        return None
    for warning in settings.warnings:
        print(f"cuetui: warning: {warning}", file=sys.stderr)
    return settings


def exit_for(args: argparse.Namespace, exc: BaseException) -> int | None:
    """Print the one-line message for a known error and return its exit status; None if unknown."""
    from cuetui.config import ConfigError
    from cuetui.farm.jobmatch import AmbiguousJob, JobMatchError
    from cuetui.gateway.errors import CuebotUnreachable, GatewayError, RefusedRequest, Unauthorized, Unreachable

    if isinstance(exc, AmbiguousJob):
        err(args, str(exc))
        for line in exc.candidate_lines():
            print(line, file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, (JobMatchError, RefusedRequest, ConfigError)):
        err(args, str(exc))
        return EXIT_USAGE
    # A gateway that cannot reach Cuebot is as unusable as one that cannot be reached.
    if isinstance(exc, (Unreachable, Unauthorized, CuebotUnreachable)):
        err(args, str(exc))
        return EXIT_UNREACHABLE
    if isinstance(exc, GatewayError):
        err(args, str(exc))
        return EXIT_FAILURE
    return None


def run(args: argparse.Namespace, body: Callable[[Settings, GatewayClient], Awaitable[int]]) -> int:
    """Load settings, open a client, run `body(settings, client)` to completion; map errors to exits."""
    import asyncio

    settings = load(args)
    if settings is None:
        return EXIT_USAGE

    async def main() -> int:
        from cuetui.farm.connect import client_from_settings
        from cuetui.farm.reads import retry_reads

        async with client_from_settings(settings) as client:
            retry_reads(client)
            return await body(settings, client)

    try:
        return asyncio.run(main())
    except BrokenPipeError:
        return broken_pipe()
    except Exception as exc:
        status = exit_for(args, exc)
        if status is None:
            raise
        return status


def broken_pipe() -> int:
    """The reader of our stdout went away (`cuetui frames JOB | head`): stop quietly, exit 1 (the
    output was not all delivered). stdout is pointed at /dev/null so the final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_FAILURE


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """`--json`: one JSON document (a list of objects with snake_case keys) instead of a table."""
    parser.add_argument("--json", action="store_true", help="print one JSON list (snake_case keys) instead of a table")


class ExamplesHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that an `examples:` epilog is printed as written (one command a line)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def add_examples(sub: argparse._SubParsersAction, examples: dict[str, tuple[str, ...]]) -> None:  # type: ignore[type-arg]
    """Give each named subcommand's --help an `examples:` section (its argparse epilog, lines kept as
    written, the description still wrapped); an epilog the command already had follows it, wrapped."""
    import textwrap

    for name, example_lines in examples.items():
        parser = sub.choices[name]
        lines = "\n".join("  " + line for line in example_lines)
        before = textwrap.fill(parser.epilog, 100) if parser.epilog else ""
        parser.epilog = f"examples:\n{lines}\n" + (f"\n{before}\n" if before else "")
        parser.formatter_class = ExamplesHelpFormatter
