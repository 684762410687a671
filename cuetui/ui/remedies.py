"""The wrangler's remedies from the keyboard: frame ranges on the open job (`:retry`, `:eat`, `:kill`,
`:reorder`, `:stagger`), `W` mark frames waiting, `x` / `b` kill or unbook procs, and on hosts `B` reboot
when idle, `:reboot`, `A` allocation, `T` tags, `H` hardware state, `C` comments.

Each goes the steering path (`cuetui.ui.steering.steer`): a dialog that names what changes and counts
it, FarmActions' remedies (read-only and bad input refused there), a one-line outcome ("failed" when
the gateway refused it), and the affected rows refreshed at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.screen import Screen

from cuetui.farm.actions import ActionResult, RemedyActions, parse_tags
from cuetui.farm.frame_range import FramesCommand, parse_frames_command
from cuetui.farm.text import safe
from cuetui.gateway.errors import GatewayError, RefusedRequest
from cuetui.gateway.models import Frame, Host, Job, Proc
from cuetui.ui import steering
from cuetui.ui.catalogue import ActionSpec
from cuetui.ui.services import services_of
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog, name_list
from cuetui.ui.widgets.remedy_dialogs import ChoiceDialog, CommentsDialog, LineDialog

Refresh = Callable[[], object] | None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def remedies_of(screen: Screen[Any]) -> RemedyActions:
    """The app's FarmActions with the remedies (same client, same read-only mode)."""
    actions = services_of(screen.app).actions
    if isinstance(actions, RemedyActions):
        return actions
    return RemedyActions(actions.client, read_only=actions.read_only)


def _warn(screen: Screen[Any], message: str) -> None:
    screen.app.notify(safe(message, 300), severity="warning", markup=False)


# --- the catalogue entries --------------------------------------------------------------------------------


def frame_remedy_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """`W` on frames."""
    return (
        ActionSpec(
            f"{prefix}.mark_waiting",
            "W",
            "mark_waiting",
            "waiting",
            dangerous=True,
            footer=False,
            help="mark frames waiting again (no retry counted)",
        ),
    )


def proc_actions(prefix: str, *, footer: bool = True) -> tuple[ActionSpec, ...]:
    """`x` kill and `b` unbook procs."""
    return (
        ActionSpec(
            f"{prefix}.kill",
            "x",
            "kill_procs",
            "kill proc",
            dangerous=True,
            footer=footer,
            help="kill the proc's frame",
        ),
        ActionSpec(
            f"{prefix}.unbook",
            "b",
            "unbook_procs",
            "unbook",
            dangerous=True,
            footer=footer,
            help="unbook the proc: let its frame finish, or kill it",
        ),
    )


def host_remedy_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """`B`, `A`, `T`, `H`, `C` on hosts (`:reboot` is the command line's)."""
    return (
        ActionSpec(
            f"{prefix}.reboot_idle",
            "B",
            "reboot_when_idle",
            "reboot idle",
            dangerous=True,
            footer=False,
            help="reboot when idle: once its frames finish",
        ),
        ActionSpec(
            f"{prefix}.allocation", "A", "set_allocation", "alloc", dangerous=True, footer=False, help="set allocation"
        ),
        ActionSpec(f"{prefix}.tags", "T", "edit_tags", "tags", dangerous=True, footer=False, help="add or remove tags"),
        ActionSpec(
            f"{prefix}.hardware",
            "H",
            "set_hardware_state",
            "up/repair",
            dangerous=True,
            footer=False,
            help="hardware state: UP or REPAIR (a host in repair takes no frames)",
        ),
        ActionSpec(f"{prefix}.comments", "C", "host_comments", "comments", footer=False, help="host comments"),
    )


# --- frames on the open job -------------------------------------------------------------------------------


