"""Typed, immutable models of what the gateway returns: Show, Job, Layer, Frame, Host, Proc, ...

The gateway speaks Go protojson: camelCase names, int64 as strings, enums by name, every field present,
`null` for unset sub-messages. Other gateway set-ups send snake_case names, plain numbers or omit fields,
and a newer Cuebot may send enum values we do not know. Decoding therefore has two paths, generated once
per model from one field table:

* a fast path for the real gateway's exact shape (one expression per field, no per-field calls), and
* a tolerant path, taken only when the fast path meets anything unexpected, that accepts either name
  style, fills defaults for missing or mistyped fields, keeps unknown enum names as they are, and logs
  what it had to repair.

Both paths build the same immutable model. Models are NamedTuples rather than frozen dataclasses:
building 50 000 frozen dataclasses costs several times more (each field goes through
object.__setattr__), and a job screen decodes that many frames on open. Units follow the protocol:
memory in KB, times in epoch seconds, cores as floats.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

log = logging.getLogger("cuetui.gateway")

# --- enums -----------------------------------------------------------------------------------------
# Kept as plain strings (OpenCue's names) so an unknown value from a newer Cuebot survives decoding.

JOB_STATES = ("PENDING", "FINISHED", "STARTUP", "SHUTDOWN", "POSTED")
FRAME_STATES = ("WAITING", "SETUP", "RUNNING", "SUCCEEDED", "DEPEND", "DEAD", "EATEN", "CHECKPOINT")
LAYER_TYPES = ("PRE", "POST", "RENDER", "UTIL")
CHECKPOINT_STATES = ("DISABLED", "ENABLED", "COPYING", "COMPLETE")
HARDWARE_STATES = ("UP", "DOWN", "REBOOTING", "REBOOT_WHEN_IDLE", "REPAIR")
LOCK_STATES = ("OPEN", "LOCKED", "NIMBY_LOCKED")
THREAD_MODES = ("AUTO", "ALL", "VARIABLE")

ENUMS: dict[str, tuple[str, ...]] = {
    "JobState": JOB_STATES,
    "FrameState": FRAME_STATES,
    "LayerType": LAYER_TYPES,
    "CheckpointState": CHECKPOINT_STATES,
    "HardwareState": HARDWARE_STATES,
    "LockState": LOCK_STATES,
    "ThreadMode": THREAD_MODES,
}
_ENUM_SETS = {name: frozenset(values) for name, values in ENUMS.items()}


def is_known_enum(enum: str, value: str) -> bool:
    """True when `value` is a name OpenCue's schema defines for `enum` (e.g. "FrameState")."""
    return value in _ENUM_SETS[enum]


_reported: set[tuple[str, str]] = set()


def _report_once(kind: str, detail: str) -> None:
    """Log a decoding repair once per kind of problem, so a bad gateway doesn't flood the log."""
    key = (kind, detail)
    if key not in _reported and len(_reported) < 1000:
        _reported.add(key)
        log.warning("gateway response: %s: %s", kind, detail)


