"""Every key and command the README names is real and exercised: the README's key table and its
per-screen paragraphs are read here, and each key must be bound on the screen it is named for (the
action catalogue, i.e. the screen's BINDINGS) and pressed by at least one test; each `:` command must be
one the command line knows, and each `cuetui …` command line in the README must parse.

The "pressed by a test" check reads the tests' source (an AST walk, not a text grep): a key counts when
it is a literal argument of a `press(...)` call, a key of a tmux `send-keys`, or one of the literal
values a `press(name)` argument is bound to in the same function (`for key in ("p", "u")`)."""

from __future__ import annotations

import ast
import itertools
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TESTS = Path(__file__).resolve().parent

# README writes keys as the user types them; Textual names some of them.
KEY_NAMES = {"/": "slash", ":": "colon", "?": "question_mark", "+": "plus", "-": "minus", "=": "equals_sign"}
NAMED_KEYS = {"enter", "escape", "space", "tab", "up", "down", "left", "right", "home", "end", "backspace"}


def textual_key(key: str) -> str:
    return KEY_NAMES.get(key, key)


def is_key(token: str) -> bool:
    return (len(token) == 1 and token.isprintable()) or token in NAMED_KEYS or bool(re.fullmatch(r"ctrl\+\w", token))


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def keys_in(text: str) -> list[str]:
    """The keys among the code spans of `text` (`G`/`g` and `n`/`N` are separate spans already)."""
    return [textual_key(span) for span in code_spans(text) if is_key(span)]


# --- what the README says ---------------------------------------------------------------------------


@cache
def readme() -> str:
    return README.read_text(encoding="utf-8")


def key_table() -> list[tuple[list[str], str]]:
    """Rows of the `| key | everywhere |` table: (keys of the first column, the description)."""
    lines = readme().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*key\s*\|\s*everywhere\s*\|", line))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        first, description = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows.append((keys_in(first), description))
    assert len(rows) >= 5, "the README's key table was not found or is nearly empty"
    return rows


def paragraph(title: str) -> str:
    """The README paragraph that starts with `**title**`."""
    for block in readme().split("\n\n"):
        if block.startswith(f"**{title}**"):
            return block
    raise AssertionError(f"README has no paragraph starting **{title}**")


def screens() -> dict[str, tuple[tuple[type, ...], ...]]:
    """Where the README's words put a key: groups of classes; each group must bind the key in one of
    its classes ("everywhere" is five groups of one, a screen with its dialog or sub-screen is one)."""
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.monitor_app import MonitorApp
    from cuetui.ui.screens.deps_panel import DepsPanel
    from cuetui.ui.screens.frame_log import FrameLogScreen
    from cuetui.ui.screens.host_procs import HostProcsScreen
    from cuetui.ui.screens.hosts import HostsScreen
    from cuetui.ui.screens.job import JobScreen
    from cuetui.ui.screens.jobs import JobsScreen
    from cuetui.ui.screens.shows import ShowsScreen
    from cuetui.ui.screens.stuck import StuckScreen
    from cuetui.ui.screens.subscriptions import SubscriptionsScreen
    from cuetui.ui.screens.triage import TriageScreen
    from cuetui.ui.widgets.dialogs import ConfirmDialog

    return {
        "app": ((CueTuiApp,),),
        "tables": ((ShowsScreen,), (JobsScreen,), (HostsScreen,), (TriageScreen,), (StuckScreen,)),
        "Jobs": ((JobsScreen, ConfirmDialog),),  # "Destructive actions confirm first (`y` yes, `n`/`escape` no)"
        "Job": ((JobScreen, DepsPanel),),  # "`v` lists the dependencies …; in that panel `X` drops …"
        "Frame log": ((FrameLogScreen,),),
        "Dead-frame triage": ((TriageScreen,),),
        "Stuck frames": ((StuckScreen,),),
        "Subscriptions": ((SubscriptionsScreen,),),
        "Hosts": ((HostsScreen, HostProcsScreen),),  # "`enter` lists the host's procs, from which `j` …"
        "monitor": ((MonitorApp,),),
    }


APP_KEYS = {"1", "2", "3", "4", "5", "6", "colon", "q", "ctrl+c", "question_mark", "ctrl+p"}
SCREEN_PARAGRAPHS = ("Jobs", "Job", "Frame log", "Dead-frame triage", "Stuck frames", "Subscriptions", "Hosts")


