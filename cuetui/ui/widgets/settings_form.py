"""The `o` settings forms of jobs and layers: one input a setting, pre-filled with the current values.

Apply (enter in any field, or ctrl+s) checks every field (`cuetui.farm.settings`: sizes like `16G`,
whole numbers of ASCII digits, min <= max, no empty tag); a bad value keeps the form open with the
field's message and nothing is sent. The answer is only the fields that changed ({} when none did), or
None when cancelled. Farm strings (names, tags) are shown as Text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cuetui.farm import settings as st
from cuetui.ui.widgets.dialogs import safe_lines


@dataclass(frozen=True)
class FormField:
    """One setting: its name in the settings record, the label, how it is shown and how it is read."""

    name: str
    label: str
    show: Callable[[Any], str]
    parse: Callable[[str], Any]
    blank_ok: bool = False  # an empty field means "leave it alone" (a value the wire does not carry)
    hint: str = ""  # shown in the field while it is empty


def _cores(label: str) -> Callable[[str], float]:
    return lambda text: st.parse_cores(text, label)


def _count(label: str) -> Callable[[str], int]:
    return lambda text: st.parse_count(text, label)


def _switch(label: str) -> Callable[[str], bool]:
    return lambda text: st.parse_switch(text, label)


def _on_off(value: Any) -> str:
    return "on" if value else "off"


def _priority(text: str) -> int:
    from cuetui.farm.actions import parse_priority

    return parse_priority(text)


JOB_FIELDS: tuple[FormField, ...] = (
    FormField("priority", "priority", str, _priority),
    FormField("min_cores", "min cores", st.format_cores, _cores("min cores")),
    FormField("max_cores", "max cores", st.format_cores, _cores("max cores")),
    FormField("min_gpus", "min GPUs", str, _count("min GPUs")),
    FormField("max_gpus", "max GPUs", str, _count("max GPUs")),
    FormField(
        "max_retries",
        "max retries",
        lambda v: "" if v is None else str(v),
        _count("max retries"),
        True,
        # Cuebot's job message has no max retries, so the current value cannot be shown.
        hint="unknown: type a number to set",
    ),
    FormField("auto_eat", "auto-eat", _on_off, _switch("auto-eat")),
)

LAYER_FIELDS: tuple[FormField, ...] = (
    FormField("min_cores", "min cores", st.format_cores, _cores("min cores")),
    FormField("max_cores", "max cores", st.format_cores, _cores("max cores")),
    FormField("min_memory", "min memory", st.format_size, lambda t: st.parse_size(t, "min memory")),
    FormField("min_gpu_memory", "min GPU memory", st.format_size, lambda t: st.parse_size(t, "min GPU memory")),
    FormField("min_gpus", "min GPUs", str, _count("min GPUs")),
    FormField("max_gpus", "max GPUs", str, _count("max GPUs")),
    FormField("tags", "tags", lambda v: ",".join(v), st.parse_tags),
    FormField("threadable", "threadable", _on_off, _switch("threadable")),
    FormField("timeout", "timeout (min)", str, _count("timeout")),
    FormField("timeout_llu", "timeout LLU (min)", str, _count("timeout LLU")),
)


class SettingsForm(ModalScreen[dict[str, Any] | None]):
    """A settings form over `current` (a JobSettings or LayerSettings); `prefill` overrides what a field
    shows at first (e.g. a raised min memory), so it counts as a change."""

    CSS_PATH = "../styles/steer.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "cancel", id="settings.cancel"),
        Binding("ctrl+s", "apply", "apply", id="settings.apply"),
        # A form of one-line fields: up and down move between them, as tab and shift+tab do.
        Binding("down", "app.focus_next", "next field", show=False, id="settings.next"),
        Binding("up", "app.focus_previous", "previous field", show=False, id="settings.previous"),
    ]

    def __init__(
        self,
        title: str,
        what: str,
        current: Any,
        form_fields: tuple[FormField, ...],
        prefill: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(classes="steer-dialog settings-form")
        self.dialog_title = title
        self.what = what
        self.current = current
        self.form_fields = form_fields
        self.prefill = dict(prefill or {})

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = self.dialog_title
            yield Static(Text(safe_lines(self.what)), id="dialog-question")
            for f in self.form_fields:
                value = self.prefill.get(f.name, getattr(self.current, f.name))
                with Horizontal(classes="settings-row"):
                    yield Static(Text(f.label), classes="settings-label")
                    yield Input(
                        value=f.show(value) if value is not None else "", placeholder=f.hint, id=f"set-{f.name}"
                    )
            yield Static("", id="dialog-error", markup=False)
            yield Static(Text("enter or ctrl+s apply (only changed fields are sent) · escape cancel"), id="dialog-keys")

    def on_mount(self) -> None:
        # Keys typed before the form was up (tab to a field) keep their focus.
        if self.focused is None:
            self.query_one(Input).focus()

    @property
    def error_text(self) -> str:
        """The message under the fields ("" when none): tests read it."""
        return str(self.query_one("#dialog-error", Static).render())

    def field_input(self, name: str) -> Input:
        """The input of one setting (tests type into it)."""
        return self.query_one(f"#set-{name}", Input)

    def _refuse(self, message: str, name: str | None = None) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(Text(message))
        error.add_class("-shown")
        if name is not None:
            self.field_input(name).focus()

    def _shown(self, f: FormField) -> str:
        """What the field showed when the form opened (the current value, not a pre-filled remedy)."""
        value = getattr(self.current, f.name)
        return f.show(value) if value is not None else ""

    def values(self) -> dict[str, Any]:
        """Every field read back (SettingError, carrying the field's name, for the first bad one)."""
        out: dict[str, Any] = {}
        for f in self.form_fields:
            text = self.field_input(f.name).value
            if (f.blank_ok and not text.strip()) or text == self._shown(f):
                out[f.name] = None  # left as shown: no change (a layer with no tags shows an empty field)
                continue
            try:
                out[f.name] = f.parse(text)
            except ValueError as err:
                raise _FieldError(f.name, str(err)) from None
        return out

    def action_apply(self) -> None:
        try:
            values = self.values()
        except _FieldError as err:
            self._refuse(err.message, err.name)
            return
        changes = {k: v for k, v in values.items() if v is not None and v != getattr(self.current, k)}
        merged = st.with_changes(self.current, changes)
        try:
            merged.check()
        except st.SettingError as err:
            self._refuse(str(err))
            return
        names = [f.name for f in fields(self.current)]
        self.dismiss({name: changes[name] for name in names if name in changes})

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        error = self.query_one("#dialog-error", Static)
        if error.has_class("-shown"):
            error.update("")
            error.remove_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)


class _FieldError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
