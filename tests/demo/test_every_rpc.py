"""Every RPC the gateway registers is answered by the simulator (none says 501 "not simulated"), with a
body that names real records of the farm, and every 200 answer parses strictly as its opencue-proto
response. The calls owned by other work still in flight are listed by name, so the list can only shrink."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cuetui import schema
from cuetui.demo.server import HANDLERS, DemoGatewayThread
from cuetui.schema import RPCS
from tests.schema import check_response

from .test_wire import check_shape, response_class

# Owned by the remedies/why-waiting work (dependencies, subscriptions, allocations, facilities, limits and
# groups; job, layer and frame settings and frame actions; procs kill/unbook and host tags/allocation/
# hardware state). Each goes from this list when its handler lands; the test fails on a stale entry.
OWNED_ELSEWHERE = frozenset({})

# Calls that change what later calls need (deleting, killing, eating, rebooting): made last, and the
# deletion of a record that holds others after its children's.
_LAST = (
    "Delete",
    "Archive",
    "Shutdown",
    "Unbook",
    "HostInterface/RedirectToJob",
    "Reboot",
    "Kill",
    "Eat",
    "Retry",
    "TakeOwnership",
    "MarkDoneFrames",
)
_CLEARING = ("ClearTasks", "ReplaceTasks", "DisableTiManaged")
_PARENTS = ("FilterInterface/Delete", "OwnerInterface/Delete", "DepartmentInterface/Delete", "ShowInterface/Delete")


def _tier(path: str) -> int:
    if any(w in path for w in _PARENTS):
        return 3
    if any(w in path for w in _CLEARING):
        return 2
    return 1 if any(w in path for w in _LAST) else 0


SPEC = (
    "<spec><facility>local</facility><show>{show}</show><shot>sh010</shot><user>ann</user><uid>1001</uid>"
    '<job name="spec_test"><paused>false</paused><priority>10</priority><maxretries>2</maxretries>'
    '<layers><layer name="render" type="Render"><cmd>echo hi</cmd><range>1-5</range><chunk>1</chunk>'
    "<cores>1</cores><memory>2g</memory><services><service>shell</service></services></layer></layers>"
    "</job></spec>"
)


class Farm:
    """The references a minimal valid body names, made through the gateway itself where they are new."""

    def __init__(self, gw: DemoGatewayThread, client: httpx.Client) -> None:
        self.client = client

        def pick(farm: Any) -> dict[str, Any]:
            procs = [p for h in farm.hosts for p in h.procs.values()]
            proc = procs[0]
            # Kill and Unbook get procs of their own, of another job: the redirects and the layer calls earlier in
            # the run move `proc` and its job's running frames away.
            spare = [p for p in procs if p.host is not proc.host and p.job is not proc.job][:2]
            job = proc.job
            layer = job.layers[job.f_layer[proc.frame]]
            desktop = next(h for h in reversed(farm.hosts) if not h.procs)
            desktop.nimby_enabled = True  # a desktop: deeds and local render partitions are for those
            return {
                "show": job.show,
                "job": job,
                "layer": layer,
                "frame": job.frame_id(proc.frame),
                "frame_number": job.f_number[proc.frame],
                "host": proc.host,
                "proc": proc,
                "spare_procs": spare,
                "desktop": desktop,
                "idle": next(h for h in farm.hosts if not h.procs and h is not desktop),
            }

        self.p = gw.run(pick)
        show = {"id": self.p["show"].id}
        self.filter = self.ok("/show.ShowInterface/CreateFilter", {"show": show, "name": "f1"})["filter"]
        fid = {"id": self.filter["id"]}
        self.matcher = self.ok(
            "/filter.FilterInterface/CreateMatcher",
            {"filter": fid, "data": {"subject": "USER", "type": "IS", "input": self.p["job"].user}},
        )["matcher"]
        self.action = self.ok(
            "/filter.FilterInterface/CreateAction",
            {"filter": fid, "data": {"type": "SET_JOB_PRIORITY", "valueType": "INTEGER_TYPE", "integerValue": 77}},
        )["action"]
        self.dept = self.ok("/show.ShowInterface/GetDepartments", {"show": show})["departments"]["departments"][0]
        self.task = self.ok(
            "/department.DepartmentInterface/AddTask",
            {"department": {"id": self.dept["id"]}, "shot": "sh010", "minCores": 4},
        )["task"]
        self.owner = self.ok("/show.ShowInterface/CreateOwner", {"show": show, "name": "ann"})["owner"]
        self.ok(
            "/host.OwnerInterface/TakeOwnership", {"owner": {"id": self.owner["id"]}, "host": self.p["desktop"].name}
        )
        self.deed = self.ok("/host.OwnerInterface/GetDeeds", {"owner": {"id": self.owner["id"]}})["deeds"]["deeds"][0]
        self.service = self.ok("/service.ServiceInterface/GetService", {"name": "shell"})["service"]
        self.alloc = self.ok("/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"][0]
        self.limit = self.ok("/limit.LimitInterface/Create", {"name": "lic", "maxValue": 3})["limit"]
        self.group = self.ok("/show.ShowInterface/GetRootGroup", {"show": show})["group"]
        self.override = self.ok(
            "/show.ShowInterface/CreateServiceOverride", {"show": show, "service": {"name": "shell", "minCores": 200}}
        )["serviceOverride"]

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.client.post(path, json=body)
        assert r.status_code == 200, (path, r.text)
        check_response(path, r.content)
        return r.json()  # type: ignore[no-any-return]

    def refs(self) -> dict[str, Any]:
        p = self.p
        return {
            "show.Show": {"id": p["show"].id},
            "job.Job": {"id": p["job"].id},
            "job.Layer": {"id": p["layer"].id},
            "job.Frame": {"id": p["frame"]},
            "host.Host": {"id": p["host"].id},
            "host.Proc": {"id": p["proc"].id},
            "filter.Filter": {"id": self.filter["id"]},
            "filter.Matcher": {"id": self.matcher["id"], "subject": "SHOT", "type": "CONTAINS", "input": "sh"},
            "filter.Action": {"id": self.action["id"], "type": "PAUSE_JOB", "valueType": "BOOLEAN_TYPE"},
            "department.Department": {"id": self.dept["id"]},
            "task.Task": {"id": self.task["id"]},
            "host.Owner": {"id": self.owner["id"]},
            "host.Deed": {"id": self.deed["id"]},
            "service.Service": {"id": self.service["id"], "name": "shell", "minCores": 100},
            "job.JobSeq": {"jobs": [{"id": p["job"].id}]},
            "job.Group": {"name": p["job"].group},
            "host.ProcSearchCriteria": {"hosts": [p["host"].name], "maxResults": [1]},
            "job.JobSearchCriteria": {"shows": [p["show"].name]},
        }

    def overrides(self) -> dict[str, dict[str, Any]]:
        p = self.p
        return {
            "/department.DepartmentInterface/AddDepartmentName": {"name": "Lookdev"},
            "/department.DepartmentInterface/RemoveDepartmentName": {"name": "Lookdev"},
            "/department.DepartmentInterface/AddTasks": {"tmap": {"sh020": 2.0}},
            "/department.DepartmentInterface/ReplaceTasks": {"tmap": {"sh030": 3.0}},
            "/filter.FilterInterface/FindFilter": {"show": p["show"].name, "name": "f1"},
            "/host.HostInterface/RedirectToJob": {"procNames": [p["proc"].name], "jobId": p["job"].id},
            "/host.HostInterface/RenameTag": {"oldTag": "general", "newTag": "general"},
            "/host.HostInterface/Delete": {"host": {"id": p["idle"].id}},
            "/host.HostInterface/GetDeed": {"host": {"id": p["desktop"].id}},
            "/host.HostInterface/GetOwner": {"host": {"id": p["desktop"].id}},
            "/filter.FilterInterface/SetName": {"name": "f1"},
            "/host.OwnerInterface/GetOwner": {"name": "ann"},
            "/host.OwnerInterface/SetShow": {"show": p["show"].name},
            "/host.OwnerInterface/TakeOwnership": {"host": p["desktop"].name},
            "/host.ProcInterface/RedirectToJob": {"jobId": p["job"].id},
            "/host.ProcInterface/RedirectToGroup": {"groupId": p["job"].group},
            "/job.JobInterface/IsJobPending": {"name": p["job"].name},
            "/job.JobInterface/LaunchSpec": {"spec": SPEC.format(show=p["show"].name)},
            "/job.JobInterface/LaunchSpecAndWait": {"spec": SPEC.format(show=p["show"].name).replace("spec_test", "w")},
            "/job.JobInterface/AddSubscriber": {"subscriber": "ann@example.com"},
            "/job.JobInterface/AddRenderPartition": {"host": p["desktop"].name, "threads": 2, "maxCores": 200},
            "/job.LayerInterface/AddRenderPartition": {"host": p["desktop"].name, "threads": 2},
            "/job.FrameInterface/AddRenderPartition": {"host": p["desktop"].name, "threads": 2},
            "/job.LayerInterface/FindLayer": {"job": p["job"].name, "layer": p["layer"].name},
            "/job.LayerInterface/GetLayer": {"id": p["layer"].id},
            "/job.LayerInterface/RegisterOutputPath": {"spec": "/out/#.exr"},
            "/job.FrameInterface/SetFrameStateDisplayOverride": {
                "override": {"state": "RUNNING", "text": "busy", "color": {"red": 1, "green": 2, "blue": 3}}
            },
            "/job.FrameInterface/FindFrame": {
                "job": p["job"].name,
                "layer": p["layer"].name,
                "frame": p["frame_number"],
            },
            "/job.FrameInterface/GetFrame": {"id": p["frame"]},
            "/job.FrameInterface/GetFrames": {"job": p["job"].name, "r": {"limit": 5}},
            "/job.JobInterface/GetFrames": {"req": {"limit": 5}},
            "/job.JobInterface/FindJob": {"name": p["job"].name},
            "/job.JobInterface/GetJob": {"id": p["job"].id},
            "/job.JobInterface/GetUpdatedFrames": {"lastCheck": 0},  # overwritten with the farm's time
            "/job.JobInterface/Kill": {"reason": "test"},
            "/host.HostInterface/GetHost": {"id": p["host"].id},
            "/host.HostInterface/FindHost": {"name": p["host"].name},
            "/show.ShowInterface/FindShow": {"name": p["show"].name},
            "/show.ShowInterface/CreateShow": {"name": "newshow"},
            "/show.ShowInterface/FindFilter": {"name": "f1"},
            "/show.ShowInterface/CreateFilter": {"name": "f2"},
            "/show.ShowInterface/CreateOwner": {"name": "bob"},
            "/show.ShowInterface/GetDepartment": {"department": "Lighting"},
            "/show.ShowInterface/GetServiceOverride": {"name": "shell"},
            "/show.ShowInterface/CreateServiceOverride": {"service": {"name": "nuke"}},
            "/service.ServiceInterface/CreateService": {"data": {"name": "mantra", "minCores": 100}},
            "/service.ServiceInterface/GetService": {"name": "shell"},
            "/service.ServiceInterface/Delete": {"service": {"id": self.service["id"]}},
            "/service.ServiceOverrideInterface/Update": {"service": {"id": self.override["id"], "name": "shell"}},
            "/service.ServiceOverrideInterface/Delete": {"service": {"id": self.override["id"]}},
            "/host.HostInterface/SetAllocation": {"allocationId": self.alloc["id"]},
            "/host.ProcInterface/Unbook": {"proc": {"id": p["spare_procs"][0].id}},
            "/host.ProcInterface/Kill": {"proc": {"id": p["spare_procs"][1].id}},
            "/job.JobInterface/ReorderFrames": {"range": "1-3", "order": "REVERSE"},
            "/job.JobInterface/StaggerFrames": {"range": "1-3", "stagger": 2},
            "/job.LayerInterface/ReorderFrames": {"range": "1-3", "order": "LAST"},
            "/job.LayerInterface/StaggerFrames": {"range": "1-3", "stagger": 2},
            "/job.JobInterface/SetGroup": {"groupId": self.group["id"]},
            "/job.LayerInterface/AddLimit": {"limitId": self.limit["id"]},
            "/job.LayerInterface/DropLimit": {"limitId": self.limit["id"]},
            "/job.LayerInterface/SetDispatchOrder": {"order": 3},
            "/job.LayerInterface/SetStartAfter": {"startAfter": 0, "username": "ann"},
            "/comment.CommentInterface/Save": {"comment": {"id": "missing"}},
            "/comment.CommentInterface/Delete": {"comment": {"id": "missing"}},
        }

    def body(self, path: str) -> dict[str, Any]:
        """Every message field the request has that names a record, then the call's own values."""
        refs = self.refs()
        out: dict[str, Any] = {}
        for f in schema.fields(RPCS[path][0]):
            if f.kind == "message" and f.ref in refs and not f.repeated:
                out[f.json_name] = refs[f.ref]
        out.update(self.overrides().get(path, {}))
        return out


