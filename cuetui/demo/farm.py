"""The simulated farm: state, a seeded scheduler, Cuebot-like actions and queries (no HTTP here).

Storage is compact: a job keeps its frames in parallel arrays (state, retries, exit status, times, host),
frame names are computed (``f"{number:04d}-{layer}"``) and generated frame ids are parsed back to indices
(`cuetui.demo.ids`), so a 300 000-frame farm costs a few tens of MB.

Query API for tests (run it on the server thread with ``DemoGatewayThread.run(fn)``)::

    farm.find_job(name_or_id) -> JobView    # .id .name .state ("PENDING"/"FINISHED") .is_paused .priority
                                            # .min_cores .max_cores .comments .layers .user .show.name
                                            # .frame_states() -> {frame name: state name}
                                            # .frame_state(frame name) -> state name
                                            # .stats() -> {"waiting": n, "running": n, "dead": n, ...}
                                            # .frame_index(name) -> int | None, .frame_name(i), .log_path(i)
                                            # .job -> the raw Job (enum fields as ints)
    farm.find_host(name_or_id) -> HostView  # .state .lock_state (names) .procs .idle_cores .comments .name
    farm.find_show(name_or_id) -> Show
    farm.jobs / farm.hosts / farm.shows     # raw lists (Job.state is an int; JOB_STATES[...] names it)
    farm.now()                              # the farm clock (epoch seconds, float)
    farm.check_invariants()                 # raises AssertionError if stats disagree with frames

Timestamps are on the farm clock (`FarmClock`): ``epoch + (monotonic() - start) + skew``. ``speed``
scales how fast frames run and events happen, never the clock; speed 0 freezes dispatch and random
events, while client actions still apply (`apply_due`, called by the server every 100 ms).
"""

from __future__ import annotations

import functools
import heapq
import os
import random
from collections.abc import Callable
from typing import Any

from cuetui.demo import ids
from cuetui.demo.logs import LogWriter
from cuetui.demo.model import (
    CHECKPOINT,
    DEAD,
    DEPEND,
    DOWN,
    EATEN,
    FINISHED,
    FRAME_STATES,
    GB,
    HARDWARE_STATES,
    JOB_STATES,
    LAYER_TYPES,
    LOCK_STATES,
    LOCKED,
    NIMBY_LOCKED,
    OPEN,
    PENDING,
    REBOOT_WHEN_IDLE,
    REBOOTING,
    REPAIR,
    RUNNING,
    SETUP,
    SUCCEEDED,
    THREAD_MODES,
    UP,
    WAITING,
    Comment,
    FarmClock,
    Host,
    Job,
    Layer,
    ManualClock,
    Proc,
    RunStats,
    Show,
)
from cuetui.demo.resources import Resources
from cuetui.demo.timeouts import CHECK_SECONDS, enforce_timeouts

__all__ = [
    "CHECKPOINT",
    "DEAD",
    "DEPEND",
    "DOWN",
    "EATEN",
    "FINISHED",
    "FRAME_STATES",
    "GB",
    "HARDWARE_STATES",
    "JOB_STATES",
    "LAYER_TYPES",
    "LOCKED",
    "LOCK_STATES",
    "NIMBY_LOCKED",
    "OPEN",
    "PENDING",
    "REBOOTING",
    "REBOOT_WHEN_IDLE",
    "REPAIR",
    "RUNNING",
    "SETUP",
    "SUCCEEDED",
    "THREAD_MODES",
    "UP",
    "WAITING",
    "Comment",
    "Farm",
    "FarmClock",
    "Host",
    "HostView",
    "Job",
    "JobView",
    "Layer",
    "ManualClock",
    "Proc",
    "RunStats",
    "Show",
]


class _View:
    """Delegates to the wrapped object; subclasses turn enum ints into names."""

    _target: Any

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return repr(self._target)


