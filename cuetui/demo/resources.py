"""What decides whether a waiting frame may book, beside a host with room: dependencies, subscriptions of
shows to allocations, limits, and groups with max cores. Records plus the checks the scheduler calls.

Cuebot's semantics kept here:

* A dependency holds its depend-er frames in DEPEND until it is satisfied: JOB_ON_* and LAYER_ON_* and
  FRAME_ON_* hold the whole job / layer / frame until the target (a job, a layer, a frame) has no frame
  left that is not SUCCEEDED or EATEN; FRAME_BY_FRAME holds each frame of the layer until the frame with
  the same number in the other layer is done (so it is satisfied frame by frame), and is satisfied as a
  whole when the last one is released. Satisfying one (DependInterface/Satisfy, DropDepends) releases
  every frame no other active dependency holds: DEPEND becomes WAITING.
* A show books cores in an allocation only through a subscription to it, and never past its burst:
  reserved cores in the allocation + the frame's cores <= burst (size is what it is guaranteed, burst what
  it may reach). A farm made without subscriptions has one per show and allocation, burst = the
  allocation's cores (no cap). The records keep cores; the wire carries a subscription's size, burst and
  reserved cores in Cuebot's core units (hundredths of a core: 100 is one core), as its database does
  (`to_core_units` / `from_core_units` at the wire and in scenarios).
* A limit caps the frames running at once over every layer that names it (and, with opencue-proto
  1.37.0's licence settings, counts machines, stays advisory, or settles with a licence server's
  reports: `cuetui.demo.limits`).
* A group caps the cores its jobs hold together (max cores <= 0: no cap).

Counters move only in `book` and `release` (called by the farm when a proc starts and ends), so a check
is a dict lookup, not a sum over procs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from cuetui import schema
from cuetui.demo import ids, limits
from cuetui.demo.limits import Limit as Limit  # re-exported: the records a farm holds are all named here
from cuetui.demo.limits import no_clock

if TYPE_CHECKING:
    from cuetui.demo.model import Host, Job, Layer, Proc, Show

# Id kinds of these records (beside ids.SHOW ... ids.COMMENT).
CORE_UNITS_PER_CORE = 100  # Cuebot's core units: a subscription's size 4800 is 48 cores


def to_core_units(cores: float) -> int:
    """Cores as Cuebot's integer core units (hundredths of a core, rounded)."""
    return round(cores * CORE_UNITS_PER_CORE)


def from_core_units(units: float) -> float:
    """Cuebot's core units as cores."""
    return units / CORE_UNITS_PER_CORE


DEPEND_ID, SUBSCRIPTION_ID, ALLOCATION_ID, LIMIT_ID, GROUP_ID, FACILITY_ID = 0x21, 0x22, 0x23, 0x24, 0x25, 0x26

DEPEND_TYPES = schema.enum_names("depend.DependType")
TYPE = {name: n for n, name in enumerate(DEPEND_TYPES)}
# What Cuebot finds waiting on a layer (DependDao.getWhatDependsOn(layer)).
_ON_LAYER = frozenset({TYPE["JOB_ON_LAYER"], TYPE["LAYER_ON_LAYER"], TYPE["FRAME_ON_LAYER"]})
_TARGETS = schema.enum_numbers("depend.DependTarget")
INTERNAL, EXTERNAL, ANY_TARGET = _TARGETS["INTERNAL"], _TARGETS["EXTERNAL"], _TARGETS["ANY_TARGET"]
_SUCCEEDED = schema.enum_numbers("job.FrameState")["SUCCEEDED"]
_EATEN = schema.enum_numbers("job.FrameState")["EATEN"]
_DEPEND = schema.enum_numbers("job.FrameState")["DEPEND"]
_WAITING = schema.enum_numbers("job.FrameState")["WAITING"]
_RUNNING = schema.enum_numbers("job.FrameState")["RUNNING"]


