"""Cuebot's semantics of the administrative calls on the simulated farm: what each write changes, as the
reads (and the farm itself) then show it."""

from __future__ import annotations

from typing import Any

import httpx

from cuetui.demo.server import DemoGatewayThread


def post(client: httpx.Client, path: str, body: dict[str, Any], status: int = 200) -> Any:
    r = client.post(path, json=body)
    assert r.status_code == status, (path, r.status_code, r.text)
    return r.json()


def _job_and_show(client: httpx.Client) -> tuple[dict[str, Any], dict[str, Any]]:
    jobs = post(client, "/job.JobInterface/GetJobs", {"r": {}})["jobs"]["jobs"]
    job = jobs[0]
    show = post(client, "/show.ShowInterface/FindShow", {"name": job["show"]})["show"]
    return job, show


def test_filters_match_act_in_order_and_stop(client: httpx.Client, demo_gateway: DemoGatewayThread) -> None:
    job, show = _job_and_show(client)
    sid = {"show": {"id": show["id"]}}
    F = "/filter.FilterInterface/"
    first = post(client, "/show.ShowInterface/CreateFilter", {**sid, "name": "mine"})["filter"]
    second = post(client, "/show.ShowInterface/CreateFilter", {**sid, "name": "after"})["filter"]
    assert (first["type"], first["order"], first["enabled"], second["order"]) == ("MATCH_ANY", 1, True, 2)
    by_user = {"subject": "USER", "type": "IS", "input": job["user"]}
    post(client, F + "CreateMatcher", {"filter": {"id": first["id"]}, "data": by_user})
    post(
        client,
        F + "CreateAction",
        {"filter": {"id": first["id"]}, "data": {"type": "SET_JOB_PRIORITY", "integerValue": 55}},
    )
    post(
        client, F + "CreateAction", {"filter": {"id": first["id"]}, "data": {"type": "PAUSE_JOB", "booleanValue": True}}
    )
    post(client, F + "CreateAction", {"filter": {"id": first["id"]}, "data": {"type": "STOP_PROCESSING"}})
    post(client, F + "CreateMatcher", {"filter": {"id": second["id"]}, "data": by_user})
    post(
        client,
        F + "CreateAction",
        {"filter": {"id": second["id"]}, "data": {"type": "SET_JOB_PRIORITY", "integerValue": 9}},
    )
    post(client, "/job.JobInterface/RunFilters", {"job": {"id": job["id"]}})
    after = post(client, "/job.JobInterface/GetJob", {"id": job["id"]})["job"]
    assert (after["priority"], after["isPaused"]) == (55, True)  # the second filter never ran
    # Moving the second filter first: it runs first, then the first one (which stops).
    post(client, F + "OrderFirst", {"filter": {"id": second["id"]}})
    names = [f["name"] for f in post(client, "/show.ShowInterface/GetFilters", sid)["filters"]["filters"]]
    assert names == ["after", "mine"]
    orders = [f["order"] for f in post(client, "/show.ShowInterface/GetFilters", sid)["filters"]["filters"]]
    assert orders == [1, 2]
    # A matcher that does not match leaves another user's job alone.
    other = next(
        j for j in post(client, "/job.JobInterface/GetJobs", {"r": {}})["jobs"]["jobs"] if j["user"] != job["user"]
    )
    post(client, "/job.JobInterface/RunFilters", {"job": {"id": other["id"]}})
    assert post(client, "/job.JobInterface/GetJob", {"id": other["id"]})["job"]["priority"] == other["priority"]
    # Deleting the filter takes its matchers with it.
    matcher = post(client, F + "GetMatchers", {"filter": {"id": first["id"]}})["matchers"]["matchers"][0]
    post(client, F + "Delete", {"filter": {"id": first["id"]}})
    post(client, "/filter.MatcherInterface/GetParentFilter", {"matcher": {"id": matcher["id"]}}, status=500)


