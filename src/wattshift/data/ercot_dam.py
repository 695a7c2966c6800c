"""ERCOT day-ahead hourly files (hour-ending Central labels) → the ISO price frame.

Two wide CSV layouts, both keyed by ``hour_ending_cpt``, a naive US Central wall-clock label of
the *end* of the operating hour (``2023-07-01 01:00:00`` = HE1 = 00:00-01:00 local; HE24 is
written as the next day's ``00:00:00``):

- DAM settlement point prices, hubs and load zones (ERCOT NP4-180-ER, ``DAMLZHBSPP``), one column
  per settlement point [USD/MWh] → market ``da``;
- DAM ancillary service market clearing prices for capacity (NP4-181-ER, ``DAMASMCPC``), one
  column per product REGDN, REGUP, RRS, NSPIN, ECRS [USD/MW per hour] → market ``da_as`` with the
  product as node.

Daylight saving time
--------------------
- Spring forward: hour ending 03:00 does not exist (local 02:00-03:00 is skipped); such a label
  is an error. The day has 23 rows (HE1, HE2, HE4 ... HE24).
- Fall back: local 01:00-02:00 happens twice, both labelled ``02:00:00``. When a label appears
  twice (the MCPC file), the first row is the CDT hour (06:00 UTC in 2023) and the second the CST
  hour (07:00 UTC). When it appears once (the DAMLZHBSPP file, whose source merged the two rows),
  the row is taken as the **first (CDT) hour and the CST hour is left missing**; no value is
  invented for it. How the upstream merge combined the two hours is not documented; the one
  check possible suggests a mean (see :func:`parse_ercot_dam_spp_wide`), so
  ``merged_fall_hour="drop"`` drops the label instead.
- Empty cells (ECRS before the product started on 2023-06-10) give no row, never a 0.

References
----------
ERCOT Market Information System reports NP4-180-ER "DAM Settlement Point Prices" and NP4-181-ER
"DAM Ancillary Service Market Clearing Prices for Capacity", https://www.ercot.com/mp/data-products
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.ercot_common import (
    check_node_columns,
    check_order,
    localize_wall,
    melt_wide,
    wide_prices,
)
from wattshift.data.ercot_time import wall_to_utc
from wattshift.data.validate import (
    Source,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
)
from wattshift.errors import DataError

#: Handling of a fall-back hour label that appears once: keep as the CDT hour, or drop.
MergedHour = Literal["first", "drop"]

HOUR_ENDING_COLUMN: Final[str] = "hour_ending_cpt"
HOUR_ENDING_FORMAT: Final[str] = "%Y-%m-%d %H:%M:%S"
#: Ancillary products of the DAM MCPC file (ECRS from 2023-06-10).
AS_PRODUCTS: Final[tuple[str, ...]] = ("REGDN", "REGUP", "RRS", "NSPIN", "ECRS")


def hour_ending_to_utc(
    raw: pd.DataFrame, name: str, column: str = HOUR_ENDING_COLUMN
) -> tuple[pd.DatetimeIndex, npt.NDArray[np.bool_]]:
    """UTC start of each hour-ending Central label, in file order, after the DST and order checks.

    A label's second appearance is read as the repeated (CST) hour when that hour is repeated,
    else reported as a duplicate.

    Returns
    -------
    utc
        Interval start per row [UTC].
    merged
        True on a fall-back label that appears only once (taken as the CDT hour).

    Raises
    ------
    DataError
        Unparseable or off-the-hour label, a label in the spring-forward gap, a duplicate hour,
        or rows out of order.
    """
    ending = pd.DatetimeIndex(to_datetime(raw, column, name, fmt=HOUR_ENDING_FORMAT)).as_unit("ns")
    off = (ending.minute != 0) | (ending.second != 0)
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"hour-ending label {ending[pos]} is not on the hour", file=name, line=line_of(pos), column=column
        )
    wall = ending - pd.Timedelta(hours=1)
    second_reading = np.asarray(wall.duplicated(keep="first"), dtype=bool)
    utc, key = localize_wall(wall, second_reading, name, column, strict_flag=False)
    check_order(None, key, utc, name, column)
    _, _, ambiguous = wall_to_utc(wall)
    merged = ambiguous & ~np.asarray(wall.duplicated(keep=False), dtype=bool)
    return utc, merged


def _parse_hourly_wide(
    buf: Source, name: str, market: str, allowed: tuple[str, ...] | None, merged_fall_hour: MergedHour
) -> pd.DataFrame:
    raw = read_csv_text(buf, name)
    require_columns(raw, [HOUR_ENDING_COLUMN], name)
    columns = [str(c) for c in raw.columns if c != HOUR_ENDING_COLUMN]
    if allowed is None:
        nodes = check_node_columns(columns, name)
    else:
        unknown = [c for c in columns if c not in allowed]
        if unknown or not columns:
            raise DataError(
                f"unexpected column (expected some of {', '.join(allowed)})",
                file=name,
                line=1,
                column=unknown[0] if unknown else None,
            )
        nodes = columns
    utc, merged = hour_ending_to_utc(raw, name)
    block = wide_prices(raw, nodes, name)
    if merged_fall_hour == "drop":
        block[merged, :] = np.nan
    return melt_wide(utc, nodes, block, market, 60)


def parse_ercot_dam_spp_wide(
    buf: Source, *, name: str | None = None, merged_fall_hour: MergedHour = "first"
) -> pd.DataFrame:
    """Parse the wide hourly DAM hub/load-zone price CSV (``hour_ending_cpt`` + one column per node).

    Parameters
    ----------
    buf
        Path, bytes or file object of the CSV.
    name
        File name for error messages (default: the path, else ``"<buffer>"``).
    merged_fall_hour
        What to do with a fall-back label that appears once: ``"first"`` (default) keeps it as the
        CDT hour, ``"drop"`` leaves both hours of that label missing (see Notes).

    Returns
    -------
    pandas.DataFrame
        ISO price frame: market ``da``, 60-minute intervals, ``price_usd_per_mwh`` [USD/MWh];
        one row per non-empty cell, sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Missing ``hour_ending_cpt`` or a column not named like a hub/load zone; non-numeric or
        implausible price; bad, nonexistent, duplicate or out-of-order hour; empty or truncated file.

    Notes
    -----
    ``interval_start_utc = localize(hour_ending_cpt - 1 h)``; a single fall-back ``02:00`` label is
    the CDT hour (module docstring). In the shared file that merged row looks like the *mean* of
    the two real hours, not the CDT hour: on 2024-11-03 HB_HUBAVG reads 12.04 USD/MWh where the
    gridstatus.io day-ahead series has 10.57 (CDT) and 13.52 (CST), mean 12.045. Use
    ``merged_fall_hour="drop"`` where that matters.
    """
    name = source_name(buf, name)
    return _parse_hourly_wide(buf, name, "da", None, merged_fall_hour)


def read_ercot_dam_spp_wide(path: str | Path, *, merged_fall_hour: MergedHour = "first") -> pd.DataFrame:
    """Read ``ercot_dam_spp_hub_lz_hourly_*.csv`` (see :func:`parse_ercot_dam_spp_wide`)."""
    return parse_ercot_dam_spp_wide(Path(path), name=str(path), merged_fall_hour=merged_fall_hour)


def parse_ercot_dam_as_mcpc(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the wide hourly DAM ancillary clearing price CSV (``hour_ending_cpt`` + products).

    Parameters
    ----------
    buf
        Path, bytes or file object of the CSV.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ISO price frame: market ``da_as``, node = product (REGDN, REGUP, RRS, NSPIN, ECRS),
        60-minute intervals, ``price_usd_per_mwh`` holding [USD/MW per hour]. A label repeated at
        the fall-back hour gives the CDT then the CST hour; empty cells give no row.

    Raises
    ------
    DataError
        As :func:`parse_ercot_dam_spp_wide`, with product names instead of node names.
    """
    name = source_name(buf, name)
    return _parse_hourly_wide(buf, name, "da_as", AS_PRODUCTS, "first")


def read_ercot_dam_as_mcpc(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_dam_as_mcpc_hourly_*.csv`` (see :func:`parse_ercot_dam_as_mcpc`)."""
    return parse_ercot_dam_as_mcpc(Path(path), name=str(path))