@dataclass(eq=False)
class Depend:
    """One dependency: the depend-er (job, optional layer or frame) waits on the depend-on target."""

    id: str
    type: int
    er_job: Job
    on_job: Job
    er_layer: Layer | None = None
    er_frame: int | None = None
    on_layer: Layer | None = None
    on_frame: int | None = None
    any_frame: bool = False
    active: bool = True

    @property
    def type_name(self) -> str:
        return DEPEND_TYPES[self.type]

    @property
    def target(self) -> int:
        return INTERNAL if self.er_job is self.on_job else EXTERNAL

    def covers(self, job: Job, i: int) -> bool:
        """Whether frame i of job is a depend-er frame of this dependency."""
        if job is not self.er_job:
            return False
        if self.er_frame is not None:
            return i == self.er_frame
        if self.er_layer is not None:
            return self.er_layer.offset <= i < self.er_layer.offset + self.er_layer.count
        return True

    def signature(self) -> tuple[object, ...]:
        """What Cuebot's unique depend signature is made of: the type, the depend-er and the depend-on
        (a satisfied depend's signature becomes its own id, so only active ones can collide)."""
        return (self.type, self.er_job, self.er_layer, self.er_frame, self.on_job, self.on_layer, self.on_frame)

    def er_frames(self) -> Iterable[int]:
        job = self.er_job
        if self.er_frame is not None:
            return (self.er_frame,)
        if self.er_layer is not None:
            return range(self.er_layer.offset, self.er_layer.offset + self.er_layer.count)
        return range(job.total)

    def on_frames(self) -> Iterable[int]:
        job = self.on_job
        if self.on_frame is not None:
            return (self.on_frame,)
        if self.on_layer is not None:
            return range(self.on_layer.offset, self.on_layer.offset + self.on_layer.count)
        return range(job.total)

    def frames_left(self) -> int:
        """Frames of the target not yet SUCCEEDED or EATEN (what it still waits for)."""
        job = self.on_job
        if self.on_frame is not None:
            return 0 if job.f_state[self.on_frame] in (_SUCCEEDED, _EATEN) else 1
        counts = self.on_layer.counts if self.on_layer is not None else job.counts
        total = self.on_layer.count if self.on_layer is not None else job.total
        return total - counts[_SUCCEEDED] - counts[_EATEN]

    def holds(self, job: Job, i: int) -> bool:
        """Whether this (active) dependency keeps frame i of job from running."""
        if not self.active or not self.covers(job, i):
            return False
        if self.type == TYPE["FRAME_BY_FRAME"]:
            assert self.on_layer is not None
            other = _same_number(self.on_job, self.on_layer, job.f_number[i])
            return other is not None and self.on_job.f_state[other] not in (_SUCCEEDED, _EATEN)
        return self.frames_left() > 0


def _same_number(job: Job, layer: Layer, number: int) -> int | None:
    for k in range(layer.offset, layer.offset + layer.count):
        if job.f_number[k] == number:
            return k
    return None


@dataclass(eq=False)
class Allocation:
    """A facility's allocation of hosts (`facility.alloc`), with the tag its hosts carry."""

    id: str
    name: str
    tag: str
    facility: str = "local"
    billable: bool = False


@dataclass(eq=False)
class Facility:
    """A facility (a site): allocations name it by `Allocation.facility`."""

    id: str
    name: str


@dataclass(eq=False)
class Subscription:
    """A show's share of an allocation: size (guaranteed) and burst (the most it may hold), in cores (the
    wire's core units divided by 100)."""

    id: str
    show: Show
    alloc: Allocation
    size: float
    burst: float

    @property
    def name(self) -> str:
        return f"{self.alloc.name}.{self.show.name}"


