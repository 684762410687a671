"""The command line's contract: help lists the commands, version, exit codes for usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cuetui import __version__
from cuetui.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"cuetui {__version__}"


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "COMMAND" in out and "tui" in out and "examples:" in out


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "cuetui", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout
