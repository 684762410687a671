"""Client actions on the simulated farm, with Cuebot's semantics (protocol §3.9-§3.12)."""

from __future__ import annotations

from collections.abc import Iterable

from cuetui.demo.farm import (
    DEPEND,
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
from cuetui.demo.model import Layer


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


def mark_done(farm: Farm, job: Job, layer: Layer | None = None, frames: Iterable[int] = ()) -> int:
    """Mark done, a layer's (LayerInterface/MarkdoneFrames) and a frame search's
    (JobInterface/MarkDoneFrames) alike: Cuebot satisfies every dependency waiting on the layer / on
    those frames, so what they held may start; the frames themselves keep their state (eating them is
    a separate action). Answers how many dependencies were satisfied."""
    depends = farm.resources.waiting_on(job, layer, frames)
    for d in depends:
        farm.resources.satisfy(d, farm.set_state)
    return len(depends)


def mark_as_waiting(farm: Farm, job: Job, frames: Iterable[int]) -> int:
    """MarkAsWaiting, the job's (with a frame search) and the frame's alike: a frame held in DEPEND goes
    WAITING so it can be dispatched; a frame in any other state is left as it is (Cuebot's update has
    `str_state = DEPEND`). Its depend count is reset, the dependencies themselves stay: here nothing
    holds a WAITING frame back, and satisfying a dependency later only releases DEPEND frames. Answers
    how many frames changed."""
    changed = 0
    for i in list(frames):
        if job.f_state[i] == DEPEND:
            farm.set_state(job, i, WAITING)
            changed += 1
    if changed:
        _reopen(farm, job)
    return changed


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
