"""Everything cuetui does to the farm goes through FarmActions: one place that enforces read-only,
validates what a person typed, sends the protocol's bodies (through the client's typed builders) and
reports what happened in one line with counts.

The TUI, `cuetui monitor` and the action commands all use it, so read-only mode cannot be bypassed by
a screen that forgot to hide a key.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from cuetui.farm.frame_range import FrameRange
from cuetui.farm.settings import describe
from cuetui.farm.text import visible
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError, RefusedRequest
from cuetui.gateway.farm_models import CORE_UNITS_PER_CORE, Depend, Subscription
from cuetui.gateway.models import Comment, Frame, Host, Job, Layer, Proc
from cuetui.gateway.requests import FrameSearch

PRIORITY_MIN = 0
PRIORITY_MAX = 1_000_000
PRIORITY_STEP = 10

T = TypeVar("T")


class ReadOnlyError(RefusedRequest):
    """The action was not sent because cuetui runs read-only (`--read-only` or `read_only = true`)."""


_ASCII_NUMBER = re.compile(r"[0-9]+")


def parse_priority(text: str) -> int:
    """A priority typed by a person: a whole number from 0 to 1 000 000 (as CueGUI allows)."""
    # ASCII digits only: int() would also take "١٢٣" and "1_000", which a person did not mean to type.
    cleaned = text.strip()
    if not _ASCII_NUMBER.fullmatch(cleaned):
        raise ValueError(f"priority must be a whole number from {PRIORITY_MIN} to {PRIORITY_MAX:,}, got {text!r}")
    value = int(cleaned)
    if not PRIORITY_MIN <= value <= PRIORITY_MAX:
        raise ValueError(f"priority must be from {PRIORITY_MIN} to {PRIORITY_MAX:,}, got {value}")
    return value


# A subscription's size and burst are int32 core units (hundredths of a core) in the protocol.
CORES_MAX = (2**31 - 1) // CORE_UNITS_PER_CORE


def parse_cores(text: str, what: str = "cores") -> int:
    """A subscription size or burst typed by a person: a whole number of cores, 0 or more."""
    cleaned = text.strip()
    if not _ASCII_NUMBER.fullmatch(cleaned):
        raise ValueError(f"{what} must be a whole number of cores, 0 or more, got {text!r}")
    value = int(cleaned)
    if value > CORES_MAX:
        raise ValueError(f"{what} must be at most {CORES_MAX:,} cores, got {value:,}")
    return value


def _count(count: int | None) -> Callable[[object], int] | None:
    """`frames_of` for one item whose frame count is known (or None when it is not)."""
    return None if count is None else (lambda _: count)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# The infinitive of each past-tense action word, to say what failed ("failed to retry 4 frames").
_INFINITIVES = {
    "paused": "pause",
    "resumed": "resume",
    "set": "set",
    "raised": "raise",
    "lowered": "lower",
    "killed": "kill",
    "retried": "retry",
    "ate": "eat",
    "locked": "lock",
    "unlocked": "unlock",
    "dropped": "drop",
    "marked": "mark",
    "added": "add",
    "deleted": "delete",
}


@dataclass(frozen=True)
class ActionResult:
    """What an action did: `done` of `total` items (`unit`: job, frame or host) succeeded; `frames` counts
    the frames of the items that succeeded only, `frames_tried` those of every item tried; `message` is
    one line for a notification; `errors` one line per failure."""

    action: str
    done: int
    total: int
    frames: int | None = None
    errors: tuple[str, ...] = field(default_factory=tuple)
    unit: str = ""
    frames_tried: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        """True when every part succeeded."""
        return not self.errors

    @property
    def failed(self) -> bool:
        """True when nothing succeeded."""
        return bool(self.errors) and self.done == 0

    @property
    def message(self) -> str:
        """E.g. "retried 12 frames of 2 jobs", "paused 1 of 2 jobs; failed: …" or, when nothing
        succeeded, "failed to retry 4 frames: …" (never a count of what was only tried)."""
        noun = self._noun()
        if self.failed:
            text = f"failed to {self._infinitive()} {self._tried()}"
            return text + ": " + self._errors_text()
        if self.frames is not None:
            text = f"{self.action} {_plural(self.frames, 'frame')}"
            if noun == "frame":
                if self.done != self.total:
                    text = f"{self.action} {self.done} of {_plural(self.total, 'frame')}"
            elif self.done != self.total:
                text += f" ({self.done} of {_plural(self.total, noun)})"
            elif self.total > 1:
                text += f" of {_plural(self.total, noun)}"
        elif self.done == self.total:
            text = f"{self.action} {_plural(self.total, noun)}"
        else:
            text = f"{self.action} {self.done} of {_plural(self.total, noun)}"
        if self.note:
            text += f" ({self.note})"
        if self.errors:
            text += "; failed: " + self._errors_text()
        return text

    def _errors_text(self) -> str:
        more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return self.errors[0] + more

    def _tried(self) -> str:
        noun = self._noun()
        if noun != "frame" and self.frames_tried is not None:
            text = _plural(self.frames_tried, "frame")
            return text + (f" of {_plural(self.total, noun)}" if self.total > 1 else "")
        return _plural(self.total, noun)

    def _infinitive(self) -> str:
        first, sep, rest = self.action.partition(" ")
        return _INFINITIVES.get(first, first) + sep + rest

    def _noun(self) -> str:
        if self.unit:
            return self.unit
        return "host" if self.action in ("locked", "unlocked") else "job"


class FarmActions:
    """Sends actions for a person or a script. Every method raises ReadOnlyError when read-only, and
    RefusedRequest for input it will not send; gateway failures are collected into the result."""

    def __init__(self, client: GatewayClient, *, read_only: bool = False) -> None:
        self.client = client
        self.read_only = read_only

    def _check(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyError(f"read-only mode: {what} not sent")

    async def _each(
        self,
        action: str,
        items: Sequence[T],
        send: Callable[[T], Awaitable[None]],
        frames_of: Callable[[T], int] | None = None,
    ) -> ActionResult:
        """Send to each item in turn; `frames_of(item)` is how many frames an item's action touches,
        counted in the result's `frames` only when that item succeeded."""
        errors: list[str] = []
        done = 0
        frames = 0
        for item in items:
            try:
                await send(item)
            except GatewayError as exc:
                errors.append(str(exc))
            else:
                done += 1
                frames += frames_of(item) if frames_of is not None else 0
        if frames_of is None:
            return ActionResult(action, done, len(items), errors=tuple(errors))
        tried = sum(frames_of(item) for item in items)
        return ActionResult(action, done, len(items), frames=frames, errors=tuple(errors), frames_tried=tried)

    # --- jobs -----------------------------------------------------------------------------------------

    async def pause(self, jobs: Sequence[Job]) -> ActionResult:
        """Pause jobs."""
        self._check("pause")
        return await self._each("paused", jobs, lambda j: self.client.pause_job(j.id))

    async def resume(self, jobs: Sequence[Job]) -> ActionResult:
        """Resume jobs."""
        self._check("resume")
        return await self._each("resumed", jobs, lambda j: self.client.resume_job(j.id))

    async def set_priority(self, jobs: Sequence[Job], priority: int) -> ActionResult:
        """Set the same exact priority on jobs (0 to 1 000 000)."""
        self._check("set priority")
        if isinstance(priority, bool) or not isinstance(priority, int) or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            raise RefusedRequest(f"priority must be a whole number from {PRIORITY_MIN} to {PRIORITY_MAX:,}")
        result = await self._each(
            f"set priority {priority} on",
            jobs,
            lambda j: self.client.set_priority(j.id, priority),
        )
        return result

    async def bump_priority(self, jobs: Sequence[Job], delta: int = PRIORITY_STEP) -> ActionResult:
        """Raise (or lower, with a negative delta) each job's priority, kept within 0 to 1 000 000."""
        self._check("change priority")

        async def send(job: Job) -> None:
            value = max(PRIORITY_MIN, min(PRIORITY_MAX, job.priority + delta))
            await self.client.set_priority(job.id, value)

        verb = "raised priority of" if delta >= 0 else "lowered priority of"
        return await self._each(verb, jobs, send)

    async def kill(self, jobs: Sequence[Job], reason: str) -> ActionResult:
        """Kill jobs with a reason (Cuebot ignores a kill without one, so it is required)."""
        self._check("kill")
        if not visible(reason):
            raise RefusedRequest("a kill needs a reason with visible text")
        return await self._each("killed", jobs, lambda j: self.client.kill_job(j.id, reason))

    async def retry_dead(self, jobs: Sequence[Job]) -> ActionResult:
        """Retry every dead frame of jobs (`frames` counts the dead frames the jobs reported)."""
        self._check("retry")
        search = FrameSearch(states=["DEAD"])
        return await self._each(
            "retried",
            jobs,
            lambda j: self.client.retry_frames(j.id, search),
            frames_of=lambda j: j.stats.dead_frames,
        )

    async def eat_dead(self, jobs: Sequence[Job]) -> ActionResult:
        """Eat every dead frame of jobs."""
        self._check("eat")
        search = FrameSearch(states=["DEAD"])
        return await self._each(
            "ate",
            jobs,
            lambda j: self.client.eat_frames(j.id, search),
            frames_of=lambda j: j.stats.dead_frames,
        )

    # --- job settings and comments ---------------------------------------------------------------------

    async def apply_job_settings(self, jobs: Sequence[Job], changes: Mapping[str, Any]) -> ActionResult:
        """Send only the changed job settings (`farm.settings.changed`) to each job: one request each."""
        self._check("job settings")
        if not jobs:
            raise RefusedRequest("no jobs selected")
        if not changes:
            raise RefusedRequest("nothing changed: nothing sent")
        client = self.client
        senders: dict[str, Callable[[str, Any], Awaitable[None]]] = {
            "priority": client.set_priority,
            "min_cores": client.set_min_cores,
            "max_cores": client.set_max_cores,
            "min_gpus": client.set_job_min_gpus,
            "max_gpus": client.set_job_max_gpus,
            "max_retries": client.set_max_retries,
            "auto_eat": client.set_auto_eat,
        }
        unknown = [name for name in changes if name not in senders]
        if unknown:
            raise RefusedRequest(f"not a job setting: {', '.join(unknown)}")

        async def send(job: Job) -> None:
            for name, value in changes.items():
                await senders[name](job.id, value)

        return await self._each(f"set {describe(changes)} on", jobs, send)

    async def add_comment(self, job: Job, subject: str, message: str) -> ActionResult:
        """Add a comment to a job (a subject with visible text is required)."""
        self._check("comment")
        if not visible(subject):
            raise RefusedRequest("a comment needs a subject with visible text")
        result = await self._each(
            "added a comment to", [job], lambda j: self.client.add_job_comment(j.id, subject, message)
        )
        return result

    async def delete_comment(self, comment: Comment) -> ActionResult:
        """Delete one of one's own comments (another user's is refused here, as CueGUI does)."""
        self._check("delete comment")
        me = self.client.requester.username
        if comment.user != me:
            raise RefusedRequest(f"that comment is {comment.user or 'nobody'}'s, not yours ({me}): not deleted")
        result = await self._each("deleted", [comment], lambda c: self.client.delete_comment(c.id))
        return replace(result, unit="comment")

    # --- layers ---------------------------------------------------------------------------------------

    async def apply_layer_settings(self, layers: Sequence[Layer], changes: Mapping[str, Any]) -> ActionResult:
        """Send only the changed layer settings to each layer: one LayerInterface request each."""
        self._check("layer settings")
        if not layers:
            raise RefusedRequest("no layers selected")
        if not changes:
            raise RefusedRequest("nothing changed: nothing sent")
        known = {"min_cores", "max_cores", "min_memory", "min_gpu_memory", "min_gpus", "max_gpus", "tags"}
        known |= {"threadable", "timeout", "timeout_llu"}
        unknown = [name for name in changes if name not in known]
        if unknown:
            raise RefusedRequest(f"not a layer setting: {', '.join(unknown)}")

        async def send(layer: Layer) -> None:
            for name, value in changes.items():
                await self.client.set_layer(layer.id, name, list(value) if name == "tags" else value)

        result = await self._each(f"set {describe(changes)} on", layers, send)
        return replace(result, unit="layer")

    def _layer_names(self, layers: Sequence[Layer]) -> list[str]:
        if not layers:
            raise RefusedRequest("no layers selected")
        return [layer.name for layer in layers]

    async def retry_layers_dead(self, job: Job, layers: Sequence[Layer]) -> ActionResult:
        """Retry the dead frames (only those) of these layers of one job: one RetryFrames."""
        self._check("retry")
        search = FrameSearch(layers=self._layer_names(layers), states=["DEAD"])
        return await self.retry_matching(job, search, count=sum(layer.stats.dead_frames for layer in layers))

    async def eat_layers_dead(self, job: Job, layers: Sequence[Layer]) -> ActionResult:
        """Eat the dead frames of these layers of one job."""
        self._check("eat")
        search = FrameSearch(layers=self._layer_names(layers), states=["DEAD"])
        return await self.eat_matching(job, search, count=sum(layer.stats.dead_frames for layer in layers))

    async def kill_layers_running(self, job: Job, layers: Sequence[Layer], reason: str) -> ActionResult:
        """Kill the running frames of these layers of one job, with a reason."""
        self._check("kill frames")
        search = FrameSearch(layers=self._layer_names(layers))
        count = sum(layer.stats.running_frames for layer in layers)
        return await self.kill_matching(job, search, reason, count=count)

    async def mark_layers_done(self, layers: Sequence[Layer], depends: int | None = None) -> ActionResult:
        """Mark layers done (MarkdoneFrames): as Cuebot does, every dependency waiting on them is
        satisfied and their frames are left as they are; `depends`, when counted beforehand, is said in
        the note."""
        self._check("mark done")
        self._layer_names(layers)
        result = await self._each("marked done", layers, lambda layer: self.client.mark_layer_done(layer.id))
        note = ""
        if depends is not None and result.ok:  # counted over every layer: said only when all went
            note = f"{depends} {'dependency' if depends == 1 else 'dependencies'} satisfied"
        return replace(result, unit="layer", note=note)

    # --- frames ---------------------------------------------------------------------------------------

    async def count_frames(self, job: Job, search: FrameSearch) -> int:
        """How many frames of `job` match `search` (pages through them; the gateway has no count)."""
        if search.is_empty():
            raise RefusedRequest("no criteria: this would match every frame of the job")
        total = 0
        async for page in self.client.iter_frame_pages(job.id, search):
            total += len(page)
        return total

    async def retry_matching(self, job: Job, search: FrameSearch, count: int | None = None) -> ActionResult:
        """Retry the frames of `job` matching non-empty criteria."""
        self._check("retry")
        return await self._each("retried", [job], lambda j: self.client.retry_frames(job.id, search), _count(count))

    async def eat_matching(self, job: Job, search: FrameSearch, count: int | None = None) -> ActionResult:
        """Eat the frames of `job` matching non-empty criteria."""
        self._check("eat")
        return await self._each("ate", [job], lambda j: self.client.eat_frames(job.id, search), _count(count))

    async def kill_matching(self, job: Job, search: FrameSearch, reason: str, count: int | None = None) -> ActionResult:
        """Kill the running frames of `job` matching non-empty criteria."""
        self._check("kill frames")
        if not visible(reason):
            raise RefusedRequest("a kill needs a reason with visible text")
        return await self._each(
            "killed", [job], lambda j: self.client.kill_frames(job.id, search, reason), _count(count)
        )

    async def retry_frames(self, job: Job, frames: Sequence[Frame]) -> ActionResult:
        """Retry these frames of one job (one request, by frame id)."""
        self._check("retry")
        if not frames:
            raise RefusedRequest("no frames selected")
        return await self.retry_matching(job, FrameSearch(ids=[f.id for f in frames]), count=len(frames))

    async def eat_frames(self, job: Job, frames: Sequence[Frame]) -> ActionResult:
        """Eat these frames of one job."""
        self._check("eat")
        if not frames:
            raise RefusedRequest("no frames selected")
        return await self.eat_matching(job, FrameSearch(ids=[f.id for f in frames]), count=len(frames))

    async def retry_each(self, frames: Sequence[Frame]) -> ActionResult:
        """Retry frames one FrameInterface/Retry each: a running frame is killed first and requeued,
        which RetryFrames (by criteria) never does; this is what a stuck frame needs."""
        self._check("retry")
        if not frames:
            raise RefusedRequest("no frames selected")
        results = await asyncio.gather(*(self.client.retry_frame(f.id) for f in frames), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, GatewayError):
                raise r
        errors = tuple(str(r) for r in results if isinstance(r, GatewayError))
        done = len(frames) - len(errors)
        return ActionResult(
            "retried", done, len(frames), frames=done, errors=errors, unit="frame", frames_tried=len(frames)
        )

    async def kill_frames(self, frames: Sequence[Frame], reason: str) -> ActionResult:
        """Kill these running frames, one FrameInterface/Kill each, all at once."""
        self._check("kill frames")
        if not visible(reason):
            raise RefusedRequest("a kill needs a reason with visible text")
        running = [f for f in frames if f.state == "RUNNING"]
        if not running:
            raise RefusedRequest("none of the selected frames is running")
        results = await asyncio.gather(*(self.client.kill_frame(f.id, reason) for f in running), return_exceptions=True)
        errors = tuple(str(r) for r in results if isinstance(r, GatewayError))
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, GatewayError):
                raise r
        done = len(running) - len(errors)
        return ActionResult(
            "killed", done, len(running), frames=done, errors=errors, unit="frame", frames_tried=len(running)
        )

    # --- hosts ----------------------------------------------------------------------------------------

    async def lock(self, hosts: Sequence[Host]) -> ActionResult:
        """Lock hosts (no new frames are booked on them)."""
        self._check("lock")
        return await self._each("locked", hosts, lambda h: self.client.lock_host(h.id))

    async def unlock(self, hosts: Sequence[Host]) -> ActionResult:
        """Unlock hosts; a NIMBY lock belongs to the workstation's user and is refused."""
        self._check("unlock")
        nimby = [h.name for h in hosts if h.lock_state == "NIMBY_LOCKED"]
        if nimby:
            raise RefusedRequest(f"{', '.join(nimby[:3])}: NIMBY-locked by the workstation's user; not unlocked")
        return await self._each("unlocked", hosts, lambda h: self.client.unlock_host(h.id))

    # --- dependencies and subscriptions ---------------------------------------------------------------

    async def drop_depends(
        self, job: Job, layer: Layer | None, target: str, frame: Frame | None = None
    ) -> ActionResult:
        """Satisfy every dependency of a job (or one of its layers, or a frame) on INTERNAL, EXTERNAL or
        ANY_TARGET."""
        self._check("drop dependencies")
        if frame is not None:
            what, ident = "frame", frame.id
        else:
            what, ident = ("layer", layer.id) if layer is not None else ("job", job.id)
        return await self._each(
            "dropped the dependencies of", [job], lambda _j: self.client.drop_depends(what, ident, target)
        )

    async def satisfy(self, depends: Sequence[Depend]) -> ActionResult:
        """Satisfy dependencies one by one."""
        self._check("drop dependency")
        return await self._each("dropped", depends, lambda d: self.client.satisfy_depend(d.id))

    async def set_subscription(self, sub: Subscription, size: int | None, burst: int | None) -> ActionResult:
        """Set a subscription's size and/or burst, given in whole cores; sent in Cuebot's core units
        (hundredths of a core), what SetSize and SetBurst take."""
        self._check("set subscription")
        if size is None and burst is None:
            raise RefusedRequest("give a size or a burst")
        for value, what in ((size, "size"), (burst, "burst")):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise RefusedRequest(f"{what} must be a whole number of cores, 0 or more")
            if value is not None and value > CORES_MAX:
                raise RefusedRequest(f"{what} must be at most {CORES_MAX:,} cores")

        async def send(s: Subscription) -> None:
            if size is not None:
                await self.client.set_subscription_size(s.id, size * CORE_UNITS_PER_CORE)
            if burst is not None:
                await self.client.set_subscription_burst(s.id, burst * CORE_UNITS_PER_CORE)

        return await self._each("set", [sub], send)


