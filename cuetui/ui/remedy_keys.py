"""The keys that fix each reason the why panel (`w`) gives, so a wrangler reads "[drop-depends] v" and
presses it: each remedy named by the action ids it takes (declared once, in the screens' catalogues), so
`[keymap]` remaps show through. Reasons about a layer are fixed in its settings form: the job settings
key with the layers table focused."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cuetui.ui.catalogue import ActionSpec

# remedy (farm/why.py REMEDIES) -> action ids pressed in turn, and a word on where.
REMEDY_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "resume": (("job.resume",), ""),
    "drop-depends": (("job.depends",), ""),
    "subscription-burst": (("nav.subs", "subs.burst"), ""),
    "job-max-cores": (("job.settings",), ""),
    "layer-tags": (("job.settings",), " on the layer"),
    "layer-memory": (("job.settings",), " on the layer"),
    "layer-cores": (("job.settings",), " on the layer"),
    "layer-gpus": (("job.settings",), " on the layer"),
    "host-unlock": (("nav.hosts", "hosts.unlock"), ""),
}
SHOWN = {"equals_sign": "=", "plus": "+", "minus": "-", "slash": "/", "colon": ":", "question_mark": "?"}


def remedy_keys(actions: Iterable[ActionSpec], keymap: Mapping[str, str] | None = None) -> dict[str, str]:
    """remedy -> the keys that apply it (`6 then b`) among `actions` (the screens' catalogues; a remedy
    whose action is not among them is left out), with `keymap`'s remaps."""
    specs = {spec.id: spec for spec in actions}
    keymap = keymap or {}
    out: dict[str, str] = {}
    for remedy, (ids, where) in REMEDY_ACTIONS.items():
        if not all(action_id in specs for action_id in ids):
            continue
        keys = [keymap.get(i, specs[i].key).split(",")[0].strip() for i in ids]
        out[remedy] = " then ".join(SHOWN.get(k, k) for k in keys) + where
    return out
