"""The simulator's request decoding (over the generated schema table) and its registered services agree with
the published OpenCue descriptors, and it decodes requests the way the real gateway does."""

from __future__ import annotations

import importlib

import pytest

from cuetui.demo.schema import ENUMS, MESSAGES, DecodeError, decode_request
from cuetui.demo.server import HANDLERS, REGISTERED


def test_the_decoder_reads_the_generated_table() -> None:
    """No field list of its own: tests/test_schema_table.py holds the table to opencue-proto."""
    from cuetui import schema

    assert MESSAGES["job.Frame"] == schema.fields("job.Frame") and len(MESSAGES) == len(schema.MESSAGES)
    assert ENUMS["job.FrameState"] == schema.enum_names("job.FrameState")
    assert decode_request("job.FrameSetCheckpointStateRequest", b'{"state":"COMPLETE"}') == {"state": 3}


def test_registered_services_and_methods_match_descriptors() -> None:
    for service, methods in REGISTERED.items():
        package, name = service.split(".")
        module = importlib.import_module(f"opencue_proto.{package}_pb2")
        desc = module.DESCRIPTOR.services_by_name[name]
        assert methods.split() == [m.name for m in desc.methods]


@pytest.mark.parametrize("path", sorted(HANDLERS))
def test_handler_request_types_match_service(path: str) -> None:
    service, method = path[1:].split("/")
    package, name = service.split(".")
    module = importlib.import_module(f"opencue_proto.{package}_pb2")
    meth = module.DESCRIPTOR.services_by_name[name].methods_by_name[method]
    assert HANDLERS[path][0] == meth.input_type.full_name


# --- decoding rules (protocol §1.5, §2.2) -------------------------------------------------------------
def test_empty_body_and_trailing_data() -> None:
    assert decode_request("job.JobGetJobsRequest", b"") == {}
    assert decode_request("job.JobGetJobsRequest", b"  \n") == {}
    assert decode_request("job.JobGetJobRequest", b'{"id":"x"} trailing') == {"id": "x"}


def test_unknown_fields_and_enum_names_are_dropped_at_any_depth() -> None:
    req = decode_request(
        "job.JobGetFramesRequest",
        b'{"job":{"id":"j","bogus":1,"jobStats":{"nope":[1]}},"req":{"state":["DEAD"],'
        b'"states":{"frameStates":["DEAD","dead",2]},"limit":5},"x":{"y":"z"}}',
    )
    assert req == {
        "job": {"id": "j", "job_stats": {}},
        "req": {"states": {"frame_states": [5, 2]}, "limit": 5},
    }
    assert decode_request("host.HostGetHostsRequest", b'{"r":{"state":["UP"]}}') == {"r": {}}
    job = decode_request("job.JobGetCurrentRequest", b'{"job":{"state":"NOPE","id":"a"}}')
    assert job == {"job": {"id": "a"}}


def test_both_name_styles_accepted() -> None:
    a = decode_request("job.JobGetJobsRequest", b'{"r":{"includeFinished":true}}')
    b = decode_request("job.JobGetJobsRequest", b'{"r":{"include_finished":true}}')
    assert a == b == {"r": {"include_finished": True}}


def test_full_response_objects_accepted_as_request_fields() -> None:
    body = (
        b'{"job":{"id":"a","state":"PENDING","uid":1000,"minCores":1,"jobStats":{"maxRss":"42",'
        b'"reservedCores":0.5},"startTime":"17"},"val":"75"}'
    )
    req = decode_request("job.JobSetPriorityRequest", body)
    assert req["val"] == 75 and req["job"]["job_stats"]["max_rss"] == 42
    assert decode_request("job.FrameRetryRequest", b'{"frame":{"id":"f","frameStateDisplayOverride":null}}') == {
        "frame": {"id": "f"}
    }


