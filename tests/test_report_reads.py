"""The report's warehouse reads: each done once per report, later calls get independent copies."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from wattshift.errors import NotInWarehouseError
from wattshift.report.reads import OnceReads


class _Counting:
    """A warehouse stand-in counting its reads."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.path = "warehouse.duckdb"

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        self.calls.append(("btc_daily", (start, end)))
        if start == "missing":
            raise NotInWarehouseError("no BTC data")
        return pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "price_usd": [42.0, 43.0]})

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        self.calls.append(("iso_prices", (node, market, start, end, iso)))
        if node == "missing":
            raise NotInWarehouseError("no prices")
        return pd.DataFrame({"price_usd_per_mwh": [1.0, 2.0]})

    def cp4_intervals(self) -> pd.DataFrame:
        self.calls.append(("cp4_intervals", ()))
        return pd.DataFrame()


def test_a_repeated_read_is_done_once_and_returns_an_independent_copy() -> None:
    wh = _Counting()
    reads = OnceReads(wh)
    first = reads.btc_daily()
    first.loc[0, "price_usd"] = -1.0  # a section changing its frame must not change the next one's
    second = reads.btc_daily()
    assert second["price_usd"].tolist() == [42.0, 43.0]
    assert wh.calls == [("btc_daily", (None, None))]
    reads.btc_daily("2024-01-01", "2024-02-01")  # other arguments: another read
    assert len(wh.calls) == 2


def test_keyword_arguments_are_part_of_the_key_and_failures_are_not_remembered() -> None:
    wh = _Counting()
    reads = OnceReads(wh)
    reads.btc_daily(start="2024-01-01")
    reads.btc_daily(start="2024-01-01")
    reads.btc_daily(end="2024-01-01")
    assert len(wh.calls) == 2
    for _ in range(2):
        with pytest.raises(NotInWarehouseError):
            reads.btc_daily(start="missing")
    assert len(wh.calls) == 4


def test_other_reads_and_attributes_pass_through() -> None:
    """Price series are read again each time (keeping 70 node-years would cost too much memory)."""
    wh = _Counting()
    reads = OnceReads(wh)
    for _ in range(2):
        reads.cp4_intervals()
        reads.iso_prices("HB_WEST", "rt", "2024-01-01", "2025-01-01")
    assert [c[0] for c in wh.calls] == ["cp4_intervals", "iso_prices"] * 2
    assert reads.path == "warehouse.duckdb"