def test_show_settings_change_the_show(client: httpx.Client) -> None:
    _job, show = _job_and_show(client)
    sid = {"show": {"id": show["id"]}}
    S = "/show.ShowInterface/"
    post(client, S + "EnableBooking", {**sid, "enabled": False})
    post(client, S + "SetDefaultMaxCores", {**sid, "maxCores": 12.5})
    post(client, S + "SetCommentEmail", {**sid, "email": "wrangler@example.com"})
    post(client, S + "SetActive", {**sid, "value": False})
    after = post(client, S + "FindShow", {"name": show["name"]})["show"]
    assert (after["bookingEnabled"], after["defaultMaxCores"], after["commentEmail"], after["active"]) == (
        False,
        12.5,
        "wrangler@example.com",
        False,
    )
    assert show["name"] not in [s["name"] for s in post(client, S + "GetActiveShows", {})["shows"]["shows"]]
    made = post(client, S + "CreateShow", {"name": "pilot"})["show"]
    post(client, S + "CreateShow", {"name": "pilot"}, status=500)
    assert post(client, S + "GetDepartments", {"show": {"id": made["id"]}})["departments"]["departments"][0][
        "dept"
    ] == ("Unknown")
    post(client, S + "Delete", sid, status=500)  # it has jobs
    post(client, S + "Delete", {"show": {"id": made["id"]}})
    post(client, S + "FindShow", {"name": "pilot"}, status=404)


def test_departments_and_tasks(client: httpx.Client) -> None:
    _job, show = _job_and_show(client)
    D = "/department.DepartmentInterface/"
    lighting = post(client, "/show.ShowInterface/GetDepartment", {"show": {"id": show["id"]}, "department": "Lighting"})
    did = {"department": {"id": lighting["department"]["id"]}}
    post(client, D + "EnableTiManaged", {**did, "tiTask": "lighting", "managedCores": 40})
    task = post(client, D + "AddTask", {**did, "shot": "sh010", "minCores": 4})["task"]
    post(client, D + "AddTasks", {**did, "tmap": {"sh020": 2}})
    post(client, "/task.TaskInterface/SetMinCores", {"task": {"id": task["id"]}, "newMinCores": 6})
    tasks = {t["shot"]: t for t in post(client, D + "GetTasks", did)["tasks"]["tasks"]}
    assert (tasks["sh010"]["minCores"], tasks["sh010"]["adjustCores"], tasks["sh020"]["minCores"]) == (4, 2, 2)
    post(client, D + "ClearTaskAdjustments", did)
    assert post(client, D + "GetTasks", did)["tasks"]["tasks"][0]["adjustCores"] == 0
    dept = next(
        d
        for d in post(client, "/show.ShowInterface/GetDepartments", {"show": {"id": show["id"]}})["departments"][
            "departments"
        ]
        if d["dept"] == "Lighting"
    )
    assert (dept["tiManaged"], dept["tiTask"], dept["minCores"]) == (True, "lighting", 40)
    post(client, D + "ReplaceTasks", {**did, "tmap": {"sh030": 3}})
    assert [t["shot"] for t in post(client, D + "GetTasks", did)["tasks"]["tasks"]] == ["sh030"]
    post(client, "/show.ShowInterface/GetDepartment", {"show": {"id": show["id"]}, "department": "Nope"}, status=404)


