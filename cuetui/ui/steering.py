"""Steering the farm from any screen: one path from a key press to the farm and back.

A screen's action method calls one of the helpers below with the jobs, frames or hosts it has
selected. The helper asks what it must (a confirmation that says how many frames or jobs it touches, an
exact priority, a kill reason), sends the action through the app's `services.actions` (FarmActions, where read-only
mode and bad input are refused before anything is sent), notifies the outcome in one line, and makes the
screen poll again at once (and once more a moment later, since Cuebot applies kills and retries
asynchronously) so the affected rows change without waiting for the next poll.

In read-only mode no dialog opens: the action goes straight to FarmActions, which refuses it with
"read-only mode: … not sent", and that message is what the person sees.

`watch_jobs` turns each poll's jobs into toasts (new dead frames, finished jobs) and the terminal
bell, never repeating itself.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen, Screen

from cuetui.farm.actions import ActionResult, FarmActions
from cuetui.farm.alerts import NEW_DEAD, AlertTracker, burst
from cuetui.farm.text import safe
from cuetui.farm.views.lookups import FarmLookups
from cuetui.gateway.errors import GatewayError, RefusedRequest
from cuetui.gateway.models import Frame, Host, Job
from cuetui.ui.services import services_of
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, PriorityDialog, name_list

if TYPE_CHECKING:
    from textual.app import App

# Cuebot applies kills, retries and eats a moment after answering: poll again after this long too.
SECOND_LOOK = 1.5
# A finished job leaves an "active only" list; look up at most this many vanished jobs per poll.
VANISHED_LOOKUPS = 20
# Seconds an alert stays up: long enough to read one line, short enough not to sit over the table.
ALERT_TIMEOUT = 6


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _app(screen: Screen[Any]) -> App[Any]:
    return screen.app


def _actions(screen: Screen[Any]) -> FarmActions:
    """The app's FarmActions (read-only mode and bad input are refused there)."""
    return services_of(screen.app).actions


def _default_refresh(screen: Screen[Any]) -> Callable[[], object] | None:
    refresh = getattr(screen, "refresh_now", None)
    return refresh if callable(refresh) else None


def default_kill_reason(app: object) -> str:
    """The pre-filled kill reason: who asked, from where (editable in the dialog)."""
    user = services_of(app).options.user or "a wrangler"
    return f"Manual kill by {user} from cuetui"


def combine(action: str, results: Sequence[ActionResult]) -> ActionResult:
    """Several per-job results of one action as one (frames and jobs summed, errors kept; `frames`
    stays the frames of the jobs that succeeded)."""
    if len(results) == 1:
        return results[0]

    def total(values: list[int | None]) -> int | None:
        return None if any(v is None for v in values) else sum(v or 0 for v in values)

    return ActionResult(
        action,
        sum(r.done for r in results),
        sum(r.total for r in results),
        frames=total([r.frames for r in results]),
        errors=tuple(e for r in results for e in r.errors),
        unit=results[0].unit,
        frames_tried=total([r.frames_tried for r in results]),
    )


def steer(
    screen: Screen[Any],
    send: Callable[[Any], Awaitable[ActionResult]],
    *,
    dialog: ModalScreen[Any] | None = None,
    placeholder: Any = None,
    refresh: Callable[[], object] | None = None,
) -> None:
    """Run one action from `screen` in a worker: `dialog` first (its answer is passed to `send`; None
    or False cancels), then `send`, then a notification and a refresh. In read-only mode the dialog is
    skipped and `send(placeholder)` is refused by FarmActions before anything is sent."""
    refresh = refresh or _default_refresh(screen)
    screen.run_worker(
        _steer(screen, send, dialog, placeholder, refresh), group="steer", exit_on_error=False, name="steer"
    )


