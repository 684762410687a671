"""The real OpenCue REST gateway binary (a build kept in shared/realgw beside the repository), for tests.

Found at ``$CUETUI_REAL_GATEWAY`` (the .xz, the decompressed binary, or the folder holding them) or at
``../shared/realgw/opencue_rest_gateway.xz`` relative to the repository root. `find_binary` says why not
when it is absent, so a test can skip with that reason.
"""

from __future__ import annotations

import lzma
import os
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV = "CUETUI_REAL_GATEWAY"
XZ_NAME = "opencue_rest_gateway.xz"


def locate() -> tuple[Path | None, str]:
    """(path of the .xz or binary, "") or (None, why it was not found)."""
    given = os.environ.get(ENV)
    candidates = [Path(given)] if given else [REPO_ROOT.parent / "shared" / "realgw"]
    for candidate in candidates:
        path = candidate / XZ_NAME if candidate.is_dir() else candidate
        if path.is_file():
            return path, ""
    where = f"${ENV}={given}" if given else f"{REPO_ROOT.parent / 'shared' / 'realgw' / XZ_NAME} (or set ${ENV})"
    return None, f"the real OpenCue REST gateway binary is not here: {where}"


def unpack(source: Path, folder: Path) -> Path:
    """An executable copy of the gateway in folder (decompressed when source is .xz)."""
    target = folder / "opencue_rest_gateway"
    if source.suffix == ".xz":
        with lzma.open(source) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        shutil.copyfile(source, target)
    target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return target


def free_port() -> int:
    """A port free on every interface (the gateway binds them all)."""
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


class RealGateway:
    """One running gateway process in front of a Cuebot endpoint; `url` once started."""

    def __init__(self, binary: Path, cuebot_endpoint: str, secret: str, log: Path) -> None:
        self.binary = binary
        self.cuebot_endpoint = cuebot_endpoint
        self.secret = secret
        self.log = log
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> RealGateway:
        self.port = free_port()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CUEBOT_ENDPOINT": self.cuebot_endpoint,
            "REST_PORT": str(self.port),
            "JWT_SECRET": self.secret,
            "GATEWAY_LOG": str(self.log),
        }
        self.process = subprocess.Popen(
            [str(self.binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the real gateway exited with {self.process.returncode}; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the real gateway did not listen on {self.port} within {timeout} s") from None
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
