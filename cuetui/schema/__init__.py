"""OpenCue's schema, read from the generated table in `cuetui.schema.opencue` (never from opencue-proto).

One table describes every message, enum and RPC the gateway serves; the client's models and decoders,
its request builders and the simulator's wire format are all built from it. This module gives typed
access: `fields("job.Frame")`, `enum_names("job.FrameState")`, `RPCS["/job.JobInterface/GetFrames"]`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from cuetui.schema.opencue import ENUMS, MESSAGES, PROTO_VERSION, RPCS

SINGLE, REPEATED, MAP = 0, 1, 2

# Integer kinds and their bounds; the 64-bit ones travel as JSON strings (proto3 JSON mapping).
INT_BOUNDS: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "sint32": (-(2**31), 2**31 - 1),
    "sfixed32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "fixed32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "sint64": (-(2**63), 2**63 - 1),
    "sfixed64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
    "fixed64": (0, 2**64 - 1),
}
INT64_KINDS = frozenset({"int64", "sint64", "sfixed64", "uint64", "fixed64"})
FLOAT_KINDS = frozenset({"float", "double"})


class Field(NamedTuple):
    """One field of a message: proto name, JSON (camelCase) name, kind, referenced type, label, oneof."""

    name: str
    json_name: str
    kind: str  # the proto type: string int32 int64 float double bool bytes enum message ...
    ref: str  # the full name of the message or enum type, "" for scalars
    label: int  # SINGLE, REPEATED or MAP
    oneof: str  # the containing oneof's name, "" if none

    @property
    def repeated(self) -> bool:
        """True for a repeated field (a map counts: it is a repeated entry message on the wire)."""
        return self.label != SINGLE


@functools.cache
def fields(message: str) -> tuple[Field, ...]:
    """The fields of a message by full name (e.g. "job.Frame"), in declaration order."""
    return tuple(Field(*spec) for spec in MESSAGES[message])


@functools.cache
def enum_names(enum: str) -> tuple[str, ...]:
    """The value names of an enum by full name (e.g. "job.FrameState"), in declaration order."""
    return tuple(name for name, _number in ENUMS[enum])


@functools.cache
def enum_numbers(enum: str) -> dict[str, int]:
    """Value name -> number of an enum."""
    return dict(ENUMS[enum])


@functools.cache
def enum_by_number(enum: str) -> dict[int, str]:
    """Number -> value name of an enum (the first name when two share a number)."""
    out: dict[int, str] = {}
    for name, number in ENUMS[enum]:
        out.setdefault(number, name)
    return out


def enum_default(enum: str) -> str:
    """The name of an enum's zero value: what protobuf takes for an unset field."""
    return enum_by_number(enum).get(0, ENUMS[enum][0][0])


__all__ = [
    "ENUMS",
    "FLOAT_KINDS",
    "INT64_KINDS",
    "INT_BOUNDS",
    "MAP",
    "MESSAGES",
    "PROTO_VERSION",
    "REPEATED",
    "RPCS",
    "SINGLE",
    "Field",
    "enum_by_number",
    "enum_default",
    "enum_names",
    "enum_numbers",
    "fields",
]
