"""The settings as (name, value) rows for `cuetui doctor`: where each came from, never a secret."""

from __future__ import annotations

from cuetui.config.settings import Settings


def settings_summary(settings: Settings) -> list[tuple[str, str]]:
    """(name, value) rows describing the settings for `cuetui doctor`; says where secrets come from, never
    what they are."""
    src = settings.sources

    def origin(key: str) -> str:
        where = src.get(key)
        return f" (from {where})" if where and where != "default" else ""

    if settings.config_path is not None:
        config = str(settings.config_path)
    else:
        config = "none (defaults, environment and flags only)"
    rows = [
        ("config", config),
        ("farm", f"{settings.farm}{origin('farm')}"),
        ("url", f"{settings.url}{origin('url')}" if settings.url else "not set"),
    ]
    kind = settings.auth_kind
    if kind == "minted":
        auth = f"token minted from the secret (sub {settings.user}, ttl {settings.token_ttl} s)"
    elif kind == "fixed":
        auth = "fixed token (cannot be renewed)"
    else:
        auth = "none: set JWT_SECRET or JWT_TOKEN"
    rows.append(("auth", auth))
    rows.append(("secret", f"set{origin('secret')}" if settings.secret else "not set"))
    rows.append(("token", f"set{origin('token')}" if settings.token else "not set"))
    if not settings.verify:
        tls = "certificates NOT verified (verify = false)"
    elif settings.ca_bundle is not None:
        tls = f"verified with ca_bundle {settings.ca_bundle}"
    else:
        tls = "verified with the system CAs"
    if settings.url and settings.url.startswith("https://"):
        rows.append(("tls", tls))
    rows += [
        ("read_only", f"{'yes' if settings.read_only else 'no'}{origin('read_only')}"),
        ("refresh", f"{settings.refresh:g} s, frames {settings.frame_refresh:g} s"),
        ("shows", ", ".join(settings.shows) or "all"),
        ("users", ", ".join(settings.users) or "all"),
        ("user", f"{settings.user}{origin('user')}"),
    ]
    if settings.farms:
        rows.append(("farms", ", ".join(settings.farms)))
    return rows