def readme_keys() -> list[tuple[str, str]]:
    """(scope, key) for every key the README names for a screen."""
    pairs: list[tuple[str, str]] = []
    for keys, _ in key_table():
        pairs += [("app" if key in APP_KEYS else "tables", key) for key in keys]
    for title in SCREEN_PARAGRAPHS:
        text = paragraph(title)
        own = re.match(r"\*\*[^*]+\*\* \(`([^`]+)`", text)  # "**Jobs** (`2`)": the key that opens it
        pairs += [(title, key) for key in keys_in(text) if not (own and key == textual_key(own.group(1)))]
    monitor = readme().split("### `cuetui monitor`", 1)[1].split("```", 1)[0]
    pairs += [("monitor", key) for key in keys_in(monitor)]
    return list(dict.fromkeys(pairs))


def bound_keys(cls: type) -> set[str]:
    """Every key of `cls`'s bindings (its own and inherited BINDINGS, as Textual merges them)."""
    keys: set[str] = set()
    for klass in cls.__mro__:
        for binding in vars(klass).get("BINDINGS", ()):
            key = binding.key if hasattr(binding, "key") else binding[0]
            keys.update(k.strip() for k in key.split(","))
    return keys


# `a` (mark every visible row) is not bound on these yet: another change of the same issue adds it on
# jobs and hosts. strict: once it is bound, these XPASS and fail, so the marks go in the merge that adds it.
# README key/screen pairs that are not bound yet, each a strict xfail (so binding one fails until it is
# removed here). None today.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def binding_cases() -> list[Any]:
    cases = []
    for scope, key in readme_keys():
        for group in screens()[scope]:
            names = "|".join(cls.__name__ for cls in group)
            gap = KNOWN_GAPS.get((names, key))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            cases.append(pytest.param(group, key, id=f"{names}-{key}", marks=marks))
    return cases


def test_the_readme_names_keys_for_every_screen() -> None:
    """The parsing above still finds what it should (a README rewrite must not empty the checks)."""
    scopes = {scope for scope, _ in readme_keys()}
    assert scopes == set(screens()), scopes
    assert len(readme_keys()) >= 40


@pytest.mark.parametrize(("group", "key"), binding_cases())
def test_readme_key_is_bound(group: tuple[type, ...], key: str) -> None:
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.monitor_app import MonitorApp

    bound = set().union(*(bound_keys(cls) for cls in group))
    if not any(issubclass(cls, MonitorApp) for cls in group):
        bound |= bound_keys(CueTuiApp)  # the app's keys work on every screen
    if key == "enter":
        bound.add("enter")  # a table's own enter (DataTable's select_cursor) opens the row
    names = " or ".join(cls.__name__ for cls in group)
    assert key in bound, f"README names `{key}` for {names}, which binds only {sorted(bound)}"


# --- what the tests press ---------------------------------------------------------------------------


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _bound_values(function: ast.AST, name: str) -> list[str]:
    """Literal strings a local `name` takes in `function`: `for name in (…)`, `name = …`, and pairs."""
    values: list[str] = []
    for node in ast.walk(function):
        targets: list[ast.AST] = []
        source: ast.AST | None = None
        if isinstance(node, (ast.For, ast.comprehension)):
            targets, source = [node.target], node.iter
        elif isinstance(node, ast.Assign):
            targets, source = node.targets, node.value
        if source is not None and any(isinstance(t, ast.Name) and t.id == name for tt in targets for t in ast.walk(tt)):
            values += _strings(source)
    return values


