"""`cuetui --help` and every subcommand's help show examples; `cuetui completion` prints a working script
for bash, zsh and fish that knows every command."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from cuetui.cli import build_parser, main


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def examples_of(help_text: str) -> list[str]:
    """The lines of the `examples:` section of a help text."""
    assert "\nexamples:\n" in help_text, help_text
    section = help_text.split("\nexamples:\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip()]


def test_top_level_help_has_examples() -> None:
    examples = examples_of(build_parser().format_help())
    assert any(line.startswith("cuetui demo") for line in examples)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_help_has_an_example_of_itself(name: str) -> None:
    help_text = subcommands()[name].format_help()
    examples = examples_of(help_text)
    assert any(f"cuetui {name}" in line or (name == "tui" and line.startswith("cuetui")) for line in examples), (
        help_text
    )
    # example lines are printed as written, not re-wrapped into one paragraph; descriptions still wrap
    assert all(len(line) <= 110 for line in examples)
    assert all(len(line) <= 120 for line in help_text.splitlines()), help_text


def test_help_prints_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["retry", "--help"])
    assert exit_info.value.code == 0
    assert "cuetui retry sh010_lighting" in capsys.readouterr().out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_knows_every_command(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert len(script) > 1000
    for name in subcommands():
        assert name in script, f"{shell} completion does not mention {name}"
    for flag in ("url", "read-only", "until-dead", "state"):  # fish writes `-l url`, the others `--url`
        assert flag in script


def test_completion_needs_a_known_shell(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["completion", "powershell"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["completion", "bash"])
    script = tmp_path / "cuetui.bash"
    script.write_text(capsys.readouterr().out)

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (
            f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
            f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; _shtab_cuetui; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        )
        run = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert complete("cuetui", "mon") == ["monitor"]
    assert complete("cuetui", "completion", "") == ["bash", "zsh", "fish"]
    assert "--until-dead" in complete("cuetui", "monitor", "--un")
