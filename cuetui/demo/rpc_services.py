"""Services and a show's service overrides (ServiceInterface, ServiceOverrideInterface, ShowInterface's
override calls).

Cuebot's semantics kept: the default services are the farm-wide list (Cuebot's seeded ones, plus any a
layer of the farm names); a name is unique; Update replaces every field of the service named by id; an
override copies a service's settings for one show under its own id, and GetServiceOverride falls back
to nothing (EmptyResultDataAccessException) when the show has none of that name.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import lookup
from cuetui.demo.admin import OVERRIDE, SERVICE, SERVICE_DEFAULTS, SERVICE_FIELDS, admin_of
from cuetui.demo.registry import answer, internal, not_found, refused, rpc

_S = "/service.ServiceInterface/"
_O = "/service.ServiceOverrideInterface/"
_SHOW = "/show.ShowInterface/"


def _service_values(given: dict[str, Any], service_id: str) -> dict[str, Any]:
    values = {**SERVICE_DEFAULTS, **{k: given[k] for k in SERVICE_FIELDS if k in given}}
    values["name"] = given.get("name", "")
    values["id"] = service_id
    return values


def _by_id(gw: Any, service_id: str) -> tuple[list[dict[str, Any]], int]:
    admin = admin_of(gw.farm)
    for k, service in enumerate(admin.services):
        if service["id"] == service_id:
            return admin.services, k
    raise internal()


@rpc(_S + "GetDefaultServices", "service.ServiceGetDefaultServicesRequest")
def _defaults(gw: Any, req: dict[str, Any]) -> Any:
    services = sorted(admin_of(gw.farm).services, key=lambda s: s["name"])
    return answer(_S + "GetDefaultServices", {"services": {"services": services}})


@rpc(_S + "GetService", "service.ServiceGetServiceRequest")
def _get(gw: Any, req: dict[str, Any]) -> Any:
    for service in admin_of(gw.farm).services:
        if service["name"] == req.get("name", ""):
            return answer(_S + "GetService", {"service": service})
    raise not_found()


@rpc(_S + "CreateService", "service.ServiceCreateServiceRequest")
def _create(gw: Any, req: dict[str, Any]) -> Any:
    admin = admin_of(gw.farm)
    data = req.get("data") or {}
    name = data.get("name", "")
    if not name or any(s["name"] == name for s in admin.services):
        raise refused("org.springframework.dao.DuplicateKeyException", f"service {name} already exists")
    service = _service_values(data, admin.new_id(SERVICE))
    admin.services.append(service)
    return answer(_S + "CreateService", {"service": service})


@rpc(_S + "Update", "service.ServiceUpdateRequest")
def _update(gw: Any, req: dict[str, Any]) -> Any:
    given = req.get("service") or {}
    services, k = _by_id(gw, given.get("id", ""))
    services[k] = _service_values(given, services[k]["id"])
    return {}


@rpc(_S + "Delete", "service.ServiceDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    services, k = _by_id(gw, (req.get("service") or {}).get("id", ""))
    del services[k]
    return {}


def _overrides(gw: Any, show: Any) -> list[dict[str, Any]]:
    return admin_of(gw.farm).overrides.setdefault(show.id, [])


@rpc(_SHOW + "CreateServiceOverride", "show.ShowCreateServiceOverrideRequest")
def _create_override(gw: Any, req: dict[str, Any]) -> Any:
    show = lookup.show(gw.farm, req)
    given = req.get("service") or {}
    mine = _overrides(gw, show)
    name = given.get("name", "")
    if not name or any(o["data"]["name"] == name for o in mine):
        raise refused("org.springframework.dao.DuplicateKeyException", f"service override {name} already exists")
    override_id = admin_of(gw.farm).new_id(OVERRIDE)
    override = {"id": override_id, "data": _service_values(given, override_id)}
    mine.append(override)
    return answer(_SHOW + "CreateServiceOverride", {"service_override": override})


@rpc(_SHOW + "GetServiceOverrides", "show.ShowGetServiceOverridesRequest")
def _get_overrides(gw: Any, req: dict[str, Any]) -> Any:
    mine = sorted(_overrides(gw, lookup.show(gw.farm, req)), key=lambda o: o["data"]["name"])
    return answer(_SHOW + "GetServiceOverrides", {"service_overrides": {"service_overrides": mine}})


@rpc(_SHOW + "GetServiceOverride", "show.ShowGetServiceOverrideRequest")
def _get_override(gw: Any, req: dict[str, Any]) -> Any:
    for override in _overrides(gw, lookup.show(gw.farm, req)):
        if override["data"]["name"] == req.get("name", ""):
            return answer(_SHOW + "GetServiceOverride", {"service_override": override})
    raise not_found()


def _override(gw: Any, req: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    wanted = (req.get("service") or {}).get("id", "")
    for mine in admin_of(gw.farm).overrides.values():
        for k, override in enumerate(mine):
            if override["id"] == wanted:
                return mine, k
    raise internal()


@rpc(_O + "Update", "service.ServiceOverrideUpdateRequest")
def _override_update(gw: Any, req: dict[str, Any]) -> Any:
    mine, k = _override(gw, req)
    mine[k]["data"] = _service_values(req.get("service") or {}, mine[k]["id"])
    return {}


@rpc(_O + "Delete", "service.ServiceOverrideDeleteRequest")
def _override_delete(gw: Any, req: dict[str, Any]) -> Any:
    mine, k = _override(gw, req)
    del mine[k]
    return {}
