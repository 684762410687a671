"""The farm's administrative records Cuebot keeps beside jobs and hosts: filters with their matchers and
actions, departments and their tasks, owners and deeds, services and per-show overrides, local render
partitions, layer output paths, frame display overrides, proc redirects.

`admin_of(farm)` gives a farm's records, made on first use (a farm that never sees an admin call pays
nothing). Ids come from `cuetui.demo.ids` with kinds of their own, so they look like every other id.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from cuetui.demo import ids
from cuetui.demo.model import Show

# Id kinds of these records (beside ids.SHOW ... ids.COMMENT, and the scheduling records' 0x21...).
FILTER, MATCHER, ACTION, DEPARTMENT, TASK, OWNER, DEED, SERVICE, OVERRIDE, PARTITION = range(0x31, 0x3B)

# The department names a fresh Cuebot database holds.
DEPARTMENT_NAMES = ["Unknown", "Animation", "Compositing", "FX", "Layout", "Lighting", "Modeling"]

# Cuebot's seeded services (min_cores in hundredths of a core, memory in KB), as its database ships them.
_MIB = 1024
DEFAULT_SERVICES: list[dict[str, Any]] = [
    {"name": "default", "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "arnold", "threadable": True, "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "blender", "threadable": True, "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "houdini", "threadable": True, "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "katana", "threadable": True, "min_cores": 100, "min_memory": 2097152, "tags": ["general"]},
    {"name": "maya", "min_cores": 100, "min_memory": 2097152, "tags": ["general"]},
    {"name": "nuke", "min_cores": 100, "min_memory": 262144, "tags": ["general"]},
    {"name": "prman", "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "shell", "min_cores": 100, "min_memory": 3355443, "tags": ["general"]},
    {"name": "preprocess", "min_cores": 10, "min_memory": 393216, "tags": ["util"]},
    {"name": "postprocess", "min_cores": 10, "min_memory": 393216, "tags": ["util"]},
]
SERVICE_DEFAULTS: dict[str, Any] = {
    "threadable": False,
    "min_cores": 100,
    "max_cores": 0,
    "min_memory": 3355443,
    "min_gpu_memory": 0,
    "tags": [],
    "timeout": 0,
    "timeout_llu": 0,
    "min_gpus": 0,
    "max_gpus": 0,
    "min_memory_increase": 2097152,
}
SERVICE_FIELDS = tuple(SERVICE_DEFAULTS)


@dataclass(eq=False)
class Filter:
    id: str
    show: Show
    name: str
    type: int = 0  # MATCH_ANY
    order: float = 0.0
    enabled: bool = True
    matchers: list[dict[str, Any]] = field(default_factory=list)  # Matcher values by proto name
    actions: list[dict[str, Any]] = field(default_factory=list)  # Action values by proto name

    def values(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "order": self.order, "enabled": self.enabled}


@dataclass(eq=False)
class Department:
    """A show's department (Cuebot's "point"): its TI settings and its tasks."""

    id: str
    show: Show
    dept: str
    ti_task: str = ""
    min_cores: float = 0.0  # the managed cores
    ti_managed: bool = False
    tasks: list[dict[str, Any]] = field(default_factory=list)  # Task values by proto name

    def values(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.dept,
            "dept": self.dept,
            "ti_task": self.ti_task,
            "min_cores": self.min_cores,
            "ti_managed": self.ti_managed,
        }


@dataclass(eq=False)
class Owner:
    id: str
    name: str
    show: Show


@dataclass(eq=False)
class Deed:
    id: str
    owner: Owner
    host_id: str


@dataclass
class Admin:
    """Every administrative record of one farm."""

    prefix: str
    seq: int = 0
    department_names: list[str] = field(default_factory=lambda: list(DEPARTMENT_NAMES))
    filters: list[Filter] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    deeds: list[Deed] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)  # Service values by proto name
    overrides: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # show id -> ServiceOverride values
    partitions: list[dict[str, Any]] = field(default_factory=list)  # RenderPartition values
    output_paths: dict[str, list[str]] = field(default_factory=dict)  # layer id -> paths
    display_overrides: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # frame id -> overrides
    checkpoint: dict[str, int] = field(default_factory=dict)  # frame id -> CheckpointState
    redirects: dict[str, str] = field(default_factory=dict)  # proc id -> the job or group it goes to next
    unbooked: set[str] = field(default_factory=set)  # proc ids unbooked (released when their frame ends)
    subscribers: dict[str, list[str]] = field(default_factory=dict)  # job id -> e-mail addresses
    deleted_hosts: set[str] = field(default_factory=set)

    def new_id(self, kind: int) -> str:
        self.seq += 1
        return ids.make_id(self.prefix, kind, 0, 0, self.seq)


_ADMIN: weakref.WeakKeyDictionary[Any, Admin] = weakref.WeakKeyDictionary()


def admin_of(farm: Any) -> Admin:
    """The administrative records of `farm` (a `cuetui.demo.farm.Farm`), seeded on first use: every show
    has its "Unknown" department, the services are Cuebot's seeded ones plus any a layer names."""
    found = _ADMIN.get(farm)
    if found is not None:
        return found
    admin = Admin(farm.id_prefix)
    for show in farm.shows:
        admin.departments.append(Department(admin.new_id(DEPARTMENT), show, "Unknown"))
    names = [s["name"] for s in DEFAULT_SERVICES]
    for job in farm.jobs:
        for layer in job.layers:
            names.extend(n for n in layer.services if n and n not in names)
    seeded = {s["name"]: s for s in DEFAULT_SERVICES}
    for name in names:
        values = {**SERVICE_DEFAULTS, **seeded.get(name, {"name": name}), "id": admin.new_id(SERVICE)}
        admin.services.append(values)
    _ADMIN[farm] = admin
    return admin
