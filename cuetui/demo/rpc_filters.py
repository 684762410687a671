"""Filters of a show, with their matchers and actions (FilterInterface, MatcherInterface, ActionInterface,
ShowInterface's filter calls, JobInterface/RunFilters), and what running them does to a job.

Cuebot's semantics kept: a new filter is MATCH_ANY, enabled, last in order; orders are renumbered 1..n
after every move (raise/lower step over one neighbour); a filter matches a job when any (MATCH_ANY) or
every (MATCH_ALL) matcher does; its actions apply in order and STOP_PROCESSING ends the run of the
show's filters. MOVE_JOB_TO_GROUP names a group id: the job moves into that group of its show, taking
the group's set priority and cores defaults, else nothing changes. The show's filters also run on every
job LaunchSpec makes.
"""

from __future__ import annotations

import re
from typing import Any

from cuetui import schema
from cuetui.demo import groups, lookup
from cuetui.demo.admin import ACTION, FILTER, MATCHER, Admin, Filter, admin_of
from cuetui.demo.model import Job
from cuetui.demo.registry import answer, internal, not_found, rpc

_F = "/filter.FilterInterface/"
_M = "/filter.MatcherInterface/"
_A = "/filter.ActionInterface/"
_SHOW = "/show.ShowInterface/"

_SUBJECT = schema.enum_numbers("filter.MatchSubject")
_MATCH = schema.enum_numbers("filter.MatchType")
_ACT = schema.enum_numbers("filter.ActionType")
_LAYER_TYPE = schema.enum_numbers("job.LayerType")
MATCH_ALL = schema.enum_numbers("filter.FilterType")["MATCH_ALL"]


def _renumber(admin: Admin, show: Any) -> None:
    mine = sorted((f for f in admin.filters if f.show is show), key=lambda f: f.order)
    for n, f in enumerate(mine, 1):
        f.order = float(n)


def _filter(gw: Any, req: dict[str, Any], field: str = "filter") -> Filter:
    wanted = (req.get(field) or {}).get("id", "")
    for f in admin_of(gw.farm).filters:
        if f.id == wanted:
            return f
    raise internal()


def _filters_of(admin: Admin, show: Any) -> list[Filter]:
    return sorted((f for f in admin.filters if f.show is show), key=lambda f: f.order)


