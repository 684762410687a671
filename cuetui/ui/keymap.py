"""What is wrong with a `[keymap]`: ids no action has (a typo would otherwise be ignored silently) and
keys that a remap puts on two actions of one screen (Textual would run only one of them).

Every screen's actions are read from their ActionSpecs, so the check knows the same ids `?` help shows.
The screens are imported here, which the app otherwise does lazily: call this only when a keymap is set.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping, Sequence

from cuetui.ui.catalogue import APP_ACTIONS, MONITOR_ACTIONS, ActionSpec

# (title, module under cuetui.ui.screens, class) of every screen with keys.
SCREENS = (
    ("Shows", "shows", "ShowsScreen"),
    ("Jobs", "jobs", "JobsScreen"),
    ("Hosts", "hosts", "HostsScreen"),
    ("Triage", "triage", "TriageScreen"),
    ("Stuck", "stuck", "StuckScreen"),
    ("Subscriptions", "subscriptions", "SubscriptionsScreen"),
    ("Job", "job", "JobScreen"),
    ("FrameLog", "frame_log", "FrameLogScreen"),
    ("HostProcs", "host_procs", "HostProcsScreen"),
    ("Dependencies", "deps_panel", "DepsPanel"),
)


def screen_contexts(app_actions: Sequence[ActionSpec]) -> list[tuple[str, Sequence[ActionSpec]]]:
    """Every set of keys live at one time in the TUI: each screen's own with the app's global keys."""
    found: list[tuple[str, Sequence[ActionSpec]]] = []
    for title, module, name in SCREENS:
        screen = getattr(importlib.import_module(f"cuetui.ui.screens.{module}"), name)
        found.append((title, tuple(screen.ACTIONS) + tuple(app_actions)))
    return found


def all_contexts() -> list[tuple[str, Sequence[ActionSpec]]]:
    """The TUI's screens and the `cuetui monitor` view: one config's `[keymap]` serves both."""
    return [*screen_contexts(APP_ACTIONS), ("monitor", MONITOR_ACTIONS)]


def _keys(spec: ActionSpec, keymap: Mapping[str, str]) -> list[str]:
    return [k.strip() for k in keymap.get(spec.id, spec.key).split(",") if k.strip()]


def keymap_problems(keymap: Mapping[str, str], known: Sequence[tuple[str, Sequence[ActionSpec]]] = ()) -> list[str]:
    """One line per problem of `keymap` (action id -> keys): an unknown id (with the closest known one),
    or a key a remap gives to two different actions of one screen (`known`: the screens' key sets,
    default `all_contexts()`). Empty when all is well."""
    if not keymap:
        return []
    known = known or all_contexts()
    ids = sorted({spec.id for _, specs in known for spec in specs})
    problems: list[str] = []
    for action_id in keymap:
        if action_id not in ids:
            close = difflib.get_close_matches(action_id, ids, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(f'[keymap]: no action has the id "{action_id}"{hint}; it is ignored (? lists the ids)')
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for title, specs in known:
        by_key: dict[str, list[ActionSpec]] = {}
        for spec in specs:
            for key in _keys(spec, keymap):
                by_key.setdefault(key, []).append(spec)
        for key, on_key in by_key.items():
            # `?` is both the screen's `screen.help` (to show it in the footer) and the app's `app.help`.
            actions = {spec.action.removeprefix("app.") for spec in on_key}
            if len(actions) < 2 or not any(spec.id in keymap for spec in on_key):
                continue  # only clashes a remap made: the defaults are laid out on purpose
            names = tuple(sorted({spec.id for spec in on_key}))
            if (key, names) in seen:
                continue
            seen.add((key, names))
            problems.append(
                f'[keymap]: key "{key}" is given to {" and ".join(names)} on the {title} screen; only one of '
                "them can run"
            )
    return problems
