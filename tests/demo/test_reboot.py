"""Rebooting a simulated host as Cuebot and RQD do, over simulated time (a clock that moves only when
told): Reboot is REBOOTING at once (frames requeued), DOWN once RQD's last report is in, UP after the
reboot; RebootWhenIdle is REBOOT_WHEN_IDLE while its frames run (no new ones start), then DOWN, then UP."""

from __future__ import annotations

from cuetui.demo import actions
from cuetui.demo.farm import REPAIR, WAITING, Farm, Host, ManualClock
from cuetui.demo.profiles import build_farm


def frozen_farm() -> tuple[Farm, ManualClock]:
    clock = ManualClock()
    return build_farm("small", seed=7, speed=0.0, clock=clock, write_logs=False), clock


def busy_host(farm: Farm) -> Host:
    return next(h for h in farm.hosts if h.procs)


def state(farm: Farm, host: Host) -> str:
    return farm.find_host(host.name).state


def advance(farm: Farm, clock: ManualClock, seconds: float) -> None:
    """Move the clock in small steps, applying what falls due on the way (as the server's ticks do)."""
    steps = int(seconds / 0.5) + 1
    for _ in range(steps):
        clock.advance(seconds / steps)
        farm.apply_due()


def test_reboot_now_goes_rebooting_then_down_then_up() -> None:
    farm, clock = frozen_farm()
    host = busy_host(farm)
    frames = [(p.job, p.frame) for p in host.procs.values()]
    booted = host.boot_time
    actions.reboot_host(farm, host)
    assert state(farm, host) == "REBOOTING" and not host.procs
    assert {job.f_state[i] for job, i in frames} == {WAITING}  # requeued, not dead
    advance(farm, clock, actions.REPORT_SECONDS)
    assert state(farm, host) == "DOWN"
    advance(farm, clock, actions.REBOOT_SECONDS - 1.0)
    assert state(farm, host) == "DOWN"  # still rebooting
    advance(farm, clock, 1.5)
    assert state(farm, host) == "UP"
    assert host.boot_time == int(farm.now()) > booted  # a new boot


def test_reboot_when_idle_waits_for_the_frames_then_goes_down_then_up() -> None:
    farm, clock = frozen_farm()
    host = busy_host(farm)
    actions.reboot_when_idle(farm, host)
    assert state(farm, host) == "REBOOT_WHEN_IDLE"
    advance(farm, clock, 30.0)
    assert state(farm, host) == "REBOOT_WHEN_IDLE" and host.procs  # its frames still run: no reboot yet
    for proc in list(host.procs.values()):
        farm.finish_frame(proc, True, 0)
    advance(farm, clock, 1.0 + actions.REPORT_SECONDS)
    assert state(farm, host) == "DOWN"
    advance(farm, clock, actions.REBOOT_SECONDS + 0.5)
    assert state(farm, host) == "UP"
    assert host.boot_time == int(farm.now())


def test_reboot_when_idle_of_an_idle_host_goes_down_at_once_and_no_frame_starts_there() -> None:
    farm, clock = frozen_farm()
    host, other = [h for h in farm.hosts if h.procs][:2]
    for proc in [*host.procs.values(), *other.procs.values()]:
        farm.finish_frame(proc, True, 0)
    actions.reboot_when_idle(farm, host)
    assert state(farm, host) == "REBOOT_WHEN_IDLE"
    farm.dispatch(budget=10_000)
    assert other.procs and not host.procs  # RQD locked its cores: nothing is booked on it
    advance(farm, clock, actions.REPORT_SECONDS)
    assert state(farm, host) == "DOWN"
    advance(farm, clock, actions.REBOOT_SECONDS + 0.5)
    assert state(farm, host) == "UP"


def test_a_host_put_in_repair_meanwhile_stays_in_repair() -> None:
    farm, clock = frozen_farm()
    host = busy_host(farm)
    actions.reboot_host(farm, host)
    advance(farm, clock, actions.REPORT_SECONDS)
    host.state = REPAIR  # as SetHardwareState would
    advance(farm, clock, actions.REBOOT_SECONDS + 1.0)
    assert state(farm, host) == "REPAIR"
