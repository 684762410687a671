"""`cuetui monitor JOB...`: follow jobs until they end — a live view on a terminal, lines in a pipe.

On a terminal (and without --plain/--json) a compact Textual view runs inline, so it fits a tmux split.
Otherwise one plain line per change (no colours, no escape sequences) and one per newly dead frame,
stamped with the frame's time of death (its stopTime), not the time the monitor noticed it; the lines'
times never go backwards (a frame found dead after a later line says `died=TIME` at its end)::

    2026-11-24T10:00:05Z job=NAME state=PENDING done=45/100 (45%) running=12 dead=3 rate=4.0/min eta=00:10:45
    2026-11-24T10:00:05Z job=NAME frame=0007-render state=DEAD exit=1 host=render03 retries=3
    2026-11-24T10:31:40Z monitor: 1 of 1 job ended with dead, eaten or unfinished frames (exit 1)

`--json` prints one JSON object per line instead, each with "event":
  progress   {time, epoch, job, job_id, event, state, paused, total, succeeded, running, dead, eaten,
              waiting, depend, percent, ended, rate_per_min, eta_seconds, elapsed_seconds}
  dead_frame {time, epoch, job, job_id, event, seen, frame, frame_id, layer, number, exit_status,
              host, retry_count, stop_time}   (time/epoch: when it died; seen: when the monitor saw it)
  error      {time, epoch, event, message, retry_in}   (the gateway failed; monitor keeps retrying)
  end        {time, epoch, event, exit_status, summary}

Exit status: 0 every job ended with all frames succeeded; 1 a job ended with dead, eaten or unfinished
frames, or --until-dead saw a frame die (one already dead at the start only with --include-existing);
2 a job not found (or ambiguous) or a usage error; 3 the gateway
was unreachable or refused the token for longer than --timeout (default: retry forever, with back-off).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.monitor import Event, Monitor
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.models import Job

DEFAULT_INTERVAL = 5.0
EXIT_UNREACHABLE = 3


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _interval(text: str) -> float:
    value = _seconds(text)
    if value < 0.1:
        raise argparse.ArgumentTypeError("must be at least 0.1 seconds")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui monitor`."""
    p = sub.add_parser(
        "monitor",
        help="follow jobs until they end (live view on a terminal, lines in a pipe)",
        description="Follow JOBs until every one has ended (Cuebot FINISHED, or nothing left to run: dead "
        "frames keep a job pending). Exit 0 when all frames succeeded, 1 when some died or were eaten "
        "(or --until-dead saw one), 2 when a job is not found, 3 when the gateway stayed unreachable "
        "longer than --timeout.",
        epilog="plain lines: TIME job=NAME state=S done=N/T (P%) running=R dead=D [eaten=E] [paused=yes] "
        "[rate=X/min] eta=HH:MM:SS, and TIME job=NAME frame=F state=DEAD exit=N host=H retries=N",
    )
    p.add_argument("jobs", nargs="+", type=nonblank, metavar="JOB", help="job name, unique part of a name, or id")
    p.add_argument("--plain", action="store_true", help="plain lines even on a terminal")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--until-dead",
        action="store_true",
        help="stop (exit 1) at the first frame that dies after the monitor started",
    )
    p.add_argument(
        "--include-existing",
        action="store_true",
        help="with --until-dead: also stop at frames already dead when the monitor started",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        metavar="S",
        help="give up (exit 3) when the gateway is unreachable for longer than S seconds (default: never)",
    )
    p.add_argument(
        "--interval",
        type=_interval,
        default=None,
        metavar="S",
        help=f"seconds between polls (default: the configured refresh, {DEFAULT_INTERVAL:g} s)",
    )
    p.set_defaults(func=cmd_monitor)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "monitor": (
                "cuetui monitor sh010_lighting                   live view until the job ends (exit 0 = all succeeded)",
                "cuetui monitor sh010_lighting --until-dead && echo clean",
                "cuetui monitor sh010_lighting sh020_comp --plain | tee monitor.log",
            ),
        },
    )


# --- output sinks -------------------------------------------------------------------------------------


