"""What a screen may ask of the app it runs in, as a Protocol, so that screens never import the app.

The app module imports the screens (its modes); a screen that named `CueTuiApp` for its type made the two
a cycle. `CueTuiApp` provides everything here; a test app only needs to provide the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cuetui.farm.actions import FarmActions
    from cuetui.farm.connection import ConnectionTracker
    from cuetui.farm.views import FarmClient
    from cuetui.farm.views.jobs import JobScope, JobsView
    from cuetui.gateway.models import Frame, Job
    from cuetui.ui.options import UiOptions
    from cuetui.ui.widgets.status_bar import StatusBar


class AppServices(Protocol):
    """The app's services screens use: settings, the farm's actions and connection state, the clock,
    navigation between screens; and the gateway connection, which screens only hand to their farm views."""

    client: FarmClient
    options: UiOptions
    actions: FarmActions
    connection: ConnectionTracker
    status_bars: set[StatusBar]
    clock: Callable[[], float]

    def take_first_jobs(self, search: JobScope) -> JobsView | None:
        """The view holding the start-up GetJobs for `search`, if it was sent and nobody took it yet."""

    def remember_jobs(self, jobs: Iterable[Job]) -> None:
        """Keep these jobs for look-ups by name (the `:` command line)."""

    def open_job(self, job: Job) -> None:
        """Show the job screen of `job`."""

    def open_frame_log(self, job: Job, frame: Frame, proc_log_path: str = "") -> None:
        """Show the log of one frame."""
