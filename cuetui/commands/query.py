"""Query commands for scripts and quick looks: `shows`, `jobs`, `layers`, `frames`, `hosts`, `procs`.

Default output is an aligned table that fits the terminal (least useful columns dropped first when it is
narrow; every column when piped). `--json` prints exactly one JSON document: a list of objects whose keys
are the gateway model's snake_case field names in proto order, with real numbers, epoch-second
timestamps, memory in KB, cores as numbers, and stats as nested objects:

- `shows`:  Show   {id, name, default_min_cores, …, active, show_stats: {running_frames, dead_frames,
  pending_frames, pending_jobs, …}, …}
- `jobs`:   Job    {id, state, name, shot, show, user, …, priority, …, log_dir, is_paused, start_time,
  stop_time, job_stats: {total_frames, waiting_frames, running_frames, dead_frames, eaten_frames,
  depend_frames, succeeded_frames, pending_frames, …}, …}
- `layers`: Layer  {id, name, range, tags, min_cores, …, min_memory, type, services, layer_stats: {…}, …}
- `frames`: Frame  {id, name, layer_name, number, state, retry_count, exit_status, start_time,
  stop_time, max_rss, used_memory, last_resource, total_core_time, llu_time, …} — streamed page by page
- `hosts`:  Host   {id, name, alloc_name, cores, idle_cores, memory, idle_memory, total_memory,
  free_memory, load, state, lock_state, tags, …}
- `procs`:  Proc   {id, name, show_name, job_name, frame_name, dispatch_time, reserved_memory,
  used_memory, reserved_cores, log_path, services, …}
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.output import Column
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.models import Frame, Host, Job, Layer, Proc, Show


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add shows, jobs, layers, frames, hosts, procs."""
    p = sub.add_parser("shows", help="list shows", description="List the farm's shows with their frame counts.")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_shows)

    p = sub.add_parser(
        "jobs",
        help="list jobs (pending; --finished for all)",
        description="List jobs. Filters combine: shows OR-ed, users OR-ed, then AND-ed. Without --show or "
        "--user, the configured default filters apply (global --show/--user work too).",
    )
    p.add_argument(
        "--show", dest="filter_shows", action="append", type=nonblank, metavar="SHOW", help="only this show (repeat)"
    )
    p.add_argument(
        "--user", dest="filter_users", action="append", type=nonblank, metavar="USER", help="only this user (repeat)"
    )
    p.add_argument("--finished", action="store_true", help="include finished jobs")
    p.add_argument("--match", type=nonblank, metavar="TEXT", help="only jobs whose name contains TEXT")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("layers", help="list the layers of a job", description="List the layers of JOB.")
    p.add_argument("job", type=nonblank, metavar="JOB", help="job name, unique part of a name, or id")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_layers)

    p = sub.add_parser(
        "frames",
        help="list the frames of a job",
        description="List the frames of JOB, optionally only some states, layers or a frame range. "
        "Large jobs are fetched and printed page by page.",
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help="job name, unique part of a name, or id")
    p.add_argument(
        "--state", dest="states", action="append", type=nonblank, metavar="STATE", help="e.g. DEAD, RUNNING (repeat)"
    )
    p.add_argument(
        "--layer", dest="layers", action="append", type=nonblank, metavar="LAYER", help="only this layer (repeat)"
    )
    p.add_argument(
        "--range", dest="frame_range", type=nonblank, metavar="SPEC", help="frame numbers, e.g. 1-100 or 1,3,5"
    )
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_frames)

    p = sub.add_parser("hosts", help="list render hosts", description="List render hosts.")
    p.add_argument(
        "--state", dest="states", action="append", type=nonblank, metavar="STATE", help="e.g. UP, DOWN (repeat)"
    )
    p.add_argument(
        "--alloc", dest="allocs", action="append", type=nonblank, metavar="ALLOC", help="e.g. local.general (repeat)"
    )
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_hosts)

    p = sub.add_parser("procs", help="list running frames on hosts", description="List procs (running frames).")
    p.add_argument(
        "--host", dest="hosts", action="append", type=nonblank, metavar="HOST", help="only this host (repeat)"
    )
    p.add_argument("--job", dest="jobs", action="append", type=nonblank, metavar="JOB", help="only this job (repeat)")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_procs)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "shows": (
                "cuetui shows",
                "cuetui shows --json | jq '.[].name'",
            ),
            "jobs": (
                "cuetui jobs                                     pending jobs (of the configured shows/users)",
                "cuetui jobs --show bigbuck --user jdoe --finished",
                "cuetui jobs --match lighting --json",
            ),
            "layers": ("cuetui layers sh010_lighting                    a unique part of a job name is enough",),
            "frames": (
                "cuetui frames sh010_lighting --state DEAD       the dead frames, with exit status and host",
                "cuetui frames sh010_lighting --layer render --range 1-100 --json",
            ),
            "hosts": (
                "cuetui hosts --state DOWN --state REPAIR",
                "cuetui hosts --alloc local.general --json",
            ),
            "procs": (
                "cuetui procs --host render042                   what a host is running",
                "cuetui procs --job sh010_lighting",
            ),
        },
    )


