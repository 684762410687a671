"""Frame logs: where they are, their attempts, reading a 100 MB file tail-first, following a running
frame, searching, and reading from Loki when the farm ships logs there (protocol §5).

No Textual here. File reads are plain blocking calls meant to run in a thread (`asyncio.to_thread`),
since a log on a slow or dead NFS mount must not freeze the UI. Every line leaves this module as a
safe `str`: decoded with U+FFFD for invalid UTF-8, terminal escape sequences and control characters
removed, tabs expanded. The screen still renders them as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from cuetui.config.log_paths import map_log_path  # the one mapper; here too for the log readers
from cuetui.farm.text import decode_log_bytes, strip_ansi
from cuetui.gateway.answer import AnswerTooLarge, UnreadableEncoding, read_bounded
from cuetui.gateway.models import Frame, Job
from cuetui.safefile import open_regular

LOKI_MAX_ANSWER_BYTES = 64 * 1024 * 1024  # one page of log lines (limit 5000) is a few MB

# The first read of a log: enough for a few thousand lines, fast even on a 100 MB file.
TAIL_BYTES = 256 * 1024
# Each step back towards the start of the file (scrolling up past the top, or "jump to start").
EARLIER_BYTES = 512 * 1024
# A single line longer than this is cut: a terminal cannot show it and Text would be slow.
MAX_LINE_CHARS = 4000
# RQD keeps at most this many rotated attempts (`.rqlog.1` … `.rqlog.15`).
MAX_ATTEMPTS = 15

_ATTEMPT_SUFFIX = re.compile(r"\.(\d+)$")


# --- where the log is ----------------------------------------------------------------------------------


def frame_log_path(job: Job, frame: Frame, proc_log_path: str | None = None) -> str:
    """`<job.log_dir>/<job.name>.<frame.name>.rqlog` as RQD, CueGUI and pycue build it (a plain join,
    whatever the OS); a running proc's `logPath` wins when there is one."""
    if proc_log_path:
        return proc_log_path
    log_dir = job.log_dir.rstrip("/") if job.log_dir not in ("", "/") else job.log_dir
    return f"{log_dir}/{job.name}.{frame.name}.rqlog"


@dataclass(frozen=True)
class LogAttempt:
    """One attempt's log file: `number` 0 is the current file, N the rotated `<file>.N` (higher = newer)."""

    path: str
    number: int
    size: int = 0
    mtime: float = 0.0

    @property
    def label(self) -> str:
        """`current` or `attempt .3`."""
        return "current" if self.number == 0 else f"previous .{self.number}"


def list_attempts(path: str) -> list[LogAttempt]:
    """The log plus its rotated copies, newest first (the current file, then `.N` by falling N), as
    CueGUI lists them. Files that do not exist are left out; a missing directory gives []."""
    directory, base = os.path.split(path)
    found: list[LogAttempt] = []
    try:
        names = os.listdir(directory or ".")
    except OSError:
        names = []
    for name in names:
        if name == base:
            number = 0
        elif name.startswith(base + "."):
            match = _ATTEMPT_SUFFIX.match(name[len(base) :])
            if match is None:
                continue
            number = int(match.group(1))
        else:
            continue
        full = os.path.join(directory, name) if directory else name
        try:
            st = os.stat(full)
        except OSError:
            continue
        found.append(LogAttempt(full, number, st.st_size, st.st_mtime))
    # Current first, then the highest rotation number (the most recent earlier attempt).
    found.sort(key=lambda a: (a.number != 0, -a.number))
    return found


# --- reading ---------------------------------------------------------------------------------------------


class LogUnreadable(Exception):
    """The log cannot be read from this machine; `str()` is a message for a person."""

    def __init__(self, path: str, reason: str, *, mapped_from: str = "") -> None:
        self.path = path
        self.reason = reason
        self.mapped_from = mapped_from
        super().__init__(unreadable_message(path, reason, mapped_from=mapped_from))


