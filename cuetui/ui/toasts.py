"""The notifications on screen as a bounded stack: at most `TOAST_CAP` toasts at once, so a burst never
buries the table. A new toast past the cap dismisses the oldest one (an error only when nothing milder
is left), and the newest toast's title says how many went early ("+4 more").

Built on Textual's public notification classes: a toast dismissed early is given a timeout that has
already run out, and Textual drops expired notifications the next time it shows the stack (which the
new toast's arrival does).
"""

from __future__ import annotations

import threading

from textual.notifications import Notification

TOAST_CAP = 3


class ToastStack:
    """The notifications an app has shown that are still on screen, at most `cap` of them."""

    def __init__(self, cap: int = TOAST_CAP) -> None:
        self.cap = max(1, cap)
        self.dismissed = 0  # dismissed early since the stack was last empty
        self._shown: list[Notification] = []
        self._lock = threading.Lock()  # App.notify may be called from a thread

    def admit(self, notification: Notification) -> Notification:
        """Make room for `notification` (dismissing the oldest past the cap) and return it, its title
        saying how many were dismissed early while the stack was never empty."""
        with self._lock:
            live = [n for n in self._shown if not n.has_expired]
            if not live:
                self.dismissed = 0
            while len(live) >= self.cap:
                milder = [n for n in live if n.severity != "error"]
                oldest = (milder or live)[0]
                live.remove(oldest)
                oldest.timeout = 0.0  # expired: Textual removes its toast when it next shows the stack
                self.dismissed += 1
            if self.dismissed:
                more = f"+{self.dismissed} more"
                notification.title = f"{notification.title} · {more}" if notification.title else more
            live.append(notification)
            self._shown = live
        return notification

    @property
    def visible(self) -> list[Notification]:
        """The notifications still on screen, oldest first."""
        with self._lock:
            return [n for n in self._shown if not n.has_expired]