# --- helpers ------------------------------------------------------------------------------------------


def _columns(*specs: Column) -> list[Column]:
    return list(specs)


def _print(args: argparse.Namespace, columns: list[Column], rows: list[Any]) -> int:
    from cuetui.farm.output import print_json_list, print_table

    if args.json:
        print_json_list(rows)
    else:
        print_table(columns, rows)
    return 0


def _job_state(job: Job) -> str:
    from cuetui.farm.format import enum_text

    return "PAUSED" if job.is_paused and not job.is_finished else enum_text(job.state, "JobState")


def _ratio(done: int, total: int) -> str:
    return f"{done}/{total}"


# --- shows --------------------------------------------------------------------------------------------


def cmd_shows(args: argparse.Namespace) -> int:
    """`cuetui shows`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.format import cores
        from cuetui.farm.output import Column
        from cuetui.farm.views.shows import ShowsView

        shows: list[Show] = sorted((await ShowsView(client).poll()).shows, key=lambda s: s.name)
        columns = _columns(
            Column("SHOW", lambda s: s.name, flexible=True, min_width=12),
            Column("ACTIVE", lambda s: "yes" if s.active else "no", priority=3),
            Column("JOBS", lambda s: s.stats.pending_jobs, right=True, priority=1),
            Column("RUNNING", lambda s: s.stats.running_frames, right=True),
            Column("DEAD", lambda s: s.stats.dead_frames, right=True),
            Column("PENDING", lambda s: s.stats.pending_frames, right=True, priority=1),
            Column("CORES", lambda s: cores(s.stats.reserved_cores), right=True, priority=2),
            Column("ID", lambda s: s.id, priority=9),
        )
        return _print(args, columns, shows)

    return _common.run(args, body)


# --- jobs ---------------------------------------------------------------------------------------------


def job_columns(now: float) -> list[Column]:
    """Table columns for jobs, most useful first."""
    from cuetui.farm.format import age, cores, percent
    from cuetui.farm.output import Column

    return _columns(
        Column("JOB", lambda j: j.name, flexible=True, cut_middle=True, min_width=24),
        Column("STATE", _job_state),
        Column("DONE", lambda j: _ratio(j.stats.succeeded_frames, j.stats.total_frames), right=True),
        Column("%", lambda j: percent(j.stats.succeeded_frames, j.stats.total_frames), right=True, priority=4),
        Column("RUN", lambda j: j.stats.running_frames, right=True, priority=1),
        Column("DEAD", lambda j: j.stats.dead_frames, right=True),
        Column("WAIT", lambda j: j.stats.pending_frames, right=True, priority=3),
        Column("PRI", lambda j: j.priority, right=True, priority=5),
        Column("CORES", lambda j: cores(j.stats.reserved_cores), right=True, priority=5),
        Column("USER", lambda j: j.user, priority=2),
        Column("SHOW", lambda j: j.show, priority=6),
        Column("STARTED", lambda j: age(j.start_time, now), priority=7),
        Column("ID", lambda j: j.id, priority=9),
    )


def cmd_jobs(args: argparse.Namespace) -> int:
    """`cuetui jobs`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.views.jobs import JobScope, JobsView, sorted_by_name

        shows = tuple(args.filter_shows or ()) or tuple(settings.shows)
        users = tuple(args.filter_users or ()) or tuple(settings.users)
        substr: tuple[str, ...] = ()
        if args.match:
            substr = (args.match,) if args.match == args.match.lower() else (args.match, args.match.lower())
        scope = JobScope(shows=shows, users=users, substr=substr, include_finished=args.finished)
        jobs = sorted_by_name((await JobsView(client, scope).poll()).jobs)
        return _print(args, job_columns(time.time()), jobs)

    return _common.run(args, body)


