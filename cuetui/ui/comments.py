"""The `C` comments dialog of a job: its comments (subject, user, time, message), `a` to add one, `d` to
delete one's own. Reads go through `farm.views.comments`, changes through FarmActions (read-only mode is
refused there). Comment text is farm data: shown as Text, never markup.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cuetui.farm.text import safe, visible
from cuetui.farm.views.comments import job_comments, my_name
from cuetui.gateway.errors import GatewayError, RefusedRequest
from cuetui.gateway.models import Comment, Job
from cuetui.ui.services import services_of
from cuetui.ui.widgets.dialogs import ConfirmDialog


def comment_text(comment: Comment) -> Text:
    """Two or more lines: time, user and subject, then the message indented."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(comment.timestamp)) if comment.timestamp else "-"
    text = Text(no_wrap=False, end="")
    text.append(f"{when}  ")
    text.append(safe(comment.user, 40), style="bold")
    text.append(f"  {safe(comment.subject, 120)}")
    for line in (comment.message or "").splitlines() or [""]:
        text.append(f"\n    {safe(line, 400)}", style="dim")
    return text


class CommentForm(ModalScreen[tuple[str, str] | None]):
    """Subject and message of a new comment; the subject may not be empty. Returns (subject, message)."""

    CSS_PATH = "styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "cancel", id="comment.cancel"),
    ]

    def __init__(self, job_name: str) -> None:
        super().__init__(classes="steer-dialog settings-form")
        self.job_name = job_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = "New comment"
            yield Static(Text(f"on {safe(self.job_name, 200)}"), id="dialog-question")
            for name in ("subject", "message"):
                with Horizontal(classes="settings-row"):
                    yield Static(Text(name), classes="settings-label")
                    yield Input(id=f"comment-{name}")
            yield Static("", id="dialog-error", markup=False)
            yield Static(Text("enter add · escape cancel"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#comment-subject", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        subject = self.query_one("#comment-subject", Input).value.strip()
        message = self.query_one("#comment-message", Input).value
        if not visible(subject):
            self.query_one("#dialog-error", Static).update(Text("a comment needs a subject"))
            self.query_one("#comment-subject", Input).focus()
            return
        self.dismiss((subject, message))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CommentsDialog(ModalScreen[None]):
    """A job's comments; `a` add, `d` delete the highlighted one (one's own only), escape close."""

    CSS_PATH = "styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("a", "add", "add", id="comments.add"),
        Binding("d", "delete", "delete", id="comments.delete"),
        Binding("escape", "close", "close", id="comments.close"),
    ]

    def __init__(self, job: Job) -> None:
        super().__init__(classes="steer-dialog comments-dialog")
        self.job = job
        self.comments: list[Comment] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = "Comments"
            yield Static(Text(safe(self.job.name, 200), style="bold"), id="dialog-question")
            yield OptionList(id="comments-list")
            yield Static("", id="dialog-error", markup=False)
            yield Static(Text("a add · d delete (your own) · escape close"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    def reload(self) -> None:
        """Read the comments again (after a change, and at mount)."""
        self.run_worker(self._load(), group="comments", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        services = services_of(self.app)
        try:
            comments = await job_comments(services.client, self.job.id)
        except GatewayError as err:
            self._say(f"could not read the comments: {safe(str(err), 200)}")
            return
        self.comments = comments
        listing = self.query_one(OptionList)
        before = listing.highlighted
        listing.clear_options()
        if comments:
            listing.add_options([Option(comment_text(c), id=c.id) for c in comments])
            # The newest is last: keep the highlight where it was, else on the newest.
            listing.highlighted = min(before, len(comments) - 1) if before is not None else len(comments) - 1
        else:
            listing.add_option(Option(Text("no comments yet (a: add one)", style="dim"), disabled=True))
        self.loaded = True

    def _say(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(Text(message))

    def _highlighted(self) -> Comment | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.comments):
            return None
        return self.comments[index]

    def action_add(self) -> None:
        self.run_worker(self._add(), group="comments-change", exit_on_error=False)

    async def _add(self) -> None:
        actions = services_of(self.app).actions
        if actions.read_only:
            await self._send(lambda: actions.add_comment(self.job, "-", ""))
            return
        answer = await self.app.push_screen_wait(CommentForm(self.job.name))
        if answer is None:
            return
        subject, message = answer
        await self._send(lambda: actions.add_comment(self.job, subject, message))

    def action_delete(self) -> None:
        comment = self._highlighted()
        if comment is None:
            self._say("no comment highlighted")
            return
        self.run_worker(self._delete(comment), group="comments-change", exit_on_error=False)

    async def _delete(self, comment: Comment) -> None:
        services = services_of(self.app)
        actions = services.actions
        if not actions.read_only and comment.user == my_name(services.client):
            question = f"Delete the comment “{safe(comment.subject, 60)}” on {safe(self.job.name, 80)}?"
            if not await self.app.push_screen_wait(ConfirmDialog(question)):
                return
        await self._send(lambda: actions.delete_comment(comment))

    async def _send(self, send: Any) -> None:
        try:
            result = await send()
        except RefusedRequest as err:
            self.app.notify(safe(str(err), 300), severity="warning", markup=False)
            return
        self.app.notify(safe(result.message, 300), severity="information" if result.ok else "error", markup=False)
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
