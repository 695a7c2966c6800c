"""Round, synced axis ticks for the report's charts (the dashboard's ``ws.syncedAxes`` in Python).

Twin axes get a round step each (1, 2, 2.5 or 5 × 10^k) and the same number of intervals, so
both sets of tick labels are round numbers and the gridlines of one axis fall on the ticks of the
other. Both axes start at zero, or at a round step below it when a value is negative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

#: Mantissas of a round step.
_MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(span: float, intervals: int = 5) -> float:
    """The smallest round step (1, 2, 2.5, 5 × 10^k) that splits ``span`` into at most ``intervals``."""
    raw = span / intervals if span > 1e-9 else 1.0  # a flat or near-flat series: unit steps
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in _MANTISSAS if m * magnitude >= raw * (1 - 1e-9))


def _finite(values: Iterable[npt.ArrayLike]) -> npt.NDArray[np.float64]:
    arrays = [np.asarray(v, dtype="float64").ravel() for v in values]
    flat = np.concatenate(arrays) if arrays else np.zeros(0)
    return flat[np.isfinite(flat)]


def synced_axes(
    left: Iterable[npt.ArrayLike], right: Iterable[npt.ArrayLike], intervals: int = 5
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Plotly axis properties (``range``, ``tick0``, ``dtick``) of two twin axes drawing ``left``
    and ``right``: round steps, the same number of intervals, zero included."""
    fits = []
    for values in (left, right):
        data = _finite(values)
        lo = min(0.0, float(data.min())) if data.size else 0.0
        hi = max(0.0, float(data.max())) if data.size else 1.0
        step = nice_step(hi - lo or 1.0, intervals)
        first = math.floor(lo / step + 1e-9)
        last = max(math.ceil(hi / step - 1e-9), first + 1)
        fits.append((step, first, last))
    count = max(last - first for _, first, last in fits)
    axes = tuple(
        {"range": [first * step, (first + count) * step], "tick0": 0.0, "dtick": step, "tickmode": "linear"}
        for step, first, _ in fits
    )
    return axes[0], axes[1]
