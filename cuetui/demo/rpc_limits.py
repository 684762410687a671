"""Limits as an administrator and a licence reporter change them (LimitInterface Delete / Rename, the
settings of opencue-proto 1.37.0's licence-aware limits, bindings, holds and usage reports). The reads
and Create / SetMaxValue are `rpc_farm`'s; how a limit counts and gates is `limits`.

Cuebot's semantics kept:

* Delete and Rename find the limit by name (none: INTERNAL, as Cuebot's uncaught lookup); the layers
  bound to it stay bound under its new name, or lose it with the limit.
* The newer calls answer a missing limit NOT_FOUND "Limit not found.", a refused value INVALID_ARGUMENT
  (400) with Cuebot's words, an exit status another limit claims ALREADY_EXISTS (409).
* A soft value of 0 or less is "same as the max" (-1); a report TTL below 0 is 0.
* ClearBindings never removes SPEC bindings (naming SPEC is refused); no sources: every AUTO and MANUAL.
* ReportUsage checks every report before applying any (a holder with no tokens refuses the whole call);
  then each report of a known limit replaces its external holders, unless it is older than the last one
  (OUT_OF_ORDER) or comes within 5 s of it (RATE_LIMITED); a report's total licences become the max.
* GetHolds lists each host holding a token of a limit: reported by the licence server (EXTERNAL),
  running frames of a bound layer (CUE), or both.
"""

from __future__ import annotations

from typing import Any

from cuetui.demo import limits
from cuetui.demo.limits import Hold, Limit, short_host
from cuetui.demo.registry import GatewayError, answer, internal, rpc
from cuetui.demo.resources import Resources
from cuetui.demo.rpc_farm import bindings, limit_values

_L = "/limit.LimitInterface/"
_HOLD_SOURCES = {"CUE": 0, "EXTERNAL": 1, "BOTH": 2}
_SKIP = {"RATE_LIMITED": 0, "OUT_OF_ORDER": 1}


def _res(gw: Any) -> Resources:
    res: Resources = gw.farm.resources
    return res


def _by_name(res: Resources, name: str) -> Limit | None:
    return next((lim for lim in res.limits if lim.name == name), None)


def _limit(gw: Any, name: str) -> Limit:
    """The limit of a newer call: none is NOT_FOUND with Cuebot's words."""
    lim = _by_name(_res(gw), name)
    if lim is None:
        raise GatewayError(404, 5, "Limit not found.")
    return lim


def _old_limit(res: Resources, name: str) -> Limit:
    """The limit Delete or Rename names: none is INTERNAL, as Cuebot's uncaught lookup."""
    lim = _by_name(res, name)
    if lim is None:
        raise internal()
    return lim


def _sources(req: dict[str, Any]) -> set[int]:
    values = set(req.get("sources") or ())
    if values - set(limits.SOURCES.values()):
        raise limits.invalid("Unrecognized binding source.")
    return values


def _rebind(gw: Any, old: str, new: str | None) -> None:
    """Every layer naming `old` names `new` instead (None: drops it); the counters follow."""
    for job in gw.farm.jobs:
        for layer in job.layers:
            if old in layer.limits:
                kept = [n for n in layer.limits if n != old]
                if new is not None and new not in kept:
                    kept.append(new)
                layer.limits = kept or [""]
    _res(gw).recount_limits(gw.farm.procs.values())