# --- layers -------------------------------------------------------------------------------------------


def cmd_layers(args: argparse.Namespace) -> int:
    """`cuetui layers JOB`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.format import cores, duration, enum_text, memory_kb, percent
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import Column

        job = await resolve_job(client, args.job)
        layers: list[Layer] = sorted(await client.get_layers(job.id), key=lambda lay: lay.dispatch_order)
        columns = _columns(
            Column("LAYER", lambda lay: lay.name, flexible=True, min_width=12),
            Column("TYPE", lambda lay: enum_text(lay.type, "LayerType"), priority=4),
            Column("DONE", lambda lay: _ratio(lay.stats.succeeded_frames, lay.stats.total_frames), right=True),
            Column(
                "%", lambda lay: percent(lay.stats.succeeded_frames, lay.stats.total_frames), right=True, priority=3
            ),
            Column("RUN", lambda lay: lay.stats.running_frames, right=True, priority=1),
            Column("DEAD", lambda lay: lay.stats.dead_frames, right=True),
            Column("WAIT", lambda lay: lay.stats.pending_frames, right=True, priority=2),
            Column("CORES", lambda lay: cores(lay.min_cores), right=True, priority=5),
            Column("MEM", lambda lay: memory_kb(lay.min_memory), right=True, priority=5),
            Column("AVG", lambda lay: duration(lay.stats.avg_frame_sec) if lay.stats.avg_frame_sec else "", priority=4),
            Column("SERVICES", lambda lay: ",".join(lay.services), priority=6),
            Column("RANGE", lambda lay: lay.range, priority=7),
            Column("ID", lambda lay: lay.id, priority=9),
        )
        return _print(args, columns, layers)

    return _common.run(args, body)


# --- frames -------------------------------------------------------------------------------------------


def frame_columns(now: float) -> list[Column]:
    """Table columns for frames, most useful first."""
    from cuetui.farm.format import duration, enum_text, memory_kb, timestamp
    from cuetui.farm.output import Column

    def runtime(f: Frame) -> str:
        if not f.start_time:
            return ""
        end = f.stop_time if f.stop_time else now
        return duration(max(0, end - f.start_time))

    return _columns(
        Column("FRAME", lambda f: f.name, flexible=True, min_width=12),
        Column("STATE", lambda f: enum_text(f.state, "FrameState")),
        Column("EXIT", lambda f: f.exit_status if f.start_time else "", right=True, priority=2),
        Column("TRIES", lambda f: f.retry_count, right=True, priority=3),
        Column("HOST", lambda f: f.host, priority=1),
        Column("STARTED", lambda f: timestamp(f.start_time, now), priority=5),
        Column("TIME", runtime, right=True, priority=2),
        Column("MAXRSS", lambda f: memory_kb(f.max_rss), right=True, priority=4),
        Column("ID", lambda f: f.id, priority=9),
    )


def frame_search_from(args: argparse.Namespace) -> Any:
    """The FrameSearch for `--state/--layer/--range` (unknown states are refused by the builder)."""
    from cuetui.commands.jobactions import FRAME_SET
    from cuetui.gateway.errors import RefusedRequest
    from cuetui.gateway.requests import FrameSearch

    if args.frame_range and not FRAME_SET.match(args.frame_range):
        raise RefusedRequest(f"bad frame range {args.frame_range!r}: use numbers like 1-100 or 1,3,5")
    search = FrameSearch(
        states=tuple(args.states or ()), layers=tuple(args.layers or ()), frame_range=args.frame_range or ""
    )
    search.filter_json()  # refuse an unknown state name now, before any request
    return search


def cmd_frames(args: argparse.Namespace) -> int:
    """`cuetui frames JOB`."""

    from cuetui.gateway.errors import RefusedRequest

    try:
        search = frame_search_from(args)
    except RefusedRequest as exc:
        _common.err(args, str(exc))
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import JsonListWriter, cells, render_cells, terminal_width

        job = await resolve_job(client, args.job)
        expected = job.stats.total_frames if search.is_empty() else None
        seen: set[str] = set()
        if args.json:
            # Each page is written as it arrives and then dropped: a 50 000-frame job is never held twice.
            with JsonListWriter() as writer:
                async for page in client.iter_frame_pages(job.id, search, expected=expected):
                    fresh = [frame for frame in page if frame.id not in seen]
                    seen.update(frame.id for frame in fresh)
                    writer.write_all(fresh)
            return 0
        columns = frame_columns(time.time())
        grid: list[list[str]] = []  # only the cell texts are kept, not the models
        async for page in client.iter_frame_pages(job.id, search, expected=expected):
            for frame in page:
                if frame.id not in seen:
                    seen.add(frame.id)
                    grid.append(cells(columns, frame))
        for line in render_cells(columns, grid, terminal_width()):
            sys.stdout.write(line + "\n")
        return 0

    return _common.run(args, body)


# --- hosts --------------------------------------------------------------------------------------------


def cmd_hosts(args: argparse.Namespace) -> int:
    """`cuetui hosts`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.format import age, cores, enum_text, memory_kb
        from cuetui.farm.output import Column
        from cuetui.farm.views.hosts import HostScope, HostsView

        # An unknown state name is refused before anything is sent.
        view = HostsView(client, HostScope(states=tuple(args.states or ()), allocs=tuple(args.allocs or ())))
        hosts: list[Host] = sorted((await view.poll()).hosts, key=lambda h: h.name)
        now = time.time()
        columns = _columns(
            Column("HOST", lambda h: h.name, flexible=True, min_width=10),
            Column("STATE", lambda h: enum_text(h.state, "HardwareState")),
            Column("LOCK", lambda h: enum_text(h.lock_state, "LockState"), priority=2),
            Column("IDLE/CORES", lambda h: f"{cores(h.idle_cores)}/{cores(h.cores)}", right=True),
            Column("IDLE MEM", lambda h: f"{memory_kb(h.idle_memory)}/{memory_kb(h.memory)}", right=True, priority=1),
            Column("LOAD", lambda h: f"{h.load / 100:.2f}", right=True, priority=3),
            Column("ALLOC", lambda h: h.alloc_name, priority=4),
            Column("GPUS", lambda h: f"{cores(h.idle_gpus)}/{cores(h.gpus)}" if h.gpus else "", priority=6),
            Column("PING", lambda h: age(h.ping_time, now), priority=5),
            Column("OS", lambda h: h.os, priority=7),
            Column("TAGS", lambda h: ",".join(h.tags), priority=8),
            Column("ID", lambda h: h.id, priority=9),
        )
        return _print(args, columns, hosts)

    return _common.run(args, body)


