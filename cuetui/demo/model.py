"""The simulated farm's data: enum codes, the farm clock, and shows, layers, jobs, procs and hosts.

Plain records with no behaviour beyond their own fields, so that the scheduler (`cuetui.demo.farm`) and
the frame logs (`cuetui.demo.logs`) read the same shapes without importing each other.
`cuetui.demo.farm` re-exports every name here.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cuetui import schema
from cuetui.demo import ids


class FarmIds(Protocol):
    """What a job needs of its farm: the seed's prefix of the ids it makes up for frames."""

    id_prefix: str


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

    def __init__(self, farm: FarmIds, index: int, job_id: str, name: str, show: Show, **settings: Any) -> None:
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
        # Each frame's dispatch order within its layer when ReorderFrames / StaggerFrames changed it
        # (None: the frame's place in its layer, as submitted).
        self.f_dispatch: array[int] | None = None
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
        if self.f_dispatch is not None:
            self.f_dispatch.extend(range(n))
        self._order = None

    def order(self) -> array[int]:
        """Frame indices in Cuebot's paging order: frame dispatch order, then layer dispatch order."""
        if self._order is None:
            layers = self.layers
            f_layer = self.f_layer
            f_dispatch = self.f_dispatch
            if f_dispatch is not None:
                keys = sorted(range(self.total), key=lambda i: (f_dispatch[i], layers[f_layer[i]].dispatch_order))
            else:
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
    unbooked: bool = False  # Unbook without kill: the frame finishes, then the proc is freed

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
