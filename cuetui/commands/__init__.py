"""Subcommands of `cuetui`, one module each; see cuetui.cli for the contract."""

# Order here is the order in `cuetui --help`.
COMMAND_MODULES: list[str] = [
    "tui",
    "query",
    "log",
    "dead",
    "why",
    "subscriptions",
    "jobactions",
    "remedies",
    "settings",
    "monitor",
    "doctor",
    "capture",
    "demo",
    "token",
    "completion",
]
