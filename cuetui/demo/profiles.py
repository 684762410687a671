"""Seeded farm profiles: small, studio, huge. Same seed, same ids, names and history."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cuetui.demo import ids
from cuetui.demo.farm import (
    DEAD,
    EATEN,
    FINISHED,
    GB,
    PENDING,
    SUCCEEDED,
    Farm,
    FarmClock,
    Host,
    Job,
    Layer,
    Show,
)
from cuetui.demo.resources import prepare
from cuetui.demo.waits import stage_waits


@dataclass(frozen=True)
class Profile:
    """Sizes of a generated farm."""

    shows: int
    jobs: int
    frames: int
    hosts: int
    finished_share: float
    big_job: int = 0  # frames of one extra-large job (0: none)


PROFILES: dict[str, Profile] = {
    "small": Profile(shows=1, jobs=6, frames=300, hosts=8, finished_share=0.17),
    "studio": Profile(shows=3, jobs=80, frames=20_000, hosts=200, finished_share=0.2),
    "huge": Profile(shows=5, jobs=5_000, frames=300_000, hosts=3_000, finished_share=0.1, big_job=50_000),
    # The scale benchmarks' farm: 20 000 jobs and one 200 000-frame job.
    "scale": Profile(shows=5, jobs=20_000, frames=600_000, hosts=3_000, finished_share=0.1, big_job=200_000),
}

SHOW_NAMES = ("testing", "bigbuck", "nimbus", "redwood", "tidal")
USERS = ("jdoe", "asmith", "mchen", "rpatel", "lgarcia", "okim", "tnguyen", "bmartin")
TASKS = ("lighting", "fx", "anim", "comp", "lookdev", "layout", "cfx")
# (layer name, type, cores, memory GB, base seconds, failure rate, services, command)
LAYER_KINDS = {
    "sim": ("sim", 3, 8.0, 16, 480.0, 0.06, ["houdini"], "hython sim.hip -f #IFRAME#"),
    "render": (
        "render",
        2,
        4.0,
        8,
        360.0,
        0.05,
        ["arnold"],
        "kick -i /shots/{show}/{shot}/render.#IFRAME#.ass",
    ),
    "comp": ("comp", 2, 1.0, 2, 60.0, 0.02, ["nuke"], "nuke -x comp.nk -F #IFRAME#"),
    "preflight": ("preflight", 0, 1.0, 1, 30.0, 0.01, ["shell"], "preflight --check"),
}
TASK_LAYERS = {
    "lighting": ("render", "comp"),
    "fx": ("sim", "render"),
    "anim": ("render",),
    "comp": ("comp",),
    "lookdev": ("render",),
    "layout": ("preflight", "render"),
    "cfx": ("sim",),
}


def build_farm(
    profile: str = "small",
    seed: int = 0,
    speed: float = 1.0,
    clock: FarmClock | None = None,
    log_root: str | None = None,
    loki_url: str = "",
    write_logs: bool = True,
) -> Farm:
    """Generate a whole farm, its history, and the frames running at start (write_logs=False: no files)."""
    spec = PROFILES[profile]
    farm = Farm(seed=seed, speed=speed, clock=clock, log_root=log_root, loki_url=loki_url)
    farm.logs.enabled = write_logs
    rng = random.Random(seed)
    now = farm.now()
    for s in range(spec.shows):
        farm.add_show(Show(s, ids.make_id(farm.id_prefix, ids.SHOW, s), SHOW_NAMES[s]))
    _make_hosts(farm, spec, rng, now)
    _pick_bad_hosts(farm, seed)
    sizes = _job_sizes(spec, rng)
    finished = int(spec.jobs * spec.finished_share)
    finished_set = set(rng.sample(range(spec.jobs), finished))
    varied = profile in VARIED_DEATHS
    for j, size in enumerate(sizes):
        _make_job(farm, rng, j, size, now, finished=j in finished_set, varied_deaths=varied)
    _live_failures(farm, seed)
    if profile in ("studio", "huge"):
        stage_waits(farm, seed)
    prepare(farm.resources, farm.shows, farm.hosts)
    # Fill the farm: the frames that are running when the server starts, started a while ago. Their
    # logs are written lazily (a huge farm would otherwise write ten thousand files before serving).
    farm.dispatch(budget=10**9, backdate=True, write_log=False)
    for host in farm.hosts:
        busy = host.cores - host.idle_cores
        host.load = int(busy * 100 * (0.85 + 0.3 * rng.random())) if host.state == 0 else 0
        host.free_memory = max(0, int(host.total_memory - (host.memory - host.idle_memory) * 0.7 - GB))
    farm.submit_job = _submitter(spec, seed)
    if profile in ("huge", "scale"):
        # Huge compromise: a request writes at most 200 history logs itself, the scheduler the rest.
        farm.logs.sync_limit = 200
    return farm


# Bad hosts: one per this many hosts (at least one). Hung attempts: this share of the attempts.
HOSTS_PER_BAD_HOST = 50
HANG_RATE = 0.02


# The profiles whose history dies of several causes (the frozen studio farm of the screenshots: `4`
# shows a handful of signature groups); the others' history dies of the one missing texture.
VARIED_DEATHS = frozenset({"studio"})


def _pick_bad_hosts(farm: Farm, seed: int) -> None:
    """The bad hosts (one per HOSTS_PER_BAD_HOST): a segfault kills what they take. Chosen with their own
    random generator before the jobs, so the studio's history can have died on them too."""
    rng = random.Random(seed + 424_242)
    usable = [h.index for h in farm.hosts if h.state == 0 and h.lock_state == 0]
    count = max(1, len(farm.hosts) // HOSTS_PER_BAD_HOST)
    farm.bad_hosts = set(rng.sample(usable, min(count, len(usable))))


def _live_failures(farm: Farm, seed: int) -> None:
    """What makes frames die (and hang) while the farm runs, so triage and alerts have something to
    show in the first minutes at the default speed: the bad hosts (`_pick_bad_hosts`), a layer missing
    a texture and a layer running out of memory (in the first jobs the scheduler serves, so their
    retries come round again quickly), and a few attempts that hang. Used only at speed > 0."""
    queue = [j for j in farm.jobs if j.state == PENDING and not j.is_paused and j.counts[0]]
    queue.sort(key=lambda j: (-j.priority, j.start_time, j.index))
    for job, fault in zip(queue, ("texture", "oom"), strict=False):
        waiting = [layer for layer in job.layers if layer.counts[0]]
        layer = waiting[-1] if fault == "texture" else waiting[0]
        farm.layer_faults[(job.index, layer.index)] = fault
    farm.hang_rate = HANG_RATE


def _make_hosts(farm: Farm, spec: Profile, rng: random.Random, now: float) -> None:
    width = max(3, len(str(spec.hosts)))
    for h in range(spec.hosts):
        cores = float(rng.choice((8, 16, 16, 32, 32, 64)))
        memory = int(cores * rng.choice((4, 4, 8))) * GB
        host = Host(
            h,
            ids.make_id(farm.id_prefix, ids.HOST, h),
            f"render{h + 1:0{width}d}",
            cores=cores,
            idle_cores=cores,
            memory=memory,
            idle_memory=memory,
            total_memory=memory + GB,
            free_memory=memory,
            boot_time=int(now - rng.randint(3600, 40 * 86400)),
            ping_time=int(now),
        )
        host.tags = ["general", host.name]
        if h % 37 == 5:
            host.state = 1  # DOWN
        if h % 53 == 7:
            host.lock_state = 1  # LOCKED
        farm.add_host(host)


def _job_sizes(spec: Profile, rng: random.Random) -> list[int]:
    remaining = spec.frames - spec.big_job
    n = spec.jobs - (1 if spec.big_job else 0)
    weights = [rng.random() + 0.2 for _ in range(n)]
    total = sum(weights)
    sizes = [max(2, int(remaining * w / total)) for w in weights]
    sizes[0] += remaining - sum(sizes)
    if spec.big_job:
        sizes.insert(rng.randrange(len(sizes)), spec.big_job)
    return sizes


def _make_job(
    farm: Farm,
    rng: random.Random,
    j: int,
    size: int,
    now: float,
    finished: bool,
    history: bool = True,
    varied_deaths: bool = False,
) -> Job:
    show = farm.shows[j % len(farm.shows)]
    user = rng.choice(USERS)
    task = rng.choice(TASKS)
    shot = f"sh{rng.randint(1, 60) * 10:03d}"
    name = f"{show.name}-{shot}-{user}_{task}_v{rng.randint(1, 30):03d}"
    if name in farm.jobs_by_name:
        name = f"{name}_{j}"
    submitted = now - (rng.uniform(600, 3 * 86400) if history else 0)
    log_dir = os.path.join(farm.log_root or "/tmp/cuetui-demo", show.name, shot, "logs", name)
    job = Job(
        farm,
        j,
        ids.make_id(farm.id_prefix, ids.JOB, j),
        name,
        show,
        shot=shot,
        user=user,
        priority=rng.choice((50, 100, 100, 100, 150, 200)),
        min_cores=1.0,
        max_cores=float(rng.choice((0, 100, 200, 400))),
        log_dir=log_dir,
        start_time=int(submitted),
        uid=1000 + USERS.index(user),
        loki_url=farm.loki_url,
        is_paused=history and rng.random() < 0.08,
    )
    kinds = TASK_LAYERS[task]
    per_layer = max(1, size // len(kinds))
    start_frame = rng.choice((1, 1, 101, 1001))
    for order, kind in enumerate(kinds):
        lname, ltype, cores, mem, base, fail, services, command = LAYER_KINDS[kind]
        count = per_layer if order < len(kinds) - 1 else size - per_layer * (len(kinds) - 1)
        layer = Layer(
            order,
            ids.make_id(farm.id_prefix, ids.LAYER, j, order),
            lname,
            0,
            0,
            range=f"{start_frame}-{start_frame + count - 1}",
            min_cores=cores,
            min_memory=mem * GB,
            dispatch_order=order,
            type=ltype,
            services=list(services),
            is_threadable=cores > 1,
            command=command.format(show=show.name, shot=shot),
            eligible_time=int(submitted),
            base_seconds=base,
            fail_rate=fail,
            tags=["general"],
        )
        job.add_layer(layer)
        job.add_frames(layer, range(start_frame, start_frame + count), submitted)
    if history:
        _history(farm, rng, job, submitted, now, finished, varied_deaths)
    show.created_job_count += 1
    farm.add_job(job)
    return job


def _history(
    farm: Farm, rng: random.Random, job: Job, submitted: float, now: float, finished: bool, varied: bool = False
) -> None:
    """Frames that ran before the server started: a done prefix of the dispatch order. Dead frames died
    of a missing texture, or (`varied`) of what `_cause_of_death` says."""
    total = job.total
    done = total if finished else int(total * rng.choice((0.0, 0.0, 0.2, 0.5, 0.8, 0.95)))
    if done == 0:
        return
    order = job.order()
    hosts = len(farm.hosts)
    span = max(60.0, now - submitted - 60)
    rand = rng.random
    f_state, f_retry, f_attempts, f_exit = job.f_state, job.f_retry, job.f_attempts, job.f_exit
    f_start, f_stop, f_host, f_rss, f_cores, f_updated = (
        job.f_start,
        job.f_stop,
        job.f_host,
        job.f_rss,
        job.f_cores,
        job.f_updated,
    )
    layers = job.layers
    bad_hosts = sorted(farm.bad_hosts) if varied else []
    for p in range(done):
        i = order[p]
        layer = layers[job.f_layer[i]]
        r = rand()
        seconds = int(layer.base_seconds * (0.5 + r))
        start = int(submitted + span * p / max(1, total))
        stop = start + seconds
        if stop > now - 1:
            stop = int(now - 1)
        if r < layer.fail_rate * 2:
            state = DEAD if not finished else EATEN
            retries = job.max_retries
            exit_status = 1
        else:
            state = SUCCEEDED
            retries = 1 if r > 0.97 else 0
            exit_status = 0
        rss = int(layer.min_memory * (0.3 + 0.6 * rand()))
        host = int(rand() * hosts) if hosts else -1
        if bad_hosts and state != SUCCEEDED:
            # The same draws as ever (the seeded farm's names and ids stay), only what they mean differs.
            exit_status, rss, host = _cause_of_death(job, layer, i, r / (layer.fail_rate * 2), rss, host, bad_hosts)
        f_state[i] = state
        f_retry[i] = retries
        f_attempts[i] = retries + 1
        f_exit[i] = exit_status
        f_start[i] = start
        f_stop[i] = stop
        f_host[i] = host
        f_rss[i] = rss
        f_cores[i] = layer.min_cores
        f_updated[i] = stop
        for run in (job.run, layer.run):
            run.record(stop - start, layer.min_cores, rss, state == SUCCEEDED)
        layer.counts[0] -= 1
        layer.counts[state] += 1
        job.counts[0] -= 1
        job.counts[state] += 1
        if layer.start_time == 0 or start < layer.start_time:
            layer.start_time = start
    job.cursor = done
    if finished or job.counts[0] == 0:
        c = job.counts
        if c[DEAD] == 0:
            job.state = FINISHED
            job.stop_time = int(max(job.f_stop))
        for layer in layers:
            layer.stop_time = int(max(job.f_stop[layer.offset : layer.offset + layer.count] or [0]))
    assert job.state in (PENDING, FINISHED)


# The share of the varied history's deaths that were a segfault on a bad host.
BAD_HOST_SHARE = 0.3


def _cause_of_death(
    job: Job, layer: Layer, i: int, u: float, rss: int, host: int, bad_hosts: Sequence[int]
) -> tuple[int, int, int]:
    """(exit status, max RSS, host) of a dead frame of the varied history, from `u` in [0, 1): a
    segfault on a bad host (any layer, and any frame drawn on one), else by the layer: a sim killed for
    memory with its max RSS at its min memory, a comp without a license, a render (or preflight)
    missing its texture."""
    if u >= 1.0 - BAD_HOST_SHARE or host in bad_hosts:  # whatever a bad host takes dies there
        return 139, rss, host if host in bad_hosts else bad_hosts[(job.index + i) % len(bad_hosts)]
    if layer.name == "sim":
        return 137, int(layer.min_memory * (0.96 + 0.06 * u)), host
    if layer.name == "comp":
        return 2, rss, host
    return 1, rss, host


def _submitter(spec: Profile, seed: int) -> Callable[[Farm], Job | None]:
    """New jobs now and then while the farm runs (speed > 0)."""
    rng = random.Random(seed + 1_000_003)
    average = max(4, spec.frames // max(1, spec.jobs))

    def submit(farm: Farm) -> Job | None:
        size = max(2, int(average * (0.3 + rng.random())))
        return _make_job(farm, rng, len(farm.jobs), size, farm.now(), finished=False, history=False)

    return submit
