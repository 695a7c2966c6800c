"""ERCOT real-time 15-minute settlement point price CSVs → the ISO price frame (market ``rt``).

Two layouts of the same ERCOT prices (RTM settlement point prices, with ORDC/reliability adders):

- **NP6-905 long layout** (``ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv``): one row per
  settlement point and interval, ``delivery_date`` (MM/DD/YYYY), ``delivery_hour`` (1-24, hour
  ending), ``delivery_interval`` (1-4), ``repeated_hour_flag`` (Y on the second, CST, reading of the
  fall-back hour), ``settlement_point``, ``spp_usd_mwh``; optionally ``interval_ending_cpt``
  (naive Central interval end, checked against the other fields when present).
  Interval start (local wall clock) = date + (hour - 1) h + (interval - 1) × 15 min.
- **Wide UTC layout** (``ercot_rtm_spp_15min_hubs_<year>.csv``): ``interval_start_utc``
  (ISO 8601, Z), ``interval_start_cpt`` (ISO 8601 with the UTC offset, which makes the repeated
  hour unambiguous) and one column per hub [USD/MWh]. The two timestamps must agree: same
  instant, and the wall clock/offset of America/Chicago at that instant.

References
----------
ERCOT NP6-905-CD "Settlement Point Prices at Resource Nodes, Hubs and Load Zones" and NP6-785-ER
"Historical RTM Load Zone and Hub Prices", https://www.ercot.com/mp/data-products
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.ercot_common import (
    check_aligned,
    check_node_columns,
    check_order,
    float_column,
    localize_wall,
    melt_wide,
    price_frame,
    required_float,
    required_nodes,
    wide_prices,
)
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

NP6905_COLUMNS: Final[tuple[str, ...]] = (
    "delivery_date",
    "delivery_hour",
    "delivery_interval",
    "repeated_hour_flag",
    "settlement_point",
    "spp_usd_mwh",
)
WIDE_UTC_TIME_COLUMNS: Final[tuple[str, ...]] = ("interval_start_utc", "interval_start_cpt")
RT_INTERVAL_MINUTES: Final[int] = 15
_MIN_NS: Final[int] = 60 * 10**9


def _integer_field(raw: pd.DataFrame, column: str, name: str, lo: int, hi: int) -> npt.NDArray[np.int64]:
    values = float_column(raw, column, name)
    if np.isnan(values).any():
        values = to_float(raw, column, name, required=True)
    bad = (values != np.round(values)) | (values < lo) | (values > hi)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"expected a whole number {lo}..{hi}, got {raw[column].iloc[pos]!r}",
            file=name,
            line=line_of(pos),
            column=column,
        )
    return values.astype(np.int64)


def _yes_no(raw: pd.DataFrame, column: str, name: str) -> npt.NDArray[np.bool_]:
    text = raw[column].astype("str").str.strip().str.upper()
    ok = text.isin(["Y", "N"]).to_numpy() & raw[column].notna().to_numpy()
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        raise DataError(
            f"expected Y or N, got {raw[column].iloc[pos]!r}", file=name, line=line_of(pos), column=column
        )
    return (text == "Y").to_numpy(dtype=bool)


def parse_ercot_rtm_spp_np6905(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the long NP6-905 real-time settlement point price CSV.

    Parameters
    ----------
    buf
        Path, bytes or file object of the CSV.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ISO price frame: market ``rt``, 15-minute intervals, ``price_usd_per_mwh`` [USD/MWh],
        sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Missing column; bad date, hour (1-24), interval (1-4) or flag (Y/N); a label in the
        spring-forward gap; ``Y`` on an hour that is not repeated; ``interval_ending_cpt``
        disagreeing with the other fields; non-numeric or implausible price; duplicate or
        out-of-order interval for a settlement point; empty or truncated file.

    Notes
    -----
    Start (wall) = date + (hour - 1) h + (interval - 1) × 15 min, localised to America/Chicago with
    the flag choosing CST for the repeated hour (:mod:`wattshift.data.ercot_time`). Within a
    settlement point the repeated hour may be listed interleaved or as two blocks.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    require_columns(raw, NP6905_COLUMNS, name)
    dates = pd.DatetimeIndex(to_datetime(raw, "delivery_date", name, fmt="%m/%d/%Y")).as_unit("ns")
    hours = _integer_field(raw, "delivery_hour", name, 1, 24)
    intervals = _integer_field(raw, "delivery_interval", name, 1, 60 // RT_INTERVAL_MINUTES)
    repeated = _yes_no(raw, "repeated_hour_flag", name)
    nodes = required_nodes(raw, "settlement_point", name, first_data_line=2)
    prices = required_float(raw, "spp_usd_mwh", name, first_data_line=2)
    offset_ns = ((hours - 1) * 60 + (intervals - 1) * RT_INTERVAL_MINUTES) * _MIN_NS
    wall = pd.DatetimeIndex((dates.asi8 + offset_ns).view("M8[ns]"))
    if "interval_ending_cpt" in raw.columns:
        ending = pd.DatetimeIndex(
            to_datetime(raw, "interval_ending_cpt", name, fmt="%Y-%m-%d %H:%M:%S")
        ).as_unit("ns")
        differs = ending.asi8 != wall.asi8 + RT_INTERVAL_MINUTES * _MIN_NS
        if differs.any():
            pos = int(np.flatnonzero(differs)[0])
            raise DataError(
                f"interval end {ending[pos]} disagrees with delivery_date/hour/interval "
                f"(expected {wall[pos] + pd.Timedelta(minutes=RT_INTERVAL_MINUTES)})",
                file=name,
                line=line_of(pos),
                column="interval_ending_cpt",
            )
    utc, key = localize_wall(wall, repeated, name, "delivery_hour", flag_column="repeated_hour_flag")
    check_order(nodes, key, utc, name, "delivery_interval")
    return price_frame(nodes, "rt", utc, RT_INTERVAL_MINUTES, prices)


def read_ercot_rtm_spp_np6905(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_rtm_spp_15min_*_selected_months.csv`` (see :func:`parse_ercot_rtm_spp_np6905`)."""
    return parse_ercot_rtm_spp_np6905(Path(path), name=str(path))


