"""The simulated farm: state, a seeded scheduler, Cuebot-like actions and queries (no HTTP here).

Storage is compact: a job keeps its frames in parallel arrays (state, retries, exit status, times, host),
frame names are computed (``f"{number:04d}-{layer}"``) and generated frame ids are parsed back to indices
(`cuetui.demo.ids`), so a 300 000-frame farm costs a few tens of MB.

Query API for tests (run it on the server thread with ``DemoGatewayThread.run(fn)``)::

    farm.find_job(name_or_id) -> JobView    # .id .name .state ("PENDING"/"FINISHED") .is_paused .priority
                                            # .min_cores .max_cores .comments .layers .user .show.name
                                            # .frame_states() -> {frame name: state name}
                                            # .frame_state(frame name) -> state name
                                            # .stats() -> {"waiting": n, "running": n, "dead": n, ...}
                                            # .frame_index(name) -> int | None, .frame_name(i), .log_path(i)
                                            # .job -> the raw Job (enum fields as ints)
    farm.find_host(name_or_id) -> HostView  # .state .lock_state (names) .procs .idle_cores .comments .name
    farm.find_show(name_or_id) -> Show
    farm.jobs / farm.hosts / farm.shows     # raw lists (Job.state is an int; JOB_STATES[...] names it)
    farm.now()                              # the farm clock (epoch seconds, float)
    farm.check_invariants()                 # raises AssertionError if stats disagree with frames

Timestamps are on the farm clock (`FarmClock`): ``epoch + (monotonic() - start) + skew``. ``speed``
scales how fast frames run and events happen, never the clock; speed 0 freezes dispatch and random
events, while client actions still apply (`apply_due`, called by the server every 100 ms).
"""

from __future__ import annotations

import functools
import heapq
import os
import random
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cuetui import schema
from cuetui.demo import ids
from cuetui.demo.logs import LogWriter


def _numbers(enum: str, names: str) -> list[int]:
    """The schema's numbers of some values of an enum (the farm stores enum values as numbers)."""
    numbers = schema.enum_numbers(enum)
    return [numbers[name] for name in names.split()]


# Names by number, from the schema table; Job.state, Host.state... hold the numbers.
FRAME_STATES = schema.enum_names("job.FrameState")
WAITING, SETUP, RUNNING, SUCCEEDED, DEPEND, DEAD, EATEN, CHECKPOINT = _numbers(
    "job.FrameState", "WAITING SETUP RUNNING SUCCEEDED DEPEND DEAD EATEN CHECKPOINT"
)
JOB_STATES = schema.enum_names("job.JobState")
PENDING, FINISHED = _numbers("job.JobState", "PENDING FINISHED")
HARDWARE_STATES = schema.enum_names("host.HardwareState")
UP, DOWN, REBOOTING, REBOOT_WHEN_IDLE, REPAIR = _numbers(
    "host.HardwareState", "UP DOWN REBOOTING REBOOT_WHEN_IDLE REPAIR"
)
LOCK_STATES = schema.enum_names("host.LockState")
OPEN, LOCKED, NIMBY_LOCKED = _numbers("host.LockState", "OPEN LOCKED NIMBY_LOCKED")
LAYER_TYPES = schema.enum_names("job.LayerType")
THREAD_MODES = schema.enum_names("host.ThreadMode")
GB = 1048576  # KB, as Cuebot counts


class FarmClock:
    """Epoch seconds on the farm: a fixed or current epoch plus monotonic time elapsed, plus a skew."""

    def __init__(self, epoch: float | None = None, skew: float = 0.0) -> None:
        self._start = time.monotonic()
        self.epoch = time.time() if epoch is None else float(epoch)
        self.skew = skew

    def now(self) -> float:
        """The current farm time."""
        return self.epoch + (time.monotonic() - self._start) + self.skew

    def monotonic(self) -> float:
        """Seconds since the clock was made (for uptime-based faults and action delays)."""
        return time.monotonic() - self._start


