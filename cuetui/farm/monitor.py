"""`cuetui monitor`'s logic, apart from any output: per-job progress, what changed, new dead frames,
rolling frames per minute, ETA, when to stop and with which exit status.

The state (`Monitor`) is pure and fed with what the gateway returned plus the time, so it is tested
without an event loop. `poll()` is the one async step: a single GetJobs by ids for every watched job per
interval (however many jobs), and GetFrames for DEAD frames only when a job's dead or failed counters
grew — a quiet job costs one small request per interval.

When does a job end? OpenCue leaves a job with dead frames PENDING forever (until someone retries or eats
them), so "FINISHED" alone would never come. A job has ended when Cuebot says FINISHED, or when nothing is
left to run: no waiting, depend or running frames (the tutorial's Python client stops there too).
Exit status: 0 when every job ended with all its frames succeeded; 1 when one ended with dead or eaten (or
otherwise unfinished) frames, or `--until-dead` saw a dead frame.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cuetui.farm.format import clock_duration, iso_utc, percent
from cuetui.farm.text import safe
from cuetui.gateway.models import Frame, Job

if TYPE_CHECKING:
    from cuetui.gateway.client import GatewayClient

EXIT_OK = 0
EXIT_FAILED = 1

RATE_WINDOW_SECONDS = 300.0  # frames/minute is measured over the last five minutes


@dataclass(frozen=True)
class Progress:
    """The counters of a job that a plain line shows; two equal Progress values mean "nothing changed"."""

    state: str
    paused: bool
    total: int
    succeeded: int
    running: int
    dead: int
    eaten: int
    waiting: int
    depend: int

    @classmethod
    def of(cls, job: Job) -> Progress:
        """The progress of a job from its stats."""
        s = job.stats
        return cls(
            state=job.state,
            paused=job.is_paused,
            total=s.total_frames,
            succeeded=s.succeeded_frames,
            running=s.running_frames,
            dead=s.dead_frames,
            eaten=s.eaten_frames,
            waiting=s.waiting_frames,
            depend=s.depend_frames,
        )

    @property
    def left(self) -> int:
        """Frames still to run: waiting, depending or running."""
        return self.waiting + self.depend + self.running

    @property
    def completed(self) -> int:
        """Frames that left the queue, for good or bad: succeeded, dead, eaten."""
        return self.succeeded + self.dead + self.eaten

    @property
    def percent(self) -> int:
        """Whole percent of frames succeeded."""
        return percent(self.succeeded, self.total)

    @property
    def ended(self) -> bool:
        """FINISHED, or nothing left to run (dead frames keep a job PENDING in OpenCue)."""
        return self.state == "FINISHED" or (self.total > 0 and self.left == 0)

    @property
    def clean(self) -> bool:
        """Every frame succeeded."""
        return self.succeeded >= self.total and self.dead == 0 and self.eaten == 0


@dataclass(frozen=True)
class ProgressEvent:
    """A job's counters changed (or were seen for the first time)."""

    time: float
    job: Job
    progress: Progress
    rate_per_min: float | None
    eta: float | None
    elapsed: float | None


@dataclass(frozen=True)
class DeadFrameEvent:
    """A frame was seen DEAD (for the first time, or again after a retry) by the poll at `time`."""

    time: float
    job: Job
    frame: Frame

    @property
    def died_at(self) -> float:
        """When the frame died: its stop time, or the poll's time when Cuebot did not set one. A dead
        frame's line carries this, not the poll's time: a monitor started an hour after a frame died
        (or polling every few minutes) must not say it died just now."""
        return float(self.frame.stop_time or self.time)


Event = ProgressEvent | DeadFrameEvent


