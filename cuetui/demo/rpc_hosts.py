"""The host and proc calls beside locking, rebooting, tags and comments: deleting a host, thread mode, OS,
renaming a tag, RQD restarts, render partitions, the host whiteboard, a proc's frame/layer/job/host,
redirecting and unbooking procs.

Cuebot's semantics kept: a host with running procs is not deleted; an RQD restart is accepted and, on a
simulated host, changes nothing (Cuebot's answer when it has sent the request on); a redirect is
recorded on the proc (its redirectTarget in the whiteboard) and, with `kill`, kills the proc's frame
now so the cores go to the target; unbooking marks the procs unbooked, and with `kill` kills their frames;
a count of the procs it matched comes back.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import actions, lookup, queries
from cuetui.demo.admin import admin_of
from cuetui.demo.model import DOWN, LOCKED, Proc
from cuetui.demo.registry import answer, internal, refused, rpc
from cuetui.demo.serialize import frame_json, host_json, host_values, job_json, layer_json, proc_values

_H = "/host.HostInterface/"
_P = "/host.ProcInterface/"


@rpc(_H + "Delete", "host.HostDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    host = lookup.host(farm, req)
    if host.procs:
        raise refused("com.imageworks.spcue.EntityRemovalError", f"host {host.name} has running procs")
    # Out of every lookup and search; it stays in the list (frames keep naming it as their last resource)
    # but down and locked, so nothing books on it again.
    farm.hosts_by_id.pop(host.id, None)
    farm.hosts_by_name.pop(host.name, None)
    host.state = DOWN
    host.lock_state = LOCKED
    admin_of(farm).deleted_hosts.add(host.id)
    return {}


@rpc(_H + "SetOs", "host.HostSetOsRequest")
def _set_os(gw: Any, req: dict[str, Any]) -> Any:
    lookup.host(gw.farm, req).os = req.get("os", "")
    return {}


@rpc(_H + "SetThreadMode", "host.HostSetThreadModeRequest")
def _set_thread_mode(gw: Any, req: dict[str, Any]) -> Any:
    lookup.host(gw.farm, req).thread_mode = req.get("mode", 0)
    return {}


@rpc(_H + "RenameTag", "host.HostRenameTagRequest")
def _rename_tag(gw: Any, req: dict[str, Any]) -> Any:
    host = lookup.host(gw.farm, req)
    old, new = req.get("old_tag", ""), req.get("new_tag", "")
    host.tags = [new if t == old else t for t in host.tags]
    return {}


@rpc(_H + "RestartRqdNow", "host.HostRestartRqdNowRequest")
def _restart_now(gw: Any, req: dict[str, Any]) -> Any:
    lookup.host(gw.farm, req)
    return {}


@rpc(_H + "RestartRqdWhenIdle", "host.HostRestartRqdWhenIdleRequest")
def _restart_idle(gw: Any, req: dict[str, Any]) -> Any:
    lookup.host(gw.farm, req)
    return {}


@rpc(_H + "GetRenderPartitions", "host.HostGetRenderPartitionsRequest")
def _partitions(gw: Any, req: dict[str, Any]) -> Any:
    host = lookup.host(gw.farm, req)
    mine = [p for p in admin_of(gw.farm).partitions if p["host"] == host.name]
    return answer(_H + "GetRenderPartitions", {"render_partitions": {"render_partitions": mine}})


def _nested_proc(gw: Any, proc: Proc, now: int) -> dict[str, Any]:
    admin = admin_of(gw.farm)
    values = proc_values(proc, now)
    values["redirect_target"] = admin.redirects.get(proc.id, "")
    values["unbooked"] = proc.id in admin.unbooked
    return values


@rpc(_H + "GetHostWhiteboard", "host.HostGetHostWhiteboardRequest")
def _whiteboard(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    now = int(farm.now())
    nested = []
    for host in queries.search_hosts(farm, {}):
        for proc in host.procs.values():
            farm.logs.materialize(proc.job, proc.frame)
        values = host_values(host)
        values["procs"] = {"nested_procs": [_nested_proc(gw, p, now) for p in host.procs.values()]}
        nested.append(values)
    return answer(_H + "GetHostWhiteboard", {"nested_hosts": {"nested_hosts": nested}})


def _redirect(gw: Any, procs: list[Proc], target: str, kill: bool) -> int:
    admin = admin_of(gw.farm)
    for proc in procs:
        admin.redirects[proc.id] = target
        if kill:
            actions.kill_frames(gw.farm, proc.job, [proc.frame], f"redirected to {target}")
    return len(procs)


@rpc(_H + "RedirectToJob", "host.HostRedirectToJobRequest")
def _host_redirect(gw: Any, req: dict[str, Any]) -> Any:
    farm = gw.farm
    host = lookup.host(farm, req)
    job = farm.jobs_by_id.get(req.get("job_id", ""))
    if job is None:
        raise internal()
    names = set(req.get("proc_names") or ())
    procs = [p for p in host.procs.values() if p.name in names or p.id in names]
    _redirect(gw, procs, job.name, kill=True)
    return answer(_H + "RedirectToJob", {"value": bool(procs)})


@rpc(_P + "GetFrame", "host.ProcGetFrameRequest")
def _proc_frame(gw: Any, req: dict[str, Any]) -> Any:
    proc = lookup.proc(gw.farm, req)
    gw.farm.logs.materialize(proc.job, proc.frame)
    return {"frame": frame_json(gw.farm, proc.job, proc.frame, int(gw.farm.now()))}


@rpc(_P + "GetHost", "host.ProcGetHostRequest")
def _proc_host(gw: Any, req: dict[str, Any]) -> Any:
    return {"host": host_json(lookup.proc(gw.farm, req).host)}


@rpc(_P + "GetJob", "host.ProcGetJobRequest")
def _proc_job(gw: Any, req: dict[str, Any]) -> Any:
    return {"job": job_json(lookup.proc(gw.farm, req).job)}


@rpc(_P + "GetLayer", "host.ProcGetLayerRequest")
def _proc_layer(gw: Any, req: dict[str, Any]) -> Any:
    proc = lookup.proc(gw.farm, req)
    job = proc.job
    return {"layer": layer_json(job, job.layers[job.f_layer[proc.frame]])}


@rpc(_P + "ClearRedirect", "host.ProcClearRedirectRequest")
def _clear_redirect(gw: Any, req: dict[str, Any]) -> Any:
    proc = lookup.proc(gw.farm, req)
    admin = admin_of(gw.farm)
    admin.unbooked.discard(proc.id)
    return answer(_P + "ClearRedirect", {"value": admin.redirects.pop(proc.id, None) is not None})


@rpc(_P + "RedirectToJob", "host.ProcRedirectToJobRequest")
def _proc_to_job(gw: Any, req: dict[str, Any]) -> Any:
    proc = lookup.proc(gw.farm, req)
    job = gw.farm.jobs_by_id.get(req.get("job_id", ""))
    if job is None:
        raise internal()
    _redirect(gw, [proc], job.name, bool(req.get("kill", False)))
    return answer(_P + "RedirectToJob", {"value": True})


def _group_name(gw: Any, group_id: str) -> str:
    resources = getattr(gw.farm, "resources", None)
    groups = getattr(resources, "groups", None)
    found = groups.get(group_id) if isinstance(groups, dict) else None
    return str(getattr(found, "name", "")) if found is not None else ""


@rpc(_P + "RedirectToGroup", "host.ProcRedirectToGroupRequest")
def _proc_to_group(gw: Any, req: dict[str, Any]) -> Any:
    proc = lookup.proc(gw.farm, req)
    target = _group_name(gw, req.get("group_id", "")) or req.get("group_id", "")
    if not target:
        raise internal()
    _redirect(gw, [proc], target, bool(req.get("kill", False)))
    return answer(_P + "RedirectToGroup", {"value": True})


def _unbook(gw: Any, req: dict[str, Any], target: str) -> int:
    procs = queries.search_procs(gw.farm, req.get("r") or {})
    admin = admin_of(gw.farm)
    for proc in procs:
        admin.unbooked.add(proc.id)
    if target:
        _redirect(gw, procs, target, bool(req.get("kill", False)))
    elif req.get("kill"):
        for proc in procs:
            actions.kill_frames(gw.farm, proc.job, [proc.frame], "unbooked")
    return len(procs)


@rpc(_P + "UnbookProcs", "host.ProcUnbookProcsRequest")
def _unbook_procs(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_P + "UnbookProcs", {"num_procs": _unbook(gw, req, "")})


@rpc(_P + "UnbookToJob", "host.ProcUnbookToJobRequest")
def _unbook_to_job(gw: Any, req: dict[str, Any]) -> Any:
    jobs = [gw.farm.jobs_by_id.get(j.get("id", "")) for j in (req.get("jobs") or {}).get("jobs") or []]
    if not jobs or any(j is None for j in jobs):
        raise internal()
    return answer(_P + "UnbookToJob", {"num_procs": _unbook(gw, req, ",".join(j.name for j in jobs if j))})


@rpc(_P + "UnbookToGroup", "host.ProcUnbookToGroupRequest")
def _unbook_to_group(gw: Any, req: dict[str, Any]) -> Any:
    group = req.get("group") or {}
    target = group.get("name", "") or _group_name(gw, group.get("id", ""))
    if not target:
        raise internal()
    return answer(_P + "UnbookToGroup", {"num_procs": _unbook(gw, req, target)})
