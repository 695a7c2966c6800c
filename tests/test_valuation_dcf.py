"""DCF known answers: annuity, growing annuity, hand-computed IRR, payback; vector == scalar loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.valuation.dcf import (
    annuity_pv,
    discount_factors,
    growing_annuity_pv,
    irr,
    monthly_rate,
    npv,
    payback_months,
    summary,
    terminal_value,
)


def test_monthly_rate_compounds_to_annual() -> None:
    assert (1 + monthly_rate(0.12)) ** 12 == pytest.approx(1.12, rel=1e-14)


def test_npv_of_annuity_matches_closed_form() -> None:
    # 120 payments of 1,000 at the end of months 1..120 at 1 %/month: PV = 1000 (1 - 1.01^-120)/0.01
    cash = np.concatenate(([0.0], np.full(120, 1000.0)))[None, :]
    assert npv(cash, 0.01)[0] == pytest.approx(69_700.522, abs=1e-3)
    assert npv(cash, 0.01)[0] == pytest.approx(annuity_pv(1000.0, 0.01, 120), rel=1e-12)


def test_npv_of_growing_annuity_matches_closed_form() -> None:
    # C = 100, g = 2 %, i = 5 %, n = 10: PV = 100 (1 - (1.02/1.05)^10) / 0.03 = 838.81 (hand)
    n = 10
    cash = np.concatenate(([0.0], 100.0 * 1.02 ** np.arange(n)))[None, :]
    expected = 100.0 * (1.0 - (1.02 / 1.05) ** n) / 0.03
    assert npv(cash, 0.05)[0] == pytest.approx(expected, rel=1e-12)
    assert growing_annuity_pv(100.0, 0.05, 0.02, n) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(838.81, abs=0.01)


def test_irr_hand_computed() -> None:
    # -100 now, +60 and +60: 60/(1+r) + 60/(1+r)^2 = 100 -> r = (3 + sqrt(69))/10 - 1 ... solve:
    # 100 x^2 - 60 x - 60 = 0 with x = 1 + r  ->  x = (60 + sqrt(3600 + 24000)) / 200
    x = (60 + np.sqrt(27_600)) / 200
    got = irr(np.array([[-100.0, 60.0, 60.0], [-100.0, 0.0, 121.0], [-100.0, 110.0, 0.0]]))
    assert got == pytest.approx([x - 1, 0.10, 0.10], abs=1e-10)


def test_irr_undefined_without_sign_change() -> None:
    assert np.isnan(irr(np.array([[10.0, 5.0, 5.0]]))[0])


@settings(max_examples=40, deadline=None)
@given(
    outlay=st.floats(10.0, 1e6),
    share=st.floats(0.001, 5.0),
    n=st.integers(2, 120),
)
def test_irr_zeroes_npv(outlay: float, share: float, n: int) -> None:
    # payment = share x outlay: the IRR per period is below share <= 5, inside the bracket
    cash = np.concatenate(([-outlay], np.full(n, share * outlay)))[None, :]
    r = irr(cash)[0]
    if share * n <= 1.0001:  # no positive IRR: undiscounted sum <= outlay
        assert np.isnan(r) or r <= 1e-3
        return
    assert 0 < r <= share * (1 + 1e-9)
    assert abs(npv(cash, r)[0]) <= 1e-6 * outlay


def test_irr_vector_equals_scalar_loop() -> None:
    rng = np.random.default_rng(3)
    cash = np.hstack((-rng.uniform(50, 150, (20, 1)), rng.uniform(5, 30, (20, 24))))
    vec = irr(cash)
    loop = np.array([irr(row[None, :])[0] for row in cash])
    assert vec == pytest.approx(loop, abs=1e-12)


def test_payback_months() -> None:
    cash = np.array(
        [[-100.0, 30.0, 30.0, 30.0, 30.0], [5.0, 1.0, 1.0, 1.0, 1.0], [-100.0, 1.0, 1.0, 1.0, 1.0]]
    )
    got = payback_months(cash)
    assert got[0] == 4.0  # cumulative -100, -70, -40, -10, +20 -> from period 4 on
    assert got[1] == 0.0
    assert np.isnan(got[2])


def test_terminal_value_and_summary() -> None:
    ebitda = np.tile(np.arange(24, dtype=float), (2, 1))
    assert terminal_value(ebitda, 10.0) == pytest.approx([10 * sum(range(12, 24))] * 2)
    s = summary(np.arange(101, dtype=float))
    assert (s["p5"], s["p50"], s["p95"], s["mean"]) == pytest.approx((5.0, 50.0, 95.0, 50.0))
    assert discount_factors(0.0, 3) == pytest.approx([1.0, 1.0, 1.0])


def test_irr_converges_when_npv_is_steep_at_negative_rates() -> None:
    # Outlay, 179 months of +45k and a refresh outlay every 48 months, large terminal inflow: NPV
    # grows like (1 + i)^-179 below 0, where Newton alone from 1 %/month crawls (~1/179 per step).
    cash = np.full(180, 45_000.0)
    cash[[0, 48, 96, 144]] = [-1.54e6, -2.36e6, -3.65e6, -5.56e6]
    cash[-1] += 2.9e6
    r = irr(cash[None, :])[0]
    assert -0.1 < r < 0.0
    # a root: NPV at r is zero relative to the discounted size of the flows
    scale = np.abs(cash) @ discount_factors(r, 180)
    assert abs(npv(cash[None, :], r)[0]) <= 1e-12 * scale


def test_irr_picks_the_root_nearest_zero() -> None:
    # With x = 1 + i, NPV x^3 = -(x - 0.5)(x - 1.05)(x - 3) = -x^3 + 4.55 x^2 - 5.175 x + 1.575:
    # three IRRs, -50 %, +5 % and +200 % per period; the one nearest 0 is returned.
    cash = np.array([[-1.0, 4.55, -5.175, 1.575]])
    assert npv(cash, -0.5)[0] == pytest.approx(0.0, abs=1e-12)
    assert npv(cash, 2.0)[0] == pytest.approx(0.0, abs=1e-12)
    assert irr(cash)[0] == pytest.approx(0.05, abs=1e-12)
    # with the bracket above +5 %, the only root left is +200 %
    assert irr(cash, low=0.1)[0] == pytest.approx(2.0, abs=1e-12)