class ManualClock(FarmClock):
    """A clock that only moves when told to: for property tests of the scheduler."""

    def __init__(self, epoch: float = 1_767_225_600.0) -> None:
        super().__init__(epoch)
        self.elapsed = 0.0

    def now(self) -> float:
        return self.epoch + self.elapsed + self.skew

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.elapsed += seconds


@dataclass(eq=False)
class Comment:
    """A job or host comment."""

    id: str
    timestamp: int
    user: str
    subject: str
    message: str


@dataclass(eq=False)
class Show:
    """A show and its settings; stats are computed from its jobs."""

    index: int
    id: str
    name: str
    default_min_cores: float = 1.0
    default_max_cores: float = 200.0
    comment_email: str = ""
    booking_enabled: bool = True
    dispatch_enabled: bool = True
    active: bool = True
    default_min_gpus: float = 0.0
    default_max_gpus: float = 100.0
    scheduler_managed: bool = False
    created_job_count: int = 0


@dataclass(eq=False)
class RunStats:
    """History counters of a job or layer (what finished frames cost)."""

    rendered_frame_count: int = 0
    failed_frame_count: int = 0
    rendered_core_sec: int = 0
    failed_core_sec: int = 0
    max_rss: int = 0
    high_frame_sec: int = 0
    low_frame_sec: int = 0
    total_frame_sec: int = 0
    reserved_cores: float = 0.0

    def record(self, seconds: int, cores: float, rss: int, succeeded: bool) -> None:
        core_sec = int(seconds * cores)
        if succeeded:
            self.rendered_frame_count += 1
            self.rendered_core_sec += core_sec
            self.total_frame_sec += seconds
            self.high_frame_sec = max(self.high_frame_sec, seconds)
            self.low_frame_sec = seconds if self.low_frame_sec == 0 else min(self.low_frame_sec, seconds)
        else:
            self.failed_frame_count += 1
            self.failed_core_sec += core_sec
        self.max_rss = max(self.max_rss, rss)


@dataclass(eq=False)
class Layer:
    """A layer: settings plus the contiguous block [offset, offset+count) of its job's frame arrays."""

    index: int
    id: str
    name: str
    offset: int
    count: int
    range: str = ""
    tags: list[str] = field(default_factory=lambda: ["general"])
    min_cores: float = 1.0
    max_cores: float = 0.0
    is_threadable: bool = False
    min_memory: int = 4 * GB
    min_gpu_memory: int = 0
    chunk_size: int = 1
    dispatch_order: int = 0
    type: int = 2
    services: list[str] = field(default_factory=lambda: ["default"])
    memory_optimizer_enabled: bool = True
    limits: list[str] = field(default_factory=lambda: [""])
    timeout: int = 0
    timeout_llu: int = 0
    min_gpus: float = 0.0
    max_gpus: float = 0.0
    command: str = ""
    eligible_time: int = 0
    start_time: int = 0
    stop_time: int = 0
    start_after: int = 0
    start_after_reason: str = ""
    # Typical run time (sim seconds) and failure probability, for the scheduler.
    base_seconds: float = 300.0
    fail_rate: float = 0.04
    counts: list[int] = field(default_factory=lambda: [0] * 8)
    run: RunStats = field(default_factory=RunStats)


