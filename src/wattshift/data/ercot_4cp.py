"""ERCOT's official 4CP intervals (one 15-minute interval per month, June-September) → frame.

Layout of ``ercot_4cp_intervals_2022_2025.csv``: ``year, month, date, interval_start_local,
interval_ending_local`` (Central prevailing time; June-September is always daylight time, but the
conversion goes through the time zone anyway), ``total_4cp_mw`` (ERCOT total, excluding DC-tie
exports, BLT exports and wholesale storage load), ``annual_average_4cp_mw``, and ``xcheck_*`` columns
(derived from the native-load files; not stored). Source: ERCOT MIS report NP9-83-M (4CP settlement
workbooks), see ``power/README.md``.

Output (:data:`CP4_COLUMNS`): ``year, month, interval_start_utc`` (tz-aware), ``interval_minutes=15``,
``total_4cp_mw`` [MW], ``annual_average_4cp_mw`` [MW]; sorted by (year, month).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.ercot_time import ERCOT_TZ
from wattshift.data.validate import (
    Source,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
    to_float,
)
from wattshift.errors import DataError

CP4_COLUMNS: Final[tuple[str, ...]] = (
    "year",
    "month",
    "interval_start_utc",
    "interval_minutes",
    "total_4cp_mw",
    "annual_average_4cp_mw",
)
_REQUIRED: Final[tuple[str, ...]] = (
    "year",
    "month",
    "date",
    "interval_start_local",
    "interval_ending_local",
    "total_4cp_mw",
    "annual_average_4cp_mw",
)


def parse_ercot_4cp(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the 4CP intervals table.

    Raises
    ------
    DataError
        Missing column, a month outside June-September, a date not in its year/month, an interval
        that is not 15 minutes long, a repeated month, an empty or non-positive MW value.
    """
    label = source_name(source, name)
    frame = read_csv_text(source, label)
    require_columns(frame, _REQUIRED, label)
    year = to_float(frame, "year", label, required=True).astype(np.int64)
    month = to_float(frame, "month", label, required=True).astype(np.int64)
    day = pd.DatetimeIndex(to_datetime(frame, "date", label, fmt="%Y-%m-%d"))
    bad = ~np.isin(month, [6, 7, 8, 9]) | (day.year != year) | (day.month != month)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            "4CP months are June-September, and date must be in year/month",
            file=label,
            line=line_of(pos),
            column="date",
        )
    start = pd.to_datetime(
        frame["date"] + " " + frame["interval_start_local"], format="%Y-%m-%d %H:%M", errors="coerce"
    )
    end = pd.to_datetime(
        frame["date"] + " " + frame["interval_ending_local"], format="%Y-%m-%d %H:%M", errors="coerce"
    )
    bad = (start.isna() | end.isna() | ((end - start) != pd.Timedelta(minutes=15))).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            "the interval must be HH:MM to HH:MM+15",
            file=label,
            line=line_of(pos),
            column="interval_start_local",
        )
    utc = pd.DatetimeIndex(start).tz_localize(ERCOT_TZ).tz_convert("UTC").as_unit("ns")
    mw = {c: to_float(frame, c, label, required=True) for c in ("total_4cp_mw", "annual_average_4cp_mw")}
    for col, values in mw.items():
        if (values <= 0).any():
            pos = int(np.flatnonzero(values <= 0)[0])
            raise DataError("MW must be positive", file=label, line=line_of(pos), column=col)
    out = pd.DataFrame(
        {"year": year, "month": month, "interval_start_utc": utc, "interval_minutes": 15, **mw}
    )
    dup = out.duplicated(["year", "month"]).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise DataError("a second 4CP interval for this month", file=label, line=line_of(pos), column="month")
    return out.sort_values(["year", "month"], ignore_index=True)


def read_ercot_4cp(path: str | Path) -> pd.DataFrame:
    """Read the ERCOT 4CP intervals CSV (see :func:`parse_ercot_4cp`)."""
    return parse_ercot_4cp(Path(path), name=str(path))
