"""Go-protojson value formatting for responses (protocol §2.1), shared by the serialisers.

orjson writes ``1.0`` for a float and the float64 repr for fractions; Go writes ``1`` and the shortest
decimal that round-trips the *float32*. ``f32`` returns a Python value that orjson prints the Go way.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import orjson

from cuetui import schema

_F32_CACHE: dict[float, Any] = {}
_PACK = struct.Struct("<f")


def f32(value: float) -> Any:
    """A float field's JSON value: int when integral, else the shortest float32 round-trip decimal."""
    cached = _F32_CACHE.get(value)
    if cached is not None:
        return cached
    if math.isnan(value):
        out: Any = "NaN"
    elif math.isinf(value):
        out = "Infinity" if value > 0 else "-Infinity"
    else:
        try:
            single = _PACK.unpack(_PACK.pack(value))[0]
        except OverflowError:
            single = math.copysign(math.inf, value)
        if math.isinf(single):
            out = "Infinity" if single > 0 else "-Infinity"
        elif single == int(single) and abs(single) < 2**63:
            out = int(single)
        else:
            out = single
            for digits in range(1, 10):
                text = f"{single:.{digits}g}"
                if _PACK.unpack(_PACK.pack(float(text)))[0] == single:
                    out = float(text)
                    break
    if len(_F32_CACHE) < 100_000:
        _F32_CACHE[value] = out
    return out


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes (orjson), as the gateway sends."""
    return orjson.dumps(obj)


def error_body(code: int, message: str) -> bytes:
    """A google.rpc.Status body: always code, message, details in this order."""
    return orjson.dumps({"code": code, "message": message, "details": []})


def f64(value: float) -> Any:
    """A double field's JSON value: int when integral (Go writes `1`, not `1.0`), NaN/Infinity as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return int(value) if value == int(value) and abs(value) < 2**63 else value


class Emitter:
    """Go protojson's output of one message (protocol §2.1) from the schema table: give it the values by
    proto field name, it writes every field in declaration order under its JSON name, the unset ones as
    their defaults (EmitUnpopulated; an unset oneof member is left out), int64 as strings, floats as the
    shortest float32 decimal, enum numbers as names, sub-messages through their own Emitter. A name the
    message does not have is a KeyError: a misspelt field fails at once instead of staying at its default.
    The objects are for `dumps`: fields left unset share their default (an empty list too)."""

    def __init__(self, message: str) -> None:
        self.message = message
        fields = schema.fields(message)
        # Every field but the oneof members, at its default, in declaration order: copied, then the
        # given values overwrite their keys in place, so the order stays the schema's.
        self._template = {f.json_name: self._default(f) for f in fields if not f.oneof}
        self._fields = {f.name: (f.json_name, self._converter(f)) for f in fields}
        self._order = [f.json_name for f in fields]
        self._oneofs = frozenset(f.name for f in fields if f.oneof)

    @staticmethod
    def _scalar(field: schema.Field) -> Any:
        kind = field.kind
        if kind in schema.INT64_KINDS:
            return str
        if kind == "float":
            return f32
        if kind == "double":
            return f64
        if kind == "enum":
            names = schema.enum_by_number(field.ref)
            return lambda value: names[value] if type(value) is int else value
        if kind == "message":
            ref = field.ref
            return lambda value: emitter(ref)(value)  # on first use: messages may refer to themselves
        return None

    def _converter(self, field: schema.Field) -> Any:
        one = self._scalar(field)
        if field.label == schema.MAP:
            return dict
        if field.repeated:
            return list if one is None else (lambda values: [one(v) for v in values])
        if field.kind == "message":
            return lambda value: one(value) if type(value) is dict else value
        return one

    @staticmethod
    def _default(field: schema.Field) -> Any:
        if field.label == schema.MAP:
            return {}
        if field.repeated:
            return []
        kind = field.kind
        if kind == "message":
            return None
        if kind == "enum":
            return schema.enum_default(field.ref)
        if kind in schema.INT64_KINDS:
            return "0"
        if kind in schema.INT_BOUNDS or kind in schema.FLOAT_KINDS:
            return 0
        if kind == "bool":
            return False
        return ""

    def __call__(self, values: dict[str, Any]) -> dict[str, Any]:
        """The JSON object; `values` holds farm values (ints for enums and int64) by proto field name.
        A sub-message may be given as a dict of its values, or None."""
        out = self._template.copy()
        fields = self._fields
        for name, value in values.items():
            json_name, convert = fields[name]
            out[json_name] = value if convert is None or value is None else convert(value)
        if self._oneofs and not self._oneofs.isdisjoint(values):
            out = {key: out[key] for key in self._order if key in out}  # a oneof member given: its place
        return out


_EMITTERS: dict[str, Emitter] = {}


def emitter(message: str) -> Emitter:
    """The Emitter of a message by full name (built once)."""
    found = _EMITTERS.get(message)
    if found is None:
        found = _EMITTERS[message] = Emitter(message)
    return found