@dataclass(eq=False)
class Group:
    """A show's job group; jobs name it by `Job.group`."""

    id: str
    name: str
    show: Show
    parent: Group | None = None
    department: str = "Unknown"
    max_cores: float = -1.0
    min_cores: float = 0.0
    default_job_priority: int = -1
    default_job_min_cores: float = -1.0
    default_job_max_cores: float = -1.0
    max_gpus: float = -1.0
    min_gpus: float = 0.0
    default_job_min_gpus: int = -1
    default_job_max_gpus: int = -1

    @property
    def level(self) -> int:
        return 0 if self.parent is None else self.parent.level + 1


@dataclass(eq=False)
class Resources:
    """Every record above, and what is booked against each."""

    prefix: str
    allocations: list[Allocation] = field(default_factory=list)
    facilities: list[Facility] = field(default_factory=list)
    # Deleted while subscriptions named them: out of every read, still what those subscriptions name.
    disabled_allocations: list[Allocation] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    depends: list[Depend] = field(default_factory=list)
    default_alloc: str = ""
    # Cores booked by (show index, allocation name), by group id; frames running by limit name.
    sub_used: dict[tuple[int, str], float] = field(default_factory=dict)
    group_used: dict[str, float] = field(default_factory=dict)
    limit_used: dict[str, int] = field(default_factory=dict)
    # The running procs of each limit's bound layers, by limit name (holders, pending, HOST tokens).
    limit_procs: dict[str, set[Proc]] = field(default_factory=dict)
    now: Callable[[], float] = no_clock
    _seq: int = 0
    _sub_index: dict[tuple[int, str], Subscription] = field(default_factory=dict)
    _sub_key: object = None

    def next_id(self, kind: int) -> str:
        self._seq += 1
        return ids.make_id(self.prefix, kind, 0, 0, self._seq)

    # --- lookups -----------------------------------------------------------------------------------
    def allocation(self, key: str) -> Allocation | None:
        return next((a for a in self.allocations if key in (a.id, a.name)), None)

    def subscription(self, show: Show, alloc_name: str) -> Subscription | None:
        key = (len(self.subscriptions), tuple(id(s) for s in self.subscriptions[:1]))
        if key != self._sub_key:
            self._sub_index = {(s.show.index, s.alloc.name): s for s in self.subscriptions}
            self._sub_key = key
        sub = self._sub_index.get((show.index, alloc_name))
        if sub is not None and (sub.show is not show or sub.alloc.name != alloc_name):  # renamed since
            self._sub_key = None
            return next((s for s in self.subscriptions if s.show is show and s.alloc.name == alloc_name), None)
        return sub

    def facility(self, key: str) -> Facility | None:
        """A facility by id or name, as Cuebot's getFacility looks one up."""
        return next((f for f in self.facilities if key in (f.id, f.name)), None)

    def limit(self, key: str) -> Limit | None:
        return next((lim for lim in self.limits if key in (lim.id, lim.name)), None)

    def group_of(self, job: Job) -> Group | None:
        """The job's group: by name (or id) within its show, else the show's root group."""
        root = None
        for g in self.groups:
            if g.show is job.show:
                if job.group in (g.name, g.id):
                    return g
                if g.parent is None and root is None:
                    root = g
        return root

    def root_group(self, show: Show) -> Group:
        """The show's root group (made on first use: every show has one, named after the show)."""
        for g in self.groups:
            if g.show is show and g.parent is None:
                return g
        g = Group(self.next_id(GROUP_ID), show.name, show)
        self.groups.append(g)
        return g

    def depends_of(self, job: Job) -> list[Depend]:
        """Dependencies whose depend-er is this job."""
        return [d for d in self.depends if d.er_job is job]

    def depends_on(self, job: Job) -> list[Depend]:
        """Dependencies whose target is this job."""
        return [d for d in self.depends if d.on_job is job]

    # --- administration ---------------------------------------------------------------------------
    def rename_allocation(self, alloc: Allocation, new_name: str, hosts: Iterable[Host]) -> None:
        """Rename an allocation: its hosts, the default and the booked counters follow."""
        old = alloc.name
        for host in hosts:
            if host.alloc_name == old:
                host.alloc_name = new_name
        if self.default_alloc == old:
            self.default_alloc = new_name
        for key in [k for k in self.sub_used if k[1] == old]:
            self.sub_used[(key[0], new_name)] = self.sub_used.pop(key)
        alloc.name = new_name
        self._sub_key = None

    def move_host(self, host: Host, alloc: Allocation) -> None:
        """Put an idle host in another allocation: its allocation tag becomes the new one's."""
        old = self.allocation(host.alloc_name)
        if old is not None and old.tag in host.tags and old.tag != alloc.tag:
            host.tags = [t for t in host.tags if t != old.tag]
        if alloc.tag and alloc.tag not in host.tags:
            host.tags = [*host.tags, alloc.tag]
        host.alloc_name = alloc.name

    # --- placement checks (the scheduler calls `admits` for a frame and a host with room) -------------
    def subscription_admits(self, show: Show, host: Host, cores: float) -> bool:
        if not self.subscriptions:
            return True  # a farm given no subscriptions at all: every show books anywhere
        sub = self.subscription(show, host.alloc_name)
        if sub is None:
            return False
        return self.sub_used.get((show.index, sub.alloc.name), 0.0) + cores <= sub.burst + 1e-6

    def group_admits(self, job: Job, cores: float) -> bool:
        group = self.group_of(job)
        while group is not None:
            if group.max_cores > 0 and self.group_used.get(group.id, 0.0) + cores > group.max_cores + 1e-6:
                return False
            group = group.parent
        return True

    def limits_admit(self, layer: Layer, host: Host | None = None) -> bool:
        for name in layer.limits:
            lim = self.limit(name) if name else None
            if lim is None:
                continue
            if lim.plain:  # what every limit was before licence reports: a counter and its cap
                if self.limit_used.get(lim.name, 0) >= lim.max_value:
                    return False
            elif host is not None and not limits.admits(lim, self.limit_procs.get(lim.name, ()), host, self.now()):
                return False
        return True

    @staticmethod
    def tags_admit(layer: Layer, host: Host) -> bool:
        """A layer with tags books only on a host carrying one of them (no tags: anywhere)."""
        return not layer.tags or any(tag in host.tags for tag in layer.tags)

    def admits(self, job: Job, layer: Layer, host: Host) -> bool:
        """Whether the tags, subscriptions, groups and limits let this layer's frame book on this host."""
        cores = layer.min_cores
        return (
            self.tags_admit(layer, host)
            and self.subscription_admits(job.show, host, cores)
            and self.group_admits(job, cores)
            and self.limits_admit(layer, host)
        )

    # --- counters ----------------------------------------------------------------------------------
    def book(self, proc: Proc) -> None:
        self._count(proc, 1)

    def release(self, proc: Proc) -> None:
        self._count(proc, -1)

    def _count(self, proc: Proc, sign: int) -> None:
        job = proc.job
        key = (job.show.index, proc.host.alloc_name)
        self.sub_used[key] = self.sub_used.get(key, 0.0) + sign * proc.cores
        self._charge_group(job, sign * proc.cores)
        for name in job.layers[job.f_layer[proc.frame]].limits:
            if name and self.limit(name) is not None:
                self.limit_used[name] = self.limit_used.get(name, 0) + sign
                running = self.limit_procs.setdefault(name, set())
                if sign > 0:
                    running.add(proc)
                else:
                    running.discard(proc)

    def frame_failed(self, layer: Layer, exit_status: int, now: int, procs: Iterable[Proc]) -> None:
        """A frame of the layer failed with this exit status: the limit whose failure rule claims it (and
        tags automatically) binds the layer, as one discovered needing its licence (AUTO)."""
        lim = next((lim for lim in self.limits if lim.exit_status == exit_status), None)
        if lim is None or not lim.auto_tag or lim.name in layer.limits:
            return
        layer.limits = [*(n for n in layer.limits if n), lim.name]
        lim.sources[layer.id] = (limits.AUTO, now)
        self.recount_limits(procs)

    def recount_limits(self, procs: Iterable[Proc]) -> None:
        """The limits' counters again from the running procs (after bindings or names changed)."""
        self.limit_used.clear()
        self.limit_procs.clear()
        for proc in procs:
            job = proc.job
            for name in job.layers[job.f_layer[proc.frame]].limits:
                if name and self.limit(name) is not None:
                    self.limit_used[name] = self.limit_used.get(name, 0) + 1
                    self.limit_procs.setdefault(name, set()).add(proc)

    def _charge_group(self, job: Job, cores: float) -> None:
        group = self.group_of(job)
        while group is not None:
            self.group_used[group.id] = self.group_used.get(group.id, 0.0) + cores
            group = group.parent

    def add_layer_limit(self, layer: Layer, lim: Limit, procs: Iterable[Proc]) -> None:
        """The limit caps the layer's frames from now on; those running now count against it."""
        layer.limits = [name for name in layer.limits if name] + [lim.name]
        self.recount_limits(procs)

    def drop_layer_limit(self, layer: Layer, lim: Limit, procs: Iterable[Proc]) -> None:
        """The limit no longer caps the layer (every time it was added); its running frames stop counting."""
        kept = [name for name in layer.limits if name and name != lim.name]
        layer.limits = kept or [""]  # Cuebot's list of no limit names is one empty name
        self.recount_limits(procs)

    def group_cores(self, group: Group) -> float:
        return max(0.0, self.group_used.get(group.id, 0.0))

    def show_cores(self, show: Show, alloc_name: str) -> float:
        return max(0.0, self.sub_used.get((show.index, alloc_name), 0.0))

    def limit_running(self, name: str) -> int:
        return max(0, self.limit_used.get(name, 0))

    # --- dependencies ------------------------------------------------------------------------------
    def active_twin(self, depend: Depend) -> Depend | None:
        """An active dependency with the same signature as `depend` (Cuebot refuses to insert a second one)."""
        signature = depend.signature()
        return next((d for d in self.depends if d.active and d.signature() == signature), None)

    def add_depend(self, depend: Depend, set_state: SetState) -> Depend:
        """Record a dependency; its depend-er frames that are WAITING and held go DEPEND."""
        self.depends.append(depend)
        job = depend.er_job
        for i in depend.er_frames():
            if job.f_state[i] == _WAITING and depend.holds(job, i):
                set_state(job, i, _DEPEND)
        if depend.type != TYPE["FRAME_BY_FRAME"] and depend.frames_left() == 0:
            self.satisfy(depend, set_state)
        return depend

    def held(self, job: Job, i: int) -> bool:
        return any(d.holds(job, i) for d in self.depends if d.er_job is job)

    def satisfy(self, depend: Depend, set_state: SetState) -> None:
        """Satisfy a dependency: every depend-er frame no other active one holds goes WAITING."""
        depend.active = False
        job = depend.er_job
        for i in depend.er_frames():
            if job.f_state[i] == _DEPEND and not self.held(job, i):
                set_state(job, i, _WAITING)

    def unsatisfy(self, depend: Depend, set_state: SetState) -> None:
        """Make a satisfied dependency active again (its WAITING depend-er frames it holds go DEPEND)."""
        if depend.active:
            return
        depend.active = True
        job = depend.er_job
        for i in depend.er_frames():
            if job.f_state[i] == _WAITING and depend.holds(job, i):
                set_state(job, i, _DEPEND)

    def frame_done(self, job: Job, i: int, set_state: SetState) -> None:
        """Frame i of job SUCCEEDED or was EATEN: release what waited on it."""
        for d in [d for d in self.depends if d.on_job is job and d.active]:
            if d.type == TYPE["FRAME_BY_FRAME"]:
                assert d.on_layer is not None and d.er_layer is not None
                if not d.on_layer.offset <= i < d.on_layer.offset + d.on_layer.count:
                    continue
                k = _same_number(d.er_job, d.er_layer, job.f_number[i])
                if k is not None and d.er_job.f_state[k] == _DEPEND and not self.held(d.er_job, k):
                    set_state(d.er_job, k, _WAITING)
                if d.frames_left() == 0:
                    self.satisfy(d, set_state)
            elif d.frames_left() == 0:
                self.satisfy(d, set_state)

    def waiting_on(self, job: Job, layer: Layer | None, frames: Iterable[int] = ()) -> list[Depend]:
        """The active dependencies Cuebot's satisfyWhatDependsOn finds: on a layer, its JOB_ON_LAYER,
        LAYER_ON_LAYER and FRAME_ON_LAYER ones; on frames, the *_ON_FRAME ones on any of them plus a
        LAYER_ON_LAYER with any-frame on one of their layers. A frame-by-frame dependency is on
        neither (Cuebot keeps it to its per-frame children)."""
        wanted = set(frames)

        def waits(d: Depend) -> bool:
            if layer is not None and d.on_layer is layer and d.type in _ON_LAYER:
                return True
            if d.on_frame is not None:
                return d.on_frame in wanted
            if not d.any_frame or d.type != TYPE["LAYER_ON_LAYER"] or d.on_layer is None:
                return False
            start = d.on_layer.offset
            return any(start <= i < start + d.on_layer.count for i in wanted)

        return [d for d in self.depends_on(job) if d.active and waits(d)]

    def drop(self, job: Job, layer: Layer | None, frame: int | None, target: int, set_state: SetState) -> int:
        """DropDepends: satisfy every active dependency of this job / layer / frame on `target`
        (INTERNAL, EXTERNAL or ANY_TARGET); the number dropped."""
        dropped = 0
        for d in self.depends_of(job):
            if not d.active or (target != ANY_TARGET and d.target != target):
                continue
            if frame is not None and not d.covers(job, frame):
                continue
            if layer is not None and frame is None and not _in_layer(d, layer):
                continue
            self.satisfy(d, set_state)
            dropped += 1
        return dropped


