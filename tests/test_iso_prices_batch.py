"""``iso_prices_batch``: several price series in one query, each exactly what ``iso_prices`` gives."""

from __future__ import annotations

import pandas as pd
import pytest

from wattshift.errors import NotInWarehouseError
from wattshift.markets import MARKETS
from wattshift.warehouse import Warehouse
from wattshift.warehouse.queries import PriceArrays, SeriesWindow


def _year(iso: str, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    tz = MARKETS[iso].timezone if iso in MARKETS else "UTC"
    start = pd.Timestamp(f"{year}-01-01", tz=tz).tz_convert("UTC")
    return start, pd.Timestamp(f"{year + 1}-01-01", tz=tz).tz_convert("UTC")


def _single(wh: Warehouse, w: SeriesWindow) -> pd.DataFrame | NotInWarehouseError:
    try:
        return wh.iso_prices(w.node, w.market, w.start, w.end, iso=w.iso)
    except NotInWarehouseError as exc:
        return exc


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_every_series_of_a_year_equals_its_single_read(warehouse: Warehouse, year: int) -> None:
    """Every series held, each market's local year, one batch per market: the frame of each equals
    ``iso_prices``' frame exactly (values, dtypes, EUR converted at the ECB rate), and a series
    without prices that year gives the same error message."""
    held = warehouse.price_nodes()
    windows = [
        SeriesWindow(iso, node, product, *_year(iso, year))
        for iso, node, product in zip(held["iso"], held["node"], held["market"], strict=True)
    ]
    got: list[PriceArrays | NotInWarehouseError] = []
    for iso in sorted({w.iso for w in windows}):
        got += warehouse.iso_prices_batch([w for w in windows if w.iso == iso])
    windows.sort(key=lambda w: w.iso)  # stable: the order of the batches above
    frames = 0
    for w, batch in zip(windows, got, strict=True):
        single = _single(warehouse, w)
        if isinstance(single, NotInWarehouseError):
            assert isinstance(batch, NotInWarehouseError) and str(batch) == str(single)
            continue
        assert isinstance(batch, PriceArrays), (w, batch)
        pd.testing.assert_frame_equal(batch.frame(), single, check_exact=True)
        frames += 1
    assert frames >= 45  # the 45 nodes of the siting table at least, and a few day-ahead series


def test_windows_of_one_series_and_an_unknown_series_in_one_batch(warehouse: Warehouse) -> None:
    """Two spans of one series and a series not held: each window on its own, in the order asked;
    the unknown one returns (not raises) the error naming the series held."""
    week = SeriesWindow("ERCOT", "HB_NORTH", "rt", "2024-03-01", "2024-03-08")
    day = SeriesWindow("ERCOT", "HB_NORTH", "rt", "2024-03-05", "2024-03-06")
    nowhere = SeriesWindow("ERCOT", "HB_NOWHERE", "rt", "2024-03-01", "2024-03-08")
    got = warehouse.iso_prices_batch([week, nowhere, day])
    assert isinstance(got[0], PriceArrays) and isinstance(got[2], PriceArrays)
    assert len(got[0].price_usd_per_mwh) == 7 * 96 and len(got[2].price_usd_per_mwh) == 96
    assert isinstance(got[1], NotInWarehouseError) and "ERCOT series held: " in str(got[1])
    assert str(got[1]) == str(_single(warehouse, nowhere))
    assert warehouse.iso_prices_batch([]) == []


def test_a_day_without_an_ecb_rate_is_the_single_read_error(warehouse: Warehouse) -> None:
    """Nord Pool 2025 after the last ECB rate held: the batch returns the conversion error."""
    w = SeriesWindow("NORDPOOL", "SE3", "da", *_year("NORDPOOL", 2025))
    (got,) = warehouse.iso_prices_batch([w])
    single = _single(warehouse, w)
    assert isinstance(got, NotInWarehouseError) and isinstance(single, NotInWarehouseError)
    assert str(got) == str(single) and "ECB" in str(got)
