"""The services a cuetui app gives what runs in it, as one typed object, and what a screen may ask of the
shell app, as a Protocol, so that screens never import the app.

Both apps, the full-screen `CueTuiApp` and `cuetui monitor`'s inline `MonitorApp`, hold one `Services`
(`app.services`): the gateway connection their farm views read through, the UI options, the farm's
actions (read-only enforced there), the connection tracker every poll loop feeds, the clock, and the
status bars that show the connection. Screens and helpers reach it with `services_of(app)`, typed, never
with a `getattr` on the app.

The app module imports the screens (its modes); a screen that named `CueTuiApp` for its type made the two
a cycle. `CueTuiApp` provides `AppServices`; a test app only needs to provide the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cuetui.farm.actions import FarmActions
from cuetui.farm.connection import ConnectionStatus, ConnectionTracker

if TYPE_CHECKING:
    from cuetui.farm.dead import SignatureReader
    from cuetui.farm.views import FarmClient
    from cuetui.farm.views.jobs import JobScope, JobsView
    from cuetui.gateway.models import Frame, Job, Layer
    from cuetui.ui.options import UiOptions
    from cuetui.ui.widgets.status_bar import StatusBar


@runtime_checkable
class ConnectionAware(Protocol):
    """A screen that marks its data stale when the connection is not live."""

    def connection_changed(self, status: ConnectionStatus) -> None:
        """The app's connection state changed."""


class Services:
    """One running app's services: `client` (only handed to farm views), `options`, `actions`,
    `connection`, `clock`, the status bars that show the connection, and `signatures`, the dead-frame
    log reader every screen and alert shares."""

    def __init__(self, client: FarmClient, options: UiOptions, *, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.options = options
        self.clock = clock
        self.actions = FarmActions(client, read_only=options.read_only)
        self.connection = ConnectionTracker(options.url or client.url, clock=clock)
        self.connection.listen(self._connection_changed)
        self.status_bars: set[StatusBar] = set()
        self._signatures: SignatureReader | None = None

    @property
    def signatures(self) -> SignatureReader:
        """The one reader of dead frames' error signatures (made on first use from the options), so
        the new-dead alerts and the triage screen read each dead frame's log once between them."""
        if self._signatures is None:
            from cuetui.farm.dead import SignatureReader  # here: the jobs screen's start-up needs none of it

            options = self.options
            self._signatures = SignatureReader(
                log_path_map=tuple(options.log_path_map),
                loki_url=options.loki_url,
                patterns=tuple(options.triage_patterns),
            )
        return self._signatures

    def add_status_bar(self, bar: StatusBar) -> None:
        """Show the connection on `bar` from now on (a screen's bar, at mount)."""
        self.status_bars.add(bar)
        bar.set_connection(self.connection.status)

    def discard_status_bar(self, bar: StatusBar) -> None:
        """Stop updating `bar` (at unmount: a bar left here keeps its whole screen alive)."""
        self.status_bars.discard(bar)

    def _connection_changed(self, status: ConnectionStatus) -> None:
        for bar in list(self.status_bars):
            bar.set_connection(status)
            screen = bar.screen
            if isinstance(screen, ConnectionAware):
                screen.connection_changed(status)


@runtime_checkable
class HasServices(Protocol):
    """An app holding the services (both cuetui apps, and the tests' stand-ins)."""

    services: Services


def services_of(app: object) -> Services:
    """The services of the app `app` (a screen's `self.app`)."""
    if isinstance(app, HasServices) and isinstance(app.services, Services):
        return app.services
    raise TypeError(f"{type(app).__name__} holds no cuetui Services")


@runtime_checkable
class AppServices(HasServices, Protocol):
    """The shell app as screens see it: its services and navigation between screens."""

    def take_first_jobs(self, search: JobScope) -> JobsView | None:
        """The view holding the start-up GetJobs for `search`, if it was sent and nobody took it yet."""

    def remember_jobs(self, jobs: Iterable[Job]) -> None:
        """Keep these jobs for look-ups by name (the `:` command line)."""

    def open_job(self, job: Job) -> None:
        """Show the job screen of `job`."""

    def open_frame_log(self, job: Job, frame: Frame, proc_log_path: str = "") -> None:
        """Show the log of one frame."""

    def open_layer_settings(self, job: Job, layer: Layer, min_memory_kb: int | None = None) -> None:
        """Open the layer settings form of `layer`, min memory pre-filled with `min_memory_kb` when given."""


def shell_of(app: object) -> AppServices:
    """The shell app `app` (a screen's `self.app`), typed."""
    if isinstance(app, AppServices):
        return app
    raise TypeError(f"{type(app).__name__} is not a cuetui shell app")