# The dependency, subscription, allocation, facility, limit and group calls: their bodies name records
# this run does not make (a dependency, a subscription...), so here they only have to be answered (not
# 501) and, when 200, parse strictly; tests/demo/test_resources.py and test_rpc_<area>.py call each with
# real records.
WITH_BODIES_ELSEWHERE = frozenset(
    {
        "/depend.DependInterface/GetDepend",
        "/depend.DependInterface/Satisfy",
        "/depend.DependInterface/Unsatisfy",
        "/facility.AllocationInterface/Create",
        "/facility.AllocationInterface/Delete",
        "/facility.AllocationInterface/Find",
        "/facility.AllocationInterface/FindHosts",
        "/facility.AllocationInterface/Get",
        "/facility.AllocationInterface/GetDefault",
        "/facility.AllocationInterface/GetHosts",
        "/facility.AllocationInterface/GetSubscriptions",
        "/facility.AllocationInterface/ReparentHosts",
        "/facility.AllocationInterface/SetBillable",
        "/facility.AllocationInterface/SetDefault",
        "/facility.AllocationInterface/SetName",
        "/facility.AllocationInterface/SetTag",
        "/facility.FacilityInterface/Create",
        "/facility.FacilityInterface/Delete",
        "/facility.FacilityInterface/Get",
        "/facility.FacilityInterface/GetAllocations",
        "/facility.FacilityInterface/Rename",
        "/job.FrameInterface/CreateDependencyOnFrame",
        "/job.FrameInterface/CreateDependencyOnJob",
        "/job.FrameInterface/CreateDependencyOnLayer",
        "/job.FrameInterface/DropDepends",
        "/job.FrameInterface/GetWhatDependsOnThis",
        "/job.FrameInterface/GetWhatThisDependsOn",
        "/job.GroupInterface/CreateSubGroup",
        "/job.GroupInterface/Delete",
        "/job.GroupInterface/FindGroup",
        "/job.GroupInterface/GetGroup",
        "/job.GroupInterface/GetGroups",
        "/job.GroupInterface/GetJobs",
        "/job.GroupInterface/ReparentGroups",
        "/job.GroupInterface/ReparentJobs",
        "/job.GroupInterface/SetDefaultJobMaxCores",
        "/job.GroupInterface/SetDefaultJobMaxGpus",
        "/job.GroupInterface/SetDefaultJobMinCores",
        "/job.GroupInterface/SetDefaultJobMinGpus",
        "/job.GroupInterface/SetDefaultJobPriority",
        "/job.GroupInterface/SetDepartment",
        "/job.GroupInterface/SetGroup",
        "/job.GroupInterface/SetMaxCores",
        "/job.GroupInterface/SetMaxGpus",
        "/job.GroupInterface/SetMinCores",
        "/job.GroupInterface/SetMinGpus",
        "/job.GroupInterface/SetName",
        "/job.JobInterface/CreateDependencyOnFrame",
        "/job.JobInterface/CreateDependencyOnJob",
        "/job.JobInterface/CreateDependencyOnLayer",
        "/job.JobInterface/DropDepends",
        "/job.JobInterface/GetDepends",
        "/job.JobInterface/GetWhatDependsOnThis",
        "/job.JobInterface/GetWhatThisDependsOn",
        "/job.LayerInterface/CreateDependencyOnFrame",
        "/job.LayerInterface/CreateDependencyOnJob",
        "/job.LayerInterface/CreateDependencyOnLayer",
        "/job.LayerInterface/CreateFrameByFrameDependency",
        "/job.LayerInterface/DropDepends",
        "/job.LayerInterface/GetWhatDependsOnThis",
        "/job.LayerInterface/GetWhatThisDependsOn",
        "/limit.LimitInterface/ClearBindings",
        "/limit.LimitInterface/Create",
        "/limit.LimitInterface/Delete",
        "/limit.LimitInterface/Find",
        "/limit.LimitInterface/Get",
        "/limit.LimitInterface/GetAll",
        "/limit.LimitInterface/GetBindings",
        "/limit.LimitInterface/GetHolds",
        "/limit.LimitInterface/Rename",
        "/limit.LimitInterface/ReportUsage",
        "/limit.LimitInterface/SetEnforcement",
        "/limit.LimitInterface/SetFailureRule",
        "/limit.LimitInterface/SetMaxValue",
        "/limit.LimitInterface/SetReportTtl",
        "/limit.LimitInterface/SetSoftValue",
        "/limit.LimitInterface/SetType",
        "/show.ShowInterface/CreateSubscription",
        "/show.ShowInterface/GetGroups",
        "/show.ShowInterface/GetRootGroup",
        "/show.ShowInterface/GetSubscriptions",
        "/subscription.SubscriptionInterface/Delete",
        "/subscription.SubscriptionInterface/Find",
        "/subscription.SubscriptionInterface/Get",
        "/subscription.SubscriptionInterface/SetBurst",
        "/subscription.SubscriptionInterface/SetSize",
    }
)


