"""Facilities and allocations as an administrator changes them (FacilityInterface Create / Rename /
Delete; AllocationInterface Delete / SetName / FindHosts / ReparentHosts) and a show's new subscription
(ShowInterface/CreateSubscription). The reads of these records are `rpc_farm`'s.

Cuebot's semantics kept:

* An allocation is named `<facility>.<name>`; Delete and SetName find it by the facility and the name
  handed in (either form of the name). An allocation that still has hosts, or the default one, is not
  deleted (EntityRemovalError); one that subscriptions still name is disabled instead of deleted: it
  leaves every read of allocations, its subscriptions stay.
* SetName takes the short name (word characters only) and keeps the facility prefix; the hosts of the
  allocation stay in it under its new name.
* ReparentHosts is queued by Cuebot and answers at once: each named host moves to the allocation (its
  allocation tag replaced by the new one) unless it has running procs, which Cuebot refuses for that host
  alone, without telling the caller.
* FindHosts adds the allocation's *id* to the criteria's allocation *names*, as Cuebot does, so it finds
  the hosts of the other allocations the criteria name and none of this one's.
* A facility still named by an allocation cannot be deleted (the database's foreign key).
* CreateSubscription: one subscription per show and allocation; its size and burst are float cores
  (Cuebot converts them to core units, hundredths of a core, what SetSize / SetBurst take and every read
  answers).
"""

from __future__ import annotations

import re
from typing import Any

from cuetui.demo import lookup, queries
from cuetui.demo.registry import answer, internal, refused, rpc
from cuetui.demo.resources import (
    FACILITY_ID,
    SUBSCRIPTION_ID,
    Allocation,
    Facility,
    Resources,
    Subscription,
    from_core_units,
    to_core_units,
)
from cuetui.demo.rpc_farm import subscription_json
from cuetui.demo.serialize import host_values

_A = "/facility.AllocationInterface/"
_F = "/facility.FacilityInterface/"
_SHOW = "/show.ShowInterface/"
_ENTITY_REMOVAL = "com.imageworks.spcue.EntityRemovalError"
_DUPLICATE = "org.springframework.dao.DuplicateKeyException"
_INTEGRITY = "org.springframework.dao.DataIntegrityViolationException"
_WORD = re.compile(r"\w+", re.ASCII)


def _res(gw: Any) -> Resources:
    res: Resources = gw.farm.resources
    return res


def _named(res: Resources, req: dict[str, Any]) -> Allocation:
    """The allocation a request names by facility and name (`name` or `facility.name`), else INTERNAL."""
    msg = req.get("allocation") or {}
    facility = str(msg.get("facility", ""))
    name = str(msg.get("name", ""))
    if re.fullmatch(r"\w+\.\w+", name, re.ASCII):
        name = name.split(".", 1)[1]
    wanted = f"{facility}.{name}"
    for alloc in res.allocations:
        if alloc.name == wanted:
            return alloc
    raise internal()


def _removal(alloc: Allocation, why: str) -> Exception:
    # EntityRemovalError words the entity's class and name before the reason (a comma and no space).
    return refused(
        _ENTITY_REMOVAL,
        f"failed to create entity of type: class com.imageworks.spcue.AllocationEntity with name: {alloc.name} ,{why}",
    )


