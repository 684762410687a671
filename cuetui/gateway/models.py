"""Typed, immutable models of what the gateway returns: Show, Job, Layer, Frame, Host, Proc, ...

The gateway speaks Go protojson: camelCase names, int64 as strings, enums by name, every field present,
`null` for unset sub-messages. Other gateway set-ups send snake_case names, plain numbers or omit fields,
and a newer Cuebot may send enum values we do not know. Decoding therefore has two paths, both driven by
the schema table generated from opencue-proto (`cuetui.schema`):

* a fast path: msgspec decodes the response bytes straight into the models (C code, no dict in
  between), checking every field against its schema type: int32/int64 bounds, enum names, strings,
  lists; and
* a tolerant path, taken only when the fast path rejects an answer, that accepts either name style,
  fills protobuf defaults for missing or mistyped fields, keeps unknown enum names as they are, repairs
  out-of-range numbers to the nearest bound, and logs what it had to repair (once per kind).

Both paths build the same immutable model. Models are frozen msgspec Structs without a GC header: a
third lighter than NamedTuples, hashable, compared by value. Each class below declares its attributes
(for type checkers and readers; the attribute names are the proto field names) and `_model` checks them
against the schema table at import, so a field that drifts from opencue-proto fails at once. Units follow
the protocol: memory in KB, times in epoch seconds, cores as floats.
"""

# No `from __future__ import annotations`: the models' annotations stay objects, so neither msgspec nor
# the schema check below has to evaluate strings at import (that cost 13 ms of start-up).
import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, NamedTuple, TypeVar, get_args

import msgspec
import orjson

from cuetui import schema

log = logging.getLogger("cuetui.gateway")

# --- enums -----------------------------------------------------------------------------------------
# Kept as plain strings (OpenCue's names) so an unknown value from a newer Cuebot survives decoding.
# The names come from the schema table; the short names ("FrameState") are what the UI asks about.

ENUM_TYPES = {
    "JobState": "job.JobState",
    "FrameState": "job.FrameState",
    "LayerType": "job.LayerType",
    "CheckpointState": "job.CheckpointState",
    "HardwareState": "host.HardwareState",
    "LockState": "host.LockState",
    "ThreadMode": "host.ThreadMode",
}
ENUMS: dict[str, tuple[str, ...]] = {short: schema.enum_names(full) for short, full in ENUM_TYPES.items()}
JOB_STATES = ENUMS["JobState"]
FRAME_STATES = ENUMS["FrameState"]
LAYER_TYPES = ENUMS["LayerType"]
CHECKPOINT_STATES = ENUMS["CheckpointState"]
HARDWARE_STATES = ENUMS["HardwareState"]
LOCK_STATES = ENUMS["LockState"]
THREAD_MODES = ENUMS["ThreadMode"]
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
    """An enum name from a name or a number; unknown values are kept (raw) and logged once.
    `enum` is a short name ("FrameState") or a full one ("job.FrameState")."""
    full = ENUM_TYPES.get(enum, enum)
    short = full.rsplit(".", 1)[-1]
    if isinstance(value, str):
        if value not in schema.enum_numbers(full):
            _report_once("unknown enum value", f"{short}.{value[:40]}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        name = schema.enum_by_number(full).get(value)
        if name is not None:
            return name
        _report_once("unknown enum number", f"{short}={value}")
        return str(value)
    if value is not None:
        _report_once("bad enum type", f"{short}: {type(value).__name__}")
    return schema.enum_default(full)


# --- field types ------------------------------------------------------------------------------------
# What the fast path checks, from the schema's types. For a type checker an enum is a str (an unknown
# name is kept); at run time it is the Literal of the schema's names, so msgspec rejects anything else
# and the tolerant path decides.

I32 = Annotated[int, msgspec.Meta(ge=schema.INT_BOUNDS["int32"][0], le=schema.INT_BOUNDS["int32"][1])]
I64 = Annotated[int, msgspec.Meta(ge=schema.INT_BOUNDS["int64"][0], le=schema.INT_BOUNDS["int64"][1])]


def _literal(full: str) -> Any:
    return Literal.__getitem__(schema.enum_names(full))


if TYPE_CHECKING:
    JobStateName = str
    FrameStateName = str
    LayerTypeName = str
    CheckpointStateName = str
    HardwareStateName = str
    LockStateName = str
    ThreadModeName = str
else:
    JobStateName = _literal("job.JobState")
    FrameStateName = _literal("job.FrameState")
    LayerTypeName = _literal("job.LayerType")
    CheckpointStateName = _literal("job.CheckpointState")
    HardwareStateName = _literal("host.HardwareState")
    LockStateName = _literal("host.LockState")
    ThreadModeName = _literal("host.ThreadMode")


M = TypeVar("M")
S = TypeVar("S", bound="Model")


class Model(msgspec.Struct, frozen=True, gc=False, rename="camel"):
    """Base of every model: immutable, no GC header (models hold no cycles), camelCase on the wire."""

    _fields: ClassVar[tuple[str, ...]]
    JSON_FIELDS: ClassVar[tuple[str, ...]]
    MESSAGE: ClassVar[str]

    def _replace(self: M, **changes: Any) -> M:
        """A copy with some fields changed (the NamedTuple spelling, kept for callers and tests)."""
        return msgspec.structs.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    def from_json(cls: type[S], data: Any) -> S:
        """Decode the gateway's JSON object (a dict) for this message; any shape, never raises."""
        raise NotImplementedError  # replaced by _model for each model

    @classmethod
    def from_bytes(cls: type[S], content: bytes) -> S:
        """Decode one JSON object's bytes for this message, in any shape; ValueError if not JSON."""
        raise NotImplementedError  # replaced by _model for each model


_MODELS: dict[str, type[Model]] = {}  # by full message name

# --- the tolerant path ------------------------------------------------------------------------------


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool")
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


_SCALARS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "string": (_to_str, ""),
    "bytes": (_to_str, ""),  # kept as the base64 text protojson sends
    "float": (_to_float, 0.0),
    "double": (_to_float, 0.0),
    "bool": (_to_bool, False),
    **{kind: (_to_int, 0) for kind in schema.INT_BOUNDS},
}


