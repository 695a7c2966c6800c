"""Nord Pool day-ahead prices of the Swedish bidding zones → the canonical price frame, in EUR.

Two sources:

``SE1/2021.csv`` … ``SE4/2026.csv`` (elprisetjustnu.se republication, one folder per zone)
    ``time_start, time_end`` (ISO-8601 with the Europe/Stockholm offset), ``SEK_per_kWh,
    EUR_per_kWh, EXR``. Hourly until 2025-09-30; 15-minute from 2025-10-01 (the day-ahead market's
    switch to a 15-minute MTU).
``energinet_Elspotprices_SE3_SE4_2023_2024.csv`` (Energinet Energi Data Service "Elspotprices")
    ``HourUTC;HourDK;PriceArea;SpotPriceDKK;SpotPriceEUR``: semicolon-separated, decimal comma,
    newest first, prices per MWh.

The autumn clock change, as the files really have it. Both keep all 25 hours (or 100 quarter-hours)
of the long day, with distinct start instants. The elprisetjustnu files label the *first* repeated
hour with the next hour's end, e.g. ``2024-10-27T02:00:00+02:00, 2024-10-27T03:00:00+01:00`` (which
reads as a two-hour row, 00:00-02:00 UTC) followed by ``2024-10-27T02:00:00+01:00`` (01:00 UTC): the
"merged" row overlaps the next one, and its price is Energinet's price for 00:00-01:00 UTC alone. In
the 15-minute era the same happens to the last quarter-hour before the change (``02:45+02:00 →
03:00+01:00``, a "1 h 15 min" row). The reader takes the start as the truth and the interval as one
step (60 or 15 minutes); an end label one hour too late is accepted only there (the row's start has
the summer offset, its end the winter offset and the next row starts one step later), counted in
``frame.attrs["autumn_end_labels_fixed"]``; any other end that disagrees is an error. Energinet's
``HourDK`` repeats 02:00 at the change while ``HourUTC`` does not; the reader checks HourDK against
HourUTC in Europe/Copenhagen.

Output: ``iso="NORDPOOL"``, ``node`` = zone (``SE1``…``SE4``), ``market="da"``,
``price_eur_per_mwh`` [EUR/MWh] (the native currency; the warehouse converts to USD at query time
with the ECB rate of the delivery day, see :mod:`wattshift.warehouse.fx`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.market_frame import long_prices, plausible_floor, price_columns
from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_bytes,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
)
from wattshift.errors import DataError
from wattshift.markets import MARKETS

ISO: Final[str] = "NORDPOOL"
PRICE_COLUMN: Final[str] = "price_eur_per_mwh"
KWH_PER_MWH: Final[float] = 1_000.0
#: First delivery instant of the 15-minute day-ahead MTU (2025-10-01 00:00 Europe/Stockholm).
MTU15_START_UTC: Final[pd.Timestamp] = pd.Timestamp("2025-09-30 22:00", tz="UTC")
_HOUR_NS: Final[int] = 3_600 * 10**9


def _zone(zone: str, name: str) -> str:
    if zone not in MARKETS[ISO].nodes:
        raise DataError(
            f"unknown Nordic zone {zone!r} (the folder names the zone; "
            f"known: {', '.join(MARKETS[ISO].nodes)})",
            file=name,
        )
    return zone


def _steps_minutes(starts: pd.DatetimeIndex) -> np.ndarray:
    """Day-ahead MTU [min] of each start: 60 before 2025-10-01 (Stockholm), 15 from then."""
    return np.where(starts >= MTU15_START_UTC, 15, 60).astype(np.int64)


def _check_ends(starts: pd.DatetimeIndex, ends_text: pd.Series, steps: np.ndarray, name: str) -> int:
    """Check ``time_end`` against start + step; return the number of autumn end labels accepted."""
    ends = pd.DatetimeIndex(pd.to_datetime(ends_text, utc=True, errors="coerce")).as_unit("ns")
    step_ns = steps * 60 * 10**9
    extra = ends.asi8 - starts.asi8 - step_ns
    start_offset = ends_text.str[-6:].to_numpy()  # "+02:00"/"+01:00" of the *end* label
    next_start = np.append(starts.asi8[1:], np.iinfo(np.int64).max)
    autumn = (extra == _HOUR_NS) & (start_offset == "+01:00") & (next_start == starts.asi8 + step_ns)
    bad = np.asarray(ends.isna(), dtype=bool) | ((extra != 0) & ~autumn)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"time_end {ends_text.iloc[pos]!r} is not one {int(steps[pos])}-minute step after the start",
            file=name,
            line=line_of(pos),
            column="time_end",
        )
    return int(autumn.sum())


def parse_nordic_dayahead(source: Source, *, zone: str, name: str | None = None) -> pd.DataFrame:
    """Parse one elprisetjustnu.se zone-year file (``SE3/2024.csv``).

    Parameters
    ----------
    source
        Path, bytes or file object.
    zone
        Bidding zone (``SE1``…``SE4``), from the folder name.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ``iso, node, market, interval_start_utc, interval_minutes, price_eur_per_mwh`` sorted by time;
        ``attrs["autumn_end_labels_fixed"]`` counts the autumn rows whose end label was one hour late.

    Raises
    ------
    DataError
        Unknown zone, bad timestamp, repeated or backwards start, inconsistent end, bad price.
    """
    label = source_name(source, name)
    node = _zone(zone, label)
    frame = read_csv_text(source, label)
    require_columns(frame, ("time_start", "time_end", "EUR_per_kWh"), label)
    starts = pd.DatetimeIndex(to_datetime(frame, "time_start", label, utc=True)).as_unit("ns")
    check_sorted_unique(starts.asi8, label, "time_start")
    steps = _steps_minutes(starts)
    fixed = _check_ends(starts, frame["time_end"], steps, label)
    spec = MARKETS[ISO]
    block = price_columns(frame, ["EUR_per_kWh"], label, first_data_line=2) * KWH_PER_MWH
    bad = block[:, 0] < plausible_floor(spec.price_floor)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"price {block[pos, 0]} EUR/MWh below the plausible floor", file=label, line=line_of(pos)
        )
    out = long_prices(ISO, "da", starts, [node], block, steps, price_column=PRICE_COLUMN)
    out.attrs["autumn_end_labels_fixed"] = fixed
    return out


def read_nordic_dayahead(path: str | Path) -> pd.DataFrame:
    """Read ``<ZONE>/<YEAR>.csv`` (zone = the parent folder's name); see :func:`parse_nordic_dayahead`."""
    p = Path(path)
    return parse_nordic_dayahead(p, zone=p.parent.name, name=str(path))


def parse_energinet_elspot(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse Energinet's Elspotprices export (semicolon, decimal comma, EUR per MWh).

    Returns
    -------
    pandas.DataFrame
        As :func:`parse_nordic_dayahead` (hourly), one series per ``PriceArea``, sorted by (zone, time).

    Raises
    ------
    DataError
        Unknown area, HourDK that is not HourUTC in Europe/Copenhagen, an hour twice, bad price.
    """
    label = source_name(source, name)
    raw = read_bytes(source)
    text = raw.replace(b",", b".").replace(b";", b",")  # decimal comma → point, then semicolons → commas
    frame = read_csv_text(io.BytesIO(text), label)
    require_columns(frame, ("HourUTC", "HourDK", "PriceArea", "SpotPriceEUR"), label)
    starts = pd.DatetimeIndex(
        to_datetime(frame, "HourUTC", label, fmt="%Y-%m-%d %H:%M:%S", utc=True)
    ).as_unit("ns")
    local = pd.DatetimeIndex(to_datetime(frame, "HourDK", label, fmt="%Y-%m-%d %H:%M:%S")).as_unit("ns")
    expected = starts.tz_convert("Europe/Copenhagen").tz_localize(None)
    off = local != expected
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"HourDK {local[pos]} is not HourUTC {starts[pos]} in Danish time ({expected[pos]})",
            file=label,
            line=line_of(pos),
            column="HourDK",
        )
    areas = frame["PriceArea"].to_numpy(dtype=object)
    for area in pd.unique(areas):
        if area not in MARKETS[ISO].nodes:
            pos = int(np.flatnonzero(areas == area)[0])
            raise DataError(
                f"unknown price area {area!r} (known: {', '.join(MARKETS[ISO].nodes)})",
                file=label,
                line=line_of(pos),
                column="PriceArea",
            )
    prices = price_columns(frame, ["SpotPriceEUR"], label, first_data_line=2)[:, 0]
    parts = []
    for area in sorted(pd.unique(areas)):
        sel = np.flatnonzero(areas == area)
        order = np.argsort(starts.asi8[sel], kind="stable")
        check_sorted_unique(starts.asi8[sel][order], label, "HourUTC", positions=sel[order].tolist())
        parts.append(
            long_prices(ISO, "da", starts[sel], [str(area)], prices[sel, None], 60, price_column=PRICE_COLUMN)
        )
    return pd.concat(parts, ignore_index=True)


def read_energinet_elspot(path: str | Path) -> pd.DataFrame:
    """Read Energinet's Elspotprices CSV (see :func:`parse_energinet_elspot`)."""
    return parse_energinet_elspot(Path(path), name=str(path))