# --- allocations ---------------------------------------------------------------------------------
@rpc(_A + "Delete", "facility.AllocDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    alloc = _named(res, req)
    if any(h.alloc_name == alloc.name for h in gw.farm.hosts):
        raise _removal(alloc, "allocation still contains hosts")
    if res.default_alloc == alloc.name:
        raise _removal(alloc, "you cannot delete the default allocation")
    # Named by subscriptions, the row stays disabled (out of every read); else it goes.
    res.allocations.remove(alloc)
    if any(s.alloc is alloc for s in res.subscriptions):
        res.disabled_allocations.append(alloc)
    return {}


@rpc(_A + "SetName", "facility.AllocSetNameRequest")
def _set_name(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    alloc = _named(res, req)
    short = str(req.get("name", ""))
    if not _WORD.fullmatch(short):
        # Cuebot's message, its missing space included.
        raise refused(
            "java.lang.IllegalArgumentException",
            "The new allocation namemust be alpha numeric and not contain the facility prefix.",
        )
    new_name = f"{alloc.name.split('.', 1)[0]}.{short}"
    if new_name == alloc.name:
        return {}
    if res.allocation(new_name) is not None:
        raise refused(_DUPLICATE, f"allocation {new_name} exists")
    res.rename_allocation(alloc, new_name, gw.farm.hosts)
    return {}


@rpc(_A + "FindHosts", "facility.AllocFindHostsRequest")
def _find_hosts(gw: Any, req: dict[str, Any]) -> Any:
    criteria = dict(req.get("r") or {})
    criteria["allocs"] = [*(criteria.get("allocs") or ()), str((req.get("allocation") or {}).get("id", ""))]
    hosts = [host_values(h) for h in queries.search_hosts(gw.farm, criteria)]
    return answer(_A + "FindHosts", {"hosts": {"hosts": hosts}})


@rpc(_A + "ReparentHosts", "facility.AllocReparentHostsRequest")
def _reparent_hosts(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    wanted = str((req.get("allocation") or {}).get("id", ""))
    alloc = next((a for a in res.allocations if a.id == wanted), None)
    if alloc is None:
        return {}  # Cuebot's queued command fails on its own; the call has answered
    by_id = gw.farm.hosts_by_id
    for msg in (req.get("hosts") or {}).get("hosts") or ():
        host = by_id.get(str(msg.get("id", "")))
        if host is not None and not host.procs:
            res.move_host(host, alloc)
    return {}


# --- facilities ----------------------------------------------------------------------------------
def _facility(res: Resources, key: str) -> Facility:
    found = res.facility(key)
    if found is None:
        raise internal()
    return found


@rpc(_F + "Create", "facility.FacilityCreateRequest")
def _create_facility(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    name = str(req.get("name", ""))
    if res.facility(name) is not None:
        raise refused(_DUPLICATE, f"facility {name} exists")
    facility = Facility(res.next_id(FACILITY_ID), name)
    res.facilities.append(facility)
    return answer(_F + "Create", {"facility": {"id": facility.id, "name": facility.name}})


@rpc(_F + "Rename", "facility.FacilityRenameRequest")
def _rename_facility(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    facility = _facility(res, str((req.get("facility") or {}).get("name", "")))
    new_name = str(req.get("new_name", ""))
    if new_name != facility.name and res.facility(new_name) is not None:
        raise refused(_DUPLICATE, f"facility {new_name} exists")
    # Allocations name their facility through its key: they follow (their own names keep the prefix).
    for alloc in [*res.allocations, *res.disabled_allocations]:
        if alloc.facility == facility.name:
            alloc.facility = new_name
    facility.name = new_name
    return {}


@rpc(_F + "Delete", "facility.FacilityDeleteRequest")
def _delete_facility(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    facility = _facility(res, str(req.get("name", "")))
    if any(a.facility == facility.name for a in [*res.allocations, *res.disabled_allocations]):
        raise refused(_INTEGRITY, f"facility {facility.name} is still referenced by allocations")
    res.facilities.remove(facility)
    return {}


# --- a show's subscriptions ----------------------------------------------------------------------
@rpc(_SHOW + "CreateSubscription", "show.ShowCreateSubscriptionRequest")
def _create_subscription(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    show = lookup.show(gw.farm, req)
    alloc = next((a for a in res.allocations if a.id == req.get("allocation_id", "")), None)
    if alloc is None:
        raise internal()
    if any(s.show is show and s.alloc is alloc for s in res.subscriptions):
        raise refused(_DUPLICATE, f"subscription {alloc.name}.{show.name} exists")
    # Float cores in the request, kept to Cuebot's precision (a hundredth of a core).
    size = from_core_units(to_core_units(float(req.get("size", 0.0))))
    burst = from_core_units(to_core_units(float(req.get("burst", 0.0))))
    sub = Subscription(res.next_id(SUBSCRIPTION_ID), show, alloc, size, burst)
    res.subscriptions.append(sub)
    return {"subscription": subscription_json(res, sub)}
