"""Real-data inputs for the signal tests, read with the project's own adapters.

The BTC daily frame is the current Coin Metrics file with its 2026 extension on top (the
extension replaces the main file's partial last day), as the warehouse stores them.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.data.feargreed import read_fear_greed
from wattshift.data.schema import BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS

MAIN_FILE = "onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
EXTENSION_FILE = "onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
FEAR_GREED_FILE = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"


@functools.cache
def load_btc_daily(data_dir: Path) -> pd.DataFrame:
    """Main Coin Metrics file + extension (extension wins on shared days), one row per day."""
    main = read_coinmetrics(data_dir / MAIN_FILE)
    ext = read_coinmetrics(data_dir / EXTENSION_FILE)
    main = main[~main["date"].isin(ext["date"])]
    frame = pd.concat([main, ext], ignore_index=True).sort_values("date", ignore_index=True)
    return frame[list(BTC_DAILY_COLUMNS)]


@functools.cache
def build_warehouse(data_dir: Path) -> Path:
    """A DuckDB warehouse with the three on-chain files ingested (built once per test session,
    in a temporary folder removed at exit); returns its path."""
    from wattshift.warehouse import Warehouse

    folder = Path(tempfile.mkdtemp(prefix="wattshift-signals-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "signals.duckdb"
    with Warehouse(path) as wh:
        for name in (MAIN_FILE, EXTENSION_FILE, FEAR_GREED_FILE):
            result = wh.ingest_file(data_dir / name)
            assert result.status == "ok", result.error
    return path


@functools.cache
def load_fear_greed(data_dir: Path) -> pd.DataFrame:
    """The alternative.me Fear & Greed history."""
    return read_fear_greed(data_dir / FEAR_GREED_FILE)[list(FEAR_GREED_COLUMNS)]


def synthetic_btc(
    start: str = "2020-01-01",
    *,
    hashrate_ehs: Sequence[float] | None = None,
    price_usd: Sequence[float] | None = None,
    issuance_usd: Sequence[float] | None = None,
    market_cap_usd: Sequence[float] | None = None,
    realized_cap_usd: Sequence[float] | None = None,
) -> pd.DataFrame:
    """A small BTC daily frame (all canonical columns, NaN where not given) for hand-made cases."""
    given = {
        "hashrate_ehs": hashrate_ehs,
        "price_usd": price_usd,
        "issuance_usd": issuance_usd,
        "market_cap_usd": market_cap_usd,
        "realized_cap_usd": realized_cap_usd,
    }
    n = max(len(v) for v in given.values() if v is not None)
    frame = pd.DataFrame({"date": pd.date_range(start, periods=n, freq="D")})
    for col in BTC_DAILY_COLUMNS[1:]:
        values = given.get(col)
        frame[col] = np.asarray(values, dtype="float64") if values is not None else np.full(n, np.nan)
    return frame


def fear_greed_frame(start: str, values: Sequence[float]) -> pd.DataFrame:
    """A Fear & Greed frame with one row per day from ``start`` (NaN values → rows left out)."""
    frame = pd.DataFrame(
        {"date": pd.date_range(start, periods=len(values), freq="D"), "value": np.asarray(values, float)}
    )
    frame = frame[frame["value"].notna()].reset_index(drop=True)
    frame["classification"] = "n/a"
    return frame


class FrameWarehouse:
    """Stand-in for ``Warehouse`` exposing ``btc_daily()`` / ``fear_greed()`` over frames."""

    def __init__(self, btc_daily: pd.DataFrame, fear_greed: pd.DataFrame) -> None:
        self._btc = btc_daily
        self._fg = fear_greed

    @staticmethod
    def _span(frame: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
        mask = pd.Series(True, index=frame.index)
        if start is not None:
            mask &= frame["date"] >= pd.Timestamp(str(start))
        if end is not None:
            mask &= frame["date"] <= pd.Timestamp(str(end))
        return frame[mask].reset_index(drop=True)

    def __enter__(self) -> FrameWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def btc_daily(self, start: object = None, end: object = None) -> pd.DataFrame:
        return self._span(self._btc, start, end)

    def fear_greed(self, start: object = None, end: object = None) -> pd.DataFrame:
        return self._span(self._fg, start, end)


def test_loader_gives_one_row_per_day(shared_data_dir: Path) -> None:
    frame = load_btc_daily(shared_data_dir)
    dates = frame["date"]
    assert dates.is_monotonic_increasing and dates.is_unique
    assert (dates.diff().dropna() == pd.Timedelta(days=1)).all()
    # the extension's 2026-03-23 replaces the main file's partial row
    assert frame.loc[dates == "2026-03-23", "price_usd"].notna().all()