def unreadable_message(path: str, reason: str, *, mapped_from: str = "") -> str:
    """What to tell a person whose machine cannot read the farm's log file."""
    text = f"cannot read the frame log {path}: {reason}"
    if mapped_from:
        text += f" (mapped from {mapped_from})"
    text += (
        "\nThe log is written by the render host to the farm's shared storage. If this machine mounts it "
        'elsewhere, set log_path_map in the farm\'s config, e.g. log_path_map = [["/shots", "/mnt/shots"]].'
    )
    return text


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return "no such file on this machine"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.EISDIR:
        return "it is a directory"
    return error.strerror or type(error).__name__


def clean_line(raw: bytes) -> str:
    """One raw log line as safe display text."""
    text = decode_log_bytes(raw)
    if "\r" in text:
        # Progress bars redraw with CR: keep what a terminal would finally show.
        text = text.rstrip("\r").rsplit("\r", 1)[-1]
    if "\t" in text:
        text = text.expandtabs(8)
    text = strip_ansi(text)
    if len(text) > MAX_LINE_CHARS:
        text = text[: MAX_LINE_CHARS - 1] + "…"
    return text


def _split(data: bytes) -> list[str]:
    return [clean_line(part) for part in data.split(b"\n")]


class LogFile:
    """A log file read tail-first: `open_tail()` reads the last `tail_bytes`, `read_earlier()` steps
    back towards the start, `read_new()` picks up what was appended (follow mode).

    Offsets are bytes. `start` is where the loaded text begins (0 once the whole file is loaded);
    `end` is just after the last complete line loaded. A last line without its newline yet is shown
    but re-read by the next `read_new()` (its `replace_last` is then True).
    """

    def __init__(self, path: str, *, tail_bytes: int = TAIL_BYTES, earlier_bytes: int = EARLIER_BYTES) -> None:
        self.path = path
        self.tail_bytes = tail_bytes
        self.earlier_bytes = earlier_bytes
        self.start = 0
        self.end = 0
        self.size = 0
        self._partial = False  # the last line handed out had no newline yet
        self._identity: tuple[int, int] | None = None  # (device, inode): a rotated file is a new file

    @property
    def at_start(self) -> bool:
        """True when every line from the start of the file is loaded."""
        return self.start == 0

    def _open(self) -> tuple[Any, os.stat_result]:
        try:
            handle = open_regular(self.path)  # a FIFO or /dev/zero is refused, never read
            st = os.fstat(handle.fileno())
        except OSError as error:
            raise LogUnreadable(self.path, _reason(error)) from None
        return handle, st

    def open_tail(self) -> list[str]:
        """The last lines of the file (all of it when small). Raises LogUnreadable."""
        handle, st = self._open()
        with handle:
            self._identity = (st.st_dev, st.st_ino)
            size = st.st_size
            start = max(0, size - self.tail_bytes)
            try:
                handle.seek(start)
                data = handle.read(size - start)
            except OSError as error:
                raise LogUnreadable(self.path, _reason(error)) from None
        return self._load(start, data)

    def _load(self, start: int, data: bytes) -> list[str]:
        if start > 0:
            # We landed inside a line: drop it; read_earlier() brings it back whole.
            cut = data.find(b"\n")
            if cut < 0:
                start, data = start + len(data), b""
            else:
                start, data = start + cut + 1, data[cut + 1 :]
        self.start = start
        self.size = start + len(data)
        last_newline = data.rfind(b"\n")
        self.end = start + last_newline + 1
        self._partial = last_newline != len(data) - 1
        if not data:
            self._partial = False
            return []
        if self._partial:
            return _split(data)
        return _split(data[:-1])

    def read_earlier(self) -> list[str]:
        """Lines just before those already loaded (up to `earlier_bytes`); [] at the start."""
        if self.start == 0:
            return []
        handle, _st = self._open()
        with handle:
            begin = max(0, self.start - self.earlier_bytes)
            handle.seek(begin)
            data = handle.read(self.start - begin)
        if begin > 0:
            cut = data.find(b"\n")
            if cut < 0:
                # One enormous line: give up stepping back rather than read it all.
                self.start = begin
                return []
            begin, data = begin + cut + 1, data[cut + 1 :]
        self.start = begin
        if not data:
            return []
        return _split(data[:-1] if data.endswith(b"\n") else data)

    def read_all_earlier(self) -> list[str]:
        """Every line before those loaded (jump to start); the whole head of the file in one read."""
        if self.start == 0:
            return []
        handle, _st = self._open()
        with handle:
            data = handle.read(self.start)
        self.start = 0
        return _split(data[:-1] if data.endswith(b"\n") else data)

    def read_new(self) -> tuple[list[str], bool] | None:
        """What was appended since the last read, as (lines, replace_last). None when the file was
        replaced or truncated (a new attempt started): reopen it with open_tail()."""
        handle, st = self._open()
        with handle:
            if self._identity is not None and (st.st_dev, st.st_ino) != self._identity:
                return None
            if st.st_size < self.end:
                return None
            if st.st_size == self.size:
                return [], False
            handle.seek(self.end)
            data = handle.read(st.st_size - self.end)
        replace_last = self._partial
        self.size = self.end + len(data)
        last_newline = data.rfind(b"\n")
        if last_newline < 0:
            # Still no newline: the partial line grew.
            self._partial = True
            return _split(data), replace_last
        self.end += last_newline + 1
        self._partial = last_newline != len(data) - 1
        body = data if self._partial else data[:-1]
        return _split(body), replace_last


