"""The real terminal: `cuetui --url URL` in a detached tmux session against `cuetui demo-gateway`; filter
the jobs table to one job with `/`, press `p`, and the farm (asked through the gateway) says the job is
paused. CI sets CUETUI_REQUIRE_TMUX=1: then a missing tmux fails instead of skipping."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.waiting import wait_for

pytestmark = pytest.mark.tmux

SECRET = "tmux-test-secret-0123456789-0123456789-0123456789-0123456789"
JOB = "testing-sh550-jdoe_lookdev_v005"  # small farm, seed 7: running, not paused


def _need_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CUETUI_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is required (CUETUI_REQUIRE_TMUX=1) but not installed")
        pytest.skip("tmux is not installed")
    return tmux


def _cuetui() -> list[str]:
    exe = shutil.which("cuetui", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "cuetui"]


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    """`cuetui demo-gateway` as a real process on a free port; yields its URL."""
    env = {**os.environ, "JWT_SECRET": SECRET}
    proc = subprocess.Popen(
        [
            *_cuetui(),
            "demo-gateway",
            "--port",
            "0",
            "--profile",
            "small",
            "--seed",
            "7",
            "--speed",
            "0",
            "--log-root",
            str(tmp_path / "logs"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
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


def gateway_call(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    token = jwt.encode({"sub": "tmux-test"}, SECRET, algorithm="HS256")
    response = httpx.post(url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def pane_script(gateway: str, tmp_path: Path) -> str:
    """The pane's shell line: cuetui on `gateway` in a clean environment of its own (config and home in
    `tmp_path`), then its exit status, and the pane kept open to read it."""
    env = {
        "JWT_SECRET": SECRET,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "TERM": "tmux-256color",
        "USER": "wrangler",
        "PATH": os.environ.get("PATH", ""),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = " ".join(shlex.quote(part) for part in [*_cuetui(), "--url", gateway])
    return f'env -u COLUMNS -u LINES {exports} {command}; echo "cuetui exited with $?"; exec cat'


def test_filter_to_a_job_press_p_and_the_farm_says_paused(gateway: str, tmp_path: Path) -> None:
    tmux = _need_tmux()
    server = f"cuetui-steer-{uuid.uuid4().hex[:8]}"
    # A tmux server of our own (own socket, no user config): nothing else can resize or type into it.
    base = [tmux, "-L", server, "-f", os.devnull]
    script = pane_script(gateway, tmp_path)
    job_id = gateway_call(gateway, "/job.JobInterface/FindJob", {"name": JOB})["job"]["id"]

    def is_paused() -> bool:
        return bool(gateway_call(gateway, "/job.JobInterface/GetJob", {"id": job_id})["job"].get("isPaused"))

    assert not is_paused()

    def tmux_run(*args: str) -> str:
        return subprocess.run([*base, *args], capture_output=True, text=True, timeout=10, check=True).stdout

    def pane() -> str:
        return tmux_run("capture-pane", "-p", "-t", server)

    tmux_run("new-session", "-d", "-s", server, "-x", "160", "-y", "48", "sh", "-c", script)
    try:
        wait_for(lambda: JOB in pane() and "live" in pane(), 30, "the jobs table", show=pane)
        tmux_run("send-keys", "-t", server, "/")
        wait_for(lambda: "filter: type to narrow" in pane(), 10, "the filter prompt", show=pane)
        tmux_run("send-keys", "-t", server, "-l", "jdoe_lookdev")
        wait_for(lambda: "1/5 jobs" in pane(), 10, "the filtered table", show=pane)
        tmux_run("send-keys", "-t", server, "Enter")
        wait_for(lambda: "filter: type to narrow" not in pane(), 10, "focus back on the table", show=pane)
        tmux_run("send-keys", "-t", server, "p")
        wait_for(is_paused, 15, "the farm to say the job is paused", show=pane)
        wait_for(lambda: "paused 1 job" in pane() or "PAUSED" in pane(), 10, "the outcome on screen", show=pane)
        tmux_run("send-keys", "-t", server, "q")
        wait_for(lambda: "cuetui exited with 0" in pane(), 10, "cuetui to quit", show=pane)
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10)
