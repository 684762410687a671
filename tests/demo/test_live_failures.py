"""The running demo farm shows failures within minutes at speed 1: a bad host that kills what it takes, a
layer missing a texture, a layer running out of memory; and hung frames whose lluTime stays put."""

from __future__ import annotations

import time
from collections import Counter

from cuetui.demo.model import DEAD, ManualClock
from cuetui.demo.profiles import build_farm
from cuetui.demo.serialize import frame_json


def run_for(farm, clock: ManualClock, seconds: float, step: float = 0.25) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / step)):
        clock.elapsed += step
        farm.tick(step)


def test_dead_frames_of_three_kinds_appear_in_the_first_minutes() -> None:
    clock = ManualClock(epoch=time.time())
    farm = build_farm("studio", seed=0, speed=1.0, clock=clock, write_logs=False)
    assert farm.bad_hosts and sorted(farm.layer_faults.values()) == ["oom", "texture"]
    before = {(j.index, i) for j in farm.jobs for i in range(j.total) if j.f_state[i] == DEAD}
    run_for(farm, clock, 180)
    new = [(j, i) for j in farm.jobs for i in range(j.total) if j.f_state[i] == DEAD and (j.index, i) not in before]
    causes = Counter(
        "bad host" if j.f_host[i] in farm.bad_hosts else {1: "texture", 137: "oom"}.get(j.f_exit[i], "other")
        for j, i in new
    )
    assert causes["bad host"] > 0 and causes["texture"] > 0 and causes["oom"] > 0, causes
    farm.check_invariants()


def test_a_hung_frame_keeps_its_llu_time_while_the_others_move_on() -> None:
    clock = ManualClock(epoch=time.time())
    farm = build_farm("small", seed=7, speed=1.0, clock=clock, write_logs=False)
    run_for(farm, clock, 5)
    assert farm.quiet_since, "some frames running at start have hung"
    proc_id, quiet = next(iter(farm.quiet_since.items()))
    proc = next(p for p in farm.procs.values() if p.id == proc_id)
    busy = next(p for p in farm.procs.values() if p.id not in farm.quiet_since)
    first = frame_json(farm, proc.job, proc.frame, int(farm.now()))
    run_for(farm, clock, 60)
    later = frame_json(farm, proc.job, proc.frame, int(farm.now()))
    assert later["state"] == "RUNNING" and first["lluTime"] == later["lluTime"] == int(quiet)
    assert farm.now() - later["lluTime"] >= 600  # long enough ago to count as stuck at once
    if farm.procs.get((busy.job.index, busy.frame)) is busy:
        assert frame_json(farm, busy.job, busy.frame, int(farm.now()))["lluTime"] >= int(farm.now()) - 1
    # Killing it (a retry) ends the hang.
    farm.finish_frame(proc, False, 299, requeue=True)
    assert proc_id not in farm.quiet_since


def test_the_live_failures_leave_the_seeded_farm_as_it_was() -> None:
    """They draw from their own random numbers: the same seed gives the same frames and procs at any speed."""
    epoch = 1_767_225_600.0
    frozen = build_farm("studio", seed=3, speed=0.0, clock=ManualClock(epoch), write_logs=False)
    live = build_farm("studio", seed=3, speed=1.0, clock=ManualClock(epoch), write_logs=False)
    assert not frozen.quiet_since and all(p.end_at == float("inf") for p in frozen.procs.values())
    for a, b in zip(frozen.jobs, live.jobs, strict=True):
        assert (a.name, list(a.f_state), list(a.f_host), list(a.f_retry)) == (
            b.name,
            list(b.f_state),
            list(b.f_host),
            list(b.f_retry),
        )
    assert sorted(frozen.procs) == sorted(live.procs)


def test_a_frame_failing_late_in_its_run_still_logs_its_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cuetui.demo.model import WAITING
    from cuetui.farm.signatures import error_line

    clock = ManualClock(epoch=time.time())
    farm = build_farm("small", seed=7, speed=1.0, clock=clock, log_root=str(tmp_path))
    job = next(j for j in farm.jobs if j.counts[WAITING])
    i = next(k for k in range(job.total) if job.f_state[k] == WAITING)
    host = next(h for h in farm.hosts if h.index not in farm.bad_hosts)
    proc = farm.start_frame(job, i, host)
    proc.end_at = float("inf")  # ended by hand below
    clock.elapsed += proc.duration * 0.9
    for _ in range(len(farm.procs)):
        farm.logs.grow_running()
    assert proc.log_lines > 20  # most of the running body is written
    farm.finish_frame(proc, False, 137)
    with open(job.log_path(i), encoding="utf-8") as log:
        line = error_line(log.read().splitlines())
    assert line is not None and "OOM killer" in line
