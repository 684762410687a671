"""Facilities, allocations and a show's new subscription as an administrator changes them, over HTTP:
what the farm holds afterwards, and Cuebot's refusals in the gateway's error shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.schema import check_request, check_response

SCENARIO: dict[str, Any] = {
    "shows": [{"name": "s"}, {"name": "t"}],
    "allocations": [{"name": "local.general", "tag": "general"}, {"name": "local.spare", "tag": "spare"}],
    "hosts": [
        {
            "host": {"name": "h1", "cores": 8, "allocName": "local.general", "tags": ["general"]},
            "procs": [{"jobName": "j", "frameName": "0001-a", "reservedCores": 1}],
        },
        {"host": {"name": "h2", "cores": 8, "allocName": "local.general", "tags": ["general", "linux"]}},
    ],
    "jobs": [
        {
            "job": {"name": "j", "show": "s"},
            "layers": [{"name": "a"}],
            "frames": [{"layerName": "a", "number": 1, "state": "RUNNING"}],
        }
    ],
}


@pytest.fixture
def farm_scenario() -> dict[str, Any]:
    return SCENARIO


def ok(c: httpx.Client, path: str, body: dict[str, Any]) -> Any:
    check_request(path, body)
    r = c.post(path, json=body)
    assert r.status_code == 200, (path, r.text)
    check_response(path, r.content)
    return r.json()


def refused(c: httpx.Client, path: str, body: dict[str, Any], status: int = 500) -> str:
    r = c.post(path, json=body)
    assert r.status_code == status, (path, r.text)
    error = r.json()
    assert set(error) == {"code", "message", "details"} and error["details"] == []
    return str(error["message"])


def _alloc(c: httpx.Client, name: str) -> dict[str, Any]:
    return ok(c, "/facility.AllocationInterface/Find", {"name": name})["allocation"]  # type: ignore[no-any-return]


def test_reparent_hosts_moves_idle_hosts_and_their_tag_and_leaves_busy_ones(c: httpx.Client, gw: Any) -> None:
    spare = _alloc(c, "local.spare")
    hosts = {h.name: h.id for h in gw.run(lambda farm: list(farm.hosts))}
    body = {"allocation": {"id": spare["id"]}, "hosts": {"hosts": [{"id": hosts["h1"]}, {"id": hosts["h2"]}]}}
    ok(c, "/facility.AllocationInterface/ReparentHosts", body)
    # h1 runs a frame: Cuebot refuses to move it; h2 moves, its allocation tag with it.
    state = gw.run(lambda farm: {h.name: (h.alloc_name, h.tags) for h in farm.hosts})
    assert state == {"h1": ("local.general", ["general"]), "h2": ("local.spare", ["linux", "spare"])}
    got = ok(c, "/host.HostInterface/GetHost", {"id": hosts["h2"]})["host"]
    assert got["allocName"] == "local.spare"
    on_spare = ok(c, "/facility.AllocationInterface/GetHosts", {"allocation": {"id": spare["id"]}})["hosts"]["hosts"]
    assert [h["name"] for h in on_spare] == ["h2"]
    assert _alloc(c, "local.spare")["stats"]["hosts"] == 1


def test_find_hosts_matches_the_allocation_id_against_names_as_cuebot_does(c: httpx.Client) -> None:
    general = _alloc(c, "local.general")
    found = ok(c, "/facility.AllocationInterface/FindHosts", {"allocation": {"id": general["id"]}, "r": {}})
    assert found == {"hosts": {"hosts": []}}
    spare = _alloc(c, "local.spare")
    named = {"allocation": {"id": spare["id"]}, "r": {"allocs": ["local.general"], "substr": ["2"]}}
    found = ok(c, "/facility.AllocationInterface/FindHosts", named)
    assert [h["name"] for h in found["hosts"]["hosts"]] == ["h2"]


def test_delete_refuses_an_allocation_with_hosts_or_the_default_and_disables_one_with_subscriptions(
    c: httpx.Client, gw: Any
) -> None:
    general = {"facility": "local", "name": "general"}
    message = refused(c, "/facility.AllocationInterface/Delete", {"allocation": general})
    assert message.startswith("com.imageworks.spcue.EntityRemovalError: failed to create entity of type")
    assert message.endswith(",allocation still contains hosts")
    ok(c, "/facility.AllocationInterface/Create", {"name": "empty", "tag": "e", "facility": {"name": "local"}})
    listed = ok(c, "/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"]
    assert [a["name"] for a in listed] == ["local.empty", "local.general", "local.spare"]  # by name
    ok(c, "/facility.AllocationInterface/SetDefault", {"allocation": {"id": _alloc(c, "local.empty")["id"]}})
    message = refused(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "local", "name": "empty"}})
    assert message.endswith(",you cannot delete the default allocation")
    ok(c, "/facility.AllocationInterface/SetDefault", {"allocation": {"id": _alloc(c, "local.general")["id"]}})
    ok(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "local", "name": "local.empty"}})
    assert gw.run(lambda farm: [a.name for a in farm.resources.allocations]) == ["local.general", "local.spare"]
    # local.spare is subscribed (a scenario without subscriptions has one per show and allocation).
    ok(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "local", "name": "spare"}})
    names = [a["name"] for a in ok(c, "/facility.AllocationInterface/GetAll", {})["allocations"]["allocations"]]
    assert names == ["local.general"]
    assert gw.run(lambda farm: sorted(s.name for s in farm.resources.subscriptions if s.alloc.name == "local.spare"))
    assert refused(c, "/facility.AllocationInterface/Find", {"name": "local.spare"}, 404)
    # Creating it again enables the disabled one (its id, its subscriptions); Cuebot still answers an error.
    again = {"name": "local.spare", "tag": "other", "facility": {"name": "local"}}
    assert refused(c, "/facility.AllocationInterface/Create", again).startswith(
        "org.springframework.dao.EmptyResultDataAccessException"
    )
    assert _alloc(c, "local.spare")["tag"] == "spare"
    assert refused(c, "/facility.AllocationInterface/Create", again)  # it exists
    unknown = {"name": "x", "tag": "x", "facility": {"name": "nowhere"}}
    assert refused(c, "/facility.AllocationInterface/Create", unknown)
    assert gw.run(lambda farm: [a.name for a in farm.resources.allocations]) == ["local.general", "local.spare"]
    missing = refused(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "local", "name": "x"}})
    assert missing.startswith("org.springframework.dao.EmptyResultDataAccessException")


def test_set_name_keeps_the_facility_prefix_and_the_hosts(c: httpx.Client, gw: Any) -> None:
    rename = {"allocation": {"facility": "local", "name": "general"}, "name": "main"}
    ok(c, "/facility.AllocationInterface/SetName", rename)
    assert gw.run(lambda farm: sorted({h.alloc_name for h in farm.hosts})) == ["local.main"]
    main = _alloc(c, "local.main")
    assert main["stats"]["hosts"] == 2 and main["facility"] == "local"
    assert ok(c, "/facility.AllocationInterface/GetDefault", {})["allocation"]["name"] == "local.main"
    show = gw.run(lambda farm: farm.shows[0].id)
    subs = ok(c, "/show.ShowInterface/GetSubscriptions", {"show": {"id": show}})["subscriptions"]["subscriptions"]
    main_sub = next(s for s in subs if s["allocationName"] == "local.main")
    # The running frame's core counted, in core units.
    assert main_sub["name"] == "local.main.s" and main_sub["reservedCores"] == 100
    bad = {"allocation": {"facility": "local", "name": "main"}, "name": "local.other"}
    assert "must be alpha numeric" in refused(c, "/facility.AllocationInterface/SetName", bad)


def test_facilities_are_created_renamed_and_deleted_unless_allocations_name_them(c: httpx.Client, gw: Any) -> None:
    made = ok(c, "/facility.FacilityInterface/Create", {"name": "remote"})["facility"]
    assert made["name"] == "remote" and made["id"]
    assert ok(c, "/facility.FacilityInterface/Get", {"name": "remote"})["facility"] == made
    assert "DuplicateKeyException" in refused(c, "/facility.FacilityInterface/Create", {"name": "remote"})
    ok(c, "/facility.AllocationInterface/Create", {"name": "cloud", "tag": "cloud", "facility": {"name": "remote"}})
    ok(c, "/facility.FacilityInterface/Rename", {"facility": {"name": "remote"}, "newName": "offsite"})
    assert ok(c, "/facility.FacilityInterface/Get", {"name": "offsite"})["facility"]["id"] == made["id"]
    assert refused(c, "/facility.FacilityInterface/Get", {"name": "remote"}, 404)
    allocs = ok(c, "/facility.FacilityInterface/GetAllocations", {"facility": {"name": "offsite"}})
    assert [(a["name"], a["facility"]) for a in allocs["allocations"]["allocations"]] == [("remote.cloud", "offsite")]
    message = refused(c, "/facility.FacilityInterface/Delete", {"name": "offsite"})
    assert message.startswith("org.springframework.dao.DataIntegrityViolationException")
    # Cuebot finds an allocation by `<facility>.<name>`, and its name kept the old prefix.
    assert refused(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "offsite", "name": "cloud"}})
    ok(c, "/facility.AllocationInterface/Delete", {"allocation": {"facility": "remote", "name": "cloud"}})
    ok(c, "/facility.FacilityInterface/Delete", {"name": "offsite"})
    assert gw.run(lambda farm: [f.name for f in farm.resources.facilities]) == ["local"]
    assert refused(c, "/facility.FacilityInterface/Rename", {"facility": {"name": "offsite"}, "newName": "x"})


def test_create_subscription_caps_the_show_in_the_allocation(c: httpx.Client, gw: Any) -> None:
    ok(c, "/facility.AllocationInterface/Create", {"name": "burst", "tag": "b", "facility": {"name": "local"}})
    alloc = _alloc(c, "local.burst")
    show = gw.run(lambda farm: next(s.id for s in farm.shows if s.name == "t"))
    # Float cores in; Cuebot keeps core units (hundredths of a core) and answers them.
    body = {"show": {"id": show}, "allocationId": alloc["id"], "size": 4.5, "burst": 6.0}
    sub = ok(c, "/show.ShowInterface/CreateSubscription", body)["subscription"]
    assert (sub["name"], sub["showName"], sub["allocationName"], sub["size"], sub["burst"]) == (
        "local.burst.t",
        "t",
        "local.burst",
        450,
        600,
    )
    made = gw.run(lambda farm: next((s.size, s.burst) for s in farm.resources.subscriptions if s.id == sub["id"]))
    assert made == (4.5, 6.0)
    assert ok(c, "/subscription.SubscriptionInterface/Find", {"name": "local.burst.t"})["subscription"] == sub
    listed = ok(c, "/facility.AllocationInterface/GetSubscriptions", {"allocation": {"id": alloc["id"]}})
    assert [s["id"] for s in listed["subscriptions"]["subscriptions"]] == [sub["id"]]
    assert "DuplicateKeyException" in refused(c, "/show.ShowInterface/CreateSubscription", body)
    assert refused(c, "/show.ShowInterface/CreateSubscription", {**body, "allocationId": "nope"}).startswith(
        "org.springframework.dao.EmptyResultDataAccessException"
    )


def test_set_tag_retags_the_allocations_hosts(c: httpx.Client, gw: Any) -> None:
    general = _alloc(c, "local.general")
    ok(c, "/facility.AllocationInterface/SetTag", {"allocation": {"id": general["id"]}, "tag": "main"})
    assert gw.run(lambda farm: {h.name: h.tags for h in farm.hosts}) == {"h1": ["main"], "h2": ["linux", "main"]}
    assert _alloc(c, "local.general")["tag"] == "main"