# --- frame order, procs and host settings (the wrangler's remedies) -------------------------------------

_INFINITIVES.update(
    {
        "reordered": "reorder",
        "staggered": "stagger",
        "marked": "mark",
        "unbooked": "unbook",
        "rebooting": "reboot",
        "moved": "move",
        "tagged": "tag",
        "untagged": "untag",
        "commented": "comment on",
    }
)

FRAME_ORDERS = ("FIRST", "LAST", "REVERSE")
HOST_STATES_SETTABLE = ("UP", "REPAIR")


def _unit(result: ActionResult, unit: str) -> ActionResult:
    return replace(result, unit=unit)


def waiting_note(states: Sequence[str]) -> str:
    """What MarkAsWaiting does to frames in these states, in one line: Cuebot changes only the frames
    held by a dependency (DEPEND: they become WAITING) and leaves the others as they are."""
    total = len(states)
    held = sum(1 for state in states if state == "DEPEND")
    if total == 0:
        return "nothing to mark: no frame matches"
    if held == 0:
        counts = Counter(states).most_common()
        names = counts[0][0] if len(counts) == 1 else ", ".join(f"{state} ({n:,})" for state, n in counts)
        these = "this one is" if total == 1 else "these are"
        return f"nothing to mark: mark as waiting releases frames held by a dependency; {these} {names}"
    if held == total:
        if total == 1:
            return "the frame waits on a dependency: it becomes WAITING"
        return f"all {total:,} frames wait on a dependency: they become WAITING"
    verb, they = ("waits", "it becomes") if held == 1 else ("wait", "they become")
    return f"{held:,} of {total:,} frames {verb} on a dependency: {they} WAITING; the others are left as they are"


