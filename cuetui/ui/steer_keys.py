"""The steering keys (README's key tables), declared once and mixed into the screens that own them.

Scripts rely on these keys, so they are exact: on jobs (the jobs table and the job screen) `p` pause,
`u` resume, `+` / `-` priority ±10, `=` exact priority, `R` retry dead, `E` eat dead, `k` kill; on frames
`r` retry, `e` eat, `K` kill (and `W` mark waiting where a screen declares it); on hosts `L` lock,
`U` unlock. A screen adds `SteersFarm` to its bases,
the specs to its ACTIONS / BINDINGS, and answers `steer_jobs()` / `steer_frames()` / `steer_hosts()` with
what is selected (marked rows, else the cursor row). Everything else (dialogs, FarmActions, the toast,
the refresh) is `cuetui.ui.steering`.

In read-only mode the farm-changing keys leave the footer and the key panel, but pressing one still
answers, with FarmActions' "read-only mode: … not sent".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from textual.binding import ActiveBinding

from cuetui.farm.actions import PRIORITY_STEP
from cuetui.gateway.models import Frame, Host, Job
from cuetui.ui import remedies, steering
from cuetui.ui.catalogue import ActionSpec
from cuetui.ui.services import services_of


def job_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """The job keys, with binding ids `<prefix>.pause` and so on (for `[keymap]`). Footer words are
    short so the footer keeps `?` and `q` in sight; help says more."""
    return (
        ActionSpec(f"{prefix}.pause", "p", "pause_jobs", "pause", dangerous=True, help="pause the job(s)"),
        ActionSpec(
            f"{prefix}.resume", "u", "resume_jobs", "resume", dangerous=True, help="resume (unpause) the job(s)"
        ),
        ActionSpec(f"{prefix}.priority_up", "plus", "priority_up", "+10", dangerous=True, help="raise priority by 10"),
        ActionSpec(
            f"{prefix}.priority_down", "minus", "priority_down", "-10", dangerous=True, help="lower priority by 10"
        ),
        ActionSpec(
            f"{prefix}.priority",
            "equals_sign",
            "priority_exact",
            "priority",
            dangerous=True,
            help="set an exact priority (0 to 1,000,000)",
        ),
        ActionSpec(
            f"{prefix}.retry_dead", "R", "retry_dead", "retry dead", dangerous=True, help="retry every dead frame"
        ),
        ActionSpec(f"{prefix}.eat_dead", "E", "eat_dead", "eat dead", dangerous=True, help="eat every dead frame"),
        ActionSpec(f"{prefix}.kill", "k", "kill_jobs", "kill", dangerous=True, help="kill the job(s), with a reason"),
    )


def frame_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """The frame keys (`a` mark all, `space` mark and `enter` / `l` log belong to the screens)."""
    return (
        ActionSpec(
            f"{prefix}.retry",
            "r",
            "retry_frames",
            "retry",
            dangerous=True,
            help="retry frames (running ones are killed and start again)",
        ),
        ActionSpec(f"{prefix}.eat", "e", "eat_frames", "eat", dangerous=True, help="eat frames (they will not render)"),
        ActionSpec(
            f"{prefix}.kill_frames",
            "K",
            "kill_frames",
            "kill",
            dangerous=True,
            help="kill running frames, with a reason",
        ),
    )


def host_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """The host keys."""
    return (
        ActionSpec(f"{prefix}.lock", "L", "lock_hosts", "lock", dangerous=True, help="lock: no new frames start there"),
        ActionSpec(
            f"{prefix}.unlock", "U", "unlock_hosts", "unlock", dangerous=True, help="unlock (never a NIMBY lock)"
        ),
    )


def hide_dangerous(bindings: dict[str, ActiveBinding], specs: Sequence[ActionSpec]) -> dict[str, ActiveBinding]:
    """`bindings` without the farm-changing ones (read-only mode's footer and key panel)."""
    dangerous = {spec.action for spec in specs if spec.dangerous}
    return {key: active for key, active in bindings.items() if active.binding.action not in dangerous}


class SteersFarm:
    """Mixin for a Screen with steering keys (see the module docstring). Put it before the Screen base."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]]

    # --- what a screen answers ----------------------------------------------------------------------

    def steer_jobs(self) -> list[Job]:
        """The jobs the job keys act on."""
        return []

    def steer_frames(self) -> list[tuple[Job, Frame]]:
        """The (job, frame) pairs the frame keys act on."""
        return []

    def steer_hosts(self) -> list[Host]:
        """The hosts the host keys act on."""
        return []

    def steer_refresh(self) -> Callable[[], object] | None:
        """How to refresh the affected rows at once (default: the screen's `refresh_now`)."""
        return None

    # --- read-only footer ---------------------------------------------------------------------------

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        if services_of(self._steer_screen.app).options.read_only:
            return hide_dangerous(bindings, self.ACTIONS)
        return bindings

    @property
    def _steer_screen(self) -> Any:
        return self

    # --- job keys -----------------------------------------------------------------------------------

    def action_pause_jobs(self) -> None:
        steering.pause_jobs(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    def action_resume_jobs(self) -> None:
        steering.resume_jobs(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    def action_priority_up(self) -> None:
        steering.bump_priority(self._steer_screen, self.steer_jobs(), PRIORITY_STEP, self.steer_refresh())

    def action_priority_down(self) -> None:
        steering.bump_priority(self._steer_screen, self.steer_jobs(), -PRIORITY_STEP, self.steer_refresh())

    def action_priority_exact(self) -> None:
        steering.ask_priority(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    def action_retry_dead(self) -> None:
        steering.retry_dead(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    def action_eat_dead(self) -> None:
        steering.eat_dead(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    def action_kill_jobs(self) -> None:
        steering.kill_jobs(self._steer_screen, self.steer_jobs(), self.steer_refresh())

    # --- frame keys ---------------------------------------------------------------------------------

    def action_retry_frames(self) -> None:
        steering.retry_frames(self._steer_screen, self.steer_frames(), self.steer_refresh())

    def action_eat_frames(self) -> None:
        steering.eat_frames(self._steer_screen, self.steer_frames(), self.steer_refresh())

    def action_kill_frames(self) -> None:
        steering.kill_frames(self._steer_screen, self.steer_frames(), self.steer_refresh())

    def action_mark_waiting(self) -> None:
        # `W` where a screen declares it (remedies.frame_remedy_actions): one path for every screen.
        remedies.mark_waiting(self._steer_screen, self.steer_frames(), self.steer_refresh())

    # --- host keys ----------------------------------------------------------------------------------

    def action_lock_hosts(self) -> None:
        steering.lock_hosts(self._steer_screen, self.steer_hosts(), self.steer_refresh())

    def action_unlock_hosts(self) -> None:
        steering.unlock_hosts(self._steer_screen, self.steer_hosts(), self.steer_refresh())
