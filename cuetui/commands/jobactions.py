"""Action commands for scripts: `pause`, `resume`, `priority`, `retry`, `eat`, `kill`, `kill-frames`.

They never prompt. Each resolves JOB (exact name or id, else a unique substring; finished jobs too),
counts the frames its criteria match with GetFrames *before* acting, sends one request through
FarmActions (which enforces read-only), and prints one line saying what it did and how many frames.
Criteria that match no frame are not a failure: nothing is sent, the line says `0 frames`, exit 0.

Empty criteria are refused: RetryFrames/EatFrames with no filter would act on every frame of the job.
So `retry JOB` and `eat JOB` with no criteria mean the dead frames (`--state DEAD`), which is what a
wrangler means by "retry the job"; `kill-frames` needs criteria or `--all-running`.

Exit status: 0 done (or 0 frames), 1 the gateway failed the action, 2 usage error / job not found /
read-only / refused criteria, 3 gateway unreachable or token refused.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.actions import ActionResult, FarmActions
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.models import Job

# A frame set as Cuebot takes it: "7", "1-100", "1-100x5", "1,3,5-9" (numbers, ranges, steps).
FRAME_SET = re.compile(r"^\s*-?\d+(?:-\-?\d+(?:[xy:]\d+)?)?(?:\s*,\s*-?\d+(?:-\-?\d+(?:[xy:]\d+)?)?)*\s*$")
_FRAME_NAME = re.compile(r"^\d+-\S+$")

JOB_HELP = "job name, unique part of a name, or id (finished jobs too)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add pause, resume, priority, retry, eat, kill, kill-frames."""
    p = sub.add_parser("pause", help="pause a job (running frames finish, no new ones start)")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.set_defaults(func=cmd_pause)

    p = sub.add_parser("resume", help="resume a paused job")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.set_defaults(func=cmd_resume)

    p = sub.add_parser("priority", help="set a job's priority")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("value", type=nonblank, metavar="N", help="the new priority, a whole number from 0 to 1000000")
    p.set_defaults(func=cmd_priority)

    p = sub.add_parser(
        "retry",
        help="retry frames of a job (default: its dead frames)",
        description="Re-queue the frames of JOB that match the criteria. With no criteria at all, the dead "
        "frames are retried (as --state DEAD). Note that Cuebot re-queues any matching frame that is not "
        "running, succeeded ones included: combine --frames/--layer with --state to stay narrow.",
    )
    _frame_criteria(p, with_state=True)
    p.set_defaults(func=cmd_retry)

    p = sub.add_parser(
        "eat",
        help="eat frames of a job (default: its dead frames)",
        description="Mark the frames of JOB that match the criteria EATEN (done, not rendered); running "
        "matches are killed. With no criteria at all, the dead frames are eaten (as --state DEAD).",
    )
    _frame_criteria(p, with_state=True)
    p.set_defaults(func=cmd_eat)

    p = sub.add_parser("kill", help="kill a whole job (needs --reason)")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--reason", required=True, type=nonblank, help="why; Cuebot ignores a kill without a reason")
    p.set_defaults(func=cmd_kill)

    p = sub.add_parser(
        "kill-frames",
        help="kill running frames of a job (needs --reason and criteria)",
        description="Kill the running frames of JOB that match --frames/--layer; they go back to waiting "
        "(or die after their retries). To kill every running frame of the job, pass --all-running.",
    )
    _frame_criteria(p, with_state=False)
    p.add_argument("--all-running", action="store_true", help="every running frame of the job")
    p.add_argument("--reason", required=True, type=nonblank, help="why; recorded by Cuebot")
    p.set_defaults(func=cmd_kill_frames)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "pause": ("cuetui pause sh010_lighting",),
            "resume": ("cuetui resume sh010_lighting",),
            "priority": ("cuetui priority sh010_lighting 200",),
            "retry": (
                "cuetui retry sh010_lighting                     retry its dead frames",
                "cuetui retry sh010_lighting --layer render --range 1-20",
            ),
            "eat": ("cuetui eat sh010_lighting --frames 0042-render  give up on one frame (the job can finish)",),
            "kill": ('cuetui kill sh010_lighting --reason "wrong camera, resubmitting"',),
            "kill-frames": (
                'cuetui kill-frames sh010_lighting --frames 0042-render --reason "stuck at 99%"',
                'cuetui kill-frames sh010_lighting --all-running --reason "license server down"',
            ),
        },
    )


