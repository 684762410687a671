"""A planted JWT secret and a planted fixed token, looked for in every channel cuetui writes to: the TUI's
screens and notifications, Textual's log file, Python logging, SVG screenshots, `doctor` and `--json`
output, error messages, tracebacks rendered with their local variables (as Textual shows a crash), and
the process command lines `ps` shows."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from tests.waiting import wait_for, wait_for_app

PLANTED_SECRET = "planted-jwt-secret-7c0ffee5-1b2d-4e6f-8a9b-0c1d2e3f4a5b-do-not-print-me"
PLANTED_TOKEN = jwt.encode({"sub": "planted", "exp": 4102444800}, PLANTED_SECRET, algorithm="HS256")


def assert_clean(text: str, where: str) -> None:
    """No secret, no part of the planted token, no JWT at all ("eyJ" starts every JWT header)."""
    for needle in (PLANTED_SECRET, PLANTED_SECRET[:20], PLANTED_TOKEN, *PLANTED_TOKEN.split(".")[1:], "eyJ"):
        assert needle not in text, f"{needle[:12]}… found in {where}"


@pytest.fixture
def planted_gateway(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(secret=PLANTED_SECRET, profile="small", seed=7, speed=0.0)


@pytest.mark.parametrize("kind", ["minted", "fixed", "refused"])
async def test_tui_screens_notifications_logs_and_screenshots(
    kind: str, planted_gateway: DemoGatewayThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textual.constants

    textual_log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(textual_log))
    records = io.StringIO()
    handler = logging.StreamHandler(records)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # httpx and httpcore included
    if kind == "minted":
        auth = GatewayAuth(secret=PLANTED_SECRET, sub="tester")
    elif kind == "fixed":
        auth = GatewayAuth(token=PLANTED_TOKEN, sub="tester")
    else:  # a token the gateway refuses: the error message is on screen
        auth = GatewayAuth(token=jwt.encode({"sub": "x"}, PLANTED_SECRET + "-wrong", algorithm="HS256"), sub="t")
    client = GatewayClient(planted_gateway.url, auth)
    app = CueTuiApp(client, UiOptions(url=planted_gateway.url, farm_name="demo", user="tester"))
    app.startup_messages.append(f"a config warning about {auth!r}")
    seen: list[tuple[str, str]] = []
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            bar = lambda: app.screen.query_one("#status-conn").render()  # noqa: E731
            if kind == "refused":
                await wait_for_app(pilot, lambda: "auth failed" in str(bar()))
            else:
                await wait_for_app(pilot, lambda: getattr(app.screen.table, "loaded", False))
            loads = kind != "refused"  # a refused token: the tables stay empty, and enter opens nothing
            steps = [
                ("1", "ShowsScreen", loads),
                ("3", "HostsScreen", loads),
                ("4", "TriageScreen", loads),
                ("5", "StuckScreen", loads),
                ("2", "JobsScreen", loads),
                ("enter", "JobScreen" if loads else "JobsScreen", False),
                ("question_mark", "HelpScreen", False),
                ("escape", "JobScreen" if loads else "JobsScreen", False),
                ("escape", "JobsScreen", False),
                ("ctrl+p", "CommandPalette", False),
            ]
            for keys, screen_name, with_data in steps:
                await pilot.press(keys)
                # Each screenshot once its screen is up (and has its data): a blank one would prove nothing.
                await wait_for_app(pilot, lambda n=screen_name: type(app.screen).__name__ == n)
                if with_data:
                    await wait_for_app(pilot, lambda: getattr(app.screen.table, "loaded", False))
                await pilot.pause()
                seen.append((f"screen after {keys}", app.export_screenshot()))
            seen.append(("notifications", "\n".join(str(n.message) for n in app._notifications)))
            await pilot.press("escape")
            await wait_for_app(pilot, lambda: type(app.screen).__name__ == "JobsScreen")
            seen.append(("status bar", str(bar())))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        await client.aclose()
    assert any("demo" in text for _, text in seen)
    if kind == "refused":
        assert any("auth failed" in text for _, text in seen)
    for where, text in seen:
        assert_clean(text, where)
    assert_clean(records.getvalue(), "Python logging")
    assert textual_log.exists() and textual_log.stat().st_size > 0  # Textual did log there
    assert_clean(textual_log.read_text(), "Textual's log file")


@pytest.mark.parametrize("fault", ["drop=1", "html=1", "bug"])
@pytest.mark.parametrize("kind", ["minted", "fixed"])
async def test_errors_and_tracebacks_with_locals(
    kind: str, fault: str, make_gateway: Callable[..., DemoGatewayThread]
) -> None:
    """A failing call rendered as Textual renders a crash: every frame with its local variables, exception
    chains included. `bug` is an unexpected exception deep in the HTTP stack, under the auth flow."""
    import httpx
    from rich.console import Console
    from rich.traceback import Traceback

    gw = make_gateway(secret=PLANTED_SECRET, faults=() if fault == "bug" else (fault,))
    auth = GatewayAuth(secret=PLANTED_SECRET, sub="t") if kind == "minted" else GatewayAuth(token=PLANTED_TOKEN)
    client = GatewayClient(gw.url, auth)
    if fault == "bug":

        class Boom(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                raise RuntimeError("a bug in the transport")

        client._http._transport = Boom()
    try:
        with pytest.raises((GatewayError, RuntimeError)) as caught:
            await client.get_shows()
    finally:
        await client.aclose()
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(
        Traceback.from_exception(
            caught.type, caught.value, caught.tb, show_locals=True, locals_max_string=100_000, width=200
        )
    )
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert "auth" in rendered  # the frames' locals are there
    assert_clean(rendered, "a traceback with locals")
    assert_clean(str(caught.value) + repr(caught.value), "the error message")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN", "JWT_SECRET")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path), **extra)
    return env


@pytest.mark.parametrize("credential", ["JWT_SECRET", "JWT_TOKEN"])
@pytest.mark.parametrize(
    "argv",
    [
        ["doctor", "--verbose"],
        ["jobs", "--json"],
        ["frames", "layout_v015", "--json"],
        ["monitor", "anim_v018", "--json"],
    ],
)
def test_cli_output_as_a_real_process(
    credential: str, argv: list[str], planted_gateway: DemoGatewayThread, tmp_path: Path
) -> None:
    value = PLANTED_SECRET if credential == "JWT_SECRET" else PLANTED_TOKEN
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "--url", planted_gateway.url, *argv],
        capture_output=True,
        text=True,
        env=_env(tmp_path, **{credential: value}),
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr  # monitor: 1 when the job has dead frames
    assert proc.stdout.strip()
    assert_clean(proc.stdout, f"{argv} stdout")
    assert_clean(proc.stderr, f"{argv} stderr")


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_process_titles_hold_no_secret(tmp_path: Path) -> None:
    """What `ps` shows of `cuetui demo` and its gateway child: no secret (it goes through the environment,
    which only the same user can read)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuetui", "demo", "--profile", "small", "--speed", "0", "--no-tui"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        secret = next(line.split("JWT_SECRET=", 1)[1].strip() for line in lines if "JWT_SECRET=" in line)
        children = _children(proc.pid)
        assert children
        for pid in (proc.pid, *children):
            assert secret not in _cmdline(pid)
    finally:
        proc.terminate()
        proc.wait(30)
    # SIGTERM to `cuetui demo` stops its gateway child too: nothing left running with the secret.
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 30, "the demo gateway child to end")


def test_a_secret_on_the_command_line_is_warned_about(tmp_path: Path) -> None:
    """`--jwt-secret` puts the secret where every user sees it (`ps`); cuetui says so and names the fix."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", "--speed", "0", "--jwt-secret", PLANTED_SECRET],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith("OPENCUE_REST_GATEWAY_URL=")
        warning = proc.stderr.readline()
        assert "--jwt-secret" in warning and "ps" in warning and "JWT_SECRET" in warning
        assert_clean(warning, "the warning")
    finally:
        proc.terminate()
        proc.wait(30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", "--speed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path, JWT_SECRET=PLANTED_SECRET),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("OPENCUE_REST_GATEWAY_URL=")
        assert PLANTED_SECRET not in _cmdline(proc.pid)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert err == ""
