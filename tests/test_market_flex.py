"""Markets as data through dispatch: the contract's market, products per market, flex value by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.config import parse_site
from wattshift.dispatch.backtest import BacktestInputs, run_backtest
from wattshift.errors import ConfigError
from wattshift.services.dispatch_inputs import load_inputs, require_product, settle_product
from wattshift.services.market_flex import flex_value, one_mw_spec
from wattshift.testing import FakeWarehouse

#: 0.05 USD/TH/day at 20 J/TH, no pool fee: 0.05 / (20 x 24 x 1e-6) = 104.1667 USD/MWh (DESIGN.md §3).
HASHPRICE = 0.05
VALUE = HASHPRICE / (20.0 * 24.0 * 1e-6)


def _hourly(
    iso: str, node: str, market: str, tz: str, days: list[str], price: dict[tuple[str, int], float]
) -> pd.DataFrame:
    rows = []
    for d in days:
        start = pd.Timestamp(d).tz_localize(tz).tz_convert("UTC")
        for h in range(24):
            rows.append(
                {
                    "iso": iso,
                    "node": node,
                    "market": market,
                    "interval_start_utc": start + pd.Timedelta(hours=h),
                    "interval_minutes": 60,
                    "price_usd_per_mwh": price.get((d, h), 20.0),
                }
            )
    return pd.DataFrame(rows)


def _hashprice(days: int = 10) -> pd.Series:
    index = pd.date_range("2023-12-25", periods=days, freq="D")
    return pd.Series(np.full(days, HASHPRICE), index=index)


def test_contract_names_market_and_node_and_reads_the_old_iso_key() -> None:
    base = {
        "name": "s",
        "interconnect_mw": 1.0,
        "fleets": [{"name": "f", "power_mw": 1, "efficiency_j_per_th": 20}],
    }
    assert parse_site(base).contract.market == "ERCOT"
    assert parse_site({**base, "contract": {"iso": "ERCOT"}}).contract.market == "ERCOT"
    pjm = parse_site({**base, "contract": {"market": "pjm", "node": "WESTERN HUB"}})
    assert (pjm.contract.market, pjm.contract.node) == ("PJM", "WESTERN HUB")
    with pytest.raises(ConfigError, match=r"contract.node: unknown node 'HB_WEST' for MISO.*Illinois Hub"):
        parse_site({**base, "contract": {"market": "MISO"}})
    with pytest.raises(ConfigError, match=r"contract.market: unknown market 'XX'"):
        parse_site({**base, "contract": {"market": "XX", "node": "a"}})
    with pytest.raises(ConfigError, match=r"reserves: ERCOT only; the contract's market is PJM"):
        parse_site(
            {
                **base,
                "contract": {"market": "PJM", "node": "PJM-RTO"},
                "reserves": {"products": ["RRS"], "max_mw": 1},
            }
        )
    with pytest.raises(ConfigError, match="peak_charges: ERCOT only"):
        parse_site(
            {
                **base,
                "contract": {"market": "SPP", "node": "North Hub"},
                "peak_charges": {"rate_usd_per_kw_year": 50},
            }
        )


def test_products_per_market() -> None:
    assert [settle_product(m) for m in ("ERCOT", "MISO", "NORDPOOL")] == ["rt", "rt", "da"]
    with pytest.raises(ConfigError, match=r"MISO has no 'da' prices in wattshift \(x\); its products: rt"):
        require_product("MISO", "da", "x")


def test_day_ahead_foresight_in_a_market_without_day_ahead_names_product_and_market() -> None:
    wh = FakeWarehouse(iso_prices=_hourly("MISO", "Illinois Hub", "rt", "EST", ["2024-01-01"], {}))
    spec = one_mw_spec(20.0, 0.0)
    with pytest.raises(ConfigError, match="MISO has no 'da' prices"):
        load_inputs(
            wh,
            spec,
            node="Illinois Hub",
            market="rt",
            foresight="day_ahead",
            start=pd.Timestamp("2024-01-01").date(),
            end=pd.Timestamp("2024-01-02").date(),
            iso="MISO",
        )


def test_flex_day_ahead_only_market_by_hand() -> None:
    """Nord Pool: decided and settled on the day-ahead price; one hour at 200 is curtailed."""
    frame = _hourly(
        "NORDPOOL", "SE3", "da", "Europe/Stockholm", ["2024-01-01", "2024-01-02"], {("2024-01-02", 7): 200.0}
    )
    got = flex_value(
        FakeWarehouse(iso_prices=frame), "NORDPOOL", "SE3", 2024, one_mw_spec(20.0, 0.0), _hashprice()
    )
    assert got.days_used == 2 and got.days_in_year == 366
    assert got.usd_per_mw_year == pytest.approx((200.0 - VALUE) * 366 / 2, rel=1e-9)


def test_flex_real_time_only_market_uses_no_hindsight() -> None:
    """MISO: a real-time profile of the days before d - 1 decides; a spike nobody could know is paid.

    Dec 31 (history) has 500 at hour 5. Jan 1 has no history before d - 1 = Dec 31: always on, so
    its spike (1,000 at hour 10) is not avoided. Jan 2 decides on Dec 31's profile: off at hour 5,
    where the price is 300, saving 300 - 104.17. Two days used, scaled to 366.
    """
    price = {("2023-12-31", 5): 500.0, ("2024-01-01", 10): 1000.0, ("2024-01-02", 5): 300.0}
    frame = _hourly("MISO", "Illinois Hub", "rt", "EST", ["2023-12-31", "2024-01-01", "2024-01-02"], price)
    got = flex_value(
        FakeWarehouse(iso_prices=frame), "MISO", "Illinois Hub", 2024, one_mw_spec(20.0, 0.0), _hashprice()
    )
    assert got.days_used == 2
    assert got.usd_per_mw_year == pytest.approx((300.0 - VALUE) * 366 / 2, rel=1e-9)


def test_a_day_with_a_missing_interval_is_left_out_not_filled() -> None:
    frame = _hourly(
        "NORDPOOL", "SE3", "da", "Europe/Stockholm", ["2024-01-01", "2024-01-02"], {("2024-01-02", 7): 200.0}
    )
    frame = frame.drop(index=30)  # an hour of Jan 2
    got = flex_value(
        FakeWarehouse(iso_prices=frame), "NORDPOOL", "SE3", 2024, one_mw_spec(20.0, 0.0), _hashprice()
    )
    assert got.days_used == 1 and got.usd_per_mw_year == 0.0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    days=st.integers(1, 4),
    efficiency_j_per_th=st.floats(12.0, 40.0),
)
def test_one_merit_window_per_run_is_the_day_by_day_schedule(
    seed: int, days: int, efficiency_j_per_th: float
) -> None:
    """flex_value solves a run of days as one merit window: the same schedule and totals, bit for bit,
    as one window per operating day (nothing couples the intervals of a 1 MW fleet)."""
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2024-03-01", periods=days * 24, freq="1h", tz="UTC")
    T = len(grid)
    settle = rng.normal(60.0, 80.0, T)
    inputs = BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=60.0,
        decision_price_usd_per_mwh=settle + rng.normal(0.0, 30.0, T),
        settle_price_usd_per_mwh=settle,
        fleet_value_usd_per_mwh=rng.uniform(40.0, 120.0, (1, T)),
        ai_value_usd_per_mwh=np.zeros(T),
        reserve_price_usd_per_mw_h=np.zeros((0, T)),
        intraday_price_usd_per_mwh=settle + rng.normal(0.0, 10.0, T),
        decision_fleet_value_usd_per_mwh=rng.uniform(40.0, 120.0, (1, T)),
    )
    spec = one_mw_spec(efficiency_j_per_th, 0.02)
    daily = run_backtest(spec, inputs, solver="merit", window_days=1)
    whole = run_backtest(spec, inputs, solver="merit", window_days=None)
    assert daily.windows == days and whole.windows == 1
    pd.testing.assert_frame_equal(daily.schedule, whole.schedule, check_exact=True)
    assert daily.totals == whole.totals and daily.always_on_totals == whole.always_on_totals
