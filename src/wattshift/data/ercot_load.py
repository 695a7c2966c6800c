"""ERCOT hourly native load (ERCOT's published ``Native_Load_<YEAR>.xlsx`` archive, as CSV) → long frame.

Layout: ``Hour Ending`` (``MM/DD/YYYY HH:00``, Central prevailing time, hour ending 01:00-24:00),
then one column per weather zone (COAST, EAST, FWEST, NORTH, NCENT, SOUTH, SCENT, WEST) and the
system total ``ERCOT`` [MW, hourly average]. On the fall-back day the repeated hour is written
``11/05/2023 02:00 DST`` after the plain ``02:00`` row: ERCOT flags the *second* (standard-time)
hour ending 02:00, as its DSTFlag does in every market report; the spring-forward hour ending 03:00
is absent.

Output (:data:`LOAD_COLUMNS`): ``iso="ERCOT"``, ``zone``, ``interval_start_utc`` (hour ending - 1 h,
tz-aware UTC), ``interval_minutes=60``, ``load_mw`` [MW]; sorted by (zone, time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.ercot_time import ERCOT_TZ, wall_to_utc
from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_float,
)
from wattshift.errors import DataError

LOAD_COLUMNS: Final[tuple[str, ...]] = ("iso", "zone", "interval_start_utc", "interval_minutes", "load_mw")
ZONES: Final[tuple[str, ...]] = (
    "COAST",
    "EAST",
    "FWEST",
    "NORTH",
    "NCENT",
    "SOUTH",
    "SCENT",
    "WEST",
    "ERCOT",
)
_HOUR_COLUMN: Final[str] = "Hour Ending"
_LABEL_RE: Final[str] = r"^(\d{2}/\d{2}/\d{4}) (\d{2}):00( DST)?$"


def _starts(labels: pd.Series, name: str) -> pd.DatetimeIndex:
    parts = labels.str.extract(_LABEL_RE)
    bad = parts[0].isna().to_numpy().copy()
    day = pd.to_datetime(parts[0], format="%m/%d/%Y", errors="coerce")
    hour = pd.to_numeric(parts[1], errors="coerce")
    bad |= day.isna().to_numpy() | ~hour.between(1, 24).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"not an hour ending 'MM/DD/YYYY HH:00[ DST]' with HH 01-24: {labels.iloc[pos]!r}",
            file=name,
            line=line_of(pos),
            column=_HOUR_COLUMN,
        )
    wall = pd.DatetimeIndex(day + pd.to_timedelta(hour - 1, unit="h")).as_unit("ns")
    repeated = parts[2].notna().to_numpy()
    utc, nonexistent, ambiguous = wall_to_utc(wall, repeated, tz=ERCOT_TZ)
    bad = nonexistent | (repeated & ~ambiguous)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{labels.iloc[pos]!r} is not an hour of US Central time (DST gap, or DST flag on a normal hour)",
            file=name,
            line=line_of(pos),
            column=_HOUR_COLUMN,
        )
    check_sorted_unique(utc.asi8, name, _HOUR_COLUMN)
    return utc


def parse_ercot_native_load(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse an ERCOT hourly native-load CSV.

    Raises
    ------
    DataError
        Missing zone column, bad hour label, a repeated or backwards hour, a load that is empty, not a
        number or negative.
    """
    label = source_name(source, name)
    frame = read_csv_text(source, label)
    require_columns(frame, (_HOUR_COLUMN, *ZONES), label)
    starts = _starts(frame[_HOUR_COLUMN], label)
    parts = []
    for zone in sorted(ZONES):
        load = to_float(frame, zone, label, required=True)
        if (load < 0).any():
            pos = int(np.flatnonzero(load < 0)[0])
            raise DataError(f"negative load {load[pos]} MW", file=label, line=line_of(pos), column=zone)
        parts.append(
            pd.DataFrame(
                {
                    "iso": "ERCOT",
                    "zone": zone,
                    "interval_start_utc": starts,
                    "interval_minutes": 60,
                    "load_mw": load,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    for col in ("iso", "zone"):
        out[col] = out[col].astype("str")
    return out


def read_ercot_native_load(path: str | Path) -> pd.DataFrame:
    """Read an ERCOT hourly native-load CSV (see :func:`parse_ercot_native_load`)."""
    return parse_ercot_native_load(Path(path), name=str(path))
