"""Round synced twin axes, plain log ticks and fan-chart step labels of the report's charts."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from wattshift.report.axes import log_axis, nice_step, synced_axes
from wattshift.report.valuation import fan_steps

_VALUES = st.lists(st.floats(-1e5, 1e6, allow_nan=False), min_size=1, max_size=20)


def test_nice_step_known_values() -> None:
    assert nice_step(250, 5) == 50
    assert nice_step(5310, 5) == 2000  # the old dispatch price axis topped at 5310: now 0-10,000 by 2,000
    assert nice_step(12, 5) == 2.5
    assert nice_step(0.07, 5) == 0.02


def test_synced_axes_dispatch_example() -> None:
    left, right = synced_axes([[0, 240.0]], [[20.0, 4350.0]])
    assert left["range"] == [0, 250] and left["dtick"] == 50
    assert right["range"] == [0, 5000] and right["dtick"] == 1000


@given(left=_VALUES, right=_VALUES)
def test_synced_axes_round_aligned_and_covering(left: list[float], right: list[float]) -> None:
    a, b = synced_axes([left], [right])
    counts = []
    for axis, values in ((a, left), (b, right)):
        lo, hi = axis["range"]
        step = axis["dtick"]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
        assert lo <= min(0, *values) + 1e-9 * step and hi >= max(0, *values) - 1e-9 * step
        assert lo <= 0 <= hi  # zero on both axes
        counts.append(round((hi - lo) / step))
    assert counts[0] == counts[1]  # gridlines line up


def test_log_axis_plain_labels_from_cents_to_six_figures() -> None:
    axis = log_axis(np.array([0.05, 3.0, 120_000.0]))
    assert "0.1" in axis["ticktext"] and "100k" in axis["ticktext"]
    assert not any(t.endswith(("n", "µ", "m")) for t in axis["ticktext"])  # no "10n" USD
    lo, hi = axis["range"]
    assert 10**lo <= 0.05 and 10**hi >= 120_000


def test_fan_steps_label_refresh_and_terminal_value() -> None:
    median = np.cumsum(np.full(36, 10.0))
    median[12:] -= 400.0  # a refresh paid in month 12
    median[-1] += 2000.0  # terminal value at the horizon
    assert fan_steps(median) == [(12, "refresh capex"), (35, "terminal value")]
    assert fan_steps(np.cumsum(np.full(36, 10.0))) == []
