"""A hand-written mini-schema of the OpenCue messages the simulator reads or writes, and a request decoder
with the real gateway's semantics (protobuf-go protojson with ``DiscardUnknown``).

The simulator must not import opencue-proto at runtime (it is a test oracle only), so the field lists
live here, in proto declaration order; ``tests/demo/test_schema.py`` checks every one of them against the
published descriptors.

Decoding rules reproduced (protocol §1.5, §2.2): unknown fields and unknown enum names are dropped at any
depth; both the JSON (camelCase) and the proto (snake_case) name are accepted, but the same field twice
is an error; ``null`` means unset; a scalar where a message or list is expected, a fraction for an
integer, a string for a bool... are 400 errors with gRPC code 3.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from cuetui.demo.gojson import GoSyntaxError, position, read_value

ENUMS: dict[str, tuple[str, ...]] = {
    "job.JobState": ("PENDING", "FINISHED", "STARTUP", "SHUTDOWN", "POSTED"),
    "job.FrameState": ("WAITING", "SETUP", "RUNNING", "SUCCEEDED", "DEPEND", "DEAD", "EATEN", "CHECKPOINT"),
    "job.LayerType": ("PRE", "POST", "RENDER", "UTIL"),
    "job.CheckpointState": ("DISABLED", "ENABLED", "COPYING", "COMPLETE"),
    "host.HardwareState": ("UP", "DOWN", "REBOOTING", "REBOOT_WHEN_IDLE", "REPAIR"),
    "host.LockState": ("OPEN", "LOCKED", "NIMBY_LOCKED"),
    "host.ThreadMode": ("AUTO", "ALL", "VARIABLE"),
}

# proto field name : kind ; kinds: s i32 i64 f d b bytes E:<enum> M:<message>; "[]" = repeated.
_MESSAGES: dict[str, str] = {
    "show.Show": "id:s name:s default_min_cores:f default_max_cores:f comment_email:s booking_enabled:b "
    "dispatch_enabled:b active:b show_stats:M:show.ShowStats default_min_gpus:f default_max_gpus:f "
    "scheduler_managed:b",
    "show.ShowStats": "running_frames:i32 dead_frames:i32 pending_frames:i32 pending_jobs:i32 "
    "created_job_count:i64 created_frame_count:i64 rendered_frame_count:i64 failed_frame_count:i64 "
    "reserved_cores:f reserved_gpus:f",
    "job.Job": "id:s state:E:job.JobState name:s shot:s show:s user:s group:s facility:s os:s uid:i32 "
    "priority:i32 min_cores:f max_cores:f log_dir:s is_paused:b has_comment:b auto_eat:b start_time:i32 "
    "stop_time:i32 job_stats:M:job.JobStats min_gpus:f max_gpus:f loki_url:s eligible_time:i32",
    "job.JobStats": "total_layers:i32 total_frames:i32 waiting_frames:i32 running_frames:i32 "
    "dead_frames:i32 eaten_frames:i32 depend_frames:i32 succeeded_frames:i32 pending_frames:i32 "
    "avg_frame_sec:i32 high_frame_sec:i32 avg_core_sec:i32 rendered_frame_count:i64 "
    "failed_frame_count:i64 remaining_core_sec:i64 total_core_sec:i64 rendered_core_sec:i64 "
    "failed_core_sec:i64 max_rss:i64 reserved_cores:f total_gpu_sec:i64 rendered_gpu_sec:i64 "
    "failed_gpu_sec:i64 reserved_gpus:f max_gpu_memory:i64 max_pss:i64",
    "job.Layer": "id:s name:s range:s tags:s[] min_cores:f max_cores:f is_threadable:b min_memory:i64 "
    "min_gpu_memory:i64 chunk_size:i32 dispatch_order:i32 type:E:job.LayerType services:s[] "
    "memory_optimizer_enabled:b layer_stats:M:job.LayerStats parent_id:s limits:s[] timeout:i32 "
    "timeout_llu:i32 min_gpus:f max_gpus:f command:s eligible_time:i32 start_time:i32 stop_time:i32 "
    "start_after:i64 start_after_reason:s",
    "job.LayerStats": "total_frames:i32 waiting_frames:i32 running_frames:i32 dead_frames:i32 "
    "eaten_frames:i32 depend_frames:i32 succeeded_frames:i32 pending_frames:i32 avg_frame_sec:i32 "
    "low_frame_sec:i32 high_frame_sec:i32 avg_core_sec:i32 rendered_frame_count:i64 "
    "failed_frame_count:i64 remaining_core_sec:i64 total_core_sec:i64 rendered_core_sec:i64 "
    "failed_core_sec:i64 max_rss:i64 reserved_cores:f total_gpu_sec:i64 rendered_gpu_sec:i64 "
    "failed_gpu_sec:i64 reserved_gpus:f max_gpu_memory:i64 max_pss:i64",
    "job.LayerSeq": "layers:M:job.Layer[]",
    "job.Frame": "id:s name:s layer_name:s number:i32 state:E:job.FrameState retry_count:i32 "
    "exit_status:i32 dispatch_order:i32 start_time:i32 stop_time:i32 max_rss:i64 used_memory:i64 "
    "reserved_memory:i64 reserved_gpu_memory:i64 last_resource:s checkpoint_state:E:job.CheckpointState "
    "checkpoint_count:i32 total_core_time:i32 llu_time:i32 total_gpu_time:i32 max_gpu_memory:i64 "
    "used_gpu_memory:i64 frame_state_display_override:M:job.FrameStateDisplayOverride max_pss:i64 "
    "used_pss:i64 eligible_time:i32 submission_time:i32",
    "job.UpdatedFrame": "id:s state:E:job.FrameState retry_count:i32 exit_status:i32 start_time:i32 "
    "stop_time:i32 max_rss:i64 used_memory:i64 last_resource:s llu_time:i32 max_gpu_memory:i64 "
    "used_gpu_memory:i64 frame_state_display_override:M:job.FrameStateDisplayOverride max_pss:i64",
    "job.FrameStateDisplayOverride": "state:E:job.FrameState text:s color:M:job.FrameStateDisplayOverride.RGB",
    "job.FrameStateDisplayOverride.RGB": "red:i32 green:i32 blue:i32",
    "job.JobSearchCriteria": "ids:s[] jobs:s[] regex:s[] substr:s[] users:s[] shots:s[] shows:s[] include_finished:b",
    "job.FrameSearchCriteria": "ids:s[] frames:s[] layers:s[] states:M:job.FrameStateSeq frame_range:s "
    "memory_range:s duration_range:s page:i32 limit:i32 change_date:i32 max_results:i32 offset:i32 "
    "include_finished:b",
    "job.FrameStateSeq": "frame_states:E:job.FrameState[]",
    "host.Host": "id:s name:s alloc_name:s nimby_enabled:b has_comment:b cores:f idle_cores:f memory:i64 "
    "idle_memory:i64 gpu_memory:i64 idle_gpu_memory:i64 total_swap:i64 total_memory:i64 "
    "total_gpu_memory:i64 total_mcp:i64 free_swap:i64 free_memory:i64 free_mcp:i64 free_gpu_memory:i64 "
    "load:i32 boot_time:i32 ping_time:i32 os:s tags:s[] state:E:host.HardwareState "
    "lock_state:E:host.LockState thread_mode:E:host.ThreadMode gpus:f idle_gpus:f",
    "host.Proc": "id:s name:s show_name:s job_name:s frame_name:s group_name:s ping_time:i32 "
    "bookedTime:i32 dispatch_time:i32 reserved_memory:i64 reserved_gpu_memory:i64 used_memory:i64 "
    "reserved_cores:f unbooked:b log_path:s redirect_target:s services:s[] used_gpu_memory:i64 "
    "reserved_gpus:f child_processes:bytes",
    "host.HostSearchCriteria": "hosts:s[] regex:s[] substr:s[] ids:s[] allocs:s[] "
    "states:M:host.HardwareStateSeq lock_states:M:host.LockStateSeq",
    "host.HardwareStateSeq": "state:E:host.HardwareState[]",
    "host.LockStateSeq": "state:E:host.LockState[]",
    "host.ProcSearchCriteria": "hosts:s[] jobs:s[] layers:s[] shows:s[] allocs:s[] "
    "memory_range:M:criterion.InRangeIntegerSearchCriterion[] "
    "memory_greater_than:M:criterion.GreaterThanIntegerSearchCriterion[] "
    "memory_less_than:M:criterion.GreaterThanIntegerSearchCriterion[] "
    "duration_range:M:criterion.InRangeIntegerSearchCriterion[] max_results:i32[] first_result:i32",
    "criterion.InRangeIntegerSearchCriterion": "min:i64 max:i64",
    "criterion.GreaterThanIntegerSearchCriterion": "value:i64",
    "comment.Comment": "id:s timestamp:i32 user:s subject:s message:s",
    # Requests.
    "show.ShowGetShowsRequest": "",
    "show.ShowGetActiveShowsRequest": "",
    "show.ShowFindShowRequest": "name:s",
    "show.ShowGetJobsRequest": "show:M:show.Show",
    "job.JobGetJobsRequest": "r:M:job.JobSearchCriteria",
    "job.JobGetJobRequest": "id:s",
    "job.JobFindJobRequest": "name:s",
    "job.JobGetCurrentRequest": "job:M:job.Job",
    "job.JobGetLayersRequest": "job:M:job.Job",
    "job.JobGetFramesRequest": "job:M:job.Job req:M:job.FrameSearchCriteria",
    "job.JobGetUpdatedFramesRequest": "job:M:job.Job last_check:i32 layer_filter:M:job.LayerSeq",
    "job.JobPauseRequest": "job:M:job.Job",
    "job.JobResumeRequest": "job:M:job.Job",
    "job.JobKillRequest": "job:M:job.Job username:s pid:s host_kill:s reason:s",
    "job.JobSetPriorityRequest": "job:M:job.Job val:i32",
    "job.JobSetMinCoresRequest": "job:M:job.Job val:f",
    "job.JobSetMaxCoresRequest": "job:M:job.Job val:f",
    "job.JobRetryFramesRequest": "job:M:job.Job req:M:job.FrameSearchCriteria",
    "job.JobEatFramesRequest": "job:M:job.Job req:M:job.FrameSearchCriteria",
    "job.JobKillFramesRequest": "job:M:job.Job req:M:job.FrameSearchCriteria username:s pid:s host_kill:s reason:s",
    "job.JobGetCommentsRequest": "job:M:job.Job",
    "job.JobAddCommentRequest": "job:M:job.Job new_comment:M:comment.Comment",
    "job.FrameGetFrameRequest": "id:s",
    "job.FrameFindFrameRequest": "job:s layer:s frame:i32",
    "job.FrameGetFramesRequest": "job:s r:M:job.FrameSearchCriteria",
    "job.FrameRetryRequest": "frame:M:job.Frame",
    "job.FrameEatRequest": "frame:M:job.Frame",
    "job.FrameKillRequest": "frame:M:job.Frame username:s pid:s host_kill:s reason:s",
    "job.LayerGetFramesRequest": "layer:M:job.Layer s:M:job.FrameSearchCriteria",
    "host.HostGetHostsRequest": "r:M:host.HostSearchCriteria",
    "host.HostGetHostRequest": "id:s",
    "host.HostFindHostRequest": "name:s",
    "host.HostGetProcsRequest": "host:M:host.Host",
    "host.HostLockRequest": "host:M:host.Host",
    "host.HostUnlockRequest": "host:M:host.Host",
    "host.HostRebootRequest": "host:M:host.Host",
    "host.HostRebootWhenIdleRequest": "host:M:host.Host",
    "host.HostGetCommentsRequest": "host:M:host.Host",
    "host.HostAddCommentRequest": "host:M:host.Host new_comment:M:comment.Comment",
    "host.ProcGetProcsRequest": "r:M:host.ProcSearchCriteria",
    "comment.CommentSaveRequest": "comment:M:comment.Comment",
    "comment.CommentDeleteRequest": "comment:M:comment.Comment",
}


@dataclass(frozen=True)
class Field:
    """One field of a message: proto name, JSON name, kind, referenced type, repeated or not."""

    name: str
    json_name: str
    kind: str  # s i32 i64 f d b bytes E M
    ref: str
    repeated: bool


def json_name_of(proto_name: str) -> str:
    """protoc's lowerCamelCase JSON name: drop each underscore and upper-case the next letter."""
    out: list[str] = []
    upper = False
    for ch in proto_name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def _parse(spec: str) -> tuple[Field, ...]:
    fields = []
    for item in spec.split():
        repeated = item.endswith("[]")
        if repeated:
            item = item[:-2]
        name, kind, *ref = item.split(":", 2)
        fields.append(Field(name, json_name_of(name), kind, ref[0] if ref else "", repeated))
    return tuple(fields)


