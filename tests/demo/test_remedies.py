"""The simulator's remedies on frames, procs and hosts, through the gateway, with Cuebot's semantics:
reorder / stagger change which frames dispatch first, unbook frees the cores, a host in REPAIR takes no
frames, reboot-when-idle waits for the host's procs, tags and allocations change."""

from __future__ import annotations

from typing import Any

import httpx

from cuetui.demo.farm import OPEN, RUNNING, UP, WAITING, Farm, Job
from cuetui.demo.server import DemoGatewayThread
from tests.demo.helpers import add_allocation
from tests.schema import check_request, check_response

from .helpers import wait_for


def post(client: httpx.Client, path: str, body: Any) -> Any:
    check_request(path, body)
    r = client.post(path, json=body)
    assert r.status_code == 200, (path, r.text)
    check_response(path, r.content)
    return r.json()


def _waiting_job(farm: Farm) -> Job:
    """A pending, unpaused job with a layer of at least 10 waiting frames."""
    return next(
        j
        for j in farm.jobs
        if j.state_name == "PENDING" and not j.is_paused and any(lay.counts[WAITING] >= 10 for lay in j.layers)
    )


def _first_waiting(farm: Farm, job: Job, n: int) -> list[int]:
    """Frame numbers of the first `n` waiting frames in the job's dispatch order."""
    out = []
    for i in job.order():
        if job.f_state[i] == WAITING:
            out.append(job.f_number[i])
            if len(out) == n:
                break
    return out


