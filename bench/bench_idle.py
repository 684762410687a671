"""What an idle cuetui costs the machine and the terminal (README Performance, row 4).

`cuetui demo-gateway --profile studio --speed 0` (a frozen farm: nothing changes) runs as a child
process; `cuetui` runs against it in a detached tmux pane of 160×48, on a tmux server of its own
(`tmux -L <unique socket>`, killed at the end). Once the jobs table is up and the app has settled, for
a window of 60 s:

- CPU: utime+stime (from /proc/PID/stat) of every process under the pane (the pane's process and its
  descendants: cuetui and anything it starts; not the gateway, not tmux), plus what reaped children
  left in the parent's cutime/cstime, over wall time. Goal ≤ 1 %.
- Terminal bytes: everything the pane's program writes, counted with `tmux pipe-pane -o 'cat >> FILE'`,
  per minute. Goal ≤ 4 KB/min when nothing changed. The file is sampled every 50 ms; writes closer
  than 0.3 s apart form one burst, and the bursts say what each kind of update writes (one burst per
  poll on a frozen farm: the status line's "updated HH:MM:SS").

Then, still on the jobs screen, one job is paused and resumed through the gateway (a row change: its
State cell, and the status bar's "· 1 paused") and the burst that follows each change is measured.
Finally Enter opens the job under the cursor and the same idle window runs on the job screen (frames
polled every 2 s with GetUpdatedFrames).

`--quick` uses a 5 s window and the jobs screen only.

Usage: python -m bench.bench_idle [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import SECRET, Result, start_gateway, stop_gateway, token

WIDTH, HEIGHT = 160, 48
SAMPLE = 0.05
BURST_GAP = 0.3
CPU_GOAL = 1.0  # percent of one CPU
BYTES_GOAL = 4096  # per minute


class Pane:
    """cuetui in a detached tmux pane on a tmux server of its own."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.socket = f"cuetui-bench-idle-{os.getpid()}"
        self.workdir = workdir
        self.out = workdir / "pane.out"
        env = {
            "OPENCUE_REST_GATEWAY_URL": url,
            "JWT_SECRET": SECRET,
            # no user config or state of whoever runs the bench
            "XDG_CONFIG_HOME": str(workdir / "config"),
            "XDG_STATE_HOME": str(workdir / "state"),
            "XDG_CACHE_HOME": str(workdir / "cache"),
            "XDG_DATA_HOME": str(workdir / "data"),
            "COLORTERM": "truecolor",
            "TERM": "tmux-256color",
        }
        args = [f"-e{k}={v}" for k, v in env.items()]
        command = f"exec {sys.executable} -m cuetui"
        self.tmux("new-session", "-d", "-s", "idle", "-x", str(WIDTH), "-y", str(HEIGHT), *args, command)
        self.pane_pid = int(self.tmux("display-message", "-p", "-t", "idle", "#{pane_pid}").strip())

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True, capture_output=True, text=True
        ).stdout

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "idle")

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "idle", *keys)

    def start_counting(self) -> None:
        self.out.touch()
        self.tmux("pipe-pane", "-o", "-t", "idle", f"cat >> {self.out}")

    def stop_counting(self) -> None:
        self.tmux("pipe-pane", "-t", "idle")

    def written(self) -> int:
        return self.out.stat().st_size if self.out.exists() else 0

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def _stat(pid: int) -> tuple[int, float]:
    """(parent pid, CPU seconds incl. reaped children) of a process."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and all its descendants."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):  # gone meanwhile
                stats[int(entry)] = _stat(int(entry))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def bursts(samples: list[tuple[float, int]]) -> list[int]:
    """Sizes of the bursts of writes in (time, bytes so far) samples; a burst ends after BURST_GAP quiet."""
    out: list[int] = []
    start_size = last_size = samples[0][1] if samples else 0
    last_change = None
    for t, size in samples:
        if size != last_size:
            if last_change is not None and t - last_change > BURST_GAP and last_size > start_size:
                out.append(last_size - start_size)
                start_size = last_size
            last_change = t
            last_size = size
    if last_size > start_size:
        out.append(last_size - start_size)
    return out


def watch(pane: Pane, seconds: float) -> dict[str, float | list[int]]:
    """Bytes written and CPU used by the pane over `seconds`."""
    cpu0 = tree_cpu(pane.pane_pid)
    t0 = time.monotonic()
    base = pane.written()
    samples: list[tuple[float, int]] = [(t0, base)]
    while time.monotonic() - t0 < seconds:
        time.sleep(SAMPLE)
        samples.append((time.monotonic(), pane.written()))
    wall = time.monotonic() - t0
    cpu = tree_cpu(pane.pane_pid) - cpu0
    return {
        "wall": wall,
        "cpu_percent": cpu / wall * 100,
        "bytes_per_min": (samples[-1][1] - base) / wall * 60,
        "bursts": bursts(samples),
    }


def _post(url: str, path: str, body: dict[str, object]) -> dict[str, object]:
    r = httpx.post(url + path, json=body, headers={"Authorization": "Bearer " + token()}, timeout=30)
    r.raise_for_status()
    return dict(r.json())


def _lines_touched(raw: bytes) -> int:
    """How many screen lines a stretch of terminal output writes to (cursor moves to row;col)."""
    return len({m.group(1) for m in re.finditer(rb"\x1b\[(\d+);\d+H", raw)})


def row_change(pane: Pane, url: str, poll: float) -> list[tuple[int, int]]:
    """Pause then resume one job; (bytes, screen lines) written in the poll after each change."""
    jobs = _post(url, "/job.JobInterface/GetJobs", {})["jobs"]["jobs"]  # type: ignore[index]
    job = next(j for j in jobs if not j.get("isPaused"))
    out = []
    for path in ("/job.JobInterface/Pause", "/job.JobInterface/Resume"):
        time.sleep(poll / 2)
        base = pane.written()
        _post(url, path, {"job": {"id": job["id"]}})
        time.sleep(poll + 1)
        raw = pane.out.read_bytes()[base:]
        out.append((len(raw), _lines_touched(raw)))
    return out


def measure(quick: bool) -> dict[str, dict[str, Any]]:
    """The figures of each phase."""
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is needed for this benchmark")
    seconds = 5.0 if quick else 60.0
    settle = 3.0 if quick else 10.0
    proc, url = start_gateway("studio")
    workdir = Path(tempfile.mkdtemp(prefix="cuetui-bench-idle-"))
    pane = None
    out: dict[str, dict[str, Any]] = {}
    try:
        pane = Pane(url, workdir)
        wait_for(lambda: "updated" in pane.capture(), 120, "the jobs table")
        time.sleep(settle)
        pane.start_counting()
        out["jobs"] = watch(pane, seconds)
        if not quick:
            out["row"] = {"bursts": row_change(pane, url, 5.0)}
            pane.send("Enter")
            wait_for(lambda: "live every" in pane.capture(), 60, "the job screen")
            time.sleep(settle)
            out["job"] = watch(pane, seconds)
        pane.stop_counting()
    finally:
        if pane is not None:
            pane.kill()
        stop_gateway(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    return out


def _median(values: float | list[int]) -> float:
    return float(statistics.median(values)) if isinstance(values, list) and values else 0.0


def run(quick: bool = False) -> list[Result]:
    """CPU % and terminal bytes per minute of an idle cuetui, jobs screen and job screen."""
    figures = measure(quick)
    results: list[Result] = []
    row = figures.get("row", {}).get("bursts", [])
    for screen, what in (("jobs", "jobs screen"), ("job", "job screen")):
        f = figures.get(screen)
        if f is None:
            continue
        cpu, per_min = float(f["cpu_percent"]), float(f["bytes_per_min"])
        burst_list = f["bursts"] if isinstance(f["bursts"], list) else []
        results.append(
            Result(
                "idle",
                f"idle {what}: CPU",
                cpu,
                "%",
                goal="≤ 1 % of a CPU",
                met=cpu <= CPU_GOAL,
                note=f"every process under the pane, over {float(f['wall']):.0f} s"
                + (", frames polled every 2 s" if screen == "job" else ", studio farm frozen"),
            )
        )
        small = [b for b in burst_list if b <= 200]
        big = [b for b in burst_list if b > 200]
        note = f"{len(small)} status-line updates, median {_median(small):.0f} B each"
        if big:
            note += f"; {len(big)} row repaints (cells that show time passing), {sum(big):,} B in all"
        if screen == "jobs" and row:
            changes = ", ".join(f"{size:,} B on {lines} lines" for size, lines in row)
            note += f"; pausing then resuming a job wrote {changes} (its row, counts, status time)"
        results.append(
            Result(
                "idle",
                f"idle {what}: terminal bytes/min",
                per_min,
                "B",
                goal="≤ 4 KB/min",
                met=per_min <= BYTES_GOAL,
                note=note,
            )
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for r in run(quick=args.quick):
        met = "" if r.met is None else (" ✓" if r.met else " ✗")
        print(f"{r.name:<52} {r.figure:>10,.2f} {r.unit:<3} {r.goal}{met} {r.note}")
