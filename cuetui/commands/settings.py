"""Settings commands for scripts: `job-set`, `layer-set`, `mark-done`, `comments`, `comment`.

They never prompt. Every value is checked before anything is sent (a bad size, a bad number, `min >
max` over the given and the current values, an empty tag or an empty `--layer ""` is exit 2, nothing
sent); only the settings that differ from the current ones are sent, one request each. `--json` prints
what changed as one object.

Exit status: 0 done (also when nothing differed), 1 the gateway refused a request, 2 usage error / job or
layer not found / read-only, 3 gateway unreachable or token refused.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.models import Job, Layer

JOB_HELP = "job name, unique part of a name, or id (finished jobs too)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add job-set, layer-set, mark-done, comments, comment."""
    p = sub.add_parser(
        "job-set",
        help="change a job's settings (priority, cores, GPUs, retries, auto-eat)",
        description="Send only the given settings that differ from the job's current ones.",
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--priority", metavar="N", help="0 to 1000000")
    p.add_argument("--min-cores", metavar="N", help="cores (Cuebot keeps whole cores)")
    p.add_argument("--max-cores", metavar="N", help="cores; 0: no limit")
    p.add_argument("--min-gpus", metavar="N")
    p.add_argument("--max-gpus", metavar="N")
    p.add_argument("--max-retries", metavar="N", help="retries before a frame goes DEAD")
    p.add_argument("--auto-eat", metavar="on|off", help="eat frames as they die")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_job_set)

    p = sub.add_parser(
        "layer-set",
        help="change a layer's settings (cores, memory, GPUs, tags, threadable, timeouts)",
        description="Send only the given settings that differ from the layer's current ones. Sizes are "
        "like 16G or 512M; timeouts are minutes (0: none).",
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("layer", type=nonblank, metavar="LAYER", help="the layer's exact name")
    p.add_argument("--min-cores", metavar="N")
    p.add_argument("--max-cores", metavar="N", help="0: no limit")
    p.add_argument("--min-memory", metavar="SIZE", help="e.g. 16G, 512M")
    p.add_argument("--min-gpu-memory", metavar="SIZE")
    p.add_argument("--min-gpus", metavar="N")
    p.add_argument("--max-gpus", metavar="N")
    p.add_argument("--tags", metavar="T1,T2", help="replaces the layer's tags")
    p.add_argument("--threadable", metavar="on|off")
    p.add_argument("--timeout", metavar="MIN")
    p.add_argument("--timeout-llu", metavar="MIN", help="minutes without log output")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_layer_set)

    p = sub.add_parser(
        "mark-done",
        help="mark a layer done: what depends on it may start; its frames are left as they are (as Cuebot)",
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--layer", dest="layers", action="append", required=True, type=nonblank, metavar="LAYER")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_mark_done)

    p = sub.add_parser("comments", help="list a job's comments")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_comments)

    p = sub.add_parser("comment", help="add a comment to a job")
    p.add_argument("job", type=nonblank, metavar="JOB", help=JOB_HELP)
    p.add_argument("--subject", required=True, type=nonblank)
    p.add_argument("--message", required=True)
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_comment)

    _common.add_examples(
        sub,
        {
            "job-set": ("cuetui job-set sh010_lighting --max-retries 5 --auto-eat off",),
            "layer-set": ("cuetui layer-set sh010_lighting render --min-memory 24G --tags general,highmem",),
            "mark-done": ("cuetui mark-done sh010_lighting --layer prep",),
            "comments": ("cuetui comments sh010_lighting --json",),
            "comment": ('cuetui comment sh010_lighting --subject "OOM" --message "raised render to 24G"',),
        },
    )


# (flag attribute, setting name, parser) of each command's settings.
def _job_parsers() -> list[tuple[str, Any]]:
    from cuetui.farm import settings as s
    from cuetui.farm.actions import parse_priority

    return [
        ("priority", parse_priority),
        ("min_cores", lambda t: s.parse_cores(t, "--min-cores")),
        ("max_cores", lambda t: s.parse_cores(t, "--max-cores")),
        ("min_gpus", lambda t: s.parse_count(t, "--min-gpus")),
        ("max_gpus", lambda t: s.parse_count(t, "--max-gpus")),
        ("max_retries", lambda t: s.parse_count(t, "--max-retries")),
        ("auto_eat", lambda t: s.parse_switch(t, "--auto-eat")),
    ]


