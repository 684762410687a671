"""The settings keys, declared once and mixed into the screens that own them: on jobs (the jobs table and
the job screen) `o` job settings and `C` comments; on the job screen's layers table `o` layer settings,
`R` / `E` dead frames of the layers, `K` their running frames, `D` mark done (`JobScreen` sends `o`,
`R`, `E`, `K` to the layers when that table has focus). Everything else is `cuetui.ui.settings_steer`.
"""

from __future__ import annotations

from cuetui.ui.catalogue import ActionSpec

SETTINGS_HELP = {
    "jobs": "job settings: priority, cores, GPUs, retries, auto-eat",
    "job": "settings of the job (layers table: of the layer)",
}


def job_settings_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """`o` and `C`, with binding ids `<prefix>.settings` and `<prefix>.comments`."""
    return (
        ActionSpec(
            f"{prefix}.settings",
            "o",
            "job_settings",
            "settings",
            dangerous=True,
            help=SETTINGS_HELP.get(prefix, SETTINGS_HELP["jobs"]),
        ),
        ActionSpec(
            f"{prefix}.comments",
            "C",
            "comments",
            "comments",
            footer=False,
            help="the job's comments: read, add, delete",
        ),
    )


# The job screen's layer-only key (the others share their keys with the job and frame keys).
LAYER_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "layers.mark_done",
        "D",
        "mark_layers_done",
        "mark done",
        dangerous=True,
        footer=False,
        help="layers table: mark the layer(s) done: what waits on them may start (no frame is eaten)",
    ),
)


class ConfiguresFarm:
    """Mixin beside `SteersFarm` (which gives `steer_jobs` / `steer_refresh`): the `o` and `C` keys."""

    # settings_steer (its forms and dialogs) is imported when a key first needs it, not at start-up.

    def action_job_settings(self) -> None:
        from cuetui.ui import settings_steer

        settings_steer.job_settings(self._steer_screen, self.steer_jobs(), self.steer_refresh())  # type: ignore[attr-defined]

    def action_comments(self) -> None:
        from cuetui.ui import settings_steer

        settings_steer.comments(self._steer_screen, self.steer_jobs())  # type: ignore[attr-defined]
