"""scripts/screenshots.py still runs and writes the seven SVGs README embeds, with no secret in them."""

from __future__ import annotations

import html
import os
import re
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


NBSP = "\u00a0"
TEXT = re.compile(r'<text [^>]*?x="([0-9.]+)" y="([0-9.]+)" textLength="([0-9.]+)"[^>]*>([^<]*)</text>')


def drawn_lines(svg: str) -> list[str]:
    """The picture's lines as librsvg (rsvg-convert) draws them: each run of text at its `x`, with the
    no-break spaces at its ends dropped, as librsvg does."""
    rows: dict[float, dict[int, str]] = {}
    for x, y, length, content in TEXT.findall(svg):
        text = html.unescape(content)
        width = float(length) / len(text)
        column = round(float(x) / width)
        row = rows.setdefault(float(y), {})
        for offset, ch in enumerate(text.strip(NBSP)):
            row[column + offset] = ch
    return ["".join(row.get(i, " ") for i in range(max(row) + 1)).replace(NBSP, " ") for _, row in sorted(rows.items())]


def test_tidy_svg_moves_edge_spaces_into_the_position() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshots import tidy_svg

    svg = (
        '<text class="r4" x="378.2" y="20" textLength="85.4" clip-path="url(#l0)">WAITING</text>'
        '<text class="r3" x="463.6" y="20" textLength="134.2" clip-path="url(#l0)">'
        "&#160;&#160;pri&#160;100&#160;&#160;</text>"
        '<text class="r3" x="600" y="20" textLength="24.4" clip-path="url(#l0)">&#160;&#160;</text>'
    )
    tidy = tidy_svg(svg)
    assert 'x="488" y="20" textLength="85.4" clip-path="url(#l0)">pri&#160;100</text>' in tidy
    assert tidy.count("<text") == 2
    assert drawn_lines(svg)[0].strip() == "WAITINGpri 100"  # what rsvg-convert made of it
    assert drawn_lines(tidy)[0].strip() == "WAITING  pri 100"


def test_committed_job_screenshot_reads_as_the_terminal_shows_it() -> None:
    """Words in different styles keep their spaces, and the footer writes `d dead only` like every screen."""
    lines = drawn_lines((ROOT / "screenshots" / "job.svg").read_text(encoding="utf-8"))
    header = "\n".join(lines[:4])
    assert re.search(r"(WAITING|RUNNING|DEAD|PAUSED)  pri \d+", header), header
    assert re.search(r"dead \d+  eaten \d+", header), header
    footer = lines[-1]
    assert " d dead only " in footer and " / filter " in footer and " p pause " in footer, footer
    for path in (ROOT / "screenshots").glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        assert ">&#160;" not in text and "&#160;</text>" not in text, path.name