def _frame_criteria(p: argparse.ArgumentParser, *, with_state: bool) -> None:
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    if with_state:
        p.add_argument(
            "--state", dest="states", action="append", type=nonblank, metavar="STATE", help="e.g. DEAD (repeat)"
        )
    p.add_argument(
        "--frames",
        type=nonblank,
        metavar="SPEC",
        help="frame numbers (1-100, 1,3,5, 1-100x5) or frame names (0007-render,0008-render)",
    )
    p.add_argument(
        "--range", dest="frame_range", type=nonblank, metavar="SPEC", help="frame numbers, like --frames 1-100"
    )
    p.add_argument(
        "--layer", dest="layers", action="append", type=nonblank, metavar="LAYER", help="only this layer (repeat)"
    )


def frame_search(args: argparse.Namespace, *, default_dead: bool) -> tuple[Any, str]:
    """The FrameSearch the flags describe and a short text for it ("state DEAD, layer render").

    Raises RefusedRequest for a malformed spec or unknown state; with `default_dead` and no criteria at
    all, the search is the DEAD frames.
    """
    from cuetui.farm.text import visible
    from cuetui.gateway.errors import RefusedRequest
    from cuetui.gateway.requests import FrameSearch

    names: list[str] = []
    ranges: list[str] = []
    for spec in (getattr(args, "frames", None), getattr(args, "frame_range", None)):
        if spec is None:
            continue
        if not visible(spec) or not spec.replace(",", "").strip():
            raise RefusedRequest("an empty frame spec would match every frame: give frame numbers or names")
        if FRAME_SET.match(spec):
            ranges.append(spec.replace(" ", ""))
        elif all(_FRAME_NAME.match(part.strip()) for part in spec.split(",") if part.strip()):
            names.extend(part.strip() for part in spec.split(",") if part.strip())
        else:
            raise RefusedRequest(
                f"bad frame spec {spec!r}: use numbers like 1-100 or 1,3,5, or frame names like 0007-render"
            )
    if len(ranges) > 1:
        raise RefusedRequest("give one frame range (--frames or --range), not both")
    states = [s.strip().upper() for s in getattr(args, "states", None) or () if s.strip()]
    layers = [lay for lay in getattr(args, "layers", None) or () if lay.strip()]
    search = FrameSearch(states=states, layers=layers, frames=names, frame_range=ranges[0] if ranges else "")
    search.filter_json()  # unknown state names are refused here, before any request
    if search.is_empty() and default_dead:
        search = FrameSearch(states=["DEAD"])
    return search, describe(search)


def describe(search: Any) -> str:
    """`state DEAD, layer render, frames 1-10` for a FrameSearch."""
    parts = []
    if search.states:
        parts.append(f"state {','.join(s.upper() for s in search.states)}")
    if search.layers:
        parts.append(f"layer {','.join(search.layers)}")
    if search.frame_range:
        parts.append(f"frames {search.frame_range}")
    if search.frames:
        parts.append(f"frames {','.join(search.frames)}")
    return ", ".join(parts) or "all frames"


def _name(job: Job) -> str:
    from cuetui.farm.text import safe

    return safe(job.name)


def _frames_of(job: Job) -> str:
    s = job.stats
    parts = [f"{s.succeeded_frames} succeeded", f"{s.running_frames} running"]
    if s.dead_frames:
        parts.append(f"{s.dead_frames} dead")
    if s.eaten_frames:
        parts.append(f"{s.eaten_frames} eaten")
    parts.append(f"{s.pending_frames} waiting")
    return f"{s.total_frames} frame{'s' if s.total_frames != 1 else ''} ({', '.join(parts)})"


def _plural(n: int) -> str:
    return f"{n} frame{'s' if n != 1 else ''}"


def _check_read_only(settings: Settings, what: str) -> None:
    # FarmActions refuses too; checking first means nothing at all is sent, not even the count.
    if settings.read_only:
        from cuetui.farm.actions import ReadOnlyError

        raise ReadOnlyError(f"read-only mode: {what} not sent")


def _finish(args: argparse.Namespace, result: ActionResult, line: str) -> int:
    from cuetui.commands.exits import EXIT_FAILURE

    if not result.ok:
        _common.err(args, result.errors[0])
        return EXIT_FAILURE
    print(line, flush=True)
    return 0


def _job_action(args: argparse.Namespace, what: str, act: Callable[[FarmActions, Job], Awaitable[int]]) -> int:
    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions as Actions
        from cuetui.farm.jobmatch import resolve_job

        _check_read_only(settings, what)
        job = await resolve_job(client, args.job)
        return await act(Actions(client, read_only=settings.read_only), job)

    return _common.run(args, body)


