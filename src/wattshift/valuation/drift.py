"""Which BTC log-price drift a run uses: risk-neutral, long-run or calibrated on the window.

The drift of a 4-year window ending today depends on where the window starts: one that starts at
the June 2022 trough gives about +22 %/year, one that starts at the November 2021 peak about
zero. Three choices, each with the window it is measured on shown:

- ``risk-neutral``: the price is expected to grow at the risk-free rate ``r``:
  ``E[P_T] = P_0 e^{rT}``, so the log drift of the GBM is ``m = ln(1 + r) - sigma^2 / 2`` [1]_
  (``sigma`` calibrated on the window). No view on BTC; the default.
- ``long-run``: the log-price growth between the two latest halvings,
  ``m = ln(P_h2 / P_h1) / (h2 - h1)``: a whole halving epoch, the same phase of the cycle at both
  ends, so neither end is a trough or a peak picked by the calendar.
- ``calibrated``: the mean daily log return of the calibration window x 365.25 (as before).

References
----------
.. [1] J. C. Hull, *Options, Futures, and Other Derivatives*, 10th ed., ch. 15 (risk-neutral
   valuation; the lognormal property ``E[S_T] = S_0 e^{mu T}``, ``E[ln S_T] = ln S_0 + (mu - sigma^2/2) T``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattshift.chain import HALVINGS
from wattshift.errors import ConfigError
from wattshift.units import DAYS_PER_YEAR

#: The drift choices of ``--drift`` / ``[valuation.scenario].drift``.
DRIFT_CHOICES = ("risk-neutral", "long-run", "calibrated")


@dataclass(frozen=True)
class DriftChoice:
    """The drift a run uses and where it comes from.

    Attributes
    ----------
    kind
        ``risk-neutral``, ``long-run``, ``calibrated`` or ``override``.
    drift_annual
        Log-price drift [1/year].
    window
        First and last day the drift was measured on (None for an override).
    """

    kind: str
    drift_annual: float
    window: tuple[dt.date, dt.date] | None


def risk_neutral_drift(risk_free_rate_annual: float, vol_annual: float) -> float:
    """``ln(1 + r) - sigma^2 / 2`` [1/year]: the log drift whose mean price grows at ``r`` [1]_."""
    return float(np.log1p(risk_free_rate_annual) - 0.5 * vol_annual**2)


def long_run_drift(btc_daily: pd.DataFrame) -> tuple[float, tuple[dt.date, dt.date]]:
    """Log-price growth between the two latest halvings in ``btc_daily`` [1/year], and that window.

    Raises
    ------
    ConfigError
        Fewer than two halvings have a price in the history.
    """
    priced = btc_daily.dropna(subset=["price_usd"])
    dates = pd.to_datetime(priced["date"]).dt.date
    by_date = dict(zip(dates, priced["price_usd"].astype(float), strict=True))
    halvings = sorted(d for d in HALVINGS.values() if d in by_date)
    if len(halvings) < 2:
        raise ConfigError("valuation.scenario.drift: 'long-run' needs prices on two halvings")
    start, end = halvings[-2], halvings[-1]
    years = (end - start).days / DAYS_PER_YEAR
    return float(np.log(by_date[end] / by_date[start]) / years), (start, end)
