"""Groups as an administrator changes them (GroupInterface: sub-groups, deleting, moving groups and
jobs, the job defaults, department, name, gpus). The reads and the core caps are `rpc_farm`'s; the
moving rules are `groups`.

Cuebot's semantics kept:

* A default job priority is also given to every job already in the group, at once (a negative one
  unsets the default but is still given to the jobs, as Cuebot's two updates do); default min / max
  cores (whole cores, below one: unset) and gpus (below one: unset) go to the group's jobs unless unset
  or the group's department is TI-managed for its show.
* A job moved into a group (ReparentJobs) takes every job default that is set.
* A group with sub-groups or pending jobs, or that a filter's action names, is not deleted: INTERNAL
  with Cuebot's one message; a root group is never deleted (no error); the finished jobs of a deleted
  group go to the show's root group.
* ReparentGroups / SetGroup move groups under another group of the show (`groups.parent_refusal`);
  ReparentGroups skips ids that name no group and moves nothing when one move is refused.
* Max gpus below zero is no cap (-1); min gpus below zero is 0.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import groups, lookup
from cuetui.demo.admin import DEPARTMENT, Department, admin_of
from cuetui.demo.registry import GatewayError, internal, refused, rpc
from cuetui.demo.resources import GROUP_ID, Group, Resources
from cuetui.demo.rpc_farm import group_json

_G = "/job.GroupInterface/"
_DELETE_REFUSED = "Failed to remove group, be sure that there are no jobs or filter actions pointing at the group."
_PENDING = 0


def _res(gw: Any) -> Resources:
    res: Resources = gw.farm.resources
    return res


def _group(gw: Any, req: dict[str, Any], field: str = "group") -> Group:
    wanted = str((req.get(field) or {}).get("id", ""))
    for g in _res(gw).groups:
        if g.id == wanted:
            return g
    raise internal()


def _jobs_in(gw: Any, group: Group) -> list[Any]:
    res = _res(gw)
    return [j for j in gw.farm.jobs if res.group_of(j) is group]


def _managed(gw: Any, group: Group) -> bool:
    """Whether the group's department is TI-managed for its show (then its core defaults stay its own)."""
    return any(
        d.show is group.show and d.dept == group.department and d.ti_managed for d in admin_of(gw.farm).departments
    )


def _default_cores(value: float) -> float:
    """A job default in Cuebot's whole cores; below one core: unset."""
    cores = groups.whole_cores(value)
    return float(cores) if cores >= 1 else -1.0