def cmd_pause(args: argparse.Namespace) -> int:
    """`cuetui pause JOB`."""

    async def act(actions: FarmActions, job: Job) -> int:
        result = await actions.pause([job])
        note = " (already paused)" if job.is_paused else ""
        return _finish(args, result, f"paused {_name(job)}{note}: {_frames_of(job)}")

    return _job_action(args, "pause", act)


def cmd_resume(args: argparse.Namespace) -> int:
    """`cuetui resume JOB`."""

    async def act(actions: FarmActions, job: Job) -> int:
        result = await actions.resume([job])
        note = "" if job.is_paused else " (was not paused)"
        return _finish(args, result, f"resumed {_name(job)}{note}: {_frames_of(job)}")

    return _job_action(args, "resume", act)


def cmd_priority(args: argparse.Namespace) -> int:
    """`cuetui priority JOB N`."""
    from cuetui.farm.actions import parse_priority

    try:
        value = parse_priority(args.value)
    except ValueError as exc:
        _common.err(args, str(exc))
        return 2

    async def act(actions: FarmActions, job: Job) -> int:
        result = await actions.set_priority([job], value)
        return _finish(args, result, f"set priority of {_name(job)} to {value} (was {job.priority}): {_frames_of(job)}")

    return _job_action(args, "set priority", act)


def cmd_kill(args: argparse.Namespace) -> int:
    """`cuetui kill JOB --reason TEXT`."""
    if not args.reason.strip():
        _common.err(args, "a kill needs a non-empty --reason (Cuebot ignores a kill without one)")
        return 2

    async def act(actions: FarmActions, job: Job) -> int:
        if job.is_finished:
            print(f"{_name(job)} is already finished: nothing killed, 0 frames", flush=True)
            return 0
        result = await actions.kill([job], args.reason)
        return _finish(args, result, f"killed {_name(job)}: {_frames_of(job)}")

    return _job_action(args, "kill", act)


def _frames_action(args: argparse.Namespace, what: str, verb: str, *, default_dead: bool) -> int:
    from cuetui.gateway.errors import RefusedRequest

    try:
        search, text = frame_search(args, default_dead=default_dead)
    except RefusedRequest as exc:
        _common.err(args, str(exc))
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job

        _check_read_only(settings, what)
        job = await resolve_job(client, args.job)
        actions = FarmActions(client, read_only=settings.read_only)
        count = await actions.count_frames(job, search)
        if count == 0:
            done = "eaten" if what == "eat" else verb
            print(f"0 frames of {_name(job)} match ({text}): nothing {done}", flush=True)
            return 0
        if what == "retry":
            result = await actions.retry_matching(job, search, count)
        else:
            result = await actions.eat_matching(job, search, count)
        return _finish(args, result, f"{verb} {_plural(count)} of {_name(job)} ({text})")

    return _common.run(args, body)


def cmd_retry(args: argparse.Namespace) -> int:
    """`cuetui retry JOB [criteria]` (default: dead frames)."""
    return _frames_action(args, "retry", "retried", default_dead=True)


def cmd_eat(args: argparse.Namespace) -> int:
    """`cuetui eat JOB [criteria]` (default: dead frames)."""
    return _frames_action(args, "eat", "ate", default_dead=True)


def cmd_kill_frames(args: argparse.Namespace) -> int:
    """`cuetui kill-frames JOB (criteria | --all-running) --reason TEXT`."""
    from dataclasses import replace

    from cuetui.gateway.errors import RefusedRequest

    if not args.reason.strip():
        _common.err(args, "a kill needs a non-empty --reason")
        return 2
    try:
        search, text = frame_search(args, default_dead=False)
    except RefusedRequest as exc:
        _common.err(args, str(exc))
        return 2
    if search.is_empty() and not args.all_running:
        _common.err(
            args, "no criteria: give --frames, --range or --layer, or --all-running to kill every running frame"
        )
        return 2
    # Only running frames can be killed (Cuebot ignores the states part of KillFrames' criteria and kills
    # running matches), so count and send with the RUNNING state: the count is what will be killed.
    search = replace(search, states=("RUNNING",))
    text = "running" if text == "all frames" else f"running, {text}"

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job

        _check_read_only(settings, "kill frames")
        job = await resolve_job(client, args.job)
        actions = FarmActions(client, read_only=settings.read_only)
        count = await actions.count_frames(job, search)
        if count == 0:
            print(f"0 frames of {_name(job)} match ({text}): nothing killed", flush=True)
            return 0
        result = await actions.kill_matching(job, search, args.reason, count)
        return _finish(args, result, f"killed {_plural(count)} of {_name(job)} ({text})")

    return _common.run(args, body)