class _Slot(NamedTuple):
    """How the tolerant path reads one field: attribute, JSON name, the other key it accepts, schema field."""

    attr: str
    json_name: str
    alt: str  # the snake_case key accepted too ("" when the same as json_name)
    field: schema.Field


def _tolerant(cls: type[S], slots: tuple[_Slot, ...], d: Any) -> S:
    name = cls.__name__
    if not isinstance(d, dict):
        _report_once("not an object", name)
        d = {}
    values: dict[str, Any] = {}
    for attr, json_name, alt, field in slots:
        raw = d.get(json_name)
        if raw is None and alt:
            raw = d.get(alt)
        kind = field.kind
        if raw is None:
            if kind == "message":
                values[attr] = None
            elif field.repeated:
                values[attr] = ()
            elif kind == "enum":
                values[attr] = schema.enum_default(field.ref)
            else:
                values[attr] = _SCALARS[kind][1]
            continue
        if kind == "enum":
            values[attr] = _enum(raw, field.ref)
        elif kind == "message":
            values[attr] = _MODELS[field.ref].from_json(raw)
        else:
            convert, default = _SCALARS[kind]
            try:
                values[attr] = _to_str_list(raw) if field.repeated else convert(raw)
            except (TypeError, ValueError, OverflowError):
                _report_once("bad value", f"{name}.{json_name}")
                values[attr] = () if field.repeated else default
                continue
            bounds = schema.INT_BOUNDS.get(kind)
            if bounds is not None and not bounds[0] <= values[attr] <= bounds[1]:
                # Repaired here, once, so no later arithmetic or formatting meets a 400-digit number.
                _report_once("number out of range", f"{name}.{json_name} ({kind})")
                values[attr] = min(max(values[attr], bounds[0]), bounds[1])
    return cls(**values)


# --- the fast path ----------------------------------------------------------------------------------

