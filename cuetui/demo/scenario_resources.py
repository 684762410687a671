"""A scenario's top-level "allocations", "subscriptions", "limits", "groups" and "depends": each element
in the gateway's JSON shape of that message (facility.Allocation, subscription.Subscription,
limit.Limit, job.Group, depend.Depend). What a scenario leaves out is filled in as `resources.prepare`
does (an allocation per host `allocName`, a root group per show, subscriptions without a cap when none
is given at all).

* A limit may carry the licence settings of opencue-proto 1.37.0 (``type``, ``enforcement``,
  ``softValue``, ``reportTtl``, ``exitStatus``, ``delayMinutes``, ``autoTag``); a group its job defaults
  (``defaultJobPriority``, ``defaultJobMinCores`` / ``MaxCores``, ``defaultJobMinGpus`` / ``MaxGpus``) and
  gpus (``minGpus``, ``maxGpus``).
* A subscription names its show by ``showName`` and its allocation by ``allocationName``; its ``size``
  and ``burst`` are in core units as on the wire (hundredths of a core: 4800 is 48 cores).
* A group without ``parentId`` is a show's root group and names its show; a child names its parent by
  ``parentId`` (the parent's id). Jobs name their group by ``job.group``.
* A dependency names its jobs, layers and frames by name (``dependErJob``, ``dependOnLayer``...), as
  Cuebot's answers do; ``active`` false is a satisfied one.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import limits
from cuetui.demo.farm import Farm, Job, Layer
from cuetui.demo.resources import (
    ALLOCATION_ID,
    DEPEND_ID,
    DEPEND_TYPES,
    GROUP_ID,
    LIMIT_ID,
    SUBSCRIPTION_ID,
    Allocation,
    Depend,
    Group,
    Limit,
    Subscription,
    from_core_units,
    prepare,
)


def _num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _enum(value: Any, numbers: dict[str, int], default: int) -> int:
    """An enum value as the gateway's JSON gives it: its name, or its number."""
    if isinstance(value, str) and value in numbers:
        return numbers[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in numbers.values():
        return value
    return default


def load_resources(farm: Farm, data: dict[str, Any]) -> None:
    """Read the five keys into farm.resources, then fill in the rest."""
    res = farm.resources
    for raw in data.get("allocations") or []:
        name = str(raw.get("name", ""))
        if not name or res.allocation(name) is not None:
            continue
        facility, _, tag = name.partition(".")
        res.allocations.append(
            Allocation(
                raw.get("id") or res.next_id(ALLOCATION_ID),
                name,
                str(raw.get("tag") or tag or name),
                str(raw.get("facility") or facility or "local"),
                bool(raw.get("billable")),
            )
        )
    for raw in data.get("limits") or []:
        name = str(raw.get("name", ""))
        if name and res.limit(name) is None:
            soft = int(_num(raw.get("softValue"), -1))
            res.limits.append(
                Limit(
                    raw.get("id") or res.next_id(LIMIT_ID),
                    name,
                    int(_num(raw.get("maxValue"))),
                    type=_enum(raw.get("type"), limits.TYPES, limits.FRAME),
                    enforcement=_enum(raw.get("enforcement"), limits.ENFORCEMENTS, limits.ENFORCED),
                    soft_value=soft if soft > 0 else -1,
                    report_ttl=max(0, int(_num(raw.get("reportTtl")))),
                    exit_status=int(_num(raw.get("exitStatus"))),
                    delay_minutes=max(0, int(_num(raw.get("delayMinutes")))),
                    auto_tag=bool(raw.get("autoTag")),
                )
            )
    by_id: dict[str, Group] = {}
    pending = list(data.get("groups") or [])
    for raw in [g for g in pending if not g.get("parentId")] + [g for g in pending if g.get("parentId")]:
        parent = by_id.get(str(raw.get("parentId", ""))) if raw.get("parentId") else None
        name = str(raw.get("name", ""))
        show = parent.show if parent is not None else farm.find_show(name)
        if show is None:
            continue
        group = Group(
            raw.get("id") or res.next_id(GROUP_ID),
            name,
            show,
            parent=parent,
            department=str(raw.get("department") or "Unknown"),
            max_cores=_num(raw.get("maxCores"), -1.0),
            min_cores=_num(raw.get("minCores")),
            default_job_priority=int(_num(raw.get("defaultJobPriority"), -1)),
            default_job_min_cores=_num(raw.get("defaultJobMinCores"), -1.0),
            default_job_max_cores=_num(raw.get("defaultJobMaxCores"), -1.0),
            default_job_min_gpus=int(_num(raw.get("defaultJobMinGpus"), -1)),
            default_job_max_gpus=int(_num(raw.get("defaultJobMaxGpus"), -1)),
            max_gpus=_num(raw.get("maxGpus"), -1.0),
            min_gpus=_num(raw.get("minGpus")),
        )
        res.groups.append(group)
        by_id[group.id] = group
    prepare(res, [], farm.hosts)  # allocations of the hosts, before subscriptions name them
    for raw in data.get("subscriptions") or []:
        show = farm.find_show(str(raw.get("showName", "")))
        alloc = res.allocation(str(raw.get("allocationName", "")))
        if show is None or alloc is None or res.subscription(show, alloc.name) is not None:
            continue
        res.subscriptions.append(
            Subscription(
                raw.get("id") or res.next_id(SUBSCRIPTION_ID),
                show,
                alloc,
                from_core_units(_num(raw.get("size"))),
                from_core_units(_num(raw.get("burst"))),
            )
        )
    for raw in data.get("depends") or []:
        depend = _depend(farm, raw)
        if depend is not None:
            active = raw.get("active", True) is not False
            res.add_depend(depend, farm.set_state)
            if not active:
                res.satisfy(depend, farm.set_state)
    prepare(res, farm.shows, farm.hosts)


def _place(farm: Farm, job_name: Any, layer_name: Any, frame_name: Any) -> tuple[Job, Layer | None, int | None] | None:
    job = farm.jobs_by_name.get(str(job_name or ""))
    if job is None:
        return None
    layer = next((la for la in job.layers if la.name == layer_name), None) if layer_name else None
    frame = job.frame_index(str(frame_name)) if frame_name else None
    if (layer_name and layer is None) or (frame_name and frame is None):
        return None
    return job, layer, frame


def _depend(farm: Farm, raw: dict[str, Any]) -> Depend | None:
    kind = raw.get("type", "JOB_ON_JOB")
    if kind not in DEPEND_TYPES:
        return None
    er = _place(farm, raw.get("dependErJob"), raw.get("dependErLayer"), raw.get("dependErFrame"))
    on = _place(farm, raw.get("dependOnJob"), raw.get("dependOnLayer"), raw.get("dependOnFrame"))
    if er is None or on is None:
        return None
    if kind == "FRAME_BY_FRAME" and (er[1] is None or on[1] is None):
        return None
    return Depend(
        raw.get("id") or farm.resources.next_id(DEPEND_ID),
        DEPEND_TYPES.index(kind),
        er[0],
        on[0],
        er_layer=er[1],
        er_frame=er[2],
        on_layer=on[1],
        on_frame=on[2],
        any_frame=bool(raw.get("anyFrame")),
    )
