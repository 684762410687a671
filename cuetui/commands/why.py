"""`cuetui why`, `cuetui depends`, `cuetui drop-depends`: why a job (layer, frame) is not running, and its
dependencies.

`cuetui why JOB [--layer L] [--frame F] [--json]` prints every reason that applies, most decisive first,
with the figure that proves it and the key of its remedy (`--json`: a list of `{reason, detail, figures,
remedy}`); exit 0 when a reason was found, 1 when nothing waits (it is in fact running, or done).
`cuetui depends JOB [--layer L] [--json]` lists what the job (layer) waits on and what waits on it.
`cuetui drop-depends JOB [--layer L] [--all|--internal|--external]` satisfies them (default --all);
`--json` prints what changed as one object.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient

TARGETS = {"all": "ANY_TARGET", "internal": "INTERNAL", "external": "EXTERNAL"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui why`, `cuetui depends` and `cuetui drop-depends`."""
    p = sub.add_parser(
        "why",
        help="why a job, layer or frame is not running",
        description="Every reason a job (or a layer or frame of it) waits, most decisive first, each with the "
        "figure that proves it and the key of its remedy. Exit 0 when a reason was found, 1 when nothing waits.",
    )
    p.add_argument("job", help="job name, part of a name, or id")
    p.add_argument("--layer", help="only this layer")
    p.add_argument("--frame", help="only this frame (name like 0007-render, or a number with --layer)")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_why)

    p = sub.add_parser("depends", help="what a job or layer waits on, and what waits on it")
    p.add_argument("job", help="job name, part of a name, or id")
    p.add_argument("--layer", help="only this layer")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_depends)

    p = sub.add_parser(
        "drop-depends",
        help="satisfy a job's or layer's dependencies",
        description="Satisfy the dependencies of a job (or layer): all of them (default), those inside the job "
        "(--internal) or those on other jobs (--external). Their frames become WAITING.",
    )
    p.add_argument("job", help="job name, part of a name, or id")
    p.add_argument("--layer", help="only this layer's")
    group = p.add_mutually_exclusive_group()
    for name in TARGETS:
        group.add_argument(f"--{name}", dest="target", action="store_const", const=name, help=f"{name} dependencies")
    p.add_argument("--json", action="store_true", help="print what changed as one JSON object")
    p.set_defaults(func=cmd_drop_depends, target="all")
    _common.add_examples(
        sub,
        {
            "why": (
                "cuetui why sh010_lighting                  every reason, most decisive first",
                "cuetui why sh010_lighting --layer comp --json | jq '.[0].remedy'",
            ),
            "depends": ("cuetui depends sh010_lighting --layer comp",),
            "drop-depends": ("cuetui drop-depends sh010_lighting --external",),
        },
    )


def _depend_json(d: Any, left: dict[str, int]) -> dict[str, Any]:
    return {
        "id": d.id,
        "type": d.type,
        "target": d.target,
        "active": d.active,
        "waiting": d.er_name,
        "on": d.on_name,
        "frames_left": left.get(d.id),
    }


def cmd_why(args: argparse.Namespace) -> int:
    """`cuetui why JOB`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.commands.exits import EXIT_FAILURE, EXIT_USAGE
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import dumps
        from cuetui.farm.views.why import NoSuchPart, gather_why
        from cuetui.farm.why import explain

        job = await resolve_job(client, args.job)
        try:
            picture = await gather_why(client, job, args.layer, args.frame)
        except NoSuchPart as exc:
            _common.err(args, str(exc))
            return EXIT_USAGE
        reasons = explain(picture)
        if args.json:
            sys.stdout.write(dumps([r.to_json() for r in reasons]) + "\n")
        elif reasons:
            for r in reasons:
                remedy = f"  [{r.remedy}]" if r.remedy else ""
                print(f"{r.reason:<18} {r.detail}{remedy}")
        else:
            print(f"{job.name}: nothing waits ({'finished' if job.is_finished else 'running'})")
        sys.stdout.flush()
        return 0 if reasons else EXIT_FAILURE

    return _common.run(args, body)


def cmd_depends(args: argparse.Namespace) -> int:
    """`cuetui depends JOB`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.commands.exits import EXIT_USAGE
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import Column, dumps, print_table
        from cuetui.farm.views.depends import NoSuchPart, gather_depends

        job = await resolve_job(client, args.job)
        try:
            deps = await gather_depends(client, job, args.layer)
        except NoSuchPart as exc:
            _common.err(args, str(exc))
            return EXIT_USAGE
        rows = [("waits on", d) for d in deps.waits_on] + [("waited on by", d) for d in deps.waited_by]
        if args.json:
            out = [{"direction": way, **_depend_json(d, deps.frames_left)} for way, d in rows]
            sys.stdout.write(dumps(out) + "\n")
            sys.stdout.flush()
            return 0
        left = deps.frames_left

        def other(row: tuple[str, Any]) -> str:
            way, d = row
            return str(d.on_name if way == "waits on" else d.er_name)

        columns = [
            Column("DIRECTION", lambda r: r[0]),
            Column("TYPE", lambda r: r[1].type),
            Column("OTHER", other, flexible=True, min_width=16),
            Column("STATE", lambda r: "active" if r[1].active else "satisfied"),
            Column("LEFT", lambda r: "" if left.get(r[1].id) is None else str(left[r[1].id]), right=True),
        ]
        print_table(columns, rows)
        return 0

    return _common.run(args, body)


def cmd_drop_depends(args: argparse.Namespace) -> int:
    """`cuetui drop-depends JOB`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.commands.exits import EXIT_FAILURE, EXIT_USAGE
        from cuetui.commands.jobactions import _check_read_only
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import dumps
        from cuetui.farm.views.depends import NoSuchPart, gather_depends

        _check_read_only(settings, "drop dependencies")
        job = await resolve_job(client, args.job)
        try:
            before = await gather_depends(client, job, args.layer)
        except NoSuchPart as exc:
            _common.err(args, str(exc))
            return EXIT_USAGE
        target = TARGETS[args.target]
        dropping = before.active_waits(target)
        result = await FarmActions(client, read_only=settings.read_only).drop_depends(job, before.layer, target)
        if not result.ok:
            _common.err(args, result.errors[0])
            return EXIT_FAILURE
        left = {d.id: 0 for d in dropping}
        what = f"{job.name}/{before.layer.name}" if before.layer is not None else job.name
        if args.json:
            changed: dict[str, Any] = {
                "job": job.name,
                "layer": before.layer.name if before.layer else None,
                "target": target,
                "dropped": [_depend_json(d, left) for d in dropping],
            }
            sys.stdout.write(dumps(changed) + "\n")
        else:
            n = len(dropping)
            print(f"dropped {n} dependenc{'y' if n == 1 else 'ies'} of {what} ({args.target})")
        sys.stdout.flush()
        return 0

    return _common.run(args, body)