def run_frames_command(
    screen: Screen[Any], job: Job | None, frames: Sequence[Frame], name: str, arg: str, refresh: Refresh
) -> None:
    """`:retry RANGE` and the others on `job`, whose loaded frames (`frames`) are counted in the dialog."""
    if job is None:
        _warn(screen, "no job loaded yet")
        return
    try:
        command = parse_frames_command(name, arg)
    except ValueError as err:
        _warn(screen, str(err))
        return
    actions = remedies_of(screen)
    hit = [f for f in frames if f.number in command.frames]
    what = f"{_plural(len(hit), 'frame')} of {name_list([job.name])} in {command.frames.text}"
    if not hit and not actions.read_only:
        _warn(screen, f"no frame of {job.name} is in {command.frames.text}: nothing sent")
        return
    dialog: Any
    if name == "retry":
        succeeded = sum(1 for f in hit if f.state == "SUCCEEDED")
        running = sum(1 for f in hit if f.state in ("RUNNING", "SETUP"))
        notes = ""
        if succeeded:
            notes += f"\n{succeeded:,} of these {len(hit):,} frames already succeeded: they will render again"
        if running:
            notes += f"\n{_plural(running, 'running frame')} will be skipped (retry them with r)"
        dialog = ConfirmDialog(f"Retry {what}?{notes}")
        steering.steer(
            screen, lambda _: actions.retry_range(job, command.frames, len(hit)), dialog=dialog, refresh=refresh
        )
    elif name == "eat":
        done = sum(1 for f in hit if f.state in ("SUCCEEDED", "EATEN"))
        note = f"\n{done:,} of these {len(hit):,} frames are already done and stay as they are" if done else ""
        dialog = ConfirmDialog(f"Eat {what}?\nEaten frames are not rendered.{note}")
        steering.steer(
            screen, lambda _: actions.eat_range(job, command.frames, len(hit)), dialog=dialog, refresh=refresh
        )
    elif name == "kill":
        _kill_range(screen, actions, job, hit, command, refresh)
    else:
        _order_range(screen, actions, job, hit, command, what, refresh)


def _kill_range(
    screen: Screen[Any], actions: RemedyActions, job: Job, hit: list[Frame], command: FramesCommand, refresh: Refresh
) -> None:
    running = [f for f in hit if f.state == "RUNNING"]
    if not running and not actions.read_only:
        _warn(screen, f"none of the frames in {command.frames.text} is running: nothing sent")
        return
    dialog = KillReasonDialog(
        f"{_plural(len(running), 'running frame')} of {name_list([job.name])} in {command.frames.text}",
        steering.default_kill_reason(screen.app),
    )
    steering.steer(
        screen,
        lambda reason: actions.kill_range(job, command.frames, reason or "-", len(running)),
        dialog=dialog,
        placeholder="",
        refresh=refresh,
    )


def _order_range(
    screen: Screen[Any],
    actions: RemedyActions,
    job: Job,
    hit: list[Frame],
    command: FramesCommand,
    what: str,
    refresh: Refresh,
) -> None:
    if command.name == "reorder":
        where = {"FIRST": "first", "LAST": "last", "REVERSE": "in reverse order"}[command.order]
        dialog = ConfirmDialog(f"Dispatch {what} {where}?")
        steering.steer(
            screen, lambda _: actions.reorder_frames(job, command.frames, command.order), dialog=dialog, refresh=refresh
        )
    else:
        dialog = ConfirmDialog(f"Stagger {what} by {command.increment}?")
        steering.steer(
            screen,
            lambda _: actions.stagger_frames(job, command.frames, command.increment),
            dialog=dialog,
            refresh=refresh,
        )


def mark_waiting(screen: Screen[Any], pairs: Sequence[tuple[Job, Frame]], refresh: Refresh) -> None:
    """`W`: the frames wait again, no retry counted; more than one frame, or a running one, confirms
    with the count."""
    if not pairs:
        _warn(screen, "nothing selected to mark waiting")
        return
    actions = remedies_of(screen)
    groups = steering._by_job(pairs)
    running = sum(1 for _, f in pairs if f.state in ("RUNNING", "SETUP"))
    # A running frame is left as it is (the stuck screen's rows): say so rather than let it look done.
    note = f"\n{_plural(running, 'running frame')} will keep running (K kills, r retries)" if running else ""
    ask = len(pairs) > 1 or bool(running)
    dialog = ConfirmDialog(f"Mark {steering._frames_text(groups)} waiting?{note}") if ask else None

    async def send(_: object) -> ActionResult:
        return steering.combine("marked waiting", [await actions.mark_frames_waiting(j, fs) for j, fs in groups])

    steering.steer(screen, send, dialog=dialog, refresh=refresh)


# --- procs ------------------------------------------------------------------------------------------------


