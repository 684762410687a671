"""Deterministic UUIDs for the simulated farm: derived from (seed, kind, indices), parseable back.

Layout ``SSSSSSSS-KKKK-4JJJ-8JJJ-LLLLFFFFFFFF``: S = hash of the seed, K = entity kind, J = 24-bit job
(or host/show) index, L = 16-bit layer index, F = 32-bit frame (or proc/comment) index. The UUID looks
like a version-4 UUID, so clients that validate the shape are happy, and the simulator can find a frame
from its id with arithmetic instead of a dict entry per frame.
"""

from __future__ import annotations

import hashlib

SHOW, JOB, LAYER, FRAME, HOST, PROC, COMMENT = 1, 2, 3, 4, 5, 6, 7


def seed_prefix(seed: int) -> str:
    """The 8 hex digits every id of a farm with this seed starts with."""
    return hashlib.sha256(f"cuetui-demo-{seed}".encode()).hexdigest()[:8]


def make_id(prefix: str, kind: int, major: int, layer: int = 0, minor: int = 0) -> str:
    """A UUID string for entity `kind` at the given indices."""
    return (
        f"{prefix}-{kind:04x}-4{(major >> 12) & 0xFFF:03x}-8{major & 0xFFF:03x}-"
        f"{layer & 0xFFFF:04x}{minor & 0xFFFFFFFF:08x}"
    )


def parse_id(prefix: str, value: str) -> tuple[int, int, int, int] | None:
    """(kind, major, layer, minor) of an id made by make_id with this prefix, else None."""
    if len(value) != 36 or not value.startswith(prefix) or value[8] != "-":
        return None
    try:
        kind = int(value[9:13], 16)
        if value[14] != "4" or value[19] != "8":
            return None
        major = (int(value[15:18], 16) << 12) | int(value[20:23], 16)
        layer = int(value[24:28], 16)
        minor = int(value[28:36], 16)
    except ValueError:
        return None
    if make_id(prefix, kind, major, layer, minor) != value:
        return None
    return kind, major, layer, minor
