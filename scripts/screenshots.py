"""Write one SVG per screen of cuetui into screenshots/, taken from the running app on the frozen,
seeded `studio` demo farm at 120×36 (README embeds them).

    python scripts/screenshots.py [--out screenshots/] [--theme cuetui-high-contrast]

The farm is frozen (speed 0, fixed epoch), the app's clock is fixed and times are shown in UTC, so the
same code gives the same pictures. The gateway's secret is made up for the run and the status bar shows
a made-up URL, so neither a secret, a token nor a port ends up in a picture. Each screen is reached the
way a person would: keys pressed through Textual's pilot, never by building screens by hand (except the
`cuetui monitor` view, which is its own small app).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

SIZE = (120, 36)
PROFILE = "studio"
SEED = 7
EPOCH = 1_767_225_600.0  # 2026-01-01 00:00 UTC, the frozen farm's day
APP_NOW = EPOCH + 20  # the app's clock: just after the frozen farm's last tick, so pings look fresh
DISPLAY_URL = "http://gateway.demo:8448"  # shown in the status bar instead of the loopback port
USER = "wrangler"
# A fixed directory: the logs quote their own path, and a random one would change the pictures.
LOG_ROOT = Path(tempfile.gettempdir()) / "cuetui-screenshots-logs"
NAMES = ("jobs", "job", "frame-log", "hosts", "triage", "monitor", "help")
THEME = ""  # Textual's default theme, unless --theme

Driver = Callable[[Any], Awaitable[None]]


async def wait_for(pilot: Any, condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Let the app run until `condition()` holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)


def table_loaded(screen: Any) -> bool:
    """True once `screen` is mounted and its table has had its first data."""
    try:
        return bool(screen.is_mounted and screen.table.loaded)
    except Exception:  # not mounted yet, or a screen without a table
        return False


async def settle(pilot: Any) -> None:
    """A few idle turns so every pending refresh has been painted."""
    for _ in range(3):
        await pilot.pause()


def dead_job_name(app: Any) -> str:
    """The active job with the most dead frames (then by name, so the choice is stable)."""
    jobs = [j for j in app.known_jobs.values() if j.stats.dead_frames and not j.is_finished]
    if not jobs:
        raise SystemExit("screenshots: the studio farm has no job with dead frames")
    name: str = min(jobs, key=lambda j: (-j.stats.dead_frames, j.name)).name
    return name


async def open_dead_job(pilot: Any) -> None:
    """From the jobs screen: the cursor to the job with the most dead frames, `enter`, then `d`."""
    from cuetui.ui.screens.job import JobScreen

    app = pilot.app
    await wait_for(pilot, lambda: table_loaded(app.screen), "the jobs table")
    name = dead_job_name(app)
    job = next(j for j in app.known_jobs.values() if j.name == name)
    app.screen.table.move_to_key(job.id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), "the job screen")
    screen = app.screen
    await wait_for(
        pilot, lambda: screen.sync is not None and screen.sync.loaded and screen.layers_table.row_count > 1, "frames"
    )
    await pilot.press("d")  # dead frames only
    table = screen.frames_table
    await wait_for(
        pilot,
        lambda: table.cursor_id is not None and screen.sync.frames[table.cursor_id].state == "DEAD",
        "the cursor on a dead frame",
    )
    await settle(pilot)


async def shoot_jobs(pilot: Any) -> None:
    await wait_for(pilot, lambda: table_loaded(pilot.app.screen), "the jobs table")
    await settle(pilot)


async def shoot_job(pilot: Any) -> None:
    await open_dead_job(pilot)


async def shoot_frame_log(pilot: Any) -> None:
    from cuetui.ui.screens.frame_log import FrameLogScreen

    await open_dead_job(pilot)
    await pilot.press("enter")  # the log of the dead frame under the cursor
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, FrameLogScreen) and len(app.screen.view.lines) > 5, "the frame log"
    )
    await settle(pilot)


async def shoot_hosts(pilot: Any) -> None:
    await wait_for(pilot, lambda: table_loaded(pilot.app.screen), "the jobs table")
    await pilot.press("3")
    await wait_for(pilot, lambda: table_loaded(pilot.app.screen), "the hosts table")
    await settle(pilot)


async def shoot_triage(pilot: Any) -> None:
    from cuetui.ui.screens.triage import TriageScreen
    from cuetui.ui.widgets.log_tail import LogTail

    app = pilot.app
    await wait_for(pilot, lambda: table_loaded(app.screen), "the jobs table")
    await pilot.press("4")
    if not isinstance(app.screen, TriageScreen):  # builds where `4` is not wired into the shell yet
        app.push_screen(TriageScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and table_loaded(app.screen), "triage")
    screen = app.screen
    # Every log read: the signature groups are final and the heading no longer counts the reading.
    await wait_for(pilot, lambda: screen.groups and "reading logs" not in screen.heading(), "the error signatures")
    panel = screen.query_one(LogTail)
    await wait_for(pilot, lambda: panel.shown is not None, "the log tail")
    await settle(pilot)


async def shoot_help(pilot: Any) -> None:
    from cuetui.ui.screens.help import HelpScreen

    await wait_for(pilot, lambda: table_loaded(pilot.app.screen), "the jobs table")
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
    await settle(pilot)


def make_app(url: str, secret: str) -> Any:
    """The real app on the demo gateway, with a fixed clock."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import GatewayClient
    from cuetui.ui.app import CueTuiApp
    from cuetui.ui.options import UiOptions

    client = GatewayClient(url, GatewayAuth(secret=secret, sub=USER))
    options = UiOptions(farm_name=PROFILE, url=DISPLAY_URL, user=USER, theme=THEME)
    return CueTuiApp(client, options, clock=lambda: APP_NOW)


