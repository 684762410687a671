"""`cuetui doctor`: every check's ✓/✗ line, the exit status for each failure, and no secret printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result

Cli = Callable[..., Result]


def _no_secret(r: Result, *secrets: str) -> None:
    for secret in (DEMO_SECRET, *secrets):
        assert secret not in r.out and secret not in r.err


def test_all_good_without_a_config_file(cli: Cli, frozen_gateway: DemoGatewayThread) -> None:
    r = cli("--url", frozen_gateway.url, "doctor", "--verbose")
    assert r.code == 0, r.out + r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("✓ config: no file at ") and "URL from --url, secret from env JWT_SECRET" in lines[0]
    assert any(line.startswith(f"✓ gateway reachable at {frozen_gateway.url}") for line in lines)
    assert any(line.startswith("✓ token accepted (minted from the secret") for line in lines)
    assert "✓ shows listed: 1 (testing)" in lines
    assert any(line.startswith(("✓ clock skew 0 s", "✓ clock skew 1 s")) and "Date header" in line for line in lines)
    assert any(line.startswith("✓ clock skew") and "GetUpdatedFrames serverTime" in line for line in lines)
    assert not any(line.startswith("✗") for line in lines)
    _no_secret(r)


def test_config_file_and_fixed_token(
    cli: Cli, frozen_gateway: DemoGatewayThread, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token = jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
    config = tmp_path / "config.toml"
    config.write_text(f'[farms.demo]\nurl = "{frozen_gateway.url}"\ntoken = "{token}"\n')
    config.chmod(0o600)
    monkeypatch.delenv("JWT_SECRET")
    r = cli("--config", str(config), "doctor", "-v")
    assert r.code == 0, r.out + r.err
    assert r.out.splitlines()[0] == f"✓ config: {config} (farm demo)"
    assert "✓ token accepted (fixed token from" in r.out
    _no_secret(r, token)


def test_wrong_secret_is_token_refused(
    cli: Cli, frozen_gateway: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = "planted-wrong-secret-5d41402abc4b2a76b9719d911017c592"
    monkeypatch.setenv("JWT_SECRET", planted)
    r = cli("--url", frozen_gateway.url, "doctor", "-v")
    assert r.code == 3
    assert "✓ gateway reachable" in r.out and "✗ token refused: Token validation error" in r.out
    _no_secret(r, planted)


def test_unreachable(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway()
    url = gw.url
    gw.stop()
    r = cli("--url", url, "doctor")
    assert r.code == 3 and f"✗ gateway unreachable at {url}" in r.out and "- token, shows, clock: not checked" in r.out


def test_no_url_no_secret(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET")
    r = cli("doctor")
    assert r.code == 2 and "✗ config: no gateway URL" in r.out


def test_bad_config_file(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[farms.x\nurl = 1\n")
    r = cli("--config", str(config), "doctor")
    assert r.code == 2 and r.out.startswith("✗ config:") and str(config) in r.out


def test_clock_ahead_makes_updated_frames_hang(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("skew=120",))
    r = cli("--url", gw.url, "doctor")
    assert r.code == 1
    assert "✗ clock skew by GetUpdatedFrames: no answer in 5 s" in r.out


def test_clock_behind_is_measured(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("skew=-300",))
    r = cli("--url", gw.url, "doctor")
    assert r.code == 1
    line = next(line for line in r.out.splitlines() if "GetUpdatedFrames serverTime" in line)
    assert line.startswith("✗ clock skew 30") and "behind this machine's" in line
