"""Small builders of models for pure tests of the commands' logic."""

from __future__ import annotations

from typing import Any

from cuetui.gateway.models import Frame, Job, JobStats
from tests import waiting


def job(
    name: str = "testing-sh010-jdoe_lighting_v001",
    job_id: str = "0f8c2f4e-5a7b-4c1d-9e2f-000000000001",
    state: str = "PENDING",
    **stats: Any,
) -> Job:
    """A Job with the given JobStats counters (total_frames, succeeded_frames, ...)."""
    paused = bool(stats.pop("paused", False))
    start = int(stats.pop("start_time", 1767225600))
    return Job(id=job_id, name=name, state=state, is_paused=paused, start_time=start, job_stats=JobStats(**stats))


def frame(name: str = "0007-render", frame_id: str = "f-7", state: str = "DEAD", **fields: Any) -> Frame:
    """A Frame; `host` sets last_resource."""
    host = fields.pop("host", "render03")
    layer = name.split("-", 1)[1] if "-" in name else "render"
    number = int(name.split("-", 1)[0]) if name[:4].isdigit() else 1
    return Frame(
        id=frame_id,
        name=name,
        layer_name=layer,
        number=number,
        state=state,
        last_resource=f"{host}/4.00/0" if host else "",
        **fields,
    )


wait_for = waiting.wait_for  # the shared helper (tests/waiting.py)
