"""Models of what decides where and whether frames run: dependencies, subscriptions, allocations, limits
and groups. The same kind of frozen msgspec Structs as `models.py` (checked against the schema by the
same decorator); kept in their own module so the two files change apart.

No postponed annotations here either: the decorator compares the annotation objects with the schema's.
"""

from typing import TYPE_CHECKING

from cuetui.gateway.models import I32, I64, Model, _literal, _model

if TYPE_CHECKING:
    DependTypeName = str
    DependTargetName = str
    LimitTypeName = str
    LimitEnforcementName = str
else:
    DependTypeName = _literal("depend.DependType")
    DependTargetName = _literal("depend.DependTarget")
    LimitTypeName = _literal("limit.LimitType")
    LimitEnforcementName = _literal("limit.LimitEnforcement")

CORE_UNITS_PER_CORE = 100  # Cuebot counts a subscription's cores in hundredths

__all__ = [
    "CORE_UNITS_PER_CORE",
    "Allocation",
    "AllocationStats",
    "Depend",
    "Group",
    "GroupStats",
    "Limit",
    "Subscription",
]


@_model("depend.Depend")
class Depend(Model, frozen=True):
    """A dependency: the depend-er (job, layer or frame, by name) waits on the depend-on target."""

    id: str = ""
    type: DependTypeName = "JOB_ON_JOB"
    target: DependTargetName = "INTERNAL"
    any_frame: bool = False
    active: bool = False
    depend_er_job: str = ""
    depend_er_layer: str = ""
    depend_er_frame: str = ""
    depend_on_job: str = ""
    depend_on_layer: str = ""
    depend_on_frame: str = ""

    @property
    def on_name(self) -> str:
        """What it waits on, most specific first: `job/frame`, `job/layer` or `job`."""
        if self.depend_on_frame:
            return f"{self.depend_on_job}/{self.depend_on_frame}"
        if self.depend_on_layer:
            return f"{self.depend_on_job}/{self.depend_on_layer}"
        return self.depend_on_job

    @property
    def er_name(self) -> str:
        """What waits, most specific first."""
        if self.depend_er_frame:
            return f"{self.depend_er_job}/{self.depend_er_frame}"
        if self.depend_er_layer:
            return f"{self.depend_er_job}/{self.depend_er_layer}"
        return self.depend_er_job


@_model("subscription.Subscription")
class Subscription(Model, frozen=True):
    """A show's share of an allocation: size is guaranteed, burst is the most it may hold. `size`, `burst`
    and `reserved_cores` are as the gateway sends them, in Cuebot's core units (hundredths of a core: 4800
    is 48 cores); what people read and type is cores (`size_cores`, `burst_cores`, `used_cores`)."""

    id: str = ""
    name: str = ""
    show_name: str = ""
    facility: str = ""
    allocation_name: str = ""
    size: I32 = 0
    burst: I32 = 0
    reserved_cores: I32 = 0
    reserved_gpus: I32 = 0

    @property
    def size_cores(self) -> float:
        """The cores the show is guaranteed."""
        return self.size / CORE_UNITS_PER_CORE

    @property
    def burst_cores(self) -> float:
        """The most cores the show may hold."""
        return self.burst / CORE_UNITS_PER_CORE

    @property
    def used_cores(self) -> float:
        """The cores the show holds in the allocation now."""
        return self.reserved_cores / CORE_UNITS_PER_CORE


@_model("facility.AllocationStats")
class AllocationStats(Model, frozen=True):
    """Cores and hosts of an allocation."""

    cores: float = 0.0
    available_cores: float = 0.0
    idle_cores: float = 0.0
    running_cores: float = 0.0
    locked_cores: float = 0.0
    hosts: I32 = 0
    locked_hosts: I32 = 0
    down_hosts: I32 = 0
    gpus: float = 0.0
    available_gpus: float = 0.0
    idle_gpus: float = 0.0
    running_gpus: float = 0.0
    locked_gpus: float = 0.0


@_model("facility.Allocation")
class Allocation(Model, frozen=True):
    """An allocation (`facility.alloc`) and the tag its hosts carry."""

    id: str = ""
    name: str = ""
    tag: str = ""
    facility: str = ""
    billable: bool = False
    stats: AllocationStats | None = None

    @property
    def totals(self) -> AllocationStats:
        return self.stats or AllocationStats()


@_model("limit.Limit")
class Limit(Model, frozen=True):
    """A limit on frames running at once over every layer that names it."""

    id: str = ""
    name: str = ""
    max_value: I32 = 0
    current_running: I32 = 0
    type: LimitTypeName = "FRAME"
    enforcement: LimitEnforcementName = "ENFORCED"
    soft_value: I32 = 0
    current_usage: I32 = 0
    settled_usage: I32 = 0
    pending_usage: I32 = 0
    host_count: I32 = 0
    last_report_time: I64 = 0
    report_source: str = ""
    report_ttl: I32 = 0
    report_stale: bool = False
    blocking_disabled: bool = False
    exit_status: I32 = 0
    delay_minutes: I32 = 0
    auto_tag: bool = False
    spec_layer_count: I32 = 0
    auto_layer_count: I32 = 0


@_model("job.GroupStats")
class GroupStats(Model, frozen=True):
    """Frames and cores of a group's jobs."""

    running_frames: I32 = 0
    dead_frames: I32 = 0
    depend_frames: I32 = 0
    waiting_frames: I32 = 0
    pending_jobs: I32 = 0
    reserved_cores: float = 0.0
    reserved_gpus: float = 0.0


@_model("job.Group")
class Group(Model, frozen=True):
    """A show's job group (max cores <= 0: no cap)."""

    id: str = ""
    name: str = ""
    department: str = ""
    default_job_priority: I32 = 0
    default_job_min_cores: float = 0.0
    default_job_max_cores: float = 0.0
    min_cores: float = 0.0
    max_cores: float = 0.0
    level: I32 = 0
    parent_id: str = ""
    group_stats: GroupStats | None = None
    default_job_min_gpus: float = 0.0
    default_job_max_gpus: float = 0.0
    min_gpus: float = 0.0
    max_gpus: float = 0.0

    @property
    def stats(self) -> GroupStats:
        return self.group_stats or GroupStats()
