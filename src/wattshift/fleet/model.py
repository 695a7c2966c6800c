"""The fleet engine's value types: machines, readings, actions and command results (frozen)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

#: What the engine asks of a machine: sleep, wake, or a power target [W] (awake at that limit).
Command = Literal["sleep", "wake", "power_limit"]


@dataclass(frozen=True)
class MinerEntry:
    """One machine of the inventory: address, fleet, expected model, nominal power [W], credentials.

    ``firmware`` (a key of :data:`wattshift.fleet.control.FIRMWARES`) with ``model`` skips pyasic's
    discovery (web and socket probes) and builds the pyasic class for that firmware and model at
    once; the model is still checked against the machine's RPC ``version`` reply.
    """

    ip: str
    fleet: str
    model: str | None = None
    power_w: float | None = None
    password: str | None = field(default=None, repr=False)
    firmware: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Per-command timeout [s], attempts, and backoff: wait ``backoff_s * 2**k`` [s] after try k."""

    timeout_s: float = 3.0
    attempts: int = 3
    backoff_s: float = 0.5
    concurrency: int = 256

    def delay_s(self, attempt: int) -> float:
        """Wait after failed attempt ``attempt`` (0-based) [s]."""
        return self.backoff_s * 2.0**attempt


@dataclass(frozen=True)
class MinerReading:
    """What one machine reports (None where the firmware does not say).

    ``power_w`` is the reported draw [W]; ``power_estimated`` says it was estimated as nominal power
    when hashing (firmware without a power reading). ``error`` is set when the machine could not be
    read (then the other fields are None).
    """

    ip: str
    fleet: str
    model: str | None = None
    firmware: str | None = None
    hashrate_ths: float | None = None
    power_w: float | None = None
    power_estimated: bool = False
    power_limit_w: float | None = None
    nominal_w: float | None = None
    mining: bool | None = None
    temperature_c: float | None = None
    errors: tuple[str, ...] = ()
    supports_power_limit: bool = False
    attempts: int = 1
    error: str | None = None


@dataclass(frozen=True)
class Action:
    """One command for one machine: ``delta_w`` is the expected change of its draw [W]."""

    ip: str
    fleet: str
    command: Command
    target_w: float
    delta_w: float


@dataclass(frozen=True)
class CommandResult:
    """Outcome of one action after retries (``attempts`` tries; ``error`` None when it succeeded)."""

    ip: str
    fleet: str
    command: Command
    target_w: float
    ok: bool
    attempts: int
    error: str | None
    started_at: dt.datetime
    seconds: float