def _send_keys(call: ast.Call) -> list[str]:
    """Keys of a tmux `send-keys` call (`[*tmux, "send-keys", "-t", target, KEYS…]`)."""
    args = [a for a in ast.walk(call) if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    words = [a.value for a in args]
    if "send-keys" not in words:
        return []
    after = words[words.index("send-keys") + 1 :]
    if after[:1] == ["-t"]:
        after = after[2:]  # a literal target name; a variable target is not among the constants
    return after


@cache
def pressed_keys() -> frozenset[str]:
    """Every key some test presses (this file's own presses excluded)."""
    pressed: set[str] = set()
    for path in TESTS.rglob("*.py"):
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for function in functions:
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
                if attr == "press" or (attr == "send" and path.name.endswith("tmux.py")):
                    for arg in call.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            pressed.add(arg.value)
                        elif isinstance(arg, ast.Name):
                            pressed.update(_bound_values(function, arg.id))
                        elif isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
                            pressed.update(_bound_values(function, arg.value.id))
                        # *"text": typing into an input, not pressing keys
                pressed.update(_send_keys(call))
    return frozenset(textual_key(k) for k in pressed)


@pytest.mark.parametrize("key", sorted({key for _, key in readme_keys()}))
def test_readme_key_is_pressed_by_a_test(key: str) -> None:
    assert key in pressed_keys(), f"README names `{key}`, but no test presses it"


def test_the_pressed_keys_scan_finds_presses() -> None:
    """The scan itself: it sees the steering keys that tests/ui presses (so an empty scan cannot pass)."""
    assert {"p", "R", "y", "escape", "enter", "colon", "question_mark"} <= pressed_keys()


# --- `:` commands and command lines -----------------------------------------------------------------


def colon_commands() -> list[tuple[str, bool]]:
    """(name, takes an argument) of each `:command` in the key table."""
    row = next(description for keys, description in key_table() if "colon" in keys)
    found = [span[1:].split(" ", 1) for span in code_spans(row) if span.startswith(":")]
    assert len(found) >= 4, row
    return [(words[0], len(words) > 1) for words in found]


@pytest.mark.parametrize(("name", "takes_arg"), colon_commands())
def test_readme_colon_command_is_known(name: str, takes_arg: bool) -> None:
    from cuetui.ui.screens.command_line import COMMANDS, parse_command

    assert name in COMMANDS
    command = parse_command(f":{name} x" if takes_arg else f":{name}")
    assert command.name == name


@cache
def typed_commands() -> frozenset[str]:
    """The words tests type after `:` (`press("colon", *"stuck", "enter")`)."""
    typed: set[str] = set()
    for path in TESTS.rglob("*.py"):
        for call in (n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)):
            args = call.args
            for first, second in itertools.pairwise(args):
                if not (isinstance(first, ast.Constant) and first.value == "colon" and isinstance(second, ast.Starred)):
                    continue
                text = second.value
                if isinstance(text, ast.JoinedStr) and text.values:  # *f"job {name}"
                    text = text.values[0]
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    typed.add(text.value.split(" ", 1)[0])
    return frozenset(typed)


@pytest.mark.parametrize("name", [name for name, _ in colon_commands()])
def test_readme_colon_command_is_typed_by_a_test(name: str) -> None:
    assert name in typed_commands(), f"README names `:{name}`, but no test types it"


def readme_command_lines() -> list[str]:
    """Each `cuetui …` invocation in the README's sh blocks and inline code (comments and pipes cut)."""
    text = readme()
    prose = "\n".join(line for line in text.splitlines() if not line.startswith("#"))  # not the headings
    inline = [span for span in code_spans(prose) if span.startswith("cuetui ")]
    sources = re.findall(r"```sh\n(.*?)```", text, flags=re.S) + inline
    lines = []
    for source in sources:
        for line in source.splitlines():
            line = re.sub(r"\s#.*$", "", line)
            for part in re.split(r"&&|\|\||;|\||&|\$\(|<\(|\)|>", line):
                words = part.split()
                if words[:1] == ["cuetui"] and len(words) > 1:
                    lines.append(" ".join(words[1:]))
    return list(dict.fromkeys(lines))


def test_the_readme_names_command_lines() -> None:
    commands = {shlex.split(line)[0] for line in readme_command_lines()}
    assert {"demo", "doctor", "jobs", "frames", "monitor", "retry", "kill-frames", "demo-gateway"} <= commands


@pytest.mark.parametrize("line", readme_command_lines())
def test_readme_command_line_parses(line: str) -> None:
    import argparse

    from cuetui.cli import build_parser

    parser = build_parser()
    words = shlex.split(line)
    if len(words) == 1:  # `cuetui monitor` in prose names the command; its arguments come later
        (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert words[0] in commands.choices, f"README names `cuetui {line}`, which is no command"
        return
    try:
        parser.parse_args(words)
    except SystemExit as exc:
        raise AssertionError(f"`cuetui {line}` from the README does not parse (exit {exc.code})") from None


@cache
def strings_in_tests() -> frozenset[str]:
    strings: set[str] = set()
    for path in TESTS.rglob("*.py"):
        if path.resolve() != Path(__file__).resolve():
            strings.update(_strings(ast.parse(path.read_text(encoding="utf-8"))))
    return frozenset(strings)


@pytest.mark.parametrize("command", sorted({shlex.split(line)[0] for line in readme_command_lines()}))
def test_readme_command_is_run_by_a_test(command: str) -> None:
    """Some test passes the command's name as an argument (to `cli(…)`, a subprocess, …)."""
    words = {word for s in strings_in_tests() for word in s.split()}
    assert command in words, f"README names `cuetui {command}`, but no test runs it"
