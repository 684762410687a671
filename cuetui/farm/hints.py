"""Hints with remedies for a group of dead frames (pure: no I/O, no event loop).

- Killed for memory: exit 137 (signal 9) with a max RSS at or near the layer's min memory or the host's
  memory: "killed (OOM?)", and the remedy "raise min memory to X" where X is a round size above the
  largest max RSS seen (`suggest_min_memory`; the figure is the one a layer settings form is opened with).
- A host problem: a host that stands out among the dead frames (`cuetui.farm.triage.suspect_hosts`) and
  is behind frames of this group: lock it, retry the frames elsewhere.
- Not transient: every frame died on its last retry, and each attempt whose log could be read failed
  with the same signature: retrying will fail again.

Memory is in KB, as the protocol has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cuetui.farm.triage import DeadFrame, Suspect
from cuetui.gateway.models import Job

# 128 + SIGKILL: what a frame the kernel's OOM killer (or RQD's memory check) ended exits with.
KILLED_EXIT = 137
# A max RSS within this fraction of a limit counts as "at the limit": RSS is sampled, so the peak that
# got the frame killed is usually a little above the last sample.
NEAR = 0.9
# The suggestion leaves this much room above the largest max RSS seen.
HEADROOM = 1.2
KB_PER_GB = 1024 * 1024
# The sizes a suggestion is rounded up to (GB): what people type into a layer's min memory.
SIZES_GB = (1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)


def round_memory_kb(kb: int) -> int:
    """The smallest size of SIZES_GB at or above `kb` (beyond the table: the next multiple of 128 GB)."""
    for gb in SIZES_GB:
        if gb * KB_PER_GB >= kb:
            return gb * KB_PER_GB
    step = 128 * KB_PER_GB
    return -(-kb // step) * step


def memory_label(kb: int) -> str:
    """`16G`, `1.5G`, `512M`: a memory size in KB the way a wrangler writes it."""
    if kb >= KB_PER_GB:
        gb = kb / KB_PER_GB
        return f"{gb:.0f}G" if gb == int(gb) or gb >= 10 else f"{gb:.1f}G"
    return f"{max(0, kb) // 1024}M"


def killed_for_memory(dead: DeadFrame, min_memory_kb: int, host_memory_kb: int = 0) -> bool:
    """True when the frame was killed (exit 137) with a max RSS at or near the layer's min memory or the
    host's memory: most likely out of memory."""
    frame = dead.frame
    if frame.exit_status != KILLED_EXIT or frame.max_rss <= 0:
        return False
    return any(limit > 0 and frame.max_rss >= NEAR * limit for limit in (min_memory_kb, host_memory_kb))


@dataclass(frozen=True)
class MemorySuggestion:
    """Raise `layer` of `job` to `min_memory_kb`: its frames were killed at `max_rss_kb` (the largest
    seen) while the layer asked for `current_kb`."""

    job: Job
    layer: str
    min_memory_kb: int
    max_rss_kb: int
    current_kb: int
    frames: int

    @property
    def text(self) -> str:
        """`raise min memory of render to 16G (max RSS 13.1G, min 8G)`."""
        current = memory_label(self.current_kb) if self.current_kb else "not set"
        return (
            f"raise min memory of {self.layer} to {memory_label(self.min_memory_kb)}"
            f" (max RSS {memory_label(self.max_rss_kb)}, min {current})"
        )


def suggest_min_memory(
    dead: Iterable[DeadFrame],
    min_memory: Mapping[tuple[str, str], int],
    host_memory: Mapping[str, int] | None = None,
) -> list[MemorySuggestion]:
    """One suggestion per (job, layer) whose frames were killed for memory (`killed_for_memory`):
    `min_memory` maps (job id, layer name) to the layer's min memory, `host_memory` a host's name to
    its memory. The figure is a round size (SIZES_GB) at least HEADROOM above the largest max RSS and
    above the current min memory. Most frames first."""
    hosts = host_memory or {}
    found: dict[tuple[str, str], tuple[Job, int, int]] = {}
    for d in dead:
        key = (d.job.id, d.frame.layer_name)
        current = min_memory.get(key, 0)
        if not killed_for_memory(d, current, hosts.get(d.host, 0)):
            continue
        _job, rss, count = found.get(key, (d.job, 0, 0))
        found[key] = (d.job, max(rss, d.frame.max_rss), count + 1)
    out = []
    for (_job_id, layer), (job, rss, count) in found.items():
        current = min_memory.get((job.id, layer), 0)
        wanted = round_memory_kb(max(int(rss * HEADROOM), current + 1))
        out.append(MemorySuggestion(job, layer, wanted, rss, current, count))
    out.sort(key=lambda s: (-s.frames, s.job.name, s.layer))
    return out


# A suspect host is named behind a group of deaths only when it is behind at least this share of them:
# one frame in a few hundred that died on a bad host is not what the group is about.
HOST_SHARE = 0.5


def host_behind(
    frames: Sequence[DeadFrame], suspects: Sequence[Suspect], *, at_least: float = HOST_SHARE
) -> Suspect | None:
    """The suspect host behind the most of `frames`, when it is behind at least `at_least` of them
    (None when no suspect host is, or none is behind that share)."""
    on: dict[str, int] = {}
    for d in frames:
        on[d.host] = on.get(d.host, 0) + 1
    best = [(on[s.host], s) for s in suspects if on.get(s.host)]
    if not best:
        return None
    count, suspect = max(best, key=lambda pair: pair[0])
    return suspect if count >= at_least * len(frames) else None


def not_transient(
    frames: Sequence[DeadFrame], current: Mapping[str, str], earlier: Mapping[str, Sequence[str]]
) -> bool:
    """True when every frame died again after a retry with the same signature every time: `current`
    maps a frame id to the signature of its last attempt, `earlier` to those of its earlier attempts
    (the rotated logs that could be read). A frame with no earlier attempt read, or one whose signature
    changed, makes it False: the failure may be transient."""
    if not frames:
        return False
    for d in frames:
        last = current.get(d.frame.id)
        before = earlier.get(d.frame.id, ())
        if last is None or not before or any(sig != last for sig in before):
            return False
    return True


__all__ = [
    "HEADROOM",
    "HOST_SHARE",
    "KILLED_EXIT",
    "MemorySuggestion",
    "host_behind",
    "killed_for_memory",
    "memory_label",
    "not_transient",
    "round_memory_kb",
    "suggest_min_memory",
]
