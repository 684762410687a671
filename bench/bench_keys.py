"""Key to screen: how long a keypress takes to show the next screen in a real terminal (README Performance,
row 6 of the goals: switching screens ≤ 100 ms, opening a job ≤ 150 ms, p50 of 20).

`cuetui demo-gateway --profile studio --speed 0` (a frozen farm) runs as a child process; `cuetui` runs
against it in a detached 160×48 tmux pane on a tmux server of its own (bench_idle's `Pane`). Once the
jobs table is up and has settled, each sample sends one key with `tmux send-keys` and reads the pane
with `tmux capture-pane` in a loop until the new screen's marker text is on it (and the old screen's
is gone); the clock starts just before the key is sent. What a sample includes: tmux passing the key,
cuetui's handling of it, building or resuming the screen, its layout and paint, tmux taking the
output, and one capture (a few ms: the resolution of the figure).

- switch screens: `3` (hosts screen: its title " Hosts · ") then `2` back (" Jobs · "), 20 of each;
  the first `3` of all builds the hosts screen and is reported on its own (the others resume it).
- open a job: `enter` on the first job of the table, until the job screen is shown (its layers
  table's header) and until it is populated (the name of the job's first frame in the frames
  table); `escape` back to the jobs screen. 20 of each.

The p50 (median) is the figure, the p90 and the worst are in the note, with the load average and the
CPU cuetui's process used from the key to the screen (user + system from /proc, 10 ms ticks, so the
mean of the samples): on a machine shared with other work the wall time is mostly waiting for a core,
the CPU says what cuetui itself spent.

Usage: python -m bench.bench_keys [--quick]     (--quick: 5 samples each)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.bench_idle import Pane, wait_for
from bench.bench_startup import process_cpu
from bench.common import Result, start_gateway, stop_gateway, token

SAMPLES = 20
TIMEOUT = 30.0  # seconds a screen may take before the sample is called a failure
JOBS_MARK = " Jobs · "
HOSTS_MARK = " Hosts · "
JOB_SHOWN_MARK = "done/total"  # the job screen's layers table header (at any width)


def _post(url: str, path: str, body: dict[str, object]) -> dict[str, object]:
    answer = httpx.post(url + path, json=body, headers={"Authorization": "Bearer " + token()}, timeout=60)
    answer.raise_for_status()
    return dict(answer.json())


def first_job_and_frame(url: str) -> tuple[str, str]:
    """The job the jobs table shows first (by name, active jobs) and the name of its first frame."""
    jobs = _post(url, "/job.JobInterface/GetJobs", {"r": {"includeFinished": False}})["jobs"]["jobs"]  # type: ignore[index]
    job = min(jobs, key=lambda j: (j["name"], j["id"]))
    page = _post(url, "/job.JobInterface/GetFrames", {"job": {"id": job["id"]}, "req": {"page": 1, "limit": 1}})
    frames = page["frames"]["frames"]  # type: ignore[index]
    return str(job["name"]), str(frames[0]["name"])


def _first_line(screen: str) -> str:
    return screen.split("\n", 1)[0]


def timed_key(
    pane: Pane, key: str, done: Callable[[str], bool], marks: dict[str, Callable[[str], bool]] | None = None
) -> dict[str, float]:
    """Send `key`; seconds until `done(screen)` holds (as "done"), and until each of `marks` first held;
    and the CPU seconds cuetui used until then ("cpu", "<mark>_cpu")."""
    seen: dict[str, float] = {}
    cpu = process_cpu(pane.pane_pid)
    start = time.perf_counter()
    pane.send(key)
    while True:
        screen = pane.capture()
        now = time.perf_counter() - start
        for name, test in (marks or {}).items():
            if name not in seen and test(screen):
                seen[name] = now
                seen[name + "_cpu"] = process_cpu(pane.pane_pid) - cpu
        if done(screen):
            seen["done"] = now
            seen["cpu"] = process_cpu(pane.pane_pid) - cpu
            for name in marks or {}:
                seen.setdefault(name, now)
                seen.setdefault(name + "_cpu", seen["cpu"])
            return seen
        if now > TIMEOUT:
            raise RuntimeError(f"key {key!r}: the screen did not change in {TIMEOUT:.0f} s:\n{screen}")


def measure(samples: int) -> dict[str, list[float]]:
    """Seconds per sample of each kind (see the module docstring)."""
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is needed for this benchmark")
    proc, url = start_gateway("studio")
    workdir = Path(tempfile.mkdtemp(prefix="cuetui-bench-keys-"))
    pane = None
    out: dict[str, list[float]] = {
        "first_hosts": [],
        "to_hosts": [],
        "to_jobs": [],
        "job_shown": [],
        "job_rows": [],
        "job_back": [],
    }
    cpu: dict[str, list[float]] = {key: [] for key in out}
    try:
        job_name, frame_name = first_job_and_frame(url)
        pane = Pane(url, workdir)
        wait_for(lambda: job_name[:30] in pane.capture() and "updated" in pane.capture(), 120, "the jobs table")
        time.sleep(3)  # the first polls and paints are over

        def on_jobs(screen: str) -> bool:
            return _first_line(screen).startswith(JOBS_MARK) and job_name[:30] in screen

        def on_hosts(screen: str) -> bool:
            return _first_line(screen).startswith(HOSTS_MARK)

        def job_shown(screen: str) -> bool:
            return JOB_SHOWN_MARK in screen and not _first_line(screen).startswith(JOBS_MARK)

        def job_rows(screen: str) -> bool:
            return job_shown(screen) and f" {frame_name} " in screen

        def sample(kind: str, key: str, test: Callable[[str], bool]) -> None:
            seen = timed_key(pane, key, test)
            out[kind].append(seen["done"])
            cpu[kind].append(seen["cpu"])

        sample("first_hosts", "3", on_hosts)
        sample("to_jobs", "2", on_jobs)
        for _ in range(samples):
            time.sleep(0.3)
            sample("to_hosts", "3", on_hosts)
            time.sleep(0.3)
            sample("to_jobs", "2", on_jobs)
        for _ in range(samples):
            time.sleep(0.3)
            seen = timed_key(pane, "Enter", job_rows, {"shown": job_shown})
            out["job_shown"].append(seen["shown"])
            out["job_rows"].append(seen["done"])
            cpu["job_rows"].append(seen["cpu"])
            cpu["job_shown"].append(seen["shown_cpu"])
            time.sleep(0.3)
            sample("job_back", "Escape", on_jobs)
    finally:
        if pane is not None:
            pane.kill()
        stop_gateway(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    out.update({f"{key}_cpu": values for key, values in cpu.items()})
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(quick: bool = False) -> list[Result]:
    """The p50 of each kind of key, in ms."""
    load = os.getloadavg()[0]
    t = measure(5 if quick else SAMPLES)
    load = max(load, os.getloadavg()[0])
    results = []
    rows = (
        ("to_hosts", "key to screen: 3 (jobs → hosts screen)", 100.0),
        ("to_jobs", "key to screen: 2 (hosts → jobs screen)", 100.0),
        ("job_shown", "key to screen: enter (open a job: the job screen shown)", 150.0),
        ("job_rows", "key to screen: enter (open a job: its frames on screen)", None),
        ("job_back", "key to screen: escape (job → jobs screen)", 100.0),
    )
    for key, name, goal in rows:
        values = [v * 1000 for v in t[key]]
        p50 = statistics.median(values)
        note = (
            f"p50 of {len(values)}; p90 {_p(values, 0.9):.0f} ms, worst {max(values):.0f} ms; load average {load:.1f}"
        )
        cpu = t.get(f"{key}_cpu")
        if cpu:
            note += f"; cuetui's CPU meanwhile {statistics.mean(cpu) * 1000:.0f} ms (mean)"
        if key == "to_hosts":
            note += f"; the first 3 of all (building the hosts screen) {t['first_hosts'][0] * 1000:.0f} ms"
        results.append(
            Result(
                "keys",
                name,
                p50,
                "ms",
                goal=f"≤ {goal:.0f} ms" if goal else "",
                met=None if goal is None else p50 <= goal,
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
        print(f"{r.name:<60} {r.figure:>8,.0f} {r.unit:<3} {r.goal}{met}  {r.note}")
