"""Tornado of p50 NPVs on common random numbers: exact zero swings, base recovered, signs by finance."""

from __future__ import annotations

from test_valuation_model import _inputs
from wattshift.valuation.sensitivity import INPUTS, p50_npvs, tornado


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
