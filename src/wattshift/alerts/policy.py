"""Which alerts are sent: duplicate suppression and quiet hours (pure).

An alert is **suppressed as a duplicate** when an alert with the same key was sent less than
``repeat_after`` ago; it is **held for quiet hours** when the local time is inside the quiet window
(which may wrap midnight) and it is not ``critical``. Every decision is recorded either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from wattshift.alerts.evaluate import Alert


@dataclass(frozen=True)
class Quiet:
    """Quiet window [start, end) in local time of ``timezone``."""

    start: dt.time
    end: dt.time
    timezone: str = "UTC"

    def holds(self, now: dt.datetime) -> bool:
        """Whether ``now`` (aware) falls in the window."""
        local = now.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True)
class Decision:
    """An alert and whether it is sent (``reason`` says why not)."""

    alert: Alert
    sent: bool
    reason: str | None


def decide(
    alerts: Sequence[Alert],
    *,
    now: dt.datetime,
    last_sent: Callable[[str], dt.datetime | None],
    repeat_after: dt.timedelta,
    quiet: Quiet | None = None,
) -> list[Decision]:
    """Send, or suppress with a reason, each alert (``last_sent(key)`` looks the key up)."""
    out = []
    seen: set[str] = set()
    for alert in alerts:
        previous = last_sent(alert.key)
        if alert.key in seen or (previous is not None and now - previous < repeat_after):
            when = f" at {previous:%Y-%m-%d %H:%M} UTC" if previous is not None else ""
            out.append(Decision(alert, False, f"duplicate (sent{when})"))
        elif quiet is not None and alert.severity != "critical" and quiet.holds(now):
            out.append(Decision(alert, False, "quiet hours"))
        else:
            out.append(Decision(alert, True, None))
        seen.add(alert.key)
    return out