def _procs_text(procs: Sequence[Proc]) -> str:
    names = name_list([f"{p.job_name}.{p.frame_name}" for p in procs], limit=3)
    return f"proc {names}" if len(procs) == 1 else f"{len(procs)} procs: {names}"


def kill_procs(screen: Screen[Any], procs: Sequence[Proc], refresh: Refresh) -> None:
    """`x`: kill the procs' frames (they wait again, or die after their retries), after a confirmation."""
    if not procs:
        _warn(screen, "nothing selected to kill")
        return
    actions = remedies_of(screen)
    dialog = ConfirmDialog(f"Kill {_procs_text(procs)}?\nTheir frames are killed and wait again.")
    steering.steer(screen, lambda _: actions.kill_procs(procs), dialog=dialog, refresh=refresh)


def unbook_procs(screen: Screen[Any], procs: Sequence[Proc], refresh: Refresh) -> None:
    """`b`: unbook the procs; the dialog chooses to let their frames finish or to kill them now."""
    if not procs:
        _warn(screen, "nothing selected to unbook")
        return
    actions = remedies_of(screen)
    dialog = ChoiceDialog(
        f"Unbook {_procs_text(procs)}?",
        [("finish", "let the frame finish, then free the cores"), ("kill", "kill it now (it waits again)")],
        title="Unbook",
    )
    steering.steer(
        screen,
        lambda choice: actions.unbook_procs(procs, kill=choice == "kill"),
        dialog=dialog,
        placeholder="finish",
        refresh=refresh,
    )


# --- hosts ------------------------------------------------------------------------------------------------


def _hosts_text(hosts: Sequence[Host]) -> str:
    names = name_list([h.name for h in hosts], limit=4)
    return f"host {names}" if len(hosts) == 1 else f"{len(hosts)} hosts: {names}"


