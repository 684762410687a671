"""The file's schema, declared once: which keys each table may hold and the check of each key's value.

Every key here is documented in config.example.toml (a test checks both ways). The key lists are read off
the tables, so a new key is one line here (its check from `checks`) plus its entry in the example.
"""

from __future__ import annotations

from cuetui.config.checks import (
    Check,
    _any_url,
    _boolean,
    _choice,
    _gateway_url,
    _keymap,
    _megabytes,
    _pairs,
    _path,
    _percent,
    _positive_number,
    _regex_pairs,
    _secret,
    _string,
    _string_list,
    _table,
    _ttl,
)
from cuetui.config.source import SECRET_KEYS

# Keys a [farms.NAME] section may set; at the top level they apply to every farm.
FARM_CHECKS: dict[str, Check] = {
    "url": _gateway_url,
    "token": _secret,
    "secret": _secret,
    "token_file": _path,
    "secret_file": _path,
    "shows": _string_list,
    "users": _string_list,
    "refresh": _positive_number,
    "frame_refresh": _positive_number,
    "read_only": _boolean,
    "verify": _boolean,
    "ca_bundle": _path,
    "log_path_map": _pairs,
    "loki_url": _any_url,
    "token_ttl": _ttl,
    "user": _string,
    "request_deadline": _positive_number,
    "max_answer_mb": _megabytes,
}

# Keys only the top level may set.
TOP_ONLY_CHECKS: dict[str, Check] = {
    "default_farm": _string,
    "bell": _boolean,
    "notifications": _choice("all", "dead", "off"),
    "theme": _string,
    "keymap": lambda v, p, ff: _keymap(ff, v),
    "stuck": lambda v, p, ff: v,  # checked by precedence._stuck(), which also records the values
    "triage": lambda v, p, ff: v,  # checked by precedence._triage()
    "farms": lambda v, p, ff: _table(ff, v, p),
}

# The [triage] table: extra error-signature patterns (see cuetui.farm.signatures).
TRIAGE_CHECKS: dict[str, Check] = {
    "patterns": _regex_pairs,
}

# The [stuck] table and each [stuck.services.NAME] in it.
STUCK_CHECKS: dict[str, Check] = {
    "min_silence": _positive_number,
    "percent_of_runtime": _percent,
    "exclude_jobs": _string_list,
    "services": lambda v, p, ff: _table(ff, v, p),
}
STUCK_SERVICE_CHECKS: dict[str, Check] = {
    "min_silence": _positive_number,
    "percent_of_runtime": _percent,
}

FARM_KEYS = tuple(FARM_CHECKS)
TOP_ONLY_KEYS = tuple(TOP_ONLY_CHECKS)
STUCK_KEYS = tuple(STUCK_CHECKS)
STUCK_SERVICE_KEYS = tuple(STUCK_SERVICE_CHECKS)
TRIAGE_KEYS = tuple(TRIAGE_CHECKS)

__all__ = [
    "FARM_CHECKS",
    "FARM_KEYS",
    "SECRET_KEYS",
    "STUCK_CHECKS",
    "STUCK_KEYS",
    "STUCK_SERVICE_CHECKS",
    "STUCK_SERVICE_KEYS",
    "TOP_ONLY_CHECKS",
    "TOP_ONLY_KEYS",
    "TRIAGE_CHECKS",
    "TRIAGE_KEYS",
]
