"""The one exception a bad configuration raises."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration the user must fix: one line, `config error: FILE line N: KEY …`; never a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("config error:") else f"config error: {message}")
