"""Start-up: from process start to the first populated jobs table on the terminal (README Performance, row 2).

`cuetui` runs as a real process in a pseudo-terminal (160×48) against the `studio` demo gateway (a
child process, seeded, `--speed 0`); the clock starts just before the process is spawned and stops
when the name of the first job in the table's order appears in what cuetui writes to the terminal:
the table is then populated and drawn. The baseline is a minimal Textual app that shows one static
DataTable of the same shape (bench/startup_table_app.py), timed the same way until its first row's text
appears. Both run with bytecode caches, written by an uncounted first run of each. Each is
started several times, alternating, and the median is kept (the best is in the note). Also measured:
`cuetui --version`, which must stay quick (shell completion and scripts call it).

Usage: python -m bench.bench_startup [--quick]     (prints the figures)
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

import httpx
import jwt

from bench.common import SECRET, Result, start_gateway, stop_gateway
from bench.startup_table_app import READY_TEXT

COLUMNS, LINES = 160, 48


def first_job_name(url: str) -> str:
    """The name the jobs table shows first (sorted by name, active jobs only)."""
    token = jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256")
    answer = httpx.post(
        url + "/job.JobInterface/GetJobs",
        json={"r": {"includeFinished": False}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    jobs = answer.json()["jobs"]["jobs"]
    return str(min((j["name"], j["id"]) for j in jobs)[0])


def time_to_text(argv: list[str], text: str, env: dict[str, str], timeout: float = 120.0) -> float:
    """Seconds from spawning `argv` on a pseudo-terminal until `text` is written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    wanted = text.encode()
    seen = b""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise RuntimeError(f"{argv[-1]!r} did not show {text!r} in {timeout:.0f} s")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if not ready:
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv} exited ({proc.returncode}) before showing {text!r}")
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side closed
                raise RuntimeError(f"{argv} closed its terminal before showing {text!r}") from None
            seen = seen[-len(wanted) :] + chunk
            if wanted in seen:
                return time.perf_counter() - start
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _drain_until_exit(master, proc)
        finally:
            os.close(master)


def _drain_until_exit(master: int, proc: subprocess.Popen[bytes]) -> None:
    # Keep reading so a process writing its last frame never blocks on a full terminal.
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def measure(url: str, runs: int) -> dict[str, list[float]]:
    """Start-up times of cuetui and of the baseline, `runs` each, alternating."""
    name = first_job_name(url)
    home = tempfile.mkdtemp(prefix="cuetui-bench-startup-")
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "HOME": home,  # no user config, no saved state
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_STATE_HOME": os.path.join(home, ".state"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "OPENCUE_REST_GATEWAY_URL": url,
        "JWT_SECRET": SECRET,
    }
    env.pop("TEXTUAL", None)
    # Bytecode caches, as an installed cuetui has them (an editable install under
    # PYTHONDONTWRITEBYTECODE would compile every module at each start): the first run writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(home, "pycache")
    cuetui = [sys.executable, "-m", "cuetui"]
    baseline = [sys.executable, "-m", "bench.startup_table_app"]
    times: dict[str, list[float]] = {"cuetui": [], "baseline": [], "version": []}
    # one of each first, not counted: the files are then in the page cache for every measured run
    time_to_text(cuetui, name[:20], env)
    time_to_text(baseline, READY_TEXT, env)
    for _ in range(runs):
        times["cuetui"].append(time_to_text(cuetui, name[:20], env))
        times["baseline"].append(time_to_text(baseline, READY_TEXT, env))
        start = time.perf_counter()
        subprocess.run([*cuetui, "--version"], env=env, check=True, capture_output=True)
        times["version"].append(time.perf_counter() - start)
    return times


def run(quick: bool = False) -> list[Result]:
    """The figures as bench Results (`quick`: the `small` farm, two runs each)."""
    proc, url = start_gateway("small" if quick else "studio")
    try:
        t = measure(url, runs=2 if quick else 7)
    finally:
        stop_gateway(proc)
    ours, base = statistics.median(t["cuetui"]), statistics.median(t["baseline"])
    ratio = ours / base
    return [
        Result(
            "startup",
            "start-up to the first populated jobs table",
            ours,
            "s",
            baseline=base,
            baseline_name="a minimal Textual app with one static DataTable",
            ratio=ratio,
            goal="≤ 1.3× the minimal app",
            met=ratio <= 1.3,
            note=f"median of {len(t['cuetui'])}; best {min(t['cuetui']):.2f} s vs {min(t['baseline']):.2f} s "
            f"({min(t['cuetui']) / min(t['baseline']):.2f}×)",
        ),
        Result(
            "startup",
            "cuetui --version",
            statistics.median(t["version"]),
            "s",
            note=f"median of {len(t['version'])}",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for r in run(quick=args.quick):
        print(r)
