"""Request bodies of the dependency, subscription, allocation, facility, limit and group handlers, for the
strict shape checks (tests/demo/test_wire.py counts them as covered; tests/demo/test_resources.py posts
them in this order: reads first, then changes, deletions last)."""

from __future__ import annotations

from typing import Any


def farm_sample(farm: Any) -> dict[str, Any]:
    """Ids and names the bodies need; makes a limit and a dependency if the farm has none."""
    from cuetui.demo.resources import DEPEND_ID, LIMIT_ID, TYPE, Depend, Limit

    res = farm.resources
    if not res.limits:
        res.limits.append(Limit(res.next_id(LIMIT_ID), "wire_lic", 3))
    job, other = farm.jobs[0], farm.jobs[1]
    if not res.depends:
        res.add_depend(Depend(res.next_id(DEPEND_ID), TYPE["JOB_ON_JOB"], job, other), farm.set_state)
    sub = res.subscriptions[0]
    group = res.root_group(job.show)
    return {
        "job_id": job.id,
        "other_id": other.id,
        "layer_id": job.layers[0].id,
        "other_layer_id": other.layers[0].id,
        "frame_id": job.frame_id(0),
        "other_frame_id": other.frame_id(0),
        "show_id": job.show.id,
        "show": job.show.name,
        "depend_id": res.depends[0].id,
        "sub_id": sub.id,
        "sub_name": sub.name,
        "alloc_id": sub.alloc.id,
        "alloc_name": sub.alloc.name,
        "facility": sub.alloc.facility,
        "limit_id": res.limits[0].id,
        "limit_name": res.limits[0].name,
        "group_id": group.id,
        "group_name": group.name,
    }


def farm_bodies(s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    job, other = {"id": s["job_id"]}, {"id": s["other_id"]}
    layer, other_layer = {"id": s["layer_id"]}, {"id": s["other_layer_id"]}
    frame, other_frame = {"id": s["frame_id"]}, {"id": s["other_frame_id"]}
    show, depend, sub = {"id": s["show_id"]}, {"id": s["depend_id"]}, {"id": s["sub_id"]}
    alloc, group = {"id": s["alloc_id"]}, {"id": s["group_id"]}
    return {
        "/depend.DependInterface/GetDepend": {"id": s["depend_id"]},
        "/job.JobInterface/GetWhatThisDependsOn": {"job": job},
        "/job.JobInterface/GetWhatDependsOnThis": {"job": other},
        "/job.JobInterface/GetDepends": {"job": job},
        "/job.LayerInterface/GetWhatThisDependsOn": {"layer": layer},
        "/job.LayerInterface/GetWhatDependsOnThis": {"layer": other_layer},
        "/job.FrameInterface/GetWhatThisDependsOn": {"frame": frame},
        "/job.FrameInterface/GetWhatDependsOnThis": {"frame": other_frame},
        "/show.ShowInterface/GetSubscriptions": {"show": show},
        "/show.ShowInterface/GetGroups": {"show": show},
        "/show.ShowInterface/GetRootGroup": {"show": show},
        "/subscription.SubscriptionInterface/Get": {"id": s["sub_id"]},
        "/subscription.SubscriptionInterface/Find": {"name": s["sub_name"]},
        "/facility.AllocationInterface/GetAll": {},
        "/facility.AllocationInterface/Get": {"id": s["alloc_id"]},
        "/facility.AllocationInterface/Find": {"name": s["alloc_name"]},
        "/facility.AllocationInterface/GetHosts": {"allocation": alloc},
        "/facility.AllocationInterface/GetSubscriptions": {"allocation": alloc},
        "/facility.AllocationInterface/GetDefault": {},
        "/facility.FacilityInterface/Get": {"name": s["facility"]},
        "/facility.FacilityInterface/GetAllocations": {"facility": {"name": s["facility"]}},
        "/limit.LimitInterface/GetAll": {},
        "/limit.LimitInterface/Get": {"id": s["limit_id"]},
        "/limit.LimitInterface/Find": {"name": s["limit_name"]},
        "/job.GroupInterface/GetGroup": {"id": s["group_id"]},
        "/job.GroupInterface/FindGroup": {"show": s["show"], "name": s["group_name"]},
        "/job.GroupInterface/GetGroups": {"group": group},
        "/job.GroupInterface/GetJobs": {"group": group},
        # Changes.
        "/depend.DependInterface/Satisfy": {"depend": depend},
        "/depend.DependInterface/Unsatisfy": {"depend": depend},
        "/job.JobInterface/DropDepends": {"job": job, "target": "ANY_TARGET"},
        "/job.LayerInterface/DropDepends": {"layer": layer, "target": "EXTERNAL"},
        "/job.FrameInterface/DropDepends": {"frame": frame, "target": "ANY_TARGET"},
        "/job.JobInterface/CreateDependencyOnJob": {"job": job, "onJob": other},
        "/job.JobInterface/CreateDependencyOnLayer": {"job": job, "layer": other_layer},
        "/job.JobInterface/CreateDependencyOnFrame": {"job": job, "frame": other_frame},
        "/job.LayerInterface/CreateDependencyOnJob": {"layer": layer, "job": other},
        "/job.LayerInterface/CreateDependencyOnLayer": {"layer": layer, "dependOnLayer": other_layer},
        "/job.LayerInterface/CreateDependencyOnFrame": {"layer": layer, "frame": other_frame},
        "/job.LayerInterface/CreateFrameByFrameDependency": {"layer": layer, "dependLayer": other_layer},
        "/job.FrameInterface/CreateDependencyOnJob": {"frame": frame, "job": other},
        "/job.FrameInterface/CreateDependencyOnLayer": {"frame": frame, "layer": other_layer},
        "/job.FrameInterface/CreateDependencyOnFrame": {"frame": frame, "dependOnFrame": other_frame},
        "/subscription.SubscriptionInterface/SetSize": {"subscription": sub, "newSize": 10},
        "/subscription.SubscriptionInterface/SetBurst": {"subscription": sub, "burst": 20},
        "/facility.AllocationInterface/SetDefault": {"allocation": alloc},
        "/facility.AllocationInterface/SetTag": {"allocation": alloc, "tag": "general"},
        "/facility.AllocationInterface/SetBillable": {"allocation": alloc, "value": True},
        "/facility.AllocationInterface/Create": {"name": "wire", "tag": "wire", "facility": {"name": "local"}},
        "/limit.LimitInterface/SetMaxValue": {"name": s["limit_name"], "maxValue": 5},
        "/limit.LimitInterface/Create": {"name": "wire_new", "maxValue": 1},
        "/job.GroupInterface/SetMaxCores": {"group": group, "maxCores": 100.0},
        "/job.GroupInterface/SetMinCores": {"group": group, "minCores": 1.0},
        "/subscription.SubscriptionInterface/Delete": {"subscription": sub},
    }