async def _steer(
    screen: Screen[Any],
    send: Callable[[Any], Awaitable[ActionResult]],
    dialog: ModalScreen[Any] | None,
    placeholder: Any,
    refresh: Callable[[], object] | None,
) -> ActionResult | None:
    app = _app(screen)
    value = placeholder
    if dialog is not None and not services_of(app).actions.read_only:
        value = await ask(app, dialog)
        if value is None:
            return None
    result: ActionResult | None = None
    try:
        result = await send(value)
    except RefusedRequest as err:  # read-only mode included: nothing was sent
        app.notify(safe(str(err), 300), severity="warning", markup=False)
        return None
    except GatewayError as err:
        app.notify(safe(str(err), 300), severity="error", markup=False)
    if result is not None:
        app.notify(safe(result.message, 300), severity="information" if result.ok else "error", markup=False)
    if refresh is not None:
        refresh()
        screen.set_timer(SECOND_LOOK, refresh)
    return result


async def ask(app: App[Any], dialog: ModalScreen[Any]) -> Any:
    """`dialog`'s answer; a cancel (None or False) says "cancelled: nothing sent" and gives None."""
    value = await app.push_screen_wait(dialog)
    if value is None or value is False:
        app.notify("cancelled: nothing sent", timeout=2, markup=False)
        return None
    return value


async def send_and_tell(app: App[Any], send: Callable[[], Awaitable[ActionResult]], done: str) -> ActionResult | None:
    """`send()`, then its outcome in one line: `done` when the gateway took it, "failed: …" when it
    refused or could not be reached, the refusal itself when nothing was sent (read-only mode included).
    The result, or None when none came back (the caller then has nothing to refresh)."""
    try:
        result = await send()
    except RefusedRequest as err:
        app.notify(safe(str(err), 300), severity="warning", markup=False)
        return None
    except GatewayError as err:
        app.notify(f"failed: {safe(str(err), 300)}", severity="error", markup=False)
        return None
    if result.ok:
        app.notify(done, markup=False)
    else:
        app.notify(f"failed: {safe(result.errors[0], 300)}", severity="error", markup=False)
    return result


# --- jobs ---------------------------------------------------------------------------------------------


def _names(jobs: Sequence[Job]) -> list[str]:
    return [j.name for j in jobs]


def _jobs_text(jobs: Sequence[Job]) -> str:
    if len(jobs) == 1:
        return f"job {name_list(_names(jobs))}"
    return f"{len(jobs)} jobs: {name_list(_names(jobs))}"


def _nothing(screen: Screen[Any], what: str) -> bool:
    screen.app.notify(f"nothing selected to {what}", severity="warning", timeout=3, markup=False)
    return True


def _no_dead(screen: Screen[Any], jobs: Sequence[Job]) -> bool:
    """Say there is nothing to do (True), unless read-only mode has its own answer to give (False)."""
    app = _app(screen)
    if services_of(app).actions.read_only:
        return False
    app.notify(safe(f"no dead frames in {_jobs_text(jobs)}: nothing sent", 300), severity="warning", markup=False)
    return True


def _on_jobs(
    screen: Screen[Any],
    jobs: Sequence[Job],
    what: str,
    question: str,
    send: Callable[[FarmActions], Awaitable[ActionResult]],
    refresh: Callable[[], object] | None,
) -> None:
    """A job action that confirms only for more than one job: `question` (with the count), then
    `send(actions)`. Nothing selected says so and sends nothing."""
    if not jobs and _nothing(screen, what):
        return
    actions = _actions(screen)
    dialog = ConfirmDialog(question) if len(jobs) > 1 else None
    steer(screen, lambda _: send(actions), dialog=dialog, refresh=refresh)


