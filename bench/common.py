"""What every benchmark returns, and small measuring helpers."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

# The demo gateways the benchmarks start check tokens signed with this secret (`token()`).
SECRET = "bench-secret-0123456789-0123456789-0123456789-0123456789"


@dataclass
class Result:
    """One measured figure, optionally against a baseline and a goal.

    `ratio` is baseline / figure when lower is better (so > 1 means cuetui wins), and figure / baseline
    when higher is better. `goal` is a human sentence; `met` whether this run met it (None: no goal).
    """

    bench: str
    name: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` runs of fn, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int | None = None) -> float:
    """Current resident memory of a process in MB (from /proc)."""
    path = f"/proc/{pid or os.getpid()}/status"
    with open(path) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def token() -> str:
    """A bearer token the benchmarks' demo gateways accept."""
    import jwt

    return str(jwt.encode({"sub": "bench"}, SECRET, algorithm="HS256"))


def start_gateway(
    profile: str,
    *,
    seed: int = 7,
    speed: float = 0.0,
    faults: Sequence[str] = (),
    cpus: set[int] | None = None,
) -> tuple[subprocess.Popen[str], str]:
    """`cuetui demo-gateway` (seeded, frozen unless `speed` says otherwise, `--fault` items, pinned to
    `cpus` when given) in a child process, answering by the time this returns; returns it and its URL.

    The gateway prints its URL once it listens; its logs go to a directory of its own, removed when it
    stops (`stop_gateway`). Every benchmark starts its farm here, so they all measure the same one."""

    def pin() -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)

    command = [sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", "--profile", profile]
    command += ["--seed", str(seed), "--speed", f"{speed:g}"]
    for fault in faults:
        command += ["--fault", fault]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "JWT_SECRET": SECRET},
        preexec_fn=pin if cpus else None,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("OPENCUE_REST_GATEWAY_URL="):
        proc.kill()
        proc.wait()
        raise RuntimeError(f"the demo gateway did not start: {line!r}")
    # Whatever it prints later must never fill the pipe and stop it.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, line.strip().split("=", 1)[1]


def stop_gateway(proc: subprocess.Popen[str]) -> None:
    """Stop a gateway `start_gateway` started (it removes its log directory as it goes)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 180.0) -> None:
    """Until a process uses under 5 % of a core over a second (after a first fetch the demo gateway
    goes on writing the log files it put off, a few per request, for a while)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < 0.05:
            return
