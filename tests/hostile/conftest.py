"""Fixtures of the hostile-gateway tests: the proxy in front of the demo gateway, and the CLI as a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET
from tests.hostile.proxy import HostileProxy

DEADLINE = 2.0  # request_deadline of the tests' config: each hostile answer costs about this long
# Process start-up on a loaded 2-core machine (what a bound on a command's wall time allows besides it).
STARTUP_ALLOWANCE = 6.0


@pytest.fixture
def hostile(demo_gateway: DemoGatewayThread) -> Iterator[HostileProxy]:
    """The hostile proxy in front of the small frozen demo farm, in mode "pass" until told otherwise."""
    proxy = HostileProxy(demo_gateway.url).start()
    yield proxy
    proxy.stop()


@dataclass
class Run:
    """One finished `cuetui` process."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


@pytest.fixture
def cli_config(tmp_path: Path) -> Path:
    """A config with a short request deadline, so every hostile answer fails fast."""
    path = tmp_path / "cuetui.toml"
    path.write_text(f"request_deadline = {DEADLINE}\n")
    return path


def _peak_rss_kb(pid: int) -> int:
    """VmHWM of a running process in KB (0 when it is gone or /proc is not there)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_cli(
    *args: str,
    url: str,
    config: Path | None = None,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
    interrupt_after: float | None = None,
) -> Run:
    """`python -m cuetui --url URL [--config PATH] ARGS...` to completion, with its wall time and peak
    RSS; with `interrupt_after`, a Ctrl-C (SIGINT) is sent that many seconds after it first printed
    something (a monitor that would run on; counted from its output, so a slow start on a loaded machine
    is not interrupted before it has said anything), or half way to `timeout` if it prints nothing."""
    full_env = {**os.environ, "JWT_SECRET": DEMO_SECRET, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("JWT_TOKEN", None)
    cmd = [sys.executable, "-m", "cuetui", "--url", url]
    if config is not None:
        cmd += ["--config", str(config)]
    cmd += list(args)
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=full_env, text=True)
        # wait4 rather than wait: the exit status and rusage of this one child.
        interrupted = False
        spoke: float | None = None
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _peak_rss_kb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if spoke is None and (os.fstat(out.fileno()).st_size or os.fstat(err.fileno()).st_size):
                spoke = now
            if not interrupted and interrupt_after is not None:
                due = spoke + interrupt_after if spoke is not None else start + timeout / 2
                if now > due:
                    proc.send_signal(signal.SIGINT)
                    interrupted = True
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                err.seek(0)
                raise AssertionError(
                    f"cuetui {' '.join(args)} still running after {timeout} s; stderr: {err.read()[-500:]}"
                )
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        # The child's own peak (VmHWM, sampled while it runs): wait4's ru_maxrss starts from the size of
        # this (forking) test process, which on a busy xdist worker is already hundreds of MB.
        rss_kb = peak_kb or usage.ru_maxrss
        return Run(proc.returncode, out.read(), err.read(), seconds, rss_kb / 1024)


def assert_one_line_error(run: Run) -> None:
    """No traceback, and the error is said in one line."""
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip() and not line.startswith("cuetui: warning")]
    assert lines, "no error message"
    assert len(lines) <= 3, run.stderr
