"""Scheduler invariants as property tests, and seeded reproducibility."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuetui.demo import actions
from cuetui.demo.farm import RUNNING, SUCCEEDED, WAITING, Farm, ManualClock
from cuetui.demo.profiles import build_farm
from cuetui.demo.serialize import frame_json, host_json, job_json

ACTIONS = st.sampled_from(
    [
        "pause",
        "resume",
        "priority",
        "retry",
        "eat",
        "kill_frames",
        "kill",
        "lock",
        "unlock",
        "reboot",
        "reboot_idle",
        "none",
        "none",
        "none",
    ]
)


def apply(farm: Farm, action: str, pick: int) -> None:
    job = farm.jobs[pick % len(farm.jobs)]
    host = farm.hosts[pick % len(farm.hosts)]
    frames = range(0, job.total, 3)
    if action == "pause":
        job.is_paused = True
    elif action == "resume":
        job.is_paused = False
    elif action == "priority":
        job.priority = pick % 300
    elif action == "retry":
        actions.retry_frames(farm, job, frames)
    elif action == "eat":
        actions.eat_frames(farm, job, frames)
    elif action == "kill_frames":
        actions.kill_frames(farm, job, range(job.total), "test")
    elif action == "kill":
        actions.kill_job(farm, job, "test")
    elif action == "lock":
        actions.lock_host(host, True)
    elif action == "unlock":
        actions.lock_host(host, False)
    elif action == "reboot":
        actions.reboot_host(farm, host)
    elif action == "reboot_idle":
        actions.reboot_when_idle(farm, host)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    speed=st.sampled_from([1.0, 30.0, 600.0]),
    steps=st.lists(st.tuples(st.floats(0.05, 5.0), ACTIONS, st.integers(0, 10_000)), min_size=5, max_size=60),
)
def test_invariants_hold_over_many_steps(seed: int, speed: float, steps: list[tuple[float, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as root:
        clock = ManualClock()
        farm = build_farm("small", seed=seed, speed=speed, clock=clock, log_root=root, write_logs=False)
        farm.check_invariants()
        for dt, action, pick in steps:
            apply(farm, action, pick)
            clock.advance(dt)
            farm.tick(dt)
            farm.check_invariants()


def test_frames_finish_jobs_finish_and_new_jobs_arrive() -> None:
    with tempfile.TemporaryDirectory() as root:
        clock = ManualClock()
        farm = build_farm("small", seed=1, speed=60.0, clock=clock, log_root=root, write_logs=False)
        jobs_before = len(farm.jobs)
        succeeded_before = sum(j.counts[SUCCEEDED] for j in farm.jobs)
        for _ in range(300):
            clock.advance(1.0)
            farm.tick(1.0)
        farm.check_invariants()
        assert sum(j.counts[SUCCEEDED] for j in farm.jobs) > succeeded_before
        assert len(farm.jobs) > jobs_before
        assert any(j.state_name == "FINISHED" and j.stop_time for j in farm.jobs)


def test_paused_jobs_do_not_dispatch_and_priority_orders_dispatch() -> None:
    with tempfile.TemporaryDirectory() as root:
        clock = ManualClock()
        farm = build_farm("small", seed=2, speed=60.0, clock=clock, log_root=root)
        for job in farm.jobs:
            actions.kill_frames(farm, job, range(job.total), "reset")
        paused, favourite = farm.jobs[0], farm.jobs[1]
        for job in farm.jobs:
            actions.retry_frames(farm, job, range(job.total))
        paused.is_paused = True
        favourite.is_paused = False
        favourite.priority = 10_000
        farm.dispatch(budget=10**6)
        farm.check_invariants()
        assert paused.counts[RUNNING] == 0
        assert favourite.counts[RUNNING] > 0
        # The top-priority job was served first: it only waits if the farm ran out of room for its layers.
        assert favourite.counts[WAITING] == 0 or all(h.idle_cores < 8 for h in farm.hosts)


def snapshot(farm: Farm) -> list[object]:
    now = int(farm.now())
    return [
        [job_json(j) for j in farm.jobs],
        [frame_json(farm, j, i, now) for j in farm.jobs for i in range(j.total)],
        [host_json(h) for h in farm.hosts],
    ]


def test_same_seed_same_farm() -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        one = build_farm("small", seed=11, speed=100.0, clock=ManualClock(), log_root=a, write_logs=False)
        two = build_farm("small", seed=11, speed=100.0, clock=ManualClock(), log_root=b, write_logs=False)
        strip = lambda s: str(s).replace(a, "ROOT").replace(b, "ROOT")  # noqa: E731
        assert strip(snapshot(one)) == strip(snapshot(two))
        for farm in (one, two):
            for _ in range(50):
                farm.clock.advance(1.0)  # type: ignore[attr-defined]
                farm.tick(1.0)
        assert strip(snapshot(one)) == strip(snapshot(two))
        other = build_farm("small", seed=12, speed=100.0, clock=ManualClock(), log_root=a)
        assert other.jobs[0].id != one.jobs[0].id


def test_frozen_farm_does_not_move() -> None:
    with tempfile.TemporaryDirectory() as root:
        clock = ManualClock()
        farm = build_farm("small", seed=3, speed=0.0, clock=clock, log_root=root)
        before = [bytes(j.f_state) for j in farm.jobs]
        running = len(farm.procs)
        for _ in range(100):
            clock.advance(10.0)
            farm.tick(10.0)
        assert [bytes(j.f_state) for j in farm.jobs] == before and len(farm.procs) == running > 0


def test_profile_sizes() -> None:
    with tempfile.TemporaryDirectory() as root:
        small = build_farm("small", seed=0, speed=0.0, log_root=root)
        assert len(small.shows) == 1 and len(small.jobs) == 6 and len(small.hosts) == 8
        assert sum(j.total for j in small.jobs) == 300
        studio = build_farm("studio", seed=0, speed=0.0, log_root=root)
        assert len(studio.shows) == 3 and len(studio.jobs) == 80 and len(studio.hosts) == 200
        assert sum(j.total for j in studio.jobs) == 20_000
        studio.check_invariants()
        names = [j.name for j in studio.jobs]
        assert len(set(names)) == len(names)
        assert all(n.count("-") >= 2 and "_v" in n for n in names)


def test_fixed_epoch_gives_identical_answers(make_gateway: object, gateway_token: str) -> None:
    import httpx

    bodies = []
    for _ in range(2):
        gw = make_gateway(epoch=1_767_225_600)  # type: ignore[operator]
        with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as c:
            jobs = c.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}}).json()
            hosts = c.post("/host.HostInterface/GetHosts", json={}).json()
        for job in jobs["jobs"]["jobs"]:
            job["logDir"] = job["logDir"].replace(str(gw.log_root), "ROOT")
        for host in hosts["hosts"]["hosts"]:
            host["pingTime"] = 0
        bodies.append((jobs, hosts))
    assert bodies[0] == bodies[1]
    assert bodies[0][0]["jobs"]["jobs"][0]["startTime"] < 1_767_225_600
