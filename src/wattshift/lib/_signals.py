"""Cycle signals from one's own frame of daily network data (no warehouse).

:func:`signals` lays the frame out as the warehouse's BTC daily frame (missing columns are missing
values, so the indicators that need them are missing too) and runs the same engine as
``wattshift signals history`` (:func:`wattshift.signals.signals_frame`).
"""

from __future__ import annotations

import pandas as pd

from wattshift.data.schema import BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS
from wattshift.signals import SignalRules, signals_frame

#: Columns a frame must have: the day, the price and the network hashrate (Hash Ribbons).
REQUIRED_COLUMNS: tuple[str, ...] = ("date", "price_usd", "hashrate_ehs")


def _with_date(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """``frame`` with a ``date`` column of naive UTC midnights (from the column or a DatetimeIndex)."""
    if "date" not in frame.columns:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise ValueError(f"{what}: needs a 'date' column or a DatetimeIndex of days")
        frame = frame.rename_axis("date").reset_index()
    out = frame.copy()
    dates = pd.DatetimeIndex(pd.to_datetime(out["date"]))
    if dates.tz is not None:
        dates = dates.tz_convert("UTC").tz_localize(None)
    out["date"] = dates.normalize().as_unit("ns")
    return out.sort_values("date").reset_index(drop=True)


def btc_daily_frame(network: pd.DataFrame) -> pd.DataFrame:
    """A BTC daily frame (every column of ``BTC_DAILY_COLUMNS``) from one's own daily data.

    Parameters
    ----------
    network
        One row per UTC day: a ``date`` column or a DatetimeIndex, ``price_usd`` [USD/BTC] and
        ``hashrate_ehs`` [EH/s]; optional ``issuance_usd`` [USD/day] (Puell Multiple),
        ``market_cap_usd`` and ``realized_cap_usd`` [USD] (MVRV Z), ``difficulty``, ``blocks``,
        ``fees_btc`` (hashprice), and any other column of the layout. Other columns are ignored.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).
    """
    frame = _with_date(network, "network data")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"network data lacks the column(s) {missing}; it has {list(frame.columns)}")
    out = pd.DataFrame({"date": frame["date"]})
    for column in BTC_DAILY_COLUMNS[1:]:
        out[column] = frame[column].astype("float64") if column in frame.columns else float("nan")
    return out


def _fear_greed_frame(fear_greed: pd.DataFrame | pd.Series | None) -> pd.DataFrame:
    if fear_greed is None:
        return pd.DataFrame(columns=list(FEAR_GREED_COLUMNS))
    if isinstance(fear_greed, pd.Series):
        fear_greed = fear_greed.rename("value").to_frame()
    frame = _with_date(fear_greed, "fear_greed")
    if "classification" not in frame.columns:
        frame["classification"] = pd.NA
    return frame[list(FEAR_GREED_COLUMNS)].dropna(subset=["value"]).reset_index(drop=True)


def signals(
    network: pd.DataFrame,
    fear_greed: pd.DataFrame | pd.Series | None = None,
    rules: SignalRules | None = None,
) -> pd.DataFrame:
    """Hash Ribbons, Puell Multiple, MVRV Z-Score, Fear & Greed and their confluence, one row per day.

    Parameters
    ----------
    network
        Daily network data (:func:`btc_daily_frame`).
    fear_greed
        Fear & Greed index [0-100] per day: a Series with a DatetimeIndex, or a frame with ``date``
        and ``value`` (and optionally ``classification``); None = not known.
    rules
        Thresholds and options (:class:`~wattshift.signals.SignalRules`, defaults from ``signals.md``).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`wattshift.signals.signals_frame` (``hash_ribbons_state``, ``puell``,
        ``mvrv_z``, ``fear_greed_zone``, ``confluence_count``, …).
    """
    return signals_frame(btc_daily_frame(network), _fear_greed_frame(fear_greed), rules)