class Job:
    """A job: settings, layers, and its frames as parallel arrays indexed 0..total-1."""

    def __init__(self, farm: Farm, index: int, job_id: str, name: str, show: Show, **settings: Any) -> None:
        self.farm = farm
        self.index = index
        self.id = job_id
        self.name = name
        self.show = show
        self.shot: str = settings.get("shot", "")
        self.user: str = settings.get("user", "")
        self.group: str = settings.get("group", show.name)
        self.facility: str = settings.get("facility", "local")
        self.os: str = settings.get("os", "linux")
        self.uid: int | None = settings.get("uid", 1000)
        self.priority: int = settings.get("priority", 100)
        self.min_cores: float = settings.get("min_cores", 1.0)
        self.max_cores: float = settings.get("max_cores", 200.0)
        self.log_dir: str = settings.get("log_dir", "")
        self.is_paused: bool = settings.get("is_paused", False)
        self.auto_eat: bool = settings.get("auto_eat", False)
        self.start_time: int = settings.get("start_time", 0)
        self.stop_time: int = settings.get("stop_time", 0)
        self.min_gpus: float = settings.get("min_gpus", 0.0)
        self.max_gpus: float = settings.get("max_gpus", 0.0)
        self.loki_url: str = settings.get("loki_url", "")
        self.eligible_time: int = settings.get("eligible_time", self.start_time)
        self.state: int = settings.get("state", PENDING)
        self.max_retries: int = settings.get("max_retries", 3)
        self.comments: list[Comment] = []
        self.layers: list[Layer] = []
        self.counts = [0] * 8
        self.run = RunStats()
        self.total = 0
        self.f_layer = array("H")
        self.f_number = array("i")
        self.f_state = bytearray()
        self.f_retry = array("i")
        self.f_attempts = array("i")
        self.f_exit = array("i")
        self.f_start = array("q")
        self.f_stop = array("q")
        self.f_host = array("i")
        self.f_rss = array("q")
        self.f_cores = array("f")  # cores of the last run (for lastResource)
        self.f_updated = array("d")
        self.f_logged = bytearray()
        self.f_ids: list[str] | None = None  # only for scenario jobs with their own frame ids
        self.f_names: list[str] | None = None  # only for scenario jobs (any name is data)
        self.f_extra: dict[int, dict[str, Any]] = {}  # scenario-only fields, by frame index
        self._order: array[int] | None = None
        self._pos: array[int] | None = None
        self.cursor = 0  # position in order() before which no frame is WAITING

    # --- structure -------------------------------------------------------------------------------
    def add_layer(self, layer: Layer) -> None:
        """Append a layer whose frames are appended with add_frames."""
        self.layers.append(layer)

    def add_frames(self, layer: Layer, numbers: Iterable[int], submitted: float) -> None:
        """Append WAITING frames for `layer` (which must be the last layer added)."""
        numbers = list(numbers)
        n = len(numbers)
        layer.offset = self.total
        layer.count = n
        self.total += n
        self.f_layer.extend([layer.index] * n)
        self.f_number.extend(numbers)
        self.f_state.extend(bytes(n))
        self.f_retry.extend([0] * n)
        self.f_attempts.extend([0] * n)
        self.f_exit.extend([-1] * n)
        self.f_start.extend([0] * n)
        self.f_stop.extend([0] * n)
        self.f_host.extend([-1] * n)
        self.f_rss.extend([0] * n)
        self.f_cores.extend([0.0] * n)
        self.f_updated.extend([submitted] * n)
        self.f_logged.extend(bytes(n))
        layer.counts[WAITING] += n
        self.counts[WAITING] += n
        self._order = None

    def order(self) -> array[int]:
        """Frame indices in Cuebot's paging order: frame dispatch order, then layer dispatch order."""
        if self._order is None:
            layers = self.layers
            f_layer = self.f_layer
            keys = sorted(
                range(self.total),
                key=lambda i: (i - layers[f_layer[i]].offset, layers[f_layer[i]].dispatch_order),
            )
            self._order = array("i", keys)
            pos = array("i", bytes(4 * self.total))
            for p, i in enumerate(keys):
                pos[i] = p
            self._pos = pos
        return self._order

    def position(self, i: int) -> int:
        """Where frame i sits in order()."""
        self.order()
        assert self._pos is not None
        return self._pos[i]

    # --- names and ids ---------------------------------------------------------------------------
    def frame_name(self, i: int) -> str:
        """`0007-render`."""
        if self.f_names is not None:
            return self.f_names[i]
        return f"{self.f_number[i]:04d}-{self.layers[self.f_layer[i]].name}"

    def frame_id(self, i: int) -> str:
        """The frame's id (generated, or the scenario's own)."""
        if self.f_ids is not None:
            return self.f_ids[i]
        return ids.make_id(self.farm.id_prefix, ids.FRAME, self.index, self.f_layer[i], i)

    def frame_index(self, name: str) -> int | None:
        """Index of the frame with this name, or None."""
        if self.f_names is not None:
            return self.f_names.index(name) if name in self.f_names else None
        number, _, layer_name = name.partition("-")
        for layer in self.layers:
            if layer.name == layer_name:
                try:
                    wanted = int(number)
                except ValueError:
                    return None
                for i in range(layer.offset, layer.offset + layer.count):
                    if self.f_number[i] == wanted:
                        return i
        return None

    def frame_states(self) -> dict[str, str]:
        """{frame name: state name} for every frame (tests)."""
        return {self.frame_name(i): FRAME_STATES[self.f_state[i]] for i in range(self.total)}

    def log_path(self, i: int) -> str:
        """`<logDir>/<job>.<frame>.rqlog`, plain joining as RQD does."""
        return f"{self.log_dir}/{self.name}.{self.frame_name(i)}.rqlog"

    @property
    def state_name(self) -> str:
        return JOB_STATES[self.state]

    def stats(self) -> dict[str, int]:
        """State counters by name (tests)."""
        return {FRAME_STATES[s].lower(): self.counts[s] for s in range(8)}

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.state_name}>"


