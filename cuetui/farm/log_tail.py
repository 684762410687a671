"""The last lines of a frame's log, for views that show a log beside a table (dead-frame triage) or
one line of it in a column (stuck frames).

`read_log_tail` finds the log the way the frame-log screen does (`cuetui.farm.logs`: RQD path or the
proc's `logPath`, `log_path_map`, Loki when the job or the farm has a `lokiUrl`), reads only its tail in
a thread (a log on a dead NFS mount must not freeze the UI), and never raises: a log that cannot be read
comes back as a message. No Textual: `cuetui.ui.widgets.log_tail.LogTail` renders what it returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from cuetui.farm.logs import LogFile, LogUnreadable, LokiClient, LokiError, frame_log_path, map_log_path
from cuetui.farm.text import safe
from cuetui.farm.triage import first_error_line
from cuetui.gateway.models import Frame, Job

# Enough for the end of a render log and its RQD footer; cheap to read on every cursor move.
TAIL_BYTES = 32 * 1024
TAIL_LINES = 200


@dataclass(frozen=True)
class TailRead:
    """What was read: `lines` (safe text), `error_index` (first error line or None), `path` shown to
    the user, and `problem` (a message instead of lines when the log cannot be read)."""

    lines: tuple[str, ...] = ()
    error_index: int | None = None
    path: str = ""
    problem: str = ""

    @property
    def last_line(self) -> str:
        """The last non-blank line ("" when none)."""
        for line in reversed(self.lines):
            if line.strip():
                return line.strip()
        return ""


def _read_file(path: str, tail_bytes: int) -> list[str]:
    return LogFile(path, tail_bytes=tail_bytes).open_tail()


async def read_log_tail(
    job: Job,
    frame: Frame,
    *,
    log_path_map: Any = (),
    loki_url: str = "",
    proc_log_path: str = "",
    tail_bytes: int = TAIL_BYTES,
    max_lines: int = TAIL_LINES,
) -> TailRead:
    """The tail of `frame`'s current log (file or Loki); never raises."""
    farm_path = frame_log_path(job, frame, proc_log_path or None)
    url = job.loki_url or loki_url
    if url:
        loki = LokiClient(url, limit=max_lines)
        try:
            lines, _more = await loki.lines(frame.id)
        except LokiError as err:
            return TailRead(path=f"loki {frame.id}", problem=str(err))
        finally:
            await loki.aclose()
        where = f"loki frame_id={frame.id}"
    else:
        where = map_log_path(farm_path, tuple(log_path_map))
        try:
            lines = await asyncio.to_thread(_read_file, where, tail_bytes)
        except LogUnreadable as err:
            return TailRead(path=where, problem=str(err))
        except OSError as err:  # pragma: no cover - LogFile maps these to LogUnreadable
            return TailRead(path=where, problem=f"cannot read the frame log {where}: {err}")
    lines = [safe(line) for line in lines[-max_lines:]]
    return TailRead(tuple(lines), first_error_line(lines), where)