def test_reorder_last_and_first_change_dispatch_order(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = demo_gateway.run(_waiting_job)
    first = demo_gateway.run(lambda farm: _first_waiting(farm, job, 3))
    spec = ",".join(str(n) for n in first)
    post(client, "/job.JobInterface/ReorderFrames", {"job": {"id": job.id}, "range": spec, "order": "LAST"})
    after = demo_gateway.run(lambda farm: _first_waiting(farm, job, 3))
    assert not set(after) & set(first)
    # FIRST (the enum's default, so left out of the body) brings a late frame to the front
    late = demo_gateway.run(lambda farm: [job.f_number[i] for i in job.order() if job.f_state[i] == WAITING][-5])
    post(client, "/job.JobInterface/ReorderFrames", {"job": {"id": job.id}, "range": str(late)})
    assert demo_gateway.run(lambda farm: _first_waiting(farm, job, 1)) == [late]

    # and the scheduler books it first: dispatch follows the new order
    def alone(farm: Farm) -> int:
        for other in farm.jobs:
            other.is_paused = other is not job
        roomy = next(h for h in farm.hosts if h.idle_cores >= 8)
        roomy.state, roomy.lock_state = UP, OPEN
        return farm.dispatch(budget=1)

    assert demo_gateway.run(alone) == 1
    assert demo_gateway.run(lambda farm: job.f_state[_index(job, late)]) == RUNNING
    demo_gateway.run(lambda farm: farm.check_invariants())


def _index(job: Job, number: int) -> int:
    return next(i for i in range(job.total) if job.f_number[i] == number)


def test_reverse_and_stagger_on_a_layer(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = demo_gateway.run(_waiting_job)
    layer = demo_gateway.run(lambda farm: next(lay for lay in job.layers if lay.counts[WAITING] >= 10))
    numbers = demo_gateway.run(
        lambda farm: [
            job.f_number[i] for i in job.order() if job.f_layer[i] == layer.index and job.f_state[i] == WAITING
        ][:8]
    )
    spec = ",".join(map(str, numbers))

    def layer_order() -> list[int]:
        return demo_gateway.run(
            lambda farm: [
                job.f_number[i] for i in job.order() if job.f_layer[i] == layer.index and job.f_number[i] in numbers
            ]
        )

    post(client, "/job.LayerInterface/ReorderFrames", {"layer": {"id": layer.id}, "range": spec, "order": "REVERSE"})
    assert layer_order() == list(reversed(numbers))
    post(client, "/job.LayerInterface/ReorderFrames", {"layer": {"id": layer.id}, "range": spec, "order": "REVERSE"})
    assert layer_order() == numbers
    post(client, "/job.LayerInterface/StaggerFrames", {"layer": {"id": layer.id}, "range": spec, "stagger": 4})
    ordered = sorted(numbers)
    assert layer_order() == [ordered[k] for k in (0, 4, 2, 6, 1, 3, 5, 7)]
    post(client, "/job.JobInterface/StaggerFrames", {"job": {"id": job.id}, "range": spec, "stagger": 2})
    assert layer_order() == [ordered[k] for k in (0, 2, 4, 6, 1, 3, 5, 7)]
    r = client.post("/job.JobInterface/StaggerFrames", json={"job": {"id": job.id}, "range": "1-5x", "stagger": 2})
    assert r.status_code == 500 and "invalid frame range" in r.json()["message"]
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_mark_as_waiting_counts_no_retry(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    job = demo_gateway.run(lambda farm: next(j for j in farm.jobs if j.counts[5] and j.state_name == "PENDING"))
    dead = demo_gateway.run(lambda farm: [i for i in range(job.total) if job.f_state[i] == 5])
    retries = demo_gateway.run(lambda farm: [job.f_retry[i] for i in dead])
    post(
        client, "/job.JobInterface/MarkAsWaiting", {"job": {"id": job.id}, "req": {"states": {"frameStates": ["DEAD"]}}}
    )
    assert demo_gateway.run(lambda farm: [job.f_state[i] for i in dead]) == [WAITING] * len(dead)
    assert demo_gateway.run(lambda farm: [job.f_retry[i] for i in dead]) == retries
    demo_gateway.run(lambda farm: farm.check_invariants())


def _busy_host(farm: Farm) -> Any:
    return next(h for h in farm.hosts if h.procs)


def test_proc_kill_and_unbook(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    host = demo_gateway.run(_busy_host)
    procs = demo_gateway.run(lambda farm: list(host.procs.values()))
    first = procs[0]
    job, i = first.job, first.frame
    retries = demo_gateway.run(lambda farm: job.f_retry[i])
    idle = demo_gateway.run(lambda farm: host.idle_cores)
    post(client, "/host.ProcInterface/Unbook", {"proc": {"id": first.id}, "kill": True})
    assert demo_gateway.run(lambda farm: (job.f_state[i], job.f_retry[i], first.id in host.procs)) == (
        WAITING,
        retries + 1,
        False,
    )
    assert demo_gateway.run(lambda farm: host.idle_cores) == idle + first.cores
    if len(procs) > 1:
        second = procs[1]
        post(client, "/host.ProcInterface/Unbook", {"proc": {"id": second.id}})
        # the frame goes on running, marked unbooked; its cores are freed when it ends
        listed = post(client, "/host.HostInterface/GetProcs", {"host": {"id": host.id}})["procs"]["procs"]
        assert {p["id"]: p["unbooked"] for p in listed}[second.id] is True
        assert demo_gateway.run(lambda farm: second.job.f_state[second.frame]) == RUNNING
        demo_gateway.run(lambda farm: farm.finish_frame(second, True, 0))
        assert demo_gateway.run(lambda farm: second.id in host.procs) is False
    other = demo_gateway.run(lambda farm: next(p for p in farm.procs.values()))
    post(client, "/host.ProcInterface/Kill", {"proc": {"id": other.id}})
    assert demo_gateway.run(lambda farm: other.job.f_state[other.frame]) == WAITING
    r = client.post("/host.ProcInterface/Kill", json={"proc": {"id": other.id}})  # gone now
    assert r.status_code == 500
    demo_gateway.run(lambda farm: farm.check_invariants())


def test_host_tags_state_and_allocation(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    def roomy(farm: Farm) -> Any:
        host = next(h for h in farm.hosts if h.idle_cores >= 8)
        host.lock_state = OPEN
        return host

    host = demo_gateway.run(roomy)
    ref = {"host": {"id": host.id}}
    post(client, "/host.HostInterface/AddTags", {**ref, "tags": ["gpu", "big"]})
    post(client, "/host.HostInterface/RemoveTags", {**ref, "tags": ["general"]})
    tags = post(client, "/host.HostInterface/GetHost", {"id": host.id})["host"]["tags"]
    assert tags[-2:] == ["gpu", "big"] and "general" not in tags
    # Layers pick hosts by tag now: give it back the tag the small farm's layers ask for.
    post(client, "/host.HostInterface/AddTags", {**ref, "tags": ["general"]})
    post(client, "/host.HostInterface/SetHardwareState", {**ref, "state": "REPAIR"})
    assert demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "REPAIR"
    # a host in REPAIR takes no frames; once UP it does
    idle = demo_gateway.run(lambda farm: host.idle_cores)
    demo_gateway.run(lambda farm: farm.dispatch(budget=10_000))
    assert demo_gateway.run(lambda farm: host.idle_cores) == idle
    post(client, "/host.HostInterface/SetHardwareState", ref)  # UP, the default, left out
    assert demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "UP"
    demo_gateway.run(lambda farm: farm.dispatch(budget=10_000))
    assert demo_gateway.run(lambda farm: host.idle_cores) < idle
    add_allocation(demo_gateway, "local.desktop", "desktop")
    allocs = post(client, "/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"]
    names = {a["name"]: a["id"] for a in allocs}
    assert {"local.general", "local.desktop"} <= set(names)
    assert demo_gateway.run(lambda farm: {h.alloc_name for h in farm.hosts}) <= set(names)
    post(client, "/host.HostInterface/SetAllocation", {**ref, "allocationId": names["local.desktop"]})
    assert post(client, "/host.HostInterface/GetHost", {"id": host.id})["host"]["allocName"] == "local.desktop"
    again = post(client, "/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"]
    assert {a["name"]: a["id"] for a in again} == names  # ids stay put
    r = client.post("/host.HostInterface/SetAllocation", json={**ref, "allocationId": "nope"})
    assert r.status_code == 500


def test_reboot_when_idle_waits_for_procs_then_comes_back(
    demo_gateway: DemoGatewayThread, client: httpx.Client
) -> None:
    host = demo_gateway.run(_busy_host)
    post(client, "/host.HostInterface/RebootWhenIdle", {"host": {"id": host.id}})
    assert demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "REBOOT_WHEN_IDLE"
    for proc in demo_gateway.run(lambda farm: list(host.procs.values())):
        demo_gateway.run(lambda farm, p=proc: farm.finish_frame(p, True, 0))
    # RQD reboots the machine once idle: it goes DOWN (never REBOOTING: that is Reboot's), then back UP.
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "DOWN", what="down")
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "UP", 30, what="back up")


def test_reboot_now_requeues_frames(demo_gateway: DemoGatewayThread, client: httpx.Client) -> None:
    host = demo_gateway.run(_busy_host)
    frames = demo_gateway.run(lambda farm: [(p.job, p.frame) for p in host.procs.values()])
    post(client, "/host.HostInterface/Reboot", {"host": {"id": host.id}})
    assert demo_gateway.run(lambda farm: (farm.find_host(host.name).state, len(host.procs))) == ("REBOOTING", 0)
    assert demo_gateway.run(lambda farm: {job.f_state[i] for job, i in frames}) == {WAITING}
    wait_for(lambda: demo_gateway.run(lambda farm: farm.find_host(host.name).state) == "UP", 30, what="back up")
