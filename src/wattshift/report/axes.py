"""Round axis ticks for the report's charts (the dashboard's ``ws.syncedAxes``/``ws.logTicks`` in Python).

Log axes (:func:`log_axis`) get ticks at 1, 2 and 5 × 10^k labelled as plain numbers ("0.1",
"20k"), never SI prefixes such as "10n" or exponents. Twin axes (:func:`synced_axes`) get a round
step each (1, 2, 2.5 or 5 × 10^k) and the same number of intervals, so both sets of tick labels are
round numbers and the gridlines of one axis fall on the ticks of the other. Both axes start at
zero, or at a round step below it when a value is negative.
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


def log_axis(values: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Log-axis range and ticks for ``values``: a decade of room below the smallest, 1-2-5 ticks
    labelled in plain numbers ("0.1", "20", "5k", "1M"), never SI prefixes like "10n"."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return {}
    lo, hi = float(positive.min()) / 3.0, float(positive.max()) * 3.0
    ticks = [
        m * 10.0**k
        for k in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
        for m in (1, 2, 5)
        if lo <= m * 10.0**k <= hi
    ]
    if len(ticks) > 12:  # many decades: one tick per decade
        ticks = [t for t in ticks if f"{t:.0e}".startswith("1")]

    def label(v: float) -> str:
        for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if v >= scale:
                return f"{v / scale:g}{suffix}"
        return f"{v:g}"

    return {
        "range": [np.log10(lo), np.log10(hi)],
        "tickvals": ticks,
        "ticktext": [label(t) for t in ticks],
    }
