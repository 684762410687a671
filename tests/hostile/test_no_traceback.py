"""No traceback reaches a user: careless arguments and config give one line and the documented status."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuetui import cli
from tests.hostile.conftest import assert_one_line_error, run_cli


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://\u2603.net:8448", "not usable"),  # not valid IDNA
        ("http://" + "a" * 65536 + ":8448", "characters long"),
        ("http://" + "a" * 300 + ".example:8448", "longer than DNS allows"),
    ],
    ids=["idna", "64KB", "long-label"],
)
def test_a_careless_url_is_one_line_and_exit_2(url: str, said: str) -> None:
    run = run_cli("jobs", url=url)
    assert run.returncode == 2, run.stderr
    assert said in run.stderr
    assert_one_line_error(run)
    assert len(run.stderr) < 400  # the 64 KB URL is not echoed back


def test_a_config_nested_50000_deep_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    run = run_cli("jobs", url="http://127.0.0.1:9", config=config)
    assert run.returncode == 2, run.stderr
    assert "nested too deeply" in run.stderr
    assert_one_line_error(run)


def test_an_unexpected_error_is_one_line_saying_where_to_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_local = "s3cr3t-value-in-a-local"

    def broken(args: object) -> int:
        hidden = {"token": secret_local}
        raise KeyError(hidden["token"])

    monkeypatch.setattr("cuetui.commands.tui.run_tui", broken)
    monkeypatch.delenv(cli.TRACEBACK_ENV, raising=False)
    status = cli.main([])
    err = capsys.readouterr().err
    assert status == cli.EXIT_FAILURE
    assert "Traceback" not in err and secret_local not in err
    assert err.count("\n") == 1
    assert "unexpected error (KeyError in" in err and "report it" in err