@dataclass(eq=False)
class Proc:
    """A booked frame running on a host."""

    id: str
    host: Host
    job: Job
    frame: int
    cores: float
    reserved_memory: int
    used_memory: int
    booked_time: int
    dispatch_time: int
    end_at: float  # farm time the frame ends, inf when frozen
    succeed: bool
    exit_status: int
    duration: float  # real seconds of the whole run
    log_lines: int = -1  # lines of body written to the log, -1 = not materialised
    seq: int = 0

    @property
    def name(self) -> str:
        return f"{self.host.name}/{self.cores:.2f}/0"


@dataclass(eq=False)
class Host:
    """A render host."""

    index: int
    id: str
    name: str
    alloc_name: str = "local.general"
    nimby_enabled: bool = False
    cores: float = 16.0
    memory: int = 64 * GB
    gpus: float = 0.0
    gpu_memory: int = 0
    total_swap: int = 8 * GB
    total_memory: int = 64 * GB
    total_mcp: int = 100 * GB
    free_swap: int = 8 * GB
    free_memory: int = 60 * GB
    free_mcp: int = 95 * GB
    load: int = 0
    boot_time: int = 0
    ping_time: int = 0
    os: str = "linux"
    tags: list[str] = field(default_factory=lambda: ["general"])
    state: int = UP
    lock_state: int = OPEN
    thread_mode: int = 0
    comments: list[Comment] = field(default_factory=list)
    procs: dict[str, Proc] = field(default_factory=dict)
    idle_cores: float = 16.0
    idle_memory: int = 64 * GB
    idle_gpus: float = 0.0
    idle_gpu_memory: int = 0
    extra_procs: list[dict[str, Any]] = field(default_factory=list)  # scenario procs without a frame

    @property
    def state_name(self) -> str:
        return HARDWARE_STATES[self.state]

    @property
    def lock_state_name(self) -> str:
        return LOCK_STATES[self.lock_state]


class _View:
    """Delegates to the wrapped object; subclasses turn enum ints into names."""

    _target: Any

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return repr(self._target)


class JobView(_View):
    """A job for tests: every Job attribute, with ``state`` as a name."""

    @property
    def job(self) -> Job:
        return self._target  # type: ignore[no-any-return]

    @property
    def state(self) -> str:
        return JOB_STATES[int(self._target.state)]

    def frame_state(self, frame_name: str) -> str:
        """State name of one frame, by name."""
        i = self._target.frame_index(frame_name)
        if i is None:
            raise KeyError(frame_name)
        return FRAME_STATES[int(self._target.f_state[i])]


class HostView(_View):
    """A host for tests: every Host attribute, with ``state`` and ``lock_state`` as names."""

    @property
    def host(self) -> Host:
        return self._target  # type: ignore[no-any-return]

    @property
    def state(self) -> str:
        return HARDWARE_STATES[int(self._target.state)]

    @property
    def lock_state(self) -> str:
        return LOCK_STATES[int(self._target.lock_state)]


