"""Fleet roll-up: totals and efficiency of a mix of machines.

A fleet's efficiency is total power over total hashrate, **never** the mean of the machines' J/TH:
a 13.5 TH/s S9 at 98 J/TH and a 200 TH/s S21 at 17.5 J/TH average 57.8 J/TH, but together they
draw 4,823 W for 213.5 TH/s, i.e. 22.6 J/TH.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FleetTotals:
    """Totals of a fleet.

    Attributes
    ----------
    power_w
        Total power at the machines [W].
    hashrate_ths
        Total hashrate [TH/s].
    efficiency_j_per_th
        ``power_w / hashrate_ths`` [J/TH].
    """

    power_w: float
    hashrate_ths: float
    efficiency_j_per_th: float


def fleet_totals(
    power_w: npt.ArrayLike, hashrate_ths: npt.ArrayLike, count: npt.ArrayLike | None = None
) -> FleetTotals:
    """Roll a fleet up to its total power, total hashrate and efficiency.

    Parameters
    ----------
    power_w
        Power of one machine of each model [W].
    hashrate_ths
        Hashrate of one machine of each model [TH/s].
    count
        Number of machines of each model [machines]; 1 each when omitted.

    Returns
    -------
    FleetTotals
        ``sum(count * power_w)`` [W], ``sum(count * hashrate_ths)`` [TH/s] and their ratio [J/TH].

    Raises
    ------
    ValueError
        If the arrays differ in length, a value is negative or NaN, or the total hashrate is 0.
    """
    p = np.asarray(power_w, dtype=np.float64)
    h = np.asarray(hashrate_ths, dtype=np.float64)
    n = np.ones_like(p) if count is None else np.asarray(count, dtype=np.float64)
    if not (p.shape == h.shape == n.shape):
        raise ValueError(f"power_w, hashrate_ths and count differ in shape: {p.shape}, {h.shape}, {n.shape}")
    for name, arr in (("power_w", p), ("hashrate_ths", h), ("count", n)):
        if np.any(~np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{name} must be finite and >= 0")
    total_w = float(np.sum(n * p))
    total_ths = float(np.sum(n * h))
    if total_ths <= 0:
        raise ValueError("the fleet has no hashrate (total hashrate_ths is 0)")
    return FleetTotals(power_w=total_w, hashrate_ths=total_ths, efficiency_j_per_th=total_w / total_ths)


def fleet_efficiency_j_per_th(
    power_w: npt.ArrayLike, hashrate_ths: npt.ArrayLike, count: npt.ArrayLike | None = None
) -> float:
    """Fleet efficiency [J/TH] = total power [W] / total hashrate [TH/s] (see :func:`fleet_totals`)."""
    return fleet_totals(power_w, hashrate_ths, count).efficiency_j_per_th
