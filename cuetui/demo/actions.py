"""Client actions on the simulated farm, with Cuebot's semantics (protocol §3.9-§3.12)."""

from __future__ import annotations

from collections.abc import Iterable

from cuetui.demo.farm import (
    DOWN,
    EATEN,
    FINISHED,
    LOCKED,
    OPEN,
    PENDING,
    REBOOT_WHEN_IDLE,
    REBOOTING,
    RUNNING,
    SUCCEEDED,
    UP,
    WAITING,
    Farm,
    Host,
    Job,
)


def _reopen(farm: Farm, job: Job) -> None:
    c = job.counts
    if job.state == FINISHED and c[WAITING] + c[RUNNING] > 0:
        job.state = PENDING
        job.stop_time = 0
    else:
        farm._update_job_state(job)


def kill_job(farm: Farm, job: Job, reason: str) -> None:
    """Kill: asynchronous on Cuebot; running frames are killed and the job goes FINISHED."""

    def apply() -> None:
        if job.state == FINISHED:
            return
        for i in list(_running(farm, job)):
            proc = farm.procs[(job.index, i)]
            farm.finish_frame(proc, False, 299, kill_message=f"Job killed: {reason}", requeue=True)
        job.state = FINISHED
        job.stop_time = int(farm.now())

    farm.schedule(0.3, apply)


def _running(farm: Farm, job: Job) -> Iterable[int]:
    return [i for (j, i) in list(farm.procs) if j == job.index]


def retry_frames(farm: Farm, job: Job, frames: Iterable[int]) -> None:
    """Every non-running frame goes back to WAITING, SUCCEEDED included."""
    for i in frames:
        state = job.f_state[i]
        if state == RUNNING:
            continue
        if state != WAITING:
            job.f_retry[i] += 1
        farm.set_state(job, i, WAITING)
    _reopen(farm, job)


def retry_frame(farm: Farm, job: Job, i: int) -> None:
    """FrameInterface/Retry: a running frame is killed first."""
    proc = farm.procs.get((job.index, i))
    if proc is not None:
        farm.finish_frame(proc, False, 299, kill_message="Frame retried by user", requeue=True)
    else:
        retry_frames(farm, job, [i])
    _reopen(farm, job)


def eat_frames(farm: Farm, job: Job, frames: Iterable[int], kill_message: str = "Frame eaten by user") -> None:
    """Running matches are killed and EATEN; SUCCEEDED frames stay SUCCEEDED."""
    for i in frames:
        state = job.f_state[i]
        if state in (SUCCEEDED, EATEN):
            continue
        proc = farm.procs.get((job.index, i))
        if proc is not None:
            farm.finish_frame(proc, False, 299, kill_message=kill_message, final_state=EATEN)
        else:
            farm.set_state(job, i, EATEN)
    farm._update_job_state(job)


def mark_frames_done(farm: Farm, job: Job, frames: Iterable[int]) -> None:
    """Mark done: the frames are eaten (running ones killed) so that what waits on them may go; a layer
    left with nothing to run gets its stop time."""
    frames = list(frames)
    eat_frames(farm, job, frames, kill_message="Layer marked done")
    now = int(farm.now())
    for layer in {job.f_layer[i] for i in frames}:
        done = job.layers[layer]
        if done.stop_time == 0 and done.counts[SUCCEEDED] + done.counts[EATEN] == done.count:
            done.stop_time = now


def kill_frames(farm: Farm, job: Job, frames: Iterable[int], reason: str) -> None:
    """Kill the procs of running frames; the frames go back to WAITING."""
    for i in frames:
        proc = farm.procs.get((job.index, i))
        if proc is not None:
            farm.finish_frame(proc, False, 299, kill_message=reason or "Frame killed by user", requeue=True)


def lock_host(host: Host, locked: bool) -> None:
    """Lock or unlock: a locked host takes no new frames, running ones continue."""
    host.lock_state = LOCKED if locked else OPEN


# A reboot as Cuebot and RQD see it, in real seconds whatever the farm's speed: RQD's last report (the
# machine going DOWN) comes this long after the request, and the machine is back (its boot report: UP)
# this long after going down.
REPORT_SECONDS = 1.0
REBOOT_SECONDS = 6.0


def _go_down_then_up(farm: Farm, host: Host, state: int) -> None:
    """RQD's last report takes the host DOWN (unless someone changed its state meanwhile); its boot
    report, a simulated reboot later, brings it back UP with a new boot time (Cuebot's host report
    handler turns DOWN, REBOOTING and REBOOT_WHEN_IDLE into UP)."""

    def down() -> None:
        if host.state == state:
            host.state = DOWN
            farm.schedule(REBOOT_SECONDS, up)

    def up() -> None:
        if host.state == DOWN:
            host.state = UP
            host.boot_time = int(farm.now())
            host.ping_time = host.boot_time

    farm.schedule(REPORT_SECONDS, down)


def reboot_host(farm: Farm, host: Host) -> None:
    """Cuebot's rebootNow: REBOOTING at once; RQD kills the running frames (requeued) and reboots the
    machine, which goes DOWN and comes back UP after the simulated reboot."""
    host.state = REBOOTING
    for proc in list(host.procs.values()):
        farm.finish_frame(proc, False, 399, kill_message="host rebooted", requeue=True)
    _go_down_then_up(farm, host, REBOOTING)


def reboot_when_idle(farm: Farm, host: Host) -> None:
    """Cuebot's rebootWhenIdle: REBOOT_WHEN_IDLE, and no new frames (RQD locks its cores); once the last
    frame ends RQD reboots the machine: DOWN, then UP after the simulated reboot."""
    host.state = REBOOT_WHEN_IDLE

    def check() -> None:
        if host.state != REBOOT_WHEN_IDLE:
            return
        if host.procs:
            farm.schedule(1.0, check)
        else:
            _go_down_then_up(farm, host, REBOOT_WHEN_IDLE)

    check()
