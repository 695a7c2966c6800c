"""Day arguments and span messages shared by the services."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from wattshift.errors import WattshiftError

DateLike = str | dt.date | dt.datetime | pd.Timestamp


def span_text(dates: pd.Series) -> str:
    """``"first to last"`` of a date column, for messages naming the span the warehouse holds."""
    return f"{dates.min().date().isoformat()} to {dates.max().date().isoformat()}"


def parse_day(value: DateLike, *, error: type[WattshiftError], prefix: str = "") -> pd.Timestamp:
    """``value`` as a midnight timestamp; an unparseable value raises ``error`` (``prefix`` + message)."""
    try:
        return pd.Timestamp(value).normalize()
    except ValueError as exc:
        raise error(f"{prefix}not a date: {value!r} (use YYYY-MM-DD)") from exc