def _enum(value: Any, enum: str) -> str:
    """An enum name from a name or a number; unknown values are kept (raw) and logged once."""
    if isinstance(value, str):
        if value not in _ENUM_SETS[enum]:
            _report_once("unknown enum value", f"{enum}.{value[:40]}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        names = ENUMS[enum]
        if 0 <= value < len(names):
            return names[value]
        _report_once("unknown enum number", f"{enum}={value}")
        return str(value)
    if value is not None:
        _report_once("bad enum type", f"{enum}: {type(value).__name__}")
    return ENUMS[enum][0]


# --- field tables and generated decoders ------------------------------------------------------------

# Field kinds: "s" string, "i" integer (int32 or int64-as-string), "f" float, "b" bool,
# "e:<Enum>" enum name, "sl" list of strings, "m:<Model>" sub-message (None when null/absent).
# The attribute name is the proto field name (snake_case); the JSON name is its camelCase form.


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_DEFAULTS = {"s": "", "i": 0, "f": 0.0, "b": False, "sl": ()}
_MODELS: dict[str, type[Any]] = {}
_DECODERS: dict[type[Any], Callable[[Any], Any]] = {}

M = TypeVar("M")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool")
    if isinstance(value, float):
        return int(value)
    return int(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("bool")
    return float(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise TypeError(type(value).__name__)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(type(value).__name__)


def _to_str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(type(value).__name__)
    return tuple(_to_str(v) for v in value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "s": _to_str,
    "i": _to_int,
    "f": _to_float,
    "b": _to_bool,
    "sl": _to_str_list,
}


def _fast_expr(attr: str, kind: str) -> str:
    """One Python expression decoding field `attr` from dict `d`, raising on any surprise."""
    key = repr(_camel(attr))
    if kind == "s":
        return f'"" + d[{key}]'  # TypeError unless a str
    if kind == "i":
        return f"int(d[{key}])"  # int("12") for int64 strings; None or "x" raise
    if kind == "f":
        return f"float(d[{key}])"
    if kind == "b":
        return f"_BOOL[d[{key}]]"
    if kind == "sl":
        return f"_strs(d[{key}])"
    if kind.startswith("e:"):
        # A known name maps to itself; anything else (an unknown name, a number) raises KeyError and
        # takes the tolerant path, which keeps and logs it.
        return f"_KNOWN[{kind[2:]!r}][d[{key}]]"
    if kind.startswith("m:"):
        return f"(None if (v := d[{key}]) is None else _MODELS[{kind[2:]!r}]._fast(v))"
    raise ValueError(kind)


def _fast_strs(value: list[Any]) -> tuple[str, ...]:
    out = tuple(value)
    for item in out:
        if type(item) is not str:
            raise TypeError("list item")
    return out


_FAST_GLOBALS: dict[str, Any] = {
    "_BOOL": {True: True, False: False},
    "_strs": _fast_strs,
    "_KNOWN": {name: {value: value for value in values} for name, values in ENUMS.items()},
    "_MODELS": _MODELS,
    "_tuple_new": tuple.__new__,
}


def _model(spec: str) -> Callable[[type[M]], type[M]]:
    """Class decorator: attach generated `_fast` and `from_json` decoders built from `spec`.

    `spec` lists one field a line as `attr kind`, in proto declaration order; it must match the
    NamedTuple fields one for one (checked here, so a typo fails at import, not in production).
    """

    table = [tuple(line.split()) for line in spec.splitlines() if line.strip()]

    def wrap(cls: type[M]) -> type[M]:
        names = list(cls._fields)  # type: ignore[attr-defined]
        attrs = [attr for attr, _ in table]
        if names != attrs:
            raise TypeError(f"{cls.__name__}: spec {attrs} != fields {names}")
        # The tuple built at once, positionally: calling the NamedTuple with 27 keywords costs a
        # third more, and a job screen decodes 50 000 frames.
        args = ", ".join(_fast_expr(attr, kind) for attr, kind in table)
        source = f"def _fast(d):\n    return _tuple_new(_cls, ({args},))\n"
        scope = dict(_FAST_GLOBALS, _cls=cls)
        exec(source, scope)
        fast = scope["_fast"]
        cls_name = cls.__name__

        def tolerant(d: Any) -> M:
            if not isinstance(d, dict):
                _report_once("not an object", cls_name)
                d = {}
            values: dict[str, Any] = {}
            for attr, kind in table:
                camel = _camel(attr)
                raw = d.get(camel)
                if raw is None and camel != attr:
                    raw = d.get(attr)
                if raw is None:
                    values[attr] = None if kind.startswith("m:") else _default(kind)
                    continue
                if kind.startswith("e:"):
                    values[attr] = _enum(raw, kind[2:])
                elif kind.startswith("m:"):
                    values[attr] = _MODELS[kind[2:]].from_json(raw)
                else:
                    try:
                        values[attr] = _CONVERTERS[kind](raw)
                    except (TypeError, ValueError, OverflowError):
                        _report_once("bad value", f"{cls_name}.{camel}")
                        values[attr] = _DEFAULTS[kind]
            return cls(**values)

        def from_json(d: Any) -> M:
            try:
                return fast(d)  # type: ignore[no-any-return]
            except (KeyError, TypeError, ValueError, OverflowError):
                return tolerant(d)

        cls._fast = staticmethod(fast)  # type: ignore[attr-defined]
        _DECODERS[cls] = from_json
        cls.JSON_FIELDS = tuple(_camel(a) for a in attrs)  # type: ignore[attr-defined]
        _MODELS[cls_name] = cls
        return cls

    return wrap


def _decode(cls: type[M], data: Any) -> M:
    """Decode `data` as model `cls` with the decoder generated for it."""
    return _DECODERS[cls](data)  # type: ignore[no-any-return]


def _default(kind: str) -> Any:
    if kind.startswith("e:"):
        return ENUMS[kind[2:]][0]
    return _DEFAULTS[kind]


def decode_list(items: Any, model: Callable[[Any], M]) -> list[M]:
    """Decode a JSON list (or None) with `model`; anything but a list decodes to []."""
    if not isinstance(items, list):
        if items is not None:
            _report_once("not a list", getattr(model, "__qualname__", "?"))
        return []
    return [model(item) for item in items]


def unwrap_seq(body: Any, outer: str, inner: str | None = None) -> Any:
    """The list inside the gateway's double wrapper `{"jobs":{"jobs":[…]}}`; also takes a flat list."""
    if not isinstance(body, dict):
        return None
    seq = body.get(outer)
    if isinstance(seq, dict):
        return seq.get(inner or outer)
    return seq


# --- the models --------------------------------------------------------------------------------------


@_model("""
running_frames i
dead_frames i
pending_frames i
pending_jobs i
created_job_count i
created_frame_count i
rendered_frame_count i
failed_frame_count i
reserved_cores f
reserved_gpus f
""")
class ShowStats(NamedTuple):
    """Counters of a show."""

    running_frames: int = 0
    dead_frames: int = 0
    pending_frames: int = 0
    pending_jobs: int = 0
    created_job_count: int = 0
    created_frame_count: int = 0
    rendered_frame_count: int = 0
    failed_frame_count: int = 0
    reserved_cores: float = 0.0
    reserved_gpus: float = 0.0

    @staticmethod
    def from_json(data: Any) -> ShowStats:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(ShowStats, data)


@_model("""
id s
name s
default_min_cores f
default_max_cores f
comment_email s
booking_enabled b
dispatch_enabled b
active b
show_stats m:ShowStats
default_min_gpus f
default_max_gpus f
scheduler_managed b
""")
class Show(NamedTuple):
    """A show (project) on the farm."""

    id: str = ""
    name: str = ""
    default_min_cores: float = 0.0
    default_max_cores: float = 0.0
    comment_email: str = ""
    booking_enabled: bool = False
    dispatch_enabled: bool = False
    active: bool = False
    show_stats: ShowStats | None = None
    default_min_gpus: float = 0.0
    default_max_gpus: float = 0.0
    scheduler_managed: bool = False

    @staticmethod
    def from_json(data: Any) -> Show:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Show, data)

    @property
    def stats(self) -> ShowStats:
        """The show's counters, zeros when the gateway sent none."""
        return self.show_stats or _EMPTY_SHOW_STATS


_STATS_SPEC_HEAD = """
total_frames i
waiting_frames i
running_frames i
dead_frames i
eaten_frames i
depend_frames i
succeeded_frames i
pending_frames i
"""
_STATS_SPEC_TAIL = """
avg_core_sec i
rendered_frame_count i
failed_frame_count i
remaining_core_sec i
total_core_sec i
rendered_core_sec i
failed_core_sec i
max_rss i
reserved_cores f
total_gpu_sec i
rendered_gpu_sec i
failed_gpu_sec i
reserved_gpus f
max_gpu_memory i
max_pss i
"""


@_model("total_layers i\n" + _STATS_SPEC_HEAD + "avg_frame_sec i\nhigh_frame_sec i\n" + _STATS_SPEC_TAIL)
class JobStats(NamedTuple):
    """Counters of a job: frames by state, core time, memory (KB)."""

    total_layers: int = 0
    total_frames: int = 0
    waiting_frames: int = 0
    running_frames: int = 0
    dead_frames: int = 0
    eaten_frames: int = 0
    depend_frames: int = 0
    succeeded_frames: int = 0
    pending_frames: int = 0
    avg_frame_sec: int = 0
    high_frame_sec: int = 0
    avg_core_sec: int = 0
    rendered_frame_count: int = 0
    failed_frame_count: int = 0
    remaining_core_sec: int = 0
    total_core_sec: int = 0
    rendered_core_sec: int = 0
    failed_core_sec: int = 0
    max_rss: int = 0
    reserved_cores: float = 0.0
    total_gpu_sec: int = 0
    rendered_gpu_sec: int = 0
    failed_gpu_sec: int = 0
    reserved_gpus: float = 0.0
    max_gpu_memory: int = 0
    max_pss: int = 0

    @staticmethod
    def from_json(data: Any) -> JobStats:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(JobStats, data)


@_model(_STATS_SPEC_HEAD + "avg_frame_sec i\nlow_frame_sec i\nhigh_frame_sec i\n" + _STATS_SPEC_TAIL)
class LayerStats(NamedTuple):
    """Counters of a layer, like JobStats plus the fastest frame time."""

    total_frames: int = 0
    waiting_frames: int = 0
    running_frames: int = 0
    dead_frames: int = 0
    eaten_frames: int = 0
    depend_frames: int = 0
    succeeded_frames: int = 0
    pending_frames: int = 0
    avg_frame_sec: int = 0
    low_frame_sec: int = 0
    high_frame_sec: int = 0
    avg_core_sec: int = 0
    rendered_frame_count: int = 0
    failed_frame_count: int = 0
    remaining_core_sec: int = 0
    total_core_sec: int = 0
    rendered_core_sec: int = 0
    failed_core_sec: int = 0
    max_rss: int = 0
    reserved_cores: float = 0.0
    total_gpu_sec: int = 0
    rendered_gpu_sec: int = 0
    failed_gpu_sec: int = 0
    reserved_gpus: float = 0.0
    max_gpu_memory: int = 0
    max_pss: int = 0

    @staticmethod
    def from_json(data: Any) -> LayerStats:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(LayerStats, data)


_EMPTY_SHOW_STATS = ShowStats()
_EMPTY_JOB_STATS = JobStats()
_EMPTY_LAYER_STATS = LayerStats()


@_model("""
id s
state e:JobState
name s
shot s
show s
user s
group s
facility s
os s
uid i
priority i
min_cores f
max_cores f
log_dir s
is_paused b
has_comment b
auto_eat b
start_time i
stop_time i
job_stats m:JobStats
min_gpus f
max_gpus f
loki_url s
eligible_time i
""")
class Job(NamedTuple):
    """A job. `state` PENDING means "not finished" (running or waiting), not "queued"."""

    id: str = ""
    state: str = "PENDING"
    name: str = ""
    shot: str = ""
    show: str = ""
    user: str = ""
    group: str = ""
    facility: str = ""
    os: str = ""
    uid: int = 0
    priority: int = 0
    min_cores: float = 0.0
    max_cores: float = 0.0
    log_dir: str = ""
    is_paused: bool = False
    has_comment: bool = False
    auto_eat: bool = False
    start_time: int = 0
    stop_time: int = 0
    job_stats: JobStats | None = None
    min_gpus: float = 0.0
    max_gpus: float = 0.0
    loki_url: str = ""
    eligible_time: int = 0

    @staticmethod
    def from_json(data: Any) -> Job:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Job, data)

    @property
    def stats(self) -> JobStats:
        """The job's counters, zeros when the gateway sent none."""
        return self.job_stats or _EMPTY_JOB_STATS

    @property
    def is_finished(self) -> bool:
        """True once Cuebot has marked the job FINISHED."""
        return self.state == "FINISHED"


@_model("""
id s
name s
range s
tags sl
min_cores f
max_cores f
is_threadable b
min_memory i
min_gpu_memory i
chunk_size i
dispatch_order i
type e:LayerType
services sl
memory_optimizer_enabled b
layer_stats m:LayerStats
parent_id s
limits sl
timeout i
timeout_llu i
min_gpus f
max_gpus f
command s
eligible_time i
start_time i
stop_time i
start_after i
start_after_reason s
""")
class Layer(NamedTuple):
    """A layer of a job. `min_memory` in KB; `timeout`/`timeout_llu` in minutes."""

    id: str = ""
    name: str = ""
    range: str = ""
    tags: tuple[str, ...] = ()
    min_cores: float = 0.0
    max_cores: float = 0.0
    is_threadable: bool = False
    min_memory: int = 0
    min_gpu_memory: int = 0
    chunk_size: int = 0
    dispatch_order: int = 0
    type: str = "PRE"
    services: tuple[str, ...] = ()
    memory_optimizer_enabled: bool = False
    layer_stats: LayerStats | None = None
    parent_id: str = ""
    limits: tuple[str, ...] = ()
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

    @staticmethod
    def from_json(data: Any) -> Layer:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Layer, data)

    @property
    def stats(self) -> LayerStats:
        """The layer's counters, zeros when the gateway sent none."""
        return self.layer_stats or _EMPTY_LAYER_STATS