def left_alone(others: int) -> str:
    """The note of a MarkAsWaiting result on the chosen frames that were not DEPEND ("" for none)."""
    if not others:
        return ""
    return f"{_plural(others, 'other frame')} left as {'it is' if others == 1 else 'they are'}"


def parse_tags(text: str) -> list[str]:
    """`gpu,big` typed by a person: one word each, none empty (`gpu,,big` and `""` are refused)."""
    parts = [part.strip() for part in str(text).split(",")]
    if not parts or any(not part or any(c.isspace() for c in part) for part in parts):
        raise RefusedRequest(f"bad tags {str(text)[:40]!r}: give words separated by commas, none empty")
    return list(dict.fromkeys(parts))


class RemedyActions(FarmActions):
    """FarmActions plus the remedies on frame order, procs and hosts (one class, so the read-only and
    result rules are the same; kept apart from the other actions to keep changes to them apart)."""

    async def find_layer(self, job: Job, name: str) -> Layer:
        """A layer of `job` by exact name; RefusedRequest naming the layers when there is none."""
        if not name.strip():
            raise RefusedRequest("an empty layer name")
        layers = await self.client.get_layers(job.id)
        for layer in layers:
            if layer.name == name:
                return layer
        known = ", ".join(layer.name for layer in layers[:8])
        raise RefusedRequest(f"job {job.name} has no layer {name!r} (layers: {known})")

    async def reorder_frames(
        self, job: Job, frames: FrameRange, order: str, layer: Layer | None = None
    ) -> ActionResult:
        """ReorderFrames: the frames of `frames` go FIRST or LAST in dispatch order, or are REVERSEd."""
        self._check("reorder frames")
        how = order.strip().upper()
        if how not in FRAME_ORDERS:
            raise RefusedRequest(f"order must be one of {', '.join(o.lower() for o in FRAME_ORDERS)}, got {order!r}")
        layer_id = layer.id if layer is not None else ""
        result = await self._each(
            f"reordered ({how.lower()})",
            [job],
            lambda j: self.client.reorder_frames(j.id, frames.text, how, layer_id),
            frames_of=lambda _: len(frames),
        )
        return _unit(result, "job")

    async def stagger_frames(
        self, job: Job, frames: FrameRange, increment: int, layer: Layer | None = None
    ) -> ActionResult:
        """StaggerFrames: the frames of `frames` dispatch every `increment`th first, then the gaps."""
        self._check("stagger frames")
        if isinstance(increment, bool) or not isinstance(increment, int) or increment < 1:
            raise RefusedRequest(f"the stagger increment must be a whole number of at least 1, got {increment!r}")
        layer_id = layer.id if layer is not None else ""
        result = await self._each(
            f"staggered (by {increment})",
            [job],
            lambda j: self.client.stagger_frames(j.id, frames.text, increment, layer_id),
            frames_of=lambda _: len(frames),
        )
        return _unit(result, "job")

    async def mark_waiting(
        self, job: Job, search: FrameSearch, count: int | None = None, note: str = ""
    ) -> ActionResult:
        """MarkAsWaiting: the matching frames held by a dependency (DEPEND) become WAITING, no retry
        counted; Cuebot leaves frames in other states as they are (non-empty criteria only)."""
        self._check("mark as waiting")
        result = await self._each(
            "marked waiting", [job], lambda j: self.client.mark_as_waiting(j.id, search), _count(count)
        )
        return replace(result, note=note) if note and not result.failed else result

    async def mark_frames_waiting(self, job: Job, frames: Sequence[Frame]) -> ActionResult:
        """MarkAsWaiting on the DEPEND ones of these frames of one job (by id): the only ones it changes.
        None of them DEPEND: refused with the reason, nothing sent."""
        self._check("mark as waiting")
        if not frames:
            raise RefusedRequest("no frames selected")
        held = [f for f in frames if f.state == "DEPEND"]
        if not held:
            raise RefusedRequest(waiting_note([f.state for f in frames]))
        search = FrameSearch(ids=[f.id for f in held])
        return await self.mark_waiting(job, search, count=len(held), note=left_alone(len(frames) - len(held)))

    async def kill_procs(self, procs: Sequence[Proc]) -> ActionResult:
        """ProcInterface/Kill each proc: its frame is killed (the request has no reason field)."""
        self._check("kill procs")
        if not procs:
            raise RefusedRequest("no procs selected")
        return _unit(await self._each("killed", procs, lambda p: self.client.kill_proc(p.id)), "proc")

    async def unbook_procs(self, procs: Sequence[Proc], *, kill: bool) -> ActionResult:
        """Unbook each proc: with `kill` its frame is killed now, else it finishes and the cores are freed."""
        self._check("unbook")
        if not procs:
            raise RefusedRequest("no procs selected")
        verb = "unbooked (frames killed)" if kill else "unbooked (frames finish)"
        return _unit(await self._each(verb, procs, lambda p: self.client.unbook_proc(p.id, kill)), "proc")

    async def reboot(self, hosts: Sequence[Host]) -> ActionResult:
        """Reboot now: their running frames die and wait again."""
        self._check("reboot")
        return _unit(await self._each("rebooting", hosts, lambda h: self.client.reboot_host(h.id)), "host")

    async def reboot_when_idle(self, hosts: Sequence[Host]) -> ActionResult:
        """Reboot each host once its running frames have finished (no new ones start there)."""
        self._check("reboot")
        result = await self._each("rebooting when idle", hosts, lambda h: self.client.reboot_host_when_idle(h.id))
        return _unit(result, "host")

    async def allocations(self) -> list[tuple[str, str]]:
        """(id, name) of every allocation, by name."""
        return await self.client.get_allocation_names()

    async def set_allocation(self, hosts: Sequence[Host], allocation: str) -> ActionResult:
        """Move hosts to the allocation named `allocation` (looked up with GetAll)."""
        self._check("set allocation")
        ids = {name: alloc_id for alloc_id, name in await self.allocations()}
        if allocation not in ids:
            known = ", ".join(list(ids)[:8])
            raise RefusedRequest(f"no allocation {allocation!r} (allocations: {known})")
        result = await self._each(
            f"moved to {allocation}", hosts, lambda h: self.client.set_host_allocation(h.id, ids[allocation])
        )
        return _unit(result, "host")

    async def add_tags(self, hosts: Sequence[Host], tags: Sequence[str]) -> ActionResult:
        """Add tags to hosts."""
        self._check("add tags")
        words = parse_tags(",".join(tags))
        result = await self._each(f"tagged {','.join(words)}:", hosts, lambda h: self.client.add_host_tags(h.id, words))
        return _unit(result, "host")

    async def remove_tags(self, hosts: Sequence[Host], tags: Sequence[str]) -> ActionResult:
        """Remove tags from hosts."""
        self._check("remove tags")
        words = parse_tags(",".join(tags))
        result = await self._each(
            f"untagged {','.join(words)}:", hosts, lambda h: self.client.remove_host_tags(h.id, words)
        )
        return _unit(result, "host")

    async def set_hardware_state(self, hosts: Sequence[Host], state: str) -> ActionResult:
        """Set hosts UP or REPAIR (a host in repair takes no frames)."""
        self._check("set host state")
        name = state.strip().upper()
        if name not in HOST_STATES_SETTABLE:
            raise RefusedRequest(f"state must be UP or REPAIR, got {state!r}")
        result = await self._each(f"set {name} on", hosts, lambda h: self.client.set_hardware_state(h.id, name))
        return _unit(result, "host")

    async def host_comments(self, host: Host) -> list[Comment]:
        """A host's comments, oldest first."""
        return await self.client.get_host_comments(host.id)

    async def add_host_comment(self, hosts: Sequence[Host], subject: str, message: str) -> ActionResult:
        """Add one comment to each host (subject and message need visible text)."""
        self._check("add comment")
        if not visible(subject) or not visible(message):
            raise RefusedRequest("a comment needs a subject and a message")
        result = await self._each(
            "commented", hosts, lambda h: self.client.add_host_comment(h.id, subject.strip(), message.strip())
        )
        return _unit(result, "host")

    async def retry_range(self, job: Job, frames: FrameRange, count: int | None = None) -> ActionResult:
        """RetryFrames on the frames of `frames` (Cuebot skips running ones)."""
        return await self.retry_matching(job, FrameSearch(frame_range=frames.text), count)

    async def eat_range(self, job: Job, frames: FrameRange, count: int | None = None) -> ActionResult:
        """EatFrames on the frames of `frames`."""
        return await self.eat_matching(job, FrameSearch(frame_range=frames.text), count)

    async def kill_range(self, job: Job, frames: FrameRange, reason: str, count: int | None = None) -> ActionResult:
        """KillFrames on the running frames of `frames`."""
        search = FrameSearch(frame_range=frames.text, states=["RUNNING"])
        return await self.kill_matching(job, search, reason, count)

    async def procs_of_frames(self, job: Job, frames: Sequence[Frame]) -> list[Proc]:
        """The procs running these frames of `job` (frames not running have none)."""
        from cuetui.gateway.requests import ProcSearch

        names = {f.name for f in frames if f.state == "RUNNING"}
        if not names:
            return []
        procs = await self.client.get_procs(ProcSearch(jobs=[job.name]))
        return [p for p in procs if p.frame_name in names]
