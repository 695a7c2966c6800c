"""Puell Multiple: Glassnode's published value, the formula by hand, warm-up, gaps and zones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wattshift.signals import puell_multiple
from wattshift.testing import synthetic_btc


@pytest.fixture(scope="module")
def btc(btc_daily_history: pd.DataFrame) -> pd.DataFrame:
    return btc_daily_history


def test_glassnode_value_june_2022(btc: pd.DataFrame) -> None:
    # Glassnode chart via BeInCrypto: 0.35 on 2022-06-17 (subsidy-only issuance)
    puell = puell_multiple(btc).set_index("date")
    assert puell.loc["2022-06-17", "puell"] == pytest.approx(0.35, abs=0.02)
    assert puell.loc["2022-06-17", "zone"] == "bottom"


def test_fee_inclusive_variant_uses_revenue(btc: pd.DataFrame) -> None:
    subsidy = puell_multiple(btc).set_index("date")["puell"]
    with_fees = puell_multiple(btc, include_fees=True).set_index("date")["puell"]
    revenue = btc.set_index("date")["revenue_usd"]
    day = pd.Timestamp("2024-04-20")  # halving day: record fees
    expected = revenue.loc[day] / revenue.loc[day - pd.Timedelta(days=364) : day].mean()
    assert with_fees.loc[day] == pytest.approx(expected, rel=1e-10)
    assert with_fees.loc[day] > subsidy.loc[day] + 0.5
    # on a typical day fees are a minor share of miner revenue: the two variants stay close
    gap = (with_fees - subsidy).abs().dropna()
    assert len(gap) > 5000 and gap.median() < 0.05


def test_equals_scalar_loop(btc: pd.DataFrame) -> None:
    puell = puell_multiple(btc).set_index("date")["puell"]
    issuance = btc.set_index("date")["issuance_usd"]
    for day in ("2012-11-28", "2017-12-17", "2020-05-12", "2024-04-21", "2026-06-01"):
        end = pd.Timestamp(day)
        window = [issuance.loc[end - pd.Timedelta(days=k)] for k in range(365)]
        assert puell.loc[end] == pytest.approx(issuance.loc[end] / (sum(window) / 365), rel=1e-10)


def test_warm_up_is_nan_never_zero(btc: pd.DataFrame) -> None:
    puell = puell_multiple(btc)
    first_issuance = btc.loc[btc["issuance_usd"].notna(), "date"].iloc[0]  # 2010-07-18
    assert first_issuance == pd.Timestamp("2010-07-18")
    first_value = puell.loc[puell["puell"].notna(), "date"].iloc[0]
    assert first_value == first_issuance + pd.Timedelta(days=364)
    assert puell.loc[puell["date"] < first_value, "zone"].isna().all()
    assert (puell["puell"].dropna() > 0).all()


def test_constant_issuance_is_one_and_a_halving_halves_it() -> None:
    issuance = [1e6] * 400 + [5e5] * 10
    puell = puell_multiple(synthetic_btc(issuance_usd=issuance))["puell"].to_numpy()
    assert np.isnan(puell[:364]).all()
    assert puell[364:400] == pytest.approx(1.0)
    # day 400: 0.5e6 over a mean of (364 * 1e6 + 0.5e6) / 365
    assert puell[400] == pytest.approx(0.5e6 / ((364 * 1e6 + 0.5e6) / 365))


def test_missing_day_blanks_a_year() -> None:
    issuance = [1e6] * 800
    issuance[500] = np.nan
    puell = puell_multiple(synthetic_btc(issuance_usd=issuance))["puell"].to_numpy()
    assert np.isnan(puell[500:800]).all()  # every window through day 864 contains day 500
    assert puell[499] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("value", "zone"),
    [(0.49, "bottom"), (0.5, "neutral"), (1.0, "neutral"), (4.0, "neutral"), (4.01, "top")],
)
def test_zones(value: float, zone: str) -> None:
    # the 365th day's value v against 364 days of 1.0: puell = v / ((364 + v) / 365)
    issuance = [1.0] * 364
    target = value  # solve v / ((364 + v) / 365) = target for v
    v = 364 * target / (365 - target)
    puell = puell_multiple(synthetic_btc(issuance_usd=[*issuance, v]))
    assert puell["puell"].iloc[-1] == pytest.approx(target)
    assert puell["zone"].iloc[-1] == zone


def test_thresholds_are_configurable() -> None:
    issuance = [1.0] * 364 + [0.4]
    puell = puell_multiple(synthetic_btc(issuance_usd=issuance), bottom_below=0.3)
    assert puell["zone"].iloc[-1] == "neutral"
