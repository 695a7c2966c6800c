"""ERCOT clock conventions: Central wall-clock labels ↔ UTC interval starts.

ERCOT publishes prices against US Central *wall-clock* labels ("Central Prevailing Time", CPT):
an operating day ``delivery_date``, an hour *ending* ``delivery_hour`` 1-24 and, for sub-hourly
prices, an interval ``delivery_interval`` 1..(60 / step) within that hour. Two days a year break the
naive mapping:

- **spring forward** (second Sunday of March): local clock jumps from 02:00 CST to 03:00 CDT, so
  hour ending 03 does not exist; the day has 23 hours (1, 2, 4, ..., 24);
- **fall back** (first Sunday of November): local 01:00-02:00 happens twice (first CDT, then CST);
  ERCOT labels both hour ending 02 and marks the second (CST) one with ``DSTFlag``/
  ``repeated_hour_flag`` = ``Y``; the day has 25 hours.

Internally wattshift keeps tz-aware UTC interval starts; this module converts both ways, exactly:

.. math::

    t_\\text{wall} = \\text{delivery\\_date} + (\\text{delivery\\_hour} - 1)\\,\\text{h}
                   + (\\text{delivery\\_interval} - 1)\\,\\Delta t,
    \\qquad t_\\text{UTC} = t_\\text{wall} - \\text{offset}(t_\\text{wall}, \\text{flag})

where offset is -5 h (CDT) or -6 h (CST) from the tz database, and the flag picks the CST reading of
an ambiguous wall time. A UTC start ``u`` is the repeated (second) reading exactly when
``wall(u) == wall(u - 1 h)``.

References
----------
ERCOT, "Nodal Protocols Section 2: Definitions and Acronyms" (Operating Day, Operating Hour) and
"Market Data Transparency" report notes (DSTFlag); IANA tz database entry ``America/Chicago``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

#: IANA zone of ERCOT's Central Prevailing Time.
ERCOT_TZ: Final[str] = "America/Chicago"

#: Columns :func:`to_local` adds to an ISO price frame.
LOCAL_COLUMNS: Final[tuple[str, ...]] = (
    "interval_start_local",
    "delivery_date",
    "hour_ending_local",
    "delivery_hour",
    "delivery_interval",
    "repeated_hour_flag",
)

_NS_PER_MIN: Final[int] = 60 * 10**9
_HOUR: Final[pd.Timedelta] = pd.Timedelta(hours=1)

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def wall_to_utc(
    wall: pd.DatetimeIndex, repeated: BoolArray | None = None, *, tz: str = ERCOT_TZ
) -> tuple[pd.DatetimeIndex, BoolArray, BoolArray]:
    """Localise naive wall-clock times to UTC, resolving the fall-back hour with ``repeated``.

    Parameters
    ----------
    wall
        Naive local wall-clock times (interval starts).
    repeated
        True where the row is the second (standard-time, CST) reading of an ambiguous wall time;
        None = all False (first, daylight-time reading).
    tz
        IANA time zone of the wall clock.

    Returns
    -------
    utc
        tz-aware UTC timestamps [ns]; NaT where the wall time does not exist (spring-forward gap).
    nonexistent
        True where the wall time falls in the spring-forward gap.
    ambiguous
        True where the wall time occurs twice (fall-back hour).
    """
    n = len(wall)
    flag = np.zeros(n, dtype=bool) if repeated is None else np.asarray(repeated, dtype=bool)
    wall_ns = wall.as_unit("ns")
    first = wall_ns.tz_localize(tz, ambiguous=np.ones(n, dtype=bool), nonexistent="NaT")
    second = wall_ns.tz_localize(tz, ambiguous=np.zeros(n, dtype=bool), nonexistent="NaT")
    first_i8 = first.asi8
    second_i8 = second.asi8
    nonexistent = np.asarray(first.isna(), dtype=bool)
    ambiguous = (first_i8 != second_i8) & ~nonexistent
    chosen = np.where(flag & ambiguous, second_i8, first_i8)
    utc = pd.DatetimeIndex(chosen.view("M8[ns]")).tz_localize("UTC")
    return utc, nonexistent, ambiguous


def order_key_ns(
    wall: pd.DatetimeIndex, utc: pd.DatetimeIndex, ambiguous: BoolArray, *, tz: str = ERCOT_TZ
) -> IntArray:
    """Sort key that accepts both orders a file may use for the repeated hour [ns since epoch].

    Outside the fall-back hour the key is the UTC instant. Inside it, every row gets the UTC start
    of the *first* reading of its wall-clock hour, so a file may list the repeated hour
    interleaved (01:00 CDT, 01:00 CST, 01:05 CDT, ...; the SCED layout) or as two blocks (all
    CDT rows, then all CST rows; ERCOT's NP6-905 layout) and still count as sorted.
    """
    key = utc.asi8.copy()
    if ambiguous.any():
        hour = pd.DatetimeIndex(wall[ambiguous]).as_unit("ns").floor("h")
        first = hour.tz_localize(tz, ambiguous=np.ones(len(hour), dtype=bool))
        key[ambiguous] = first.asi8
    return key


def _as_utc(values: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(values)
    if idx.tz is None:
        raise ValueError("interval_start_utc must be tz-aware (UTC)")
    return idx.tz_convert("UTC").as_unit("ns")


def to_local(frame: pd.DataFrame, tz: str = ERCOT_TZ) -> pd.DataFrame:
    """Add ERCOT local-time labels to an ISO price frame (one row per interval, order kept).

    Parameters
    ----------
    frame
        ISO price frame (``interval_start_utc`` tz-aware, ``interval_minutes`` [min]).
    tz
        IANA time zone of the labels (ERCOT: America/Chicago).

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus :data:`LOCAL_COLUMNS`:

        - ``interval_start_local``: tz-aware local start;
        - ``delivery_date``: operating day (naive midnight) of the start;
        - ``hour_ending_local``: naive wall-clock end of the operating hour (HE24 = next day 00:00),
          the label of the hourly DAM files;
        - ``delivery_hour``: hour ending 1-24 (spring day: 3 is skipped; fall day: 2 twice);
        - ``delivery_interval``: 1..(60 / interval_minutes) within the hour;
        - ``repeated_hour_flag``: True on the second (CST) reading of the fall-back hour.

    Notes
    -----
    ``wall(u) = u + offset(u)``; repeated iff ``wall(u) == wall(u - 1 h)`` (only a backward clock
    shift maps two instants one hour apart to one wall time). :func:`from_local` inverts this
    exactly.
    """
    utc = _as_utc(frame["interval_start_utc"])
    local = utc.tz_convert(tz)
    wall = local.tz_localize(None)
    wall_before = (utc - _HOUR).tz_convert(tz).tz_localize(None)
    minutes = frame["interval_minutes"].to_numpy(dtype=np.int64)
    out = frame.copy()
    out["interval_start_local"] = local
    out["delivery_date"] = wall.normalize()
    out["hour_ending_local"] = wall.floor("h") + _HOUR
    out["delivery_hour"] = np.asarray(wall.hour, dtype=np.int64) + 1
    out["delivery_interval"] = np.asarray(wall.minute, dtype=np.int64) // np.maximum(minutes, 1) + 1
    out["repeated_hour_flag"] = np.asarray(wall == wall_before, dtype=bool)
    return out


def from_local(local: pd.DataFrame, tz: str = ERCOT_TZ) -> pd.Series:
    """UTC interval starts from ERCOT delivery labels (the inverse of :func:`to_local`).

    Parameters
    ----------
    local
        Frame with ``delivery_date`` (naive midnight), ``delivery_hour`` (1-24, hour ending),
        ``delivery_interval`` (1-based), ``repeated_hour_flag`` (bool) and ``interval_minutes``.
    tz
        IANA time zone of the labels.

    Returns
    -------
    pandas.Series
        ``interval_start_utc`` (datetime64[ns, UTC]) on ``local``'s index.

    Raises
    ------
    ValueError
        If a label does not exist locally (spring-forward gap) or a repeated flag sits on an hour
        that is not repeated.
    """
    dates = pd.DatetimeIndex(local["delivery_date"]).as_unit("ns")
    hours = local["delivery_hour"].to_numpy(dtype=np.int64)
    intervals = local["delivery_interval"].to_numpy(dtype=np.int64)
    minutes = local["interval_minutes"].to_numpy(dtype=np.int64)
    offset_ns = ((hours - 1) * 60 + (intervals - 1) * minutes) * _NS_PER_MIN
    wall = pd.DatetimeIndex((dates.asi8 + offset_ns).view("M8[ns]"))
    flag = local["repeated_hour_flag"].to_numpy(dtype=bool)
    utc, nonexistent, ambiguous = wall_to_utc(wall, flag, tz=tz)
    if nonexistent.any():
        raise ValueError(f"local time {wall[int(np.flatnonzero(nonexistent)[0])]} does not exist in {tz}")
    if (flag & ~ambiguous).any():
        raise ValueError(f"repeated_hour_flag set on {wall[int(np.flatnonzero(flag & ~ambiguous)[0])]}")
    return pd.Series(utc, index=local.index, name="interval_start_utc")
