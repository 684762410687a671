"""Golden outputs of the tolerant decoding path: answers in every odd shape a gateway may send (snake_case
names, numbers as strings or as numbers, enum numbers, unknown enum names, wrong types, nulls, missing
fields, a list where an object belongs), decoded into models and written as the CLI's `--json` would.

`golden/tolerant.json` was written before the decoders were regenerated from the schema, so a new
decoder must repair everything exactly as the old one did. Regenerate on purpose with
`CUETUI_GOLDEN_UPDATE=1 pytest tests/gateway/test_decode_golden.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cuetui.farm.output import to_jsonable
from cuetui.gateway import models as m

GOLDEN = Path(__file__).with_name("golden") / "tolerant.json"

ODD: dict[str, tuple[Any, list[Any]]] = {
    "Job": (
        m.Job,
        [
            {},
            {"id": "j", "state": "FINISHED", "uid": 1000, "priority": "75", "min_cores": 2, "isPaused": True},
            {"id": "j", "state": 3, "priority": 7.9, "minCores": "1.5", "maxCores": None, "startTime": "17"},
            {"id": "j", "state": 99, "name": 5, "show": ["x"], "isPaused": "true", "autoEat": "false"},
            {"id": "j", "state": "QUANTUM", "jobStats": {"totalFrames": "10", "dead_frames": 2, "maxRss": "x"}},
            {"id": "j", "state": True, "has_comment": 1, "job_stats": [1, 2], "logDir": {"a": 1}},
            {"id": "j", "state": None, "jobStats": None, "priority": True, "stopTime": "", "eligibleTime": "1e3"},
            [1, 2, 3],
            "not an object",
            None,
        ],
    ),
    "Layer": (
        m.Layer,
        [
            {"id": "l", "type": "RENDER", "tags": ["a", "b"], "services": "arnold", "limits": None},
            {"id": "l", "type": 2, "tags": [1, 2.5], "minMemory": "3355443", "layerStats": {"lowFrameSec": 3}},
            {"id": "l", "type": "HOLOGRAM", "tags": [None], "min_memory": 12, "timeout_llu": "5"},
        ],
    ),
    "Frame": (
        m.Frame,
        [
            {"id": "f", "state": "DEAD", "maxRss": "4194304", "checkpointState": "COMPLETE"},
            {"id": "f", "state": 5, "checkpoint_state": 1, "frame_state_display_override": {"state": 2, "text": "x"}},
            {"id": "f", "state": "EXPLODED", "frameStateDisplayOverride": {"state": "NOPE", "text": 3}},
            {"id": "f", "layerName": None, "number": "0007", "retryCount": -1, "usedPss": "-5"},
            {"id": "f", "frameStateDisplayOverride": "text", "lastResource": 42},
        ],
    ),
    "UpdatedFrame": (
        m.UpdatedFrame,
        [{"id": "u", "state": "RUNNING", "lluTime": "9"}, {"id": "u", "state": 8, "max_pss": 3.0}],
    ),
    "Host": (
        m.Host,
        [
            {"id": "h", "state": "REPAIR", "lockState": "NIMBY_LOCKED", "threadMode": "VARIABLE", "cores": "16"},
            {"id": "h", "state": 4, "lock_state": 2, "thread_mode": 7, "tags": ["gpu"], "load": "150"},
            {"id": "h", "state": "LEVITATING", "lockState": "WOBBLY", "threadMode": "SOME", "idleCores": True},
        ],
    ),
    "Proc": (
        m.Proc,
        [
            {"id": "p", "name": "h/4.00/0", "childProcesses": "", "reservedCores": "4", "services": []},
            {"id": "p", "booked_time": "12", "unbooked": "false", "child_processes": 5},
        ],
    ),
    "Show": (
        m.Show,
        [
            {"id": "s", "name": "testing", "showStats": {"pendingJobs": "3", "createdJobCount": "12"}},
            {"id": "s", "show_stats": {"reserved_cores": "1.5"}, "active": "true", "defaultMaxCores": "x"},
        ],
    ),
    "Comment": (m.Comment, [{"id": "c", "timestamp": "1767225600", "user": "ann"}, {"timestamp": 1.5}]),
}


def _decoded() -> dict[str, list[Any]]:
    return {name: [to_jsonable(model.from_json(item)) for item in items] for name, (model, items) in ODD.items()}


def test_tolerant_decoding_is_unchanged() -> None:
    text = json.dumps(_decoded(), indent=1, sort_keys=False) + "\n"
    if os.environ.get("CUETUI_GOLDEN_UPDATE"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()
