"""`cuetui token`: stdout is the token and a newline, from JWT_SECRET or the farm's secret; else exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from cuetui import config
from cuetui.cli import main

SECRET = "token-command-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("JWT_SECRET", "JWT_TOKEN", "OPENCUE_REST_GATEWAY_URL", "CUETUI_FARM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(config, "default_config_path", lambda: tmp_path / "absent" / "config.toml")


def decode(token: str) -> dict[str, object]:
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def test_token_from_jwt_secret(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # getpass.getuser() reads the first one set
        monkeypatch.setenv(var, "alice")
    before = int(time.time())
    assert main(["token"]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("\n") and out.count("\n") == 1 and err == ""
    claims = decode(out.strip())
    assert claims["sub"] == "alice" and claims["exp"] == claims["iat"] + 3600  # type: ignore[operator]
    assert before <= claims["iat"] <= int(time.time())  # type: ignore[operator]


def test_ttl_and_sub_flags(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    assert main(["token", "--ttl", "120", "--sub", "ci-bot"]) == 0
    claims = decode(capsys.readouterr().out.strip())
    assert claims["sub"] == "ci-bot" and claims["exp"] == claims["iat"] + 120  # type: ignore[operator]


def test_farm_secret_file_and_configured_ttl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret_file = tmp_path / "prod.secret"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o600)
    cfg = tmp_path / "config.toml"
    cfg.write_text('user = "wrangler"\n[farms.qa]\n[farms.prod]\nsecret_file = "prod.secret"\ntoken_ttl = 900\n')
    assert main(["--config", str(cfg), "--farm", "prod", "token"]) == 0
    claims = decode(capsys.readouterr().out.strip())
    assert claims["sub"] == "wrangler" and claims["exp"] == claims["iat"] + 900  # type: ignore[operator]
    assert main(["--config", str(cfg), "--farm", "qa", "token"]) == 2
    assert "[farms.qa]" in capsys.readouterr().err


def test_no_secret_is_one_line_on_stderr_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "JWT_SECRET" in err
    monkeypatch.setenv("JWT_TOKEN", "a.b.c")
    assert main(["token"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "minting needs the secret" in err and "a.b.c" not in err


def test_bad_config_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'secret = "{SECRET}"\nrefresh = "fast"\n')
    assert main(["--config", str(cfg), "token"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("cuetui: config error:") and SECRET not in err


@pytest.mark.parametrize("ttl", ["0", "-5", "soon"])
def test_bad_ttl_is_a_usage_error(ttl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    with pytest.raises(SystemExit) as exc:
        main(["token", "--ttl", ttl])
    assert exc.value.code == 2


def test_warnings_go_to_stderr_not_into_the_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'secret = "{SECRET}"\nbogus = 1\n')
    cfg.chmod(0o644)
    assert main(["--config", str(cfg), "token"]) == 0
    out, err = capsys.readouterr()
    decode(out.strip())
    assert "unknown key bogus" in err and SECRET not in err


def test_as_a_subprocess(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_TOKEN", "CUETUI_FARM")}
    env.update(JWT_SECRET=SECRET, XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "token", "--sub", "sh"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert decode(proc.stdout.removesuffix("\n"))["sub"] == "sh" and proc.stdout.count("\n") == 1
    # What `$(cuetui token)` gives the shell.
    shell = subprocess.run(
        ["sh", "-c", 'T=$("$0" -m cuetui token) && printf "%s" "$T"', sys.executable],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert shell.returncode == 0 and decode(shell.stdout)["sub"]
    del env["JWT_SECRET"]
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "token"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1


def test_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "token" in capsys.readouterr().out