def _layer_parsers() -> list[tuple[str, Any]]:
    from cuetui.farm import settings as s

    return [
        ("min_cores", lambda t: s.parse_cores(t, "--min-cores")),
        ("max_cores", lambda t: s.parse_cores(t, "--max-cores")),
        ("min_memory", lambda t: s.parse_size(t, "--min-memory")),
        ("min_gpu_memory", lambda t: s.parse_size(t, "--min-gpu-memory")),
        ("min_gpus", lambda t: s.parse_count(t, "--min-gpus")),
        ("max_gpus", lambda t: s.parse_count(t, "--max-gpus")),
        ("tags", s.parse_tags),
        ("threadable", lambda t: s.parse_switch(t, "--threadable")),
        ("timeout", lambda t: s.parse_count(t, "--timeout")),
        ("timeout_llu", lambda t: s.parse_count(t, "--timeout-llu")),
    ]


def _given(args: argparse.Namespace, parsers: list[tuple[str, Any]]) -> dict[str, Any] | None:
    """The parsed flags that were given; None (after one line on stderr) when one is bad or none given."""
    values: dict[str, Any] = {}
    for name, parse in parsers:
        text = getattr(args, name, None)
        if text is None:
            continue
        try:
            values[name] = parse(text)
        except ValueError as exc:
            _common.err(args, str(exc))
            return None
    if not values:
        _common.err(args, "no setting given: nothing to send")
        return None
    return values


def _check_read_only(settings: Settings, what: str) -> None:
    if settings.read_only:
        from cuetui.farm.actions import ReadOnlyError

        raise ReadOnlyError(f"read-only mode: {what} not sent")


def _report(args: argparse.Namespace, result: Any, payload: dict[str, Any], line: str) -> int:
    from cuetui.commands.exits import EXIT_FAILURE
    from cuetui.farm.output import dumps

    if not result.ok:
        _common.err(args, result.errors[0])
        return EXIT_FAILURE
    print(dumps(payload) if args.json else line, flush=True)
    return 0