def test_owners_and_deeds(client: httpx.Client, demo_gateway: DemoGatewayThread) -> None:
    _job, show = _job_and_show(client)
    hosts = post(client, "/host.HostInterface/GetHosts", {"r": {}})["hosts"]["hosts"]
    desk, render = hosts[-1], hosts[0]
    demo_gateway.run(lambda farm: setattr(farm.hosts_by_id[desk["id"]], "nimby_enabled", True))
    owner = post(client, "/show.ShowInterface/CreateOwner", {"show": {"id": show["id"]}, "name": "ann"})["owner"]
    oid = {"owner": {"id": owner["id"]}}
    post(client, "/host.OwnerInterface/TakeOwnership", {**oid, "host": render["name"]}, status=500)  # not a desktop
    post(client, "/host.OwnerInterface/TakeOwnership", {**oid, "host": desk["name"]})
    got = post(client, "/host.HostInterface/GetOwner", {"host": {"id": desk["id"]}})["owner"]
    assert (got["name"], got["hostCount"]) == ("ann", 1)
    assert [h["name"] for h in post(client, "/host.OwnerInterface/GetHosts", oid)["hosts"]["hosts"]] == [desk["name"]]
    post(client, "/host.OwnerInterface/Delete", oid, status=500)  # it holds a deed
    deed = post(client, "/host.HostInterface/GetDeed", {"host": {"id": desk["id"]}})["deed"]
    assert (deed["host"], deed["owner"], deed["show"]) == (desk["name"], "ann", show["name"])
    post(client, "/host.DeedInterface/Delete", {"deed": {"id": deed["id"]}})
    post(client, "/host.HostInterface/GetOwner", {"host": {"id": desk["id"]}}, status=500)
    post(client, "/host.OwnerInterface/Delete", oid)
    post(client, "/host.OwnerInterface/GetOwner", {"name": "ann"}, status=404)


def test_services_and_overrides(client: httpx.Client) -> None:
    _job, show = _job_and_show(client)
    V = "/service.ServiceInterface/"
    names = [s["name"] for s in post(client, V + "GetDefaultServices", {})["services"]["services"]]
    assert "default" in names and names == sorted(names)
    made = post(client, V + "CreateService", {"data": {"name": "mantra", "minCores": 200, "tags": ["sim"]}})["service"]
    post(client, V + "CreateService", {"data": {"name": "mantra"}}, status=500)
    post(client, V + "Update", {"service": {**made, "maxCores": 800}})
    got = post(client, V + "GetService", {"name": "mantra"})["service"]
    assert (got["minCores"], got["maxCores"], got["tags"], got["id"]) == (200, 800, ["sim"], made["id"])
    post(client, V + "Delete", {"service": {"id": made["id"]}})
    post(client, V + "GetService", {"name": "mantra"}, status=404)
    sid = {"show": {"id": show["id"]}}
    o = post(client, "/show.ShowInterface/CreateServiceOverride", {**sid, "service": {"name": "nuke", "minCores": 300}})
    oid = o["serviceOverride"]["id"]
    post(client, "/service.ServiceOverrideInterface/Update", {"service": {"id": oid, "name": "nuke", "minCores": 400}})
    got = post(client, "/show.ShowInterface/GetServiceOverride", {**sid, "name": "nuke"})["serviceOverride"]
    assert (got["id"], got["data"]["minCores"]) == (oid, 400)
    post(client, "/service.ServiceOverrideInterface/Delete", {"service": {"id": oid}})
    assert post(client, "/show.ShowInterface/GetServiceOverrides", sid)["serviceOverrides"]["serviceOverrides"] == []


