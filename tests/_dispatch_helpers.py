"""Small hand-made dispatch problems for the dispatch tests (synthetic inputs, not market data)."""

from __future__ import annotations

from typing import Any

import numpy as np

from wattshift.dispatch.problem import DispatchProblem


def problem(
    price: list[float],
    values: list[list[float]],
    caps: list[float],
    *,
    interconnect_mw: float = 1e3,
    interval_hours: float = 1.0,
    ai: list[float] | None = None,
    gpu_capacity_mw: float = 0.0,
    gpu_firm_mw: float = 0.0,
    **kw: Any,
) -> DispatchProblem:
    """A DispatchProblem from plain lists (K fleets x T intervals)."""
    T = len(price)
    return DispatchProblem(
        interval_hours=interval_hours,
        price_usd_per_mwh=np.asarray(price, dtype=float),
        fleet_value_usd_per_mwh=np.asarray(values, dtype=float).reshape(len(caps), T),
        fleet_capacity_mw=np.asarray(caps, dtype=float),
        ai_value_usd_per_mwh=np.zeros(T) if ai is None else np.asarray(ai, dtype=float),
        gpu_capacity_mw=gpu_capacity_mw,
        gpu_firm_mw=gpu_firm_mw,
        interconnect_mw=interconnect_mw,
        **kw,
    )
