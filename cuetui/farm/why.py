"""Why a job, layer or frame is not running: every reason that applies, most decisive first, each with the
figure that proves it and the key of its remedy. Pure: `explain` reads a `Farm` picture (what
`farm/why_view.py` fetched) and returns `Reason`s; nothing is sent from here.

Order (most decisive first): paused; a dependency not satisfied (frames left there); the layer's
start-after gate still ahead (Cuebot dispatches none of its frames before that time); the show at its
subscription burst in every allocation that could take it; the job or its group at max cores; no host in
the subscribed allocations has the layer's tags; the layer needs more memory / cores / GPUs than any host
has, or than any UP host has free; a limit at its maximum; the hosts that could take it DOWN, locked,
NIMBY-locked or in REPAIR; else waiting for the next dispatch. An empty list: nothing waits (it runs, or
is done).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cuetui.farm.format import cores as cores_text
from cuetui.farm.format import cores_number
from cuetui.gateway.farm_models import Allocation, Depend, Group, Limit, Subscription
from cuetui.gateway.models import Frame, Host, Job, Layer

GB_KB = 1048576

# Remedy keys: what fixes a reason (the TUI's keys and the CLI's commands are named after them).
REMEDIES = {
    "paused": "resume",
    "dependency": "drop-depends",
    "start_after": "",
    "subscription_burst": "subscription-burst",
    "job_max_cores": "job-max-cores",
    "group_max_cores": "group-max-cores",
    "tags": "layer-tags",
    "memory": "layer-memory",
    "cores": "layer-cores",
    "gpus": "layer-gpus",
    "limit": "limit-max",
    "hosts_unavailable": "host-unlock",
    "next_dispatch": "",
}


@dataclass(frozen=True)
class Reason:
    """One reason: its key, a sentence, the figures that prove it, the key of its remedy."""

    reason: str
    detail: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    remedy: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "detail": self.detail, "figures": dict(self.figures), "remedy": self.remedy}


@dataclass(frozen=True)
class Farm:
    """What `explain` needs. `frames_left` maps a dependency's id to the frames of its target that are
    not yet SUCCEEDED or EATEN (absent: unknown)."""

    job: Job
    layers: Sequence[Layer]
    now: float
    layer: Layer | None = None
    frame: Frame | None = None
    depends: Sequence[Depend] = ()
    frames_left: Mapping[str, int] = field(default_factory=dict)
    subscriptions: Sequence[Subscription] = ()
    allocations: Sequence[Allocation] = ()
    hosts: Sequence[Host] = ()
    limits: Sequence[Limit] = ()
    groups: Sequence[Group] = ()


def _gb(kb: float) -> str:
    return f"{kb / GB_KB:.1f} GB"


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def _waiting_layers(farm: Farm) -> list[Layer]:
    """The layers whose WAITING frames are in question."""
    if farm.frame is not None:
        if farm.frame.state != "WAITING":
            return []
        return [la for la in farm.layers if la.name == farm.frame.layer_name]
    if farm.layer is not None:
        return [farm.layer] if farm.layer.stats.waiting_frames else []
    return [la for la in farm.layers if la.stats.waiting_frames]


def _waits(farm: Farm) -> bool:
    """Whether anything in question waits (WAITING or DEPEND)."""
    if farm.job.is_finished:
        return False
    if farm.frame is not None:
        return farm.frame.state in ("WAITING", "DEPEND")
    stats = farm.layer.stats if farm.layer is not None else farm.job.stats
    return stats.waiting_frames + stats.depend_frames > 0


def _covers(farm: Farm, d: Depend) -> bool:
    """Whether an active dependency holds what is in question."""
    if not d.active:
        return False
    if farm.frame is not None:
        if d.depend_er_frame:
            return d.depend_er_frame == farm.frame.name
        return not d.depend_er_layer or d.depend_er_layer == farm.frame.layer_name
    if farm.layer is not None:
        return not d.depend_er_layer or d.depend_er_layer == farm.layer.name
    return True


def _has_tags(host: Host, alloc: Allocation | None, tags: Sequence[str]) -> bool:
    return not tags or any(t in host.tags or (alloc is not None and t == alloc.tag) for t in tags)


def explain(farm: Farm) -> list[Reason]:
    """Every reason that applies, most decisive first; [] when nothing in question waits."""
    if not _waits(farm):
        return []
    job = farm.job
    out: list[Reason] = []
    if job.is_paused:
        out.append(Reason("paused", "the job is paused", {}, REMEDIES["paused"]))
    for d in farm.depends:
        if not _covers(farm, d):
            continue
        left = farm.frames_left.get(d.id)
        tail = f", {left} frame{'s' if left != 1 else ''} left there" if left is not None else ""
        figures: dict[str, Any] = {"type": d.type, "on": d.on_name, "waiting": d.er_name}
        if left is not None:
            figures["frames_left"] = left
        out.append(Reason("dependency", f"{d.type} on {d.on_name}: not satisfied{tail}", figures, "drop-depends"))
    layers = _waiting_layers(farm)
    if not layers:
        return _dedupe(out)
    allocs = {a.name: a for a in farm.allocations}
    subs = {s.allocation_name: s for s in farm.subscriptions}
    for layer in layers:
        out.extend(_layer_reasons(farm, layer, allocs, subs))
    if not out:
        since = farm.frame.stop_time if farm.frame is not None and farm.frame.stop_time else job.start_time
        waited = farm.now - since if since else 0
        out.append(
            Reason(
                "next_dispatch", f"waiting for the next dispatch (waited {_duration(waited)})", {"waited": int(waited)}
            )
        )
    return _dedupe(out)


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    out = []
    for r in reasons:
        if (r.reason, r.detail) not in seen:
            seen.add((r.reason, r.detail))
            out.append(r)
    return out


def _layer_reasons(
    farm: Farm, layer: Layer, allocs: Mapping[str, Allocation], subs: Mapping[str, Subscription]
) -> list[Reason]:
    job = farm.job
    out: list[Reason] = []
    where = f"layer {layer.name}: "
    if layer.start_after > farm.now:
        ahead = layer.start_after - farm.now
        by = f" ({layer.start_after_reason})" if layer.start_after_reason else ""
        out.append(
            Reason(
                "start_after",
                f"{where}its start-after gate holds it for another {_duration(ahead)}{by}",
                {"start_after": layer.start_after, "in": int(ahead), "set_by": layer.start_after_reason},
                REMEDIES["start_after"],
            )
        )
    # Hosts in the allocations the show subscribes to (with no subscriptions listed: every host).
    pool = [h for h in farm.hosts if not subs or h.alloc_name in subs]
    tagged = [h for h in pool if _has_tags(h, allocs.get(h.alloc_name), layer.tags)]
    # The subscriptions: every allocation that has hosts for this layer is at its burst.
    open_allocs = {h.alloc_name for h in tagged}
    capped = []
    for name in sorted(open_allocs):
        sub = subs.get(name)
        # In cores: the subscription's figures come in core units (hundredths of a core).
        if sub is not None and sub.used_cores + layer.min_cores > sub.burst_cores + 1e-6:
            capped.append(sub)
    if capped and len(capped) == len(open_allocs):
        for sub in capped:
            used, burst = cores_number(sub.used_cores), cores_number(sub.burst_cores)
            out.append(
                Reason(
                    "subscription_burst",
                    f"show {sub.show_name} is at its burst in {sub.allocation_name} "
                    f"({cores_text(used)}/{cores_text(burst)} cores"
                    # Short of the burst, but not by enough for one frame: say why it still counts.
                    + (f"; a {layer.name} frame needs {layer.min_cores:g})" if used < burst else ")"),
                    {
                        "allocation": sub.allocation_name,
                        "used": used,
                        "burst": burst,
                        "size": cores_number(sub.size_cores),
                        "need": layer.min_cores,
                    },
                    REMEDIES["subscription_burst"],
                )
            )
    reserved = job.stats.reserved_cores
    if job.max_cores > 0 and reserved + layer.min_cores > job.max_cores:
        out.append(
            Reason(
                "job_max_cores",
                f"the job is at its max cores ({reserved:g}/{job.max_cores:g})",
                {"used": reserved, "max_cores": job.max_cores},
                REMEDIES["job_max_cores"],
            )
        )
    group = next((g for g in farm.groups if g.name == job.group), None)
    if group is not None and group.max_cores > 0 and group.stats.reserved_cores + layer.min_cores > group.max_cores:
        out.append(
            Reason(
                "group_max_cores",
                f"group {group.name} is at its max cores ({group.stats.reserved_cores:g}/{group.max_cores:g})",
                {"group": group.name, "used": group.stats.reserved_cores, "max_cores": group.max_cores},
                REMEDIES["group_max_cores"],
            )
        )
    if not tagged:
        tags = ", ".join(layer.tags)
        names = ", ".join(sorted(subs)) or "any allocation"
        out.append(
            Reason(
                "tags",
                f"{where}no host in {names} has the tags {tags}",
                {"tags": list(layer.tags), "allocations": sorted(subs)},
                REMEDIES["tags"],
            )
        )
        return out
    resources = _resource_reasons(farm, layer, tagged, where)
    out.extend(r for r in resources if r.reason != "hosts_unavailable")
    by_name = {lim.name: lim for lim in farm.limits}
    for name in layer.limits:
        lim = by_name.get(name)
        if lim is not None and lim.current_running >= lim.max_value:
            out.append(
                Reason(
                    "limit",
                    f"{where}limit {lim.name} is at its maximum ({lim.current_running}/{lim.max_value} running)",
                    {"limit": lim.name, "running": lim.current_running, "max_value": lim.max_value},
                    REMEDIES["limit"],
                )
            )
    out.extend(r for r in resources if r.reason == "hosts_unavailable")
    return out


def _resource_reasons(farm: Farm, layer: Layer, tagged: list[Host], where: str) -> list[Reason]:
    out: list[Reason] = []
    needs = (
        ("memory", layer.min_memory, "memory", "idle_memory", _gb),
        ("cores", layer.min_cores, "cores", "idle_cores", lambda v: f"{v:g} cores"),
        ("gpus", layer.min_gpus, "gpus", "idle_gpus", lambda v: f"{v:g} GPUs"),
    )
    fitting = tagged
    for key, need, total_attr, _idle, fmt in needs:
        if need <= 0:
            continue
        biggest = max(tagged, key=lambda h: getattr(h, total_attr))
        if getattr(biggest, total_attr) < need:
            out.append(
                Reason(
                    key,
                    f"{where}needs {fmt(need)}, more than any host has (largest: {biggest.name}, "
                    f"{fmt(getattr(biggest, total_attr))})",
                    {"need": need, "host": biggest.name, "host_has": getattr(biggest, total_attr), "at_all": True},
                    REMEDIES[key],
                )
            )
        fitting = [h for h in fitting if getattr(h, total_attr) >= need]
    if out:
        return out
    usable = [h for h in fitting if h.state == "UP" and h.lock_state == "OPEN"]
    if not usable:
        counts: dict[str, int] = {}
        for h in fitting:
            state = h.state if h.state != "UP" else h.lock_state
            counts[state] = counts.get(state, 0) + 1
        text = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        out.append(
            Reason(
                "hosts_unavailable",
                f"{where}every host that could take it is unavailable ({text})",
                {"hosts": len(fitting), **counts},
                REMEDIES["hosts_unavailable"],
            )
        )
        return out
    for key, need, _total, idle_attr, fmt in needs:
        if need <= 0:
            continue
        closest = max(usable, key=lambda h: getattr(h, idle_attr))
        free = getattr(closest, idle_attr)
        if free < need:
            out.append(
                Reason(
                    key,
                    f"{where}needs {fmt(need)}, more than any UP host has free (closest: {closest.name}, "
                    f"{fmt(free)} free)",
                    {"need": need, "host": closest.name, "host_free": free, "at_all": False},
                    REMEDIES[key],
                )
            )
    return out
