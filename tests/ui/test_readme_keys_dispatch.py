"""Each key the README names for a screen, pressed on that screen of the running app, reaches the action
the screen's catalogue binds it to: not swallowed by a focused widget, not shadowed by another binding.
The actions are recorded, not run (their effects have their own tests), so one app visits every screen.
The keys and where they belong are read from the README by tests/test_readme_keys.py."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.test_readme_keys import KNOWN_GAPS, readme_keys, screens
from tests.ui.conftest import make_app, wait_for, wait_loaded


def bound_actions(cls: type, key: str) -> set[str]:
    actions = set()
    for klass in cls.__mro__:
        for binding in vars(klass).get("BINDINGS", ()):
            keys, action = (binding.key, binding.action) if hasattr(binding, "key") else binding[:2]
            if key in (k.strip() for k in keys.split(",")):
                actions.add(action)
    return actions


class Recorder:
    """Stands in for app.run_action while `on`: records (action, namespace) and reports it handled."""

    def __init__(self, app: Any) -> None:
        self.app, self.real, self.on = app, app.run_action, False
        self.seen: list[tuple[str, str]] = []
        app.run_action = self.run_action

    async def run_action(self, action: Any, default_namespace: Any = None, namespaces: Any = None) -> bool:
        if not self.on:
            return bool(await self.real(action, default_namespace, namespaces))
        self.seen.append((str(action), type(default_namespace).__name__))
        return True


async def open_screen(pilot: Any, name: str) -> None:
    """From the jobs screen to the screen class `name`, with its data."""
    app = pilot.app
    steps = {
        "ShowsScreen": ["1"],
        "HostsScreen": ["3"],
        "TriageScreen": ["4"],
        "StuckScreen": ["5"],
        "SubscriptionsScreen": ["6"],
        "DepsPanel": ["enter", "v"],
        "JobScreen": ["enter"],
        "HostProcsScreen": ["3", "enter"],
        "FrameLogScreen": ["enter", "l"],
    }.get(name, [])
    for key in steps:
        if key == "v":  # the dependencies panel opens once the job screen has its job
            await wait_for(pilot, lambda: getattr(app.screen, "job", None) is not None, what="the job")
        await pilot.press(key)
        if key in ("enter", "l") and name == "FrameLogScreen" and type(app.screen).__name__ == "JobScreen":
            await wait_for(pilot, lambda: len(getattr(app.screen, "frames_table", ()).rows) > 0, what="frames")
            continue
        await wait_for(pilot, lambda: type(app.screen).__name__ != "JobsScreen" or name == "JobsScreen", what=key)
        if getattr(app.screen, "table", None) is not None:
            await wait_loaded(pilot)
    await wait_for(pilot, lambda: type(app.screen).__name__ == name, what=f"the {name}")


def cases() -> list[Any]:
    """(screen class name, the keys README names for it) for each screen of the app."""
    by_screen: dict[str, list[str]] = {}
    for scope, key in readme_keys():
        if scope == "monitor":
            continue  # another app: tests/farm/test_monitor_app.py presses its keys
        for group in screens()[scope]:
            names = "|".join(cls.__name__ for cls in group)
            if (names, key) in KNOWN_GAPS:
                continue
            owners = [cls for cls in group if bound_actions(cls, key)]
            cls = owners[0] if owners else group[0]  # the procs of a host: its own screen
            if cls.__name__ == "ConfirmDialog":
                continue  # y / n answer a question: the steering tests press them in every dialog
            if cls.__name__ == "CueTuiApp":
                cls = screens()["tables"][1][0]  # the app's keys, pressed on the jobs screen
            if key not in by_screen.setdefault(cls.__name__, []):
                by_screen[cls.__name__].append(key)
    return [pytest.param(name, keys, id=name) for name, keys in sorted(by_screen.items())]


@pytest.mark.parametrize(("screen_name", "keys"), cases())
async def test_readme_keys_reach_their_actions(
    frozen_gateway: DemoGatewayThread, screen_name: str, keys: list[str]
) -> None:
    from cuetui.ui.app import CueTuiApp

    app = make_app(frozen_gateway.url)
    recorder = Recorder(app)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await open_screen(pilot, screen_name)
        screen = app.screen
        if screen_name == "FrameLogScreen":
            await wait_for(pilot, lambda: len(screen.view.lines) > 0, what="the log")  # type: ignore[attr-defined]
        wrong = []
        for key in keys:
            expected = bound_actions(type(screen), key) | bound_actions(CueTuiApp, key)
            recorder.seen.clear()
            recorder.on = True
            await pilot.press(key)
            await pilot.pause()
            recorder.on = False
            assert app.screen is screen, f"{key} left {screen_name}"
            actions = [action for action, _ in recorder.seen]
            if key == "enter" and actions:
                continue  # the focused table's own enter opens the row
            if not actions or actions[0] not in expected:
                wrong.append((key, actions, sorted(expected)))
        assert not wrong, f"on {screen_name}, keys that did not reach their bound action: {wrong}"