_FAST_ERRORS = (msgspec.ValidationError, msgspec.DecodeError)
# A snake_case answer (UseProtoNames) is valid JSON whose multi-word keys msgspec would skip as unknown
# fields: look at the first keys, and leave such an answer to the tolerant path, which reads both styles.
_SNAKE_KEY = re.compile(rb'"[a-z][a-z0-9]*_[a-z0-9_]*"\s*:')


def looks_snake_case(content: bytes) -> bool:
    """True when the first keys of a JSON answer are snake_case (a gateway set up with proto names)."""
    return _SNAKE_KEY.search(content, 0, 2048) is not None


_ANSWER_TYPES: dict[str, Any] = {}
_BUILDING: set[str] = set()
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    dec = _DECODERS.get(kind)
    if dec is None:
        # strict=False: int64 values arrive as JSON strings ("4194304"), as protojson writes them.
        dec = _DECODERS[kind] = msgspec.json.Decoder(kind, strict=False)
    return dec


def _wire_type(field: schema.Field) -> Any:
    """The msgspec type of a field of a wrapper message (models declare theirs)."""
    kind = field.kind
    if kind == "message":
        inner: Any = answer_type(field.ref)
        return list[inner] if field.repeated else (inner | None)
    if kind == "enum":
        inner = _literal(field.ref)
    elif kind in schema.INT_BOUNDS:
        lo, hi = schema.INT_BOUNDS[kind]
        inner = Annotated[int, msgspec.Meta(ge=lo, le=hi)]
    elif kind in schema.FLOAT_KINDS:
        inner = float
    elif kind == "bool":
        inner = bool
    else:
        inner = str
    return list[inner] if field.repeated else inner


def _wire_default(field: schema.Field) -> Any:
    if field.repeated:
        return msgspec.field(default_factory=list)
    if field.kind == "message":
        return None
    if field.kind == "enum":
        return schema.enum_default(field.ref)
    return _SCALARS.get(field.kind, (None, ""))[1]


def answer_type(message: str) -> Any:
    """The msgspec type of a message by full name: the model if there is one, else a frozen Struct built
    from the schema table (the wrappers around the models: `job.FrameSeq`, `job.JobGetFramesResponse`)."""
    model = _MODELS.get(message)
    if model is not None:
        return model
    built = _ANSWER_TYPES.get(message)
    if built is None:
        if message in _BUILDING:  # a message that contains itself needs a model declared for it
            raise TypeError(f"{message} refers to itself: declare a model for it")
        _BUILDING.add(message)
        try:
            fields = schema.fields(message)
            built = msgspec.defstruct(
                message.replace(".", "_"),
                [(f.name, _wire_type(f), _wire_default(f)) for f in fields],
                frozen=True,
                gc=False,
                rename={f.name: f.json_name for f in fields},
                module=__name__,
            )
        finally:
            _BUILDING.discard(message)
        _ANSWER_TYPES[message] = built
    return built


def decode_answer(message: str, content: bytes) -> Any | None:
    """A whole answer decoded by the fast path into the type of `message`, or None when the fast path
    rejects it (then the caller parses the JSON and takes the tolerant path)."""
    if looks_snake_case(content):
        return None
    try:
        kind = answer_type(message)
    except TypeError:  # no fast path for this message (it contains itself): the tolerant path decides
        return None
    try:
        return _decoder(kind).decode(content)
    except _FAST_ERRORS:
        return None


# --- the decorator ----------------------------------------------------------------------------------