@_model("""
state e:FrameState
text s
""")
class FrameStateDisplayOverride(NamedTuple):
    """A site-defined label shown instead of a frame's state (its colour is not kept)."""

    state: str = "WAITING"
    text: str = ""

    @staticmethod
    def from_json(data: Any) -> FrameStateDisplayOverride:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(FrameStateDisplayOverride, data)


@_model("""
id s
name s
layer_name s
number i
state e:FrameState
retry_count i
exit_status i
dispatch_order i
start_time i
stop_time i
max_rss i
used_memory i
reserved_memory i
reserved_gpu_memory i
last_resource s
checkpoint_state e:CheckpointState
checkpoint_count i
total_core_time i
llu_time i
total_gpu_time i
max_gpu_memory i
used_gpu_memory i
frame_state_display_override m:FrameStateDisplayOverride
max_pss i
used_pss i
eligible_time i
submission_time i
""")
class Frame(NamedTuple):
    """A frame. `last_resource` is `host/cores/gpus` ("" if never dispatched); memory in KB."""

    id: str = ""
    name: str = ""
    layer_name: str = ""
    number: int = 0
    state: str = "WAITING"
    retry_count: int = 0
    exit_status: int = 0
    dispatch_order: int = 0
    start_time: int = 0
    stop_time: int = 0
    max_rss: int = 0
    used_memory: int = 0
    reserved_memory: int = 0
    reserved_gpu_memory: int = 0
    last_resource: str = ""
    checkpoint_state: str = "DISABLED"
    checkpoint_count: int = 0
    total_core_time: int = 0
    llu_time: int = 0
    total_gpu_time: int = 0
    max_gpu_memory: int = 0
    used_gpu_memory: int = 0
    frame_state_display_override: FrameStateDisplayOverride | None = None
    max_pss: int = 0
    used_pss: int = 0
    eligible_time: int = 0
    submission_time: int = 0

    @staticmethod
    def from_json(data: Any) -> Frame:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Frame, data)

    @property
    def host(self) -> str:
        """The host name the frame last ran on, from `last_resource`; "" if it never ran."""
        return self.last_resource.split("/", 1)[0]

    def merged(self, update: UpdatedFrame) -> Frame:
        """This frame with the changing fields of an UpdatedFrame applied."""
        return self._replace(
            state=update.state,
            retry_count=update.retry_count,
            exit_status=update.exit_status,
            start_time=update.start_time,
            stop_time=update.stop_time,
            max_rss=update.max_rss,
            used_memory=update.used_memory,
            last_resource=update.last_resource,
            llu_time=update.llu_time,
            max_gpu_memory=update.max_gpu_memory,
            used_gpu_memory=update.used_gpu_memory,
            frame_state_display_override=update.frame_state_display_override,
            max_pss=update.max_pss,
        )