@pytest.mark.parametrize(
    "type_name, body, needle",
    [
        ("job.JobGetJobsRequest", b"invalid-json", "invalid character 'i' looking for beginning of value"),
        ("job.JobGetJobsRequest", b'{"r":', "unexpected EOF"),
        ("job.JobGetJobsRequest", b"[]", "unexpected token ["),
        ("job.JobGetJobsRequest", b'"x"', 'unexpected token "x"'),
        ("job.JobGetJobsRequest", b'{"r":{"shows":"testing"}}', 'unexpected token "testing"'),
        ("job.JobPauseRequest", b'{"job":"abc"}', 'unexpected token "abc"'),
        ("job.JobSetPriorityRequest", b'{"val":75.5}', "invalid value for int32 field val: 75.5"),
        (
            "job.JobGetJobsRequest",
            b'{"r":{"includeFinished":true,"include_finished":true}}',
            "duplicate field",
        ),
        ("job.JobGetJobRequest", b'{"id":"a","id":"b"}', "duplicate field"),
        ("job.JobGetJobsRequest", b'{"r":{"includeFinished":"yes"}}', "invalid value for bool"),
        ("job.JobGetJobRequest", b'{"id":5}', "invalid value for string"),
        ("job.JobSetPriorityRequest", b'{"val":3000000000}', "invalid value for int32"),
    ],
)
def test_rejected_like_go(type_name: str, body: bytes, needle: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode_request(type_name, body)
    assert needle in str(err.value)


def test_integral_float_and_numeric_string_accepted_for_int32() -> None:
    assert decode_request("job.JobSetPriorityRequest", b'{"val":75.0}') == {"val": 75}
    assert decode_request("job.JobSetPriorityRequest", b'{"val":"75"}') == {"val": 75}
    assert decode_request("job.JobSetMaxCoresRequest", b'{"val":"2.5"}') == {"val": 2.5}
    assert decode_request("job.JobSetPriorityRequest", b'{"val":null}') == {}


# Exact texts the real gateway binary (shared/realgw) answered for these bodies: Go's encoding/json for
# the syntax, protojson's "(line L:C)" at the refused token (the key for a duplicate), the raw token.
@pytest.mark.parametrize(
    "type_name, body, message",
    [
        ("job.JobGetFramesRequest", "not json", "invalid character 'o' in literal null (expecting 'u')"),
        ("job.JobGetFramesRequest", '{"job":', "unexpected EOF"),
        ("job.JobGetFramesRequest", '{"job": "abc"}', 'proto: syntax error (line 1:9): unexpected token "abc"'),
        ("job.JobGetJobRequest", '{"id": 5}', "proto: (line 1:8): invalid value for string field id: 5"),
        ("job.JobGetJobRequest", '{"id": {"a": 1}}', "proto: (line 1:8): invalid value for string field id: {"),
        (
            "job.JobGetJobsRequest",
            '{"r": {"includeFinished": true, "include_finished": false}}',
            'proto: (line 1:33): duplicate field "include_finished"',
        ),
        (
            "job.JobGetJobRequest",
            '{\n  "x": 1,\n    "id": true\n}',
            "proto: (line 3:11): invalid value for string field id: true",
        ),
        (
            "job.JobGetJobsRequest",
            '{"r": {"shows": ["é", 7]}}',
            "proto: (line 1:23): invalid value for string field shows: 7",
        ),
        (
            "job.JobGetJobsRequest",
            '{"r": {"users": [null]}}',
            "proto: (line 1:18): invalid value for string field users: null",
        ),
        (
            "job.JobGetFramesRequest",
            '{"req": {"states": {"frameStates": [true]}}}',
            "proto: (line 1:37): invalid value for enum field frameStates: true",
        ),
        ("job.JobGetFramesRequest", '{"job": NaN}', "invalid character 'N' looking for beginning of value"),
        (
            "job.JobGetJobsRequest",
            '{"r": {"includeFinished": tru}}',
            "invalid character '}' in literal true (expecting 'e')",
        ),
        ("job.JobGetFramesRequest", '{"job" {}}', "invalid character '{' after object key"),
        ("job.JobGetFramesRequest", '{"job": {} "req": {}}', "invalid character '\"' after object key:value pair"),
        ("job.JobGetFramesRequest", "{job: 1}", "invalid character 'j' looking for beginning of object key string"),
        ("job.JobGetJobsRequest", '{"r": {"shows": [1 2]}}', "invalid character '2' after array element"),
        ("job.JobGetJobRequest", '{"id": "a\tb"}', "invalid character '\\t' in string literal"),
        ("job.JobGetJobRequest", '{"id": "a\\qb"}', "invalid character 'q' in string escape code"),
        (
            "job.JobGetFramesRequest",
            '{"req": {"limit": 1.}}',
            "invalid character '}' after decimal point in numeric literal",
        ),
        ("job.JobGetFramesRequest", '{"req": {"limit": 1e}}', "invalid character '}' in exponent of numeric literal"),
        ("job.JobGetFramesRequest", '{"req": {"limit": -}}', "invalid character '}' in numeric literal"),
        ("job.JobGetJobRequest", '{"id": "x", "id": "y"}', 'proto: (line 1:13): duplicate field "id"'),
        (
            "job.JobGetJobsRequest",
            '{"r": {"includeFinished": "\\u0041"}}',
            'proto: (line 1:27): invalid value for bool field includeFinished: "\\u0041"',
        ),
    ],
)
def test_decode_errors_word_for_word_as_the_real_gateway(type_name: str, body: str, message: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode_request(type_name, body.encode())
    assert str(err.value) == message


def test_duplicate_unknown_fields_are_dropped_like_known_ones_are_not() -> None:
    assert decode_request("job.JobGetJobRequest", b'{"nope": 1, "nope": 2, "id": "x"}') == {"id": "x"}