@dataclass
class JobWatch:
    """What the monitor remembers of one job between polls."""

    job: Job
    progress: Progress | None = None
    samples: deque[tuple[float, int]] = field(default_factory=deque)
    dead_seen: dict[str, int] = field(default_factory=dict)  # frame id -> retry count when seen dead
    dead_marker: tuple[int, int] = (0, 0)  # (dead frames, failed count) at the last dead-frame fetch
    dead_frames: list[Frame] = field(default_factory=list)  # newest last, for the TUI
    # Dead at the start: the first dead-frame fetch of a job that had dead frames when first seen says
    # which (frame id, retry count) were already dead; `--until-dead` waits for others.
    existing_pending: bool = False
    existing_dead: set[tuple[str, int]] = field(default_factory=set)
    gone: bool = False  # the gateway no longer returns it

    @property
    def ended(self) -> bool:
        """The job has nothing left to run, or has disappeared."""
        return self.gone or (self.progress is not None and self.progress.ended)

    def rate_per_min(self) -> float | None:
        """Frames completed per minute over the rate window; None until two samples span some time."""
        if len(self.samples) < 2:
            return None
        (t0, c0), (t1, c1) = self.samples[0], self.samples[-1]
        if t1 - t0 < 1.0:
            return None
        return max(0.0, (c1 - c0) * 60.0 / (t1 - t0))

    def eta(self) -> float | None:
        """Seconds until nothing is left to run, from the rolling rate; 0 once ended; None if unknown."""
        if self.progress is None:
            return None
        if self.progress.ended:
            return 0.0
        rate = self.rate_per_min()
        if not rate:
            return None
        return self.progress.left * 60.0 / rate

    def elapsed(self, now: float) -> float | None:
        """Seconds since the job started (until it stopped, once finished)."""
        start = self.job.start_time
        if not start:
            return None
        end = self.job.stop_time if self.job.stop_time and self.job.is_finished else now
        return max(0.0, end - start)