@_model("""
id s
state e:FrameState
retry_count i
exit_status i
start_time i
stop_time i
max_rss i
used_memory i
last_resource s
llu_time i
max_gpu_memory i
used_gpu_memory i
frame_state_display_override m:FrameStateDisplayOverride
max_pss i
""")
class UpdatedFrame(NamedTuple):
    """The changing fields of a frame, as GetUpdatedFrames returns them (no name, layer or number)."""

    id: str = ""
    state: str = "WAITING"
    retry_count: int = 0
    exit_status: int = 0
    start_time: int = 0
    stop_time: int = 0
    max_rss: int = 0
    used_memory: int = 0
    last_resource: str = ""
    llu_time: int = 0
    max_gpu_memory: int = 0
    used_gpu_memory: int = 0
    frame_state_display_override: FrameStateDisplayOverride | None = None
    max_pss: int = 0

    @staticmethod
    def from_json(data: Any) -> UpdatedFrame:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(UpdatedFrame, data)


# Cuebot's GetUpdatedFrames returns at most this many frames and says nothing when it cut the list.
UPDATED_FRAMES_LIMIT = 100


class UpdatedFrames(NamedTuple):
    """One GetUpdatedFrames answer: the job's state, Cuebot's clock and the frames that changed."""

    state: str
    server_time: int
    frames: tuple[UpdatedFrame, ...]

    @property
    def maybe_truncated(self) -> bool:
        """True when the answer hit Cuebot's cap, so a full reload is needed to be sure."""
        return len(self.frames) >= UPDATED_FRAMES_LIMIT


