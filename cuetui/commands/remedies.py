"""Remedies for scripts on frame order, procs and hosts: `reorder`, `stagger`, `mark-waiting`, `unbook`,
`host-set`, `reboot`.

They never prompt and honour read-only mode. Input is checked before anything is sent (a frame range
parsed as Cuebot's frame sets, tags one word each, `--layer` not empty): a usage error exits 2 with
nothing sent. `--json` prints what changed as one object. Exit status: 0 done, 1 the gateway refused
it, 2 usage error (or read-only, unknown job/host/layer/allocation), 3 gateway unreachable.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.actions import ActionResult, RemedyActions
    from cuetui.farm.frame_range import FrameRange
    from cuetui.gateway.client import GatewayClient

JOB_HELP = "job name, unique part of a name, or id"
RANGE_HELP = "frame numbers as Cuebot's frame sets: 1-100, 1-100x3, 1,5,9"


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print what changed as one JSON object")


def _positive(value: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add reorder, stagger, mark-waiting, unbook, host-set, reboot."""
    p = sub.add_parser("reorder", help="move frames of a job first or last in dispatch order, or reverse them")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--frames", required=True, metavar="RANGE", help=RANGE_HELP)
    p.add_argument("--order", required=True, type=str.upper, choices=("FIRST", "LAST", "REVERSE"), metavar="ORDER")
    p.add_argument("--layer", type=nonblank, metavar="LAYER", help="only this layer's frames")
    _json_flag(p)
    p.set_defaults(func=cmd_reorder)

    p = sub.add_parser("stagger", help="stagger frames of a job: every Nth frame first, then the gaps")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--frames", required=True, metavar="RANGE", help=RANGE_HELP)
    p.add_argument("--increment", required=True, type=_positive, metavar="N", help="the stagger, at least 1")
    p.add_argument("--layer", type=nonblank, metavar="LAYER", help="only this layer's frames")
    _json_flag(p)
    p.set_defaults(func=cmd_stagger)

    p = sub.add_parser(
        "mark-waiting", help="release frames held by a dependency: DEPEND becomes WAITING, others left as they are"
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--frames", required=True, metavar="RANGE", help=RANGE_HELP)
    p.add_argument("--layer", type=nonblank, metavar="LAYER", help="only this layer's frames")
    _json_flag(p)
    p.set_defaults(func=cmd_mark_waiting)

    p = sub.add_parser("unbook", help="unbook the procs of a host (their frames finish, or --kill them)")
    p.add_argument("--host", required=True, type=nonblank, metavar="HOST", help="the host's exact name")
    p.add_argument("--job", type=nonblank, metavar="JOB", help="only the procs of this job (exact name)")
    p.add_argument("--kill", action="store_true", help="kill their frames now (they wait again, with a retry)")
    _json_flag(p)
    p.set_defaults(func=cmd_unbook)

    p = sub.add_parser("host-set", help="set a host's allocation, tags or hardware state")
    p.add_argument("host", type=nonblank, metavar="HOST", help="the host's exact name")
    p.add_argument("--alloc", type=nonblank, metavar="ALLOC", help="move it to this allocation")
    p.add_argument("--add-tags", metavar="T1,T2", help="add these tags")
    p.add_argument("--remove-tags", metavar="T1,T2", help="remove these tags")
    p.add_argument("--state", type=str.upper, choices=("UP", "REPAIR"), metavar="STATE", help="UP or REPAIR")
    _json_flag(p)
    p.set_defaults(func=cmd_host_set)

    p = sub.add_parser("reboot", help="reboot a host now (its frames die and wait again), or --when-idle")
    p.add_argument("host", type=nonblank, metavar="HOST", help="the host's exact name")
    p.add_argument("--when-idle", action="store_true", help="once its running frames have finished")
    _json_flag(p)
    p.set_defaults(func=cmd_reboot)

    _common.add_examples(
        sub,
        {
            "reorder": ("cuetui reorder sh010_lighting --frames 1-100x10 --order first",),
            "stagger": ("cuetui stagger sh010_lighting --frames 1-100 --increment 5 --layer render",),
            "mark-waiting": ("cuetui mark-waiting sh010_lighting --frames 40-45",),
            "unbook": ("cuetui unbook --host render042 --job sh010_lighting --kill",),
            "host-set": ("cuetui host-set render042 --state REPAIR --add-tags bad_ram",),
            "reboot": ("cuetui reboot render042 --when-idle",),
        },
    )


# --- shared --------------------------------------------------------------------------------------------


def _range(args: argparse.Namespace) -> FrameRange | None:
    from cuetui.farm.frame_range import parse_frame_range

    try:
        return parse_frame_range(args.frames)
    except ValueError as exc:
        _common.err(args, str(exc))
        return None


def _actions(settings: Settings, client: GatewayClient, what: str) -> RemedyActions:
    from cuetui.farm.actions import ReadOnlyError, RemedyActions

    if settings.read_only:  # before any read: nothing at all is sent
        raise ReadOnlyError(f"read-only mode: {what} not sent")
    return RemedyActions(client, read_only=settings.read_only)


def _finish(args: argparse.Namespace, results: list[ActionResult], changed: dict[str, Any]) -> int:
    from cuetui.commands.exits import EXIT_FAILURE
    from cuetui.farm.text import safe

    failed = [r for r in results if not r.ok]
    if args.json:
        changed["ok"] = not failed
        changed["errors"] = [e for r in results for e in r.errors]
        print(json.dumps(changed), flush=True)
    else:
        for r in results:
            if r.ok:
                print(safe(r.message, 300), flush=True)
    for r in failed:
        _common.err(args, safe(r.message, 300))
    return EXIT_FAILURE if failed else 0


def _run(args: argparse.Namespace, body: Callable[[Settings, GatewayClient], Awaitable[int]]) -> int:
    return _common.run(args, body)


# --- frames --------------------------------------------------------------------------------------------


def _frames_command(
    args: argparse.Namespace,
    what: str,
    act: Callable[[RemedyActions, Any, FrameRange, Any], Awaitable[ActionResult]],
    extra: dict[str, Any],
) -> int:
    frames = _range(args)
    if frames is None:
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.jobmatch import resolve_job

        actions = _actions(settings, client, what)
        job = await resolve_job(client, args.job)
        layer = await actions.find_layer(job, args.layer) if args.layer else None
        result = await act(actions, job, frames, layer)
        changed = {"job": job.name, "layer": args.layer, "frames": frames.text, "frame_count": len(frames), **extra}
        return _finish(args, [result], changed)

    return _run(args, body)


def cmd_reorder(args: argparse.Namespace) -> int:
    """`cuetui reorder JOB --frames RANGE --order first|last|reverse [--layer L]`."""
    return _frames_command(
        args,
        "reorder frames",
        lambda actions, job, frames, layer: actions.reorder_frames(job, frames, args.order, layer),
        {"order": args.order},
    )


def cmd_stagger(args: argparse.Namespace) -> int:
    """`cuetui stagger JOB --frames RANGE --increment N [--layer L]`."""
    return _frames_command(
        args,
        "stagger frames",
        lambda actions, job, frames, layer: actions.stagger_frames(job, frames, args.increment, layer),
        {"increment": args.increment},
    )


def cmd_mark_waiting(args: argparse.Namespace) -> int:
    """`cuetui mark-waiting JOB --frames RANGE [--layer L]`: only the frames held by a dependency (DEPEND)
    change (Cuebot leaves the others as they are); none of them DEPEND: nothing sent, exit 0."""
    frames = _range(args)
    if frames is None:
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import left_alone, waiting_note
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.text import safe
        from cuetui.gateway.requests import FrameSearch

        actions = _actions(settings, client, "mark as waiting")
        job = await resolve_job(client, args.job)
        layer = await actions.find_layer(job, args.layer) if args.layer else None
        layers = [layer.name] if layer is not None else []
        chosen = await client.get_all_frames(job.id, FrameSearch(frame_range=frames.text, layers=layers))
        states = [f.state for f in chosen]
        held = sum(1 for state in states if state == "DEPEND")
        note = waiting_note(states)
        changed: dict[str, Any] = {
            "job": job.name,
            "layer": args.layer,
            "frames": frames.text,
            "frame_count": len(frames),
            "state": "WAITING",
            "matched_frames": len(chosen),
            "depend_frames": held,
            "note": note,
        }
        if not held:  # nothing Cuebot would change: nothing sent
            changed["changed_frames"] = 0
            if not args.json:
                print(safe(note, 300), flush=True)
            return _finish(args, [], changed)
        search = FrameSearch(frame_range=frames.text, layers=layers, states=["DEPEND"])
        result = await actions.mark_waiting(job, search, count=held, note=left_alone(len(chosen) - held))
        changed["changed_frames"] = result.frames or 0
        return _finish(args, [result], changed)

    return _run(args, body)


# --- procs and hosts -----------------------------------------------------------------------------------


def cmd_unbook(args: argparse.Namespace) -> int:
    """`cuetui unbook --host H [--job J] [--kill]`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import ActionResult

        actions = _actions(settings, client, "unbook")
        host = await client.find_host(args.host)
        procs = await client.get_host_procs(host.id)
        if args.job:
            procs = [p for p in procs if p.job_name == args.job]
        changed: dict[str, Any] = {
            "host": host.name,
            "job": args.job,
            "kill": args.kill,
            "procs": [p.frame_name for p in procs],
        }
        if not procs:
            result = ActionResult("unbooked", 0, 0, unit="proc")
            if not args.json:
                print(f"no procs on {host.name}{' of ' + args.job if args.job else ''}: nothing unbooked", flush=True)
                return 0
            return _finish(args, [result], changed)
        return _finish(args, [await actions.unbook_procs(procs, kill=args.kill)], changed)

    return _run(args, body)


def cmd_host_set(args: argparse.Namespace) -> int:
    """`cuetui host-set HOST [--alloc A] [--add-tags T1,T2] [--remove-tags T] [--state UP|REPAIR]`."""
    from cuetui.farm.actions import parse_tags
    from cuetui.gateway.errors import RefusedRequest

    try:
        add = parse_tags(args.add_tags) if args.add_tags is not None else []
        remove = parse_tags(args.remove_tags) if args.remove_tags is not None else []
    except RefusedRequest as exc:
        _common.err(args, str(exc))
        return 2
    if not (args.alloc or add or remove or args.state):
        _common.err(args, "nothing to set: give --alloc, --add-tags, --remove-tags or --state")
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        actions = _actions(settings, client, "host settings")
        host = await client.find_host(args.host)
        results = []
        changed: dict[str, Any] = {"host": host.name}
        if args.alloc:
            results.append(await actions.set_allocation([host], args.alloc))
            changed["alloc"] = args.alloc
        if add:
            results.append(await actions.add_tags([host], add))
            changed["added_tags"] = add
        if remove:
            results.append(await actions.remove_tags([host], remove))
            changed["removed_tags"] = remove
        if args.state:
            results.append(await actions.set_hardware_state([host], args.state))
            changed["state"] = args.state
        return _finish(args, results, changed)

    return _run(args, body)


def cmd_reboot(args: argparse.Namespace) -> int:
    """`cuetui reboot HOST [--when-idle]`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        actions = _actions(settings, client, "reboot")
        host = await client.find_host(args.host)
        result = await (actions.reboot_when_idle([host]) if args.when_idle else actions.reboot([host]))
        return _finish(args, [result], {"host": host.name, "when_idle": args.when_idle})

    return _run(args, body)