class Monitor:
    """The state of `cuetui monitor` over a set of jobs; feed it gateway answers, read events back."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        until_dead: bool = False,
        include_existing: bool = False,
        window: float = RATE_WINDOW_SECONDS,
    ) -> None:
        self.watches: dict[str, JobWatch] = {job.id: JobWatch(job) for job in jobs}
        self.until_dead = until_dead
        # `until_dead` stops at frames that die after the monitor started; with `include_existing`,
        # also at frames already dead then (the first poll).
        self.include_existing = include_existing
        self.window = window
        self.dead_hit = False

    @property
    def job_ids(self) -> list[str]:
        """Ids of every watched job, in the order given."""
        return list(self.watches)

    def active_ids(self) -> list[str]:
        """Ids of the jobs still worth polling."""
        return [job_id for job_id, watch in self.watches.items() if not watch.ended]

    def observe_job(self, job: Job, now: float) -> list[Event]:
        """Take a fresh copy of a watched job; a ProgressEvent when its counters changed."""
        watch = self.watches.get(job.id)
        if watch is None:
            return []
        watch.job = job
        progress = Progress.of(job)
        samples = watch.samples
        if samples and progress.completed < samples[-1][1]:
            samples.clear()  # frames were retried: the old samples no longer describe this queue
        samples.append((now, progress.completed))
        while len(samples) > 2 and samples[1][0] <= now - self.window:
            samples.popleft()
        if watch.progress is None and progress.dead > 0:
            watch.existing_pending = True
        if progress.dead > 0 and self.until_dead and self.include_existing:
            self.dead_hit = True
        if progress.dead == 0:
            # Nothing dead now: a frame that dies later is news even if its counters return to old values.
            watch.dead_marker = (0, job.stats.failed_frame_count)
        if progress == watch.progress:
            return []
        watch.progress = progress
        return [ProgressEvent(now, job, progress, watch.rate_per_min(), watch.eta(), watch.elapsed(now))]

    def observe_missing(self, job_id: str) -> None:
        """The gateway no longer knows a watched job (deleted or archived): stop polling it."""
        if job_id in self.watches:
            self.watches[job_id].gone = True

    def wants_dead_frames(self, job_id: str, job: Job | None = None) -> bool:
        """True when the job's dead or failed counters (of `job`, a fresh copy, else the last one seen)
        grew since its dead frames were last fetched. Pure: changes nothing."""
        watch = self.watches[job_id]
        s = (job or watch.job).stats
        if s.dead_frames <= 0:
            return False
        dead, failed = watch.dead_marker
        return s.dead_frames > dead or s.failed_frame_count > failed

    def observe_dead_frames(self, job_id: str, frames: Iterable[Frame], now: float) -> list[Event]:
        """Take the job's current DEAD frames; a DeadFrameEvent for each not seen dead before (a frame
        retried and dead again counts as new). `until_dead` fires on a frame that was not already dead
        in the job's first fetch (unless `include_existing`)."""
        frames = list(frames)
        watch = self.watches[job_id]
        s = watch.job.stats
        watch.dead_marker = (s.dead_frames, s.failed_frame_count)
        if watch.existing_pending:
            watch.existing_pending = False
            watch.existing_dead = {(f.id, f.retry_count) for f in frames if f.state == "DEAD"}
        events: list[Event] = []
        new_death = False
        # In the order they died, so the lines (stamped with their time of death) read in time order.
        for frame in sorted(frames, key=lambda f: (f.stop_time or now, f.name)):
            if frame.state != "DEAD":
                continue
            if watch.dead_seen.get(frame.id) == frame.retry_count:
                continue
            watch.dead_seen[frame.id] = frame.retry_count
            watch.dead_frames.append(frame)
            events.append(DeadFrameEvent(now, watch.job, frame))
            new_death = new_death or (frame.id, frame.retry_count) not in watch.existing_dead
        if self.until_dead and (new_death or (events and self.include_existing)):
            self.dead_hit = True
        del watch.dead_frames[:-200]  # the TUI shows the latest; keep memory bounded on a dying job
        return events

    @property
    def finished(self) -> bool:
        """True when the monitor should stop: every job ended, or `--until-dead` saw a dead frame."""
        if self.dead_hit:
            return True
        return all(watch.ended for watch in self.watches.values())

    def exit_status(self) -> int:
        """0 when every job ended clean; 1 when one has dead/eaten/unfinished frames or until-dead hit."""
        if self.dead_hit:
            return EXIT_FAILED
        for watch in self.watches.values():
            if watch.progress is None or not watch.progress.clean:
                return EXIT_FAILED
        return EXIT_OK

    def summary(self) -> str:
        """One line saying how the monitored jobs ended."""
        total = len(self.watches)
        if self.dead_hit:
            return f"stopped at the first dead frame ({total} job{'s' if total != 1 else ''} watched)"
        bad = [w for w in self.watches.values() if w.progress is None or not w.progress.clean]
        if not bad:
            return f"all frames succeeded ({total} job{'s' if total != 1 else ''})"
        return f"{len(bad)} of {total} job{'s' if total != 1 else ''} ended with dead, eaten or unfinished frames"


async def poll(client: GatewayClient, monitor: Monitor, now: float, *, ended_too: bool = False) -> list[Event]:
    """One monitoring step: fetch every active job (every job with `ended_too`, to notice a retry) at
    once, then the dead frames of the jobs that need it. Raises GatewayError when the gateway fails (the
    caller backs off)."""
    from cuetui.gateway.requests import FrameSearch, JobSearch

    ids = monitor.job_ids if ended_too else monitor.active_ids()
    if not ids:
        return []
    # Everything is fetched before the monitor is told anything: a call that fails half-way leaves the
    # state as it was, so the retried poll reports the same changes instead of losing them.
    jobs = await client.get_jobs(JobSearch(ids=ids, include_finished=True))
    by_id = {job.id: job for job in jobs}
    dead: dict[str, list[Frame]] = {}
    for job_id in ids:
        job = by_id.get(job_id)
        if job is not None and monitor.wants_dead_frames(job_id, job):
            search = FrameSearch(states=["DEAD"])
            dead[job_id] = await client.get_all_frames(job_id, search, expected=job.stats.dead_frames)
    events: list[Event] = []
    for job_id in ids:
        job = by_id.get(job_id)
        if job is None:
            monitor.observe_missing(job_id)
            continue
        events.extend(monitor.observe_job(job, now))
    for job_id, frames in dead.items():
        events.extend(monitor.observe_dead_frames(job_id, frames, now))
    # In time order: frames that died before this poll come before its progress lines.
    events.sort(key=line_time)
    return events


