"""What a token is minted from: the secret or token wrapped so it never shows, its default lifetime and
subject. Plain Python (no httpx, no PyJWT), so the config can hold credentials without importing the client.
"""

from __future__ import annotations

import getpass
import hmac

DEFAULT_TOKEN_TTL = 3600


class Secret:
    """A JWT secret or token. `repr`/`str`/`format` give `***`; `.reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: pass it straight to the code that needs it, never to a message."""
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


def default_user() -> str:
    """The local user name, used as the JWT `sub` and in kill requests."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "cuetui"
