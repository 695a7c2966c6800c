"""Funding several strategies in one month loop gives each its own numbers; a valuation is the
same on one thread and on two (the strategies pass, kept lease streams and BLAS limit included)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.config.valuation import ValuationConfig, apply_overrides
from wattshift.jsonable import to_jsonable
from wattshift.services.sites import load_site
from wattshift.services.valuation import ValuationRequest, prepare_valuation, value_prepared
from wattshift.services.valuation_inputs import valuation_spec
from wattshift.valuation.cashflows import draw_ai_events
from wattshift.valuation.montecarlo import ValuationInputs, chunk_rng
from wattshift.valuation.strategies import _ai_cash_from, _ai_from
from wattshift.valuation.treasury import Funding, fund_streams

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse

FloatArray = npt.NDArray[np.float64]


def fund_one(flow: FloatArray, price: FloatArray, treasury_btc: float, cash_usd: float) -> Funding:
    """The month loop of the module docstring on one stream, month-major ``(months, paths)``."""
    months, paths = flow.shape
    balance, btc = np.full(paths, cash_usd), np.full(paths, treasury_btc)
    sold, short = np.zeros((months, paths)), np.zeros((months, paths))
    for t in range(months):
        balance = balance + flow[t]
        if treasury_btc > 0:
            sold[t] = np.minimum(btc, np.maximum(-balance, 0.0) / price[t])
            btc = btc - sold[t]
            balance = balance + sold[t] * price[t]
        short[t] = np.maximum(-balance, 0.0)
        balance = balance + short[t]
    return Funding(sold, short, btc, balance)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    treasury=st.lists(st.sampled_from([0.0, 0.5, 20.0]), min_size=1, max_size=4),
    deficit_share=st.floats(0.0, 1.0),
    cash_usd=st.sampled_from([0.0, 1e5]),
)
def test_streams_funded_together_are_funded_alone(
    seed: int, treasury: list[float], deficit_share: float, cash_usd: float
) -> None:
    rng = np.random.default_rng(seed)
    streams, months, paths = len(treasury), 30, 9
    # mostly positive months (skipped by the loop) and some deficits
    flows = rng.uniform(0.0, 5e4, (streams, months, paths))
    flows[rng.random((streams, months, paths)) < deficit_share * 0.3] *= -8.0
    price = rng.uniform(1e3, 1e5, (months, paths))
    before = flows.copy()
    together = fund_streams(flows, price, treasury_btc=treasury, cash_usd=cash_usd)
    assert np.array_equal(flows, before)
    for s, got in enumerate(together):
        want = fund_one(flows[s], price, treasury[s], cash_usd)
        assert np.array_equal(got.btc_sold_by_month, want.btc_sold_by_month)
        assert np.array_equal(got.shortfall_by_month_usd, want.shortfall_by_month_usd)
        assert np.array_equal(got.btc_left, want.btc_left)
        assert np.array_equal(got.cash_left_usd, want.cash_left_usd)
        if treasury[s] == 0:
            assert not got.btc_sold_by_month.any()


def test_a_hand_worked_month() -> None:
    # 100 USD cash and 3 BTC; month 0 earns 50 (150); month 1 spends 400 (-250): sells 250 / 100
    # = 2.5 BTC; month 2 spends 1,000: sells the last 0.5 BTC at 200 USD (100), 900 USD financed.
    flows = np.array([[[50.0], [-400.0], [-1000.0]]])
    price = np.array([[100.0], [100.0], [200.0]])
    (f,) = fund_streams(flows, price, treasury_btc=[3.0], cash_usd=100.0)
    assert f.btc_sold_by_month[:, 0].tolist() == [0.0, 2.5, 0.5]
    assert f.shortfall_by_month_usd[:, 0].tolist() == [0.0, 0.0, 900.0]
    assert f.btc_left.tolist() == [0.0] and f.cash_left_usd.tolist() == [0.0]


@pytest.mark.parametrize("terms", [{}, {"ai.power_pass_through": False}, {"ai.build_months": 30}])
def test_a_later_conversion_is_the_month_0_lease_shifted(terms: dict[str, Any]) -> None:
    import pandas as pd

    from wattshift.valuation.network import HashrateModel
    from wattshift.valuation.scenarios import PriceModel

    spec = valuation_spec(apply_overrides(ValuationConfig(), terms))
    window = (pd.Timestamp("2024-01-01"), pd.Timestamp("2026-01-01"))
    price = PriceModel(60_000.0, 0.1, 0.5, np.zeros(10), *window)
    inputs = ValuationInputs(price, HashrateModel(1e9, 0.3, 0.1, 0.03), np.full(48, 3.125), spec, 20.0, 45.0)
    leases = draw_ai_events(spec.ai, 70, chunk_rng(5, 0), 48)
    ai0 = _ai_from(inputs, leases, 0)
    for start in (0, 12, 24, 36):
        full = _ai_from(inputs, leases, start).cash_usd
        assert np.array_equal(_ai_cash_from(inputs, leases, ai0, start), full[:, start:])
        assert not full[:, :start].any()


def test_a_valuation_is_the_same_on_one_and_two_threads(warehouse: Warehouse) -> None:
    from dataclasses import replace

    site = load_site("converting_to_ai")
    prepared = prepare_valuation(warehouse, ValuationRequest(site, paths=3000, years=4, seed=9, threads=1))
    # chunks of 1,024 paths: three chunks (and three pieces for the strategies) to share out
    prepared = replace(prepared, cfg=prepared.cfg.model_copy(update={"chunk_paths": 1024}))
    one = to_jsonable(value_prepared(prepared))
    two = to_jsonable(value_prepared(replace(prepared, request=replace(prepared.request, threads=2))))
    assert one == two
    assert one["paths"] == 3000 and len(one["btc_to_sell"]["by_year"]) == 4