@rpc(_SHOW + "CreateFilter", "show.ShowCreateFilterRequest")
def _create_filter(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    admin = admin_of(gw.farm)
    f = Filter(admin.new_id(FILTER), show, req.get("name", ""), order=float(len(_filters_of(admin, show)) + 1))
    admin.filters.append(f)
    return answer(_SHOW + "CreateFilter", {"filter": f.values()})


@rpc(_SHOW + "GetFilters", "show.ShowGetFiltersRequest")
def _get_filters(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    filters = [f.values() for f in _filters_of(admin_of(gw.farm), show)]
    return answer(_SHOW + "GetFilters", {"filters": {"filters": filters}})


def _find(gw: Any, show_name: str, name: str) -> Filter:
    for f in admin_of(gw.farm).filters:
        if f.show.name == show_name and f.name == name:
            return f
    raise not_found()


@rpc(_SHOW + "FindFilter", "show.ShowFindFilterRequest")
def _show_find_filter(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    return answer(_SHOW + "FindFilter", {"filter": _find(gw, show.name, req.get("name", "")).values()})


@rpc(_F + "FindFilter", "filter.FilterFindFilterRequest")
def _find_filter(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_F + "FindFilter", {"filter": _find(gw, req.get("show", ""), req.get("name", "")).values()})


@rpc(_F + "Delete", "filter.FilterDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    f = _filter(gw, req)
    admin = admin_of(gw.farm)
    admin.filters.remove(f)
    _renumber(admin, f.show)
    return {}


def _move(path: str, request_type: str, step: Any) -> None:
    def handler(gw: Any, req: dict[str, Any]) -> Any:
        f = _filter(gw, req)
        admin = admin_of(gw.farm)
        f.order = step(f, req, len(_filters_of(admin, f.show)))
        _renumber(admin, f.show)
        return {}

    handler.__name__ = "_" + path.rsplit("/", 1)[1]
    rpc(path, request_type)(handler)


_move(_F + "RaiseOrder", "filter.FilterRaiseOrderRequest", lambda f, req, n: f.order - 1.5)
_move(_F + "LowerOrder", "filter.FilterLowerOrderRequest", lambda f, req, n: f.order + 1.5)
_move(_F + "OrderFirst", "filter.FilterOrderFirstRequest", lambda f, req, n: 0.0)
_move(_F + "OrderLast", "filter.FilterOrderLastRequest", lambda f, req, n: n + 1.0)
# SetOrder puts the filter before the one at that place (Cuebot: order - 0.1, then renumbered).
_move(_F + "SetOrder", "filter.FilterSetOrderRequest", lambda f, req, n: req.get("order", 0) - 0.1)


@rpc(_F + "SetEnabled", "filter.FilterSetEnabledRequest")
def _set_enabled(gw: Any, req: dict[str, Any]) -> Any:
    _filter(gw, req).enabled = bool(req.get("enabled", False))
    return {}


@rpc(_F + "SetName", "filter.FilterSetNameRequest")
def _set_name(gw: Any, req: dict[str, Any]) -> Any:
    _filter(gw, req).name = req.get("name", "")
    return {}


@rpc(_F + "SetType", "filter.FilterSetTypeRequest")
def _set_type(gw: Any, req: dict[str, Any]) -> Any:
    _filter(gw, req).type = req.get("type", 0)
    return {}


_MATCHER_FIELDS = ("subject", "type", "input")
_ACTION_FIELDS = ("type", "value_type", "group_value", "string_value", "integer_value", "float_value", "boolean_value")


@rpc(_F + "CreateMatcher", "filter.FilterCreateMatcherRequest")
def _create_matcher(gw: Any, req: dict[str, Any]) -> Any:
    f = _filter(gw, req)
    data = req.get("data") or {}
    matcher = {k: data[k] for k in _MATCHER_FIELDS if k in data}
    matcher["id"] = admin_of(gw.farm).new_id(MATCHER)
    f.matchers.append(matcher)
    return answer(_F + "CreateMatcher", {"matcher": matcher})


@rpc(_F + "CreateAction", "filter.FilterCreateActionRequest")
def _create_action(gw: Any, req: dict[str, Any]) -> Any:
    f = _filter(gw, req)
    data = req.get("data") or {}
    action = {k: data[k] for k in _ACTION_FIELDS if k in data}
    action["id"] = admin_of(gw.farm).new_id(ACTION)
    f.actions.append(action)
    return answer(_F + "CreateAction", {"action": action})


@rpc(_F + "GetMatchers", "filter.FilterGetMatchersRequest")
def _get_matchers(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_F + "GetMatchers", {"matchers": {"matchers": _filter(gw, req).matchers}})


@rpc(_F + "GetActions", "filter.FilterGetActionsRequest")
def _get_actions(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_F + "GetActions", {"actions": {"actions": _filter(gw, req).actions}})


def _owner(gw: Any, kind: str, req: dict[str, Any]) -> tuple[Filter, int]:
    """The filter that holds the matcher (kind "matchers") or action (kind "actions") of the request."""
    wanted = (req.get(kind[:-1]) or {}).get("id", "")
    for f in admin_of(gw.farm).filters:
        for k, item in enumerate(getattr(f, kind)):
            if item["id"] == wanted:
                return f, k
    raise internal()


def _child_calls(prefix: str, kind: str, names: tuple[str, ...], type_prefix: str) -> None:
    def commit(gw: Any, req: dict[str, Any]) -> Any:
        f, k = _owner(gw, kind, req)
        given = req.get(kind[:-1]) or {}
        item = {name: given[name] for name in names if name in given}
        item["id"] = getattr(f, kind)[k]["id"]
        getattr(f, kind)[k] = item
        return {}

    def delete(gw: Any, req: dict[str, Any]) -> Any:
        f, k = _owner(gw, kind, req)
        del getattr(f, kind)[k]
        return {}

    def parent(gw: Any, req: dict[str, Any]) -> Any:
        f, _k = _owner(gw, kind, req)
        return answer(prefix + "GetParentFilter", {"filter": f.values()})

    rpc(prefix + "Commit", f"filter.{type_prefix}CommitRequest")(commit)
    rpc(prefix + "Delete", f"filter.{type_prefix}DeleteRequest")(delete)
    rpc(prefix + "GetParentFilter", f"filter.{type_prefix}GetParentFilterRequest")(parent)


_child_calls(_M, "matchers", _MATCHER_FIELDS, "Matcher")
_child_calls(_A, "actions", _ACTION_FIELDS, "Action")


# --- running filters ---------------------------------------------------------------------------------
def _subject_values(job: Job, subject: int) -> list[str]:
    if subject == _SUBJECT["JOB_NAME"]:
        return [job.name]
    if subject == _SUBJECT["SHOW"]:
        return [job.show.name]
    if subject == _SUBJECT["SHOT"]:
        return [job.shot]
    if subject == _SUBJECT["USER"]:
        return [job.user]
    if subject == _SUBJECT["SERVICE_NAME"]:
        return [s for layer in job.layers for s in layer.services]
    if subject == _SUBJECT["PRIORITY"]:
        return [str(job.priority)]
    if subject == _SUBJECT["FACILITY"]:
        return [job.facility]
    return [layer.name for layer in job.layers]  # LAYER_NAME


def matches(job: Job, matcher: dict[str, Any]) -> bool:
    """One matcher against a job (any of the subject's values, for layers and services)."""
    kind = matcher.get("type", 0)
    text = matcher.get("input", "")
    values = _subject_values(job, matcher.get("subject", 0))
    if kind == _MATCH["CONTAINS"]:
        return any(text in v for v in values)
    if kind == _MATCH["DOES_NOT_CONTAIN"]:
        return not any(text in v for v in values)
    if kind == _MATCH["IS"]:
        return text in values
    if kind == _MATCH["IS_NOT"]:
        return text not in values
    if kind == _MATCH["REGEX"]:
        try:
            pattern = re.compile(text)
        except re.error:
            return False
        return any(pattern.search(v) for v in values)
    if kind == _MATCH["BEGINS_WITH"]:
        return any(v.startswith(text) for v in values)
    return any(v.endswith(text) for v in values)  # ENDS_WITH


def _layers(job: Job, layer_type: str) -> list[Any]:
    return [layer for layer in job.layers if layer.type == _LAYER_TYPE[layer_type]]


def apply_action(gw: Any, job: Job, action: dict[str, Any]) -> bool:
    """Apply one action; False when it is STOP_PROCESSING."""
    kind = action.get("type", 0)
    name = schema.enum_by_number("filter.ActionType").get(kind, "")
    text = action.get("string_value", "")
    number = action.get("integer_value", 0)
    cores = float(action.get("float_value", 0.0))
    if name == "STOP_PROCESSING":
        return False
    if name == "PAUSE_JOB":
        job.is_paused = bool(action.get("boolean_value", False))
    elif name == "SET_JOB_PRIORITY":
        job.priority = number
    elif name == "SET_JOB_MIN_CORES":
        job.min_cores = cores
    elif name == "SET_JOB_MAX_CORES":
        job.max_cores = cores
    elif name == "SET_MEMORY_OPTIMIZER":
        for layer in job.layers:
            layer.memory_optimizer_enabled = bool(action.get("boolean_value", False))
    elif name == "MOVE_JOB_TO_GROUP":
        group = _group(gw, job, action.get("group_value", ""))
        if group is not None:
            # The group's priority and cores defaults that are set come with it (not its gpus).
            groups.reparent_job(gw.farm.resources, gw.farm.procs.values(), job, group, inherit=False)
            if group.default_job_priority != groups.UNSET:
                job.priority = group.default_job_priority
            if group.default_job_min_cores != groups.UNSET:
                job.min_cores = group.default_job_min_cores
            if group.default_job_max_cores != groups.UNSET:
                job.max_cores = group.default_job_max_cores
    elif name.startswith("SET_ALL_"):
        layer_type = {"RENDER": "RENDER", "UTIL": "UTIL", "PRE": "PRE"}[name.split("_")[2]]
        for layer in _layers(job, layer_type):
            if name.endswith("_TAGS"):
                layer.tags = [t for t in re.split(r"[\s|,]+", text) if t]
            elif name.endswith("_MEMORY"):
                layer.min_memory = number
            elif name.endswith("_MAX_CORES"):
                layer.max_cores = cores
            else:  # _CORES and _MIN_CORES
                layer.min_cores = cores
    return True


def _group_by_id(gw: Any, group_id: str) -> Any:
    return next((g for g in gw.farm.resources.groups if g.id == group_id), None)


def _group(gw: Any, job: Job, group_id: str) -> Any:
    """The group of the job's show an action names by id, else None (the action does nothing)."""
    return next((g for g in gw.farm.resources.groups if g.id == group_id and g.show is job.show), None)


def run_filter(gw: Any, f: Filter, job: Job) -> bool:
    """Run one filter on a job; False when an action said STOP_PROCESSING."""
    if not f.matchers:
        return True
    hits = [matches(job, m) for m in f.matchers]
    if not (all(hits) if f.type == MATCH_ALL else any(hits)):
        return True
    return all(apply_action(gw, job, action) for action in f.actions)


@rpc(_F + "RunFilterOnJobs", "filter.FilterRunFilterOnJobsRequest")
def _run_on_jobs(gw: Any, req: dict[str, Any]) -> Any:
    f = _filter(gw, req)
    for given in (req.get("jobs") or {}).get("jobs") or []:
        job = gw.farm.jobs_by_id.get(given.get("id", ""))
        if job is None:
            raise internal()
        run_filter(gw, f, job)
    return {}


@rpc(_F + "RunFilterOnGroup", "filter.FilterRunFilterOnGroupRequest")
def _run_on_group(gw: Any, req: dict[str, Any]) -> Any:
    f = _filter(gw, req)
    group = req.get("group") or {}
    found = _group_by_id(gw, group.get("id", ""))
    name = group.get("name", "") or (found.name if found is not None else "")
    for job in list(gw.farm.jobs):
        if job.group == name and job.show is f.show:
            run_filter(gw, f, job)
    return {}


def run_show_filters(gw: Any, job: Job) -> None:
    """Run the show's enabled filters on a job in order, as Cuebot does on RunFilters and at launch."""
    for f in _filters_of(admin_of(gw.farm), job.show):
        if f.enabled and not run_filter(gw, f, job):
            break


@rpc("/job.JobInterface/RunFilters", "job.JobRunFiltersRequest")
def _run_filters(gw: Any, req: dict[str, Any]) -> Any:
    run_show_filters(gw, lookup.job(gw.farm, req))
    return {}
