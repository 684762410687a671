"""`cuetui monitor`'s view in a small pane (100×20, 80×24) with several jobs and dead frames: the status
line, where `R` asks its y/n question, and the footer stay on screen; the jobs scroll instead."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.config import Secret, Settings
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.requests import JobSearch
from cuetui.ui.monitor_app import MonitorApp
from tests.conftest import DEMO_SECRET
from tests.ui.conftest import wait_for

DEAD_JOB = "testing-sh180-rpatel_layout_v015"


def visible(app: Any, selector: str) -> bool:
    """The widget is laid out inside the terminal, at least one line tall."""
    widget = app.query_one(selector)
    region = widget.region
    return region.height >= 1 and region.y >= 0 and region.bottom <= app.size.height


@pytest.mark.parametrize("size", [(100, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_question_stays_on_screen(demo_gateway: DemoGatewayThread, size: tuple[int, int]) -> None:
    settings = Settings(url=demo_gateway.url, secret=Secret(DEMO_SECRET), user="tester")
    async with client_from_settings(settings) as client:
        every = await client.get_jobs(JobSearch())
    # The dead job first (selected), then enough others that the panels need more than the pane.
    jobs = sorted(every, key=lambda j: (j.name != DEAD_JOB, -j.stats.dead_frames))[:5]
    assert jobs[0].name == DEAD_JOB
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.dead_lines and all(app.layers.get(j.id) for j in jobs), what="data")
        await pilot.pause()
        await pilot.press("R")
        status = app.query_one("#status")
        await wait_for(pilot, lambda: "y/n" in str(status.render()), what="the question")
        await pilot.pause()
        assert visible(app, "#status"), status.region
        assert visible(app, "KeyFooter")
        # The question is what the status line shows (not cut off at the right either).
        assert "retry 5 dead frames" in str(status.render())
        await pilot.press("n")
        await pilot.press("q")


@pytest.mark.tmux
@pytest.mark.parametrize("size", [(100, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_question_stays_on_screen_inline_in_tmux(
    demo_gateway: DemoGatewayThread, tmp_path: Any, size: tuple[int, int]
) -> None:
    """The same in a real pane, where the view runs inline (Textual adds a border above and below)."""
    import os
    import shlex
    import shutil
    import subprocess
    import sys
    import time
    import uuid

    if shutil.which("tmux") is None:
        if os.environ.get("CUETUI_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is required (CUETUI_REQUIRE_TMUX=1) but not installed", pytrace=False)
        pytest.skip("tmux is not installed")
    names = [
        DEAD_JOB,
        "testing-sh110-rpatel_comp_v004",
        "testing-sh170-mchen_anim_v021",
        "testing-sh550-bmartin_comp_v013",
        "testing-sh550-jdoe_lookdev_v005",
    ]
    tmux = ["tmux", "-L", f"cuetui-test-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    width, height = size
    subprocess.run([*tmux, "new-session", "-d", "-s", "m", "-x", str(width), "-y", str(height), "bash --norc"])
    try:
        env = {
            "JWT_SECRET": DEMO_SECRET,
            "XDG_CONFIG_HOME": str(tmp_path),
            "HOME": str(tmp_path),
            "TERM": "xterm-256color",
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = (
            f"clear; env {exports} {shlex.quote(sys.executable)} -m cuetui --url {demo_gateway.url} monitor "
            f"{' '.join(names)} --interval 0.5"
        )
        subprocess.run([*tmux, "send-keys", "-t", "m", command, "Enter"], check=True)

        def pane() -> str:
            return subprocess.run([*tmux, "capture-pane", "-p", "-t", "m"], capture_output=True, text=True).stdout

        def until(check: Any, what: str) -> str:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                text = pane()
                if check(text):
                    return text
                time.sleep(0.1)
            raise AssertionError(f"timed out waiting for {what}:\n{pane()}")

        until(lambda t: "dead frames" in t and "q quit" in t and "live" in t, "the view")
        subprocess.run([*tmux, "send-keys", "-t", "m", "R"], check=True)
        text = until(lambda t: "y/n" in t, "the question on screen")
        assert "retry 5 dead frames" in text
        subprocess.run([*tmux, "send-keys", "-t", "m", "n", "q"], check=True)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
