"""FrameSync: one job's full frame list, kept current with as little traffic as the protocol allows.

The first poll loads every frame (paged, pages fetched concurrently, progress reported as it goes).
Later polls ask GetUpdatedFrames for the frames that changed since the last check, the way CueGUI does:
`lastCheck` is our own clock at the full load, then each answer's `serverTime`. The protocol's traps
decide when to fall back to a full reload (protocol §3.6):

* exactly 100 frames came back: Cuebot may have cut the list, and says nothing when it does;
* the call timed out (Cuebot hangs instead of answering when `lastCheck` is over 60 s old; the client
  sends `Grpc-Timeout` so the gateway answers 504);
* our last check is older than ~50 s (the screen was hidden): asking would hang, so reload instead;
* our clock and Cuebot's differ by more than 60 s: GetUpdatedFrames can never work, so stay on
  GetFrames with `changeDate` (full frames changed since a time in Cuebot's clock) and warn once.

Each poll returns the ids of the frames that changed, so a table redraws those rows only. The sync also
keeps the frames counted by layer and state (`counts`) and the largest max RSS per layer, updated as
frames load and change, so the job's and layers' counters can be derived without asking for them (and
without a pass over every frame). No Textual.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from cuetui.gateway.client import UPDATED_FRAMES_GRPC_TIMEOUT, GatewayClient
from cuetui.gateway.errors import DeadlineExceeded
from cuetui.gateway.models import Frame, FrameSharer, Job
from cuetui.gateway.requests import FrameSearch

# Cuebot refuses (by hanging) a lastCheck more than 60 s behind its clock.
MAX_CLOCK_SKEW = 60.0
# Reload rather than ask GetUpdatedFrames when the last check is older than this (margin under 60 s).
MAX_CHECK_AGE = 50.0
# After this many timeouts in a row GetUpdatedFrames is given up for this job (stay on changeDate).
MAX_TIMEOUTS = 3
# changeDate is compared with Cuebot's row timestamps: ask from a little earlier than our estimate of
# Cuebot's clock at the previous poll (the Date header has whole seconds; overlap is harmless).
CHANGE_DATE_MARGIN = 5

ProgressCallback = Callable[[int, "int | None"], object]


@dataclass(frozen=True)
class SyncResult:
    """What one poll found. `changed` holds the ids of frames that are new or differ from before (on a
    first load, every frame: a view of the ids in `FrameSync.frames`, not a copy);
    `removed` the ids that went away; `reordered` is True when the list's membership or order changed
    (a table must re-read its rows, not only redraw some). `reload_reason` says why the whole list was
    fetched ("" for an incremental poll). `warning` is set once, on the poll that first needed it."""

    changed: AbstractSet[str] = frozenset()
    removed: frozenset[str] = frozenset()
    reordered: bool = False
    job_state: str = "PENDING"
    reload_reason: str = ""
    warning: str = ""
    first_load: bool = False

    @property
    def full(self) -> bool:
        """True when this poll fetched the whole list."""
        return bool(self.reload_reason)


@dataclass
class SyncStats:
    """Counters for tests, benchmarks and the status line."""

    full_loads: int = 0
    incremental: int = 0
    change_date_polls: int = 0
    timeouts: int = 0
    reasons: list[str] = field(default_factory=list)


def frame_sort_key(layer_order: Mapping[str, int]) -> Callable[[Frame], tuple[int, int, int, str]]:
    """Cuebot's frame order: frame dispatch order, then the layer's dispatch order (layers interleave
    as in CueGUI), then the frame number and name so the order is total."""
    big = len(layer_order) + 1

    def key(frame: Frame) -> tuple[int, int, int, str]:
        return (frame.dispatch_order, layer_order.get(frame.layer_name, big), frame.number, frame.name)

    return key


class FrameSync:
    """Holds the frames of one job (`frames` by id, `order` = ids in frame order) and refreshes them.

    `clock` is the local clock (tests and the frozen demo farm pass their own); `on_progress(loaded,
    expected)` is called while a full load is under way; `layer_order` maps layer names to their
    dispatch order so frames sort like Cuebot's list.
    """

    def __init__(
        self,
        client: GatewayClient,
        job_id: str,
        *,
        clock: Callable[[], float] = time.time,
        on_progress: ProgressCallback | None = None,
        layer_order: Mapping[str, int] | None = None,
        page_size: int = 1000,
        grpc_timeout: int = UPDATED_FRAMES_GRPC_TIMEOUT,
    ) -> None:
        self.client = client
        self.job_id = job_id
        self.clock = clock
        self.on_progress = on_progress
        self.layer_order: dict[str, int] = dict(layer_order or {})
        self.page_size = page_size
        self.grpc_timeout = grpc_timeout
        self.frames: dict[str, Frame] = {}
        self.order: list[str] = []
        self.job_state = "PENDING"
        self.loaded = False
        self.loading = False
        self.fallback = False  # on GetFrames+changeDate for good (clock skew or repeated hangs)
        self.warning = ""
        self._warning_due = ""  # set once; handed out by the next poll that succeeds
        self.stats = SyncStats()
        self._last_check = 0  # next GetUpdatedFrames lastCheck (Cuebot's clock, or ours at first)
        self._last_check_at = 0.0  # our clock when _last_check was taken
        self._change_since = 0  # next changeDate in fallback (Cuebot's clock)
        self._timeouts_in_row = 0
        self._index: dict[str, int] | None = None
        self._server_skew: float | None = None  # Cuebot's clock minus ours, from serverTime
        # Frames by (layer name, state), and the largest frame max RSS (KB) per layer, kept current.
        self.counts: dict[tuple[str, str], int] = {}
        self.layer_max_rss: dict[str, int] = {}

    # --- reading -------------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True once the job is FINISHED: nothing will change any more, polling can stop."""
        return self.job_state == "FINISHED"

    def ordered(self) -> list[Frame]:
        """Every frame in frame order."""
        frames = self.frames
        return [frames[i] for i in self.order]

    def index_of(self, frame_id: str) -> int:
        """Position of a frame in `order` (-1 when unknown)."""
        if self._index is None:
            self._index = {frame_id: n for n, frame_id in enumerate(self.order)}
        return self._index.get(frame_id, -1)

    def set_layers(self, layer_names_in_order: Iterable[str]) -> None:
        """Tell the sync the job's layers in dispatch order (re-sorts when it changes the order)."""
        order = {name: n for n, name in enumerate(layer_names_in_order)}
        if order != self.layer_order:
            self.layer_order = order
            if self.frames:
                self._sort()

    # --- polling -------------------------------------------------------------------------------------

    async def poll(self, job: Job | None = None) -> SyncResult:
        """One refresh. `job` (a fresh GetJob answer, optional) gives the expected frame count for the
        full load and the job's state when the incremental call does not (fallback mode)."""
        result = await self._poll(job)
        if self._warning_due:
            result = replace(result, warning=self._warning_due)
            self._warning_due = ""
        return result

    async def _poll(self, job: Job | None) -> SyncResult:
        expected = job.stats.total_frames if job is not None else None
        if job is not None:
            self.job_state = job.state
        if not self.loaded:
            return await self._full_load("first load", expected)
        if self.fallback:
            return await self._poll_change_date(expected)
        if self.clock() - self._last_check_at > MAX_CHECK_AGE:
            # Asking with an old lastCheck would hang Cuebot's answer; a reload is cheaper than 10 s.
            return await self._full_load("last check too old", expected)
        try:
            answer = await self.client.get_updated_frames(self.job_id, self._last_check, grpc_timeout=self.grpc_timeout)
        except DeadlineExceeded:
            self.stats.timeouts += 1
            self._timeouts_in_row += 1
            if self._timeouts_in_row >= MAX_TIMEOUTS:
                return await self._enter_fallback(
                    f"GetUpdatedFrames timed out {self._timeouts_in_row} times in a row", expected
                )
            return await self._full_load("GetUpdatedFrames timed out", expected)
        self._timeouts_in_row = 0
        self.job_state = answer.state
        skew = self._skew(answer.server_time)
        if skew is not None and abs(skew) > MAX_CLOCK_SKEW:
            return await self._enter_fallback(_skew_text(skew), expected)
        self._set_last_check(answer.server_time)
        if answer.maybe_truncated:
            return await self._full_load("100 frames changed (GetUpdatedFrames may have cut the list)", expected)
        self.stats.incremental += 1
        changed: set[str] = set()
        frames = self.frames
        for update in answer.frames:
            old = frames.get(update.id)
            if old is None:
                continue  # a frame we do not know yet: the next full load brings it
            new = old.merged(update)
            if new != old:
                frames[update.id] = new
                changed.add(update.id)
                self._count_change(old, new)
        return SyncResult(changed=frozenset(changed), job_state=self.job_state)

    # --- the ways of refreshing ------------------------------------------------------------------------

    async def _full_load(self, reason: str, expected: int | None) -> SyncResult:
        """Fetch every frame; on the first load frames appear in `frames`/`order` page by page."""
        started = self.clock()
        first = not self.loaded
        self.loading = True
        new: dict[str, Frame] = {}
        counts: dict[tuple[str, str], int] = {}
        max_rss: dict[str, int] = {}
        in_order = True
        if first:
            # Let the screen show the first pages while the rest are on their way: `frames` and
            # `order` grow page by page (in Cuebot's order) until the load is done.
            self.frames = new
            self.order = []
            self._index = None
            self.counts = counts
            self.layer_max_rss = max_rss
        try:
            if self.on_progress is not None:
                self.on_progress(0, expected)
            # Cuebot sends frames in frame order already; checking that page by page (one small
            # tuple per frame, spread over the load) spares a 50 000-frame sort at the end.
            layer_order = self.layer_order
            big = len(layer_order) + 1
            last_key: tuple[int, int, int, str] | None = None
            share = FrameSharer()
            async for page in self.client.iter_frame_pages(self.job_id, expected=expected, page_size=self.page_size):
                share(page)
                for frame in page:
                    seen = new.get(frame.id)
                    if seen is not None:
                        in_order = False  # pages shifted while frames changed: sort at the end
                        counted = (seen.layer_name, seen.state)
                        counts[counted] -= 1
                    elif first:
                        self.order.append(frame.id)
                    new[frame.id] = frame
                    counted = (frame.layer_name, frame.state)
                    counts[counted] = counts.get(counted, 0) + 1
                    if frame.max_rss > max_rss.get(frame.layer_name, 0):
                        max_rss[frame.layer_name] = frame.max_rss
                    if in_order:
                        key = (frame.dispatch_order, layer_order.get(frame.layer_name, big), frame.number, frame.name)
                        if last_key is not None and key < last_key:
                            in_order = False
                        last_key = key
                if self.on_progress is not None:
                    self.on_progress(len(new), expected)
                # Pages fetched ahead are often all there already, and awaiting a finished one does not
                # give the loop back: without this, a screen's repaint and keypresses waited for
                # several pages in a row.
                await asyncio.sleep(0)
        finally:
            self.loading = False
        old = {} if first else self.frames
        self.stats.full_loads += 1
        self.stats.reasons.append(reason)
        # On a first load every frame is new: the ids of `frames` themselves (a view), not a copy of
        # 200 000 ids (8 MB, and a long tick of the loop to build).
        changed: AbstractSet[str] = (
            new.keys() if first else frozenset(fid for fid, frame in new.items() if old.get(fid) != frame)
        )
        removed = frozenset(fid for fid in old if fid not in new)
        self.frames = new
        self.counts = counts
        self.layer_max_rss = max_rss
        old_order = self.order
        if in_order:
            self.order = old_order if first else list(new)
            self._index = None
        else:
            self._sort()
        self.loaded = True
        self._set_last_check(int(started))
        self._change_since = int(self._cuebot_now(started)) - CHANGE_DATE_MARGIN
        # On a first load `old_order` is the arrival order the screen has already shown.
        reordered = bool(removed) or self.order != old_order
        self._clock_check()
        return SyncResult(
            changed=changed,
            removed=removed,
            reordered=reordered,
            job_state=self.job_state,
            reload_reason=reason,
            first_load=first,
        )

    async def _poll_change_date(self, expected: int | None) -> SyncResult:
        """Fallback refresh: GetFrames with changeDate, full Frame objects, merged by id."""
        started = self.clock()
        since = max(1, self._change_since)
        changed: set[str] = set()
        added = False
        frames = self.frames
        share = FrameSharer()
        async for page in self.client.iter_frame_pages(
            self.job_id, FrameSearch(change_date=since), page_size=self.page_size
        ):
            share(page)
            for frame in page:
                old = frames.get(frame.id)
                if old != frame:
                    added = added or old is None
                    frames[frame.id] = frame
                    changed.add(frame.id)
                    self._count_change(old, frame)
        self.stats.change_date_polls += 1
        self._change_since = int(self._cuebot_now(started)) - CHANGE_DATE_MARGIN
        if added:
            self._sort()
        return SyncResult(changed=frozenset(changed), reordered=added, job_state=self.job_state)

    async def _enter_fallback(self, why: str, expected: int | None) -> SyncResult:
        self.fallback = True
        self._warn(f"{why}: live frame updates fall back to GetFrames with changeDate")
        return await self._full_load(why, expected)

    # --- helpers -------------------------------------------------------------------------------------

    def _warn(self, text: str) -> None:
        """Warn once per job, even when the poll that found the problem then fails."""
        if not self.warning:
            self.warning = self._warning_due = text

    def _clock_check(self) -> None:
        """After a full load: when the gateway's Date header shows a skew over 60 s, switch to the
        fallback now instead of finding out through a hang."""
        if self.fallback:
            return
        skew = self.client.clock_skew()
        if skew is None or abs(skew) <= MAX_CLOCK_SKEW:
            return
        self.fallback = True
        self._warn(f"{_skew_text(skew)}: live frame updates fall back to GetFrames with changeDate")

    def _skew(self, server_time: int) -> float | None:
        """Cuebot's clock minus ours, from serverTime (= Cuebot's now − 1 s); None when it sent none."""
        if server_time <= 0:
            return None
        self._server_skew = server_time + 1 - self.clock()
        return self._server_skew

    def _cuebot_now(self, local: float) -> float:
        skew = self._server_skew if self._server_skew is not None else self.client.clock_skew()
        return local + (skew or 0.0)

    def _count_change(self, old: Frame | None, new: Frame) -> None:
        counts = self.counts
        if old is not None:
            counts[old.layer_name, old.state] -= 1
        key = (new.layer_name, new.state)
        counts[key] = counts.get(key, 0) + 1
        if new.max_rss > self.layer_max_rss.get(new.layer_name, 0):
            self.layer_max_rss[new.layer_name] = new.max_rss

    def _set_last_check(self, value: int) -> None:
        self._last_check = value
        self._last_check_at = self.clock()

    def _sort(self) -> None:
        # Inline keys (no per-frame call): this runs on the event loop for 50 000 frames.
        layer_order = self.layer_order
        big = len(layer_order) + 1
        keyed = [
            (f.dispatch_order, layer_order.get(f.layer_name, big), f.number, f.name, fid)
            for fid, f in self.frames.items()
        ]
        keyed.sort()
        self.order = [k[4] for k in keyed]
        self._index = None


def _skew_text(skew: float) -> str:
    direction = "ahead of" if skew > 0 else "behind"
    return f"the farm's clock is {abs(skew):.0f} s {direction} this machine's"


__all__ = ["MAX_CLOCK_SKEW", "FrameSync", "SyncResult", "SyncStats", "frame_sort_key"]