def _in_layer(d: Depend, layer: Layer) -> bool:
    """Whether the depend-er of d is this layer or one of its frames."""
    if d.er_layer is layer:
        return True
    return d.er_frame is not None and layer.offset <= d.er_frame < layer.offset + layer.count


class SetState(Protocol):
    """The farm's one way to change a frame's state (keeps the counters right)."""

    def __call__(self, job: Job, i: int, state: int, /) -> None: ...


def prepare(resources: Resources, shows: Iterable[Show], hosts: Iterable[Host]) -> None:
    """Fill in what a farm needs and was not given: an allocation per `allocName` of the hosts (tag: the
    part after the facility), a root group per show, and, when no subscription was given at all, one per
    show and allocation with size and burst = the allocation's cores (no cap)."""
    hosts = list(hosts)
    shows = list(shows)
    for host in hosts:
        if resources.allocation(host.alloc_name) is None:
            facility, _, tag = host.alloc_name.partition(".")
            alloc_id = resources.next_id(ALLOCATION_ID)
            name = host.alloc_name
            resources.allocations.append(Allocation(alloc_id, name, tag or name, facility or "local"))
    for alloc in resources.allocations:
        if resources.facility(alloc.facility) is None:
            # A facility the farm was not given is known by its name (its id too, as before).
            resources.facilities.append(Facility(alloc.facility, alloc.facility))
    if not resources.default_alloc and resources.allocations:
        resources.default_alloc = resources.allocations[0].name
    for show in shows:
        resources.root_group(show)
    if not resources.subscriptions:
        for alloc in resources.allocations:
            cores = int(sum(h.cores for h in hosts if h.alloc_name == alloc.name))
            for show in shows:
                resources.subscriptions.append(
                    Subscription(resources.next_id(SUBSCRIPTION_ID), show, alloc, cores, cores)
                )
