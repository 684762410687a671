"""`cuetui log JOB FRAME [--follow] [--attempt N] [--tail N] [--json]`: print a frame's log.

FRAME is a frame name (`0007-render`) or a frame number (`7`, when one layer has it). The log is read
from the shared filesystem at `<logDir>/<job>.<frame>.rqlog` (through `log_path_map`), or from Loki when
the job (or the config) has a Loki URL. `--attempt N` reads the earlier attempt RQD kept as `.rqlog.N`
(Loki: the Nth most recent earlier session). `--follow` keeps printing what the frame writes until it
stops running. Every line is printed as plain text: invalid UTF-8 shown as U+FFFD, escape sequences and
control characters removed, so a log cannot drive the terminal.

`--json` prints one JSON list of `{"number": N, "text": "…"}` objects (`number` is the 1-based line
number in the file, null when only the tail was read or the log came from Loki).

Exit status: 0 printed; 1 the log cannot be read from here (the message says why and how to map
paths); 2 job or frame not found / ambiguous, no such attempt; 3 gateway unreachable or token refused.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient
    from cuetui.gateway.models import Frame, Job

FOLLOW_INTERVAL = 1.0  # seconds between reads of a growing log (CueWeb polls every 1 s too)
FRAME_CHECK_EVERY = 5  # follow: ask the gateway whether the frame still runs every N reads
READ_CHUNK = 1024 * 1024


class FrameNotFound(Exception):
    """No frame, or several, match FRAME; exit 2."""


class NoSuchAttempt(Exception):
    """--attempt names an attempt that has no log; exit 2."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui log`."""
    p = sub.add_parser(
        "log",
        help="print a frame's log (--follow while it runs)",
        description="Print the log of FRAME of JOB, from the shared filesystem or Loki, as plain text.",
    )
    p.add_argument("job", type=nonblank, metavar="JOB", help="job name, unique part of a name, or id")
    p.add_argument("frame", type=nonblank, metavar="FRAME", help="frame name (0007-render) or number (7)")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing while the frame runs")
    p.add_argument("--attempt", type=int, metavar="N", help="an earlier attempt: the .rqlog.N file RQD kept")
    p.add_argument("--tail", type=int, metavar="N", help="only the last N lines")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_log)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "log": (
                "cuetui log sh010_lighting 0042-render           the frame's current log",
                "cuetui log sh010_lighting 0042-render --tail 50 --attempt 1",
                "cuetui log sh010_lighting 0042-render --follow  like tail -f, while the frame runs",
            ),
        },
    )


async def find_frame(client: GatewayClient, job: Job, text: str) -> Frame:
    """The frame FRAME names: an exact name, else a number that one layer has."""
    from cuetui.gateway.requests import FrameSearch

    text = text.strip()
    if text.isdigit():
        frames = await client.get_frames(job.id, FrameSearch(frame_range=str(int(text))), limit=100)
        frames = [f for f in frames if f.number == int(text)]
    else:
        frames = await client.get_frames(job.id, FrameSearch(frames=[text]), limit=100)
    if len(frames) == 1:
        return frames[0]
    from cuetui.farm.text import safe

    if not frames:
        raise FrameNotFound(f"job {safe(job.name)} has no frame {text!r} (give a name like 0007-render)")
    names = ", ".join(safe(f.name) for f in frames[:10])
    raise FrameNotFound(f"frame {text!r} is in several layers of {safe(job.name)}: {names}; give the name")


def _print_lines(lines: list[str], out: Callable[[str, int | None], None], first_number: int | None) -> int | None:
    number = first_number
    for line in lines:
        out(line, number)
        if number is not None:
            number += 1
    return number


