"""Job and layer settings, layer actions and comments from a screen: the `o`, `C`, and (layers table)
`R` / `E` / `K` / `D` keys. Each opens its form or confirmation, sends through FarmActions (read-only
and bad input refused there), says the outcome and refreshes the screen, by `steering.steer`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from textual.screen import Screen

from cuetui.farm.actions import ActionResult
from cuetui.farm.settings import JobSettings, LayerSettings
from cuetui.farm.text import safe
from cuetui.farm.views.depends import mark_done_depends
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Job, Layer
from cuetui.ui.comments import CommentsDialog
from cuetui.ui.services import services_of
from cuetui.ui.steering import _steer, default_kill_reason, steer
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, name_list
from cuetui.ui.widgets.settings_form import JOB_FIELDS, LAYER_FIELDS, SettingsForm

Refresh = Callable[[], object] | None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _nothing(screen: Screen[Any], what: str) -> None:
    screen.app.notify(f"nothing selected to {what}", severity="warning", timeout=3, markup=False)


def _read_only(screen: Screen[Any]) -> bool:
    return services_of(screen.app).actions.read_only


# --- jobs ---------------------------------------------------------------------------------------------


def job_settings(screen: Screen[Any], jobs: Sequence[Job], refresh: Refresh = None) -> None:
    """`o`: the job settings form, pre-filled from the (first) job; only changed fields are sent."""
    if not jobs:
        _nothing(screen, "change")
        return
    actions = services_of(screen.app).actions
    names = [j.name for j in jobs]
    what = name_list(names) if len(jobs) == 1 else f"{len(jobs)} jobs: {name_list(names)}"
    if len(jobs) > 1:
        what += "\n(pre-filled from the first; the changed fields are set on every one)"
    form = SettingsForm("Job settings", what, JobSettings.of(jobs[0]), JOB_FIELDS)
    steer(screen, lambda changes: actions.apply_job_settings(jobs, changes), dialog=form, placeholder={"priority": 0},
          refresh=refresh)  # fmt: skip


def comments(screen: Screen[Any], jobs: Sequence[Job]) -> None:
    """`C`: the comments of the (cursor) job."""
    if not jobs:
        _nothing(screen, "read")
        return
    screen.app.push_screen(CommentsDialog(jobs[0]))


# --- layers -------------------------------------------------------------------------------------------


def _layers_text(job: Job, layers: Sequence[Layer]) -> str:
    names = name_list([layer.name for layer in layers], limit=4)
    what = f"layer {names}" if len(layers) == 1 else f"{len(layers)} layers: {names}"
    return f"{what} of {name_list([job.name])}"


def layer_settings(
    screen: Screen[Any], job: Job | None, layers: Sequence[Layer], refresh: Refresh = None,
    min_memory_kb: int | None = None,
) -> None:  # fmt: skip
    """`o` on layers: the layer settings form, pre-filled from the (first) layer; `min_memory_kb`
    pre-fills a new min memory (the triage screen's out-of-memory hint)."""
    if job is None or not layers:
        _nothing(screen, "change")
        return
    actions = services_of(screen.app).actions
    what = _layers_text(job, layers)
    if len(layers) > 1:
        what += "\n(pre-filled from the first; the changed fields are set on every one)"
    prefill = {"min_memory": min_memory_kb} if min_memory_kb is not None else None
    form = SettingsForm("Layer settings", what, LayerSettings.of(layers[0]), LAYER_FIELDS, prefill)
    steer(screen, lambda changes: actions.apply_layer_settings(layers, changes), dialog=form,
          placeholder={"timeout": 0}, refresh=refresh)  # fmt: skip


def _no_frames(screen: Screen[Any], text: str) -> bool:
    """Say there is nothing to do (True), unless read-only mode has its own answer to give (False)."""
    if _read_only(screen):
        return False
    screen.app.notify(text, severity="warning", markup=False)
    return True


def _dead_layers_action(
    screen: Screen[Any],
    job: Job | None,
    layers: Sequence[Layer],
    verb: str,
    question: Callable[[str], str],
    send: Callable[[Job, Sequence[Layer]], Awaitable[ActionResult]],
    refresh: Refresh,
) -> None:
    """An action on the layers' dead frames: nothing sent without any, else a confirmation naming them
    with the count (`question` words it from "N dead frames of <layers>")."""
    if job is None or not layers:
        _nothing(screen, verb)
        return
    dead = sum(layer.stats.dead_frames for layer in layers)
    if not dead and _no_frames(screen, f"no dead frames in {_layers_text(job, layers)}: nothing sent"):
        return
    dialog = ConfirmDialog(question(f"{_plural(dead, 'dead frame')} of {_layers_text(job, layers)}"))
    steer(screen, lambda _: send(job, layers), dialog=dialog, refresh=refresh)


def retry_layers(screen: Screen[Any], job: Job | None, layers: Sequence[Layer], refresh: Refresh = None) -> None:
    """`R` on layers: retry their dead frames only, after a confirmation naming them with the count."""
    actions = services_of(screen.app).actions
    _dead_layers_action(screen, job, layers, "retry", lambda what: f"Retry {what}?", actions.retry_layers_dead, refresh)


def eat_layers(screen: Screen[Any], job: Job | None, layers: Sequence[Layer], refresh: Refresh = None) -> None:
    """`E` on layers: eat their dead frames, after a confirmation naming them with the count."""
    actions = services_of(screen.app).actions
    _dead_layers_action(
        screen, job, layers, "eat", lambda what: f"Eat {what}?\nEaten frames are not rendered.",
        actions.eat_layers_dead, refresh,
    )  # fmt: skip


def kill_layers(screen: Screen[Any], job: Job | None, layers: Sequence[Layer], refresh: Refresh = None) -> None:
    """`K` on layers: kill their running frames, with a reason; the dialog names them with the count."""
    if job is None or not layers:
        _nothing(screen, "kill")
        return
    running = sum(layer.stats.running_frames for layer in layers)
    if not running and _no_frames(screen, f"no running frames in {_layers_text(job, layers)}: nothing sent"):
        return
    actions = services_of(screen.app).actions
    dialog = KillReasonDialog(f"{_plural(running, 'running frame')} of {_layers_text(job, layers)}",
                              default_kill_reason(screen.app))  # fmt: skip
    steer(screen, lambda reason: actions.kill_layers_running(job, layers, reason), dialog=dialog, placeholder="-",
          refresh=refresh)  # fmt: skip


def mark_done_question(job: Job, layers: Sequence[Layer], depends: int) -> str:
    """The `D` confirmation: what Cuebot's mark done does (satisfies what waits on the layers, as
    CueGUI's "drops any dependencies that are waiting on these frames") and what it does not."""
    what = _layers_text(job, layers)
    them = "it" if len(layers) == 1 else "them"
    waiting = "dependency" if depends == 1 else "dependencies"
    frames = "its frames are" if len(layers) == 1 else "their frames are"
    return (
        f"Mark {what} done?\nThis satisfies the {depends:,} {waiting} waiting on {them} (what they hold may "
        f"start); {frames} left as they are: eat them first (E) to also skip them."
    )


def mark_done(screen: Screen[Any], job: Job | None, layers: Sequence[Layer], refresh: Refresh = None) -> None:
    """`D` on layers: mark them done, as Cuebot does (what waits on them is satisfied, no frame changes),
    after a confirmation counting those dependencies (read first: GetWhatDependsOnThis per layer)."""
    if job is None or not layers:
        _nothing(screen, "mark done")
        return
    services = services_of(screen.app)
    actions = services.actions

    async def confirm() -> None:
        if actions.read_only:  # refused by FarmActions: nothing is read, nothing sent
            await _steer(screen, lambda _: actions.mark_layers_done(layers), None, None, refresh)
            return
        try:
            depends = await mark_done_depends(services.client, layers)
        except GatewayError as err:
            screen.app.notify(
                safe(f"mark done not sent: cannot read what waits on {_layers_text(job, layers)}: {err}", 300),
                severity="error",
                markup=False,
            )
            return
        dialog = ConfirmDialog(mark_done_question(job, layers, depends))
        await _steer(screen, lambda _: actions.mark_layers_done(layers, depends), dialog, None, refresh)

    screen.run_worker(confirm(), group="steer", exit_on_error=False, name="steer")
