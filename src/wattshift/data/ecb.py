"""ECB euro foreign exchange reference rates (``eurofxref-hist.csv``) → long daily FX frame.

Layout: ``Date,USD,JPY,…,ZAR,`` (a trailing comma gives an empty last column), one row per TARGET
business day, newest first, units of each currency per 1 EUR, ``N/A`` where a currency had no rate
(e.g. CYP after 2007). Output: ``date`` (naive midnight), ``currency`` (ISO 4217), ``units_per_eur``
[currency/EUR], sorted by (currency, date); ``N/A`` and empty cells give no row (never filled). Days
without a row (weekends, TARGET holidays) are handled where rates are used
(:mod:`wattshift.warehouse.fx`).

Source: European Central Bank, euro foreign exchange reference rates
(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_bytes,
    read_csv_text,
    source_name,
    to_datetime,
)
from wattshift.errors import DataError

#: Columns of the FX frame.
FX_COLUMNS: Final[tuple[str, ...]] = ("date", "currency", "units_per_eur")
_CURRENCY_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Z]{3}$")


def parse_ecb_rates(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the ECB's historical reference-rate CSV.

    Returns
    -------
    pandas.DataFrame
        :data:`FX_COLUMNS`; ``units_per_eur`` [currency per EUR] is positive.

    Raises
    ------
    DataError
        No ``Date``/``USD`` column, a column that is not a currency code, a repeated or unsorted day,
        a cell that is neither a number nor ``N/A``, or a rate that is not positive.
    """
    label = source_name(source, name)
    raw = read_bytes(source).replace(b"N/A", b"")
    frame = read_csv_text(raw, label)
    frame = frame.loc[:, [c for c in frame.columns if not str(c).startswith("Unnamed")]]
    if "Date" not in frame.columns or "USD" not in frame.columns:
        raise DataError("expected the ECB layout: Date, USD, JPY, …", file=label, line=1, column="Date")
    days = pd.DatetimeIndex(to_datetime(frame, "Date", label, fmt="%Y-%m-%d")).as_unit("ns")
    order = np.argsort(days.asi8, kind="stable")
    check_sorted_unique(days.asi8[order], label, "Date", positions=order.tolist())
    parts = []
    for col in (str(c) for c in frame.columns if c != "Date"):
        if not _CURRENCY_RE.match(col):
            raise DataError("not an ISO 4217 currency code", file=label, line=1, column=col)
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = (np.isnan(values) & frame[col].notna().to_numpy()) | (values <= 0)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"not a positive rate: {frame[col].iloc[pos]!r}", file=label, line=line_of(pos), column=col
            )
        keep = order[~np.isnan(values[order])]
        parts.append(pd.DataFrame({"date": days[keep], "currency": col, "units_per_eur": values[keep]}))
    out = pd.concat(parts, ignore_index=True)
    out["currency"] = out["currency"].astype("str")
    return out.sort_values(["currency", "date"], ignore_index=True)


def read_ecb_rates(path: str | Path) -> pd.DataFrame:
    """Read the ECB reference-rate CSV (see :func:`parse_ecb_rates`)."""
    return parse_ecb_rates(Path(path), name=str(path))
