"""The demo gateway listens on loopback only unless told otherwise (`--host`): another address of this
machine, even another loopback address, is refused."""

from __future__ import annotations

import socket
import subprocess

from .test_cli import SECRET, processes, spawn  # noqa: F401  (a fixture)


def _connects(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(5)
        return s.connect_ex((host, port)) == 0


def _start(processes: list[subprocess.Popen[str]], *args: str) -> tuple[str, int]:  # noqa: F811
    p = spawn("demo-gateway", "--port", "0", "--speed", "0", *args, env={"JWT_SECRET": SECRET})
    processes.append(p)
    assert p.stdout is not None
    url = p.stdout.readline().strip().split("=", 1)[1]
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_loopback_only_by_default(processes: list[subprocess.Popen[str]]) -> None:  # noqa: F811
    host, port = _start(processes)
    assert host == "127.0.0.1" and _connects("127.0.0.1", port)
    assert not _connects("127.0.0.2", port)  # bound to 127.0.0.1, not to every address


def test_host_flag_binds_where_told(processes: list[subprocess.Popen[str]]) -> None:  # noqa: F811
    host, port = _start(processes, "--host", "0.0.0.0")
    assert host == "0.0.0.0" and _connects("127.0.0.1", port) and _connects("127.0.0.2", port)