@rpc(_G + "CreateSubGroup", "job.GroupCreateSubGroupRequest")
def _create_sub_group(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    parent = _group(gw, req)
    name = str(req.get("name", ""))
    if any(g.parent is parent and g.name == name for g in res.groups):
        raise refused(
            "com.imageworks.spcue.EntityCreationError",
            f"error creating group, org.springframework.dao.DuplicateKeyException: group {name} exists",
        )
    group = Group(res.next_id(GROUP_ID), name, parent.show, parent=parent)
    res.groups.append(group)
    return {"group": group_json(gw.farm, group)}


@rpc(_G + "Delete", "job.GroupDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    group = _group(gw, req)
    jobs = _jobs_in(gw, group)
    pointed_at = any(
        a.get("group_value") == group.id for f in admin_of(gw.farm).filters if f.show is group.show for a in f.actions
    )
    if any(g.parent is group for g in res.groups) or any(j.state == _PENDING for j in jobs) or pointed_at:
        raise GatewayError(500, 13, _DELETE_REFUSED)
    if group.parent is None:
        return {}  # the show's root group stays
    root = res.root_group(group.show)
    for job in jobs:
        job.group = root.name
    res.groups.remove(group)
    res.group_used.pop(group.id, None)
    return {}


@rpc(_G + "ReparentGroups", "job.GroupReparentGroupsRequest")
def _reparent_groups(gw: Any, req: dict[str, Any]) -> Any:
    dest = _group(gw, req)
    wanted = {str(g.get("id", "")) for g in (req.get("groups") or {}).get("groups") or ()}
    moving = [g for g in _res(gw).groups if g.id in wanted]
    for g in moving:  # one transaction: a refused move moves none
        refusal = groups.parent_refusal(g, dest)
        if refusal is not None:
            raise refusal
    for g in moving:
        g.parent = dest
    groups.recount(_res(gw), gw.farm.procs.values())
    return {}


@rpc(_G + "SetGroup", "job.GroupSetGroupRequest")
def _set_group(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    dest = _group(gw, req, "parent_group")
    refusal = groups.parent_refusal(group, dest)
    if refusal is not None:
        raise refusal
    group.parent = dest
    groups.recount(_res(gw), gw.farm.procs.values())
    return {}


@rpc(_G + "ReparentJobs", "job.GroupReparentJobsRequest")
def _reparent_jobs(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    farm = gw.farm
    for msg in (req.get("jobs") or {}).get("jobs") or ():
        job = lookup.job(farm, {"job": msg})
        groups.reparent_job(farm.resources, farm.procs.values(), job, group)
    return {}


@rpc(_G + "SetDefaultJobPriority", "job.GroupSetDefJobPriorityRequest")
def _set_default_priority(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    priority = int(req.get("priority", 0))
    group.default_job_priority = priority if priority >= 0 else -1
    for job in _jobs_in(gw, group):
        job.priority = priority
    return {}


def _set_default(gw: Any, req: dict[str, Any], attr: str, value: float) -> None:
    """The group's job default `attr` (-1: unset); a set one applies to its jobs now, unless it is managed."""
    group = _group(gw, req)
    setattr(group, f"default_job_{attr}", value)
    if value != -1 and not _managed(gw, group):
        for job in _jobs_in(gw, group):
            setattr(job, attr, float(value))


def _default_gpus(value: int) -> int:
    """A job default in GPUs; none or fewer: unset."""
    return value if value > 0 else -1


@rpc(_G + "SetDefaultJobMaxCores", "job.GroupSetDefJobMaxCoresRequest")
def _set_default_max_cores(gw: Any, req: dict[str, Any]) -> Any:
    _set_default(gw, req, "max_cores", _default_cores(float(req.get("max_cores", 0.0))))
    return {}


@rpc(_G + "SetDefaultJobMinCores", "job.GroupSetDefJobMinCoresRequest")
def _set_default_min_cores(gw: Any, req: dict[str, Any]) -> Any:
    _set_default(gw, req, "min_cores", _default_cores(float(req.get("min_cores", 0.0))))
    return {}


@rpc(_G + "SetDefaultJobMaxGpus", "job.GroupSetDefJobMaxGpusRequest")
def _set_default_max_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _set_default(gw, req, "max_gpus", _default_gpus(int(req.get("max_gpus", 0))))
    return {}


@rpc(_G + "SetDefaultJobMinGpus", "job.GroupSetDefJobMinGpusRequest")
def _set_default_min_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _set_default(gw, req, "min_gpus", _default_gpus(int(req.get("min_gpus", 0))))
    return {}


@rpc(_G + "SetMaxGpus", "job.GroupSetMaxGpusRequest")
def _set_max_gpus(gw: Any, req: dict[str, Any]) -> Any:
    value = int(req.get("max_gpus", 0))
    _group(gw, req).max_gpus = float(value) if value >= 0 else -1.0
    return {}


@rpc(_G + "SetMinGpus", "job.GroupSetMinGpusRequest")
def _set_min_gpus(gw: Any, req: dict[str, Any]) -> Any:
    _group(gw, req).min_gpus = float(max(0, int(req.get("min_gpus", 0))))
    return {}


@rpc(_G + "SetName", "job.GroupSetNameRequest")
def _set_name(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    jobs = _jobs_in(gw, group)
    group.name = str(req.get("name", ""))
    for job in jobs:  # jobs name their group: they stay in it
        job.group = group.name
    return {}


@rpc(_G + "SetDepartment", "job.GroupSetDeptRequest")
def _set_department(gw: Any, req: dict[str, Any]) -> Any:
    group = _group(gw, req)
    admin = admin_of(gw.farm)
    name = str(req.get("dept", ""))
    if name not in admin.department_names:
        raise internal()
    if not any(d.show is group.show and d.dept == name for d in admin.departments):
        # The show's first use of the department makes its configuration (Cuebot's "point").
        admin.departments.append(Department(admin.new_id(DEPARTMENT), group.show, name))
    group.department = name
    return {}