# Calls whose minimal body is refused by Cuebot's rules, not for want of a handler: the status and why.
REFUSED = {
    "/comment.CommentInterface/Save": 500,  # no comment with that id
    "/comment.CommentInterface/Delete": 500,  # no comment with that id
    "/show.ShowInterface/Delete": 500,  # a show that has jobs stays
    "/host.OwnerInterface/Delete": 500,  # an owner with a deed stays
    "/job.LayerInterface/SetMinGpu": 501,  # declared by the proto, not implemented by Cuebot (see below)
}
# Calls Cuebot's servants do not implement: grpc-java's UNIMPLEMENTED, which the gateway makes a 501.
UNIMPLEMENTED_BY_CUEBOT = frozenset({"/job.LayerInterface/SetMinGpu"})


@pytest.fixture
def farm_refs(demo_gateway: DemoGatewayThread, client: httpx.Client) -> Farm:
    return Farm(demo_gateway, client)


def test_the_calls_owned_elsewhere_are_exactly_those_without_a_handler() -> None:
    unanswered = set(RPCS) - set(HANDLERS)
    assert unanswered == OWNED_ELSEWHERE, (
        f"answered now, drop from the list: {sorted(OWNED_ELSEWHERE - unanswered)}; "
        f"unanswered and not listed: {sorted(unanswered - OWNED_ELSEWHERE)}"
    )


