"""Moving jobs and groups between groups, as Cuebot does: the rules the group RPCs, the filters'
MOVE_JOB_TO_GROUP and a job's SetGroup share.

* A job moved into a group takes the group's job defaults that are set (priority, min / max cores, min /
  max gpus; -1 is "not set"), never across shows.
* A group moves under another of its show, never into itself or one of its own subgroups; a root group
  never moves.
* What the groups' running cores count follows the move (the counters are recounted from the procs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cuetui.demo.registry import GatewayError, refused

if TYPE_CHECKING:
    from cuetui.demo.model import Job, Proc
    from cuetui.demo.resources import Group, Resources

MODIFICATION = "com.imageworks.spcue.EntityModificationError"
UNSET = -1


def reparent_job(res: Resources, procs: Iterable[Proc], job: Job, group: Group, inherit: bool = True) -> None:
    """Put a job in a group (refused across shows); with `inherit`, the group's set job defaults apply."""
    if job.show is not group.show:
        raise refused(MODIFICATION, "error moving job, cannot move jobs between shows")
    job.group = group.name
    if inherit:
        inherit_defaults(job, group)
    recount(res, procs)


def inherit_defaults(job: Job, group: Group) -> None:
    """The group's job defaults that are set, onto the job."""
    if group.default_job_priority != UNSET:
        job.priority = group.default_job_priority
    if group.default_job_min_cores != UNSET:
        job.min_cores = group.default_job_min_cores
    if group.default_job_max_cores != UNSET:
        job.max_cores = group.default_job_max_cores
    if group.default_job_min_gpus != UNSET:
        job.min_gpus = float(group.default_job_min_gpus)
    if group.default_job_max_gpus != UNSET:
        job.max_gpus = float(group.default_job_max_gpus)


def parent_refusal(group: Group, dest: Group) -> GatewayError | None:
    """Why Cuebot would not move `group` under `dest`, or None."""
    if group is dest:
        return refused(MODIFICATION, "error moving group, cannot move group into itself")
    if group.show is not dest.show:
        return refused(MODIFICATION, "error moving group, cannot move groups between shows")
    above = dest.parent
    while above is not None:
        if above is group:
            return refused(MODIFICATION, "error moving group, you cannot move a group into one of its sub groups")
        above = above.parent
    if group.parent is None:
        return refused(
            MODIFICATION,
            f"error moving group, {group.name}, the group does not exist or its the top level group",
        )
    return None


def recount(res: Resources, procs: Iterable[Proc]) -> None:
    """The groups' booked cores again from the running procs (after jobs or groups moved)."""
    res.group_used.clear()
    for proc in procs:
        group = res.group_of(proc.job)
        while group is not None:
            res.group_used[group.id] = res.group_used.get(group.id, 0.0) + proc.cores
            group = group.parent


def whole_cores(cores: float) -> int:
    """Cuebot's whole-core units of a group's cores, in cores: -1 stays, the rest rounds toward zero."""
    if cores == -1:
        return -1
    return int(cores + 0.005)