def find_line(lines: Sequence[str], needle: str, start: int, *, forward: bool = True) -> int | None:
    """Index of the next line containing `needle` (case-insensitive) after `start` (before it when
    not `forward`), wrapping around; None when no line matches."""
    if not needle or not lines:
        return None
    folded = needle.casefold()
    n = len(lines)
    step = 1 if forward else -1
    for k in range(1, n + 1):
        i = (start + step * k) % n
        if folded in lines[i].casefold():
            return i
    return None


def match_position(lines: Sequence[str], needle: str, index: int) -> tuple[int, int]:
    """(n, m): line `index` is the n-th of the m lines containing `needle` (case-insensitive), counting
    the lines loaded; n is 0 when line `index` does not match."""
    if not needle:
        return 0, 0
    folded = needle.casefold()
    n = total = 0
    for i, line in enumerate(lines):
        if folded in line.casefold():
            total += 1
            if i == index:
                n = total
    return n, total


@dataclass(frozen=True)
class AttemptFacts:
    """What an attempt's own log says about it (RQD writes them in its header and footer): the host it
    ran on and how it ended; "" / None where the log does not say."""

    host: str = ""
    exit_status: int | None = None


_RENDER_HOST = re.compile(r"^\s*render[Hh]ost\s+(\S+)")
_EXIT_STATUS = re.compile(r"^\s*exitStatus\s+(-?\d+)")


def attempt_facts(lines: Sequence[str]) -> AttemptFacts:
    """The `renderHost` and `exitStatus` lines of an RQD log, read from its lines (the first found)."""
    host = ""
    exit_status: int | None = None
    for line in lines:
        if not host:
            found = _RENDER_HOST.match(line)
            if found:
                host = found.group(1)
        if exit_status is None:
            found = _EXIT_STATUS.match(line)
            if found:
                exit_status = int(found.group(1))
        if host and exit_status is not None:
            break
    return AttemptFacts(host, exit_status)


def match_spans(line: str, needle: str) -> list[tuple[int, int]]:
    """(start, end) of every case-insensitive occurrence of `needle` in `line`."""
    if not needle:
        return []
    folded, target = line.casefold(), needle.casefold()
    if len(folded) != len(line):  # casefold changed lengths (ß → ss): fall back to lower()
        folded, target = line.lower(), needle.lower()
    spans = []
    i = folded.find(target)
    while i >= 0:
        spans.append((i, i + len(target)))
        i = folded.find(target, i + max(1, len(target)))
    return spans


# --- Loki ------------------------------------------------------------------------------------------------


class LokiError(Exception):
    """Loki could not be asked or gave an answer we cannot use; `str()` is for a person."""


