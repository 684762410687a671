"""Cuebot's search criteria over the simulated farm: jobs, frames, hosts, procs (protocol §3)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from typing import Any

from cuetui.demo.farm import GB, PENDING, WAITING, Farm, Host, Job, Proc


def _regex_any(patterns: list[str]) -> list[re.Pattern[str]]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error:
            out.append(re.compile(re.escape(pattern)))
    return out


def search_jobs(farm: Farm, r: dict[str, Any], show_id: str | None = None) -> list[Job]:
    """JobSearchCriteria: lists OR-ed inside, AND-ed across; no includeFinished → PENDING only."""
    ids = set(r.get("ids") or ())
    names = set(r.get("jobs") or ())
    regexes = _regex_any(r.get("regex") or [])
    substrs = r.get("substr") or []
    users = set(r.get("users") or ())
    shots = set(r.get("shots") or ())
    shows = set(r.get("shows") or ())
    include_finished = bool(r.get("include_finished"))
    out = []
    for job in farm.jobs:
        if not include_finished and job.state != PENDING:
            continue
        if show_id is not None and job.show.id != show_id:
            continue
        if ids and job.id not in ids:
            continue
        if names and job.name not in names:
            continue
        if users and job.user not in users:
            continue
        if shots and job.shot not in shots:
            continue
        if shows and job.show.name not in shows:
            continue
        if substrs and not any(s in job.name for s in substrs):
            continue
        if regexes and not any(p.search(job.name) for p in regexes):
            continue
        out.append(job)
    out.sort(key=lambda j: j.name)
    return out


# The most frame numbers one frameRange may expand to: well above the biggest job (50 000 frames), far
# below what would take the simulator's memory and stall every other client (1-10000000 did: 600 MB).
MAX_RANGE_FRAMES = 100_000


class RangeTooLarge(ValueError):
    """A frameRange that expands to more than MAX_RANGE_FRAMES numbers (Cuebot refuses those too)."""


def parse_frame_range(spec: str) -> set[int] | None:
    """`7`, `1-50`, `1-100x5`, `1-100y5`, `1,3,5` → frame numbers; None if unparseable; RangeTooLarge
    beyond MAX_RANGE_FRAMES numbers (counted before any set is built)."""
    numbers: set[int] = set()
    total = 0
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        m = re.fullmatch(r"(-?\d+)(?:-(-?\d+)(?:([xy:])(\d+))?)?", part)
        if not m:
            return None
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        step = int(m.group(4)) if m.group(4) else 1
        lo, hi = min(a, b), max(a, b)
        total += hi - lo + 1 if m.group(3) == "y" else (hi - lo) // max(1, step) + 1
        if total > MAX_RANGE_FRAMES:
            raise RangeTooLarge(f"frame range {spec[:40]} holds more than {MAX_RANGE_FRAMES} frames")
        every = set(range(lo, hi + 1, max(1, step)))
        if m.group(3) == "y":
            every = set(range(lo, hi + 1)) - every
        numbers |= every
    return numbers


def _range(spec: str, scale: float) -> tuple[float, float] | None:
    try:
        if "-" in spec.strip()[1:]:
            lo, hi = spec.split("-", 1)
            return float(lo) * scale, float(hi) * scale
        return float(spec) * scale, float("inf")
    except ValueError:
        return None


def frame_matcher(farm: Farm, job: Job, req: dict[str, Any], use_states: bool = True) -> Any:
    """A predicate over frame indices for FrameSearchCriteria (everything but paging)."""
    ids = set(req.get("ids") or ())
    names = set(req.get("frames") or ())
    layer_names = set(req.get("layers") or ())
    states = set((req.get("states") or {}).get("frame_states") or ()) if use_states else set()
    numbers = parse_frame_range(req["frame_range"]) if req.get("frame_range") else None
    memory = _range(req["memory_range"], GB) if req.get("memory_range") else None
    duration = _range(req["duration_range"], 3600) if req.get("duration_range") else None
    change_date = req.get("change_date") or 0
    layers = job.layers
    now = farm.now()

    def match(i: int) -> bool:
        if states and job.f_state[i] not in states:
            return False
        if layer_names and layers[job.f_layer[i]].name not in layer_names:
            return False
        if numbers is not None and job.f_number[i] not in numbers:
            return False
        if names and job.frame_name(i) not in names:
            return False
        if ids and job.frame_id(i) not in ids:
            return False
        if memory is not None and not memory[0] <= job.f_rss[i] <= memory[1]:
            return False
        if duration is not None:
            if job.f_state[i] == WAITING or job.f_start[i] == 0:
                return False
            seconds = (job.f_stop[i] or now) - job.f_start[i]
            if not duration[0] <= seconds <= duration[1]:
                return False
        return not (change_date and job.f_updated[i] <= change_date)

    trivial = not (ids or names or layer_names or states or numbers is not None or memory or duration or change_date)
    return None if trivial else match


def matching_frames(farm: Farm, job: Job, req: dict[str, Any], use_states: bool = True) -> Iterator[int]:
    """Every matching frame, in paging order (actions do not page)."""
    match = frame_matcher(farm, job, req, use_states)
    for i in job.order():
        if match is None or match(i):
            yield i


def frame_page(farm: Farm, job: Job, req: dict[str, Any]) -> list[int]:
    """Cuebot's page: rows (page-1)*limit < n <= page*limit; limit 0 or absent → empty; no cap.

    Costs O(page) when nothing but paging (or one layer) is asked for: a slice of the paging order, or
    of the layer's own; other criteria are matched frame by frame from the start."""
    limit = req.get("limit") or 0
    if limit <= 0:
        return []
    page = req.get("page") or 1
    if page <= 0:
        page = 1
    first = (page - 1) * limit
    last = page * limit
    layer_names = req.get("layers") or ()
    if frame_matcher(farm, job, {**req, "layers": ()}) is None:
        if not layer_names:
            return list(job.order()[first:last])
        if len(set(layer_names)) == 1:
            return list(_layer_order(job, layer_names[0])[first:last])
    out = []
    for n, i in enumerate(matching_frames(farm, job, req)):
        if n >= first:
            out.append(i)
        if n + 1 >= last:
            break
    return out


