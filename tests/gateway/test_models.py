"""Decoding gateway JSON into models: the real shape fast, anything else tolerantly, never a crash."""

from __future__ import annotations

import logging
import types
import typing

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opencue_proto import comment_pb2, host_pb2, job_pb2, show_pb2

from cuetui.gateway import models as m

SCHEMA = [
    (m.Show, show_pb2.Show),
    (m.ShowStats, show_pb2.ShowStats),
    (m.Job, job_pb2.Job),
    (m.JobStats, job_pb2.JobStats),
    (m.Layer, job_pb2.Layer),
    (m.LayerStats, job_pb2.LayerStats),
    (m.Frame, job_pb2.Frame),
    (m.UpdatedFrame, job_pb2.UpdatedFrame),
    (m.Host, host_pb2.Host),
    (m.Proc, host_pb2.Proc),
    (m.Comment, comment_pb2.Comment),
]

FRAME = {
    "id": "2b3c4d5e-0000-4000-8000-000000000001",
    "name": "0007-render",
    "layerName": "render",
    "number": 7,
    "state": "DEAD",
    "retryCount": 3,
    "exitStatus": 1,
    "dispatchOrder": 6,
    "startTime": 1767229200,
    "stopTime": 1767229320,
    "maxRss": "4194304",
    "usedMemory": "0",
    "reservedMemory": "3355443",
    "reservedGpuMemory": "0",
    "lastResource": "render03/4.00/0",
    "checkpointState": "DISABLED",
    "checkpointCount": 0,
    "totalCoreTime": 1920,
    "lluTime": 1767229319,
    "totalGpuTime": 0,
    "maxGpuMemory": "0",
    "usedGpuMemory": "0",
    "frameStateDisplayOverride": None,
    "maxPss": "0",
    "usedPss": "0",
    "eligibleTime": 1767225600,
    "submissionTime": 1767225600,
}


@pytest.mark.parametrize(("model", "proto"), SCHEMA, ids=lambda x: getattr(x, "__name__", ""))
def test_field_tables_match_the_schema(model: type, proto: type) -> None:
    """Each model lists the schema's fields in declaration order (FrameStateDisplayOverride's colour
    is the only field left out, on purpose)."""
    names = [f.json_name for f in proto.DESCRIPTOR.fields]
    assert list(model.JSON_FIELDS) == names  # type: ignore[attr-defined]


def test_real_gateway_frame() -> None:
    frame = m.Frame.from_json(FRAME)
    assert frame.max_rss == 4194304 and frame.state == "DEAD" and frame.host == "render03"
    assert frame.frame_state_display_override is None


def test_snake_case_plain_numbers_and_missing_fields() -> None:
    frame = m.Frame.from_json({"id": "a", "layer_name": "comp", "max_rss": 12, "retry_count": "2"})
    assert (frame.id, frame.layer_name, frame.max_rss, frame.retry_count) == ("a", "comp", 12, 2)
    assert frame.state == "WAITING" and frame.name == ""


def test_null_sub_message_and_stats_fallback() -> None:
    job = m.Job.from_json({"id": "j", "name": "n", "jobStats": None})
    assert job.job_stats is None and job.stats.total_frames == 0
    job = m.Job.from_json({"id": "j", "jobStats": {"totalFrames": 10, "deadFrames": 2, "maxRss": "7"}})
    assert job.stats.total_frames == 10 and job.stats.max_rss == 7


def test_unknown_enum_kept_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cuetui.gateway"):
        frame = m.Frame.from_json(dict(FRAME, state="QUANTUM"))
    assert frame.state == "QUANTUM"
    assert not m.is_known_enum("FrameState", frame.state)
    assert "QUANTUM" in caplog.text


def test_enum_numbers() -> None:
    assert m.Frame.from_json(dict(FRAME, state=5)).state == "DEAD"
    assert m.Frame.from_json(dict(FRAME, state=99)).state == "99"


def test_wrong_types_fall_back_to_defaults() -> None:
    frame = m.Frame.from_json(dict(FRAME, exitStatus="oops", name=17, maxRss=None))
    assert frame.exit_status == 0 and frame.name == "17" and frame.max_rss == 0