@dataclass(frozen=True)
class LokiAttempt:
    """One attempt of a frame in Loki: its `session_start_time` label (epoch seconds, as text)."""

    session_start_time: str

    @property
    def label(self) -> str:
        """The attempt's start as a readable UTC time."""
        try:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(self.session_start_time)))
        except ValueError:
            return self.session_start_time


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class LokiClient:
    """Reads frame logs from Loki's HTTP API: each `session_start_time` label value of a frame's
    `frame_id` streams is one attempt (RQD's labels)."""

    def __init__(
        self, url: str, *, http: httpx.AsyncClient | None = None, timeout: float = 15.0, limit: int = 5000
    ) -> None:
        self.url = url.rstrip("/")
        self.limit = limit
        self.deadline = timeout
        self._own = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool when it is ours."""
        if self._own:
            await self._http.aclose()

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        async def exchange() -> tuple[int, bytes]:
            # Streamed and bounded like the gateway's answers: a whole-answer deadline, a size limit.
            request = self._http.build_request("GET", self.url + path, params=params)
            response = await self._http.send(request, stream=True)
            try:
                return response.status_code, await read_bounded(response, LOKI_MAX_ANSWER_BYTES)
            finally:
                await response.aclose()

        try:
            status, content = await asyncio.wait_for(exchange(), self.deadline)
        except asyncio.TimeoutError:
            raise LokiError(f"Loki at {self.url} sent no whole answer within {self.deadline:g} s") from None
        except (AnswerTooLarge, UnreadableEncoding) as error:
            raise LokiError(f"Loki at {self.url}: {error}") from None
        except httpx.HTTPError as error:
            raise LokiError(f"Loki unreachable at {self.url}: {type(error).__name__}") from None
        if status != 200:
            snippet = strip_ansi(content[:120].decode("utf-8", "replace")).replace("\n", " ")
            raise LokiError(f"Loki at {self.url} answered HTTP {status}: {snippet}")
        try:
            body = json.loads(content)
        except ValueError:
            raise LokiError(f"Loki at {self.url} sent an answer that is not JSON") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            raise LokiError(f"Loki at {self.url} did not answer with success")
        return body.get("data")

    async def attempts(self, frame_id: str) -> list[LokiAttempt]:
        """The frame's attempts, newest first."""
        data = await self._get(
            "/loki/api/v1/label/session_start_time/values", {"query": f'{{frame_id="{_label_value(frame_id)}"}}'}
        )
        values = [str(v) for v in data or [] if isinstance(v, (str, int))]
        values.sort(key=lambda v: (len(v), v), reverse=True)
        return [LokiAttempt(v) for v in values]

    async def lines(
        self, frame_id: str, attempt: LokiAttempt | None = None, *, since: float = 0.0, until: float | None = None
    ) -> tuple[list[str], bool]:
        """The last `limit` lines of one attempt (the newest when None), oldest first, cleaned; and
        whether older lines were left out."""
        end = until if until is not None else time.time() + 3600
        start = since
        if not start and attempt is not None:
            try:
                start = int(attempt.session_start_time) - 60
            except ValueError:
                start = 0
        if not start:
            start = end - 30 * 86400
        data = await self._get(
            "/loki/api/v1/query_range",
            {
                "query": f'{{frame_id="{_label_value(frame_id)}"}}',
                "start": str(int(start * 1e9)),
                "end": str(int(end * 1e9)),
                "limit": str(self.limit),
                "direction": "backward",
            },
        )
        streams = data.get("result", []) if isinstance(data, dict) else []
        wanted = attempt.session_start_time if attempt is not None else None
        if wanted is None:
            sessions = [str(s.get("stream", {}).get("session_start_time", "")) for s in streams]
            wanted = max(sessions, key=lambda v: (len(v), v), default=None)
        values: list[tuple[int, str]] = []
        total = 0
        for stream in streams:
            labels = stream.get("stream", {}) if isinstance(stream, dict) else {}
            raw_values = stream.get("values", []) if isinstance(stream, dict) else []
            total += len(raw_values)
            if str(labels.get("session_start_time", "")) != wanted:
                continue
            for item in raw_values:
                try:
                    values.append((int(item[0]), str(item[1])))
                except (TypeError, ValueError, IndexError):
                    continue
        values.sort(key=lambda v: v[0])
        out: list[str] = []
        for _, text in values:
            out.extend(clean_line(part.encode("utf-8", "surrogateescape")) for part in text.split("\n"))
        return out, total >= self.limit


__all__ = [
    "LogAttempt",
    "LogFile",
    "LogUnreadable",
    "LokiAttempt",
    "LokiClient",
    "LokiError",
    "clean_line",
    "find_line",
    "frame_log_path",
    "list_attempts",
    "map_log_path",
    "match_spans",
    "unreadable_message",
]
