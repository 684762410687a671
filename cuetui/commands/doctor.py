"""`cuetui doctor`: check, one line each, that cuetui can work with the configured farm.

    ✓ config: /home/jdoe/.config/cuetui/config.toml (farm prod)
    ✓ gateway reachable at http://gw:8448 (GetShows answered in 14 ms)
    ✓ token accepted (minted from the secret, sub jdoe)
    ✓ shows listed: 3 (testing, feature, commercial)
    ✓ clock skew 0 s by the gateway's Date header (GetUpdatedFrames needs < 60 s)
    ✓ clock skew 1 s by GetUpdatedFrames serverTime (job testing-sh010-…)

A missing config file is fine when the URL and a token or secret come from the environment or flags.
Exit status: 0 all checks passed; 1 a check failed (shows, clock skew); 2 config error (bad file, no
URL, no token or secret); 3 gateway unreachable or token refused. Never prints a secret or a token:
only where they come from (`settings_summary`), and the gateway's own 401 text, which holds neither.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from cuetui.commands import _common

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient

MAX_SKEW = 60.0  # Cuebot's GetUpdatedFrames refuses (hangs on) a lastCheck more than 60 s old
UPDATED_FRAMES_GRPC_TIMEOUT = 5


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui doctor`."""
    p = sub.add_parser(
        "doctor",
        help="check config, gateway, token and clock",
        description="Check the config, that the gateway answers, that it accepts the token, that shows can be "
        "listed, and the clock skew against the gateway. Exit 0 when all pass. Never prints a secret.",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="also show where each setting comes from")
    p.set_defaults(func=cmd_doctor)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "doctor": (
                "cuetui doctor                                   config, gateway, token and clock, one line each",
                "cuetui --farm prod doctor --verbose",
            ),
        },
    )


class Report:
    """Collects ✓/✗ lines and the worst exit status."""

    def __init__(self) -> None:
        encoding = (getattr(sys.stdout, "encoding", None) or "ascii").lower()
        try:
            "✓✗".encode(encoding)
            self.ok_mark, self.bad_mark = "✓", "✗"
        except (UnicodeEncodeError, LookupError):
            self.ok_mark, self.bad_mark = "OK  ", "FAIL"
        self.status = 0

    def ok(self, text: str) -> None:
        """A passed check."""
        print(f"{self.ok_mark} {text}", flush=True)

    def bad(self, text: str, status: int = 1) -> None:
        """A failed check; the exit status is the highest-priority failure seen (3 > 2 > 1)."""
        print(f"{self.bad_mark} {text}", flush=True)
        self.status = max(self.status, status)

    def info(self, text: str) -> None:
        """A detail under a check."""
        print(f"    {text}", flush=True)

    def skip(self, text: str) -> None:
        """A check not run because an earlier one failed."""
        print(f"- {text}", flush=True)


def cmd_doctor(args: argparse.Namespace) -> int:
    """`cuetui doctor`."""
    from cuetui.config import ConfigError, default_config_path, load_settings, settings_summary
    from cuetui.farm.text import safe

    report = Report()
    try:
        settings = load_settings(_common.global_flags(args))
    except ConfigError as exc:
        report.bad(f"config: {_config_text(exc)}", 2)
        report.skip("gateway, token, shows, clock: not checked")
        return report.status
    for warning in settings.warnings:
        report.info(f"warning: {safe(warning)}")
    sources = settings.sources
    if settings.config_path is not None:
        report.ok(f"config: {settings.config_path} (farm {safe(settings.farm)})")
    elif settings.url and settings.auth_kind != "none":
        where = default_config_path() if not getattr(args, "config", None) else args.config
        report.ok(
            f"config: no file at {where}; URL from {sources.get('url', '?')}, "
            f"{'secret' if settings.auth_kind == 'minted' else 'token'} from "
            f"{sources.get('secret' if settings.auth_kind == 'minted' else 'token', '?')}"
        )
    if args.verbose:
        for name, value in settings_summary(settings):
            report.info(f"{name}: {safe(value)}")
    if not settings.url:
        try:
            settings.require_url()
        except ConfigError as exc:
            report.bad(f"config: {_config_text(exc)}", 2)
        report.skip("gateway, token, shows, clock: not checked")
        return report.status
    if settings.auth_kind == "none":
        report.bad("config: no JWT_SECRET or JWT_TOKEN (nor secret/token in the config): the gateway will refuse", 2)

    import asyncio

    async def checks() -> None:
        from cuetui.farm.connect import client_from_settings

        async with client_from_settings(settings, timeout=15.0) as client:
            await _check_gateway(client, settings, report)

    try:
        asyncio.run(checks())
    except ConfigError as exc:
        report.bad(f"config: {_config_text(exc)}", 2)
    return report.status