def test_not_an_object() -> None:
    assert m.Frame.from_json(None) == m.Frame()
    assert m.Frame.from_json([1, 2]) == m.Frame()
    assert m.decode_list("nope", m.Frame.from_json) == []
    assert m.decode_list(None, m.Frame.from_json) == []


def test_unwrap_seq() -> None:
    assert m.unwrap_seq({"jobs": {"jobs": [1]}}, "jobs") == [1]
    assert m.unwrap_seq({"jobs": [1]}, "jobs") == [1]
    assert m.unwrap_seq({"jobs": None}, "jobs") is None
    assert m.unwrap_seq("x", "jobs") is None


def test_merge_updates() -> None:
    frame = m.Frame.from_json(FRAME)
    update = m.UpdatedFrame(id=frame.id, state="WAITING", retry_count=4, last_resource="")
    merged = m.merge_updates([frame, m.Frame(id="other")], [update, m.UpdatedFrame(id="unknown")])
    assert merged[0].state == "WAITING" and merged[0].retry_count == 4 and merged[0].name == "0007-render"
    assert merged[1] == m.Frame(id="other")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*FRAME, "bogus", "layer_name", "max_rss"]), JSONISH, max_size=12))
def test_any_json_decodes_without_raising(data: dict[str, object]) -> None:
    for model, _ in SCHEMA:
        decoded = model.from_json(data)  # type: ignore[attr-defined]
        assert_well_typed(decoded, model)


def assert_well_typed(value: object, model: type, where: str = "") -> None:
    """Every field of the decoded `value` holds what its annotation says: garbage in, defaults or
    converted values out, never a stray list, dict, None or string where a number belongs."""
    assert type(value) is model, f"{where or model.__name__}: {type(value).__name__}, not {model.__name__}"
    hints = typing.get_type_hints(model)
    fields = getattr(model, "_fields", None) or getattr(model, "__struct_fields__", None) or tuple(hints)
    assert fields, f"{model.__name__} has no fields to check"
    for name in fields:
        assert_of_type(getattr(value, name), hints[name], f"{where or model.__name__}.{name}")


def assert_of_type(value: object, hint: object, where: str) -> None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            assert type(None) in args, f"{where}: None for {hint}"
            return
        (inner,) = [a for a in args if a is not type(None)]
        assert_of_type(value, inner, where)
    elif origin is tuple:
        assert type(value) is tuple, f"{where}: {value!r} is not a tuple"
        for i, item in enumerate(value):
            assert_of_type(item, args[0], f"{where}[{i}]")
    elif origin is typing.Literal:
        # An enum field: one of its names, or (the tolerant path) an unknown name kept as a string.
        assert type(value) is str, f"{where}: {value!r} is not an enum name"
    elif hint is float:
        assert type(value) in (float, int), f"{where}: {value!r} is not a number"  # never a bool
    elif hint in (int, str, bool):
        assert type(value) is hint, f"{where}: {value!r} is not {hint.__name__}"  # type: ignore[union-attr]
    elif isinstance(hint, type) and hasattr(hint, "from_json"):
        assert_well_typed(value, hint, where)
    else:
        raise AssertionError(f"{where}: no check for the annotation {hint!r}; teach assert_of_type about it")


def test_numbers_out_of_their_schema_range_are_clamped_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    m._reported.clear()
    huge = "9" * 400
    with caplog.at_level(logging.WARNING, logger="cuetui.gateway"):
        frame = m.Frame.from_json(dict(FRAME, number=2**31, maxRss=huge, exitStatus=-(2**40)))
        again = m.Frame.from_bytes(orjson.dumps(dict(FRAME, maxRss=huge)))
    assert frame.number == 2**31 - 1 and frame.exit_status == -(2**31)
    assert frame.max_rss == again.max_rss == 2**63 - 1
    assert caplog.text.count("Frame.maxRss") == 1 and "out of range" in caplog.text


def test_fast_path_answers_equal_the_tolerant_ones() -> None:
    content = orjson.dumps({"frames": {"frames": [FRAME, dict(FRAME, id="b", state="DEAD")]}})
    fast = m.decode_answer("job.JobGetFramesResponse", content)
    assert fast is not None
    assert fast.frames.frames == [m.Frame.from_json(FRAME), m.Frame.from_json(dict(FRAME, id="b", state="DEAD"))]
    assert type(fast.frames.frames[0]) is m.Frame