def _expected(field: schema.Field) -> tuple[Any, Any]:
    """The annotation and default a model's attribute must have for a schema field."""
    kind = field.kind
    if field.repeated:
        return tuple[str, ...], ()
    if kind == "message":
        return _MODELS[field.ref] | None, None
    if kind == "enum":
        return _literal(field.ref), schema.enum_default(field.ref)
    if kind == "int32":
        return I32, 0
    if kind == "int64":
        return I64, 0
    if kind in schema.FLOAT_KINDS:
        return float, 0.0
    if kind == "bool":
        return bool, False
    return str, ""


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _model(message: str, omit: tuple[str, ...] = ()) -> Callable[[type[S]], type[S]]:
    """Class decorator: check a model's attributes against the schema's `message` (names in declaration
    order, JSON names, types, protobuf defaults; `omit` lists fields left out on purpose) and attach the
    decoders. A proto name in camelCase (Proc's `bookedTime`) is declared in snake_case."""

    def wrap(cls: type[S]) -> type[S]:
        fields = [f for f in schema.fields(message) if f.name not in omit]
        attrs = cls.__struct_fields__
        if list(attrs) != [_snake(f.name) for f in fields]:
            raise TypeError(f"{cls.__name__}: fields {list(attrs)} != schema {[f.name for f in fields]}")
        if list(cls.__struct_encode_fields__) != [f.json_name for f in fields]:
            raise TypeError(f"{cls.__name__}: JSON names {cls.__struct_encode_fields__} differ from the schema")
        hints = cls.__annotations__
        defaults = dict(zip(attrs[len(attrs) - len(cls.__struct_defaults__) :], cls.__struct_defaults__, strict=True))
        for attr, field in zip(attrs, fields, strict=True):
            annotation, default = _expected(field)
            if hints[attr] != annotation or get_args(hints[attr]) != get_args(annotation):
                raise TypeError(f"{cls.__name__}.{attr}: declared {hints[attr]}, schema wants {annotation}")
            if defaults.get(attr, msgspec.NODEFAULT) != default:
                raise TypeError(f"{cls.__name__}.{attr}: default must be the protobuf default {default!r}")
        pairs = zip(attrs, fields, strict=True)
        slots = tuple(_Slot(attr, f.json_name, attr if attr != f.json_name else "", f) for attr, f in pairs)
        decode = _decoder(cls).decode
        convert = msgspec.convert

        def from_json(data: Any) -> S:
            """Decode the gateway's JSON object (a dict) for this message; any shape, never raises."""
            if type(data) is dict and not any("_" in key for key in data):
                try:
                    return convert(data, cls, strict=False)
                except _FAST_ERRORS:
                    pass
            return _tolerant(cls, slots, data)

        def from_bytes(content: bytes) -> S:
            """Decode one JSON object's bytes for this message, in any shape; ValueError if not JSON."""
            if not looks_snake_case(content):
                try:
                    return decode(content)  # type: ignore[no-any-return]
                except msgspec.ValidationError:
                    pass  # JSON, but not the schema's shape; a DecodeError (not JSON) goes up
            return _tolerant(cls, slots, orjson.loads(content))

        cls.from_json = staticmethod(from_json)  # type: ignore[method-assign]
        cls.from_bytes = staticmethod(from_bytes)  # type: ignore[method-assign]
        cls._fields = tuple(attrs)
        cls.JSON_FIELDS = tuple(f.json_name for f in fields)
        cls.MESSAGE = message
        _MODELS[message] = cls
        return cls

    return wrap


# String fields whose values repeat across a list of jobs (the show, the user, the group...): decoded,
# each model holds its own copy; `share` points them at one string each. Frames repeat theirs too, but
# sharing them costs a quarter of the whole fetch + decode of a frame: the client leaves them, and
# `FrameSharer` shares them where frames are kept for long.
_SHARED_STRINGS: dict[str, tuple[str, ...]] = {"Job": ("shot", "show", "user", "group", "facility", "os")}


def share(items: list[S]) -> list[S]:
    """`items` (models of one class) with repeated string values shared; returns `items`."""
    if not items:
        return items
    strings = _SHARED_STRINGS.get(type(items[0]).__name__, ())
    # The models are frozen for their users; this runs once, before anyone else holds them. Interned
    # strings are released with their last model (CPython's interned strings are not immortal here).
    setattr_ = msgspec.structs.force_setattr
    intern = sys.intern
    for attr in strings:
        for item in items:
            setattr_(item, attr, intern(getattr(item, attr)))
    return items


