"""IRR only where it exists, MIRR beside it, and the sign property of the reported p50s.

- a path whose flows change sign more than once (or that borrows: cash in first) gets no IRR;
- for every business, a defined p50 IRR lies above the discount rate exactly when the p50 NPV is
  positive (hypothesis, over terms, discount rates, seeds and path counts of the real engine).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_valuation_model import _inputs
from wattshift.valuation.dcf import npv
from wattshift.valuation.execution import run
from wattshift.valuation.pathvalue import irr_annual_of
from wattshift.valuation.returns import irr_percentiles, is_investment


def test_irr_only_for_one_sign_change_investments() -> None:
    cash = np.array(
        [
            [-100.0, 0.0, 60.0, 60.0],  # investment: IRR defined
            [100.0, -60.0, -60.0, 0.0],  # a loan: cash in first
            [-100.0, 230.0, -132.0, 0.0],  # two sign changes (roots 10 % and 20 %)
            [10.0, 10.0, 10.0, 10.0],  # no sign change
        ]
    )
    assert is_investment(cash).tolist() == [True, False, False, False]
    irr = irr_annual_of(cash)
    # -100 + 60 v^2 + 60 v^3 = 0 per month; annualised
    assert npv(cash[:1], (1 + irr[0]) ** (1 / 12) - 1) == pytest.approx([0.0], abs=1e-8)
    assert np.isnan(irr[1:]).all()


def test_irr_percentiles_rank_paths_without_irr_by_their_npv() -> None:
    irr = np.array([0.05, np.nan, 0.30, np.nan, 0.20])
    npv_usd = np.array([-1.0, 5.0, 3.0, -2.0, 1.0])
    # ranked: -inf, 0.05, 0.20, 0.30, +inf -> p50 = 0.20; p5 and p95 fall on paths without an IRR
    p5, p50, p95 = irr_percentiles(irr, npv_usd, 0.12)
    assert p50 == pytest.approx(0.20)
    assert np.isnan(p5) and np.isnan(p95)
    # two middle paths on either side of the discount rate: no p50
    assert np.isnan(irr_percentiles(np.array([0.05, 0.30]), np.array([-1.0, 1.0]), 0.12)[1])


TERMS = st.fixed_dictionaries(
    {
        "dcf.discount_rate_annual": st.sampled_from([0.06, 0.12, 0.25, 0.6]),
        "ai.rate_usd_per_kw_month": st.sampled_from([40.0, 120.0, 180.0]),
        "ai.capex_usd_m_per_mw": st.sampled_from([2.0, 9.5, 20.0]),
        "mining.fleet_age_years": st.sampled_from([0.0, 2.0]),
        "terminal.method": st.sampled_from(["exit_cap", "gordon", "none"]),
        "treasury.hybrid_ai_fraction": st.sampled_from([0.3, 0.5]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=TERMS, seed=st.integers(0, 2**31), paths=st.integers(20, 300))
def test_p50_irr_and_p50_npv_agree_in_sign_against_the_discount_rate(
    terms: dict[str, Any], seed: int, paths: int
) -> None:
    inputs = _inputs(terms, months=60)
    res = run(inputs, paths=paths, seed=seed, chunk_paths=128)
    rate = terms["dcf.discount_rate_annual"]
    for b in ("mining", "ai", "hybrid"):
        p50_irr = irr_percentiles(res.irr_annual[b], res.npv_usd[b], rate)[1]
        p50_npv = float(np.percentile(res.npv_usd[b], 50))
        if np.isfinite(p50_irr):
            assert (p50_irr > rate) == (p50_npv > 0), (b, p50_irr, p50_npv)
        assert res.mirr_annual[b].shape == (paths,)
