"""Pure formatting of farm values for people: durations, memory, progress, times, frame counts.

Shared by the screens and the non-interactive commands so a duration reads the same everywhere.
Every value comes from the gateway, so none of these ever raises: a time above 2^63, a time in
nanoseconds, NaN or infinity is shown as "?" (or capped), never an OverflowError in a screen.
"""

from __future__ import annotations

import math
import time

UNKNOWN = "?"
# Beyond these a value is shown capped: no real render runs 27 years or uses an exabyte.
MAX_DURATION_DAYS = 9999
MAX_CLOCK_HOURS = 99999


def _finite(value: object) -> float | None:
    """`value` as a finite float, or None (non-numbers, NaN, infinities, ints too big for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def duration(seconds: float | None) -> str:
    """`1d02h`, `3h05m`, `4m07s`, `12s`; "" for None or negative."""
    value = _finite(seconds)
    if value is None:
        return "" if seconds is None else UNKNOWN
    if value < 0:
        return ""
    if value >= (MAX_DURATION_DAYS + 1) * 86400:
        return f">{MAX_DURATION_DAYS}d"
    s = int(value)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{s:02d}s"
    return f"{s}s"


def clock_duration(seconds: float | None) -> str:
    """`HH:MM:SS` (hours may exceed 24), as in plain monitor lines; "" for None."""
    value = _finite(seconds)
    if value is None:
        return "" if seconds is None else UNKNOWN
    if value < 0:
        return ""
    if value >= (MAX_CLOCK_HOURS + 1) * 3600:
        return f">{MAX_CLOCK_HOURS}:59:59"
    s = int(value)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    return f"{hours:02d}:{minutes:02d}:{s:02d}"


def memory_kb(kb: int | float | None) -> str:
    """Memory given in KB (OpenCue's unit) as `512K`, `3.2M`, `4.0G`, `1.5T`; "" for 0/None."""
    if not kb:
        return ""
    value = _finite(kb)
    if value is None:
        return UNKNOWN
    if value < 0:
        return ""
    for unit in ("K", "M", "G", "T", "P", "E"):
        if value < 1024:
            return f"{value:.0f}{unit}" if unit == "K" else f"{value:.1f}{unit}"
        value /= 1024
    return ">1023E"


def cores(value: float) -> str:
    """Cores without a needless `.00`: `4`, `0.5`, `12.25`; "?" for what is not a real count."""
    number = _finite(value)
    if number is None:
        return UNKNOWN
    if abs(number) >= 1e9:
        return f"{number:.3g}"
    return f"{number:.2f}".rstrip("0").rstrip(".") if number else "0"


def cores_number(value: float) -> int | float:
    """Cores as a JSON number: a whole count as an int (48, not 48.0), else rounded to hundredths (1.5)."""
    rounded = round(value, 2)
    return int(rounded) if rounded.is_integer() else rounded


def percent(done: int, total: int) -> int:
    """Whole percent of `done` out of `total` (0 when total is 0), never above 100."""
    d, t = _finite(done), _finite(total)
    if d is None or t is None or t <= 0 or d <= 0:
        return 0
    return int(min(100.0, (d * 100) // t))


def bar(done: int, total: int, width: int, *, full: str = "█", empty: str = "░") -> str:
    """A text progress bar of exactly `width` cells, eighths for the partial cell."""
    if width <= 0:
        return ""
    d, t = _finite(done), _finite(total)
    if d is None or t is None or t <= 0:
        return empty * width
    eighths = "▏▎▍▌▋▊▉"
    filled = int(max(0.0, min(width * 8, (min(d, t) * width * 8) // t)))
    whole, part = divmod(filled, 8)
    text = full * whole
    if part and whole < width:
        text += eighths[part - 1]
    return text + empty * (width - len(text))


def timestamp(epoch: int | float, now: float | None = None, *, seconds: bool = False) -> str:
    """A local time `HH:MM` (`HH:MM:SS` with `seconds`) for today, `Mon DD HH:MM` otherwise; "" for 0
    (never set). At most 12 characters."""
    if not epoch:
        return ""
    now = time.time() if now is None else now
    value = _finite(epoch)
    if value is None:
        return UNKNOWN
    try:
        t = time.localtime(value)
        if time.localtime(now)[:3] == t[:3]:
            return time.strftime("%H:%M:%S" if seconds else "%H:%M", t)
        if t.tm_year > 9999:
            return UNKNOWN
        return time.strftime("%b %d %H:%M", t)
    except (OverflowError, OSError, ValueError):
        return UNKNOWN  # beyond what the C library can convert (2^63, nanoseconds, year 10^9)


def age(epoch: int | float, now: float | None = None) -> str:
    """How long ago: `12s ago`, `4m07s ago`; "" for 0."""
    if not epoch:
        return ""
    now = time.time() if now is None else now
    value = _finite(epoch)
    if value is None:
        return UNKNOWN
    return f"{duration(max(0.0, now - value))} ago"


def iso_utc(epoch: float) -> str:
    """`2026-11-24T10:00:05Z`; "?" for a time the C library cannot convert."""
    value = _finite(epoch)
    if value is None:
        return UNKNOWN
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(value))
    except (OverflowError, OSError, ValueError):
        return UNKNOWN


def eta_seconds(remaining_frames: int, running: int, avg_frame_sec: float, rate_per_sec: float = 0.0) -> float | None:
    """Seconds until the remaining frames are done: from the observed completion rate when there is
    one, else from the average frame time and how many run at once; None when unknown."""
    if remaining_frames <= 0:
        return 0.0
    if rate_per_sec > 0:
        return remaining_frames / rate_per_sec
    if avg_frame_sec > 0 and running > 0:
        return remaining_frames * avg_frame_sec / running
    return None


def enum_text(value: str, enum: str) -> str:
    """An OpenCue enum value for a table: a known name as it is, an unknown one as "?" + the raw value
    (printable, at most 20 characters), as the screens show it. `--json` keeps the raw value."""
    from cuetui.farm.text import safe
    from cuetui.gateway.models import is_known_enum

    return value if is_known_enum(enum, value) else "?" + safe(value, 20)
