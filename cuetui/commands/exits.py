"""The exit statuses of `cuetui`: an interface, scripts and CI test them.

Their own module, below every command and `cuetui.cli`, so that a command can name them without importing
the entry point that imports the commands.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