def _on_dead(
    screen: Screen[Any],
    jobs: Sequence[Job],
    what: str,
    question: Callable[[str], str],
    send: Callable[[FarmActions], Awaitable[ActionResult]],
    refresh: Callable[[], object] | None,
) -> None:
    """An action on every dead frame of the jobs: always confirmed, with `question("N dead frames of
    job X")`; jobs without dead frames send nothing (read-only mode still answers with its refusal)."""
    if not jobs and _nothing(screen, what):
        return
    actions = _actions(screen)
    dead = sum(j.stats.dead_frames for j in jobs)
    if not dead and _no_dead(screen, jobs):
        return
    dialog = ConfirmDialog(question(f"{_plural(dead, 'dead frame')} of {_jobs_text(jobs)}"))
    steer(screen, lambda _: send(actions), dialog=dialog, refresh=refresh)


def pause_jobs(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`p`: pause; more than one job confirms with the count."""
    _on_jobs(screen, jobs, "pause", f"Pause {_jobs_text(jobs)}?", lambda actions: actions.pause(jobs), refresh)


def resume_jobs(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`u`: resume (unpause); more than one job confirms with the count."""
    _on_jobs(screen, jobs, "resume", f"Resume {_jobs_text(jobs)}?", lambda actions: actions.resume(jobs), refresh)


def bump_priority(
    screen: Screen[Any], jobs: Sequence[Job], delta: int, refresh: Callable[[], object] | None = None
) -> None:
    """`+` / `-`: priority up or down by `delta`; more than one job confirms with the count."""
    verb = "Raise" if delta >= 0 else "Lower"
    question = f"{verb} the priority of {_jobs_text(jobs)} by {abs(delta)}?"
    _on_jobs(screen, jobs, "change", question, lambda actions: actions.bump_priority(jobs, delta), refresh)


def ask_priority(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`=`: an exact priority typed in a dialog (validated there; nothing sent on bad input)."""
    if not jobs and _nothing(screen, "change"):
        return
    actions = _actions(screen)
    current = jobs[0].priority if len({j.priority for j in jobs}) == 1 else None
    steer(
        screen,
        lambda value: actions.set_priority(jobs, value),
        dialog=PriorityDialog(_names(jobs), current),
        placeholder=0,
        refresh=refresh,
    )


def retry_dead(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`R`: retry every dead frame of the jobs, after a confirmation with the count."""
    _on_dead(screen, jobs, "retry", lambda what: f"Retry {what}?", lambda actions: actions.retry_dead(jobs), refresh)


def eat_dead(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`E`: eat every dead frame of the jobs (they will not render), after a confirmation with the count."""
    _on_dead(
        screen,
        jobs,
        "eat",
        lambda what: f"Eat {what}?\nEaten frames are not rendered.",
        lambda actions: actions.eat_dead(jobs),
        refresh,
    )


def kill_jobs(screen: Screen[Any], jobs: Sequence[Job], refresh: Callable[[], object] | None = None) -> None:
    """`k`: kill the jobs; the dialog confirms with the count and asks the (non-empty) reason."""
    if not jobs and _nothing(screen, "kill"):
        return
    app = _app(screen)
    actions = _actions(screen)
    running = sum(j.stats.running_frames for j in jobs)
    what = _jobs_text(jobs) + (f"\n({_plural(running, 'running frame')} will be killed)" if running else "")
    steer(
        screen,
        lambda reason: actions.kill(jobs, reason),
        dialog=KillReasonDialog(what, default_kill_reason(app)),
        placeholder="",
        refresh=refresh,
    )


# --- frames -------------------------------------------------------------------------------------------


def _by_job(pairs: Iterable[tuple[Job, Frame]]) -> list[tuple[Job, list[Frame]]]:
    grouped: dict[str, tuple[Job, list[Frame]]] = {}
    for job, frame in pairs:
        grouped.setdefault(job.id, (job, []))[1].append(frame)
    return list(grouped.values())


def _frames_text(groups: Sequence[tuple[Job, Sequence[Frame]]]) -> str:
    count = sum(len(frames) for _, frames in groups)
    if len(groups) == 1:
        job, frames = groups[0]
        names = name_list([f.name for f in frames], limit=4)
        return f"{_plural(count, 'frame')} of {name_list([job.name])} ({names})"
    return f"{_plural(count, 'frame')} of {len(groups)} jobs"


def retry_frames(
    screen: Screen[Any], pairs: Sequence[tuple[Job, Frame]], refresh: Callable[[], object] | None = None
) -> None:
    """`r`: retry frames. Dead or eaten frames of one job go at once; running frames (killed first),
    succeeded frames (rendered again) or frames of several jobs confirm with the count."""
    if not pairs and _nothing(screen, "retry"):
        return
    actions = _actions(screen)
    groups = _by_job(pairs)
    frames = [f for _, f in pairs]
    running = [f for f in frames if f.state in ("RUNNING", "SETUP")]
    succeeded = [f for f in frames if f.state == "SUCCEEDED"]
    notes = []
    if running:
        notes.append(f"{_plural(len(running), 'running frame')} will be killed and started again")
    if succeeded:
        notes.append(f"{_plural(len(succeeded), 'succeeded frame')} will render again")
    dialog = None
    if notes or len(groups) > 1:
        dialog = ConfirmDialog(f"Retry {_frames_text(groups)}?" + "".join(f"\n{n}" for n in notes))

    async def send(_: object) -> ActionResult:
        if running:
            # RetryFrames skips running frames; FrameInterface/Retry kills and requeues them.
            return await actions.retry_each(frames)
        return combine("retried", [await actions.retry_frames(job, fs) for job, fs in groups])

    steer(screen, send, dialog=dialog, refresh=refresh)


def eat_frames(
    screen: Screen[Any], pairs: Sequence[tuple[Job, Frame]], refresh: Callable[[], object] | None = None
) -> None:
    """`e`: eat frames (they will not render), after a confirmation with the count."""
    if not pairs and _nothing(screen, "eat"):
        return
    actions = _actions(screen)
    groups = _by_job(pairs)
    running = sum(1 for _, f in pairs if f.state in ("RUNNING", "SETUP"))
    note = f"\n{_plural(running, 'running frame')} will be killed" if running else ""
    dialog = ConfirmDialog(f"Eat {_frames_text(groups)}?\nEaten frames are not rendered.{note}")

    async def send(_: object) -> ActionResult:
        return combine("ate", [await actions.eat_frames(job, fs) for job, fs in groups])

    steer(screen, send, dialog=dialog, refresh=refresh)


def kill_frames(
    screen: Screen[Any], pairs: Sequence[tuple[Job, Frame]], refresh: Callable[[], object] | None = None
) -> None:
    """`K`: kill the running frames among those selected; the dialog confirms with the count and asks
    the reason. With none running, FarmActions refuses it and nothing is sent."""
    if not pairs and _nothing(screen, "kill"):
        return
    app = _app(screen)
    actions = _actions(screen)
    frames = [f for _, f in pairs]
    running = [(j, f) for j, f in pairs if f.state == "RUNNING"]
    dialog = None
    if running:
        dialog = KillReasonDialog(f"{_frames_text(_by_job(running))} (running)", default_kill_reason(app))
    steer(
        screen,
        lambda reason: actions.kill_frames(frames, reason or "-"),
        dialog=dialog,
        placeholder="",
        refresh=refresh,
    )


# --- hosts --------------------------------------------------------------------------------------------


def _hosts_text(hosts: Sequence[Host]) -> str:
    names = name_list([h.name for h in hosts], limit=4)
    return f"host {names}" if len(hosts) == 1 else f"{len(hosts)} hosts: {names}"


def lock_hosts(screen: Screen[Any], hosts: Sequence[Host], refresh: Callable[[], object] | None = None) -> None:
    """`L`: lock hosts (no new frames booked; running ones go on), after a confirmation."""
    if not hosts and _nothing(screen, "lock"):
        return
    actions = _actions(screen)
    dialog = ConfirmDialog(f"Lock {_hosts_text(hosts)}?\nNo new frames will start there; running frames go on.")
    steer(screen, lambda _: actions.lock(hosts), dialog=dialog, refresh=refresh)


def unlock_hosts(screen: Screen[Any], hosts: Sequence[Host], refresh: Callable[[], object] | None = None) -> None:
    """`U`: unlock hosts after a confirmation; NIMBY-locked hosts are refused with a message first."""
    if not hosts and _nothing(screen, "unlock"):
        return
    actions = _actions(screen)
    nimby = any(h.lock_state == "NIMBY_LOCKED" for h in hosts)
    # A NIMBY lock is the workstation user's: no point asking, FarmActions refuses it.
    dialog = None if nimby else ConfirmDialog(f"Unlock {_hosts_text(hosts)}?")
    steer(screen, lambda _: actions.unlock(hosts), dialog=dialog, refresh=refresh)


# --- notifications ------------------------------------------------------------------------------------


class JobWatcher:
    """Per app: the AlertTracker, plus the job ids each full list showed last time, so a job that left
    an "active only" list can be looked up and its finish announced."""

    def __init__(self) -> None:
        self.tracker = AlertTracker()
        self._lists: dict[str, set[str]] = {}

    def vanished(self, source: str, jobs: Sequence[Job]) -> list[str]:
        """Ids that `source`'s previous list had and this one lacks."""
        ids = {j.id for j in jobs}
        before = self._lists.get(source)
        self._lists[source] = ids
        if before is None:
            return []
        return sorted(before - ids)


_watchers: weakref.WeakKeyDictionary[Any, JobWatcher] = weakref.WeakKeyDictionary()


def job_watcher(app: App[Any]) -> JobWatcher:
    """The app's JobWatcher (made on first use)."""
    watcher = _watchers.get(app)
    if watcher is None:
        watcher = _watchers[app] = JobWatcher()
    return watcher


async def watch_jobs(app: App[Any], jobs: Sequence[Job], *, source: str | None = None) -> list[str]:
    """Toast new dead frames and ended jobs among `jobs`, one line each per poll (and ring the bell when
    `bell = true`, whatever `notifications` says).
    `source` names a complete list (a screen's): jobs that left it are looked up, since a finished job
    drops out of an active-only list. Returns the messages shown (for tests)."""
    watcher = job_watcher(app)
    seen = list(jobs)
    gone: list[str] = []
    if source is not None:
        client = services_of(app).client
        gone = watcher.vanished(source, jobs)
        for job_id in gone[:VANISHED_LOOKUPS]:
            try:
                seen.append(await FarmLookups(client).job(job_id))
            except GatewayError:
                continue
    alerts = await watcher.tracker.update_sliced(seen)
    watcher.tracker.release(gone)  # their models, a kilobyte each, need not outlive the list
    if not alerts:
        return []
    # One notification per poll for the dead frames (with what their logs say) and one for the jobs
    # that ended, never one per frame or per job; `notifications` in the config picks which.
    services = services_of(app)
    options = services.options
    notifications = options.notifications
    causes: list[tuple[str, int]] = []
    client = services.client
    if notifications != "off" and any(a.kind == NEW_DEAD for a in alerts):
        # Here, not at the top: the dead-frame logs' readers (farm.dead, farm.logs) are needed only
        # once a frame has died, never for the first screen (start-up time).
        from cuetui.farm.dead import new_dead_causes

        try:
            causes = await new_dead_causes(client, alerts, services.signatures)
        except GatewayError:
            causes = []
    notices = burst(alerts, causes, notifications=notifications)
    for notice in notices:
        app.notify(
            safe(notice.text, 300),
            title="cuetui",
            severity=notice.severity,  # type: ignore[arg-type]
            markup=False,
            timeout=ALERT_TIMEOUT,
        )
    if options.bell:
        app.bell()
    return [n.text for n in notices]
