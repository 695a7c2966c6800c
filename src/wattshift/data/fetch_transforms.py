"""Transforms from downloaded origin bytes to the layout of the shared data files.

Pure functions ``list[bytes] -> bytes`` (one input per origin, in order), used by
:data:`wattshift.data.fetch_manifest.MANIFEST`. They keep values unchanged and only select,
reshape, rename or re-encode. A changed origin layout raises
:class:`~wattshift.errors.DataError` naming the missing column (the caller adds the file name).

Assumed origin layouts (from the origin repositories' code and ``power/README.md``):

- gridstatus ``Ercot().get_rtm_spp(year)`` frame: ``Interval Start`` (tz-aware), ``Location``,
  ``Location Type`` (``Trading Hub`` / ``Load Zone``), ``SPP`` [USD/MWh];
- ERCOT API np6-788-cd (SCED LMP): ``SCEDTimestamp``, ``repeatHourFlag``, ``settlementPoint``,
  ``LMP`` [USD/MWh];
- U.S. EIA wholesale-market CSV (SPP, CAISO): three preamble lines, then ``UTC Timestamp (Interval
  Ending)``, ``Local Timestamp <zone> (Interval Beginning)``, ``... (Interval Ending)``, ``Local
  Date``, ``Hour Number`` and ``<node> LMP`` / ``(Congestion)`` / ``(Energy)`` / ``(Loss)`` columns;
- raw ERCOT NP6-905 CSV: ``Delivery Date`` (MM/DD/YYYY), ``Delivery Hour``, ``Delivery Interval``,
  ``Repeated Hour Flag``, ``Settlement Point Name``, ``Settlement Point Type``,
  ``Settlement Point Price``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wattshift.data.feargreed import fear_greed_to_csv, parse_fear_greed_json
from wattshift.errors import DataError

Transform = Callable[[Sequence[bytes]], bytes]


def verbatim(inputs: Sequence[bytes]) -> bytes:
    """The single origin's bytes unchanged."""
    (data,) = inputs
    return data