def _check_cpt_agrees(raw: pd.DataFrame, utc: pd.DatetimeIndex, name: str) -> None:
    """``interval_start_cpt`` must be the America/Chicago wall clock and offset of ``interval_start_utc``."""
    column = "interval_start_cpt"
    text = raw[column].astype("str")
    wall = pd.DatetimeIndex(
        to_datetime(pd.DataFrame({column: text.str[:19]}), column, name, fmt="%Y-%m-%dT%H:%M:%S")
    ).as_unit("ns")
    expected_wall = utc.tz_convert(ERCOT_TZ).tz_localize(None).as_unit("ns")
    offset_min = (expected_wall.asi8 - utc.tz_localize(None).asi8) // _MIN_NS
    # the few distinct offsets (-05:00, -06:00) formatted once, then compared as text
    distinct, which = np.unique(offset_min, return_inverse=True)
    labels = np.array([f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in distinct])
    offset_ok = text.str[19:].to_numpy(dtype=object) == labels[which]
    bad = (wall.asi8 != expected_wall.asi8) | ~offset_ok
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        local = utc[pos].tz_convert(ERCOT_TZ).isoformat()
        raise DataError(
            f"{text.iloc[pos]} disagrees with interval_start_utc {utc[pos].isoformat()} (expected {local})",
            file=name,
            line=line_of(pos),
            column=column,
        )


def parse_ercot_rtm_spp_wide_utc(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse a wide 15-minute RTM hub price CSV keyed by ``interval_start_utc``/``interval_start_cpt``.

    Parameters
    ----------
    buf
        Path, bytes or file object of the CSV.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ISO price frame: market ``rt``, 15-minute intervals, ``price_usd_per_mwh`` [USD/MWh];
        one row per non-empty cell, sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Missing timestamp column or a column not named like a hub/load zone; bad, off-grid,
        duplicate or out-of-order ``interval_start_utc``; ``interval_start_cpt`` disagreeing with
        it; non-numeric or implausible price; empty or truncated file.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    require_columns(raw, WIDE_UTC_TIME_COLUMNS, name)
    nodes = check_node_columns([str(c) for c in raw.columns if c not in WIDE_UTC_TIME_COLUMNS], name)
    utc = pd.DatetimeIndex(to_datetime(raw, "interval_start_utc", name, fmt="ISO8601", utc=True)).as_unit(
        "ns"
    )
    check_order(None, utc.asi8, utc, name, "interval_start_utc")
    check_aligned(utc, RT_INTERVAL_MINUTES, name, "interval_start_utc")
    _check_cpt_agrees(raw, utc, name)
    block = wide_prices(raw, nodes, name)
    return melt_wide(utc, nodes, block, "rt", RT_INTERVAL_MINUTES)


def read_ercot_rtm_spp_wide_utc(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_rtm_spp_15min_hubs_<year>.csv`` (see :func:`parse_ercot_rtm_spp_wide_utc`)."""
    return parse_ercot_rtm_spp_wide_utc(Path(path), name=str(path))
