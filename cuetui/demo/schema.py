"""Request decoding with the real gateway's semantics (protobuf-go protojson with ``DiscardUnknown``), over
the schema table generated from opencue-proto (`cuetui.schema`): the simulator never imports
opencue-proto at run time, and no field list is written out by hand.

Decoding rules reproduced (protocol §1.5, §2.2): unknown fields and unknown enum names are dropped at any
depth; both the JSON (camelCase) and the proto (snake_case) name are accepted, but the same field twice
is an error; ``null`` means unset; a scalar where a message or list is expected, a fraction for an
integer, a string for a bool... are 400 errors with gRPC code 3.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from cuetui import schema
from cuetui.demo.gojson import GoSyntaxError, position, read_value
from cuetui.schema import Field


class _Messages(Mapping[str, tuple[Field, ...]]):
    """Every message of the table by full name, its fields read on first use."""

    def __getitem__(self, name: str) -> tuple[Field, ...]:
        return schema.fields(name)

    def __iter__(self) -> Iterator[str]:
        return iter(schema.MESSAGES)

    def __len__(self) -> int:
        return len(schema.MESSAGES)


MESSAGES: Mapping[str, tuple[Field, ...]] = _Messages()
# Enum value names by full enum name ("job.FrameState"), in declaration order.
ENUMS: dict[str, tuple[str, ...]] = {name: schema.enum_names(name) for name in schema.ENUMS}


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


@functools.cache
def _by_key(type_name: str) -> dict[str, Field]:
    """Both name styles map to the field; lookups during decoding. A type outside the table (a request
    of a method served on the gRPC face only) has no field the simulator reads: all are discarded."""
    if type_name not in schema.MESSAGES:
        return {}
    fields = schema.fields(type_name)
    return {**{f.name: f for f in fields}, **{f.json_name: f for f in fields}}


class DecodeError(ValueError):
    """A body the real gateway would refuse with 400 / gRPC code 3; the text is the decoder message."""

    def __init__(self, message: str, token: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token  # the refused token as the message shows it, replaced by its raw text
        self.offset: int | None = None  # where that token is in the body

    def __str__(self) -> str:
        return self.message


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
    token = _token(value)
    return DecodeError(f"proto: (line 1:1): invalid value for {field.kind} field {field.json_name}: {token}", token)


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
    if kind == "message":
        if not isinstance(value, dict):
            raise _syntax(value)
        return decode_message(field.ref, value)
    if kind == "string":
        if not isinstance(value, str):
            raise _invalid(field, value)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(field, value)
        return value
    bounds = schema.INT_BOUNDS.get(kind)
    if bounds is not None:
        return _integer(field, value, bounds)
    if kind in schema.FLOAT_KINDS:
        return _floating(field, value)
    if kind == "enum":
        if isinstance(value, str):
            return schema.enum_numbers(field.ref).get(value, _MISSING)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _integer(field, value, schema.INT_BOUNDS["int32"])
        raise _invalid(field, value)
    if kind == "bytes":
        if not isinstance(value, str):
            raise _invalid(field, value)
        try:
            return base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4))
        except ValueError as err:
            raise _invalid(field, value) from err
    raise AssertionError(kind)


def _map(field: Field, value: Any) -> dict[str, Any]:
    """A map field: a JSON object whose values are decoded as the entry message's `value` field."""
    if not isinstance(value, dict):
        raise _syntax(value)
    entry = {f.name: f for f in schema.fields(field.ref)}["value"]
    out: dict[str, Any] = {}
    for key, item in value.items():
        decoded = _scalar(entry, item)
        if decoded is not _MISSING:
            out[key] = decoded
    return out


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
    fields = _by_key(type_name)
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
            if field.label == schema.MAP:
                out[field.name] = _map(field, value)
            elif field.repeated:
                if not isinstance(value, list):
                    raise _syntax(value)
                items = []
                spots = getattr(value, "spots", None) or [(None, None)] * len(value)
                for item, (item_at, item_raw) in zip(value, spots, strict=True):
                    try:
                        if item is None and field.kind != "message":
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