def _csv_rows(data: bytes, what: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"origin {what} is not UTF-8 text: {exc}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise DataError(f"origin {what} has no data rows", line=len(rows) + 1)
    return rows


def _column_index(header: list[str], column: str, what: str) -> int:
    if column not in header:
        raise DataError(
            f"origin {what} lacks column {column!r} (layout changed?); found: {', '.join(header)}",
            line=1,
            column=column,
        )
    return header.index(column)


def _write_csv(rows: Sequence[Sequence[str]], lineterminator: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue().encode()


def select_csv(
    inputs: Sequence[bytes],
    *,
    columns: Sequence[str],
    date_column: str,
    first_day: dt.date,
    last_day: dt.date,
    lineterminator: str = "\r\n",
) -> bytes:
    """Keep ``columns`` (in that order) of the rows dated ``first_day..last_day``; cells verbatim."""
    (data,) = inputs
    rows = _csv_rows(data, "CSV")
    header = rows[0]
    idx = [_column_index(header, c, "CSV") for c in columns]
    date_idx = _column_index(header, date_column, "CSV")
    lo, hi = first_day.isoformat(), last_day.isoformat()
    kept = [[row[i] for i in idx] for row in rows[1:] if row and lo <= row[date_idx][:10] <= hi]
    return _write_csv([list(columns), *kept], lineterminator)


def fear_greed_json_to_csv(inputs: Sequence[bytes], *, first_day: dt.date, last_day: dt.date) -> bytes:
    """alternative.me API JSON → the daily CSV layout, restricted to ``first_day..last_day``."""
    (data,) = inputs
    frame = parse_fear_greed_json(data, name="api.alternative.me/fng")
    days = frame["date"].dt.date
    return fear_greed_to_csv(frame[(days >= first_day) & (days <= last_day)].reset_index(drop=True))


def rename_first_column_2dp(inputs: Sequence[bytes], *, old: str, new: str) -> bytes:
    """Rename the timestamp column ``old`` → ``new``; write every price with two decimals.

    The KushKod04 files write floats in shortest form (``33.2``); the shared copies write cents
    (``33.20``). Values are unchanged; empty cells stay empty.
    """
    (data,) = inputs
    rows = _csv_rows(data, "price CSV")
    if rows[0][0] != old:
        raise DataError(f"origin price CSV starts with {rows[0][0]!r}, expected {old!r}", line=1, column=old)
    out = [[new, *rows[0][1:]]]
    for n, row in enumerate(rows[1:], start=2):
        try:
            out.append([row[0], *(f"{float(x):.2f}" if x else "" for x in row[1:])])
        except ValueError as exc:
            raise DataError(f"origin price CSV: {exc}", line=n) from None
    return _write_csv(out)


def eia_lmp_only(inputs: Sequence[bytes]) -> bytes:
    """EIA wholesale-market CSV → its ``_LMPonly`` trim: no preamble, three kinds of column kept.

    Keeps ``UTC Timestamp (Interval Ending)``, the local interval-*beginning* timestamp and every
    ``<node> LMP`` column, in file order, cells as the original strings (how the shared SPP and CAISO
    files were trimmed, see ``markets/spp/README.md``); LF line endings.
    """
    (data,) = inputs
    rows = _csv_rows(data, "EIA CSV")
    start = next((i for i, row in enumerate(rows[:5]) if row and row[0].startswith("UTC Timestamp")), None)
    if start is None:
        raise DataError("origin EIA CSV has no 'UTC Timestamp' header in its first 5 lines", line=1)
    header = rows[start]
    utc = _column_index(header, "UTC Timestamp (Interval Ending)", "EIA CSV")
    local = [i for i, c in enumerate(header) if c.startswith("Local Timestamp") and "Beginning" in c]
    lmp = [i for i, c in enumerate(header) if c.endswith(" LMP")]
    if not local or not lmp:
        raise DataError(
            "origin EIA CSV lacks a local interval-beginning or '<node> LMP' column", line=start + 1
        )
    keep = [utc, local[0], *lmp]
    return _write_csv([[row[i] for i in keep] for row in rows[start:] if row])


_NP6_905 = (
    "Delivery Date",
    "Delivery Hour",
    "Delivery Interval",
    "Repeated Hour Flag",
    "Settlement Point Name",
    "Settlement Point Price",
)


def concat_np6_905_months(inputs: Sequence[bytes]) -> bytes:
    """Concatenate raw ERCOT NP6-905 month CSVs; add ``interval_ending_cpt``; snake-case names.

    ``interval_ending_cpt = Delivery Date + (Delivery Hour - 1) h + 15 min x Delivery Interval``
    (hour-ending convention of ERCOT's settlement files; naive Central Prevailing Time). Rows are
    then grouped by settlement point (stable sort: month and interval order kept within a point).
    Cells other than the new column are copied verbatim.
    """
    parts = []
    for data in inputs:
        try:
            raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataError(f"origin NP6-905 CSV is not readable: {exc}") from None
        for column in _NP6_905:
            if column not in raw.columns:
                raise DataError(
                    f"origin NP6-905 CSV lacks column {column!r} (layout changed?)", line=1, column=column
                )
        date = pd.to_datetime(raw["Delivery Date"], format="%m/%d/%Y", errors="coerce")
        hour = pd.to_numeric(raw["Delivery Hour"], errors="coerce")
        interval = pd.to_numeric(raw["Delivery Interval"], errors="coerce")
        ending = date + pd.to_timedelta(hour - 1, unit="h") + pd.to_timedelta(15 * interval, unit="min")
        bad = ending.isna().to_numpy()
        if bad.any():
            pos = int(bad.argmax())
            raise DataError(
                "origin NP6-905 CSV: bad delivery date/hour/interval "
                f"{raw['Delivery Date'].iloc[pos]!r} {raw['Delivery Hour'].iloc[pos]!r} "
                f"{raw['Delivery Interval'].iloc[pos]!r}",
                line=pos + 2,
            )
        parts.append(
            pd.DataFrame(
                {
                    "interval_ending_cpt": ending.dt.strftime("%Y-%m-%d %H:%M:%S"),
                    "delivery_date": raw["Delivery Date"],
                    "delivery_hour": raw["Delivery Hour"],
                    "delivery_interval": raw["Delivery Interval"],
                    "repeated_hour_flag": raw["Repeated Hour Flag"],
                    "settlement_point": raw["Settlement Point Name"],
                    "spp_usd_mwh": raw["Settlement Point Price"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).sort_values("settlement_point", kind="stable")
    text = io.StringIO()
    out.to_csv(text, index=False, lineterminator="\n")
    return text.getvalue().encode()


def _read_parquet(data: bytes, required: Sequence[str], what: str) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise DataError(f"origin {what} is not a readable parquet file: {exc}") from None
    for column in required:
        if column not in frame.columns:
            raise DataError(
                f"origin {what} lacks column {column!r} (layout changed?); found: {', '.join(frame.columns)}",
                column=column,
            )
    return frame


def _to_parquet(frame: pd.DataFrame, compression: Literal["snappy", "zstd"] = "snappy") -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression=compression)
    return buf.getvalue()


def merge_sced_lmp(inputs: Sequence[bytes]) -> bytes:
    """Five per-hub ERCOT API np6-788-cd parquet files → one long table.

    Columns ``sced_timestamp_cpt`` (naive Central time of the SCED run), ``repeat_hour_flag``,
    ``settlement_point`` (categorical), ``lmp_usd_mwh`` [USD/MWh]; hubs in input order.
    """
    names = {
        "SCEDTimestamp": "sced_timestamp_cpt",
        "repeatHourFlag": "repeat_hour_flag",
        "settlementPoint": "settlement_point",
        "LMP": "lmp_usd_mwh",
    }
    parts = [_read_parquet(data, list(names), "SCED LMP parquet")[list(names)] for data in inputs]
    frame = pd.concat(parts, ignore_index=True).rename(columns=names)
    frame["sced_timestamp_cpt"] = pd.to_datetime(frame["sced_timestamp_cpt"]).astype("datetime64[us]")
    frame["repeat_hour_flag"] = frame["repeat_hour_flag"].astype(bool)
    frame["settlement_point"] = frame["settlement_point"].astype("category")
    frame["lmp_usd_mwh"] = frame["lmp_usd_mwh"].astype("float64")
    return _to_parquet(frame, compression="zstd")  # as the shared copy (pinned hash)


_GRIDSTATUS = ("Interval Start", "Location", "Location Type", "SPP")


def _gridstatus_rows(data: bytes, location_type: str, prefix: str) -> pd.DataFrame:
    frame = _read_parquet(data, _GRIDSTATUS, "gridstatus RTM SPP parquet")
    keep = (frame["Location Type"] == location_type) & frame["Location"].astype(str).str.startswith(prefix)
    rows = frame.loc[keep, ["Interval Start", "Location", "SPP"]].copy()
    start = pd.to_datetime(rows["Interval Start"])
    if start.dt.tz is None:
        raise DataError(
            "origin gridstatus parquet: 'Interval Start' has no time zone", column="Interval Start"
        )
    rows["Interval Start"] = start
    return rows


def _iso_seconds(stamps: pd.DatetimeIndex) -> np.ndarray:
    """ISO 8601 text ``YYYY-MM-DDTHH:MM:SS`` of the wall-clock times (vectorised; tz dropped)."""
    return np.datetime_as_string(stamps.tz_localize(None).to_numpy(dtype="datetime64[s]"), unit="s")


def _utc_offset_text(local: pd.DatetimeIndex) -> np.ndarray:
    """``-06:00`` / ``-05:00`` style UTC offsets of tz-aware ``local`` times."""
    minutes = (
        (local.tz_localize(None) - local.tz_convert("UTC").tz_localize(None)) // pd.Timedelta(minutes=1)
    ).to_numpy()
    sign = np.where(minutes < 0, "-", "+")
    hh = np.char.zfill((np.abs(minutes) // 60).astype(str), 2)
    mm = np.char.zfill((np.abs(minutes) % 60).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, hh), ":"), mm)


def gridstatus_hubs_wide(inputs: Sequence[bytes]) -> bytes:
    """gridstatus ``get_rtm_spp(year)`` parquet → wide hub CSV (one column per trading hub).

    Columns ``interval_start_utc`` (``...Z``), ``interval_start_cpt`` (ISO with UTC offset, so the
    repeated DST hour stays unambiguous), then the ``HB_*`` hubs in name order [USD/MWh].
    """
    (data,) = inputs
    rows = _gridstatus_rows(data, "Trading Hub", "HB_")
    wide = rows.pivot(index="Interval Start", columns="Location", values="SPP").sort_index()
    wide = wide[sorted(wide.columns)]
    start = pd.DatetimeIndex(wide.index)
    cpt = start.tz_convert("America/Chicago")
    out = pd.DataFrame(
        {
            "interval_start_utc": np.char.add(_iso_seconds(start.tz_convert("UTC")), "Z"),
            "interval_start_cpt": np.char.add(_iso_seconds(cpt), _utc_offset_text(cpt)),
        }
    )
    for hub in wide.columns:
        out[str(hub)] = wide[hub].to_numpy(dtype="float64")
    text = io.StringIO()
    out.to_csv(text, index=False, lineterminator="\n")
    return text.getvalue().encode()


def gridstatus_lz_pairs(inputs: Sequence[bytes]) -> bytes:
    """gridstatus ``get_rtm_spp(year)`` parquet → load-zone parquet with the (LZ, LZEW) pair.

    gridstatus labels both ERCOT's ``LZ`` and ``LZEW`` rows "Load Zone", in no fixed order, so each
    (interval, zone) pair is stored as ``spp_lo_usd_mwh`` / ``spp_hi_usd_mwh`` (values unchanged).
    """
    (data,) = inputs
    rows = _gridstatus_rows(data, "Load Zone", "LZ_")
    rows["interval_start_utc"] = rows["Interval Start"].dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    grouped = rows.groupby(["interval_start_utc", "Location"], sort=True)["SPP"]
    out = pd.DataFrame({"spp_lo_usd_mwh": grouped.min(), "spp_hi_usd_mwh": grouped.max()}).reset_index()
    out = out.rename(columns={"Location": "settlement_point"})
    out["settlement_point"] = out["settlement_point"].astype(str)
    return _to_parquet(out[["interval_start_utc", "settlement_point", "spp_lo_usd_mwh", "spp_hi_usd_mwh"]])