# --- Delete, Rename (as before licence limits) ------------------------------------------------------------
@rpc(_L + "Delete", "limit.LimitDeleteRequest")
def _delete(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    lim = _old_limit(res, str(req.get("name", "")))
    res.limits.remove(lim)
    _rebind(gw, lim.name, None)
    return {}


@rpc(_L + "Rename", "limit.LimitRenameRequest")
def _rename(gw: Any, req: dict[str, Any]) -> Any:
    lim = _old_limit(_res(gw), str(req.get("old_name", "")))
    old, lim.name = lim.name, str(req.get("new_name", ""))
    _rebind(gw, old, lim.name)
    return {}


# --- settings -----------------------------------------------------------------------------------------
@rpc(_L + "SetType", "limit.LimitSetTypeRequest")
def _set_type(gw: Any, req: dict[str, Any]) -> Any:
    _limit(gw, str(req.get("name", ""))).type = int(req.get("type", limits.FRAME))
    return {}


@rpc(_L + "SetEnforcement", "limit.LimitSetEnforcementRequest")
def _set_enforcement(gw: Any, req: dict[str, Any]) -> Any:
    _limit(gw, str(req.get("name", ""))).enforcement = int(req.get("enforcement", limits.ENFORCED))
    return {}


@rpc(_L + "SetSoftValue", "limit.LimitSetSoftValueRequest")
def _set_soft_value(gw: Any, req: dict[str, Any]) -> Any:
    value = int(req.get("soft_value", 0))
    _limit(gw, str(req.get("name", ""))).soft_value = value if value > 0 else -1
    return {}


@rpc(_L + "SetReportTtl", "limit.LimitSetReportTtlRequest")
def _set_report_ttl(gw: Any, req: dict[str, Any]) -> Any:
    _limit(gw, str(req.get("name", ""))).report_ttl = max(0, int(req.get("report_ttl", 0)))
    return {}


@rpc(_L + "SetFailureRule", "limit.LimitSetFailureRuleRequest")
def _set_failure_rule(gw: Any, req: dict[str, Any]) -> Any:
    lim = _limit(gw, str(req.get("name", "")))
    exit_status, delay = int(req.get("exit_status", 0)), int(req.get("delay_minutes", 0))
    limits.set_failure_rule(_res(gw).limits, lim, exit_status, delay, bool(req.get("auto_tag")))
    return {}


# --- bindings -----------------------------------------------------------------------------------------
@rpc(_L + "GetBindings", "limit.LimitGetBindingsRequest")
def _get_bindings(gw: Any, req: dict[str, Any]) -> Any:
    sources = _sources(req)
    lim = _limit(gw, str(req.get("limit_name", "")))
    layer_ids = set(req.get("layer_ids") or ())
    found = [
        {
            "limit_id": lim.id,
            "layer_id": layer.id,
            "layer_name": layer.name,
            "job_name": job.name,
            "services": list(layer.services),
            "source": source,
            "create_time": made,
        }
        for job, layer, source, made in bindings(gw.farm, lim)
        if (not sources or source in sources) and (not layer_ids or layer.id in layer_ids)
    ]
    return answer(_L + "GetBindings", {"bindings": found})


@rpc(_L + "ClearBindings", "limit.LimitClearBindingsRequest")
def _clear_bindings(gw: Any, req: dict[str, Any]) -> Any:
    sources = _sources(req)
    lim = _limit(gw, str(req.get("limit_name", "")))
    if limits.SPEC in sources:
        raise limits.invalid("SPEC bindings are declared by the submitter and cannot be bulk-removed.")
    removed = 0
    for _job, layer, source, _made in bindings(gw.farm, lim):
        if source != limits.SPEC and (not sources or source in sources):
            layer.limits = [n for n in layer.limits if n != lim.name] or [""]
            lim.sources.pop(layer.id, None)
            removed += 1
    _res(gw).recount_limits(gw.farm.procs.values())
    return answer(_L + "ClearBindings", {"removed": removed})


# --- usage reports and holds ----------------------------------------------------------------------------
@rpc(_L + "ReportUsage", "limit.LimitReportUsageRequest")
def _report_usage(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    reports = list(req.get("reports") or ())
    for report in reports:  # a malformed snapshot refuses the whole call, before anything is applied
        for hold in report.get("hosts") or ():
            if int(hold.get("tokens", 0)) <= 0:
                raise limits.invalid(
                    f"Host {hold.get('host_name', '')} in limit {report.get('limit_name', '')} reports tokens <= 0; "
                    "omit hosts holding nothing."
                )
    now = res.now()
    source = str(req.get("source", ""))
    applied: list[Limit] = []
    unknown: list[str] = []
    skipped: list[dict[str, Any]] = []
    for report in reports:
        name = str(report.get("limit_name", ""))
        lim = _by_name(res, name)
        if lim is None:
            unknown.append(name)
            continue
        capture = int(report.get("capture_time", 0))
        at = min(float(capture), now) if capture > 0 else now
        if at < lim.reported_time:
            skipped.append({"limit_name": lim.name, "reason": _SKIP["OUT_OF_ORDER"]})
            continue
        if lim.reported_time > 0 and now - lim.reported_time < limits.MIN_REPORT_INTERVAL:
            skipped.append({"limit_name": lim.name, "reason": _SKIP["RATE_LIMITED"]})
            continue
        _replace_holds(lim, report.get("hosts") or (), int(now))
        lim.reported_time, lim.report_source = at, source
        total = int(report.get("total_licenses", 0))
        if total > 0:
            lim.max_value = total
        applied.append(lim)
    values = [limit_values(gw.farm, lim) for lim in applied]
    return answer(_L + "ReportUsage", {"limits": values, "unknown_limits": unknown, "skipped_limits": skipped})


def _replace_holds(lim: Limit, reported: Any, now: int) -> None:
    """The report's holders replace the limit's (one per short host name, the most tokens seen); an
    unchanged holder keeps the time it was first reported so."""
    by_host: dict[str, dict[str, Any]] = {}
    for hold in reported:
        key = short_host(str(hold.get("host_name", "")))
        tokens = int(hold.get("tokens", 0))
        if key and tokens > 0 and (key not in by_host or tokens > int(by_host[key]["tokens"])):
            by_host[key] = hold
    holds = {}
    for key, hold in by_host.items():
        tokens, user = int(hold["tokens"]), str(hold.get("user", ""))
        before = lim.holds.get(key)
        same = before is not None and (before.tokens, before.user) == (tokens, user)
        holds[key] = Hold(str(hold.get("host_name", "")), tokens, user, before.reported if same and before else now)
    lim.holds = holds


@rpc(_L + "GetHolds", "limit.LimitGetHoldsRequest")
def _get_holds(gw: Any, req: dict[str, Any]) -> Any:
    res = _res(gw)
    name = str(req.get("limit_name", ""))
    chosen = [_limit(gw, name)] if name else sorted(res.limits, key=lambda lim: lim.name)
    wanted = short_host(str(req.get("host_name", "")))
    hosts = {short_host(h.name): h for h in gw.farm.hosts}
    out = []
    for lim in chosen:
        procs = list(res.limit_procs.get(lim.name, ()))
        holders = set(lim.holds) | {short_host(p.host.name) for p in procs}
        for key in sorted(holders):
            if wanted and key != wanted:
                continue
            external = lim.holds.get(key)
            host = hosts.get(key)
            running = sum(1 for p in procs if p.host is host) if host is not None else 0
            # A reported holder has the server's count; else one machine (HOST) or one per frame.
            tokens = external.tokens if external is not None else (1 if lim.type == limits.HOST else running)
            source = "BOTH" if external and running else "EXTERNAL" if external else "CUE"
            out.append(
                {
                    "limit_id": lim.id,
                    "limit_name": lim.name,
                    "host_name": key,
                    "host_id": host.id if host is not None else "",
                    "tokens": tokens,
                    "user": external.user if external else "",
                    "source": _HOLD_SOURCES[source],
                    "report_time": external.reported if external else 0,
                }
            )
    return answer(_L + "GetHolds", {"holds": out})
