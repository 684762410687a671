"""Job and layer settings as a person types them: parsing and showing sizes, counts and switches, the
current values of a job or layer, and which fields a form or a command changed (only those are sent).

Pure: no client, no Textual. The `o` forms and `cuetui job-set` / `cuetui layer-set` share it, so a value
the form refuses is refused by the command the same way (and the other way round).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from cuetui.gateway.models import Job, Layer

_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT])(?:I?B)?", re.IGNORECASE)
_UNITS = {"K": 1, "M": 1024, "G": 1024**2, "T": 1024**3}
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
INT32_MAX = 2**31 - 1


class SettingError(ValueError):
    """A value a person typed that is not sent (the message says why, in one line)."""


def parse_size(text: str, what: str = "size") -> int:
    """`16G`, `512M`, `1.5G`, `2048K`, `1T` (a B or iB after the unit is allowed) -> KB, as Cuebot counts
    memory. ASCII digits only; a size without a unit (other than 0) is refused, since KB or MB would only be
    a guess."""
    cleaned = text.strip()
    if cleaned == "0":
        return 0  # no unit needed for nothing (and `format_size` shows 0 so)
    m = _SIZE.fullmatch(cleaned)
    if not m:
        raise SettingError(f"{what} must be a size like 16G or 512M, got {text!r}")
    kb = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if kb > 2**62:
        raise SettingError(f"{what} {text!r} is too large")
    return kb


def format_size(kb: int) -> str:
    """KB shown the way `parse_size` reads it back exactly: `16G`, `512M`, `100K`, `0`."""
    if kb <= 0:
        return "0"
    for unit in ("T", "G", "M"):
        if kb % _UNITS[unit] == 0:
            return f"{kb // _UNITS[unit]}{unit}"
    return f"{kb}K"


def parse_count(text: str, what: str) -> int:
    """A whole number of at least 0 (ASCII digits: `١٢` or `1_000` are not what a person meant)."""
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        raise SettingError(f"{what} must be a whole number of at least 0, got {text!r}")
    value = int(cleaned)
    if value > INT32_MAX:
        raise SettingError(f"{what} {value} is too large")
    return value


def parse_cores(text: str, what: str) -> float:
    """Cores: a number of at least 0, `2` or `2.5` (Cuebot keeps whole cores of it)."""
    cleaned = text.strip()
    if not _DECIMAL.fullmatch(cleaned):
        raise SettingError(f"{what} must be a number of at least 0, got {text!r}")
    value = float(cleaned)
    if value > 1_000_000:
        raise SettingError(f"{what} {text.strip()} is too large")
    return value


def parse_switch(text: str, what: str) -> bool:
    """`on` / `off` (also yes/no, true/false, 1/0)."""
    word = text.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise SettingError(f"{what} must be on or off, got {text!r}")


def parse_tags(text: str) -> tuple[str, ...]:
    """`general,gpu` -> ("general", "gpu"); an empty tag (``a,,b``, a trailing comma, nothing) is refused."""
    tags = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in tags):
        raise SettingError(f"tags must be names separated by commas, none empty, got {text!r}")
    out: list[str] = []
    for tag in tags:
        if tag not in out:
            out.append(tag)
    return tuple(out)


def format_cores(value: float) -> str:
    """Cores as typed: `2`, `2.5`."""
    return f"{value:g}"


def _check_range(values: Mapping[str, Any], low: str, high: str, what: str) -> None:
    lo, hi = values.get(low), values.get(high)
    # 0 as a maximum means no limit, as Cuebot and the simulator read it.
    if lo is not None and hi is not None and hi and lo > hi:
        raise SettingError(f"min {what} ({lo:g}) is more than max {what} ({hi:g})")


@dataclass(frozen=True)
class JobSettings:
    """What the job form shows and `cuetui job-set` sets. `max_retries` is None when not known: the job
    message carries no max retries, so the form leaves it blank and sends it only when typed."""

    priority: int
    min_cores: float
    max_cores: float
    min_gpus: int
    max_gpus: int
    max_retries: int | None
    auto_eat: bool

    @classmethod
    def of(cls, job: Job) -> JobSettings:
        """The job's current values."""
        return cls(
            job.priority,
            job.min_cores,
            job.max_cores,
            int(job.min_gpus),
            int(job.max_gpus),
            None,
            job.auto_eat,
        )

    def check(self) -> None:
        """Refuse min above max (SettingError)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        _check_range(values, "min_cores", "max_cores", "cores")
        _check_range(values, "min_gpus", "max_gpus", "GPUs")


@dataclass(frozen=True)
class LayerSettings:
    """What the layer form shows and `cuetui layer-set` sets (memory in KB, timeouts in minutes)."""

    min_cores: float
    max_cores: float
    min_memory: int
    min_gpu_memory: int
    min_gpus: int
    max_gpus: int
    tags: tuple[str, ...]
    threadable: bool
    timeout: int
    timeout_llu: int

    @classmethod
    def of(cls, layer: Layer) -> LayerSettings:
        """The layer's current values."""
        return cls(
            layer.min_cores,
            layer.max_cores,
            layer.min_memory,
            layer.min_gpu_memory,
            int(layer.min_gpus),
            int(layer.max_gpus),
            tuple(layer.tags),
            layer.is_threadable,
            layer.timeout,
            layer.timeout_llu,
        )

    def check(self) -> None:
        """Refuse min above max and an empty tag (SettingError)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        _check_range(values, "min_cores", "max_cores", "cores")
        _check_range(values, "min_gpus", "max_gpus", "GPUs")
        # An empty list typed in is refused where it is parsed (parse_tags) and by the SetTags builder; a
        # layer that has no tags yet may still have its other settings changed.
        if any(not t.strip() for t in self.tags):
            raise SettingError("a layer needs at least one tag, none empty")


def changed(old: Any, new: Any) -> dict[str, Any]:
    """Field -> new value for every field of two settings that differs (None in `new`: left alone)."""
    out: dict[str, Any] = {}
    for f in fields(old):
        value = getattr(new, f.name)
        if value is not None and value != getattr(old, f.name):
            out[f.name] = value
    return out


def with_changes(current: Any, changes: Mapping[str, Any]) -> Any:
    """`current` with `changes` applied (for the min <= max check over old and new values)."""
    return replace(current, **dict(changes))


_LABELS = {
    "priority": "priority",
    "min_cores": "min cores",
    "max_cores": "max cores",
    "min_gpus": "min GPUs",
    "max_gpus": "max GPUs",
    "max_retries": "max retries",
    "auto_eat": "auto-eat",
    "min_memory": "min memory",
    "min_gpu_memory": "min GPU memory",
    "tags": "tags",
    "threadable": "threadable",
    "timeout": "timeout",
    "timeout_llu": "timeout LLU",
}


def describe(changes: Mapping[str, Any]) -> str:
    """`min memory 16G, tags gpu,general` for a notification or a confirmation."""
    parts = []
    for name, value in changes.items():
        if name in ("min_memory", "min_gpu_memory"):
            text = format_size(int(value))
        elif isinstance(value, bool):
            text = "on" if value else "off"
        elif isinstance(value, float):
            text = format_cores(value)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            text = ",".join(value)
        elif name in ("timeout", "timeout_llu"):
            text = f"{value} min"
        else:
            text = str(value)
        parts.append(f"{_LABELS.get(name, name)} {text}")
    return ", ".join(parts)


def json_value(name: str, value: Any) -> Any:
    """A changed value as `--json` prints it (tags as a list, the rest as is)."""
    return list(value) if name == "tags" else value
