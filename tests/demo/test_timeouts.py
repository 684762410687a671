"""Layer timeouts enforced as Cuebot does, over simulated time (a clock that moves only when told): a
running frame past its layer's timeout, or whose log is quiet for timeout-LLU minutes, is killed with
Cuebot's cause as its kill message, exit status 1 (SIGKILL, as RQD reports it), then retried or DEAD."""

from __future__ import annotations

from pathlib import Path

from cuetui.demo import timeouts
from cuetui.demo.farm import DEAD, RUNNING, WAITING, Farm, Layer, ManualClock, Proc
from cuetui.demo.profiles import build_farm


def frozen(tmp_path: Path) -> tuple[Farm, ManualClock]:
    clock = ManualClock()
    return build_farm("small", seed=7, speed=0.0, clock=clock, log_root=str(tmp_path)), clock


def fresh_proc(farm: Farm) -> Proc:
    """A running frame, every running frame restarted now (the farm's started a while ago)."""
    for p in farm.procs.values():
        p.job.f_start[p.frame] = int(farm.now())
    return next(iter(farm.procs.values()))


def layer_of(proc: Proc) -> Layer:
    return proc.job.layers[proc.job.f_layer[proc.frame]]


def running(proc: Proc) -> bool:
    return proc.job.f_state[proc.frame] == RUNNING


def test_a_frame_past_its_layers_timeout_is_killed_and_retried(tmp_path: Path) -> None:
    farm, clock = frozen(tmp_path)
    proc = fresh_proc(farm)
    job, i = proc.job, proc.frame
    layer_of(proc).timeout = 2
    retries = job.f_retry[i]
    clock.advance(2 * 60 + 59)  # 2 whole minutes: not past 2
    assert timeouts.enforce_timeouts(farm) == 0 and running(proc)
    clock.advance(1)
    hits = timeouts.timed_out(farm, farm.now())
    assert (proc, "FrameTimedOut") in hits and {id(layer_of(p)) for p, _ in hits} == {id(layer_of(proc))}
    assert timeouts.enforce_timeouts(farm) == len(hits)
    assert job.f_state[i] == WAITING and job.f_retry[i] == retries + 1 and job.f_exit[i] == 1
    log = Path(job.log_path(i)).read_text()
    assert "killMessage         FrameTimedOut" in log and "exitSignal          9" in log
    assert "ERROR" not in log  # killed part way through: no error of its own


def test_past_its_last_retry_it_is_dead(tmp_path: Path) -> None:
    farm, clock = frozen(tmp_path)
    proc = fresh_proc(farm)
    job, i = proc.job, proc.frame
    layer_of(proc).timeout = 1
    job.f_retry[i] = job.max_retries
    clock.advance(120)
    timeouts.enforce_timeouts(farm)
    assert job.f_state[i] == DEAD and job.f_exit[i] == 1


def test_a_quiet_log_past_timeout_llu_is_killed_and_a_writing_one_is_not(tmp_path: Path) -> None:
    farm, clock = frozen(tmp_path)
    farm.speed = 1.0  # a running farm: logs that write have a fresh lluTime
    fresh_proc(farm)
    quiet, writing = list(farm.procs.values())[:2]
    for proc in (quiet, writing):
        layer_of(proc).timeout_llu = 10
    farm.quiet_since[quiet.id] = farm.now()  # its log stops changing now
    clock.advance(9 * 60 + 59)
    assert timeouts.timed_out(farm, farm.now()) == []
    clock.advance(1)
    hits = timeouts.timed_out(farm, farm.now())
    assert (quiet, "FrameLluTimedOut") in hits and all(cause == "FrameLluTimedOut" for _, cause in hits)
    assert writing not in [p for p, _ in hits]
    timeouts.enforce_timeouts(farm)
    assert not running(quiet) and quiet.job.f_state[quiet.frame] in (WAITING, DEAD)
    assert running(writing)


def test_no_timeout_set_means_none_enforced(tmp_path: Path) -> None:
    farm, clock = frozen(tmp_path)
    clock.advance(7 * 86400)
    assert timeouts.timed_out(farm, farm.now()) == []


def test_the_running_farm_checks_on_its_own(tmp_path: Path) -> None:
    farm, clock = frozen(tmp_path)
    proc = fresh_proc(farm)
    layer_of(proc).timeout = 1
    proc.end_at = float("inf")  # a frame that would never end by itself
    retries = proc.job.f_retry[proc.frame]
    farm.speed = 0.001
    clock.advance(121)
    farm.tick(timeouts.CHECK_SECONDS)
    # Killed and retried (the same tick may have dispatched it again, on a new proc).
    assert proc not in farm.procs.values() and proc.job.f_retry[proc.frame] == retries + 1
