"""ShowInterface: show settings, creating, deleting and archiving shows, the job whiteboard.

(Filters, departments, owners and service overrides of a show are in their areas' modules; groups and
subscriptions are the scheduling records'.)"""

from __future__ import annotations

from typing import Any

from cuetui.demo import ids, lookup
from cuetui.demo.model import DEAD, DEPEND, PENDING, RUNNING, WAITING, Show
from cuetui.demo.registry import answer, refused, rpc
from cuetui.demo.serialize import show_json


def _setter(path: str, request_type: str, field: str, value: str, convert: Any = None) -> None:
    def handler(gw: Any, req: dict[str, Any]) -> Any:
        show = lookup.show(gw.farm, req)
        given = req.get(value, False if convert is bool else 0)
        setattr(show, field, convert(given) if convert is not None else given)
        return {}

    handler.__name__ = f"_show_{field}"
    rpc(path, request_type)(handler)


_SHOW = "/show.ShowInterface/"
_setter(_SHOW + "EnableBooking", "show.ShowEnableBookingRequest", "booking_enabled", "enabled", bool)
_setter(_SHOW + "EnableDispatching", "show.ShowEnableDispatchingRequest", "dispatch_enabled", "enabled", bool)
_setter(_SHOW + "SetActive", "show.ShowSetActiveRequest", "active", "value", bool)
_setter(_SHOW + "SetCommentEmail", "show.ShowSetCommentEmailRequest", "comment_email", "email", str)
_setter(_SHOW + "SetDefaultMaxCores", "show.ShowSetDefaultMaxCoresRequest", "default_max_cores", "max_cores", float)
_setter(_SHOW + "SetDefaultMinCores", "show.ShowSetDefaultMinCoresRequest", "default_min_cores", "min_cores", float)
_setter(_SHOW + "SetDefaultMaxGpus", "show.ShowSetDefaultMaxGpusRequest", "default_max_gpus", "max_gpus", float)
_setter(_SHOW + "SetDefaultMinGpus", "show.ShowSetDefaultMinGpusRequest", "default_min_gpus", "min_gpus", float)
_setter(_SHOW + "SetSchedulerManaged", "show.ShowSetSchedulerManagedRequest", "scheduler_managed", "enabled", bool)


@rpc(_SHOW + "CreateShow", "show.ShowCreateShowRequest")
def _create_show(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    name = req.get("name", "")
    if not name or any(s.name == name for s in farm.shows):
        raise refused("com.imageworks.spcue.EntityCreationError", f"failed to create show {name}")
    index = len(farm.shows)
    show = Show(index, ids.make_id(farm.id_prefix, ids.SHOW, index), name)
    farm.add_show(show)
    from cuetui.demo.admin import DEPARTMENT, Department, admin_of

    admin = admin_of(farm)  # a new show gets its Unknown department, as Cuebot inserts its point
    admin.departments.append(Department(admin.new_id(DEPARTMENT), show, "Unknown"))
    return {"show": show_json(farm, show)}


@rpc(_SHOW + "Delete", "show.ShowDeleteRequest")
def _delete_show(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    show = lookup.show(farm, req)
    # Cuebot deletes only a show that never had a job; else the database refuses (foreign keys).
    if show.created_job_count or any(j.show is show for j in farm.jobs):
        raise refused(
            "org.springframework.dao.DataIntegrityViolationException",
            f"show {show.name} has jobs and cannot be deleted",
        )
    farm.shows.remove(show)
    return {}


@rpc(_SHOW + "Archive", "show.ShowArchiveRequest")
def _archive(gw: Any, req: dict[str, Any]) -> Any:
    # Archiving makes the show inactive; its jobs' history stays where it is (a simulation has no
    # archive database to move it to).
    show = lookup.show(gw.farm, req)
    show.active = False
    show.booking_enabled = False
    show.dispatch_enabled = False
    return {}


@rpc(_SHOW + "GetJobWhiteboard", "show.ShowGetJobWhiteboardRequest")
def _job_whiteboard(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    show = lookup.show(farm, req)
    jobs = [j for j in farm.jobs if j.show is show and j.state == PENDING]
    return answer(
        _SHOW + "GetJobWhiteboard",
        {
            "whiteboard": {
                "id": show.id,
                "name": show.name,
                "department": "Unknown",
                "default_job_priority": 100,
                "default_job_min_cores": show.default_min_cores,
                "default_job_max_cores": show.default_max_cores,
                "min_cores": 0.0,
                "max_cores": -1.0,
                "jobs": [j.id for j in sorted(jobs, key=lambda j: j.name)],
                "stats": {
                    "running_frames": sum(j.counts[RUNNING] for j in jobs),
                    "dead_frames": sum(j.counts[DEAD] for j in jobs),
                    "depend_frames": sum(j.counts[DEPEND] for j in jobs),
                    "waiting_frames": sum(j.counts[WAITING] for j in jobs),
                    "pending_jobs": len(jobs),
                    "reserved_cores": sum(j.run.reserved_cores for j in jobs),
                },
            }
        },
    )