# --- plain and JSON lines ----------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A farm string as one `key=value` token: as is when simple, else JSON-quoted."""
    text = safe(text)
    if text and not any(ch.isspace() or ch in '"=' for ch in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def line_time(event: Event) -> float:
    """When an event happened, for its line: a dead frame's time of death (never after the poll that
    saw it: a farm clock ahead of ours must not stamp lines in the future), else the poll's time."""
    if isinstance(event, DeadFrameEvent):
        return min(event.died_at, event.time)
    return event.time


def plain_line(event: Event, at: float | None = None) -> str:
    """The plain-text line for an event: no colours, no escape sequences, names made safe. A dead
    frame's line is stamped with its time of death; stamped later (`at`, to keep a stream of lines in
    time order), it says `died=` as well."""
    stamp = line_time(event) if at is None else at
    if isinstance(event, DeadFrameEvent):
        f = event.frame
        died = iso_utc(event.died_at)
        return (
            f"{iso_utc(stamp)} job={_quoted(event.job.name)} frame={_quoted(f.name)} state=DEAD "
            f"exit={f.exit_status} host={_quoted(f.host) if f.host else '-'} retries={f.retry_count}"
            + (f" died={died}" if died != iso_utc(stamp) else "")
        )
    p = event.progress
    parts = [
        f"{iso_utc(stamp)} job={_quoted(event.job.name)} state={p.state}",
        f"done={p.succeeded}/{p.total} ({p.percent}%)",
        f"running={p.running}",
        f"dead={p.dead}",
    ]
    if p.eaten:
        parts.append(f"eaten={p.eaten}")
    if p.paused:
        parts.append("paused=yes")
    if event.rate_per_min is not None:
        parts.append(f"rate={event.rate_per_min:.1f}/min")
    parts.append(f"eta={clock_duration(event.eta) if event.eta is not None else '?'}")
    return " ".join(parts)


def json_event(event: Event) -> dict[str, Any]:
    """The `--json` object for an event (one per line). Keys are documented in the command's help. A
    dead frame's `time` / `epoch` are its time of death; `seen` is when the monitor noticed it."""
    when = event.died_at if isinstance(event, DeadFrameEvent) else event.time
    base: dict[str, Any] = {
        "time": iso_utc(when),
        "epoch": round(when, 3),
        "job": event.job.name,
        "job_id": event.job.id,
    }
    if isinstance(event, DeadFrameEvent):
        f = event.frame
        return {
            **base,
            "event": "dead_frame",
            "seen": iso_utc(event.time),
            "frame": f.name,
            "frame_id": f.id,
            "layer": f.layer_name,
            "number": f.number,
            "exit_status": f.exit_status,
            "host": f.host,
            "retry_count": f.retry_count,
            "stop_time": f.stop_time,
        }
    p = event.progress
    return {
        **base,
        "event": "progress",
        "state": p.state,
        "paused": p.paused,
        "total": p.total,
        "succeeded": p.succeeded,
        "running": p.running,
        "dead": p.dead,
        "eaten": p.eaten,
        "waiting": p.waiting,
        "depend": p.depend,
        "percent": p.percent,
        "ended": p.ended,
        "rate_per_min": None if event.rate_per_min is None else round(event.rate_per_min, 2),
        "eta_seconds": None if event.eta is None else round(event.eta),
        "elapsed_seconds": None if event.elapsed is None else round(event.elapsed),
    }
