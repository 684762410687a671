"""`cuetui dead`: the dead frames of the farm (or of some shows or jobs), grouped by what went wrong.

Groups by error signature by default (the first error line of each frame's log with its varying parts
replaced, see `cuetui.farm.signatures`), or by exit status, host, or not at all. Logs are read in
parallel with a bound, newest deaths first; on a terminal, stderr shows how many have been read.

`--json` prints one list of groups, largest first, each
`{signature, example, count, jobs: [names], hosts: [names], frames: [{job, frame, id, host, exit_status,
retry_count, died_at}], first_death, last_death}` (times in epoch seconds).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from cuetui.commands import _common

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.dead import DeadGroup, ReadProgress
    from cuetui.farm.output import Column
    from cuetui.gateway.client import GatewayClient

GROUP_CHOICES = ("signature", "exit", "host", "none")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui dead`."""
    p = sub.add_parser(
        "dead",
        help="dead frames grouped by error signature, exit status or host",
        description="Dead frames of the pending jobs (of the configured shows and users, or --show/--job), "
        "grouped by error signature: the first error line of each frame's log, with numbers, frame numbers, "
        "ids, timestamps and temp paths replaced, so one failure on many frames is one group.",
    )
    p.add_argument("--show", dest="filter_shows", action="append", metavar="SHOW", help="only this show (repeat)")
    p.add_argument("--job", dest="filter_jobs", action="append", metavar="JOB", help="only this job (repeat)")
    p.add_argument(
        "--group",
        choices=GROUP_CHOICES,
        default="signature",
        help="group by error signature (default), exit status, host, or none",
    )
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_dead)
    _common.add_examples(
        sub,
        {
            "dead": (
                "cuetui dead                                     what killed the frames, one line per failure",
                "cuetui dead --show bigbuck --group host          hosts behind many deaths",
                "cuetui dead --job sh010_lighting --json | jq '.[0].frames[].frame'",
            ),
        },
    )


def _progress_line(partial: ReadProgress) -> None:
    sys.stderr.write(f"\rreading logs {partial.done}/{partial.total}")
    if partial.finished:
        sys.stderr.write("\r\033[K")
    sys.stderr.flush()


def _columns(now: float) -> list[Column]:
    from cuetui.farm.format import age
    from cuetui.farm.output import Column

    def count_of(names: tuple[str, ...]) -> str:
        return names[0] if len(names) == 1 else str(len(names))

    return [
        Column("COUNT", lambda g: g.count, right=True),
        Column("JOBS", lambda g: count_of(g.jobs), priority=2, min_width=4),
        Column("HOSTS", lambda g: count_of(g.hosts), priority=3, min_width=5),
        Column("FIRST", lambda g: age(g.first_death, now) if g.first_death else "", priority=4),
        Column("LAST", lambda g: age(g.last_death, now) if g.last_death else "", priority=1),
        Column("SIGNATURE", lambda g: g.signature, flexible=True, min_width=24),
        Column("EXAMPLE", lambda g: g.example if g.example != g.signature else "", priority=5, flexible=False),
    ]


def cmd_dead(args: argparse.Namespace) -> int:
    """`cuetui dead`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.dead import SignatureReader, fetch_dead_frames, group_dead
        from cuetui.farm.jobmatch import resolve_jobs
        from cuetui.farm.output import dumps, print_table
        from cuetui.gateway.requests import JobSearch

        if args.filter_jobs:
            jobs = await resolve_jobs(client, args.filter_jobs)
        else:
            shows = tuple(args.filter_shows or ()) or settings.shows
            jobs = await client.get_jobs(JobSearch(shows=shows, users=settings.users))
        dead = await fetch_dead_frames(client, jobs)
        reader = SignatureReader(
            log_path_map=settings.log_path_map, loki_url=settings.loki_url or "", patterns=settings.triage_patterns
        )
        show_progress = not args.json and sys.stderr.isatty() and bool(dead)
        try:
            signatures = await reader.read_all(dead, _progress_line if show_progress else None)
        finally:
            await reader.aclose()
        groups: list[DeadGroup] = group_dead(dead, signatures, args.group)
        if args.json:
            sys.stdout.write(dumps([g.to_json() for g in groups]) + "\n")
            sys.stdout.flush()
        else:
            print_table(_columns(time.time()), groups)
        return 0

    return _common.run(args, body)
