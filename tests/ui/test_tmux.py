"""cuetui in a real terminal: the `cuetui` command in a detached tmux pane against `cuetui demo-gateway`,
driven with send-keys and read with capture-pane, asserting on what a person would see.

Skips when tmux is missing, except when CUETUI_REQUIRE_TMUX=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import waiting
from tests.conftest import DEMO_SECRET

pytestmark = pytest.mark.tmux

if shutil.which("tmux") is None:
    if os.environ.get("CUETUI_REQUIRE_TMUX") == "1":
        pytest.fail("tmux is required (CUETUI_REQUIRE_TMUX=1) but not installed", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)


@pytest.fixture
def demo_gateway_process(tmp_path: Path) -> Iterator[str]:
    """`cuetui demo-gateway` on a free loopback port (frozen small farm); yields its URL."""
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", "--profile", "small", "--seed", "7"),
            *("--speed", "0", "--log-root", str(tmp_path / "logs")),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "JWT_SECRET": DEMO_SECRET},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("OPENCUE_REST_GATEWAY_URL="), line
        yield line.split("=", 1)[1]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Pane:
    """One detached tmux session running a shell command."""

    def __init__(self, command: str, env: dict[str, str], width: int = 120, height: int = 36) -> None:
        self.name = f"cuetui-test-{uuid.uuid4().hex[:8]}"
        # A server of our own (own socket, no user config): other sessions cannot resize our window.
        self.tmux = ["tmux", "-L", self.name, "-f", os.devnull]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # After the app exits, print its status and keep the pane open for the last capture.
        script = f'env -u COLUMNS -u LINES {exports} {command}; echo "cuetui exited with $?"; exec cat'
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), "sh", "-c", script],
            check=True,
        )

    def capture(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], check=True, capture_output=True, text=True
        ).stdout

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        """The pane's text once `predicate` holds for it; fails showing the pane at the deadline."""
        shown = [""]

        def met() -> bool:
            shown[0] = self.capture()
            return predicate(shown[0])

        waiting.wait_for(met, timeout, what, show=lambda: f"the pane shows:\n{shown[0]}")
        return shown[0]

    def kill(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


def test_cuetui_in_tmux(demo_gateway_process: str, tmp_path: Path) -> None:
    env = {
        "OPENCUE_REST_GATEWAY_URL": demo_gateway_process,
        "JWT_SECRET": DEMO_SECRET,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "TERM": "tmux-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    pane = Pane(f"{shlex.quote(sys.executable)} -m cuetui", env)
    try:
        screen = pane.wait_for(lambda s: " jobs" in s and "live" in s, "the jobs screen")
        assert "Jobs · all shows" in screen
        assert demo_gateway_process in screen  # the URL, never a token
        assert DEMO_SECRET not in screen
        assert "Dead" in screen and "Progress" in screen

        pane.send("3")
        screen = pane.wait_for(lambda s: "Hosts · all states" in s and " hosts" in s, "the hosts screen")
        assert "render" in screen

        pane.send("2")
        pane.wait_for(lambda s: "Jobs · all shows" in s, "the jobs screen again")
        pane.send("/")
        pane.wait_for(lambda s: "filter: type to narrow" in s, "the filter prompt")
        pane.send("-l", "zzz-no-such-job")
        pane.wait_for(lambda s: "0/" in s and " jobs" in s, "an empty filter result")
        pane.send("Escape")
        pane.wait_for(lambda s: "zzz-no-such-job" not in s, "the filter cleared")

        pane.send("?")
        pane.wait_for(lambda s: "Keys: Jobs" in s, "the help screen")
        pane.send("Escape")
        pane.wait_for(lambda s: "Keys: Jobs" not in s, "help closed")

        pane.send("q")
        screen = pane.wait_for(lambda s: "cuetui exited with" in s, "cuetui to exit")
        assert "cuetui exited with 0" in screen
    finally:
        pane.kill()