def test_every_registered_rpc_answers_and_parses_strictly(farm_refs: Farm, demo_gateway: DemoGatewayThread) -> None:
    paths = sorted(set(RPCS) - OWNED_ELSEWHERE, key=lambda p: (_tier(p), p))
    now = int(demo_gateway.run(lambda farm: farm.now()))
    statuses: dict[str, int] = {}
    for path in paths:
        body = farm_refs.body(path)
        if path.endswith("/GetUpdatedFrames"):
            body["lastCheck"] = now - 10
        r = farm_refs.client.post(path, json=body)
        statuses[path] = r.status_code
        if path in UNIMPLEMENTED_BY_CUEBOT:
            assert r.json()["message"] == f"Method {path[1:]} is unimplemented", (path, r.text)
        else:
            assert r.status_code != 501, (path, r.text)
        if r.status_code == 200:
            check_response(path, r.content)
            check_shape(r.json(), response_class(path).DESCRIPTOR, path)
    refused = {p: s for p, s in statuses.items() if s != 200 and p not in WITH_BODIES_ELSEWHERE}
    assert refused == REFUSED
    assert len(statuses) == len(RPCS) - len(OWNED_ELSEWHERE)


def test_answers_longer_than_go_buffer_are_chunked(client: httpx.Client) -> None:
    """Go's server sends an answer that fits its 2048-byte buffer with Content-Length, a longer one chunked."""
    short = client.post("/show.ShowInterface/GetShows", json={})
    assert len(short.content) <= 2048
    assert short.headers["content-length"] == str(len(short.content))
    assert "transfer-encoding" not in short.headers
    long = client.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}})
    assert len(long.content) > 2048
    assert long.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in long.headers
    error = client.post("/job.JobInterface/GetJob", json={"id": "nope"})
    assert error.status_code == 404 and error.headers["content-length"] == str(len(error.content))