@pytest.mark.parametrize(
    "frame",
    [
        dict(FRAME, state="QUANTUM"),  # unknown enum name: kept raw by the tolerant path
        dict(FRAME, state=5),  # enum number
        dict(FRAME, number=2**31),  # out of the int32 range
        dict(FRAME, name=17),  # wrong type
        {"id": "a", "layer_name": "comp", "max_rss": 12},  # snake_case names
    ],
)
def test_fast_path_leaves_odd_answers_to_the_tolerant_path(frame: dict[str, object]) -> None:
    assert m.decode_answer("job.JobGetFramesResponse", orjson.dumps({"frames": {"frames": [frame]}})) is None
    assert m.Frame.from_bytes(orjson.dumps(frame)) == m.Frame.from_json(frame)


def test_a_model_that_drifts_from_the_schema_fails_at_import() -> None:
    with pytest.raises(TypeError, match="schema"):

        @m._model("comment.Comment")
        class Wrong(m.Model, frozen=True):
            id: str = ""
            timestamp: m.I64 = 0  # int32 in the schema
            user: str = ""
            subject: str = ""
            message: str = ""

    with pytest.raises(TypeError, match="fields"):

        @m._model("comment.Comment")
        class Missing(m.Model, frozen=True):
            id: str = ""


def test_share_points_repeated_values_at_one_object_and_changes_nothing_else() -> None:
    job = {"id": "j", "show": "testing", "user": "jdoe", "shot": "sh010", "state": "PENDING"}
    decoded = [m.Job.from_bytes(orjson.dumps(dict(job, id=str(i)))) for i in range(3)]
    before = [m.Job.from_json(dict(job, id=str(i))) for i in range(3)]
    assert decoded[0].user is not decoded[1].user  # each decode makes its own copy
    shared = m.share(decoded)
    assert shared is decoded and shared == before
    assert shared[0].user is shared[2].user and shared[0].show is shared[1].show
    assert m.share([]) == []
    frames = [m.Frame.from_json(FRAME)]
    assert m.share(frames) == frames  # a class without shared fields is left as it is


def test_frame_sharer_points_repeated_frame_values_at_one_object_and_changes_nothing_else() -> None:
    def frame(n: int, host: str) -> dict[str, object]:
        return dict(
            FRAME,
            id=f"f{n}",
            layerName="render_beauty",
            lastResource=f"{host}/1.00/0",
            submissionTime=1_796_078_048,
            eligibleTime=1_796_078_049,
            reservedMemory="2097152",
            stopTime=1_796_079_000 + n,
            lluTime=1_796_079_000 + n,
        )

    def decoded() -> list[m.Frame]:
        return [m.Frame.from_bytes(orjson.dumps(frame(n, "render0042" if n % 2 else "render0007"))) for n in range(4)]

    frames, expected = decoded(), decoded()
    assert frames[0].layer_name is not frames[1].layer_name  # each decode makes its own copy
    share = m.FrameSharer()
    share(frames[:2])
    share(frames[2:])  # one sharer across the pages of a load
    assert frames == expected
    assert frames[0].layer_name is frames[3].layer_name
    assert frames[1].last_resource is frames[3].last_resource and frames[0].last_resource is frames[2].last_resource
    assert frames[0].last_resource is not frames[1].last_resource
    for attr in ("submission_time", "eligible_time", "reserved_memory"):
        assert getattr(frames[0], attr) is getattr(frames[3], attr)
    assert frames[2].llu_time is frames[2].stop_time


def test_every_rpc_answer_has_a_fast_decoder_or_leaves_it_to_the_tolerant_path() -> None:
    """New RPCs need no hand-written decoder: the answer types are built from the schema table."""
    from cuetui import schema

    built = 0
    for _request, response in schema.RPCS.values():
        try:
            m.answer_type(response)
            built += 1
        except TypeError:  # a message that contains itself (a host or group tree)
            assert m.decode_answer(response, b"{}") is None
    assert built >= len(schema.RPCS) - 5
    answer = m.decode_answer("job.JobGetCommentsResponse", b'{"comments":{"comments":[{"id":"c","timestamp":5}]}}')
    assert answer.comments.comments == [m.Comment(id="c", timestamp=5)]
