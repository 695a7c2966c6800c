"""``wattshift markets compare``: the siting engine by hand, the service on the real files, the CLI."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config.mining import MiningAssumptions
from wattshift.errors import NotInWarehouseError
from wattshift.mining import economics_frame
from wattshift.mining.siting import siting_metrics
from wattshift.services.markets import COMPARE_KEYS, _DailyValue, compare_markets
from wattshift.services.mining import cost_assumptions
from wattshift.warehouse import Warehouse
from wattshift.warehouse.queries import PriceArrays, SeriesWindow

runner = CliRunner()


def test_siting_metrics_by_hand() -> None:
    # one hour at 10 USD/MWh and a quarter-hour at 200, strike 100, period of 2 h
    m = siting_metrics(np.array([10.0, 200.0]), np.array([1.0, 0.25]), np.array([100.0, 100.0]), 2.0)
    assert m.coverage == 0.625
    assert m.mean_price_usd_per_mwh == pytest.approx((10 * 1 + 200 * 0.25) / 1.25)  # 48
    assert m.std_price_usd_per_mwh == pytest.approx(76.0)  # sqrt((38² + 152² / 4) / 1.25)
    assert m.hours_above_strike == 0.25
    assert m.mining_margin_usd_per_mwh == pytest.approx((90 * 1 - 100 * 0.25) / 1.25)  # 52


@given(
    st.lists(st.tuples(st.floats(-500, 5000), st.sampled_from([5, 15, 60]), st.floats(20, 400)), min_size=1)
)
def test_margin_is_mean_value_minus_mean_price(rows: list[tuple[float, int, float]]) -> None:
    p, minutes, v = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    m = siting_metrics(p, minutes / 60, v, 8_760.0)
    assert m.mining_margin_usd_per_mwh == pytest.approx(
        m.mean_mining_value_usd_per_mwh - m.mean_price_usd_per_mwh, abs=1e-6
    )
    assert 0 <= m.hours_above_strike <= m.hours_held


def test_isone_2024_row_by_hand(warehouse: Warehouse, shared_data_dir: Path) -> None:
    path = shared_data_dir / "markets" / "isone" / "isone_lmp_rt_hr_hubs_2024.csv"
    with path.open(newline="") as handle:
        for _ in range(3):
            handle.readline()
        raw = [
            r
            for r in csv.DictReader(handle)
            if r["Local Timestamp Eastern Time (Interval Beginning)"] >= "2024"
        ]
    prices = [float(r["Internal Hub LMP"]) for r in raw]
    result = compare_markets(warehouse, 2024, efficiency_j_per_th=20.0, markets=["ISONE"])
    (row,) = result.rows
    assert row.coverage == pytest.approx(len(raw) / 8_784)  # 7,566 of 8,784 hours: gaps and early end
    assert row.mean_price_usd_per_mwh == pytest.approx(statistics.fmean(prices), rel=1e-12)
    # strike = mining value of the UTC day of each interval start (UTC end - 1 h)
    econ = economics_frame(
        warehouse.btc_daily(),
        efficiency_j_per_th=20.0,
        power_usd_per_kwh=0.0,
        assumptions=cost_assumptions(MiningAssumptions()),
    )
    value = dict(zip(econ["date"].dt.strftime("%Y-%m-%d"), econ["mining_value_usd_per_mwh"], strict=True))
    starts = [pd.Timestamp(r["UTC Timestamp (Interval Ending)"]) - pd.Timedelta(hours=1) for r in raw]
    strikes = [value[s.strftime("%Y-%m-%d")] for s in starts]
    assert row.hours_above_strike == sum(p > v for p, v in zip(prices, strikes, strict=True))
    assert row.mining_margin_usd_per_mwh == pytest.approx(
        statistics.fmean(strikes) - statistics.fmean(prices)
    )


def test_compare_2024_covers_every_market(warehouse: Warehouse) -> None:
    result = compare_markets(warehouse, 2024, efficiency_j_per_th=20.0)
    assert {r.market for r in result.rows} == {
        "ERCOT",
        "PJM",
        "MISO",
        "NYISO",
        "ISONE",
        "SPP",
        "CAISO",
        "NORDPOOL",
    }
    margins = [r.mining_margin_usd_per_mwh for r in result.rows]
    assert margins == sorted(margins, reverse=True)
    nordic = {r.node: r for r in result.rows if r.market == "NORDPOOL"}
    assert nordic["SE3"].coverage == 1.0 and nordic["SE3"].product == "da"


class _CountingReads:
    """The warehouse, counting the price reads and those that found nothing (NotInWarehouseError)."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self.read: list[tuple[str, str, str]] = []
        self.empty_reads: list[tuple[str, str, str]] = []
        self.batches = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wh, name)

    def iso_prices_batch(self, wanted: Sequence[SeriesWindow]) -> list[PriceArrays | NotInWarehouseError]:
        self.batches += 1
        got = self.wh.iso_prices_batch(wanted)
        self.read += [(w.iso, w.node, w.market) for w in wanted]
        self.empty_reads += [
            (w.iso, w.node, w.market) for w, g in zip(wanted, got, strict=True) if isinstance(g, Exception)
        ]
        return got


