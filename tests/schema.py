"""The test oracle: OpenCue's published schema (opencue-proto), used strictly.

`request_type(path)` / `response_type(path)` find the gRPC method behind a gateway path through the
service descriptors; `check_request` parses a body with unknown fields forbidden, so a field the real
gateway would silently drop fails the test.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.message import Message


def _method(path: str) -> Any:
    package_service, method = path.strip("/").split("/")
    package, service = package_service.split(".", 1)
    module = importlib.import_module(f"opencue_proto.{package}_pb2")
    return module.DESCRIPTOR.services_by_name[service].methods_by_name[method]


def request_type(path: str) -> type[Message]:
    """The protobuf request class of the gRPC method at a gateway path like /job.JobInterface/Kill."""
    return message_factory.GetMessageClass(_method(path).input_type)


def response_type(path: str) -> type[Message]:
    """The protobuf response class of the gRPC method at a gateway path."""
    return message_factory.GetMessageClass(_method(path).output_type)


def check_request(path: str, body: Any) -> Message:
    """Parse `body` strictly as the request of `path`; round-trip it and require the same JSON back."""
    text = body if isinstance(body, (str, bytes)) else json.dumps(body)
    msg = request_type(path)()
    json_format.Parse(text, msg, ignore_unknown_fields=False)
    back = json_format.MessageToDict(msg, preserving_proto_field_name=False)
    sent = json.loads(text) if text else {}
    assert _normalise(back) == _normalise(sent), f"{path}: sent {sent!r}, schema reads {back!r}"
    return msg


def check_response(path: str, body: Any) -> Message:
    """Parse a gateway response strictly as the response of `path`."""
    text = body if isinstance(body, (str, bytes)) else json.dumps(body)
    msg = response_type(path)()
    json_format.Parse(text, msg, ignore_unknown_fields=False)
    return msg


def _normalise(value: Any) -> Any:
    """Drop what protojson leaves out when reading back: defaults (0, "", false, [], {}-less)."""
    if isinstance(value, dict):
        out = {k: _normalise(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (0, "", False, [], None)}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value
