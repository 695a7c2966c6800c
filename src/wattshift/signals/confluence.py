"""Confluence: how many of the four cycle indicators are in their bottom zone on each day.

The four (``signals.md``): Hash Ribbons in capitulation or within ``N`` days after a buy,
Puell Multiple ``< 0.5``, MVRV Z ``< 0``, Fear & Greed ``<= 25``. An indicator without a value on
a day (warm-up, or a Fear & Greed day missing upstream) is *unknown*, neither in nor out: the
count covers the indicators known that day and ``confluence_available`` says how many that is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattshift.errors import ConfigError
from wattshift.signals import feargreed, mvrv, puell, ribbons
from wattshift.signals.backtest import DEFAULT_HORIZONS_DAYS, backtest_signals, zone_entries

#: Indicator names, in display order (also the names in ``confluence_indicators``).
INDICATORS: tuple[str, ...] = ("hash_ribbons", "puell", "mvrv_z", "fear_greed")


@dataclass(frozen=True)
class SignalRules:
    """Thresholds and options of the four indicators (defaults from ``signals.md``).

    Parameters
    ----------
    puell_bottom_below, puell_top_above
        Puell Multiple zones [unitless] (0.5 and 4).
    puell_include_fees
        Fee-inclusive issuance value in the Puell Multiple (default: subsidy only).
    mvrv_z_bottom_below, mvrv_z_top_above
        MVRV Z zones [unitless] (0 and 7).
    mvrv_z_min_history_days
        Priced days before MVRV Z is defined [days].
    fear_greed_bottom_max, fear_greed_top_above
        Fear & Greed zones [index points] (``<= 25`` bottom, ``> 75`` top).
    ribbons_buy_window_days
        Hash Ribbons count as "bottom" for this many days after a buy, as well as in
        capitulation [days].
    ribbons_merge_gap_days
        Recoveries of at most this many days merge the capitulations around them [days].
    ribbons_previous_day_hashrate
        Use yesterday's hash rate (Capriole's convention).
    """

    puell_bottom_below: float = puell.PUELL_BOTTOM_BELOW
    puell_top_above: float = puell.PUELL_TOP_ABOVE
    puell_include_fees: bool = False
    mvrv_z_bottom_below: float = mvrv.MVRV_Z_BOTTOM_BELOW
    mvrv_z_top_above: float = mvrv.MVRV_Z_TOP_ABOVE
    mvrv_z_min_history_days: int = mvrv.MVRV_Z_MIN_HISTORY_DAYS
    fear_greed_bottom_max: float = feargreed.FEAR_GREED_BOTTOM_MAX
    fear_greed_top_above: float = feargreed.FEAR_GREED_TOP_ABOVE
    ribbons_buy_window_days: int = 30
    ribbons_merge_gap_days: int = ribbons.MERGE_GAP_DAYS
    ribbons_previous_day_hashrate: bool = False

    def __post_init__(self) -> None:
        checks = {
            "puell_top_above": self.puell_top_above > self.puell_bottom_below,
            "mvrv_z_top_above": self.mvrv_z_top_above > self.mvrv_z_bottom_below,
            "fear_greed_top_above": self.fear_greed_top_above >= self.fear_greed_bottom_max,
            "fear_greed_bottom_max": 0 <= self.fear_greed_bottom_max <= 100,
            "ribbons_buy_window_days": self.ribbons_buy_window_days >= 0,
            "ribbons_merge_gap_days": self.ribbons_merge_gap_days >= 0,
            "mvrv_z_min_history_days": self.mvrv_z_min_history_days >= 2,
        }
        for field_name, ok in checks.items():
            if not ok:
                raise ConfigError(f"signal rules: invalid {field_name} = {getattr(self, field_name)!r}")


def signals_frame(
    btc_daily: pd.DataFrame,
    fear_greed: pd.DataFrame,
    rules: SignalRules | None = None,
) -> pd.DataFrame:
    """All four indicators and their confluence, one row per calendar day of ``btc_daily``.

    Parameters
    ----------
    btc_daily
        BTC daily frame (``BTC_DAILY_COLUMNS``).
    fear_greed
        Fear & Greed frame (``date``, ``value``, ``classification``); may be empty.
    rules
        Thresholds and options; :class:`SignalRules` defaults if omitted.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``price_usd`` [USD]; Hash Ribbons ``hashrate_sma_fast_ehs``,
        ``hashrate_sma_slow_ehs`` [EH/s], ``hash_ribbons_state``, ``hash_ribbons_since``,
        ``hash_ribbons_buy``, ``hash_ribbons_last_buy``; ``puell``, ``puell_zone``; ``mvrv_z``,
        ``mvrv_z_zone``; ``fear_greed``, ``fear_greed_classification``, ``fear_greed_zone``;
        ``bottom_<indicator>`` (nullable boolean), ``confluence_count`` (nullable int; missing when
        no indicator is known), ``confluence_available`` (int) and ``confluence_indicators``
        (comma-separated names of the indicators in their bottom zone).
    """
    rules = rules or SignalRules()
    rib = ribbons.hash_ribbons(
        btc_daily,
        merge_gap_days=rules.ribbons_merge_gap_days,
        use_previous_day_hashrate=rules.ribbons_previous_day_hashrate,
    )
    pm = puell.puell_multiple(
        btc_daily,
        include_fees=rules.puell_include_fees,
        bottom_below=rules.puell_bottom_below,
        top_above=rules.puell_top_above,
    )
    mz = mvrv.mvrv_z_score(
        btc_daily,
        min_history_days=rules.mvrv_z_min_history_days,
        bottom_below=rules.mvrv_z_bottom_below,
        top_above=rules.mvrv_z_top_above,
    )
    dates = pd.DatetimeIndex(rib["date"])
    fg = _fear_greed_on(fear_greed, dates, rules)

    frame = pd.DataFrame(
        {
            "date": dates,
            "price_usd": rib["price_usd"].to_numpy(),
            "hashrate_sma_fast_ehs": rib["hashrate_sma_fast_ehs"].to_numpy(),
            "hashrate_sma_slow_ehs": rib["hashrate_sma_slow_ehs"].to_numpy(),
            "hash_ribbons_state": rib["state"].array,
            "hash_ribbons_since": rib["since"].to_numpy(),
            "hash_ribbons_buy": rib["buy"].to_numpy(),
            "hash_ribbons_last_buy": rib["last_buy"].to_numpy(),
            "puell": pm["puell"].to_numpy(),
            "puell_zone": pm["zone"].array,
            "mvrv_z": mz["mvrv_z"].to_numpy(),
            "mvrv_z_zone": mz["zone"].array,
            "fear_greed": fg["value"].to_numpy(),
            "fear_greed_classification": fg["classification"].array,
            "fear_greed_zone": fg["zone"].array,
        }
    )
    days_since_buy = (frame["date"] - frame["hash_ribbons_last_buy"]).dt.days
    ribbons_bottom = frame["hash_ribbons_state"].isin(
        [ribbons.STATE_CAPITULATION, ribbons.STATE_RECOVERING]
    ) | (days_since_buy <= rules.ribbons_buy_window_days).fillna(False)
    bottoms = {
        "hash_ribbons": _known(ribbons_bottom, frame["hash_ribbons_state"].isna()),
        "puell": _known(frame["puell_zone"] == "bottom", frame["puell_zone"].isna()),
        "mvrv_z": _known(frame["mvrv_z_zone"] == "bottom", frame["mvrv_z_zone"].isna()),
        "fear_greed": _known(frame["fear_greed_zone"] == "bottom", frame["fear_greed_zone"].isna()),
    }
    for name, flags in bottoms.items():
        frame[f"bottom_{name}"] = flags
    return _add_counts(frame)


def _fear_greed_on(fear_greed: pd.DataFrame, dates: pd.DatetimeIndex, rules: SignalRules) -> pd.DataFrame:
    """Fear & Greed zones on the BTC calendar (days outside its span or missing upstream → NA)."""
    if fear_greed.empty:
        zones = pd.DataFrame({"value": np.nan, "classification": pd.NA, "zone": pd.NA}, index=dates)
        return zones.astype({"value": "float64", "classification": "string", "zone": "string"})
    zones = feargreed.fear_greed_zones(
        fear_greed, bottom_max=rules.fear_greed_bottom_max, top_above=rules.fear_greed_top_above
    )
    return zones.set_index("date").reindex(dates)


def _known(flags: pd.Series, unknown: pd.Series) -> pd.Series:
    """``flags`` as a nullable boolean, ``<NA>`` where ``unknown``."""
    result = pd.Series(flags.fillna(False).to_numpy(dtype=bool), index=flags.index, dtype="boolean")
    result[unknown.to_numpy(dtype=bool)] = pd.NA
    return result


def _add_counts(frame: pd.DataFrame) -> pd.DataFrame:
    flags = frame[[f"bottom_{name}" for name in INDICATORS]]
    known = flags.notna().to_numpy()
    on = flags.fillna(False).to_numpy(dtype=bool)
    available = known.sum(axis=1)
    count = pd.array(on.sum(axis=1), dtype="Int64")
    count[available == 0] = pd.NA
    # each day's set of indicators as a bit code, looked up in the table of all 16 name lists
    code = on.astype(np.int64) @ (1 << np.arange(len(INDICATORS)))
    lists = np.array(
        [",".join(n for k, n in enumerate(INDICATORS) if c >> k & 1) for c in range(1 << len(INDICATORS))],
        dtype=object,
    )
    frame["confluence_count"] = count
    frame["confluence_available"] = available.astype("int64")
    frame["confluence_indicators"] = pd.array(lists[code], dtype="string")
    return frame


def cycle_backtest(
    btc_daily: pd.DataFrame,
    daily_signals: pd.DataFrame,
    *,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
) -> pd.DataFrame:
    """Forward BTC returns after each confluence level, zone entry and Hash Ribbon buy.

    Parameters
    ----------
    btc_daily
        BTC daily frame (for prices) [USD].
    daily_signals
        Output of :func:`signals_frame`.
    horizons_days
        Forward-return horizons [days].

    Returns
    -------
    pandas.DataFrame
        :data:`wattshift.signals.backtest.BACKTEST_COLUMNS`, signals in this order: ``all days``;
        ``all days, 4 indicators known`` (the Fear & Greed era, the fair baseline for the
        levels); ``confluence = k`` for k = 0..4 (days with all four known); ``<indicator> bottom
        entry`` for each indicator; ``hash_ribbons buy``.
    """
    by_date = daily_signals.set_index("date")
    all_known = by_date["confluence_available"] == len(INDICATORS)
    signal_days: dict[str, pd.Series] = {"all days, 4 indicators known": all_known}
    count = by_date["confluence_count"]
    for level in range(len(INDICATORS) + 1):
        signal_days[f"confluence = {level}"] = all_known & (count == level).fillna(False)
    for name in INDICATORS:
        signal_days[f"{name} bottom entry"] = zone_entries(by_date[f"bottom_{name}"])
    # the daily buy flags are the episodes' buys (one per merged episode, see ribbons.py)
    signal_days["hash_ribbons buy"] = by_date["hash_ribbons_buy"].astype(bool)
    return backtest_signals(btc_daily, signal_days, horizons_days=horizons_days)
