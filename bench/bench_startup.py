"""Start-up: from process start to the first populated jobs table on the terminal (README Performance, row 2).

`cuetui` runs as a real process in a pseudo-terminal (160×48) against the `studio` demo gateway (a
child process, seeded, `--speed 0`); the clock starts just before the process is spawned and stops
when the name of the first job in the table's order appears in what cuetui writes to the terminal:
the table is then populated and drawn. The baseline is a minimal Textual app that shows one static
DataTable of the same shape (bench/startup_table_app.py), timed the same way until its first row's text
appears. Both run with bytecode caches, written by an uncounted first run of each. Each is
started several times, alternating, and the median is kept (the best is in the note). The CPU time
each process has used by that moment (user + system, from /proc) is measured beside the wall time:
on a shared machine it is the steadier ratio. Also measured: `cuetui --version`, which must stay
quick (shell completion and scripts call it).

Usage: python -m bench.bench_startup [--quick]     (prints the figures)
       python -m bench.bench_startup --cprofile OUT  (one cuetui start under cProfile, stats to OUT)
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


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_text(argv: list[str], text: str, env: dict[str, str], timeout: float = 120.0) -> tuple[float, float]:
    """Seconds from spawning `argv` on a pseudo-terminal until `text` is written to it, and the CPU
    seconds the process had used by then."""
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
                return time.perf_counter() - start, process_cpu(proc.pid)
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


def start_env(url: str, home: str) -> dict[str, str]:
    """The environment both apps start in: the 160×48 terminal, no user config, the gateway's URL."""
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
    return env


CUETUI = [sys.executable, "-m", "cuetui"]
BASELINE = [sys.executable, "-m", "bench.startup_table_app"]


def measure(url: str, runs: int) -> dict[str, list[float]]:
    """Start-up times (wall and CPU) of cuetui and of the baseline, `runs` each, alternating."""
    name = first_job_name(url)
    env = start_env(url, tempfile.mkdtemp(prefix="cuetui-bench-startup-"))
    times: dict[str, list[float]] = {"cuetui": [], "baseline": [], "cuetui_cpu": [], "baseline_cpu": []}
    times["version"] = []
    # one of each first, not counted: the files are then in the page cache for every measured run
    time_to_text(CUETUI, name[:20], env)
    time_to_text(BASELINE, READY_TEXT, env)
    for _ in range(runs):
        for key, argv, text in (("cuetui", CUETUI, name[:20]), ("baseline", BASELINE, READY_TEXT)):
            wall, cpu = time_to_text(argv, text, env)
            times[key].append(wall)
            times[key + "_cpu"].append(cpu)
        start = time.perf_counter()
        subprocess.run([*CUETUI, "--version"], env=env, check=True, capture_output=True)
        times["version"].append(time.perf_counter() - start)
    return times


def profile_start(out: str) -> None:
    """One cuetui start under cProfile until its first populated jobs table (`studio`); the stats,
    by cumulative and by own time, written to `out` (the process ends on SIGTERM, which writes them)."""
    import pstats

    proc, url = start_gateway("studio")
    try:
        name = first_job_name(url)
        env = start_env(url, tempfile.mkdtemp(prefix="cuetui-bench-startup-"))
        time_to_text(CUETUI, name[:20], env)  # the bytecode caches
        raw = out + ".prof"
        wall, cpu = time_to_text([sys.executable, "-m", "cProfile", "-o", raw, "-m", "cuetui"], name[:20], env)
    finally:
        stop_gateway(proc)
    with open(out, "w") as fh:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        fh.write(
            f"# start-up to the first populated jobs table (studio, 160x48 pty) under cProfile: {wall * 1000:.0f} ms "
        )
        fh.write(f"wall, {cpu * 1000:.0f} ms CPU, load average {os.getloadavg()[0]:.1f}\n")
        fh.write(f"# {when}, Python {sys.version.split()[0]}, `python -m bench.bench_startup --cprofile {out}`\n")
        fh.write("# (the process ends on SIGTERM just after that paint: Textual's shutdown is in the figures too)\n")
        for order, limit in (("cumulative", 60), ("tottime", 30)):
            fh.write(f"\n## by {order}\n")
            stats = pstats.Stats(raw, stream=fh)
            stats.strip_dirs().sort_stats(order).print_stats(limit)
    os.unlink(raw)


def run(quick: bool = False) -> list[Result]:
    """The figures as bench Results (`quick`: the `small` farm, two runs each)."""
    load = os.getloadavg()[0]
    proc, url = start_gateway("small" if quick else "studio")
    try:
        t = measure(url, runs=2 if quick else 7)
    finally:
        stop_gateway(proc)
    load = max(load, os.getloadavg()[0])
    ours, base = statistics.median(t["cuetui"]), statistics.median(t["baseline"])
    ratio = ours / base
    ours_cpu, base_cpu = statistics.median(t["cuetui_cpu"]), statistics.median(t["baseline_cpu"])
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
            f"({min(t['cuetui']) / min(t['baseline']):.2f}×); load average {load:.1f}",
        ),
        Result(
            "startup",
            "start-up CPU (user + system) to the first populated jobs table",
            ours_cpu,
            "s",
            baseline=base_cpu,
            baseline_name="the minimal app's CPU to its first row",
            ratio=ours_cpu / base_cpu,
            goal="≤ 1.3× the minimal app",
            met=ours_cpu / base_cpu <= 1.3,
            note=f"median of {len(t['cuetui_cpu'])}; least {min(t['cuetui_cpu']):.2f} s vs "
            f"{min(t['baseline_cpu']):.2f} s",
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
    parser.add_argument("--cprofile", metavar="OUT", help="profile one cuetui start instead, stats to OUT")
    args = parser.parse_args()
    if args.cprofile:
        profile_start(args.cprofile)
    else:
        for r in run(quick=args.quick):
            print(r)