class JobView(_View):
    """A job for tests: every Job attribute, with ``state`` as a name."""

    @property
    def job(self) -> Job:
        return self._target  # type: ignore[no-any-return]

    @property
    def state(self) -> str:
        return JOB_STATES[int(self._target.state)]

    def frame_state(self, frame_name: str) -> str:
        """State name of one frame, by name."""
        i = self._target.frame_index(frame_name)
        if i is None:
            raise KeyError(frame_name)
        return FRAME_STATES[int(self._target.f_state[i])]


class HostView(_View):
    """A host for tests: every Host attribute, with ``state`` and ``lock_state`` as names."""

    @property
    def host(self) -> Host:
        return self._target  # type: ignore[no-any-return]

    @property
    def state(self) -> str:
        return HARDWARE_STATES[int(self._target.state)]

    @property
    def lock_state(self) -> str:
        return LOCK_STATES[int(self._target.lock_state)]


class Farm:
    """The whole simulated farm; every method runs on one thread (the server's event loop)."""

    DISPATCH_INTERVAL = 0.5  # real seconds between dispatch passes
    BLOCKED_SCAN = 5000  # frames of blocked layers a dispatch pass steps over in one job

    def __init__(
        self,
        seed: int = 0,
        speed: float = 1.0,
        clock: FarmClock | None = None,
        log_root: str | os.PathLike[str] | None = None,
        loki_url: str = "",
    ) -> None:
        self.seed = seed
        self.speed = speed
        self.clock = clock or FarmClock()
        self.rng = random.Random(seed * 7919 + 17)
        self.id_prefix = ids.seed_prefix(seed)
        self.log_root = str(log_root) if log_root is not None else ""
        self.loki_url = loki_url
        self.shows: list[Show] = []
        self.jobs: list[Job] = []
        self.hosts: list[Host] = []
        self.jobs_by_id: dict[str, Job] = {}
        self.jobs_by_name: dict[str, Job] = {}
        self.hosts_by_id: dict[str, Host] = {}
        self.hosts_by_name: dict[str, Host] = {}
        self.layers_by_id: dict[str, tuple[Job, Layer]] = {}
        self.frames_by_id: dict[str, tuple[Job, int]] = {}  # scenario frames only
        self.procs: dict[tuple[int, int], Proc] = {}
        self._ends: list[tuple[float, int, Proc]] = []
        self._proc_seq = 0
        self._comment_seq = 0
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._due_seq = 0
        self.logs = LogWriter(self)
        self.sim_elapsed = 0.0
        self._dispatch_wait = 0.0
        self._timeout_wait = 0.0  # real seconds to the next check of the layers' timeouts
        self._next_submit = 300.0  # sim seconds before the first new job arrives
        self._submitted = 0
        self.submit_job: Callable[[Farm], Job | None] | None = None  # set by profiles
        # Live failures, set by the profiles and used only while the farm runs (speed > 0), so a frozen
        # farm is exactly what its seed made: hosts that kill every frame they take (a segfault after a
        # few seconds), layers whose every attempt dies (job index, layer index) -> "oom" | "texture",
        # and the share of attempts that hang: their log goes quiet and they never end.
        self.bad_hosts: set[int] = set()
        self.layer_faults: dict[tuple[int, int], str] = {}
        self.hang_rate = 0.0
        # Proc id -> when its log went quiet (a hung frame); its lluTime stays there.
        self.quiet_since: dict[str, float] = {}
        self._hangs: list[tuple[float, int, Proc]] = []
        # Dependencies, subscriptions, allocations, limits and groups (cuetui.demo.resources).
        self.resources = Resources(self.id_prefix, now=self.now)

    # --- clock -----------------------------------------------------------------------------------
    def now(self) -> float:
        """The farm clock (epoch seconds)."""
        return self.clock.now()

    # --- registry --------------------------------------------------------------------------------
    def add_show(self, show: Show) -> None:
        self.shows.append(show)

    def add_job(self, job: Job) -> None:
        """Register a fully built job."""
        self.jobs.append(job)
        self.jobs_by_id[job.id] = job
        self.jobs_by_name[job.name] = job
        for layer in job.layers:
            self.layers_by_id[layer.id] = (job, layer)
        if job.f_ids is not None:
            for i, fid in enumerate(job.f_ids):
                self.frames_by_id[fid] = (job, i)

    def add_host(self, host: Host) -> None:
        self.hosts.append(host)
        self.hosts_by_id[host.id] = host
        self.hosts_by_name[host.name] = host

    def find_show(self, key: str) -> Show | None:
        """A show by id or name."""
        for show in self.shows:
            if show.id == key or show.name == key:
                return show
        return None

    def find_job(self, key: str) -> JobView | None:
        """A job by id or name, as a view whose enum fields are names (for tests)."""
        job = self.jobs_by_id.get(key) or self.jobs_by_name.get(key)
        return JobView(job) if job is not None else None

    def find_host(self, key: str) -> HostView | None:
        """A host by id or name, as a view whose enum fields are names (for tests)."""
        host = self.hosts_by_id.get(key) or self.hosts_by_name.get(key)
        return HostView(host) if host is not None else None

    def find_frame(self, frame_id: str) -> tuple[Job, int] | None:
        """(job, index) of a frame id, without a per-frame dict for generated frames."""
        hit = self.frames_by_id.get(frame_id)
        if hit is not None:
            return hit
        parsed = ids.parse_id(self.id_prefix, frame_id)
        if parsed is None or parsed[0] != ids.FRAME:
            return None
        _, job_index, _layer, i = parsed
        if job_index >= len(self.jobs):
            return None
        job = self.jobs[job_index]
        if job.f_ids is not None or job.index != job_index or i >= job.total:
            return None
        return job, i

    def new_comment(self, user: str, subject: str, message: str) -> Comment:
        self._comment_seq += 1
        cid = ids.make_id(self.id_prefix, ids.COMMENT, 0, 0, self._comment_seq)
        return Comment(cid, int(self.now()), user, subject, message)

    # --- frame state changes (the only place counters move) -----------------------------------------
    def set_state(self, job: Job, i: int, state: int) -> None:
        """Change one frame's state, keeping job and layer counters and the row timestamp right."""
        old = job.f_state[i]
        if old == state:
            job.f_updated[i] = self.now()
            return
        layer = job.layers[job.f_layer[i]]
        job.counts[old] -= 1
        job.counts[state] += 1
        layer.counts[old] -= 1
        layer.counts[state] += 1
        job.f_state[i] = state
        job.f_updated[i] = self.now()
        if state in (SUCCEEDED, EATEN) and self.resources.depends:
            self.resources.frame_done(job, i, self.set_state)
        if state == WAITING:
            p = job.position(i)
            if p < job.cursor:
                job.cursor = p

    def _update_job_state(self, job: Job) -> None:
        c = job.counts
        if job.state == PENDING and c[WAITING] + c[RUNNING] + c[DEAD] + c[DEPEND] + c[SETUP] == 0:
            job.state = FINISHED
            job.stop_time = int(self.now())
        elif job.state == FINISHED and job.stop_time == 0:
            job.stop_time = int(self.now())

    # --- dispatch --------------------------------------------------------------------------------
    def start_frame(self, job: Job, i: int, host: Host, backdate: float = 0.0, write_log: bool = True) -> Proc:
        """Book frame i of job on host: a proc appears and the frame is RUNNING."""
        layer = job.layers[job.f_layer[i]]
        now = self.now()
        rng = self.rng
        sim_seconds = layer.base_seconds * (0.5 + rng.random())
        real = sim_seconds / self.speed if self.speed > 0 else float("inf")
        start = now - backdate * (real if real != float("inf") else sim_seconds)
        end_at = start + real
        succeed = rng.random() >= layer.fail_rate
        exit_status = 0 if succeed else rng.choice((1, 1, 1, 137, 139))
        hang_at = None
        if self.speed > 0:
            # After the seeded draws, so the frozen farm and its history are the same with or without.
            fault = self._live_fault(job, i, layer, host)
            if fault is not None:
                # It dies early; its log runs at the usual pace until then.
                exit_status, fail_seconds = fault
                succeed = False
                end_at = start + fail_seconds / self.speed
            elif self._unit(job.index, i, job.f_attempts[i], 1) < self.hang_rate:
                hang_at, start = self._hang_time(start, real, backdate > 0)
                end_at = float("inf")
        self._proc_seq += 1
        proc = Proc(
            id=ids.make_id(self.id_prefix, ids.PROC, host.index, 0, self._proc_seq),
            host=host,
            job=job,
            frame=i,
            cores=layer.min_cores,
            reserved_memory=layer.min_memory,
            used_memory=int(layer.min_memory * (0.3 + 0.5 * rng.random())),
            booked_time=int(start),
            dispatch_time=int(start),
            end_at=end_at,
            succeed=succeed,
            exit_status=exit_status,
            duration=real if real != float("inf") else sim_seconds,
            seq=self._proc_seq,
        )
        host.procs[proc.id] = proc
        host.idle_cores -= proc.cores
        host.idle_memory -= proc.reserved_memory
        self.procs[(job.index, i)] = proc
        self.resources.book(proc)
        job.run.reserved_cores += proc.cores
        layer.run.reserved_cores += proc.cores
        job.f_attempts[i] += 1
        job.f_start[i] = int(start)
        job.f_stop[i] = 0
        job.f_exit[i] = -1
        job.f_host[i] = host.index
        job.f_cores[i] = proc.cores
        if job.f_logged[i]:
            job.f_logged[i] = 0
        self.set_state(job, i, RUNNING)
        if layer.start_time == 0:
            layer.start_time = int(start)
        if end_at != float("inf"):
            heapq.heappush(self._ends, (end_at, proc.seq, proc))
        if hang_at is not None:
            heapq.heappush(self._hangs, (hang_at, proc.seq, proc))
        if write_log:
            self.logs.frame_started(job, i, proc)
        return proc

    def _unit(self, *key: int) -> float:
        """A deterministic number in [0, 1) for `key` (the seed's), without drawing from the farm's rng."""
        return (hash((self.seed, *key)) & 0xFFFFFF) / float(0x1000000)

    def _live_fault(self, job: Job, i: int, layer: Layer, host: Host) -> tuple[int, float] | None:
        """(exit status, simulated seconds until it dies) when this attempt is doomed: on a bad host (a
        segfault), in an out-of-memory layer, or in a layer missing a texture; else None."""
        u = self._unit(job.index, i, job.f_attempts[i])
        if host.index in self.bad_hosts:
            return 139, 10.0 + 20.0 * u
        fault = self.layer_faults.get((job.index, layer.index))
        if fault == "oom":
            return 137, 20.0 + 40.0 * u
        if fault == "texture":
            return 1, 5.0 + 15.0 * u
        return None

    def _hang_time(self, start: float, real: float, backdated: bool) -> tuple[float, float]:
        """(when the attempt's log goes quiet, its start). Frames running when the farm starts hung long
        enough ago to count as stuck at once; later ones hang part way through."""
        if backdated:
            start = self.now() - 1500.0 - 1500.0 * self._unit(int(start), 2)
            return start + 60.0, start
        return start + real * 0.3, start

    def _hang(self, proc: Proc, at: float) -> None:
        """The attempt stops writing to its log (and never ends by itself): a stuck frame."""
        if self.procs.get((proc.job.index, proc.frame)) is not proc:
            return
        self.quiet_since[proc.id] = at
        proc.duration = float("inf")  # its log stops growing (no more progress lines)

    def llu_time(self, proc: Proc, now: int) -> int:
        """lluTime of a running frame: when its log last changed (RQD reads the log's mtime): a second
        ago while it writes, the moment it went quiet once it hangs."""
        quiet = self.quiet_since.get(proc.id)
        if quiet is not None:
            return int(quiet)
        if self.speed <= 0:
            # A frozen farm writes no log: a running frame's log last changed when the farm froze, however
            # long the farm clock has run since (so a frozen farm's stuck frames do not depend on when it
            # is asked).
            now = min(now, int(self.clock.epoch))
        start = proc.job.f_start[proc.frame]
        return now - 1 if now - 1 > start else start

    def _release(self, proc: Proc) -> None:
        host, job = proc.host, proc.job
        self.quiet_since.pop(proc.id, None)
        host.procs.pop(proc.id, None)
        host.idle_cores += proc.cores
        host.idle_memory += proc.reserved_memory
        if self.procs.pop((job.index, proc.frame), None) is not None:
            self.resources.release(proc)
        job.run.reserved_cores -= proc.cores
        job.layers[job.f_layer[proc.frame]].run.reserved_cores -= proc.cores
        if abs(job.run.reserved_cores) < 1e-6:
            job.run.reserved_cores = 0.0

    def finish_frame(
        self,
        proc: Proc,
        succeed: bool,
        exit_status: int,
        kill_message: str = "",
        requeue: bool | None = None,
        final_state: int | None = None,
    ) -> None:
        """End a running frame: SUCCEEDED, or a failure that retries, dies, or is eaten/requeued."""
        job, i = proc.job, proc.frame
        if self.procs.get((job.index, i)) is not proc:
            return
        self._release(proc)
        now = self.now()
        layer = job.layers[job.f_layer[i]]
        seconds = max(0, int(now - job.f_start[i]))
        rss = int(proc.used_memory * 1.1)
        job.f_stop[i] = int(now)
        job.f_exit[i] = exit_status
        job.f_rss[i] = max(job.f_rss[i], rss)
        for run in (job.run, layer.run):
            run.record(seconds, proc.cores, rss, succeed)
        if not succeed and exit_status > 1:
            # A limit's failure rule may bind the layer (its running frames then count).
            self.resources.frame_failed(layer, exit_status, int(now), self.procs.values())
        if final_state is not None:
            state = final_state
        elif succeed:
            state = SUCCEEDED
        elif requeue or (requeue is None and job.f_retry[i] < job.max_retries):
            state = WAITING
            job.f_retry[i] += 1
        else:
            state = EATEN if job.auto_eat else DEAD
        self.logs.frame_finished(job, i, proc, exit_status, kill_message)
        self.set_state(job, i, state)
        if layer.counts[WAITING] + layer.counts[RUNNING] == 0 and layer.stop_time == 0:
            layer.stop_time = int(now)
        self._update_job_state(job)

    def dispatch(self, budget: int, backdate: bool = False, write_log: bool = True) -> int:
        """Book WAITING frames on free host cores, highest priority first; at most `budget` frames."""
        free = [h for h in self.hosts if h.state == UP and h.lock_state == OPEN and h.idle_cores >= 1]
        if not free:
            return 0
        jobs = [
            j
            for j in self.jobs
            if j.state == PENDING and not j.is_paused and j.counts[WAITING] and j.show.dispatch_enabled
        ]
        jobs.sort(key=lambda j: (-j.priority, j.start_time, j.index))
        booked = 0
        host_pos = 0
        admits = self.resources.admits
        failed: set[tuple[object, ...]] = set()
        # Upper bounds of what any free host can take; lowered when a search fails, so jobs whose next
        # layer fits nowhere are skipped without scanning every host.
        best_cores = max(h.idle_cores for h in free)
        best_memory = max(h.idle_memory for h in free)
        fits: dict[int, bool] = {}  # id(layer) -> some host of the farm could take it (this pass)
        now = self.now()
        for job in jobs:
            if booked >= budget or not free:
                break
            order = job.order()
            p = job.cursor
            # Layers no host of the farm could ever take (more memory or cores than any has, or none has
            # one of its tags): their frames stay WAITING while the job's other layers go on. A layer that
            # only waits for a busy host to free up holds the job back, as before.
            blocked: set[int] = set()
            scanned = 0
            while p < job.total and booked < budget and free:
                if job.max_cores > 0 and job.run.reserved_cores >= job.max_cores:
                    break
                i = order[p]
                if job.f_state[i] != WAITING:
                    p += 1
                    if job.cursor == p - 1:
                        job.cursor = p
                    continue
                layer_index = job.f_layer[i]
                if layer_index in blocked:
                    p += 1
                    scanned += 1
                    if scanned > self.BLOCKED_SCAN:
                        break  # a long job behind a blocked layer: the rest waits for the next pass
                    continue
                layer = job.layers[layer_index]
                # A layer gated by a start-after time later than now is held as one no host can take.
                if (layer.start_after and layer.start_after > now) or not self._fits_somewhere(layer, fits):
                    blocked.add(layer_index)
                    if len(blocked) == len(job.layers):
                        break
                    p += 1
                    continue
                need_cores, need_memory = layer.min_cores, layer.min_memory
                if need_cores > best_cores or need_memory > best_memory:
                    break  # this layer fits nowhere now; try the next job
                # What the placement rules look at: a search that failed for the same needs fails again
                # in this pass (booking only takes room away), so it is not repeated host by host.
                need = (job.show.index, job.group, tuple(layer.tags), tuple(layer.limits), need_cores, need_memory)
                if need in failed:
                    break
                # First fit from a rotating start, so frames spread over hosts.
                chosen = None
                n = len(free)
                for k in range(n):
                    h = free[(host_pos + k) % n]
                    if (
                        h.idle_cores >= need_cores
                        and h.idle_memory >= need_memory
                        and admits(job, layer, h)  # the tags, subscriptions, groups and limits
                    ):
                        chosen = h
                        host_pos = (host_pos + k + 1) % n
                        break
                if chosen is None:
                    best_cores = max(h.idle_cores for h in free)
                    best_memory = max(h.idle_memory for h in free)
                    failed.add(need)
                    break
                self.start_frame(job, i, chosen, backdate=self.rng.random() if backdate else 0.0, write_log=write_log)
                booked += 1
                if chosen.idle_cores < 1:
                    free.remove(chosen)
                p += 1
        return booked

    def _fits_somewhere(self, layer: Layer, cache: dict[int, bool]) -> bool:
        """True when some host that takes frames (UP, not in repair) has the cores, memory and a tag for
        `layer`, busy or not."""
        key = id(layer)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = any(
                h.cores >= layer.min_cores and h.memory >= layer.min_memory and Resources.tags_admit(layer, h)
                for h in self.hosts
                if h.state == UP
            )
        return hit

    # --- time passing ----------------------------------------------------------------------------
    def schedule(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` `delay` real seconds from now, whatever the speed (client actions)."""
        self._due_seq += 1
        heapq.heappush(self._due, (self.clock.monotonic() + delay, self._due_seq, action))

    def apply_due(self) -> None:
        """Apply client actions whose time has come (runs even at speed 0)."""
        now = self.clock.monotonic()
        while self._due and self._due[0][0] <= now:
            _, _, action = heapq.heappop(self._due)
            action()

    def tick(self, real_dt: float) -> None:
        """One scheduler step: due actions always; finishing, dispatch and events only if speed > 0."""
        self.apply_due()
        self.logs.drain_backlog()  # writing queued history logs is not farm activity: also when frozen
        if self.speed <= 0:
            return
        now = self.now()
        while self._ends and self._ends[0][0] <= now:
            _, _, proc = heapq.heappop(self._ends)
            self.finish_frame(proc, proc.succeed, proc.exit_status)
        while self._hangs and self._hangs[0][0] <= now:
            at, _, proc = heapq.heappop(self._hangs)
            self._hang(proc, at)
        # Cuebot kills what ran past its layer's timeout when the host reports (cuetui.demo.timeouts).
        self._timeout_wait -= real_dt
        if self._timeout_wait <= 0:
            self._timeout_wait = CHECK_SECONDS
            enforce_timeouts(self)
        sim_dt = real_dt * self.speed
        self.sim_elapsed += sim_dt
        # Dispatch a few times a second, not every tick: sorting thousands of jobs is the costly part.
        self._dispatch_wait -= real_dt
        if self._dispatch_wait <= 0:
            self._dispatch_wait = self.DISPATCH_INTERVAL
            self.dispatch(budget=max(20, int(200 * self.DISPATCH_INTERVAL * max(1.0, self.speed))))
        self._random_events(sim_dt)
        self.logs.grow_running()

    def _random_events(self, sim_dt: float) -> None:
        rng = self.rng
        now = int(self.now())
        # Host load and memory wander; a host sometimes goes down and later comes back.
        for _ in range(min(len(self.hosts), 1 + len(self.hosts) // 20)):
            host = rng.choice(self.hosts)
            host.ping_time = now
            if host.state == UP:
                busy = 1 - host.idle_cores / host.cores if host.cores else 0
                host.load = int(busy * host.cores * 100 * (0.8 + 0.4 * rng.random()))
                used = host.memory - host.idle_memory
                host.free_memory = max(0, int(host.total_memory - used * 0.8 - rng.random() * GB))
        if rng.random() < sim_dt / 1800.0 * max(1, len(self.hosts) / 50):
            host = rng.choice(self.hosts)
            if host.state == UP and not host.procs:
                host.state = DOWN
                self.schedule(5.0 + 20 * rng.random(), functools.partial(self._host_back, host))
        if self.submit_job is not None and self.sim_elapsed >= self._next_submit:
            self._next_submit = self.sim_elapsed + 120 + 600 * rng.random()
            self.submit_job(self)

    def _host_back(self, host: Host) -> None:
        if host.state in (DOWN, REBOOTING):
            host.state = UP
            host.boot_time = int(self.now())
            host.ping_time = host.boot_time

    # --- consistency -----------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Assert that every counter agrees with the frames and that no resource is over-booked."""
        seen_frames: set[tuple[int, int]] = set()
        for host in self.hosts:
            booked = sum(p.cores for p in host.procs.values())
            assert abs(host.cores - host.idle_cores - booked) < 1e-6, host.name
            assert host.idle_cores >= -1e-6, host.name
            assert host.memory - host.idle_memory == sum(p.reserved_memory for p in host.procs.values())
            assert host.idle_memory >= 0, host.name
            for proc in host.procs.values():
                key = (proc.job.index, proc.frame)
                assert key not in seen_frames, f"frame on two procs: {key}"
                seen_frames.add(key)
                assert proc.job.f_state[proc.frame] == RUNNING
                assert self.procs[key] is proc
        assert set(self.procs) == seen_frames
        running_by_job: dict[int, int] = {}
        reserved_by_job: dict[int, float] = {}
        for (job_index, _i), proc in self.procs.items():
            running_by_job[job_index] = running_by_job.get(job_index, 0) + 1
            reserved_by_job[job_index] = reserved_by_job.get(job_index, 0.0) + proc.cores
        for job in self.jobs:
            counts = [0] * 8
            for s in job.f_state:
                counts[s] += 1
            assert counts == job.counts, (job.name, counts, job.counts)
            assert counts[RUNNING] == running_by_job.get(job.index, 0) or job.f_ids is not None
            reserved = reserved_by_job.get(job.index, 0.0)
            assert abs(reserved - job.run.reserved_cores) < 1e-6, job.name
            for layer in job.layers:
                lc = [0] * 8
                for i in range(layer.offset, layer.offset + layer.count):
                    lc[job.f_state[i]] += 1
                assert lc == layer.counts, (job.name, layer.name)
            c = job.counts
            if job.state == PENDING and job.f_ids is None:
                assert c[WAITING] + c[RUNNING] + c[DEAD] + c[DEPEND] + c[SETUP] > 0 or job.stop_time == 0