def reboot_when_idle(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`B`: reboot once their frames have finished, after a confirmation."""
    if not hosts:
        _warn(screen, "nothing selected to reboot")
        return
    actions = remedies_of(screen)
    running = sum(1 for h in hosts if h.idle_cores < h.cores)
    note = f"\n{_plural(running, 'host')} still running frames: they finish first" if running else ""
    dialog = ConfirmDialog(f"Reboot {_hosts_text(hosts)} when idle?\nNo new frames start there.{note}")
    steering.steer(screen, lambda _: actions.reboot_when_idle(hosts), dialog=dialog, refresh=refresh)


def reboot_now(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`:reboot`: reboot now; the person types the host's name (or, for several, their count)."""
    if not hosts:
        _warn(screen, "nothing selected to reboot")
        return
    actions = remedies_of(screen)
    expected = hosts[0].name if len(hosts) == 1 else str(len(hosts))

    def check(text: str) -> str:
        if text.strip() != expected:
            raise ValueError(f"type {expected} to reboot, or escape to cancel")
        return expected

    what = "its name" if len(hosts) == 1 else "how many hosts"
    dialog = LineDialog(
        f"Reboot {_hosts_text(hosts)} NOW?\nTheir running frames are killed and wait again.\nType {what} to confirm:",
        check,
        title="Reboot",
        keys="enter reboot · escape cancel",
    )
    steering.steer(screen, lambda _: actions.reboot(hosts), dialog=dialog, placeholder="", refresh=refresh)


def set_hardware_state(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`H`: UP or REPAIR (a host in repair takes no frames)."""
    if not hosts:
        _warn(screen, "nothing selected")
        return
    actions = remedies_of(screen)
    current = hosts[0].state if len({h.state for h in hosts}) == 1 else ""
    dialog = ChoiceDialog(
        f"Hardware state of {_hosts_text(hosts)}:",
        [("UP", "UP: takes frames"), ("REPAIR", "REPAIR: takes no frames, running ones go on")],
        title="Hardware state",
        current=current,
    )
    steering.steer(
        screen, lambda state: actions.set_hardware_state(hosts, state), dialog=dialog, placeholder="UP", refresh=refresh
    )


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """`+gpu -general big` -> (add ["gpu", "big"], remove ["general"]); ValueError when nothing or an
    empty tag is given."""
    add: list[str] = []
    remove: list[str] = []
    words = text.replace(",", " ").split()
    if not words:
        raise ValueError("give tags: +tag adds, -tag removes (a bare tag adds)")
    for word in words:
        target = remove if word.startswith("-") else add
        name = word[1:] if word[:1] in "+-" else word
        if not name:
            raise ValueError(f"an empty tag in {word!r}")
        target.append(name)
    return add, remove


def edit_tags(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`T`: add and remove tags in one line (`+gpu -general`)."""
    if not hosts:
        _warn(screen, "nothing selected")
        return
    actions = remedies_of(screen)
    current = " ".join(hosts[0].tags) if len(hosts) == 1 else ""
    dialog = LineDialog(
        f"Tags of {_hosts_text(hosts)}" + (f" (now: {current})" if current else "") + "\n+tag adds, -tag removes:",
        parse_tag_edit,
        title="Tags",
    )

    async def send(edit: tuple[list[str], list[str]]) -> ActionResult:
        add, remove = edit
        results = []
        if add:
            results.append(await actions.add_tags(hosts, parse_tags(",".join(add))))
        if remove:
            results.append(await actions.remove_tags(hosts, parse_tags(",".join(remove))))
        return steering.combine("tagged", results) if len(results) > 1 else results[0]

    steering.steer(screen, send, dialog=dialog, placeholder=(["-"], []), refresh=refresh)


def set_allocation(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`A`: pick an allocation from the farm's (GetAll), then move the hosts."""
    if not hosts:
        _warn(screen, "nothing selected")
        return
    actions = remedies_of(screen)

    async def pick() -> None:
        if actions.read_only:
            await steering._steer(screen, lambda _: actions.set_allocation(hosts, ""), None, "", refresh)
            return
        try:
            names = [name for _id, name in await actions.allocations()]
        except GatewayError as err:
            screen.app.notify(safe(f"cannot list allocations: {err}", 300), severity="error", markup=False)
            return
        current = hosts[0].alloc_name if len({h.alloc_name for h in hosts}) == 1 else ""
        dialog = ChoiceDialog(
            f"Allocation for {_hosts_text(hosts)}:", [(n, n) for n in names], title="Allocation", current=current
        )
        await steering._steer(screen, lambda name: actions.set_allocation(hosts, name), dialog, "", refresh)

    screen.run_worker(pick(), group="steer", exit_on_error=False, name="steer")


def host_comments(screen: Screen[Any], hosts: Sequence[Host], refresh: Refresh) -> None:
    """`C`: the cursor host's comments, and a comment to add."""
    if not hosts:
        _warn(screen, "nothing selected")
        return
    host = hosts[0]
    actions = remedies_of(screen)

    async def show() -> None:
        try:
            comments = await actions.host_comments(host)
        except GatewayError as err:
            screen.app.notify(safe(f"cannot read comments: {err}", 300), severity="error", markup=False)
            return
        listing = [(c.user, c.subject, c.message) for c in comments]
        dialog = CommentsDialog(f"host {host.name}", listing)

        async def send(answer: tuple[str, str]) -> ActionResult:
            return await actions.add_host_comment([host], *answer)

        if actions.read_only:
            answer = await screen.app.push_screen_wait(dialog)
            if answer is None:
                return
            try:
                await send(answer)
            except RefusedRequest as err:
                screen.app.notify(safe(str(err), 300), severity="warning", markup=False)
            return
        await steering._steer(screen, send, dialog, None, refresh)

    screen.run_worker(show(), group="steer", exit_on_error=False, name="steer")


def procs_of_frames(
    screen: Screen[Any], job: Job | None, frames: Sequence[Frame], kill: bool, refresh: Refresh
) -> None:
    """`x` / `b` on the job screen's running frames: their procs are looked up, then as on a host."""
    running = [f for f in frames if f.state == "RUNNING"]
    if job is None or not running:
        _warn(screen, "none of the selected frames is running: no proc to " + ("kill" if kill else "unbook"))
        return
    actions = remedies_of(screen)

    async def find() -> None:
        try:
            procs = await actions.procs_of_frames(job, running)
        except GatewayError as err:
            screen.app.notify(safe(f"cannot find the procs: {err}", 300), severity="error", markup=False)
            return
        if not procs:
            _warn(screen, "their procs are gone (the frames finished): nothing sent")
            return
        (kill_procs if kill else unbook_procs)(screen, procs, refresh)

    screen.run_worker(find(), group="steer-procs", exit_on_error=False, name="steer-procs")
