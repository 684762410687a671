"""Decoding a 50 000-frame GetFrames answer: cuetui's fast path (msgspec, straight from the bytes into the
models, every field checked against the schema) against the standard library's json and plain dicts
(what the tutorial's client does); the tolerant path (orjson, then the models from dicts) in the note."""

from __future__ import annotations

import json
import random

import orjson

from bench.common import Result, best_of
from cuetui.gateway.models import Frame, decode_answer, decode_list, unwrap_seq

FRAMES = 50_000


def _frame(i: int, rng: random.Random) -> dict[str, object]:
    state = rng.choice(["SUCCEEDED", "SUCCEEDED", "WAITING", "RUNNING", "DEAD"])
    return {
        "id": f"2b3c4d5e-0000-4000-8000-{i:012x}",
        "name": f"{i:04d}-render",
        "layerName": "render",
        "number": i,
        "state": state,
        "retryCount": rng.randint(0, 3),
        "exitStatus": 1 if state == "DEAD" else 0,
        "dispatchOrder": i,
        "startTime": 1767229200 + i,
        "stopTime": 1767229320 + i,
        "maxRss": str(rng.randint(10**5, 10**7)),
        "usedMemory": "0",
        "reservedMemory": "3355443",
        "reservedGpuMemory": "0",
        "lastResource": f"render{rng.randint(1, 200):03d}/4.00/0",
        "checkpointState": "DISABLED",
        "checkpointCount": 0,
        "totalCoreTime": rng.randint(0, 9000),
        "lluTime": 1767229319 + i,
        "totalGpuTime": 0,
        "maxGpuMemory": "0",
        "usedGpuMemory": "0",
        "frameStateDisplayOverride": None,
        "maxPss": "0",
        "usedPss": "0",
        "eligibleTime": 1767225600,
        "submissionTime": 1767225600,
    }


def body(frames: int = FRAMES) -> bytes:
    """A compact GetFrames answer shaped like the real gateway's."""
    rng = random.Random(7)
    return orjson.dumps({"frames": {"frames": [_frame(i, rng) for i in range(frames)]}})


def run(quick: bool = False) -> list[Result]:
    data = body(5_000 if quick else FRAMES)
    n = 5_000 if quick else FRAMES

    def cuetui_decode() -> list[Frame]:
        answer = decode_answer("job.JobGetFramesResponse", data)
        assert answer is not None and len(answer.frames.frames) == n
        return answer.frames.frames  # type: ignore[no-any-return]

    def tolerant_decode() -> list[Frame]:
        return decode_list(unwrap_seq(orjson.loads(data), "frames"), Frame.from_json)

    def stdlib_dicts() -> list[dict[str, object]]:
        return json.loads(data)["frames"]["frames"]  # type: ignore[no-any-return]

    ours = best_of(cuetui_decode)
    base = best_of(stdlib_dicts)
    parse_only = best_of(lambda: orjson.loads(data))
    tolerant = best_of(tolerant_decode)
    return [
        Result(
            "decode",
            f"decode {n} frames to models",
            ours * 1000,
            "ms",
            base * 1000,
            "json.loads to dicts",
            base / ours,
            note=f"{len(data) / 1e6:.1f} MB body; orjson parse alone {parse_only * 1000:.0f} ms; "
            f"from dicts (the tolerant path's way) {tolerant * 1000:.0f} ms",
        ),
    ]
