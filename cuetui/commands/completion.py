"""`cuetui completion bash|zsh|fish`: print a shell completion script for every command and flag.

The scripts are static, generated from the argparse parser by shtab, so completing never runs cuetui
(no start-up cost at each tab, nothing to hook into `main`). Re-run after an upgrade to pick up new
commands.
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")

EXAMPLES = """\
examples:
  # bash: load it in this shell, or install it for every new one
  source <(cuetui completion bash)
  cuetui completion bash > ~/.local/share/bash-completion/completions/cuetui

  # zsh: a directory on $fpath (add `fpath+=~/.zfunc; autoload -U compinit; compinit` to ~/.zshrc)
  cuetui completion zsh > ~/.zfunc/_cuetui

  # fish
  cuetui completion fish > ~/.config/fish/completions/cuetui.fish
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui completion`."""
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL on stdout: commands, flags and their choices.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.set_defaults(func=run_completion)


def completion_script(shell: str) -> str:
    """The completion script of `cuetui` for `shell`."""
    import shtab

    from cuetui.commands.parser import build_parser

    script: str = shtab.complete(build_parser(), shell=shell)
    return script if script.endswith("\n") else script + "\n"


def run_completion(args: argparse.Namespace) -> int:
    """Print the script for args.shell."""
    sys.stdout.write(completion_script(args.shell))
    return 0