class Farm:
    """The whole simulated farm; every method runs on one thread (the server's event loop)."""

    DISPATCH_INTERVAL = 0.5  # real seconds between dispatch passes

    def __init__(
        self,
        seed: int = 0,
        speed: float = 1.0,
        clock: FarmClock | None = None,
        log_root: str | os.PathLike[str] | None = None,
        loki_url: str = "",
    ) -> None:
        self.seed = seed
        self.speed = speed
        self.clock = clock or FarmClock()
        self.rng = random.Random(seed * 7919 + 17)
        self.id_prefix = ids.seed_prefix(seed)
        self.log_root = str(log_root) if log_root is not None else ""
        self.loki_url = loki_url
        self.shows: list[Show] = []
        self.jobs: list[Job] = []
        self.hosts: list[Host] = []
        self.jobs_by_id: dict[str, Job] = {}
        self.jobs_by_name: dict[str, Job] = {}
        self.hosts_by_id: dict[str, Host] = {}
        self.hosts_by_name: dict[str, Host] = {}
        self.layers_by_id: dict[str, tuple[Job, Layer]] = {}
        self.frames_by_id: dict[str, tuple[Job, int]] = {}  # scenario frames only
        self.procs: dict[tuple[int, int], Proc] = {}
        self._ends: list[tuple[float, int, Proc]] = []
        self._proc_seq = 0
        self._comment_seq = 0
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._due_seq = 0
        self.logs = LogWriter(self)
        self.sim_elapsed = 0.0
        self._dispatch_wait = 0.0
        self._next_submit = 300.0  # sim seconds before the first new job arrives
        self._submitted = 0
        self.submit_job: Callable[[Farm], Job | None] | None = None  # set by profiles

    # --- clock -----------------------------------------------------------------------------------
    def now(self) -> float:
        """The farm clock (epoch seconds)."""
        return self.clock.now()

    # --- registry --------------------------------------------------------------------------------
    def add_show(self, show: Show) -> None:
        self.shows.append(show)

    def add_job(self, job: Job) -> None:
        """Register a fully built job."""
        self.jobs.append(job)
        self.jobs_by_id[job.id] = job
        self.jobs_by_name[job.name] = job
        for layer in job.layers:
            self.layers_by_id[layer.id] = (job, layer)
        if job.f_ids is not None:
            for i, fid in enumerate(job.f_ids):
                self.frames_by_id[fid] = (job, i)

    def add_host(self, host: Host) -> None:
        self.hosts.append(host)
        self.hosts_by_id[host.id] = host
        self.hosts_by_name[host.name] = host

    def find_show(self, key: str) -> Show | None:
        """A show by id or name."""
        for show in self.shows:
            if show.id == key or show.name == key:
                return show
        return None

    def find_job(self, key: str) -> JobView | None:
        """A job by id or name, as a view whose enum fields are names (for tests)."""
        job = self.jobs_by_id.get(key) or self.jobs_by_name.get(key)
        return JobView(job) if job is not None else None

    def find_host(self, key: str) -> HostView | None:
        """A host by id or name, as a view whose enum fields are names (for tests)."""
        host = self.hosts_by_id.get(key) or self.hosts_by_name.get(key)
        return HostView(host) if host is not None else None

    def find_frame(self, frame_id: str) -> tuple[Job, int] | None:
        """(job, index) of a frame id, without a per-frame dict for generated frames."""
        hit = self.frames_by_id.get(frame_id)
        if hit is not None:
            return hit
        parsed = ids.parse_id(self.id_prefix, frame_id)
        if parsed is None or parsed[0] != ids.FRAME:
            return None
        _, job_index, _layer, i = parsed
        if job_index >= len(self.jobs):
            return None
        job = self.jobs[job_index]
        if job.f_ids is not None or job.index != job_index or i >= job.total:
            return None
        return job, i

    def new_comment(self, user: str, subject: str, message: str) -> Comment:
        self._comment_seq += 1
        cid = ids.make_id(self.id_prefix, ids.COMMENT, 0, 0, self._comment_seq)
        return Comment(cid, int(self.now()), user, subject, message)

    # --- frame state changes (the only place counters move) -----------------------------------------
    def set_state(self, job: Job, i: int, state: int) -> None:
        """Change one frame's state, keeping job and layer counters and the row timestamp right."""
        old = job.f_state[i]
        if old == state:
            job.f_updated[i] = self.now()
            return
        layer = job.layers[job.f_layer[i]]
        job.counts[old] -= 1
        job.counts[state] += 1
        layer.counts[old] -= 1
        layer.counts[state] += 1
        job.f_state[i] = state
        job.f_updated[i] = self.now()
        if state == WAITING:
            p = job.position(i)
            if p < job.cursor:
                job.cursor = p

    def _update_job_state(self, job: Job) -> None:
        c = job.counts
        if job.state == PENDING and c[WAITING] + c[RUNNING] + c[DEAD] + c[DEPEND] + c[SETUP] == 0:
            job.state = FINISHED
            job.stop_time = int(self.now())
        elif job.state == FINISHED and job.stop_time == 0:
            job.stop_time = int(self.now())

    # --- dispatch --------------------------------------------------------------------------------
    def start_frame(self, job: Job, i: int, host: Host, backdate: float = 0.0, write_log: bool = True) -> Proc:
        """Book frame i of job on host: a proc appears and the frame is RUNNING."""
        layer = job.layers[job.f_layer[i]]
        now = self.now()
        rng = self.rng
        sim_seconds = layer.base_seconds * (0.5 + rng.random())
        real = sim_seconds / self.speed if self.speed > 0 else float("inf")
        start = now - backdate * (real if real != float("inf") else sim_seconds)
        end_at = start + real
        succeed = rng.random() >= layer.fail_rate
        exit_status = 0 if succeed else rng.choice((1, 1, 1, 137, 139))
        self._proc_seq += 1
        proc = Proc(
            id=ids.make_id(self.id_prefix, ids.PROC, host.index, 0, self._proc_seq),
            host=host,
            job=job,
            frame=i,
            cores=layer.min_cores,
            reserved_memory=layer.min_memory,
            used_memory=int(layer.min_memory * (0.3 + 0.5 * rng.random())),
            booked_time=int(start),
            dispatch_time=int(start),
            end_at=end_at,
            succeed=succeed,
            exit_status=exit_status,
            duration=real if real != float("inf") else sim_seconds,
            seq=self._proc_seq,
        )
        host.procs[proc.id] = proc
        host.idle_cores -= proc.cores
        host.idle_memory -= proc.reserved_memory
        self.procs[(job.index, i)] = proc
        job.run.reserved_cores += proc.cores
        layer.run.reserved_cores += proc.cores
        job.f_attempts[i] += 1
        job.f_start[i] = int(start)
        job.f_stop[i] = 0
        job.f_exit[i] = -1
        job.f_host[i] = host.index
        job.f_cores[i] = proc.cores
        if job.f_logged[i]:
            job.f_logged[i] = 0
        self.set_state(job, i, RUNNING)
        if layer.start_time == 0:
            layer.start_time = int(start)
        if end_at != float("inf"):
            heapq.heappush(self._ends, (end_at, proc.seq, proc))
        if write_log:
            self.logs.frame_started(job, i, proc)
        return proc

    def _release(self, proc: Proc) -> None:
        host, job = proc.host, proc.job
        host.procs.pop(proc.id, None)
        host.idle_cores += proc.cores
        host.idle_memory += proc.reserved_memory
        self.procs.pop((job.index, proc.frame), None)
        job.run.reserved_cores -= proc.cores
        job.layers[job.f_layer[proc.frame]].run.reserved_cores -= proc.cores
        if abs(job.run.reserved_cores) < 1e-6:
            job.run.reserved_cores = 0.0

    def finish_frame(
        self,
        proc: Proc,
        succeed: bool,
        exit_status: int,
        kill_message: str = "",
        requeue: bool | None = None,
        final_state: int | None = None,
    ) -> None:
        """End a running frame: SUCCEEDED, or a failure that retries, dies, or is eaten/requeued."""
        job, i = proc.job, proc.frame
        if self.procs.get((job.index, i)) is not proc:
            return
        self._release(proc)
        now = self.now()
        layer = job.layers[job.f_layer[i]]
        seconds = max(0, int(now - job.f_start[i]))
        rss = int(proc.used_memory * 1.1)
        job.f_stop[i] = int(now)
        job.f_exit[i] = exit_status
        job.f_rss[i] = max(job.f_rss[i], rss)
        for run in (job.run, layer.run):
            run.record(seconds, proc.cores, rss, succeed)
        if final_state is not None:
            state = final_state
        elif succeed:
            state = SUCCEEDED
        elif requeue or (requeue is None and job.f_retry[i] < job.max_retries):
            state = WAITING
            job.f_retry[i] += 1
        else:
            state = EATEN if job.auto_eat else DEAD
        self.logs.frame_finished(job, i, proc, exit_status, kill_message)
        self.set_state(job, i, state)
        if layer.counts[WAITING] + layer.counts[RUNNING] == 0 and layer.stop_time == 0:
            layer.stop_time = int(now)
        self._update_job_state(job)

    def dispatch(self, budget: int, backdate: bool = False, write_log: bool = True) -> int:
        """Book WAITING frames on free host cores, highest priority first; at most `budget` frames."""
        free = [h for h in self.hosts if h.state == UP and h.lock_state == OPEN and h.idle_cores >= 1]
        if not free:
            return 0
        jobs = [
            j
            for j in self.jobs
            if j.state == PENDING and not j.is_paused and j.counts[WAITING] and j.show.dispatch_enabled
        ]
        jobs.sort(key=lambda j: (-j.priority, j.start_time, j.index))
        booked = 0
        host_pos = 0
        # Upper bounds of what any free host can take; lowered when a search fails, so jobs whose next
        # layer fits nowhere are skipped without scanning every host.
        best_cores = max(h.idle_cores for h in free)
        best_memory = max(h.idle_memory for h in free)
        for job in jobs:
            if booked >= budget or not free:
                break
            order = job.order()
            p = job.cursor
            while p < job.total and booked < budget and free:
                if job.max_cores > 0 and job.run.reserved_cores >= job.max_cores:
                    break
                i = order[p]
                if job.f_state[i] != WAITING:
                    p += 1
                    if job.cursor == p - 1:
                        job.cursor = p
                    continue
                layer = job.layers[job.f_layer[i]]
                need_cores, need_memory = layer.min_cores, layer.min_memory
                if need_cores > best_cores or need_memory > best_memory:
                    break  # this layer fits nowhere now; try the next job
                # First fit from a rotating start, so frames spread over hosts.
                chosen = None
                n = len(free)
                for k in range(n):
                    h = free[(host_pos + k) % n]
                    if h.idle_cores >= need_cores and h.idle_memory >= need_memory:
                        chosen = h
                        host_pos = (host_pos + k + 1) % n
                        break
                if chosen is None:
                    best_cores = max(h.idle_cores for h in free)
                    best_memory = max(h.idle_memory for h in free)
                    break
                self.start_frame(job, i, chosen, backdate=self.rng.random() if backdate else 0.0, write_log=write_log)
                booked += 1
                if chosen.idle_cores < 1:
                    free.remove(chosen)
                p += 1
        return booked

    # --- time passing ----------------------------------------------------------------------------
    def schedule(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` `delay` real seconds from now, whatever the speed (client actions)."""
        self._due_seq += 1
        heapq.heappush(self._due, (self.clock.monotonic() + delay, self._due_seq, action))

    def apply_due(self) -> None:
        """Apply client actions whose time has come (runs even at speed 0)."""
        now = self.clock.monotonic()
        while self._due and self._due[0][0] <= now:
            _, _, action = heapq.heappop(self._due)
            action()

    def tick(self, real_dt: float) -> None:
        """One scheduler step: due actions always; finishing, dispatch and events only if speed > 0."""
        self.apply_due()
        self.logs.drain_backlog()  # writing queued history logs is not farm activity: also when frozen
        if self.speed <= 0:
            return
        now = self.now()
        while self._ends and self._ends[0][0] <= now:
            _, _, proc = heapq.heappop(self._ends)
            self.finish_frame(proc, proc.succeed, proc.exit_status)
        sim_dt = real_dt * self.speed
        self.sim_elapsed += sim_dt
        # Dispatch a few times a second, not every tick: sorting thousands of jobs is the costly part.
        self._dispatch_wait -= real_dt
        if self._dispatch_wait <= 0:
            self._dispatch_wait = self.DISPATCH_INTERVAL
            self.dispatch(budget=max(20, int(200 * self.DISPATCH_INTERVAL * max(1.0, self.speed))))
        self._random_events(sim_dt)
        self.logs.grow_running()

    def _random_events(self, sim_dt: float) -> None:
        rng = self.rng
        now = int(self.now())
        # Host load and memory wander; a host sometimes goes down and later comes back.
        for _ in range(min(len(self.hosts), 1 + len(self.hosts) // 20)):
            host = rng.choice(self.hosts)
            host.ping_time = now
            if host.state == UP:
                busy = 1 - host.idle_cores / host.cores if host.cores else 0
                host.load = int(busy * host.cores * 100 * (0.8 + 0.4 * rng.random()))
                used = host.memory - host.idle_memory
                host.free_memory = max(0, int(host.total_memory - used * 0.8 - rng.random() * GB))
        if rng.random() < sim_dt / 1800.0 * max(1, len(self.hosts) / 50):
            host = rng.choice(self.hosts)
            if host.state == UP and not host.procs:
                host.state = DOWN
                self.schedule(5.0 + 20 * rng.random(), functools.partial(self._host_back, host))
        if self.submit_job is not None and self.sim_elapsed >= self._next_submit:
            self._next_submit = self.sim_elapsed + 120 + 600 * rng.random()
            self.submit_job(self)

    def _host_back(self, host: Host) -> None:
        if host.state in (DOWN, REBOOTING):
            host.state = UP
            host.boot_time = int(self.now())
            host.ping_time = host.boot_time

    # --- consistency -----------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Assert that every counter agrees with the frames and that no resource is over-booked."""
        seen_frames: set[tuple[int, int]] = set()
        for host in self.hosts:
            booked = sum(p.cores for p in host.procs.values())
            assert abs(host.cores - host.idle_cores - booked) < 1e-6, host.name
            assert host.idle_cores >= -1e-6, host.name
            assert host.memory - host.idle_memory == sum(p.reserved_memory for p in host.procs.values())
            assert host.idle_memory >= 0, host.name
            for proc in host.procs.values():
                key = (proc.job.index, proc.frame)
                assert key not in seen_frames, f"frame on two procs: {key}"
                seen_frames.add(key)
                assert proc.job.f_state[proc.frame] == RUNNING
                assert self.procs[key] is proc
        assert set(self.procs) == seen_frames
        running_by_job: dict[int, int] = {}
        reserved_by_job: dict[int, float] = {}
        for (job_index, _i), proc in self.procs.items():
            running_by_job[job_index] = running_by_job.get(job_index, 0) + 1
            reserved_by_job[job_index] = reserved_by_job.get(job_index, 0.0) + proc.cores
        for job in self.jobs:
            counts = [0] * 8
            for s in job.f_state:
                counts[s] += 1
            assert counts == job.counts, (job.name, counts, job.counts)
            assert counts[RUNNING] == running_by_job.get(job.index, 0) or job.f_ids is not None
            reserved = reserved_by_job.get(job.index, 0.0)
            assert abs(reserved - job.run.reserved_cores) < 1e-6, job.name
            for layer in job.layers:
                lc = [0] * 8
                for i in range(layer.offset, layer.offset + layer.count):
                    lc[job.f_state[i]] += 1
                assert lc == layer.counts, (job.name, layer.name)
            c = job.counts
            if job.state == PENDING and job.f_ids is None:
                assert c[WAITING] + c[RUNNING] + c[DEAD] + c[DEPEND] + c[SETUP] > 0 or job.stop_time == 0
