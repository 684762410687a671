"""Fixtures for the command tests: run `cuetui …` in-process against the demo gateway, capture output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cuetui.cli import main
from tests.conftest import DEMO_SECRET


@dataclass
class Result:
    """Exit status and captured output of one command."""

    code: int
    out: str
    err: str


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No user config, no gateway env vars, a known secret; returns the empty config dir."""
    config_home = tmp_path / "xdg-config"
    config_home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN", "CUETUI_FARM", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JWT_SECRET", DEMO_SECRET)
    return config_home


@pytest.fixture
def cli(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """cli(*argv) runs `cuetui argv…` in this process and returns its exit status and output."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
