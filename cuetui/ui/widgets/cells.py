"""Cell renderers shared by the tables: states, counts, progress bars, sizes and times.

Every cell is a `rich.text.Text` built from plain strings (farm strings through `safe()` first), styled
by the table's component classes so the colours come from the theme in the .tcss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.gateway.models import Job, is_known_enum
from cuetui.ui.widgets.farm_table import CellContext, Column

T = TypeVar("T")


def name_cell(value: str, ctx: CellContext, style: str = "") -> Text:
    """A farm-supplied name, shown literally (no markup, no control sequences)."""
    return ctx.text(safe(value), style)


def enum_text(value: str, enum: str) -> tuple[str, bool]:
    """An enum value for display: known names as they are, unknown ones as "?" + the raw value."""
    if is_known_enum(enum, value):
        return value, True
    return "?" + safe(value, 20), False


def enum_cell(value: str, enum: str, ctx: CellContext, styles: dict[str, str] | None = None) -> Text:
    """An enum cell, styled per value (unknown values in the "unknown" style)."""
    text, known = enum_text(value, enum)
    style = (styles or {}).get(value, "") if known else "unknown"
    return ctx.text(text, style)


def count_cell(n: int, ctx: CellContext, style: str = "") -> Text:
    """A right-aligned count; zero is dimmed so non-zero counts stand out."""
    if not n:
        return ctx.text("0", "dim", justify="right")
    return ctx.text(str(n), style, justify="right")


def count_column(
    key: str, label: str, count: Callable[[T], int], width: int, *, priority: int = 0, style: str = ""
) -> Column[T]:
    """A column of frame (or job) counts: right-aligned, zero dimmed, `style` (a state) otherwise,
    largest first on the first sort. The jobs, shows and layers tables declare their counts with it."""
    return Column(
        key,
        label,
        lambda model, ctx: count_cell(count(model), ctx, style),
        count,
        width,
        priority=priority,
        reverse_first=True,
    )


def amount_column(
    key: str, label: str, amount: Callable[[T], float], show: Callable[[float], str], width: int, *, priority: int = 0
) -> Column[T]:
    """A column of amounts (cores, memory) shown by `show`, largest first on the first sort."""
    return Column(
        key,
        label,
        lambda model, ctx: number_cell(show(amount(model)), ctx),
        amount,
        width,
        priority=priority,
        reverse_first=True,
    )


def number_cell(value: str, ctx: CellContext, style: str = "") -> Text:
    """A right-aligned pre-formatted number."""
    return ctx.text(value, style, justify="right")


def progress_cell(done: int, total: int, width: int, ctx: CellContext) -> Text:
    """`██████░░░░  60%`: a bar `width - 5` cells wide and the whole percent."""
    bar_width = max(1, width - 5)
    text = fmt.bar(done, total, bar_width)
    filled = len(text.rstrip("░"))
    cell = Text(end="", no_wrap=True)
    cell.append(text[:filled], style=ctx.style("bar-done"))
    cell.append(text[filled:], style=ctx.style("bar-todo"))
    cell.append(f"{fmt.percent(done, total):4d}%")
    return cell


def coarse_duration(seconds: float | None) -> str:
    """A duration to the minute (`<1m`, `4m`, `3h05m`, `1d02h`): live cells then change at most once
    a minute, which keeps an idle monitor from repainting every poll."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    return fmt.duration(seconds)


def elapsed_duration(seconds: float | None) -> str:
    """A running time to two figures, so that it changes rarely: `<5m`, `25m` (5-minute steps), `3.7h`
    (tenths of an hour), `21h`, `2d18h`; always rounded down. A changed cell makes Textual rewrite its
    whole table row (~1.2 KB at 160 columns): an Elapsed column to the minute on every job younger than
    a day cost an idle jobs screen ~12 KB a minute (bench/bench_idle.py), against 4 KB."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 300:
        return "<5m"
    if seconds < 3600:
        return f"{int(seconds // 300) * 5}m"
    if seconds < 36000:
        return f"{int(seconds // 360) / 10:.1f}h"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return fmt.duration(seconds)


def job_state(job: Job) -> tuple[str, str]:
    """The job's state word and its style: paused and finished first, then running or waiting."""
    if not is_known_enum("JobState", job.state):
        return "?" + safe(job.state, 12), "unknown"
    if job.is_paused and not job.is_finished:
        return "PAUSED", "paused"
    if job.is_finished:
        return "FINISHED", "finished"
    if job.state != "PENDING":
        return job.state, "waiting"
    stats = job.stats
    if stats.running_frames:
        return "RUNNING", "running"
    if stats.dead_frames and not (stats.waiting_frames or stats.depend_frames):
        return "DEAD", "dead"
    if stats.depend_frames and not stats.waiting_frames:
        return "DEPEND", "depend"
    return "WAITING", "waiting"


def job_frame_seconds(job: Job) -> float:
    """Average wall time of a frame: Cuebot's avgFrameSec is always 0 (a known bug), so estimate it
    from the average core-seconds per frame and the cores a running frame holds."""
    stats = job.stats
    if stats.avg_frame_sec > 0:
        return float(stats.avg_frame_sec)
    if stats.avg_core_sec > 0 and stats.running_frames > 0 and stats.reserved_cores > 0:
        return stats.avg_core_sec / (stats.reserved_cores / stats.running_frames)
    return 0.0


def waits_on_dead(job: Job) -> bool:
    """True when a job that has not finished has nothing left to run but dead frames: no frame will
    finish until someone retries or eats them, so there is no ETA."""
    stats = job.stats
    remaining = stats.waiting_frames + stats.running_frames + stats.depend_frames
    return not job.is_finished and remaining == 0 and stats.dead_frames > 0


def job_eta(job: Job) -> float | None:
    """Seconds until the frames left are done; 0 when nothing is left, None when unknown (or when only
    dead frames are left: nothing will finish by itself)."""
    if job.is_finished:
        return 0.0
    if waits_on_dead(job):
        return None
    stats = job.stats
    remaining = stats.waiting_frames + stats.running_frames + stats.depend_frames
    return fmt.eta_seconds(remaining, stats.running_frames, job_frame_seconds(job))


def job_elapsed(job: Job, now: float) -> float | None:
    """Seconds since the job started (until it stopped, when finished)."""
    if not job.start_time:
        return None
    end = job.stop_time if job.stop_time and job.is_finished else now
    return max(0.0, end - job.start_time)
