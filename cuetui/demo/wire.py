"""Go-protojson value formatting for responses (protocol §2.1), shared by the serialisers.

orjson writes ``1.0`` for a float and the float64 repr for fractions; Go writes ``1`` and the shortest
decimal that round-trips the *float32*. ``f32`` returns a Python value that orjson prints the Go way.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import orjson

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