MESSAGES: dict[str, tuple[Field, ...]] = {name: _parse(spec) for name, spec in _MESSAGES.items()}
# Both name styles map to the field; lookups during decoding.
_BY_KEY: dict[str, dict[str, Field]] = {
    name: {**{f.name: f for f in fields}, **{f.json_name: f for f in fields}} for name, fields in MESSAGES.items()
}
_ENUM_INDEX: dict[str, dict[str, int]] = {e: {n: i for i, n in enumerate(v)} for e, v in ENUMS.items()}


class DecodeError(ValueError):
    """A body the real gateway would refuse with 400 / gRPC code 3; the text is the decoder message."""

    def __init__(self, message: str, token: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token  # the refused token as the message shows it, replaced by its raw text
        self.offset: int | None = None  # where that token is in the body

    def __str__(self) -> str:
        return self.message


_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _token(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "{" if isinstance(value, dict) else "["
    return repr(value)


def _syntax(value: Any) -> DecodeError:
    token = _token(value)
    return DecodeError(f"proto: syntax error (line 1:1): unexpected token {token}", token)


def _invalid(field: Field, value: Any) -> DecodeError:
    kind = {"i32": "int32", "i64": "int64", "f": "float", "d": "double", "b": "bool", "s": "string", "E": "enum"}.get(
        field.kind, field.kind
    )
    token = _token(value)
    return DecodeError(f"proto: (line 1:1): invalid value for {kind} field {field.json_name}: {token}", token)


_NUMERIC = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$")


def _integer(field: Field, value: Any, bounds: tuple[int, int]) -> int:
    if isinstance(value, bool):
        raise _invalid(field, value)
    if isinstance(value, str):
        if not _NUMERIC.match(value):
            raise _invalid(field, value)
        number: Any = float(value) if any(c in value for c in ".eE") else int(value)
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise _invalid(field, value)
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise _invalid(field, value)
        number = int(number)
    if not bounds[0] <= number <= bounds[1]:
        raise _invalid(field, value)
    return int(number)


def _floating(field: Field, value: Any) -> float:
    if isinstance(value, bool):
        raise _invalid(field, value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        if value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        if _NUMERIC.match(value):
            return float(value)
        raise _invalid(field, value)
    raise _invalid(field, value)


_MISSING = object()


def _scalar(field: Field, value: Any) -> Any:
    """One non-repeated value; returns _MISSING for an unknown enum name (dropped, as protobuf-go does)."""
    kind = field.kind
    if kind == "M":
        if not isinstance(value, dict):
            raise _syntax(value)
        return decode_message(field.ref, value)
    if kind == "s":
        if not isinstance(value, str):
            raise _invalid(field, value)
        return value
    if kind == "b":
        if not isinstance(value, bool):
            raise _invalid(field, value)
        return value
    if kind == "i32":
        return _integer(field, value, _INT32)
    if kind == "i64":
        return _integer(field, value, _INT64)
    if kind in ("f", "d"):
        return _floating(field, value)
    if kind == "E":
        if isinstance(value, str):
            return _ENUM_INDEX[field.ref].get(value, _MISSING)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _integer(field, value, _INT32)
        raise _invalid(field, value)
    if kind == "bytes":
        if not isinstance(value, str):
            raise _invalid(field, value)
        try:
            return base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4))
        except ValueError as err:
            raise _invalid(field, value) from err
    raise AssertionError(kind)


def _at(err: DecodeError, offset: int | None, raw: str | None) -> DecodeError:
    """Put where the refused token is into the error (the innermost place wins)."""
    if err.offset is None and offset is not None:
        err.offset = offset
        if raw is not None and raw[:1] in ("{", "["):
            raw = raw[0]  # protojson names an object or array by its opening token
        if raw is not None and err.token is not None and err.message.endswith(err.token):
            err.message = err.message[: len(err.message) - len(err.token)] + raw
    return err


def decode_message(type_name: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Decode one JSON object into a dict keyed by proto field name (only fields that were set)."""
    fields = _BY_KEY[type_name]
    out: dict[str, Any] = {}
    # A body read by gojson keeps every member (duplicates too) and where its tokens are.
    members = getattr(obj, "members", None)
    if members is None:
        members = [(key, value, None, None, None) for key, value in obj.items()]
    for key, value, key_at, value_at, raw in members:
        field = fields.get(key)
        if field is None:
            continue  # DiscardUnknown
        if field.name in out or f"#{field.name}" in out:
            raise _at(DecodeError(f'proto: (line 1:1): duplicate field "{key}"'), key_at, None)
        if value is None:
            out[f"#{field.name}"] = None  # seen, unset: still counts for duplicate detection
            continue
        try:
            if field.repeated:
                if not isinstance(value, list):
                    raise _syntax(value)
                items = []
                spots = getattr(value, "spots", None) or [(None, None)] * len(value)
                for item, (item_at, item_raw) in zip(value, spots, strict=True):
                    try:
                        if item is None and field.kind != "M":
                            raise _invalid(field, item)
                        decoded = _scalar(field, item)
                    except DecodeError as err:
                        raise _at(err, item_at, item_raw) from None
                    if decoded is not _MISSING:
                        items.append(decoded)
                out[field.name] = items
            else:
                decoded = _scalar(field, value)
                if decoded is _MISSING:
                    out[f"#{field.name}"] = None
                else:
                    out[field.name] = decoded
        except DecodeError as err:
            raise _at(err, value_at, raw) from None
    return {k: v for k, v in out.items() if not k.startswith("#")}


def decode_request(type_name: str, body: bytes) -> dict[str, Any]:
    """Decode a request body as the gateway does: empty means default; trailing data is ignored."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DecodeError("invalid UTF-8 in JSON") from err
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return {}
    try:
        value = read_value(stripped)
    except GoSyntaxError as err:
        raise DecodeError(str(err)) from err
    try:
        if not isinstance(value, dict):
            raise _syntax(value)
        return decode_message(type_name, value)
    except DecodeError as err:
        if err.offset is not None:
            err.message = err.message.replace("(line 1:1)", f"(line {position(stripped, err.offset)})", 1)
        err.args = (err.message,)
        raise
