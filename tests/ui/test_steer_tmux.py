"""The real terminal: `cuetui --url URL` in a detached tmux session against `cuetui demo-gateway`; filter
the jobs table to one job with `/`, press `p`, and the farm (asked through the gateway) says the job is
paused. CI sets CUETUI_REQUIRE_TMUX=1: then a missing tmux fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

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


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)  # polling a subprocess: there is no event to wait on


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


def test_filter_to_a_job_press_p_and_the_farm_says_paused(gateway: str, tmp_path: Path) -> None:
    tmux = _need_tmux()
    session = f"cuetui-steer-{uuid.uuid4().hex[:8]}"
    config_home = tmp_path / "config"
    config_home.mkdir()
    env = {
        **os.environ,
        "JWT_SECRET": SECRET,
        "XDG_CONFIG_HOME": str(config_home),
        "TERM": "xterm-256color",
        "USER": "wrangler",
    }
    env.pop("TMUX", None)
    command = " ".join([*_cuetui(), "--url", gateway])
    job_id = gateway_call(gateway, "/job.JobInterface/FindJob", {"name": JOB})["job"]["id"]

    def is_paused() -> bool:
        return bool(gateway_call(gateway, "/job.JobInterface/GetJob", {"id": job_id})["job"].get("isPaused"))

    assert not is_paused()

    def tmux_run(*args: str) -> str:
        done = subprocess.run([tmux, *args], env=env, capture_output=True, text=True, timeout=10, check=True)
        return done.stdout

    def pane() -> str:
        return tmux_run("capture-pane", "-p", "-t", session)

    tmux_run("new-session", "-d", "-s", session, "-x", "160", "-y", "48", command)
    try:
        wait_until(lambda: JOB in pane(), 30, "the jobs table")
        # Type only once the filter has focus: letters sent before would reach the table's keys.
        tmux_run("send-keys", "-t", session, "/")
        wait_until(lambda: "filter: type to narrow" in pane(), 10, "the filter input")
        tmux_run("send-keys", "-t", session, "-l", "jdoe_lookdev")
        tmux_run("send-keys", "-t", session, "Enter")
        wait_until(lambda: "1/" in pane() and "jobs" in pane(), 10, "the filtered table")
        tmux_run("send-keys", "-t", session, "p")
        wait_until(is_paused, 15, "the farm to say the job is paused")
        wait_until(lambda: "paused 1 job" in pane() or "PAUSED" in pane(), 10, "the outcome on screen")
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], env=env, capture_output=True, timeout=10)
