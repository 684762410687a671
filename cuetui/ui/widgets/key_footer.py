"""KeyFooter: a footer that shows the keys that matter most in the width it has, never overflowing.

Textual's Footer lists every shown binding in focus order (the screen's, then the app's) and cuts off
whatever does not fit, which at 120 columns was `? help` and `q quit`. Here the order is by importance:
`?` and `q` always stay; then the screen's own keys in the order its action catalogue declares them
(most used first); then the app's other keys (`1`-`5`, the palette) while there is room. Shown keys keep
their usual places (the screen's first, then help and quit, then the app's), and `?` help still lists
every key. Every screen writes its keys the same way, ` r retry `: a footer never turns compact (Textual's
compact style writes `rretry` on some renderers and looked different from one screen to the next).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ESSENTIAL_ACTIONS = frozenset({"help", "app.help", "quit", "app.quit"})


@dataclass(frozen=True)
class FooterEntry:
    """One key as the footer may show it: `rank` 0 essential, 1 the screen's own, 2 the app's."""

    binding: Binding
    key_display: str
    enabled: bool
    tooltip: str
    rank: int

    def width(self, compact: bool) -> int:
        """Cells it takes: ` key desc ` normally, `key desc` and a margin when compact."""
        text = cell_len(self.key_display) + cell_len(self.binding.description)
        return text + (2 if compact else 3)


def plan_footer(entries: Sequence[FooterEntry], width: int) -> tuple[list[FooterEntry], bool]:
    """The entries to show at `width`, in display order, and whether compact (never: one style on
    every screen). Drops the least important first: app keys from the end, then the screen's keys from
    the end; never rank 0."""

    def fit(compact: bool) -> list[FooterEntry]:
        kept = list(entries)
        while sum(e.width(compact) for e in kept) > width:
            droppable = [e for e in kept if e.rank > 0]
            if not droppable:
                break
            kept.remove(max(droppable, key=lambda e: (e.rank, kept.index(e))))
        return kept

    kept, compact = fit(False), False
    ordered = [e for e in kept if e.rank == 1] + [e for e in kept if e.rank == 0] + [e for e in kept if e.rank == 2]
    return ordered, compact


class KeyFooter(Footer):
    """The footer of every cuetui screen (see the module docstring)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, show_command_palette=False)
        self._planned_width = -1
        self._planned: tuple[tuple[object, ...], ...] | None = None  # what the keys shown were made from
        # The screen's bindings have been announced (Footer keeps the same flag privately): before that
        # the footer has no keys to show.
        self._keys_ready = False
        self._recompose_pending = False
        self.builds = 0  # how many times its keys were made (one a new screen, then only on changes)

    @staticmethod
    def _plan_key(width: int, shown: Sequence[FooterEntry]) -> tuple[tuple[object, ...], ...]:
        return (
            (width,),
            *(
                (e.binding.key, e.key_display, e.binding.description, e.binding.action, e.enabled, e.tooltip)
                for e in shown
            ),
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual recomposes the footer whenever the screen's bindings may have changed: at every
        screen switch and focus change, and once for each of those a new screen's mount brings (a job
        screen's tables took focus three times, so its footer was built four times, ~120 ms each).
        Here one recompose at most is pending, and it runs only when the keys it would show differ
        from those shown."""
        self._keys_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._planned is None or self._keys_changed():
            self._schedule_recompose()

    def _schedule_recompose(self) -> None:
        if not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _keys_changed(self) -> bool:
        width = self.size.width or self.app.size.width
        return self._plan_key(width, plan_footer(self.entries(), width)[0]) != self._planned

    async def _recompose_if_changed(self) -> None:
        self._recompose_pending = False
        if self._planned is None or self._keys_changed():
            await self.recompose()

    def entries(self) -> list[FooterEntry]:
        """Every key the footer could show, one per action, in the screen's order."""
        seen: set[str] = set()
        entries: list[FooterEntry] = []
        for node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            essential = binding.action in ESSENTIAL_ACTIONS or (binding.id or "") in ESSENTIAL_ACTIONS
            rank = 0 if essential else (2 if node is self.app else 1)
            entries.append(FooterEntry(binding, self.app.get_key_display(binding), enabled, tooltip, rank))
        return entries

    def compose(self) -> ComposeResult:
        if not self._keys_ready:
            return
        width = self.size.width or self.app.size.width
        self._planned_width = width
        self.builds += 1
        shown, compact = plan_footer(self.entries(), width)
        self._planned = self._plan_key(width, shown)
        self.compact = compact
        for entry in shown:
            binding = entry.binding
            key = FooterKey(
                binding.key,
                entry.key_display,
                binding.description,
                binding.action,
                disabled=not entry.enabled,
                tooltip=entry.tooltip,
            )
            # Set, not `data_bind(compact=Footer.compact)`: a binding leaves a watcher on this footer
            # that holds the key after a recompose removes it, until `compact` changes (a Textual bug,
            # upstream issue 6666), and the footer recomposes at every screen switch, so the removed keys piled up
            # (~0.5 MiB per switch). `compact` is only ever set here, right before the keys are made,
            # and without its watcher: assigning it ran the watcher for the default and then for the
            # value, each toggling a class and so styling the key again (two style passes a key, 17
            # keys, a third of opening a job screen). The watcher still runs once at mount, with this
            # value, and sets the class the value calls for.
            key.set_reactive(FooterKey.compact, compact)
            yield key

    def on_resize(self, event: events.Resize) -> None:
        if self._keys_ready and event.size.width != self._planned_width:
            self._schedule_recompose()
