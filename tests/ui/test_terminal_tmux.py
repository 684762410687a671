"""The real terminal's rough edges, in tmux: an SSH drop (the pty closes, SIGHUP), ctrl+z and fg, several
TERMs and NO_COLOR, and resizing to tiny and huge windows. Each runs the real `cuetui` process.

Skips when tmux is missing, except when CUETUI_REQUIRE_TMUX=1 (CI)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_SECRET
from tests.ui.test_tmux import Pane, demo_gateway_process  # noqa: F401  (a fixture)
from tests.waiting import wait_for

pytestmark = pytest.mark.tmux

JOBS = "Jobs · all shows"


def base_env(url: str, tmp_path: Path, term: str = "tmux-256color") -> dict[str, str]:
    return {
        "OPENCUE_REST_GATEWAY_URL": url,
        "JWT_SECRET": DEMO_SECRET,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "TERM": term,
        "PATH": os.environ.get("PATH", ""),
    }


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def processes_with(marker: str) -> list[int]:
    """Pids whose command line contains `marker` (a path unique to this test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


# A launcher that outlives the pty: it ignores SIGHUP itself, gives the default back to cuetui, and writes
# cuetui's exit status to a file the test reads once the terminal is gone. (cuetui's stderr stays the
# terminal: Textual draws on it.)
LAUNCHER = """\
import signal, subprocess, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)
code = subprocess.call(sys.argv[2:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
open(sys.argv[1], "w").write(str(code))
"""


def pid_of_cuetui(marker: str) -> int:
    """The cuetui process whose command line contains `marker` (not the shell that started it)."""
    start = f"{sys.executable}\0-m\0cuetui".encode()
    found = [pid for pid in processes_with(marker) if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(start)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("command", ["tui", "demo"])
def test_terminal_closed_sighup_exits_cleanly(command: str, demo_gateway_process: str, tmp_path: Path) -> None:  # noqa: F811
    """Killing the tmux server closes the pty as an SSH drop does: the kernel sends SIGHUP to the
    foreground process group. cuetui exits 0, and `cuetui demo`'s gateway child is gone too (with its
    temporary log directory)."""
    launcher = tmp_path / "launcher.py"
    launcher.write_text(LAUNCHER)
    status = tmp_path / "status.txt"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**base_env(demo_gateway_process, tmp_path), "TMPDIR": str(tmpdir)}
    args = ["demo", "--profile", "small", "--speed", "0"] if command == "demo" else []
    cuetui = shlex.join([sys.executable, "-m", "cuetui", *args])
    pane = Pane(f"{shlex.quote(sys.executable)} {launcher} {status} {cuetui}", env)
    try:
        pane.wait_for(lambda s: JOBS in s and "live" in s, "the jobs screen")
        if command == "demo":
            wait_for(lambda: bool(children_of_demo(tmpdir)), what="the demo gateway child")
    finally:
        pane.kill()
    wait_for(status.exists, what="cuetui to exit after SIGHUP", timeout=60)
    wait_for(lambda: status.read_text() != "", what="the exit status")
    assert status.read_text() == "0"
    wait_for(lambda: not children_of_demo(tmpdir), what="no stray demo gateway")
    wait_for(lambda: not list(tmpdir.iterdir()), what="the demo gateway's temporary files to go")


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_signal_exits_cleanly_without_a_traceback(signum: int, demo_gateway_process: str, tmp_path: Path) -> None:  # noqa: F811
    """The signal alone, the pane kept open to read what cuetui printed on its way out."""
    pane = Pane(f"{shlex.quote(sys.executable)} -m cuetui --refresh 1.5", base_env(demo_gateway_process, tmp_path))
    try:
        pane.wait_for(lambda s: JOBS in s and "live" in s, "the jobs screen")
        os.kill(pid_of_cuetui("cuetui --refresh 1.5"), signum)
        screen = pane.wait_for(lambda s: "cuetui exited with" in s, "cuetui to exit")
        assert "cuetui exited with 0" in screen and "Traceback" not in screen and "Error" not in screen
    finally:
        pane.kill()


def children_of_demo(tmpdir: Path) -> dict[int, str]:
    """Demo gateways started under this test (their environment's TMPDIR is ours)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ours = f"TMPDIR={tmpdir}".encode() in environ.split(b"\0") and "demo-gateway" in cmdline
        if ours and alive(int(entry.name)):
            found[int(entry.name)] = cmdline
    return found


def test_ctrl_z_then_fg_redraws_and_keys_work(demo_gateway_process: str, tmp_path: Path) -> None:  # noqa: F811
    env = base_env(demo_gateway_process, tmp_path)
    # An interactive shell with job control, as in a terminal; the prompt is fixed so it can be found.
    pane = Pane("bash --norc --noprofile -i", {**env, "PS1": "shell$ "})
    try:
        pane.wait_for(lambda s: "shell$" in s, "the shell prompt")
        pane.send("-l", f"{shlex.quote(sys.executable)} -m cuetui")
        pane.send("Enter")
        pane.wait_for(lambda s: JOBS in s and "live" in s, "the jobs screen")
        pane.send("C-z")
        pane.wait_for(lambda s: "Stopped" in s and JOBS not in s, "the shell after ctrl+z")
        pane.send("-l", "fg")
        pane.send("Enter")
        pane.wait_for(lambda s: JOBS in s and "Dead" in s, "the jobs screen redrawn after fg")
        pane.send("3")
        pane.wait_for(lambda s: "Hosts · all states" in s, "the hosts screen: keys work after fg")
        pane.send("q")
        screen = pane.wait_for(lambda s: s.rstrip().endswith("shell$"), "the prompt after quitting")
        assert "Traceback" not in screen
        pane.send("-l", "echo status=$?")
        pane.send("Enter")
        pane.wait_for(lambda s: "status=0" in s, "exit status 0")
    finally:
        pane.kill()


@pytest.mark.parametrize(
    ("term", "no_color"),
    [("xterm", False), ("screen-256color", False), ("tmux-256color", False), ("xterm-256color", True)],
    ids=["xterm", "screen-256color", "tmux-256color", "NO_COLOR"],
)
def test_runs_under_each_term(term: str, no_color: bool, demo_gateway_process: str, tmp_path: Path) -> None:  # noqa: F811
    env = base_env(demo_gateway_process, tmp_path, term)
    if no_color:
        env["NO_COLOR"] = "1"
    pane = Pane(f"{shlex.quote(sys.executable)} -m cuetui", env)
    try:
        pane.wait_for(lambda s: JOBS in s and "live" in s and "Progress" in s, "the jobs screen")
        pane.send("3")
        pane.wait_for(lambda s: "Hosts · all states" in s and "render" in s, "the hosts screen")
        pane.send("q")
        screen = pane.wait_for(lambda s: "cuetui exited with" in s, "cuetui to exit")
        assert "cuetui exited with 0" in screen and "Traceback" not in screen
    finally:
        pane.kill()


def test_resize_to_tiny_and_huge(demo_gateway_process: str, tmp_path: Path) -> None:  # noqa: F811
    pane = Pane(f"{shlex.quote(sys.executable)} -m cuetui", base_env(demo_gateway_process, tmp_path))
    try:
        pane.wait_for(lambda s: JOBS in s and "live" in s, "the jobs screen")
        for width, height in ((40, 10), (400, 120), (40, 10), (120, 36)):
            subprocess.run(
                [*pane.tmux, "resize-window", "-t", pane.name, "-x", str(width), "-y", str(height)], check=True
            )
            pane.wait_for(lambda s, h=height: len(s.rstrip("\n").split("\n")) == h, f"a {width}x{height} pane")
            assert "cuetui exited" not in pane.capture()
        pane.wait_for(lambda s: JOBS in s and "live" in s, "the jobs screen at 120x36 again")
        pane.send("3")
        pane.wait_for(lambda s: "Hosts · all states" in s, "the hosts screen after resizing")
        pane.send("q")
        screen = pane.wait_for(lambda s: "cuetui exited with" in s, "cuetui to exit")
        assert "cuetui exited with 0" in screen
        assert "Traceback" not in screen
    finally:
        pane.kill()
