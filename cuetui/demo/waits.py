"""Jobs that wait for a reason, staged in the studio and huge profiles: a desktop allocation only one show
subscribes to, a show capped by its burst, a group at its max cores, a licence limit, dependencies of
several types, a layer whose tag no host has and one whose memory no host has. Drawn from a random
generator of their own, so the profile's jobs, hosts and history stay what the seed made them."""

from __future__ import annotations

import random

from cuetui.demo.farm import GB, PENDING, WAITING, Farm, Job
from cuetui.demo.resources import (
    ALLOCATION_ID,
    GROUP_ID,
    LIMIT_ID,
    SUBSCRIPTION_ID,
    TYPE,
    Allocation,
    Depend,
    Group,
    Limit,
    Subscription,
)

BURST_CAPPED_SHOW = 2  # index of the show held at its burst in local.general
GROUP_MAX_CORES = 32.0
LICENCE_LIMIT = ("nuke_lic", 4)
HUGE_MEMORY = 1024 * GB  # more than any generated host has


def stage_waits(farm: Farm, seed: int) -> None:
    """Set up the allocations, subscriptions, groups, limits, dependencies and layer needs."""
    rng = random.Random(seed * 31 + 5)
    res = farm.resources
    for host in farm.hosts:
        if host.index % 10 == 9:
            host.alloc_name = "local.desktop"
            host.tags = ["desktop", host.name]
    general = Allocation(res.next_id(ALLOCATION_ID), "local.general", "general")
    desktop = Allocation(res.next_id(ALLOCATION_ID), "local.desktop", "desktop")
    res.allocations += [general, desktop]
    res.default_alloc = general.name
    general_cores = int(sum(h.cores for h in farm.hosts if h.alloc_name == general.name))
    desktop_cores = int(sum(h.cores for h in farm.hosts if h.alloc_name == desktop.name))
    for s, show in enumerate(farm.shows):
        size = general_cores // max(1, len(farm.shows))
        burst = 48 if s == BURST_CAPPED_SHOW else general_cores
        res.subscriptions.append(Subscription(res.next_id(SUBSCRIPTION_ID), show, general, min(size, burst), burst))
        if s == 0:
            res.subscriptions.append(Subscription(res.next_id(SUBSCRIPTION_ID), show, desktop, 0, desktop_cores))
        res.root_group(show)
    name, value = LICENCE_LIMIT
    res.limits.append(Limit(res.next_id(LIMIT_ID), name, value))

    waiting = [j for j in farm.jobs if j.state == PENDING and not j.is_paused and j.counts[WAITING] > 0]
    rng.shuffle(waiting)

    def pick(show_index: int | None = None, layers: int = 1) -> Job | None:
        for job in waiting:
            if (show_index is None or job.show.index == show_index) and len(job.layers) >= layers:
                waiting.remove(job)
                return job
        return None

    # A group at its max cores.
    if len(farm.shows) > 1:
        show = farm.shows[1]
        group = Group(res.next_id(GROUP_ID), f"{show.name}_fx", show, parent=res.root_group(show))
        group.max_cores = GROUP_MAX_CORES
        res.groups.append(group)
        for _ in range(3):
            job = pick(1)
            if job is not None:
                job.group = group.name
    # A licence limit on the comp layers of a few jobs.
    for _ in range(4):
        job = next((j for j in waiting if any(layer.name == "comp" for layer in j.layers)), None)
        if job is None:
            break
        waiting.remove(job)
        for layer in job.layers:
            if layer.name == "comp":
                layer.limits = [name]
    # A tag no host has, and more memory than any host has.
    job = pick(0)
    if job is not None:
        job.layers[-1].tags = ["gpu"]
    job = pick(0)
    if job is not None:
        job.layers[0].min_memory = HUGE_MEMORY
    # Dependencies: job on job (twice), layer on layer and frame by frame inside a job.
    for _ in range(2):
        er, on = pick(), pick()
        if er is not None and on is not None:
            res.add_depend(Depend(res.next_id(0x21), TYPE["JOB_ON_JOB"], er, on), farm.set_state)
    for kind in ("LAYER_ON_LAYER", "FRAME_BY_FRAME"):
        job = pick(layers=2)
        if job is not None:
            first, second = job.layers[0], job.layers[1]
            d = Depend(res.next_id(0x21), TYPE[kind], job, job, er_layer=second, on_layer=first)
            res.add_depend(d, farm.set_state)
