"""How a limit counts and gates, as Cuebot's licence-aware limits do (opencue-proto 1.37.0's Limit).

* A layer is bound to a limit when it names it (`Layer.limits`); a binding comes from the job spec
  (SPEC, the default), from a failure rule (AUTO) or from an administrator (MANUAL): `Limit.sources`
  keeps the origin of the bindings that are not SPEC, by layer id. A frame failing with the exit status
  a limit's failure rule claims binds its layer (AUTO) when the rule tags automatically; the rule's delay
  is kept but not simulated (the scheduler has no postponed layers).
* FRAME limits count one token per running frame of a bound layer; HOST limits one per host running
  any. A limit an external reporter never reported counts every such proc as pending; once reported,
  the report's holders are settled (their tokens, or one machine each for HOST) and pending is what
  was dispatched since the report (less a settle window), hosts already reported not counted twice.
* ENFORCED limits block at max_value, and past the soft value (when set) let only the hosts already
  holding a token book; ADVISORY and DISABLED ones never block, nor does an ENFORCED one whose last
  report is older than its report TTL (stale).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cuetui import schema
from cuetui.demo.registry import GatewayError

if TYPE_CHECKING:
    from cuetui.demo.model import Host, Proc

TYPES = schema.enum_numbers("limit.LimitType")
ENFORCEMENTS = schema.enum_numbers("limit.LimitEnforcement")
SOURCES = schema.enum_numbers("limit.LimitBindSource")
FRAME, HOST = TYPES["FRAME"], TYPES["HOST"]
ENFORCED = ENFORCEMENTS["ENFORCED"]
SPEC, AUTO, MANUAL = SOURCES["SPEC"], SOURCES["AUTO"], SOURCES["MANUAL"]
SETTLE_WINDOW = 120  # seconds before a report's watermark a booking still counts as pending
MIN_REPORT_INTERVAL = 5  # seconds between two accepted reports of one limit


def no_clock() -> float:
    """The time of a farm that was given no clock (tests of the records alone)."""
    return 0.0


def short_host(name: str) -> str:
    """The key holds are kept under: short host name, lower case."""
    return name.strip().lower().split(".", 1)[0]


@dataclass
class Hold:
    """An external reporter's holder of a limit's tokens."""

    host_name: str  # as reported
    tokens: int
    user: str
    reported: int  # epoch seconds of the report


@dataclass(eq=False)
class Limit:
    """A cap on what runs at once over every layer that names it (see the module's words)."""

    id: str
    name: str
    max_value: int
    type: int = FRAME
    enforcement: int = ENFORCED
    soft_value: int = -1
    report_ttl: int = 0
    exit_status: int = 0  # 0: no failure rule
    delay_minutes: int = 0
    auto_tag: bool = False
    reported_time: float = 0.0  # epoch seconds of the last accepted report, 0: never reported
    report_source: str = ""
    holds: dict[str, Hold] = field(default_factory=dict)  # external holders by short host name
    sources: dict[str, tuple[int, int]] = field(default_factory=dict)  # layer id -> (source, made at)

    @property
    def plain(self) -> bool:
        """A FRAME, ENFORCED limit without a soft value or a report: a counter and its cap."""
        return self.type == FRAME and self.enforcement == ENFORCED and self.soft_value < 0 and self.reported_time <= 0

    def stale(self, now: float) -> bool:
        return self.reported_time > 0 and self.report_ttl > 0 and now - self.reported_time > self.report_ttl

    def blocking(self, now: float) -> bool:
        return self.enforcement == ENFORCED and not self.stale(now)


@dataclass(frozen=True)
class Usage:
    """A limit's usage in its own unit (tokens for FRAME, machines for HOST)."""

    settled: int
    pending: int
    hosts: int

    @property
    def current(self) -> int:
        return self.settled + self.pending


def usage(lim: Limit, procs: Iterable[Proc]) -> Usage:
    """What the limit counts now, from the procs of its bound layers."""
    procs = list(procs)
    external = set(lim.holds)
    if lim.reported_time <= 0:
        fresh = procs
    else:
        bound = lim.reported_time - SETTLE_WINDOW
        fresh = [p for p in procs if p.dispatch_time > bound]
    pending_hosts = {short_host(p.host.name) for p in fresh} - external
    if lim.type == HOST:
        settled, pending = len(external), len(pending_hosts)
    else:
        settled, pending = sum(h.tokens for h in lim.holds.values()), len(fresh)
    return Usage(settled, pending, len(external) + len(pending_hosts))


def holds_token(lim: Limit, procs: Iterable[Proc], host: Host) -> bool:
    """Whether the host already holds one of the limit's tokens (runs a bound frame, or was reported)."""
    key = short_host(host.name)
    return key in lim.holds or any(p.host is host for p in procs)


def admits(lim: Limit, procs: Iterable[Proc], host: Host, now: float) -> bool:
    """Whether one more frame of a bound layer may book on this host."""
    if not lim.blocking(now):
        return True
    procs = list(procs)
    held = holds_token(lim, procs, host)
    if lim.type == HOST and held:
        return True  # the machine's one token covers every frame on it
    used = usage(lim, procs).current
    if used >= lim.max_value:
        return False
    return not (0 <= lim.soft_value <= used and not held)


def invalid(message: str) -> GatewayError:
    """Cuebot's limit calls answer an IllegalArgumentException as INVALID_ARGUMENT with its message."""
    return GatewayError(400, 3, message)


def set_failure_rule(every: Iterable[Limit], lim: Limit, exit_status: int, delay_minutes: int, auto_tag: bool) -> None:
    """The exit status meaning "this licence was unavailable" (0 clears it), refused as Cuebot refuses."""
    if delay_minutes < 0:
        raise invalid("delay minutes must be >= 0")
    if exit_status == 0:
        # Clearing the rule keeps the AUTO bindings it made.
        lim.exit_status, lim.delay_minutes, lim.auto_tag = 0, delay_minutes, auto_tag
        return
    if exit_status <= 1:
        raise invalid(
            "Exit status must be greater than 1: status 0 is success and status 1 is the generic failure code."
        )
    claimed = next((other for other in every if other.exit_status == exit_status and other is not lim), None)
    if claimed is not None:
        raise GatewayError(409, 6, f"Exit status {exit_status} is already claimed by limit {claimed.name}")
    lim.exit_status, lim.delay_minutes, lim.auto_tag = exit_status, delay_minutes, auto_tag
