"""Error signatures: what a dead frame's log says went wrong, in a form that matches across frames.

The signature of a dead frame is the first error line of its log (the line triage highlights, found by
`cuetui.farm.triage.first_error_line`: RQD's own header and footer are skipped), normalised so that the
same failure on different frames, jobs and hosts gives the same text. The raw line is kept for display.

The rules, applied in this order to the line:

1. Extra patterns from the config (`[triage] patterns = [["regex", "<placeholder>"], ...]`), each match
   replaced by its placeholder. They run first, so they see the line as it was written.
2. Timestamps become `<time>`: ISO dates with or without a time (`2026-12-03 11:00:02.5`, `…T…Z`), ctime
   style (`Thu Dec 03 11:00:02 2026`), and clock times (`11:00:02`, `11:00:02,123`).
3. Temporary paths become `<tmp>`: the whole path under `/tmp`, `/var/tmp`, `/usr/tmp`, `/dev/shm` or a
   Windows `…\\Temp\\`; their names are random by design.
4. UUIDs and hex ids become `<id>`: `0x…` numbers, UUIDs, and runs of 8 or more hex digits holding at
   least one digit and one letter (hashes, Cuebot ids).
5. Frame numbers become `<frame>`: OpenCue frame names (`0042-render`), `frame 42`, and the number in a
   file name's frame slot (`name.1042.exr`, `name_1042.exr`, `name.#.exr`/`%04d` padding).
6. Every other run of digits (with its decimals) becomes `<n>`: sizes, counts, line numbers, pids,
   shot and version numbers.
7. Runs of white space become one space; the ends are stripped.

Placeholders in angle brackets are left alone by the later rules. Quoted paths keep their directory
structure and file names; only their varying parts (numbers, frame numbers, ids, temp dirs) change, so
`'/shots/sh010/tex/ground.1042.tx'` and `'/shots/sh020/tex/ground.1043.tx'` match, while a different
texture does not.

A frame whose log has no error line gets the signature `no error line in the log (exit N)`; one whose
log cannot be read, `log unreadable`, so that they group too. Pure: no I/O, no event loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cuetui.farm.triage import first_error_line, is_rqd_line

# A compiled extra pattern and its placeholder.
Pattern = tuple[re.Pattern[str], str]

ERROR = "error"
NO_ERROR_LINE = "no-error-line"
UNREADABLE = "unreadable"

UNREADABLE_TEXT = "log unreadable"

_PLACEHOLDER = r"<[a-z*]+>"

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_TIMESTAMPS = (
    # ISO date, optional time, fraction and zone.
    re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"),
    # ctime: Thu Dec 03 11:00:02 2026 (the day name optional).
    re.compile(rf"\b(?:{_DAY}\s+)?{_MONTH}\s+\d{{1,2}}\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s+\d{{4}})?\b"),
    # A clock time alone.
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
)
_TMP = re.compile(
    r"(?<![\w./-])(?:/(?:var/|usr/)?tmp|/dev/shm)(?![\w.-])(?:/[^\s'\"`,;:)\]}>]*)?"  # POSIX temp dirs
    r"|[A-Za-z]:\\(?:[^\s'\"]*\\)?Temp\\[^\s'\"]*",  # Windows ...\Temp\...
    re.I,
)
_IDS = (
    re.compile(r"\b0x[0-9a-fA-F]+\b"),
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}(?![0-9A-Za-z])"),
)
_FRAMES = (
    # OpenCue frame names: 0042-render.
    re.compile(r"(?<![\w.])\d+(?=-[A-Za-z_])"),
    # "frame 42", "frame: 42", "frame=42".
    re.compile(r"(?<=\bframe)(\s*[:=#]?\s*)\d+\b", re.I),
    # The frame slot of a file name: .1042.exr, _1042.exr, .####.exr, .%04d.exr, .$F4.exr.
    re.compile(r"(?<=[._])(?:\d+|#+|%0?\d*d|\$F\d?)(?=\.[A-Za-z][A-Za-z0-9]{0,5}\b)"),
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")
_SPLIT = re.compile(f"({_PLACEHOLDER})")


@dataclass(frozen=True)
class Signature:
    """A dead frame's error signature: `text` to group by, `raw` (the line as logged) to show, and
    `kind`: "error" (an error line was found), "no-error-line" or "unreadable"."""

    text: str
    raw: str
    kind: str = ERROR


class BadPattern(ValueError):
    """An extra pattern that is not a valid regular expression; `str()` says which and why."""


def compile_patterns(pairs: Iterable[tuple[str, str]]) -> tuple[Pattern, ...]:
    """Compile `[triage] patterns` pairs (regex, placeholder). Raises BadPattern on the first bad one."""
    out = []
    for regex, placeholder in pairs:
        try:
            out.append((re.compile(regex), placeholder))
        except re.error as exc:
            raise BadPattern(f"{regex!r} is not a valid regular expression: {exc}") from None
    return tuple(out)


def _outside_placeholders(text: str, pattern: re.Pattern[str], placeholder: str) -> str:
    """Replace `pattern` in the parts of `text` that are not already placeholders."""
    parts = _SPLIT.split(text)
    for k in range(0, len(parts), 2):
        parts[k] = pattern.sub(placeholder, parts[k])
    return "".join(parts)


def _frame_sub(match: re.Match[str]) -> str:
    # "frame 42" keeps its separator; the other frame rules replace the whole match.
    if match.re is _FRAMES[1]:
        return match.group(1) + "<frame>"
    return "<frame>"


def normalise(line: str, extra: Sequence[Pattern] = ()) -> str:
    """The line with its varying parts replaced by placeholders (the rules of the module docstring)."""
    text = line
    for pattern, placeholder in extra:
        text = pattern.sub(placeholder, text)
    for pattern in _TIMESTAMPS:
        text = _outside_placeholders(text, pattern, "<time>")
    text = _outside_placeholders(text, _TMP, "<tmp>")
    for pattern in _IDS:
        text = _outside_placeholders(text, pattern, "<id>")
    parts = _SPLIT.split(text)
    for k in range(0, len(parts), 2):
        for pattern in _FRAMES:
            parts[k] = pattern.sub(_frame_sub, parts[k])
    text = "".join(parts)
    text = _outside_placeholders(text, _NUMBER, "<n>")
    return _SPACE.sub(" ", text).strip()


def error_line(lines: Sequence[str]) -> str | None:
    """The first error line of a log tail (RQD's header and footer skipped), or None."""
    index = first_error_line(lines)
    return None if index is None else lines[index]


def signature_of(lines: Sequence[str], *, exit_status: int | None = None, extra: Sequence[Pattern] = ()) -> Signature:
    """The signature of a dead frame whose log tail is `lines`."""
    line = error_line(lines)
    if line is not None:
        return Signature(normalise(line, extra), line.strip(), ERROR)
    status = "" if exit_status is None else f" (exit {exit_status})"
    # Shown instead: the last line the frame itself wrote (RQD's footer says nothing new).
    last = next((ln.strip() for ln in reversed(lines) if ln.strip() and not is_rqd_line(ln)), "")
    return Signature(f"no error line in the log{status}", last, NO_ERROR_LINE)


def unreadable(problem: str) -> Signature:
    """The signature of a frame whose log cannot be read; `problem` (the reason) is kept as its raw line."""
    return Signature(UNREADABLE_TEXT, problem.splitlines()[0] if problem else UNREADABLE_TEXT, UNREADABLE)


__all__ = [
    "ERROR",
    "NO_ERROR_LINE",
    "UNREADABLE",
    "UNREADABLE_TEXT",
    "BadPattern",
    "Pattern",
    "Signature",
    "compile_patterns",
    "error_line",
    "normalise",
    "signature_of",
    "unreadable",
]