# job -> (the paging order it was made from, layer name -> that layer's frames in paging order)
_LAYER_ORDERS: weakref.WeakKeyDictionary[Job, tuple[Any, dict[str, list[int]]]] = weakref.WeakKeyDictionary()


def _layer_order(job: Job, name: str) -> list[int]:
    """One layer's frames in paging order, made once per paging order (a reorder makes a new one)."""
    order = job.order()
    cached = _LAYER_ORDERS.get(job)
    if cached is None or cached[0] is not order:
        cached = (order, {})
        _LAYER_ORDERS[job] = cached
    found = cached[1].get(name)
    if found is None:
        wanted = {layer.index for layer in job.layers if layer.name == name}
        f_layer = job.f_layer
        found = cached[1][name] = [i for i in order if f_layer[i] in wanted]
    return found


def search_hosts(farm: Farm, r: dict[str, Any]) -> list[Host]:
    """HostSearchCriteria."""
    names = set(r.get("hosts") or ())
    regexes = _regex_any(r.get("regex") or [])
    substrs = r.get("substr") or []
    ids = set(r.get("ids") or ())
    allocs = set(r.get("allocs") or ())
    states = set((r.get("states") or {}).get("state") or ())
    locks = set((r.get("lock_states") or {}).get("state") or ())
    out = []
    by_id = farm.hosts_by_id
    for host in farm.hosts:
        if by_id.get(host.id) is not host:  # deleted
            continue
        if names and host.name not in names:
            continue
        if ids and host.id not in ids:
            continue
        if allocs and host.alloc_name not in allocs:
            continue
        if states and host.state not in states:
            continue
        if locks and host.lock_state not in locks:
            continue
        if substrs and not any(s in host.name for s in substrs):
            continue
        if regexes and not any(p.search(host.name) for p in regexes):
            continue
        out.append(host)
    out.sort(key=lambda h: h.name)
    return out


def search_procs(farm: Farm, r: dict[str, Any]) -> list[Proc]:
    """ProcSearchCriteria: hosts, jobs, layers, shows, allocs; maxResults (first value), firstResult."""
    hosts = set(r.get("hosts") or ())
    jobs = set(r.get("jobs") or ())
    layers = set(r.get("layers") or ())
    shows = set(r.get("shows") or ())
    allocs = set(r.get("allocs") or ())
    out = []
    for host in farm.hosts:
        if hosts and host.name not in hosts:
            continue
        if allocs and host.alloc_name not in allocs:
            continue
        for proc in host.procs.values():
            job = proc.job
            if jobs and job.name not in jobs:
                continue
            if shows and job.show.name not in shows:
                continue
            if layers and job.layers[job.f_layer[proc.frame]].name not in layers:
                continue
            out.append(proc)
    first = r.get("first_result") or 0
    max_results = (r.get("max_results") or [0])[0]
    if first > 0:
        out = out[first:]
    if max_results > 0:
        out = out[:max_results]
    return out