class FrameSharer:
    """Points the values that repeat across a job's frames at one object each, for a list of frames
    held for long (the job screen keeps every frame of the open job).

    Each decoded frame holds its own copies: the layer name and the host's resource string (120 bytes
    a frame), and the big ints that most frames of a job share (submission and eligible times, the
    layer's reserved memory: 32 bytes each), and a finished frame's `llu_time` equal to its
    `stop_time`: sharing them keeps ~170 B a frame less (637 -> 464 B measured on `scale`'s
    200 000-frame job) for ~0.4 µs a frame. It is done where frames are kept (`FrameSync`), not in
    the client's decode, whose callers often drop the frames at once. One sharer serves the pages of
    one load; its tables hold one entry per distinct value."""

    __slots__ = ("_ints", "_strings")

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._ints: dict[int, int] = {}

    def __call__(self, frames: Iterable["Frame"]) -> None:
        """Share the repeated values of `frames` (freshly decoded, held by no one else yet)."""
        # The models are frozen for their users; this runs before anyone else holds them, and only
        # ever swaps a value for an equal one.
        setattr_ = msgspec.structs.force_setattr
        string = self._strings.setdefault
        number = self._ints.setdefault
        for frame in frames:
            setattr_(frame, "layer_name", string(frame.layer_name, frame.layer_name))
            resource = frame.last_resource
            if resource:
                setattr_(frame, "last_resource", string(resource, resource))
            setattr_(frame, "submission_time", number(frame.submission_time, frame.submission_time))
            setattr_(frame, "eligible_time", number(frame.eligible_time, frame.eligible_time))
            setattr_(frame, "reserved_memory", number(frame.reserved_memory, frame.reserved_memory))
            stop = frame.stop_time
            if stop and frame.llu_time == stop:
                setattr_(frame, "llu_time", stop)


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


@_model("show.ShowStats")
class ShowStats(Model, frozen=True):
    """Counters of a show."""

    running_frames: I32 = 0
    dead_frames: I32 = 0
    pending_frames: I32 = 0
    pending_jobs: I32 = 0
    created_job_count: I64 = 0
    created_frame_count: I64 = 0
    rendered_frame_count: I64 = 0
    failed_frame_count: I64 = 0
    reserved_cores: float = 0.0
    reserved_gpus: float = 0.0


@_model("show.Show")
class Show(Model, frozen=True):
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

    @property
    def stats(self) -> ShowStats:
        """The show's counters, zeros when the gateway sent none."""
        return self.show_stats or _EMPTY_SHOW_STATS


@_model("job.JobStats")
class JobStats(Model, frozen=True):
    """Counters of a job: frames by state, core time, memory (KB)."""

    total_layers: I32 = 0
    total_frames: I32 = 0
    waiting_frames: I32 = 0
    running_frames: I32 = 0
    dead_frames: I32 = 0
    eaten_frames: I32 = 0
    depend_frames: I32 = 0
    succeeded_frames: I32 = 0
    pending_frames: I32 = 0
    avg_frame_sec: I32 = 0
    high_frame_sec: I32 = 0
    avg_core_sec: I32 = 0
    rendered_frame_count: I64 = 0
    failed_frame_count: I64 = 0
    remaining_core_sec: I64 = 0
    total_core_sec: I64 = 0
    rendered_core_sec: I64 = 0
    failed_core_sec: I64 = 0
    max_rss: I64 = 0
    reserved_cores: float = 0.0
    total_gpu_sec: I64 = 0
    rendered_gpu_sec: I64 = 0
    failed_gpu_sec: I64 = 0
    reserved_gpus: float = 0.0
    max_gpu_memory: I64 = 0
    max_pss: I64 = 0


@_model("job.LayerStats")
class LayerStats(Model, frozen=True):
    """Counters of a layer, like JobStats plus the fastest frame time."""

    total_frames: I32 = 0
    waiting_frames: I32 = 0
    running_frames: I32 = 0
    dead_frames: I32 = 0
    eaten_frames: I32 = 0
    depend_frames: I32 = 0
    succeeded_frames: I32 = 0
    pending_frames: I32 = 0
    avg_frame_sec: I32 = 0
    low_frame_sec: I32 = 0
    high_frame_sec: I32 = 0
    avg_core_sec: I32 = 0
    rendered_frame_count: I64 = 0
    failed_frame_count: I64 = 0
    remaining_core_sec: I64 = 0
    total_core_sec: I64 = 0
    rendered_core_sec: I64 = 0
    failed_core_sec: I64 = 0
    max_rss: I64 = 0
    reserved_cores: float = 0.0
    total_gpu_sec: I64 = 0
    rendered_gpu_sec: I64 = 0
    failed_gpu_sec: I64 = 0
    reserved_gpus: float = 0.0
    max_gpu_memory: I64 = 0
    max_pss: I64 = 0