async def monitor_app(url: str, secret: str, job_name: str) -> Any:
    """`cuetui monitor JOB`'s view on one job."""
    from cuetui.config import Secret, Settings
    from cuetui.farm.connect import client_from_settings
    from cuetui.gateway.requests import JobSearch
    from cuetui.ui.monitor_app import MonitorApp

    settings = Settings(url=url, secret=Secret(secret), user=USER)
    async with client_from_settings(settings) as client:
        jobs = await client.get_jobs(JobSearch(jobs=[job_name]))
    # The view is told the made-up URL (it may print it); its client talks to the real one.
    shown = Settings(url=DISPLAY_URL, secret=Secret(secret), user=USER, theme=THEME or None)
    # Poll once: the picture is of the first state, so a later poll must not repaint it.
    return MonitorApp(
        shown, jobs, interval=3600.0, clock=lambda: APP_NOW, client_factory=lambda: client_from_settings(settings)
    )


async def shoot_monitor(pilot: Any) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.services.connection.status.last_success is not None
            and all(app.layers.get(j) for j in app.monitor.job_ids)
        ),
        "the monitor's first poll",
    )
    await settle(pilot)


NBSP = "&#160;"
_TEXT = re.compile(r'<text ([^>]*?)x="([0-9.]+)"([^>]*?)textLength="([0-9.]+)"([^>]*)>([^<]*)</text>')


def _svg_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def tidy_svg(svg: str) -> str:
    """Rich writes a run of text that starts with spaces as `<text x=…>&#160;&#160;pri…`; some renderers
    (librsvg, so every PNG made with rsvg-convert) drop those leading and trailing no-break spaces and
    draw the word where the spaces should be: `WAITINGpri 100`, `ddead only`. Here the spaces become part
    of the position instead (`x` moves right, `textLength` shrinks), which every renderer draws alike."""

    def fix(match: re.Match[str]) -> str:
        before_x, x, between, length, after, content = match.groups()
        chars = len(html.unescape(content))
        if not chars:
            return match.group(0)
        width = float(length) / chars
        body = content
        lead = 0
        while body.startswith(NBSP):
            body, lead = body[len(NBSP) :], lead + 1
        trail = 0
        while body.endswith(NBSP):
            body, trail = body[: -len(NBSP)], trail + 1
        if not body:
            return ""
        if not lead and not trail:
            return match.group(0)
        new_x = _svg_number(float(x) + lead * width)
        new_length = _svg_number(float(length) - (lead + trail) * width)
        return f'<text {before_x}x="{new_x}"{between}textLength="{new_length}"{after}>{body}</text>'

    return _TEXT.sub(fix, svg)


async def take(app: Any, drive: Driver, title: str) -> str:
    """Run `app` headless at SIZE, drive it, and return its SVG (tidied, see `tidy_svg`)."""
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot)
        svg: str = app.export_screenshot(title=title)
        return tidy_svg(svg)


async def shoot_all(out: Path, gateway_url: str, secret: str) -> list[Path]:
    """Every screenshot, in NAMES order; returns the files written."""
    drivers: dict[str, Driver] = {
        "jobs": shoot_jobs,
        "job": shoot_job,
        "frame-log": shoot_frame_log,
        "hosts": shoot_hosts,
        "triage": shoot_triage,
        "help": shoot_help,
    }
    titles = {
        "jobs": "cuetui: jobs (2)",
        "job": "cuetui: a job, dead frames only (enter, d)",
        "frame-log": "cuetui: a dead frame's log (enter)",
        "hosts": "cuetui: hosts (3)",
        "triage": "cuetui: dead-frame triage (4)",
        "monitor": "cuetui monitor JOB",
        "help": "cuetui: help (?)",
    }
    written: list[Path] = []
    job_name = ""
    for name in NAMES:
        if name == "monitor":
            app = await monitor_app(gateway_url, secret, job_name)
            svg = await take(app, shoot_monitor, titles[name])
        else:
            app = make_app(gateway_url, secret)
            svg = await take(app, drivers[name], titles[name])
            if name == "jobs":
                job_name = dead_job_name(app)
        leaked = [word for word in (secret, "eyJ", "Bearer", gateway_url) if word in svg]
        if leaked:  # a secret, a token or the real port on screen: a bug in the app, never publish it
            raise SystemExit(f"screenshots: {name} shows {len(leaked)} thing(s) it must not; not written")
        path = out / f"{name}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
        print(f"wrote {path}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Start the frozen demo gateway, take every screenshot, stop it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "screenshots")
    parser.add_argument("--theme", default="", help="a Textual or cuetui theme (default: Textual's default)")
    args = parser.parse_args(argv)
    global THEME
    THEME = args.theme
    # Times on screen are local: pin the zone so the pictures are the same everywhere.
    os.environ["TZ"] = "UTC"
    time.tzset()
    # Colours as a truecolor terminal shows them, whatever this shell says.
    os.environ.pop("NO_COLOR", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cuetui.demo.server import DemoGatewayThread

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(LOG_ROOT, ignore_errors=True)
    # Made up for this run; a test may choose it (CUETUI_SCREENSHOTS_SECRET) to grep the pictures for it.
    secret = os.environ.get("CUETUI_SCREENSHOTS_SECRET") or secrets.token_urlsafe(48)
    gateway = DemoGatewayThread(
        profile=PROFILE, seed=SEED, speed=0.0, secret=secret, log_root=LOG_ROOT, epoch=EPOCH
    ).start()
    try:
        asyncio.run(shoot_all(out, gateway.url, secret))
    finally:
        gateway.stop()
        shutil.rmtree(LOG_ROOT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