# --- procs --------------------------------------------------------------------------------------------


def cmd_procs(args: argparse.Namespace) -> int:
    """`cuetui procs`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.format import cores, duration, memory_kb
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import Column
        from cuetui.gateway.requests import ProcSearch

        job_names = [(await resolve_job(client, query)).name for query in args.jobs or ()]
        search = ProcSearch(hosts=tuple(args.hosts or ()), jobs=tuple(job_names))
        procs: list[Proc] = sorted(await client.get_procs(search), key=lambda p: (p.host, p.job_name, p.frame_name))
        now = time.time()
        columns = _columns(
            Column("HOST", lambda p: p.host),
            Column("JOB", lambda p: p.job_name, flexible=True, cut_middle=True, min_width=20),
            Column("FRAME", lambda p: p.frame_name),
            Column("CORES", lambda p: cores(p.reserved_cores), right=True, priority=2),
            Column(
                "MEM", lambda p: f"{memory_kb(p.used_memory)}/{memory_kb(p.reserved_memory)}", right=True, priority=1
            ),
            Column(
                "TIME", lambda p: duration(now - p.dispatch_time) if p.dispatch_time else "", right=True, priority=1
            ),
            Column("SERVICES", lambda p: ",".join(p.services), priority=5),
            Column("SHOW", lambda p: p.show_name, priority=4),
            Column("ID", lambda p: p.id, priority=9),
        )
        return _print(args, columns, procs)

    return _common.run(args, body)
