"""Departments of a show and their tasks (DepartmentInterface, TaskInterface, ShowInterface's department
calls).

Cuebot's semantics kept: the department names are one farm-wide list; a show's department (its
"point") exists for "Unknown" from the start and for any other known name from its first
GetDepartment; a task is a shot's minimum cores within a department, its adjustment cleared apart;
ReplaceTasks is ClearTasks then AddTasks; TI management sets the task and the managed cores.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import lookup
from cuetui.demo.admin import DEPARTMENT, TASK, Department, admin_of
from cuetui.demo.registry import answer, internal, not_found, refused, rpc

_D = "/department.DepartmentInterface/"
_T = "/task.TaskInterface/"
_SHOW = "/show.ShowInterface/"


def _dept(gw: Any, req: dict[str, Any]) -> Department:
    wanted = (req.get("department") or {}).get("id", "")
    for d in admin_of(gw.farm).departments:
        if d.id == wanted:
            return d
    raise internal()


@rpc(_SHOW + "GetDepartments", "show.ShowGetDepartmentsRequest")
def _get_departments(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    depts = [d.values() for d in admin_of(gw.farm).departments if d.show is show]
    return answer(_SHOW + "GetDepartments", {"departments": {"departments": depts}})


@rpc(_SHOW + "GetDepartment", "show.ShowGetDepartmentRequest")
def _get_department(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    admin = admin_of(gw.farm)
    name = req.get("department", "")
    for d in admin.departments:
        if d.show is show and d.dept == name:
            return answer(_SHOW + "GetDepartment", {"department": d.values()})
    if name not in admin.department_names:
        raise not_found()
    d = Department(admin.new_id(DEPARTMENT), show, name)
    admin.departments.append(d)
    return answer(_SHOW + "GetDepartment", {"department": d.values()})


@rpc(_D + "GetDepartmentNames", "department.DeptGetDepartmentNamesRequest")
def _names(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_D + "GetDepartmentNames", {"names": sorted(admin_of(gw.farm).department_names)})


@rpc(_D + "AddDepartmentName", "department.DeptAddDeptNameRequest")
def _add_name(gw: Any, req: dict[str, Any]) -> Any:
    names = admin_of(gw.farm).department_names
    name = req.get("name", "")
    if not name or name in names:
        raise refused("org.springframework.dao.DuplicateKeyException", f"department {name} already exists")
    names.append(name)
    return {}


@rpc(_D + "RemoveDepartmentName", "department.DeptRemoveDepartmentNameRequest")
def _remove_name(gw: Any, req: dict[str, Any]) -> Any:
    admin = admin_of(gw.farm)
    name = req.get("name", "")
    if any(d.dept == name for d in admin.departments):
        raise refused("org.springframework.dao.DataIntegrityViolationException", f"department {name} is in use")
    if name in admin.department_names:
        admin.department_names.remove(name)
    return {}


@rpc(_D + "Delete", "department.DeptDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    admin_of(gw.farm).departments.remove(_dept(gw, req))
    return {}


@rpc(_D + "EnableTiManaged", "department.DeptEnableTiManagedRequest")
def _enable_ti(gw: Any, req: dict[str, Any]) -> Any:
    d = _dept(gw, req)
    d.ti_managed = True
    d.ti_task = req.get("ti_task", "")
    d.min_cores = float(req.get("managed_cores", 0.0))
    return {}


@rpc(_D + "DisableTiManaged", "department.DeptDisableTiManagedRequest")
def _disable_ti(gw: Any, req: dict[str, Any]) -> Any:
    d = _dept(gw, req)
    d.ti_managed = False
    d.ti_task = ""
    d.min_cores = 0.0
    d.tasks.clear()  # Cuebot drops the TI tasks with the management
    return {}


@rpc(_D + "SetManagedCores", "department.DeptSetManagedCoresRequest")
def _managed_cores(gw: Any, req: dict[str, Any]) -> Any:
    _dept(gw, req).min_cores = float(req.get("managed_cores", 0.0))
    return {}


def _add_task(gw: Any, d: Department, shot: str, cores: float) -> dict[str, Any]:
    for task in d.tasks:
        if task["shot"] == shot:  # one task a shot: a second add changes its cores
            task["min_cores"] = cores
            return task
    task = {
        "id": admin_of(gw.farm).new_id(TASK),
        "name": f"{d.dept}_{shot}",
        "shot": shot,
        "dept": d.dept,
        "point_id": d.id,
        "min_cores": cores,
        "adjust_cores": 0.0,
    }
    d.tasks.append(task)
    return task


@rpc(_D + "AddTask", "department.DeptAddTaskRequest")
def _add(gw: Any, req: dict[str, Any]) -> Any:
    d = _dept(gw, req)
    task = _add_task(gw, d, req.get("shot", ""), float(req.get("min_cores", 0.0)))
    return answer(_D + "AddTask", {"task": task})


def _tmap(req: dict[str, Any]) -> list[tuple[str, float]]:
    tmap = req.get("tmap") or {}
    if isinstance(tmap, dict):
        return [(str(k), float(v)) for k, v in tmap.items()]
    return [(str(e.get("key", "")), float(e.get("value", 0.0))) for e in tmap]


@rpc(_D + "AddTasks", "department.DeptAddTasksRequest")
def _add_many(gw: Any, req: dict[str, Any]) -> Any:
    d = _dept(gw, req)
    tasks = [_add_task(gw, d, shot, cores) for shot, cores in _tmap(req)]
    return answer(_D + "AddTasks", {"tasks": {"tasks": tasks}})


@rpc(_D + "ReplaceTasks", "department.DeptReplaceTaskRequest")
def _replace(gw: Any, req: dict[str, Any]) -> Any:
    d = _dept(gw, req)
    d.tasks.clear()
    tasks = [_add_task(gw, d, shot, cores) for shot, cores in _tmap(req)]
    return answer(_D + "ReplaceTasks", {"tasks": {"tasks": tasks}})


@rpc(_D + "ClearTasks", "department.DeptClearTasksRequest")
def _clear(gw: Any, req: dict[str, Any]) -> Any:
    _dept(gw, req).tasks.clear()
    return {}


@rpc(_D + "ClearTaskAdjustments", "department.DeptClearTaskAdjustmentsRequest")
def _clear_adjust(gw: Any, req: dict[str, Any]) -> Any:
    for task in _dept(gw, req).tasks:
        task["adjust_cores"] = 0.0
    return {}


@rpc(_D + "GetTasks", "department.DeptGetTasksRequest")
def _get_tasks(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_D + "GetTasks", {"tasks": {"tasks": _dept(gw, req).tasks}})


def _task(gw: Any, req: dict[str, Any]) -> tuple[Department, dict[str, Any]]:
    wanted = (req.get("task") or {}).get("id", "")
    for d in admin_of(gw.farm).departments:
        for task in d.tasks:
            if task["id"] == wanted:
                return d, task
    raise internal()


@rpc(_T + "Delete", "task.TaskDeleteRequest")
def _task_delete(gw: Any, req: dict[str, Any]) -> Any:
    d, task = _task(gw, req)
    d.tasks.remove(task)
    return {}


@rpc(_T + "SetMinCores", "task.TaskSetMinCoresRequest")
def _task_cores(gw: Any, req: dict[str, Any]) -> Any:
    # An adjustment on top of the task's cores, as a user's change to a TI-managed task is on Cuebot.
    _d, task = _task(gw, req)
    task["adjust_cores"] = float(req.get("new_min_cores", 0.0)) - task["min_cores"]
    return {}


@rpc(_T + "ClearAdjustments", "task.TaskClearAdjustmentsRequest")
def _task_clear(gw: Any, req: dict[str, Any]) -> Any:
    _d, task = _task(gw, req)
    task["adjust_cores"] = 0.0
    return {}