_EMPTY_SHOW_STATS = ShowStats()
_EMPTY_JOB_STATS = JobStats()
_EMPTY_LAYER_STATS = LayerStats()


@_model("job.Job")
class Job(Model, frozen=True):
    """A job. `state` PENDING means "not finished" (running or waiting), not "queued"."""

    id: str = ""
    state: JobStateName = "PENDING"
    name: str = ""
    shot: str = ""
    show: str = ""
    user: str = ""
    group: str = ""
    facility: str = ""
    os: str = ""
    uid: I32 = 0
    priority: I32 = 0
    min_cores: float = 0.0
    max_cores: float = 0.0
    log_dir: str = ""
    is_paused: bool = False
    has_comment: bool = False
    auto_eat: bool = False
    start_time: I32 = 0
    stop_time: I32 = 0
    job_stats: JobStats | None = None
    min_gpus: float = 0.0
    max_gpus: float = 0.0
    loki_url: str = ""
    eligible_time: I32 = 0

    @property
    def stats(self) -> JobStats:
        """The job's counters, zeros when the gateway sent none."""
        return self.job_stats or _EMPTY_JOB_STATS

    @property
    def is_finished(self) -> bool:
        """True once Cuebot has marked the job FINISHED."""
        return self.state == "FINISHED"


@_model("job.Layer")
class Layer(Model, frozen=True):
    """A layer of a job. `min_memory` in KB; `timeout`/`timeout_llu` in minutes."""

    id: str = ""
    name: str = ""
    range: str = ""
    tags: tuple[str, ...] = ()
    min_cores: float = 0.0
    max_cores: float = 0.0
    is_threadable: bool = False
    min_memory: I64 = 0
    min_gpu_memory: I64 = 0
    chunk_size: I32 = 0
    dispatch_order: I32 = 0
    type: LayerTypeName = "PRE"
    services: tuple[str, ...] = ()
    memory_optimizer_enabled: bool = False
    layer_stats: LayerStats | None = None
    parent_id: str = ""
    limits: tuple[str, ...] = ()
    timeout: I32 = 0
    timeout_llu: I32 = 0
    min_gpus: float = 0.0
    max_gpus: float = 0.0
    command: str = ""
    eligible_time: I32 = 0
    start_time: I32 = 0
    stop_time: I32 = 0
    start_after: I64 = 0
    start_after_reason: str = ""

    @property
    def stats(self) -> LayerStats:
        """The layer's counters, zeros when the gateway sent none."""
        return self.layer_stats or _EMPTY_LAYER_STATS


@_model("job.FrameStateDisplayOverride", omit=("color",))
class FrameStateDisplayOverride(Model, frozen=True):
    """A site-defined label shown instead of a frame's state (its colour is not kept)."""

    state: FrameStateName = "WAITING"
    text: str = ""


