"""Farm strings are data: make them safe to put on a terminal.

Job names, comments, host tags and log lines come from the farm. They must never be read as Rich/Textual
markup (a job named `[@click=app.quit]`) nor reach the terminal as control sequences (a log line with
`ESC]52;…` writing the clipboard, `ESC[2J` clearing the screen). Screens build `rich.text.Text` from
`safe(...)` output, never markup strings.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC sequences, C1 CSI/OSC forms.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC, ended by BEL or ST (or cut off)
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS, SOS, PM, APC strings
    | \x1b[@-Z\\-_]                      # two-byte escapes
    | \x9b[0-?]*[ -/]*[@-~]              # C1 CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?     # C1 OSC
    """,
    re.VERBOSE,
)
# Remaining C0/C1 controls except tab; a lone ESC included.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# Characters that reorder or hide text without taking a cell: bidi embeddings, overrides, isolates and
# marks, zero-width spaces and joiners, the BOM. In a table they make a row lie about its neighbours, so
# they are shown as a visible U+FFFD (one cell); --json keeps them, escaped.
_INVISIBLE = re.compile("[\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
SHOWN_FOR_INVISIBLE = "\ufffd"
_COMBINING = ("Mn", "Me")
_NOT_VISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}


def _drop_combining(text: str) -> str:
    """NFC first (a decomposed é stays é), then combining marks left over are dropped: stacked marks
    (zalgo) would otherwise spill into the row above or below."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in composed if unicodedata.category(ch) not in _COMBINING)


def visible(text: str) -> bool:
    """True when `text` holds at least one character that shows (not only spaces, controls,
    zero-width or combining characters): what a kill reason or a criterion must have."""
    return any(unicodedata.category(ch) not in _NOT_VISIBLE for ch in text)


def clipboard_text(text: str) -> str:
    """What may go on the clipboard from a farm string: escape sequences, controls and the invisible
    reordering characters removed (a name holding OSC 52 must not reach a terminal when pasted)."""
    return safe(_INVISIBLE.sub("", str(text)))


def strip_ansi(text: str) -> str:
    """`text` with terminal escape sequences removed and other control characters dropped."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def safe(text: object, limit: int | None = None) -> str:
    """One line of farm text fit for display: escapes and controls removed, tabs and newlines as
    spaces, bidi and zero-width characters shown as U+FFFD, combining marks dropped (after NFC),
    optionally cut to `limit` characters with an ellipsis."""
    s = str(text)
    s = _ANSI.sub("", s).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    s = _CONTROL.sub("", s)
    if not s.isascii():
        s = _drop_combining(_INVISIBLE.sub(SHOWN_FOR_INVISIBLE, s))
    if limit is not None and len(s) > limit:
        return s[: max(0, limit - 1)] + "…"
    return s


def decode_log_bytes(data: bytes) -> str:
    """Log bytes as text: UTF-8 where valid, invalid bytes shown as U+FFFD, never an exception."""
    return data.decode("utf-8", errors="replace")
