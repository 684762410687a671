"""Frame logs of the simulated farm: RQD-style ``.rqlog`` files, rotated per attempt, and Loki streams.

Every frame a client can see as started has ``<job.logDir>/<job.name>.<frame.name>.rqlog`` on disk by
the time the response that shows it is sent: files are written when a frame starts or ends after launch,
and history (frames that ran before the server started) is materialised lazily, the first time a frame
is returned by any RPC or its proc is listed. Huge-profile compromise: one request writes at most 200
history logs itself and queues the rest, which the scheduler tick writes (100 per tick, 1000 a second),
so a client paging a 50 000-frame job can briefly see a SUCCEEDED frame whose file is not there yet.
Older attempts are ``.rqlog.1`` (first attempt),
``.rqlog.2``..., as RQD renames them. A log's text is a deterministic function of the seed, the frame and
the attempt, so the same seed gives the same logs.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from cuetui.demo.timeouts import TIMEOUT_KILLS

if TYPE_CHECKING:
    from cuetui.demo.model import Host, Job, Proc

BODY_LINES = 30
_BAR = "=" * 59

_ERRORS = {
    1: "ERROR: [kick] failed to open texture '/shots/assets/tex/ground_diffuse.1042.tx': No such file",
    2: "ERROR: [nuke] license checkout failed: no nuke_r license available",
    137: "ERROR: process killed by the OOM killer (memory limit exceeded)",
    139: "ERROR: Segmentation fault (core dumped) in libai.so",
    299: "Frame cleared by the system",
    399: "ERROR: host went down while the frame was running",
}


def _ctime(t: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(t))


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


DEFAULT_LOG_ROOT = "/tmp/cuetui-demo"  # where logs go when the farm was given no log root


def log_root(farm: Any) -> str:
    """The directory every log file of `farm` is written under."""
    return str(getattr(farm, "log_root", "") or DEFAULT_LOG_ROOT)


def reroot(root: str, log_dir: str) -> str:
    """A logDir from a scenario or a capture, placed under `root`: an absolute one keeps its path
    below the root (`/shows/a/logs` -> `ROOT/shows/a/logs`), `..` and `.` parts are dropped. One that is
    already inside the root stays as it is. Replaying a capture so never writes into the real tree."""
    if os.path.isabs(log_dir) and _within(os.path.realpath(root), os.path.realpath(log_dir)):
        return os.path.normpath(log_dir)
    parts = [p for p in log_dir.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return os.path.join(root, *parts)


def _within(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def inside_log_root(farm: Any, path: str) -> bool:
    """True when `path`, symlinks resolved, is inside the farm's log root (where writing is allowed)."""
    root = os.path.realpath(log_root(farm))
    return _within(root, os.path.realpath(path))


class Attempt:
    """What a log needs to know about one run of a frame."""

    __slots__ = ("end", "exit_status", "host", "kill_message", "number", "start")

    def __init__(
        self,
        number: int,
        start: float,
        end: float | None,
        host: str,
        exit_status: int,
        kill_message: str = "",
    ) -> None:
        self.number = number
        self.start = start
        self.end = end
        self.host = host
        self.exit_status = exit_status
        self.kill_message = kill_message


class Farm(Protocol):
    """What the log writer reads of the farm that owns it (`cuetui.demo.farm.Farm`)."""

    seed: int
    hosts: list[Host]
    procs: dict[tuple[int, int], Proc]

    def now(self) -> float:
        """The farm clock, epoch seconds."""


