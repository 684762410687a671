"""Owners of desktop hosts and their deeds (OwnerInterface, DeedInterface, ShowInterface CreateOwner and
GetDeeds, HostInterface GetOwner and GetDeed).

Cuebot's semantics kept: an owner is a user within a show; taking ownership of a host gives the owner a
deed to it, only for a NIMBY-capable host (a desktop), one deed a host; an owner with deeds is not
deleted; a host without a deed has no owner (EmptyResultDataAccessException, as Cuebot's lookup).
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import lookup
from cuetui.demo.admin import DEED, OWNER, Admin, Deed, Owner, admin_of
from cuetui.demo.registry import answer, internal, not_found, refused, rpc
from cuetui.demo.serialize import host_json

_O = "/host.OwnerInterface/"
_D = "/host.DeedInterface/"
_H = "/host.HostInterface/"
_SHOW = "/show.ShowInterface/"


def owner_values(admin: Admin, owner: Owner) -> dict[str, Any]:
    hosts = sum(1 for d in admin.deeds if d.owner is owner)
    return {"id": owner.id, "name": owner.name, "show": owner.show.name, "host_count": hosts}


def deed_values(gw: Any, deed: Deed) -> dict[str, Any]:
    host = gw.farm.hosts_by_id.get(deed.host_id)
    return {
        "id": deed.id,
        "host": host.name if host is not None else "",
        "owner": deed.owner.name,
        "show": deed.owner.show.name,
    }


def _owner(gw: Any, req: dict[str, Any]) -> Owner:
    wanted = (req.get("owner") or {}).get("id", "")
    for o in admin_of(gw.farm).owners:
        if o.id == wanted:
            return o
    raise internal()


def _deed(gw: Any, req: dict[str, Any]) -> Deed:
    wanted = (req.get("deed") or {}).get("id", "")
    for d in admin_of(gw.farm).deeds:
        if d.id == wanted:
            return d
    raise internal()


@rpc(_SHOW + "CreateOwner", "show.ShowCreateOwnerRequest")
def _create(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    admin = admin_of(gw.farm)
    name = req.get("name", "")
    if not name or any(o.name == name for o in admin.owners):
        raise refused("org.springframework.dao.DuplicateKeyException", f"owner {name} already exists")
    owner = Owner(admin.new_id(OWNER), name, show)
    admin.owners.append(owner)
    return answer(_SHOW + "CreateOwner", {"owner": owner_values(admin, owner)})


@rpc(_SHOW + "GetDeeds", "show.ShowGetDeedsRequest")
def _show_deeds(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    deeds = [deed_values(gw, d) for d in admin_of(gw.farm).deeds if d.owner.show is show]
    return answer(_SHOW + "GetDeeds", {"deeds": {"deeds": deeds}})


@rpc(_O + "GetOwner", "host.OwnerGetOwnerRequest")
def _get_owner(gw: Any, req: dict[str, Any]) -> Any:
    admin = admin_of(gw.farm)
    for o in admin.owners:
        if o.name == req.get("name", ""):
            return answer(_O + "GetOwner", {"owner": owner_values(admin, o)})
    raise not_found()


@rpc(_O + "Delete", "host.OwnerDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    owner = _owner(gw, req)
    admin = admin_of(gw.farm)
    if any(d.owner is owner for d in admin.deeds):
        raise refused("org.springframework.dao.DataIntegrityViolationException", f"owner {owner.name} has deeds")
    admin.owners.remove(owner)
    return {}


@rpc(_O + "GetDeeds", "host.OwnerGetDeedsRequest")
def _owner_deeds(gw: Any, req: dict[str, Any]) -> Any:
    owner = _owner(gw, req)
    deeds = [deed_values(gw, d) for d in admin_of(gw.farm).deeds if d.owner is owner]
    return answer(_O + "GetDeeds", {"deeds": {"deeds": deeds}})


@rpc(_O + "GetHosts", "host.OwnerGetHostsRequest")
def _owner_hosts(gw: Any, req: dict[str, Any]) -> Any:
    owner = _owner(gw, req)
    farm = gw.farm
    hosts = [
        farm.hosts_by_id[d.host_id] for d in admin_of(farm).deeds if d.owner is owner and d.host_id in farm.hosts_by_id
    ]
    return {"hosts": {"hosts": [host_json(h) for h in sorted(hosts, key=lambda h: h.name)]}}


@rpc(_O + "SetShow", "host.OwnerSetShowRequest")
def _set_show(gw: Any, req: dict[str, Any]) -> Any:
    owner = _owner(gw, req)
    show = gw.farm.find_show(req.get("show", ""))
    if show is None:
        raise internal()
    owner.show = show
    return {}


@rpc(_O + "TakeOwnership", "host.OwnerTakeOwnershipRequest")
def _take(gw: Any, req: dict[str, Any]) -> Any:
    owner = _owner(gw, req)
    host = gw.farm.hosts_by_name.get(req.get("host", ""))
    if host is None:
        raise internal()
    if not host.nimby_enabled:
        raise refused("com.imageworks.spcue.SpcueRuntimeException", "Cannot setup deeds on non-NIMBY hosts.")
    admin = admin_of(gw.farm)
    admin.deeds = [d for d in admin.deeds if d.host_id != host.id]  # the host changes hands
    admin.deeds.append(Deed(admin.new_id(DEED), owner, host.id))
    return {}


@rpc(_D + "Delete", "host.DeedDeleteRequest")
def _deed_delete(gw: Any, req: dict[str, Any]) -> Any:
    admin_of(gw.farm).deeds.remove(_deed(gw, req))
    return {}


@rpc(_D + "GetHost", "host.DeedGetHostRequest")
def _deed_host(gw: Any, req: dict[str, Any]) -> Any:
    host = gw.farm.hosts_by_id.get(_deed(gw, req).host_id)
    if host is None:
        raise internal()
    return {"host": host_json(host)}


@rpc(_D + "GetOwner", "host.DeedGetOwnerRequest")
def _deed_owner(gw: Any, req: dict[str, Any]) -> Any:
    owner = _deed(gw, req).owner
    return answer(_D + "GetOwner", {"owner": owner_values(admin_of(gw.farm), owner)})


def _deed_of_host(gw: Any, req: dict[str, Any]) -> Deed:
    host = lookup.host(gw.farm, req)
    for d in admin_of(gw.farm).deeds:
        if d.host_id == host.id:
            return d
    raise internal()


@rpc(_H + "GetDeed", "host.HostGetDeedRequest")
def _host_deed(gw: Any, req: dict[str, Any]) -> Any:
    return answer(_H + "GetDeed", {"deed": deed_values(gw, _deed_of_host(gw, req))})


@rpc(_H + "GetOwner", "host.HostGetOwnerRequest")
def _host_owner(gw: Any, req: dict[str, Any]) -> Any:
    owner = _deed_of_host(gw, req).owner
    return answer(_H + "GetOwner", {"owner": owner_values(admin_of(gw.farm), owner)})
