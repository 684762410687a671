"""Layer timeouts as Cuebot enforces them on each host report (HostReportHandler's killTimedOutFrames):
a running frame whose run time in whole minutes is past its layer's `timeout`, or whose log has not
changed for `timeout_llu` minutes or more (lluTime), is killed through RQD with the cause as its kill
message. RQD's process dies of SIGKILL, which RQD reports as exit status 1 (signal 9); Cuebot then
retries the frame while it has retries left, else it is DEAD (EATEN with auto-eat), as for any failure.
Both settings are minutes, 0 for none.
"""

from __future__ import annotations

from typing import Protocol

from cuetui.demo.model import Proc

FRAME_TIMED_OUT = "FrameTimedOut"
FRAME_LLU_TIMED_OUT = "FrameLluTimedOut"
# The kill messages of Cuebot's timeouts (RQD's kill: exit status 1, signal 9).
TIMEOUT_KILLS = (FRAME_TIMED_OUT, FRAME_LLU_TIMED_OUT)
# What RQD reports for a frame its kill ended: the process died of a signal.
KILLED_EXIT_STATUS = 1
# How often the simulated host reports are checked, in real seconds.
CHECK_SECONDS = 5.0


class Farm(Protocol):
    """What the check needs of the simulated farm (`cuetui.demo.farm.Farm`)."""

    procs: dict[tuple[int, int], Proc]

    def now(self) -> float: ...

    def llu_time(self, proc: Proc, now: int) -> int: ...

    def finish_frame(self, proc: Proc, succeed: bool, exit_status: int, kill_message: str = "") -> None: ...


def timed_out(farm: Farm, now: float) -> list[tuple[Proc, str]]:
    """(proc, kill cause) of every running frame past its layer's timeout or timeout-LLU at `now`."""
    out: list[tuple[Proc, str]] = []
    for proc in farm.procs.values():
        job, i = proc.job, proc.frame
        layer = job.layers[job.f_layer[i]]
        if not layer.timeout and not layer.timeout_llu:
            continue
        runtime_minutes = int(now - job.f_start[i]) // 60
        if layer.timeout and runtime_minutes > layer.timeout:
            out.append((proc, FRAME_TIMED_OUT))
            continue
        if layer.timeout_llu:
            llu = farm.llu_time(proc, int(now))
            if llu and (int(now) - llu) // 60 > layer.timeout_llu - 1:
                out.append((proc, FRAME_LLU_TIMED_OUT))
    return out


def enforce_timeouts(farm: Farm) -> int:
    """Kill the running frames past their layer's timeouts (see the module docstring); how many."""
    killed = 0
    for proc, cause in timed_out(farm, farm.now()):
        farm.finish_frame(proc, False, KILLED_EXIT_STATUS, kill_message=cause)
        killed += 1
    return killed
