"""`cuetui --config FILE demo`: the TUI on the simulated farm takes the config's theme, bell and keymap (and
the other preferences) as `cuetui` does, while the farm's URL and credentials come from the simulator;
`demo` takes the same farm options as `demo-gateway` (`--scenario`, `--loki`, `--fault`, `--log-root`)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cuetui.cli import main
from cuetui.commands import demo, tui
from cuetui.config import load_settings
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.requests import JobSearch
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "demo" / "data" / "scenario-example.json"
CONFIG = """
theme = "cuetui-high-contrast-light"
bell = true
refresh = 7.5

[keymap]
"jobs.pause" = "P"
"jobs.nonsense" = "x"

[farms.prod]
url = "https://gateway.prod.example"
secret = "prod-secret-that-must-not-be-used-0123456789"
shows = ["feature"]
log_path_map = [["/net/logs", "/mnt/logs"]]
loki_url = "http://loki.prod.example:3100"
"""


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No user config or gateway variables; SIGTERM's handler put back afterwards (demo sets its own)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN", "JWT_SECRET", "CUETUI_FARM"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    config.chmod(0o600)
    handler = signal.getsignal(signal.SIGTERM)
    yield config
    signal.signal(signal.SIGTERM, handler)


def run_demo_capturing(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, dict[str, Any]]:
    """Run `cuetui argv…` as if on a terminal; instead of the TUI, record what it would be given and
    check it against the live simulated gateway while that still runs."""
    seen: dict[str, Any] = {}

    def fake_run(client: GatewayClient, options: UiOptions, warnings: list[str]) -> int:
        seen.update(client=client, options=options, warnings=warnings)

        async def check() -> None:
            seen["jobs"] = await client.get_jobs(JobSearch(include_finished=True))
            app = CueTuiApp(client, options)
            async with app.run_test(size=(120, 30)) as pilot:
                await pilot.pause()
                seen["theme"] = app.theme
                seen["notifications"] = [n.message for n in app._notifications]
            await client.aclose()

        asyncio.run(check())
        return 0

    monkeypatch.setattr(demo, "_interactive", lambda args: True)
    monkeypatch.setattr(tui, "_run", fake_run)
    return main(argv), seen


def test_demo_reads_the_config_but_not_the_farm(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    code, seen = run_demo_capturing(
        monkeypatch, ["--config", str(isolated), "--farm", "prod", "demo", "--speed", "0", "--scenario", str(SCENARIO)]
    )
    assert code == 0
    options: UiOptions = seen["options"]
    assert options.theme == "cuetui-high-contrast-light" and seen["theme"] == "cuetui-high-contrast-light"
    assert options.bell is True and options.refresh == 7.5
    assert dict(options.keymap) == {"jobs.pause": "P", "jobs.nonsense": "x"}
    # The keymap is checked as in `cuetui`: the unknown id is said at start.
    assert any('"jobs.nonsense"' in n for n in seen["notifications"])
    # The farm is the simulator's: its loopback URL and minted secret, no real farm's filters or paths.
    assert options.url.startswith("http://127.0.0.1:") and seen["client"].url == options.url
    assert options.farm_name == "demo" and options.shows == () and options.log_path_map == ()
    assert options.loki_url == "" and not options.tls_unverified
    # --scenario reached the gateway child: the example scenario's jobs, and nothing else.
    names = {j.name for j in seen["jobs"]}
    assert "testing-sh010-jdoe_lighting_v3" in names and len(names) == 3


def test_demo_flags_filter_and_loki_reaches_the_child(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    code, seen = run_demo_capturing(
        monkeypatch,
        ["--config", str(isolated), "--show", "testing", "demo", "--speed", "0", "--loki", "--read-only"],
    )
    assert code == 0
    options: UiOptions = seen["options"]
    assert options.shows == ("testing",) and options.read_only
    # --loki: every job names the simulator's Loki, which answers.
    jobs = seen["jobs"]
    assert jobs and all(j.loki_url.startswith("http://127.0.0.1:") for j in jobs)


def test_demo_bad_farm_options_are_usage_errors(isolated: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # The gateway child says why on stderr; demo exits with its status.
    assert main(["demo", "--no-tui", "--scenario", str(isolated.parent / "missing.json")]) == 2
    assert "no such scenario file" in capfd.readouterr().err
    assert main(["demo", "--no-tui", "--fault", "nonsense=1"]) == 2


def test_demo_config_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated.write_text("bell = 3\n")
    monkeypatch.setattr(demo, "_interactive", lambda args: True)
    assert main(["--config", str(isolated), "demo"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cuetui: ") and "bell" in err and len(err.splitlines()) == 1


def test_load_settings_of_the_example_keeps_demo_preferences(isolated: Path) -> None:
    settings = load_settings({"config": str(isolated), "farm": "prod"})
    options = tui.demo_options(settings, "http://127.0.0.1:1", False)
    assert options.theme == settings.theme and options.keymap == settings.keymap
    # Never the real farm's secret anywhere in what the TUI is given.
    assert "prod-secret" not in repr(options)
    assert httpx.URL(options.url).host == "127.0.0.1"
