"""Tornado of p50 NPVs on common random numbers: exact zero swings, base recovered, signs by finance;
the tornado that values its cases together on shared work equals re-running each case from scratch."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_valuation_model import MODEL_TERMS, _inputs
from wattshift.valuation import execution
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.sensitivity import INPUTS, Bar, cases_p50_npvs, p50_npvs, tornado


def test_tornado_on_common_random_numbers() -> None:
    inputs = _inputs({"ai.build_months": 6}, months=48)
    bars = tornado(inputs, paths=256, seed=3, chunk_paths=128)
    assert len(bars) == 2 * len(INPUTS) == 22
    by = {(b.input, b.business): b for b in bars}
    # The AI business does not see the BTC market: with the same random numbers the swing is exactly 0.
    for name in ("btc_drift", "btc_volatility", "hashrate_growth", "power_usd_per_mwh"):
        ai = by[(name, "ai")]
        assert ai.npv_low_usd == ai.npv_high_usd == ai.npv_base_usd
    # ... nor does mining see the lease terms.
    for name in ("rent_usd_per_kw_month", "capex_usd_m_per_mw", "term_years", "default_probability"):
        mining = by[(name, "mining")]
        assert mining.npv_low_usd == mining.npv_high_usd == mining.npv_base_usd
    rent, capex, rate = (
        by[("rent_usd_per_kw_month", "ai")],
        by[("capex_usd_m_per_mw", "ai")],
        by[("discount_rate", "ai")],
    )
    assert rent.npv_low_usd < rent.npv_base_usd < rent.npv_high_usd
    assert capex.npv_low_usd > capex.npv_base_usd > capex.npv_high_usd
    assert rate.npv_low_usd > rate.npv_base_usd > rate.npv_high_usd
    power = by[("power_usd_per_mwh", "mining")]
    assert power.npv_low_usd > power.npv_high_usd
    swings = [abs(b.npv_high_usd - b.npv_low_usd) for b in bars]
    assert swings == sorted(swings, reverse=True)


def test_setting_an_input_to_its_base_value_gives_the_base_numbers() -> None:
    inputs = _inputs(months=36)
    kwargs = {"paths": 200, "seed": 5, "chunk_paths": 128, "threads": 1}
    base = p50_npvs(inputs, **kwargs)
    for item in INPUTS:
        same = item.set(inputs, item.base(inputs))
        assert p50_npvs(same, **kwargs) == base, item.name


def _naive_tornado(
    inputs: ValuationInputs, *, paths: int, seed: int, chunk_paths: int, threads: int
) -> list[Bar]:
    """The tornado as it was first written: every case a full Monte Carlo run of its own."""

    def p50(case: ValuationInputs) -> dict[str, float]:
        return p50_npvs(case, paths=paths, seed=seed, chunk_paths=chunk_paths, threads=threads)

    base = p50(inputs)
    bars = []
    for item in INPUTS:
        value = item.base(inputs)
        low, high = item.low(value), item.high(value)
        at_low, at_high = p50(item.set(inputs, low)), p50(item.set(inputs, high))
        for b in ("mining", "ai"):
            bars.append(Bar(item.name, b, low, high, at_low[b], at_high[b], base[b]))
    bars.sort(key=lambda bar: -abs(bar.npv_high_usd - bar.npv_low_usd))
    return bars


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    terms=MODEL_TERMS,
    months=st.integers(12, 40),
    paths=st.integers(1, 300),
    chunk_paths=st.integers(1, 200),
    seed=st.integers(0, 2**32 - 1),
    threads=st.sampled_from([1, 2]),
)
def test_shared_work_tornado_equals_each_case_run_from_scratch(
    terms: dict[str, Any], months: int, paths: int, chunk_paths: int, seed: int, threads: int
) -> None:
    inputs = _inputs(terms, months=months)
    with pytest.MonkeyPatch.context() as mp:  # blocks of 64 paths: several blocks per chunk
        mp.setattr(execution, "BLOCK_PATH_MONTHS", 64 * months)
        shared = tornado(inputs, paths=paths, seed=seed, chunk_paths=chunk_paths, threads=threads)
        naive = _naive_tornado(inputs, paths=paths, seed=seed, chunk_paths=chunk_paths, threads=threads)
    assert shared == naive


def test_cases_valued_together_equal_each_case_alone_bit_for_bit() -> None:
    """Cases that share nothing (another price model, horizon) and cases that share all but one term."""
    base = _inputs({"scenario.price_model": "bootstrap", "ai.power_pass_through": False}, months=30)
    cases = [
        base,
        INPUTS[3].set(base, 0.3),  # BTC drift: a new scenario, the same leases
        INPUTS[8].set(base, 4.0),  # lease term: new leases, the same scenario
        _inputs({"terminal.method": "gordon"}, months=30),  # a price model of its own
        _inputs(months=24),  # another horizon: random numbers of its own
        base,
    ]
    kwargs = {"paths": 150, "seed": 9, "chunk_paths": 64}
    together = cases_p50_npvs(cases, **kwargs)
    assert together == [p50_npvs(c, **kwargs, threads=1) for c in cases]
    assert together[0] == together[-1]
    assert together[1]["ai"] == together[0]["ai"] != together[2]["ai"]
    assert together[2]["mining"] == together[0]["mining"] != together[1]["mining"]