def test_series_without_prices_in_the_year_are_not_read(warehouse: Warehouse) -> None:
    """Series whose held span misses the year are passed over before reading: the same table, and no
    read comes back empty (2022: the real-time series of some nodes start later); one batch read per
    market, each node's series read once."""
    counting = _CountingReads(warehouse)
    table = compare_markets(counting, 2022, efficiency_j_per_th=20.0, with_flex=False)
    assert counting.empty_reads == []
    held = warehouse.price_nodes()
    assert len(table.rows) == 45 and len(held) > len(table.rows)
    assert sorted(counting.read) == sorted((r.market, r.node, r.product) for r in table.rows)
    assert counting.batches == len({r.market for r in table.rows})


def test_a_year_without_ecb_rates_is_reported_as_skipped(warehouse: Warehouse) -> None:
    result = compare_markets(warehouse, 2025, efficiency_j_per_th=20.0, markets=["NORDPOOL"])
    assert not result.rows and [s["node"] for s in result.skipped] == ["SE1", "SE2", "SE3", "SE4"]
    assert "2025-05-09" in result.skipped[0]["reason"]


def test_cli_json_keys_and_errors(warehouse_path: Path) -> None:
    args = [
        "markets",
        "compare",
        "--year",
        "2023",
        "--efficiency-j-per-th",
        "20",
        "--db",
        str(warehouse_path),
    ]
    res = runner.invoke(app, [*args, "--markets", "MISO,SPP", "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert len(payload["rows"]) == 10 and all(tuple(r) == COMPARE_KEYS for r in payload["rows"])
    flex = [r["flex_value_usd_per_mw_year"] for r in payload["rows"]]
    assert all(isinstance(v, float) and abs(v) < 1e6 for v in flex) and "forecast" in payload["note"]
    assert all(0 < r["flex_days"] <= 365 for r in payload["rows"])
    bad = runner.invoke(app, [*args, "--nodes", "Texas"])
    assert bad.exit_code == 3 and "MISO 'Texas Hub'" in bad.output
    both = runner.invoke(app, [*args, "--asic", "S21 (200T)"])
    assert both.exit_code == 3 and "exactly one" in both.output
    listing = runner.invoke(app, ["markets", "list", "--format", "json"])
    assert {m["market"] for m in json.loads(listing.stdout)} >= {"PJM", "NORDPOOL"}


@given(
    st.lists(st.integers(0, 60), unique=True, max_size=30),
    st.lists(st.integers(-5, 65), max_size=50),
)
def test_daily_value_lookup_is_pandas_reindex(held: list[int], wanted: list[int]) -> None:
    """The siting table's day lookup (NumPy) gives what ``Series.reindex`` gives: the day's value, NaN
    on a day without one (also with no day held at all)."""
    base = np.datetime64("2024-01-01", "D")
    days = base + np.asarray(held, dtype=np.int64)
    values = np.arange(len(held), dtype=np.float64) * 1.5 + 0.25
    order = np.argsort(days)
    lookup = _DailyValue(days[order], values[order])
    target = base + np.asarray(wanted, dtype=np.int64)
    expected = pd.Series(values, index=pd.DatetimeIndex(days)).reindex(pd.DatetimeIndex(target)).to_numpy()
    np.testing.assert_array_equal(lookup.at(target), expected)