async def _check_gateway(client: GatewayClient, settings: Settings, report: Report) -> None:
    from cuetui.farm.text import safe
    from cuetui.gateway.errors import (
        CUEBOT_UNREACHABLE,
        CuebotUnreachable,
        GatewayError,
        NotFound,
        Unauthorized,
        Unreachable,
    )

    url = client.url
    started = time.monotonic()
    try:
        shows = await client.get_shows()
    except Unreachable as exc:
        report.bad(str(exc), 3)
        report.skip("token, shows, clock: not checked")
        return
    except Unauthorized as exc:
        report.ok(f"gateway reachable at {url} (it answered 401)")
        report.bad(f"token refused: {exc.detail or exc}", 3)
        hint = _auth_hint(settings)
        if hint:
            report.info(hint)
        report.skip("shows, clock: not checked")
        return
    except CuebotUnreachable as exc:
        report.ok(f"gateway reachable at {url} (it answered 503)")
        # The gateway checks the token before it dials Cuebot: a 503 means the token passed.
        report.ok(f"token accepted ({_auth_text(settings)})")
        report.bad(f"{CUEBOT_UNREACHABLE}: {safe(exc.detail, 200)}", 3)
        report.info("start Cuebot, or point the gateway's CUEBOT_ENDPOINT (host:port) at it and restart the gateway")
        report.skip("shows, clock: not checked")
        return
    except NotFound as exc:
        report.ok(f"gateway reachable at {url}")
        report.bad(f"shows not listed: {exc} — is this an OpenCue REST Gateway (and its URL without a path)?")
        return
    except GatewayError as exc:
        report.ok(f"gateway reachable at {url}")
        report.bad(f"shows not listed: {exc}")
        return
    elapsed_ms = (time.monotonic() - started) * 1000
    report.ok(f"gateway reachable at {url} (GetShows answered in {elapsed_ms:.0f} ms)")
    report.ok(f"token accepted ({_auth_text(settings)})")
    names = ", ".join(safe(show.name, 30) for show in sorted(shows, key=lambda s: s.name)[:5])
    more = f", … {len(shows) - 5} more" if len(shows) > 5 else ""
    report.ok(f"shows listed: {len(shows)}" + (f" ({names}{more})" if shows else ""))

    skew = client.clock_skew()
    if skew is None:
        report.bad("clock skew: the gateway sent no Date header to compare with")
    else:
        # The Date header is cut to whole seconds: on average it reads half a second early.
        _skew_line(report, skew + 0.5, "by the gateway's Date header")
    await _check_updated_frames(client, shows, report)


async def _check_updated_frames(client: GatewayClient, shows: list, report: Report) -> None:  # type: ignore[type-arg]
    """GetUpdatedFrames is what needs the clocks within 60 s: try it on one pending job."""
    from cuetui.farm.text import safe
    from cuetui.gateway.errors import DeadlineExceeded, GatewayError
    from cuetui.gateway.requests import JobSearch

    # One show with pending jobs keeps this cheap on a big farm (GetJobs has no limit).
    candidates = sorted((s for s in shows if s.stats.pending_jobs > 0), key=lambda s: s.stats.pending_jobs)
    try:
        jobs = await client.get_jobs(JobSearch(shows=[candidates[0].name])) if candidates else []
    except GatewayError as exc:
        report.bad(f"clock skew by GetUpdatedFrames: could not list jobs: {exc}")
        return
    if not jobs:
        report.skip("clock skew by GetUpdatedFrames: no pending job to try it on")
        return
    job = jobs[0]
    sent = time.time()
    try:
        answer = await client.get_updated_frames(job.id, int(sent) - 5, grpc_timeout=UPDATED_FRAMES_GRPC_TIMEOUT)
    except DeadlineExceeded:
        report.bad(
            f"clock skew by GetUpdatedFrames: no answer in {UPDATED_FRAMES_GRPC_TIMEOUT} s (job "
            f"{safe(job.name, 40)}): Cuebot's clock is probably more than {MAX_SKEW:.0f} s ahead of this "
            "machine; live frame updates will fall back to full reloads"
        )
        return
    except GatewayError as exc:
        report.bad(f"clock skew by GetUpdatedFrames: {exc}")
        return
    if not answer.server_time:
        report.bad("clock skew by GetUpdatedFrames: the answer has no serverTime")
        return
    received = time.time()
    # serverTime is Cuebot's whole-second now − 1 s, taken somewhere between sending and receiving.
    skew = answer.server_time + 1.5 - (sent + received) / 2
    _skew_line(report, skew, f"by GetUpdatedFrames serverTime (job {safe(job.name, 40)})")


def _config_text(exc: Exception) -> str:
    from cuetui.farm.text import safe

    return safe(str(exc)).removeprefix("config error: ")


def _skew_line(report: Report, skew: float, how: str) -> None:
    direction = "ahead of" if skew > 0 else "behind"
    text = f"clock skew {abs(skew):.0f} s {how}"
    if abs(skew) < MAX_SKEW:
        report.ok(f"{text} (GetUpdatedFrames needs < {MAX_SKEW:.0f} s)")
    else:
        report.bad(
            f"{text}: the gateway's clock is {abs(skew):.0f} s {direction} this machine's; GetUpdatedFrames "
            f"needs < {MAX_SKEW:.0f} s (fix NTP on one side)"
        )


def _auth_text(settings: Settings) -> str:
    kind = settings.auth_kind
    if kind == "minted":
        return f"minted from the secret ({settings.sources.get('secret', 'config')}), sub {settings.user}"
    if kind == "fixed":
        return f"fixed token from {settings.sources.get('token', 'config')}"
    return "no token"


def _auth_hint(settings: Settings) -> str:
    kind = settings.auth_kind
    if kind == "minted":
        return f"the secret from {settings.sources.get('secret', 'config')} is not the gateway's JWT_SECRET?"
    if kind == "fixed":
        source = settings.sources.get("token", "config")
        return f"the token from {source} is wrong or expired; JWT_SECRET lets cuetui mint one"
    return "set JWT_SECRET (or JWT_TOKEN) to the gateway's"