class LogWriter:
    """Writes and grows the log files of one farm."""

    def __init__(self, farm: Farm) -> None:
        self.farm = farm
        self._growing: deque[Proc] = deque()
        self._dirs: set[str] = set()
        self.enabled = True
        # At most this many history logs are written while answering one request (None: no limit); the
        # rest are queued and written by the scheduler tick. Only the huge profile sets a limit.
        self.sync_limit: int | None = None
        self._backlog: deque[tuple[Job, int]] = deque()
        self._written_this_request = 0

    # --- content ---------------------------------------------------------------------------------
    def attempts(self, job: Job, i: int) -> list[Attempt]:
        """Every started attempt of frame i, oldest first."""
        farm = self.farm
        count = job.f_attempts[i]
        if count <= 0:
            return []
        host_index = job.f_host[i]
        hosts = farm.hosts
        host_name = hosts[host_index].name if 0 <= host_index < len(hosts) else "localhost"
        layer = job.layers[job.f_layer[i]]
        proc = farm.procs.get((job.index, i))
        current_end = None if proc is not None or job.f_stop[i] == 0 else float(job.f_stop[i])
        out = []
        for k in range(1, count):
            d = layer.base_seconds
            start = job.f_start[i] - (count - k) * (d + 30)
            other = hosts[(max(host_index, 0) + k) % len(hosts)].name if hosts else host_name
            out.append(Attempt(k, start, start + d * 0.6, other, 1))
        out.append(Attempt(count, float(job.f_start[i]), current_end, host_name, job.f_exit[i]))
        return out

    def lines(
        self,
        job: Job,
        i: int,
        attempt: Attempt,
        body_lines: int | None = None,
        footer: bool = True,
        planned: float | None = None,
    ) -> list[tuple[float, str]]:
        """(time, text) lines of one attempt's log; running attempts stop after `body_lines`.

        Lines are stamped with the farm's times: the body spread over the run as it was planned
        (`planned` seconds, the proc's duration, when the run is or was live; else start to end), never
        past the attempt's end; the footer's maxrss is the frame's maxRss for its latest attempt (an
        older attempt's is never above it)."""
        farm = self.farm
        layer = job.layers[job.f_layer[i]]
        # Cheap deterministic pseudo-random numbers (a Random per log costs more than the log).
        base = hash((farm.seed, job.index, i, attempt.number)) & 0xFFFFFFFF

        def rnd(k: int, lo: int, hi: int) -> int:
            return lo + ((base ^ (k * 0x9E3779B1)) * 2654435761 >> 7) % (hi - lo + 1)

        start = attempt.start
        live = planned if planned is not None and 0 < planned < float("inf") else None
        end = attempt.end if attempt.end is not None else start + (live or layer.base_seconds)
        frame = job.frame_name(i)
        path = job.log_path(i)
        command = layer.command or f"render {job.name} {frame}"
        header = [
            _BAR,
            f"RenderQ JobSpec      {_ctime(start)}",
            "",
            f"proxy                rqd.rqnetwork.RunningFrame/{job.frame_id(i)}",
            f"command              {command}",
            f"uid                  {job.uid or 0}",
            "gid                  20",
            f"logDestination       {path}",
            f"cwd                  /tmp/{job.name}/{frame}",
            f"renderHost           {attempt.host}",
            f"jobId                {job.id}",
            f"frameId              {job.frame_id(i)}",
            f"env                  CUE_SHOW={job.show.name} CUE_SHOT={job.shot} CUE_USER={job.user}",
            _BAR,
        ]
        out = [(start, text) for text in header]
        failed = attempt.end is not None and attempt.exit_status not in (0, -1)
        total = BODY_LINES // 2 if failed else BODY_LINES
        n = total if body_lines is None else min(body_lines, total)
        span = max(1.0, end - start)
        body_span = live or span
        rss = self._rss(job, i, attempt, rnd(4, 800_000, 9_000_000))
        for k in range(n):
            t = start + body_span * (k + 1) / (total + 1)
            if attempt.end is not None:
                t = min(t, attempt.end)
            if k == 0:
                text = f"[{_stamp(t)}] INFO  | loading scene for {frame} ({layer.name})"
            elif k == 1:
                text = f"[{_stamp(t)}] INFO  | {rnd(1, 200, 4000)} objects, {rnd(2, 20, 300)} textures"
            else:
                pct = int(100 * k / total)
                mem = rss * rnd(k + 10, 30, 100) // 102400  # MB, 30..100 % of the peak
                text = f"[{_stamp(t)}] INFO  | {pct:3d}% done, {rnd(3, 1, 64)} threads, mem {mem} MB"
            out.append((t, text))
        if footer and attempt.end is not None:
            if failed and attempt.kill_message in TIMEOUT_KILLS:
                pass  # killed by RQD part way through: the output just stops
            elif failed:
                out.append((end, f"[{_stamp(end)}] {_ERRORS.get(attempt.exit_status, _ERRORS[1])}"))
            else:
                out.append((end, f"[{_stamp(end)}] INFO  | render done, wrote /shots/out/{job.name}.{frame}.exr"))
            signalled = attempt.exit_status == 137 or attempt.kill_message in TIMEOUT_KILLS
            footer_lines = [
                "",
                _BAR,
                "RenderQ Job Complete",
                "",
                f"exitStatus          {attempt.exit_status}",
                f"exitSignal          {9 if signalled else 0}",
            ]
            if attempt.kill_message:
                footer_lines.append(f"killMessage         {attempt.kill_message}")
            footer_lines += [
                f"startTime           {_ctime(start)}",
                f"endTime             {_ctime(end)}",
                f"maxrss              {rss}",
                "maxUsedGpuMemory    0",
                f"utime               {int(span * 0.9)}",
                f"stime               {int(span * 0.05)}",
                f"renderhost          {attempt.host}",
                f"maxrss (KB)         {rss}",
                _BAR,
            ]
            out += [(end, text) for text in footer_lines]
        return out

    def _rss(self, job: Job, i: int, attempt: Attempt, drawn: int) -> int:
        """The attempt's peak memory (KB): the frame's maxRss for its latest attempt (while it runs, what
        the proc will report at its end), never above it for an older one; the body's "mem" stays below."""
        frame_rss = job.f_rss[i]
        if attempt.number < job.f_attempts[i]:
            return min(drawn, frame_rss) if frame_rss else drawn
        proc = self.farm.procs.get((job.index, i)) if attempt.end is None else None
        if proc is not None:
            return max(frame_rss, int(proc.used_memory * 1.1))
        return frame_rss

    def text(self, job: Job, i: int, attempt: Attempt, body_lines: int | None = None) -> str:
        return "".join(line + "\n" for _, line in self.lines(job, i, attempt, body_lines))

    def _planned(self, proc: Proc) -> float | None:
        """The run's planned length in farm seconds (None when it never ends by itself)."""
        duration = proc.duration
        if proc.end_at != float("inf"):
            duration = proc.end_at - proc.job.f_start[proc.frame]
        return duration if 0 < duration < float("inf") else None

    # --- files -----------------------------------------------------------------------------------
    def _write(self, path: str, text: str, mode: str = "w") -> None:
        if not inside_log_root(self.farm, path):
            return  # a name with "../" (or a symlink in the tree) pointing out of the log root
        parent = os.path.dirname(path)
        if parent and parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        with open(path, mode, encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)

    def _progress_lines(self, proc: Proc) -> int:
        elapsed = self.farm.now() - proc.job.f_start[proc.frame]
        frac = min(0.97, max(0.0, elapsed / proc.duration)) if proc.duration > 0 else 0.0
        return int(frac * BODY_LINES)

    def begin_request(self) -> None:
        """Reset the per-request budget of synchronous history writes."""
        self._written_this_request = 0

    def drain_backlog(self, budget: int = 100) -> None:
        """Write queued history logs, a bounded number per tick."""
        for _ in range(min(budget, len(self._backlog))):
            job, i = self._backlog.popleft()
            self._materialize(job, i)

    def materialize(self, job: Job, i: int) -> None:
        """Make sure every started attempt of frame i has its file (cheap when already done)."""
        if not self.enabled or not job.log_dir or job.f_attempts[i] <= 0:
            return
        if self.sync_limit is not None and self._written_this_request >= self.sync_limit:
            self._backlog.append((job, i))
            return
        self._materialize(job, i)

    def _materialize(self, job: Job, i: int) -> None:
        farm = self.farm
        proc = farm.procs.get((job.index, i))
        if proc is not None:
            if proc.log_lines >= 0:
                return
        elif job.f_logged[i]:
            return
        self._written_this_request += 1
        attempts = self.attempts(job, i)
        path = job.log_path(i)
        for attempt in attempts[:-1]:
            old = f"{path}.{attempt.number}"
            if not os.path.exists(old):
                self._write(old, self.text(job, i, attempt))
        current = attempts[-1]
        if proc is not None:
            n = self._progress_lines(proc)
            lines = self.lines(job, i, current, n, footer=False, planned=self._planned(proc))
            self._write(path, "".join(t + "\n" for _, t in lines))
            proc.log_lines = n
            self._growing.append(proc)
        else:
            if not os.path.exists(path):
                self._write(path, self.text(job, i, current))
            job.f_logged[i] = 1

    def frame_started(self, job: Job, i: int, proc: Proc) -> None:
        """A new attempt: rotate the previous file to .N and start a fresh one with the header."""
        if not self.enabled or not job.log_dir:
            return
        path = job.log_path(i)
        attempts = self.attempts(job, i)
        previous = len(attempts) - 1
        # The main file, when there is one, is the previous attempt's: it becomes .<previous>, as RQD
        # renames it. Older attempts never looked at (history) are written now so .1 ... stay complete.
        for older in attempts[:-1]:
            target = f"{path}.{older.number}"
            if os.path.exists(target):
                continue
            if older.number == previous and os.path.exists(path):
                os.replace(path, target)
            else:
                self._write(target, self.text(job, i, older))
        if os.path.exists(path):  # a scenario's stray file: keep it under the first free number
            n = 1
            while os.path.exists(f"{path}.{n}"):
                n += 1
            os.replace(path, f"{path}.{n}")
        attempt = attempts[-1]
        lines = self.lines(job, i, attempt, 0, footer=False, planned=self._planned(proc))
        self._write(path, "".join(t + "\n" for _, t in lines))
        proc.log_lines = 0
        self._growing.append(proc)

    def frame_finished(self, job: Job, i: int, proc: Proc, exit_status: int, kill_message: str) -> None:
        """Complete the current attempt's file with the rest of the output and the footer."""
        if not self.enabled or not job.log_dir:
            return
        attempt = self.attempts(job, i)[-1]
        attempt.end = float(job.f_stop[i])
        attempt.exit_status = exit_status
        attempt.kill_message = kill_message
        path = job.log_path(i)
        lines = self.lines(job, i, attempt, planned=self._planned(proc))
        if proc.log_lines < 0 or not os.path.exists(path):
            self._write(path, "".join(t + "\n" for _, t in lines))
        else:
            header = 14
            # A failed attempt's log has half the body of a running one: when more than that was
            # written, append from its last line (the error), never past it.
            failed = exit_status not in (0, -1)
            last = header + (BODY_LINES // 2 if failed else BODY_LINES)
            done = min(header + proc.log_lines, last)
            self._write(path, "".join(t + "\n" for _, t in lines[done:]), mode="a")
        proc.log_lines = -2
        job.f_logged[i] = 1

    def grow_running(self, budget: int = 25) -> None:
        """Append newly produced lines to the logs of running frames, a bounded number per tick."""
        farm = self.farm
        for _ in range(min(budget, len(self._growing))):
            proc = self._growing.popleft()
            if proc.log_lines < 0 or farm.procs.get((proc.job.index, proc.frame)) is not proc:
                continue
            n = self._progress_lines(proc)
            if n > proc.log_lines:
                job, i = proc.job, proc.frame
                attempt = self.attempts(job, i)[-1]
                lines = self.lines(job, i, attempt, n, footer=False, planned=self._planned(proc))
                self._write(job.log_path(i), "".join(t + "\n" for _, t in lines[14 + proc.log_lines :]), mode="a")
                proc.log_lines = n
            self._growing.append(proc)

    # --- Loki ------------------------------------------------------------------------------------
    def loki_streams(self, job: Job, i: int) -> list[dict[str, Any]]:
        """One Loki stream per attempt: labels as RQD writes them, values [[ns, line], ...]."""
        out = []
        for attempt in self.attempts(job, i):
            proc = self.farm.procs.get((job.index, i))
            body = self._progress_lines(proc) if proc is not None and attempt.end is None else None
            planned = self._planned(proc) if proc is not None and attempt.end is None else None
            lines = self.lines(job, i, attempt, body, planned=planned)
            labels = {
                "frame_id": job.frame_id(i),
                "session_start_time": str(int(attempt.start)),
                "job_name": job.name,
                "frame_name": job.frame_name(i),
                "host": attempt.host,
                "username": job.user,
            }
            values = [[str(int(t * 1e9) + k), text] for k, (t, text) in enumerate(lines)]
            out.append({"stream": labels, "values": values})
        return out
