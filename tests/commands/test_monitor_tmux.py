"""`cuetui monitor` on a real terminal (tmux): the inline view draws, keys reach the farm, and it exits
with the plain mode's status, leaving its last state on screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .helpers import wait_for

pytestmark = pytest.mark.tmux

if shutil.which("tmux") is None:
    if os.environ.get("CUETUI_REQUIRE_TMUX") == "1":
        pytest.fail("tmux is required (CUETUI_REQUIRE_TMUX=1) but not installed", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)
CLEAN_JOB = "testing-sh550-bmartin_comp_v013"


@pytest.fixture
def pane() -> Iterator[list[str]]:
    """A detached session on a tmux server of its own (never the user's); yields the tmux command prefix."""
    tmux = ["tmux", "-L", f"cuetui-test-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "m", "-x", "100", "-y", "30", "bash --norc"], check=True)
    yield tmux
    subprocess.run([*tmux, "kill-server"], check=False)


def screen(tmux: list[str]) -> str:
    return subprocess.run([*tmux, "capture-pane", "-p", "-t", "m"], capture_output=True, text=True).stdout


def test_inline_view_in_a_terminal(demo_gateway: DemoGatewayThread, pane: list[str], tmp_path: Path) -> None:
    status_file = tmp_path / "status"
    env = {
        "JWT_SECRET": DEMO_SECRET,
        "XDG_CONFIG_HOME": str(tmp_path),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"env {exports} {shlex.quote(sys.executable)} -m cuetui --url {demo_gateway.url} monitor "
        f"{CLEAN_JOB} --interval 0.2; echo $? > {shlex.quote(str(status_file))}"
    )
    subprocess.run([*pane, "send-keys", "-t", "m", command, "Enter"], check=True)
    wanted = (f"{CLEAN_JOB}  PENDING", "0/56 (0%)", "running 56", "p pause", "live")
    text = wait_for(
        lambda: (t := screen(pane)) and all(w in t for w in wanted) and t, what="the monitor view", timeout=30
    )
    assert "\x1b" not in text
    subprocess.run([*pane, "send-keys", "-t", "m", "p"], check=True)
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_job(CLEAN_JOB).is_paused), what="paused by p")

    def finish(farm: object) -> None:
        for proc in [p for p in farm.procs.values() if p.job.name == CLEAN_JOB]:  # type: ignore[attr-defined]
            farm.finish_frame(proc, True, 0)  # type: ignore[attr-defined]

    demo_gateway.run(finish)
    wait_for(lambda: status_file.exists() and status_file.read_text().strip(), what="the monitor to exit")
    assert status_file.read_text().strip() == "0"
    # the last state stays on screen
    wait_for(lambda: "FINISHED" in (t := screen(pane)) and "56/56 (100%)" in t, what="the final state")
