"""scripts/screenshots.py still runs and writes the seven SVGs README embeds, with no secret in them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("jobs", "job", "frame-log", "hosts", "triage", "monitor", "help")
SECRET = "screenshot-test-secret-0123456789-0123456789-0123456789-abcdef"


@pytest.mark.slow
@pytest.mark.timeout(900)  # longer than the script's own 600 s limit below, so that one reports
def test_script_writes_every_screen_without_secrets(tmp_path: Path) -> None:
    env = {**os.environ, "CUETUI_SCREENSHOTS_SECRET": SECRET}
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.svg" for name in NAMES)
    for name in NAMES:
        svg = (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and len(svg) > 10_000, name
        # No secret, no token (every JWT starts "eyJ"), no Authorization header, no loopback port.
        for word in (SECRET, "eyJ", "Bearer", "127.0.0.1"):
            assert word not in svg, f"{name}.svg shows {word!r}"
    # Each picture shows what it is for.
    assert "DEAD" in (tmp_path / "job.svg").read_text(encoding="utf-8")
    assert "ERROR" in (tmp_path / "frame-log.svg").read_text(encoding="utf-8")


def test_committed_screenshots_hold_no_token() -> None:
    """The SVGs in screenshots/ (what README shows) never hold a token or the loopback address."""
    shots = ROOT / "screenshots"
    assert sorted(p.name for p in shots.glob("*.svg")) == sorted(f"{name}.svg" for name in NAMES)
    for path in shots.glob("*.svg"):
        svg = path.read_text(encoding="utf-8")
        for word in ("eyJ", "Bearer", "127.0.0.1", "JWT_SECRET="):
            assert word not in svg, f"{path.name} shows {word!r}"