@_model("""
id s
name s
alloc_name s
nimby_enabled b
has_comment b
cores f
idle_cores f
memory i
idle_memory i
gpu_memory i
idle_gpu_memory i
total_swap i
total_memory i
total_gpu_memory i
total_mcp i
free_swap i
free_memory i
free_mcp i
free_gpu_memory i
load i
boot_time i
ping_time i
os s
tags sl
state e:HardwareState
lock_state e:LockState
thread_mode e:ThreadMode
gpus f
idle_gpus f
""")
class Host(NamedTuple):
    """A render host. Memory in KB; `load` is the 1-minute load average × 100."""

    id: str = ""
    name: str = ""
    alloc_name: str = ""
    nimby_enabled: bool = False
    has_comment: bool = False
    cores: float = 0.0
    idle_cores: float = 0.0
    memory: int = 0
    idle_memory: int = 0
    gpu_memory: int = 0
    idle_gpu_memory: int = 0
    total_swap: int = 0
    total_memory: int = 0
    total_gpu_memory: int = 0
    total_mcp: int = 0
    free_swap: int = 0
    free_memory: int = 0
    free_mcp: int = 0
    free_gpu_memory: int = 0
    load: int = 0
    boot_time: int = 0
    ping_time: int = 0
    os: str = ""
    tags: tuple[str, ...] = ()
    state: str = "UP"
    lock_state: str = "OPEN"
    thread_mode: str = "AUTO"
    gpus: float = 0.0
    idle_gpus: float = 0.0

    @staticmethod
    def from_json(data: Any) -> Host:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Host, data)