class PlainSink:
    """Plain lines on stdout (events) and stderr (gateway trouble); flushed, since pipes buffer."""

    def __init__(self, out: TextIO | None = None, errors: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.errors = errors if errors is not None else sys.stderr
        self.last_stamp = 0.0

    def stamp(self, when: float) -> float:
        """`when`, or the last line's time if that is later: the lines' times never go backwards (a
        frame found dead late, or the clock stepped back), so `sort` and log tools keep them in order."""
        self.last_stamp = max(self.last_stamp, when)
        return self.last_stamp

    def emit(self, event: Event) -> None:
        from cuetui.farm.monitor import line_time, plain_line

        self.out.write(plain_line(event, self.stamp(line_time(event))) + "\n")
        self.out.flush()

    def problem(self, now: float, message: str, retry_in: float | None) -> None:
        from cuetui.farm.format import iso_utc

        suffix = f" (retrying in {retry_in:.0f} s)" if retry_in is not None else ""
        self.errors.write(f"{iso_utc(self.stamp(now))} {message}{suffix}\n")
        self.errors.flush()

    def end(self, now: float, status: int, summary: str) -> None:
        from cuetui.farm.format import iso_utc

        self.out.write(f"{iso_utc(self.stamp(now))} monitor: {summary} (exit {status})\n")
        self.out.flush()


class JsonSink(PlainSink):
    """One JSON object per line on stdout; gateway trouble also as plain text on stderr."""

    def _write(self, data: dict[str, Any]) -> None:
        from cuetui.farm.output import escape_json

        self.out.write(escape_json(json.dumps(data, ensure_ascii=False)) + "\n")
        self.out.flush()

    def emit(self, event: Event) -> None:
        from cuetui.farm.monitor import json_event

        self._write(json_event(event))

    def problem(self, now: float, message: str, retry_in: float | None) -> None:
        from cuetui.farm.format import iso_utc

        super().problem(now, message, retry_in)
        self._write(
            {
                "time": iso_utc(now),
                "epoch": round(now, 3),
                "event": "error",
                "message": message,
                "retry_in": retry_in,
            }
        )

    def end(self, now: float, status: int, summary: str) -> None:
        from cuetui.farm.format import iso_utc

        self._write(
            {"time": iso_utc(now), "epoch": round(now, 3), "event": "end", "exit_status": status, "summary": summary}
        )


# --- the loop -----------------------------------------------------------------------------------------


class GatewayDown(Exception):
    """The gateway failed for longer than --timeout."""


def _transient(exc: BaseException) -> bool:
    """Gateway trouble worth waiting out (not a job that does not exist)."""
    from cuetui.gateway.errors import GatewayError, NotFound, RefusedRequest, TokenExpired

    # An expired fixed token cannot come back by waiting: say so at once (exit 3).
    return isinstance(exc, GatewayError) and not isinstance(exc, (NotFound, RefusedRequest, TokenExpired))


class Retrier:
    """Runs a gateway step again with capped back-off until it works or --timeout has passed."""

    def __init__(
        self,
        sink: PlainSink,
        timeout: float | None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        from cuetui.farm.poller import Backoff

        self.sink = sink
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.backoff = Backoff(jitter=0.0)
        self.down_since: float | None = None

    async def __call__(self, step: Callable[[], Awaitable[Any]]) -> Any:
        while True:
            started = self.clock()
            try:
                result = await self._bounded(step, started)
            except Exception as exc:
                if not _transient(exc):
                    raise
                now = self.clock()
                if self.down_since is None:
                    # Down since the step that failed began: --timeout counts wall time, including the
                    # time a hanging gateway took to fail the first request.
                    self.down_since = started
                waited = now - self.down_since
                if self.timeout is not None and waited >= self.timeout:
                    self.sink.problem(now, f"{exc}; gave up after {waited:.0f} s (--timeout)", None)
                    raise GatewayDown(str(exc)) from None
                delay = self.backoff.next()
                if self.timeout is not None:
                    delay = max(0.0, min(delay, self.timeout - waited))
                self.sink.problem(now, str(exc), delay)
                await self.sleep(delay)
                continue
            self.down_since = None
            self.backoff.reset()
            return result

    async def _bounded(self, step: Callable[[], Awaitable[Any]], started: float) -> Any:
        """`step()`, cut off when --timeout would pass during it (a gateway that never answers)."""
        if self.timeout is None:
            return await step()
        since = self.down_since if self.down_since is not None else started
        left = max(0.0, self.timeout - (started - since))
        try:
            return await asyncio.wait_for(step(), left)
        except asyncio.TimeoutError:
            from cuetui.gateway.errors import Unreachable

            raise Unreachable(f"no answer within {self.timeout:g} s (--timeout)") from None


async def resolve_all(client: GatewayClient, queries: Sequence[str], retrier: Retrier) -> list[Job]:
    """Every JOB resolved (waiting out an unreachable gateway); JobMatchError for a bad one."""
    from cuetui.farm.jobmatch import resolve_jobs

    jobs: list[Job] = await retrier(lambda: resolve_jobs(client, queries))
    return jobs


async def follow(
    client: GatewayClient,
    monitor: Monitor,
    sink: PlainSink,
    retrier: Retrier,
    interval: float,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Poll until the monitor is finished; print events as they come. Returns the exit status."""
    from cuetui.farm.views.monitor import MonitorView

    view = MonitorView(client, monitor, clock=clock)
    while True:
        snapshot = await retrier(view.poll)
        for event in snapshot.events:
            sink.emit(event)
        if monitor.finished:
            status = monitor.exit_status()
            sink.end(clock(), status, monitor.summary())
            return status
        await sleep(interval)


async def run_lines(
    client: GatewayClient,
    queries: Sequence[str],
    sink: PlainSink,
    *,
    until_dead: bool,
    interval: float,
    timeout: float | None,
    include_existing: bool = False,
) -> int:
    """The whole non-interactive monitor: resolve, then follow. JobMatchError propagates (exit 2)."""
    from cuetui.farm.monitor import Monitor

    retrier = Retrier(sink, timeout)
    try:
        jobs = await resolve_all(client, queries, retrier)
        monitor = Monitor(jobs, until_dead=until_dead, include_existing=include_existing)
        return await follow(client, monitor, sink, retrier, interval)
    except GatewayDown:
        return EXIT_UNREACHABLE


def cmd_monitor(args: argparse.Namespace) -> int:
    """`cuetui monitor JOB...`."""
    settings = _common.load(args)
    if settings is None:
        return 2
    # --interval, else the configured refresh (`--refresh`, `refresh =`; 5 s by default)
    interval = args.interval if args.interval is not None else settings.refresh
    if args.plain and args.json:
        _common.err(args, "--plain and --json exclude each other")
        return 2
    interactive = not (args.plain or args.json) and sys.stdout.isatty() and sys.stdin.isatty()
    if interactive:
        return _run_interactive(args, settings, interval)
    sink: PlainSink = JsonSink() if args.json else PlainSink()

    async def main() -> int:
        from cuetui.farm.connect import client_from_settings
        from cuetui.farm.reads import retry_reads

        async with client_from_settings(settings) as client:
            retry_reads(client)  # a passing fault costs a quick retry, not a back-off step
            return await run_lines(
                client,
                args.jobs,
                sink,
                until_dead=args.until_dead,
                include_existing=args.include_existing,
                interval=interval,
                timeout=args.timeout,
            )

    try:
        return asyncio.run(main())
    except BrokenPipeError:
        return _common.broken_pipe()
    except Exception as exc:
        status = _common.exit_for(args, exc)
        if status is None:
            raise
        return status


def _run_interactive(args: argparse.Namespace, settings: Settings, interval: float) -> int:
    """Resolve the jobs first (errors print on the plain terminal), then run the inline view."""
    sink = PlainSink()

    async def resolve() -> list[Job]:
        from cuetui.farm.connect import client_from_settings

        async with client_from_settings(settings) as client:
            return await resolve_all(client, args.jobs, Retrier(sink, args.timeout))

    try:
        jobs = asyncio.run(resolve())
    except GatewayDown:
        return EXIT_UNREACHABLE
    except Exception as exc:
        status = _common.exit_for(args, exc)
        if status is None:
            raise
        return status
    from cuetui.ui.monitor_app import MonitorApp

    app = MonitorApp(
        settings,
        jobs,
        until_dead=args.until_dead,
        include_existing=args.include_existing,
        interval=interval,
        timeout=args.timeout,
    )
    app.run(inline=True, inline_no_clear=True)
    if app.return_code is not None and app.return_code != 0 and app.exit_message:
        print(app.exit_message, file=sys.stderr)
    return app.return_code if app.return_code is not None else 0