def test_host_and_proc_writes(client: httpx.Client, demo_gateway: DemoGatewayThread) -> None:
    hosts = post(client, "/host.HostInterface/GetHosts", {"r": {}})["hosts"]["hosts"]
    busy = next(h for h in hosts if h["idleCores"] < h["cores"])
    idle = next(h for h in hosts if h["idleCores"] == h["cores"])
    H = "/host.HostInterface/"
    post(client, H + "SetThreadMode", {"host": {"id": idle["id"]}, "mode": "ALL"})
    post(client, H + "RenameTag", {"host": {"id": idle["id"]}, "oldTag": "general", "newTag": "gen"})
    after = post(client, H + "GetHost", {"id": idle["id"]})["host"]
    assert (after["threadMode"], "gen" in after["tags"], "general" in after["tags"]) == ("ALL", True, False)
    post(client, H + "Delete", {"host": {"id": busy["id"]}}, status=500)  # procs running
    post(client, H + "Delete", {"host": {"id": idle["id"]}})
    post(client, H + "FindHost", {"name": idle["name"]}, status=404)
    assert idle["name"] not in [h["name"] for h in post(client, H + "GetHosts", {"r": {}})["hosts"]["hosts"]]
    procs = post(client, "/host.ProcInterface/GetProcs", {"r": {"hosts": [busy["name"]]}})["procs"]["procs"]
    proc = procs[0]
    frame = post(client, "/host.ProcInterface/GetFrame", {"proc": {"id": proc["id"]}})["frame"]
    assert frame["state"] == "RUNNING" and frame["name"] == proc["frameName"]
    jobs = post(client, "/job.JobInterface/GetJobs", {"r": {}})["jobs"]["jobs"]
    target = next(j for j in jobs if j["name"] != proc["jobName"])
    body = {"proc": {"id": proc["id"]}, "jobId": target["id"], "kill": False}
    assert post(client, "/host.ProcInterface/RedirectToJob", body)["value"] is True
    board = post(client, H + "GetHostWhiteboard", {})["nestedHosts"]["nestedHosts"]
    nested = next(p for h in board for p in h["procs"]["nestedProcs"] if p["id"] == proc["id"])
    assert nested["redirectTarget"] == target["name"]
    assert post(client, "/host.ProcInterface/ClearRedirect", {"proc": {"id": proc["id"]}})["value"] is True
    assert post(client, "/host.ProcInterface/ClearRedirect", {"proc": {"id": proc["id"]}})["value"] is False
    killed = post(client, "/host.ProcInterface/UnbookProcs", {"r": {"hosts": [busy["name"]]}, "kill": True})
    assert killed["numProcs"] == len(procs)
    assert post(client, "/host.ProcInterface/GetProcs", {"r": {"hosts": [busy["name"]]}})["procs"]["procs"] == []


def test_job_specs_launch_jobs(client: httpx.Client) -> None:
    job, _show = _job_and_show(client)
    spec = (
        f"<spec><show>{job['show']}</show><shot>sh010</shot><user>ann</user>"
        '<job name="light"><priority>7</priority><layers><layer name="beauty" type="Render"><cmd>echo</cmd>'
        "<range>1-5</range><memory>2g</memory><services><service>shell</service></services></layer></layers>"
        "</job></spec>"
    )
    names = post(client, "/job.JobInterface/LaunchSpec", {"spec": spec})["names"]
    assert names == [f"{job['show']}-sh010-ann_light"]
    post(client, "/job.JobInterface/LaunchSpec", {"spec": spec}, status=500)  # already pending
    launched = post(client, "/job.JobInterface/FindJob", {"name": names[0]})["job"]
    assert (launched["priority"], launched["jobStats"]["waitingFrames"]) == (7, 5)
    layer = post(client, "/job.LayerInterface/FindLayer", {"job": names[0], "layer": "beauty"})["layer"]
    assert (layer["services"], layer["minMemory"], layer["range"]) == (["shell"], str(2 * 1048576), "1-5")
    assert post(client, "/job.JobInterface/IsJobPending", {"name": names[0]})["value"] is True
    post(client, "/job.JobInterface/ShutdownIfCompleted", {"job": {"id": launched["id"]}})
    assert post(client, "/job.JobInterface/IsJobPending", {"name": names[0]})["value"] is True  # frames left
    post(client, "/job.JobInterface/EatFrames", {"job": {"id": launched["id"]}, "req": {}})
    post(client, "/job.JobInterface/ShutdownIfCompleted", {"job": {"id": launched["id"]}})
    assert post(client, "/job.JobInterface/IsJobPending", {"name": names[0]})["value"] is False
    post(client, "/job.JobInterface/LaunchSpec", {"spec": "<!DOCTYPE x [<!ENTITY a 'b'>]><spec/>"}, status=500)
