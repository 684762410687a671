"""`cuetui token`: print a JWT minted from the farm's secret, for curl and scripts (`$(cuetui token)`).

The only command that prints a token, and only this: stdout is the token and a newline; anything else
(warnings, errors) goes to stderr.
"""

from __future__ import annotations

import argparse
import sys


def _ttl(text: str) -> int:
    try:
        ttl = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds, got {text!r}") from None
    if ttl <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {ttl}")
    return ttl


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui token`."""
    p = sub.add_parser(
        "token",
        help="print a JWT minted from JWT_SECRET (or the farm's secret) for curl",
        description="Print a JWT for the gateway, minted from JWT_SECRET or the chosen farm's secret / "
        'secret_file, and nothing else, so that `curl -H "Authorization: Bearer $(cuetui token)"` works.',
    )
    p.add_argument(
        "--ttl",
        type=_ttl,
        metavar="SECONDS",
        help="lifetime of the token (default: token_ttl from the config, else 3600)",
    )
    p.add_argument("--sub", metavar="USER", help="the token's subject (default: the configured user)")
    p.set_defaults(func=run_token)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "token": (
                'curl -d "{}" -H "Authorization: Bearer $(cuetui token)" http://gw:8448/show.ShowInterface/GetShows',
                "cuetui token --ttl 600 --sub ci-bot",
            ),
        },
    )


def run_token(args: argparse.Namespace) -> int:
    """Mint and print one token; exit 2 when there is no secret to mint it with."""
    from cuetui.config import ENV_SECRET, ConfigError, load_settings

    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"cuetui: {exc}", file=sys.stderr)
        return 2
    for warning in settings.warnings:
        print(f"cuetui: warning: {warning}", file=sys.stderr)
    if not settings.secret:
        where = f"[farms.{settings.farm}] of {settings.config_path}" if settings.config_path else "the config"
        also = " (a fixed token is configured, but minting needs the secret)" if settings.token else ""
        print(
            f"cuetui token: no JWT secret to sign with: set {ENV_SECRET}, or secret / secret_file in {where}{also}",
            file=sys.stderr,
        )
        return 2
    sub = args.sub if getattr(args, "sub", None) else settings.user
    ttl = args.ttl if getattr(args, "ttl", None) else settings.token_ttl

    from cuetui.gateway.auth import mint_token

    sys.stdout.write(mint_token(settings.secret, sub, ttl) + "\n")
    return 0
