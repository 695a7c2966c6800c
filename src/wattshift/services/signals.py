"""Cycle signals as the CLI, the HTTP API and the report show them.

Each function reads the warehouse's daily frames (``wh.btc_daily()``, ``wh.fear_greed()``), runs
the pure engines of :mod:`wattshift.signals` over the *full* history (MVRV Z's expanding standard
deviation and the 365-day Puell average need it) and returns plain, JSON-ready values. Given a
:class:`~wattshift.services.derived.DailySnapshot` instead of a warehouse, they look the signals
frame up instead of recomputing it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from wattshift.errors import NotInWarehouseError
from wattshift.services._days import DateLike, parse_day, span_text
from wattshift.services.derived import DailySnapshot

# The ``X as X`` imports re-export engine constants and rules the interfaces show or take as
# defaults, so that the edges call the services only (import-linter contracts in pyproject.toml).
from wattshift.signals import DEFAULT_HORIZONS_DAYS as DEFAULT_HORIZONS_DAYS
from wattshift.signals import (
    INDICATORS,
    cycle_backtest,
    hash_ribbons,
    ribbon_episodes,
    signals_frame,
)
from wattshift.signals import MVRV_Z_LABEL as MVRV_Z_LABEL
from wattshift.signals import SignalRules as SignalRules
from wattshift.signals.ribbons import MERGE_GAP_DAYS as MERGE_GAP_DAYS


class DailySource(Protocol):
    """What the signal services need from a warehouse (``wattshift.warehouse.Warehouse`` has it)."""

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, inclusive span."""
        ...

    def fear_greed(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Fear & Greed frame, inclusive span."""
        ...


def _btc(wh: DailySource) -> pd.DataFrame:
    frame = wh.btc_daily()
    if frame.empty:
        raise NotInWarehouseError(
            "no BTC daily data in the warehouse: run `wattshift data ingest --all` first"
        )
    return frame


def _signals_by_day(wh: DailySource, rules: SignalRules | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(BTC frame, signals frame indexed by date): looked up in a :class:`DailySnapshot` (default
    rules), else computed over the full history.
    """
    if rules is None and isinstance(wh, DailySnapshot) and not wh.btc.empty:
        return wh.btc, wh.signals
    btc = _btc(wh)
    return btc, signals_frame(btc, wh.fear_greed(), rules).set_index("date")


def _float(value: object) -> float | None:
    """A plain float, or None for missing values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _iso(value: object) -> str | None:
    """An ISO date string, or None for NaT."""
    if value is None or value is pd.NaT or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _flag(value: object) -> bool:
    """True only for a known True (``<NA>`` is not in the zone)."""
    return value is not pd.NA and bool(value)


def signals_day(
    wh: DailySource, date: DateLike | None = None, *, rules: SignalRules | None = None
) -> dict[str, Any]:
    """The four indicators and their confluence on one day.

    Parameters
    ----------
    wh
        Warehouse (anything with ``btc_daily()`` and ``fear_greed()``).
    date
        The UTC day; default: the latest day with a BTC price.
    rules
        Thresholds and options (:class:`~wattshift.signals.SignalRules`).

    Returns
    -------
    dict
        ``date``, ``price_usd`` [USD], ``mvrv_z``, ``puell`` [unitless],
        ``hash_ribbons{state, since, last_buy}``, ``fear_greed{value, classification}``,
        ``confluence{count, indicators, available}``; missing values are ``None``.

    Raises
    ------
    NotInWarehouseError
        If the day is outside the warehouse's BTC history (the message names the span).
    """
    btc, frame = _signals_by_day(wh, rules)
    if date is None:
        priced = frame.index[frame["price_usd"].notna()]
        day = priced[-1] if len(priced) else frame.index[-1]
    else:
        day = parse_day(date, error=NotInWarehouseError)
        if day not in frame.index:
            raise NotInWarehouseError(
                f"no BTC daily data for {day.date().isoformat()}: "
                f"the warehouse covers {span_text(btc['date'])}"
            )
    row = frame.loc[day]
    count = row["confluence_count"]
    return {
        "date": day.date().isoformat(),
        "price_usd": _float(row["price_usd"]),
        "mvrv_z": _float(row["mvrv_z"]),
        "puell": _float(row["puell"]),
        "hash_ribbons": {
            "state": _text(row["hash_ribbons_state"]),
            "since": _iso(row["hash_ribbons_since"]),
            "last_buy": _iso(row["hash_ribbons_last_buy"]),
        },
        "fear_greed": {
            "value": _float(row["fear_greed"]),
            "classification": _text(row["fear_greed_classification"]),
        },
        "confluence": {
            "count": None if count is pd.NA else int(count),
            "indicators": [name for name in INDICATORS if _flag(row[f"bottom_{name}"])],
            "available": int(row["confluence_available"]),
        },
    }


def signals_history(
    wh: DailySource,
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    rules: SignalRules | None = None,
) -> pd.DataFrame:
    """Daily indicators and confluence for ``[start, end]`` (inclusive).

    Computed over the full history and then cut, so values near ``start`` are the same as in a
    full run. Columns: :func:`wattshift.signals.signals_frame`.

    Raises
    ------
    NotInWarehouseError
        If no BTC day of the warehouse falls within ``[start, end]``.
    """
    btc, by_day = _signals_by_day(wh, rules)
    frame = by_day.reset_index()
    lo = parse_day(start, error=NotInWarehouseError) if start is not None else frame["date"].iloc[0]
    hi = parse_day(end, error=NotInWarehouseError) if end is not None else frame["date"].iloc[-1]
    picked = frame[(frame["date"] >= lo) & (frame["date"] <= hi)].reset_index(drop=True)
    if picked.empty:
        raise NotInWarehouseError(
            f"no BTC daily data from {lo.date().isoformat()} to {hi.date().isoformat()}: "
            f"the warehouse covers {span_text(btc['date'])}"
        )
    return picked


def ribbons(
    wh: DailySource,
    *,
    merge_gap_days: int = MERGE_GAP_DAYS,
    use_previous_day_hashrate: bool = False,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
) -> list[dict[str, Any]]:
    """Hash Ribbons capitulation episodes, oldest first.

    Returns
    -------
    list of dict
        ``capitulation_start``, ``recovery``, ``buy`` (ISO dates or None), ``price_at_buy_usd``
        [USD], ``duration_days`` [days], ``whipsaws``, ``return_{h}d`` [fraction] per horizon.
    """
    daily = hash_ribbons(
        _btc(wh), merge_gap_days=merge_gap_days, use_previous_day_hashrate=use_previous_day_hashrate
    )
    table = ribbon_episodes(daily, horizons_days=horizons_days)
    rows: list[dict[str, Any]] = []
    for record in table.to_dict(orient="records"):
        duration = _float(record["duration_days"])
        row: dict[str, Any] = {
            "capitulation_start": _iso(record["capitulation_start"]),
            "recovery": _iso(record["recovery"]),
            "buy": _iso(record["buy"]),
            "price_at_buy_usd": _float(record["price_at_buy_usd"]),
            "duration_days": None if duration is None else int(duration),
            "whipsaws": int(record["whipsaws"]),
        }
        for h in horizons_days:
            row[f"return_{h}d"] = _float(record[f"return_{h}d"])
        rows.append(row)
    return rows


def backtest(
    wh: DailySource,
    horizons: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    *,
    rules: SignalRules | None = None,
) -> pd.DataFrame:
    """Forward BTC returns after each confluence level, zone entry and Hash Ribbon buy, vs all days.

    Returns
    -------
    pandas.DataFrame
        ``signal``, ``horizon_days``, ``n``, ``median_return``, ``mean_return``, ``hit_rate``,
        ``worst_return`` (returns as fractions): see :func:`wattshift.signals.cycle_backtest`.
    """
    btc, by_day = _signals_by_day(wh, rules)
    return cycle_backtest(btc, by_day.reset_index(), horizons_days=horizons)