class FileFollower:
    """Reads a log file from a byte offset, complete lines only; notices when RQD replaced the file
    (a new attempt: other inode, or smaller than what was read)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.identity: tuple[int, int] | None = None

    def read(self, *, final: bool = False) -> tuple[list[str], bool]:
        """(new complete lines, whether the file was replaced first). With `final`, a last line without
        its newline is returned too. Raises LogUnreadable."""
        import os

        from cuetui.farm.logs import LogUnreadable, clean_line
        from cuetui.safefile import open_regular

        try:
            handle = open_regular(self.path)  # a FIFO or /dev/zero is refused, never read
        except OSError as error:
            raise LogUnreadable(self.path, error.strerror or type(error).__name__) from None
        replaced = False
        with handle:
            st = os.fstat(handle.fileno())
            identity = (st.st_dev, st.st_ino)
            if self.identity is not None and (identity != self.identity or st.st_size < self.offset):
                replaced = True
                self.offset = 0
            self.identity = identity
            handle.seek(self.offset)
            lines: list[str] = []
            pending = b""
            while chunk := handle.read(READ_CHUNK):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    lines.append(clean_line(raw))
                    self.offset += len(raw) + 1
            if final and pending:
                lines.append(clean_line(pending))
                self.offset += len(pending)
        return lines, replaced


async def _file_log(
    args: argparse.Namespace,
    client: GatewayClient,
    settings: Settings,
    job: Job,
    frame: Frame,
    out: Callable[[str, int | None], None],
) -> None:
    from cuetui.farm.logs import LogFile, frame_log_path, list_attempts, map_log_path
    from cuetui.farm.views.lookups import FarmLookups

    lookups = FarmLookups(client)
    proc_path = await lookups.proc_log_path(job, frame) if frame.state == "RUNNING" else None
    path = map_log_path(frame_log_path(job, frame, proc_path), settings.log_path_map)
    if args.attempt:
        attempts = await asyncio.to_thread(list_attempts, path)
        chosen = next((a for a in attempts if a.number == args.attempt), None)
        if chosen is None:
            known = ", ".join(str(a.number) for a in attempts if a.number) or "none"
            raise NoSuchAttempt(f"no attempt {args.attempt} of {frame.name} (earlier attempts on disk: {known})")
        path = chosen.path
    follower = FileFollower(path)
    if args.tail is not None:
        log = LogFile(path)
        lines = await asyncio.to_thread(log.open_tail)
        _print_lines(lines[-args.tail :] if args.tail else [], out, None)
        follower.offset = log.end
    follow = args.follow and not args.attempt
    if args.tail is None:
        # The whole file, streamed; while following, a last line without its newline waits for it.
        lines, _replaced = await asyncio.to_thread(follower.read, final=not follow)
        _print_lines(lines, out, 1)
    if not follow:
        return
    reads = 0
    running = frame.state in ("RUNNING", "SETUP", "CHECKPOINT")
    while True:
        await asyncio.sleep(FOLLOW_INTERVAL)
        reads += 1
        if reads % FRAME_CHECK_EVERY == 0 or not running:
            current = await lookups.frame(frame.id)
            running = current.state in ("RUNNING", "SETUP", "CHECKPOINT")
        lines, replaced = await asyncio.to_thread(follower.read, final=not running)
        if replaced:
            out("--- cuetui: a new attempt started; its log follows ---", None)
        _print_lines(lines, out, None)
        if not running and not lines:
            return


async def _loki_log(
    args: argparse.Namespace,
    client: GatewayClient,
    loki_url: str,
    frame: Frame,
    out: Callable[[str, int | None], None],
) -> None:
    from cuetui.farm.logs import LokiClient

    loki = LokiClient(loki_url)
    try:
        attempt = None
        if args.attempt:
            attempts = await loki.attempts(frame.id)
            if args.attempt >= len(attempts):
                raise NoSuchAttempt(f"no attempt {args.attempt} of {frame.name} in Loki ({len(attempts)} sessions)")
            attempt = attempts[args.attempt]
        lines, _cut = await loki.lines(frame.id, attempt)
        shown = lines[-args.tail :] if args.tail else ([] if args.tail == 0 else lines)
        _print_lines(shown, out, None)
        printed = len(lines)
        if not args.follow or args.attempt:
            return
        while True:
            current = await client.get_frame(frame.id)
            await asyncio.sleep(FOLLOW_INTERVAL)
            lines, _cut = await loki.lines(frame.id, None)
            _print_lines(lines[printed:], out, None)
            printed = max(printed, len(lines))
            if current.state not in ("RUNNING", "SETUP", "CHECKPOINT"):
                return
    finally:
        await loki.aclose()


def cmd_log(args: argparse.Namespace) -> int:
    """`cuetui log JOB FRAME`."""
    if args.attempt is not None and args.attempt < 0:
        _common.err(args, "--attempt must be 0 (the current log) or more")
        return 2
    if args.tail is not None and args.tail < 0:
        _common.err(args, "--tail must be 0 or more")
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.jobmatch import resolve_job
        from cuetui.farm.logs import LogUnreadable, LokiError
        from cuetui.farm.output import JsonListWriter

        job = await resolve_job(client, args.job)
        try:
            frame = await find_frame(client, job, args.frame)
        except FrameNotFound as exc:
            _common.err(args, str(exc))
            return 2
        loki_url = job.loki_url or (settings.loki_url or "")
        writer = JsonListWriter() if args.json else None

        def out(text: str, number: int | None) -> None:
            if writer is not None:
                writer.write({"number": number, "text": text})
            else:
                sys.stdout.write(text + "\n")

        try:
            if writer is not None:
                writer.__enter__()
            if loki_url:
                await _loki_log(args, client, loki_url, frame, out)
            else:
                await _file_log(args, client, settings, job, frame, out)
        except NoSuchAttempt as exc:
            _common.err(args, str(exc))
            return 2
        except LogUnreadable as exc:
            first, _, hint = str(exc).partition("\n")
            _common.err(args, first)
            if hint:
                print(hint, file=sys.stderr)
            return 1
        except LokiError as exc:
            _common.err(args, str(exc))
            return 1
        finally:
            if writer is not None:
                writer.__exit__(None, None, None)
            sys.stdout.flush()
        return 0

    return _common.run(args, body)
