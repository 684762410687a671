"""Finding the farm's records a request names by id, as Cuebot does: an id that names nothing is its
EmptyResultDataAccessException, INTERNAL (500) for an object handed in, NOT_FOUND (404) for a lookup."""

from __future__ import annotations

from typing import Any

from cuetui.demo.model import Host, Job, Layer, Proc, Show
from cuetui.demo.registry import GatewayError, internal


def _id(req: dict[str, Any], field: str) -> str:
    return str((req.get(field) or {}).get("id", ""))


def show(farm: Any, req: dict[str, Any], field: str = "show", missing: GatewayError | None = None) -> Show:
    wanted = _id(req, field)
    for found in farm.shows:
        if found.id == wanted:
            return found  # type: ignore[no-any-return]
    raise missing or internal()


def job(farm: Any, req: dict[str, Any], field: str = "job", missing: GatewayError | None = None) -> Job:
    found = farm.jobs_by_id.get(_id(req, field))
    if found is None:
        raise missing or internal()
    return found  # type: ignore[no-any-return]


def layer(
    farm: Any, req: dict[str, Any], field: str = "layer", missing: GatewayError | None = None
) -> tuple[Job, Layer]:
    hit = farm.layers_by_id.get(_id(req, field))
    if hit is None:
        raise missing or internal()
    return hit  # type: ignore[no-any-return]


def frame(farm: Any, req: dict[str, Any], field: str = "frame", missing: GatewayError | None = None) -> tuple[Job, int]:
    hit = farm.find_frame(_id(req, field))
    if hit is None:
        raise missing or internal()
    return hit  # type: ignore[no-any-return]


def host(farm: Any, req: dict[str, Any], field: str = "host", missing: GatewayError | None = None) -> Host:
    found = farm.hosts_by_id.get(_id(req, field))
    if found is None:
        raise missing or internal()
    return found  # type: ignore[no-any-return]


def proc(farm: Any, req: dict[str, Any], field: str = "proc", missing: GatewayError | None = None) -> Proc:
    wanted = _id(req, field)
    for h in farm.hosts:
        found = h.procs.get(wanted)
        if found is not None:
            return found  # type: ignore[no-any-return]
    raise missing or internal()