@_model("job.Frame")
class Frame(Model, frozen=True):
    """A frame. `last_resource` is `host/cores/gpus` ("" if never dispatched); memory in KB."""

    id: str = ""
    name: str = ""
    layer_name: str = ""
    number: I32 = 0
    state: FrameStateName = "WAITING"
    retry_count: I32 = 0
    exit_status: I32 = 0
    dispatch_order: I32 = 0
    start_time: I32 = 0
    stop_time: I32 = 0
    max_rss: I64 = 0
    used_memory: I64 = 0
    reserved_memory: I64 = 0
    reserved_gpu_memory: I64 = 0
    last_resource: str = ""
    checkpoint_state: CheckpointStateName = "DISABLED"
    checkpoint_count: I32 = 0
    total_core_time: I32 = 0
    llu_time: I32 = 0
    total_gpu_time: I32 = 0
    max_gpu_memory: I64 = 0
    used_gpu_memory: I64 = 0
    frame_state_display_override: FrameStateDisplayOverride | None = None
    max_pss: I64 = 0
    used_pss: I64 = 0
    eligible_time: I32 = 0
    submission_time: I32 = 0

    @property
    def host(self) -> str:
        """The host name the frame last ran on, from `last_resource`; "" if it never ran."""
        return self.last_resource.split("/", 1)[0]

    def merged(self, update: "UpdatedFrame") -> "Frame":
        """This frame with the changing fields of an UpdatedFrame applied."""
        return msgspec.structs.replace(
            self,
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


@_model("job.UpdatedFrame")
class UpdatedFrame(Model, frozen=True):
    """The changing fields of a frame, as GetUpdatedFrames returns them (no name, layer or number)."""

    id: str = ""
    state: FrameStateName = "WAITING"
    retry_count: I32 = 0
    exit_status: I32 = 0
    start_time: I32 = 0
    stop_time: I32 = 0
    max_rss: I64 = 0
    used_memory: I64 = 0
    last_resource: str = ""
    llu_time: I32 = 0
    max_gpu_memory: I64 = 0
    used_gpu_memory: I64 = 0
    frame_state_display_override: FrameStateDisplayOverride | None = None
    max_pss: I64 = 0


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


@_model("host.Host")
class Host(Model, frozen=True):
    """A render host. Memory in KB; `load` is the 1-minute load average × 100."""

    id: str = ""
    name: str = ""
    alloc_name: str = ""
    nimby_enabled: bool = False
    has_comment: bool = False
    cores: float = 0.0
    idle_cores: float = 0.0
    memory: I64 = 0
    idle_memory: I64 = 0
    gpu_memory: I64 = 0
    idle_gpu_memory: I64 = 0
    total_swap: I64 = 0
    total_memory: I64 = 0
    total_gpu_memory: I64 = 0
    total_mcp: I64 = 0
    free_swap: I64 = 0
    free_memory: I64 = 0
    free_mcp: I64 = 0
    free_gpu_memory: I64 = 0
    load: I32 = 0
    boot_time: I32 = 0
    ping_time: I32 = 0
    os: str = ""
    tags: tuple[str, ...] = ()
    state: HardwareStateName = "UP"
    lock_state: LockStateName = "OPEN"
    thread_mode: ThreadModeName = "AUTO"
    gpus: float = 0.0
    idle_gpus: float = 0.0


@_model("host.Proc")
class Proc(Model, frozen=True):
    """A running frame's reservation on a host (`name` is `host/cores/gpus`); `child_processes` is the
    base64 text the gateway sends for the bytes field."""

    id: str = ""
    name: str = ""
    show_name: str = ""
    job_name: str = ""
    frame_name: str = ""
    group_name: str = ""
    ping_time: I32 = 0
    booked_time: I32 = 0
    dispatch_time: I32 = 0
    reserved_memory: I64 = 0
    reserved_gpu_memory: I64 = 0
    used_memory: I64 = 0
    reserved_cores: float = 0.0
    unbooked: bool = False
    log_path: str = ""
    redirect_target: str = ""
    services: tuple[str, ...] = ()
    used_gpu_memory: I64 = 0
    reserved_gpus: float = 0.0
    child_processes: str = ""

    @property
    def host(self) -> str:
        """The host name, from the proc name `host/cores/gpus`."""
        return self.name.split("/", 1)[0]


@_model("comment.Comment")
class Comment(Model, frozen=True):
    """A comment on a job or host."""

    id: str = ""
    timestamp: I32 = 0
    user: str = ""
    subject: str = ""
    message: str = ""


def merge_updates(frames: Iterable[Frame], updates: Iterable[UpdatedFrame]) -> list[Frame]:
    """`frames` with each UpdatedFrame merged by id; updates for unknown ids are ignored."""
    by_id = {u.id: u for u in updates}
    return [f.merged(by_id[f.id]) if f.id in by_id else f for f in frames]