@_model("""
id s
name s
show_name s
job_name s
frame_name s
group_name s
ping_time i
booked_time i
dispatch_time i
reserved_memory i
reserved_gpu_memory i
used_memory i
reserved_cores f
unbooked b
log_path s
redirect_target s
services sl
used_gpu_memory i
reserved_gpus f
child_processes s
""")
class Proc(NamedTuple):
    """A running frame's reservation on a host (`name` is `host/cores/gpus`)."""

    id: str = ""
    name: str = ""
    show_name: str = ""
    job_name: str = ""
    frame_name: str = ""
    group_name: str = ""
    ping_time: int = 0
    booked_time: int = 0
    dispatch_time: int = 0
    reserved_memory: int = 0
    reserved_gpu_memory: int = 0
    used_memory: int = 0
    reserved_cores: float = 0.0
    unbooked: bool = False
    log_path: str = ""
    redirect_target: str = ""
    services: tuple[str, ...] = ()
    used_gpu_memory: int = 0
    reserved_gpus: float = 0.0
    child_processes: str = ""

    @staticmethod
    def from_json(data: Any) -> Proc:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Proc, data)

    @property
    def host(self) -> str:
        """The host name, from the proc name `host/cores/gpus`."""
        return self.name.split("/", 1)[0]


@_model("""
id s
timestamp i
user s
subject s
message s
""")
class Comment(NamedTuple):
    """A comment on a job or host."""

    id: str = ""
    timestamp: int = 0
    user: str = ""
    subject: str = ""
    message: str = ""

    @staticmethod
    def from_json(data: Any) -> Comment:
        """Decode the gateway's JSON for this message (any shape; never raises)."""
        return _decode(Comment, data)


def merge_updates(frames: Iterable[Frame], updates: Iterable[UpdatedFrame]) -> list[Frame]:
    """`frames` with each UpdatedFrame merged by id; updates for unknown ids are ignored."""
    by_id = {u.id: u for u in updates}
    return [f.merged(by_id[f.id]) if f.id in by_id else f for f in frames]