def _changes(current: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The given values that differ from `current`, after the min <= max check over both."""
    from cuetui.farm import settings as s
    from cuetui.gateway.errors import RefusedRequest

    try:
        s.with_changes(current, given).check()
    except s.SettingError as exc:
        raise RefusedRequest(str(exc)) from None
    return {k: v for k, v in given.items() if getattr(current, k) != v}


def _changed_json(current: Any, changes: dict[str, Any]) -> dict[str, Any]:
    from cuetui.farm.settings import json_value

    return {k: {"from": json_value(k, getattr(current, k)), "to": json_value(k, v)} for k, v in changes.items()}


def cmd_job_set(args: argparse.Namespace) -> int:
    """`cuetui job-set JOB [--priority N] ...`."""
    from cuetui.farm.settings import JobSettings, SettingError, describe, with_changes

    given = _given(args, _job_parsers())
    if given is None:
        return 2
    try:  # both bounds given: refused before connecting
        blank = JobSettings(0, 0.0, 0.0, 0, 0, None, False)
        with_changes(blank, {k: v for k, v in given.items() if k in ("min_cores", "max_cores")}).check()
        with_changes(blank, {k: v for k, v in given.items() if k in ("min_gpus", "max_gpus")}).check()
    except SettingError as exc:
        _common.err(args, str(exc))
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.text import safe

        _check_read_only(settings, "job settings")
        job = await resolve_job(client, args.job)
        current = JobSettings.of(job)
        changes = _changes(current, given)
        payload: dict[str, Any] = {"job": job.name, "changed": _changed_json(current, changes)}
        if not changes:
            print(_dumps(payload) if args.json else f"{safe(job.name)}: nothing to change", flush=True)
            return 0
        result = await FarmActions(client, read_only=settings.read_only).apply_job_settings([job], changes)
        return _report(args, result, payload, f"set {describe(changes)} on {safe(job.name)}")

    return _common.run(args, body)


def _dumps(value: Any) -> str:
    from cuetui.farm.output import dumps

    return dumps(value)


async def _layers(client: GatewayClient, job: Job, names: list[str]) -> list[Layer]:
    from cuetui.farm.text import safe
    from cuetui.gateway.errors import RefusedRequest

    layers = await client.get_layers(job.id)
    by_name = {layer.name: layer for layer in layers}
    missing = [n for n in names if n not in by_name]
    if missing:
        known = ", ".join(safe(layer.name, 40) for layer in layers[:8])
        raise RefusedRequest(f"{safe(job.name)} has no layer {safe(missing[0], 80)!r} (its layers: {known})")
    return [by_name[n] for n in names]


def cmd_layer_set(args: argparse.Namespace) -> int:
    """`cuetui layer-set JOB LAYER [--min-memory SIZE] ...`."""
    from cuetui.farm.settings import LayerSettings, SettingError, describe, with_changes

    given = _given(args, _layer_parsers())
    if given is None:
        return 2
    try:
        blank = LayerSettings(0.0, 0.0, 0, 0, 0, 0, ("x",), False, 0, 0)
        with_changes(blank, {k: v for k, v in given.items() if k in ("min_cores", "max_cores")}).check()
        with_changes(blank, {k: v for k, v in given.items() if k in ("min_gpus", "max_gpus")}).check()
    except SettingError as exc:
        _common.err(args, str(exc))
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.text import safe

        _check_read_only(settings, "layer settings")
        job = await resolve_job(client, args.job)
        (layer,) = await _layers(client, job, [args.layer])
        current = LayerSettings.of(layer)
        changes = _changes(current, given)
        payload: dict[str, Any] = {"job": job.name, "layer": layer.name, "changed": _changed_json(current, changes)}
        where = f"layer {safe(layer.name)} of {safe(job.name)}"
        if not changes:
            print(_dumps(payload) if args.json else f"{where}: nothing to change", flush=True)
            return 0
        result = await FarmActions(client, read_only=settings.read_only).apply_layer_settings([layer], changes)
        return _report(args, result, payload, f"set {describe(changes)} on {where}")

    return _common.run(args, body)


def cmd_mark_done(args: argparse.Namespace) -> int:
    """`cuetui mark-done JOB --layer L [--layer L2]`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.text import safe
        from cuetui.farm.views.depends import mark_done_depends

        _check_read_only(settings, "mark done")
        job = await resolve_job(client, args.job)
        layers = await _layers(client, job, list(dict.fromkeys(args.layers)))
        # Cuebot's mark done satisfies what waits on the layers and eats nothing: `frames_eaten` stays in
        # the JSON (0) for the scripts that read it; the dependencies are counted before sending.
        depends = await mark_done_depends(client, layers)
        result = await FarmActions(client, read_only=settings.read_only).mark_layers_done(layers, depends)
        names = ", ".join(safe(layer.name) for layer in layers)
        payload = {
            "job": job.name,
            "layers": [layer.name for layer in layers],
            "frames_eaten": 0,
            "depends_satisfied": depends,
        }
        line = (
            f"marked done layer{'s' if len(layers) > 1 else ''} {names} of {safe(job.name)}: "
            f"{depends} {'dependency' if depends == 1 else 'dependencies'} satisfied, no frame eaten"
        )
        return _report(args, result, payload, line)

    return _common.run(args, body)


def cmd_comments(args: argparse.Namespace) -> int:
    """`cuetui comments JOB [--json]`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        import time

        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.output import print_json_list
        from cuetui.farm.text import safe

        job = await resolve_job(client, args.job)
        comments = await client.get_job_comments(job.id)
        if args.json:
            print_json_list(comments)
            return 0
        if not comments:
            print(f"{safe(job.name)}: no comments", flush=True)
        for c in comments:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.timestamp)) if c.timestamp else "-"
            print(f"{when}  {safe(c.user, 40)}  {safe(c.subject, 120)}", flush=True)
            for line in (c.message or "").splitlines() or [""]:
                print(f"    {safe(line, 400)}", flush=True)
        return 0

    return _common.run(args, body)


def cmd_comment(args: argparse.Namespace) -> int:
    """`cuetui comment JOB --subject S --message M`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.text import safe

        _check_read_only(settings, "comment")
        job = await resolve_job(client, args.job)
        result = await FarmActions(client, read_only=settings.read_only).add_comment(job, args.subject, args.message)
        payload = {
            "job": job.name,
            "added": {"user": client.requester.username, "subject": args.subject, "message": args.message},
        }
        return _report(args, result, payload, f"added a comment to {safe(job.name)}: {safe(args.subject, 120)}")

    return _common.run(args, body)
