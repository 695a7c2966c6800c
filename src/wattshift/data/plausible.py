"""Plausibility checks shared by every adapter and table: value bounds, future dates, known nodes.

A value outside its bounds is taken to be a unit, parsing or corruption error (``1e308`` or
``inf`` as a BTC price, a Fear & Greed of 250, a price in USD/kWh read as USD/MWh). Bounds are
deliberately loose (an order of magnitude or more beyond history where no hard limit exists) and
each states its source. Every check raises :class:`~wattshift.errors.DataError` naming the file,
the column and the offending value (and the line when the caller knows the frame's layout).

Reusable by any adapter::

    from wattshift.data.plausible import BTC_DAILY_BOUNDS, check_plausible, check_not_future
    check_plausible(frame, BTC_DAILY_BOUNDS, file=name)          # raises on the first bad cell
    check_not_future(frame["date"], file=name, column="date")     # no day after tomorrow (UTC)

The warehouse runs the table's checks on every frame it merges (files and API uploads alike),
see :func:`bounds_for_table`; adapters may run them earlier to report file lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from wattshift.errors import DataError
from wattshift.markets import MARKETS


@dataclass(frozen=True)
class Bound:
    """Closed plausible range of one column.

    Attributes
    ----------
    lo, hi
        Smallest and largest plausible value, in the column's unit.
    unit
        Unit of the column (for the message), e.g. ``"USD"``, ``"EH/s"``.
    source
        Why these limits: a hard limit with its reference, or the historical record and margin.
    """

    lo: float
    hi: float
    unit: str
    source: str


_HISTORY = "Coin Metrics history 2009-2026"
#: ``btc_daily`` columns. Maxima in :data:`_HISTORY` are in brackets.
BTC_DAILY_BOUNDS: Final[Mapping[str, Bound]] = {
    "price_usd": Bound(0.0, 1e7, "USD", f"all-time high ~126,000 USD (2025-10); 1e7 = ~80x ({_HISTORY})"),
    "market_cap_usd": Bound(0.0, 2.1e14, "USD", "21e6 BTC x the price bound"),
    "realized_cap_usd": Bound(0.0, 2.1e14, "USD", "21e6 BTC x the price bound"),
    "mvrv": Bound(0.0, 1e3, "", f"market/realised cap [max 146 in 2010] ({_HISTORY})"),
    "hashrate_ehs": Bound(0.0, 1e5, "EH/s", f"[~1,300 EH/s in 2026]; 1e5 = ~75x ({_HISTORY})"),
    "difficulty": Bound(0.0, 1e16, "", f"[~1.5e14 in 2026]; 1e16 = ~70x ({_HISTORY})"),
    "blocks": Bound(0.0, 1_000.0, "blocks/day", "144 expected per day; [max 692 on 2009-01-09]"),
    "issuance_btc": Bound(0.0, 50_000.0, "BTC/day", "50 BTC subsidy (2009) x 1,000 blocks"),
    "issuance_usd": Bound(0.0, 5e11, "USD/day", "issuance bound x price bound"),
    "fees_btc": Bound(0.0, 1e4, "BTC/day", f"[max 1,496 BTC, 2009-era] ({_HISTORY})"),
    "fees_usd": Bound(0.0, 1e11, "USD/day", "fee bound x price bound"),
    "revenue_usd": Bound(0.0, 6e11, "USD/day", "issuance + fee bounds"),
    "supply_btc": Bound(0.0, 21e6, "BTC", "protocol cap: subsidies sum to 20,999,999.98 BTC"),
    "tx_count": Bound(0.0, 1e8, "tx/day", f"[max ~1.4e6] ({_HISTORY})"),
    "active_addresses": Bound(0.0, 1e9, "addresses/day", f"[max ~1.4e6] ({_HISTORY})"),
}

#: ``fear_greed``: the index is defined on 0-100 (alternative.me, https://alternative.me/crypto/fear-and-greed-index/).
FEAR_GREED_BOUNDS: Final[Mapping[str, Bound]] = {
    "value": Bound(0.0, 100.0, "index points", "alternative.me defines the index on 0-100"),
}

#: ``asic_models``: from the SHA-256 ASIC generations on sale 2013-2026 (wide margins).
ASIC_BOUNDS: Final[Mapping[str, Bound]] = {
    "hashrate_ths": Bound(0.0, 10_000.0, "TH/s", "largest 2025 units ~1,000 TH/s (hydro/immersion)"),
    "power_w": Bound(0.0, 100_000.0, "W", "largest 2025 units ~10,000 W"),
    "efficiency_j_per_th": Bound(1.0, 100_000.0, "J/TH", "best 2025 ~10 J/TH; 2013 USB sticks ~10,000"),
}

#: ``gpu_prices`` [USD per GPU-hour].
GPU_PRICE_BOUNDS: Final[Mapping[str, Bound]] = {
    "price_usd_per_gpu_hour": Bound(
        0.01, 100.0, "USD/GPU-hour", "as gpu.PRICE_RANGE_USD_PER_GPU_HOUR: H100 peak ~8 USD/h"
    ),
}


@dataclass(frozen=True)
class MarketPriceBound:
    """Price limits of one market: offer floor and cap, widened by what adders can add.

    The plausible range is ``[floor - below_floor, cap + above_cap]``.

    Attributes
    ----------
    floor, cap
        The market's offer floor and offer cap [USD/MWh] (ancillary services: [USD/MW per hour]).
    below_floor, above_cap
        Room for adders and congestion beyond the offer limits [USD/MWh].
    source
        Where the limits are published.
    """

    floor: float
    cap: float
    below_floor: float
    above_cap: float
    source: str

    def bound(self) -> Bound:
        """The closed range as a :class:`Bound`."""
        return Bound(self.floor - self.below_floor, self.cap + self.above_cap, "USD/MWh", self.source)


_ERCOT_ENERGY = MarketPriceBound(
    -250.0,
    5_000.0,
    750.0,
    5_000.0,
    "ERCOT offer floor -250 and HCAP 5,000 USD/MWh (PUCT 16 TAC 25.505; Nodal Protocols 4.4.9.4.1), "
    "plus real-time adders (ORDC reserve and reliability deployment adders) and congestion: "
    "HB_WEST RT SPP reached 5,236.81 on 2023-08-17",
)
#: Price bounds per ``(iso, market)``; :data:`DEFAULT_PRICE_BOUND` for a market not listed.
MARKET_PRICE_BOUNDS: Final[Mapping[tuple[str, str], MarketPriceBound]] = {
    ("ERCOT", "rt"): _ERCOT_ENERGY,
    ("ERCOT", "da"): _ERCOT_ENERGY,
    ("ERCOT", "rt_lmp"): _ERCOT_ENERGY,
    ("ERCOT", "da_as"): MarketPriceBound(
        0.0, 5_000.0, 0.0, 5_000.0, "ERCOT ancillary offers 0..HCAP 5,000 USD/MW-h (Nodal Protocols 4.4.7)"
    ),
}
#: Bound of a market without its own entry (the widest of the markets listed).
DEFAULT_PRICE_BOUND: Final[MarketPriceBound] = _ERCOT_ENERGY


def price_bound(iso: str, market: str) -> Bound:
    """Plausible price range of ``(iso, market)`` [USD/MWh, or the market's currency per MWh].

    ERCOT's products have their own entries (:data:`MARKET_PRICE_BOUNDS`). Another market of
    :data:`wattshift.markets.MARKETS` gets ``[min(2 floor, -1,000), cap + max(cap, 5,000)]`` from
    its offer floor and cap: settled prices overshoot both (NYISO zone K settled at -1,086.21 USD/MWh
    in 2021 with a -1,000 floor; shortage pricing settles above offer caps). Any other market gets
    :data:`DEFAULT_PRICE_BOUND`.
    """
    listed = MARKET_PRICE_BOUNDS.get((iso, market))
    if listed is not None:
        return listed.bound()
    spec = MARKETS.get(iso)
    if spec is None:
        return DEFAULT_PRICE_BOUND.bound()
    floor = spec.price_floor if spec.price_floor is not None else -1_000.0
    lowest = min(-1_000.0, 2.0 * floor)  # CAISO ZP-26 settled at -385.08 with a -150 floor (2023-02-15)
    return MarketPriceBound(
        floor,
        spec.price_cap,
        floor - lowest,
        max(spec.price_cap, 5_000.0),
        f"{iso} offer floor and cap (wattshift.markets), widened for settled prices",
    ).bound()


def bounds_for_table(table: str) -> Mapping[str, Bound]:
    """The column bounds the warehouse checks for ``table`` (empty for a table without any)."""
    return {
        "btc_daily": BTC_DAILY_BOUNDS,
        "fear_greed": FEAR_GREED_BOUNDS,
        "asic_models": ASIC_BOUNDS,
        "gpu_prices": GPU_PRICE_BOUNDS,
    }.get(table, {})


def _describe_row(frame: pd.DataFrame, pos: int, key: tuple[str, ...]) -> str:
    shown = [f"{k}={frame[k].iloc[pos]}" for k in key if k in frame.columns]
    return f" ({', '.join(shown)})" if shown else ""


def check_plausible(
    frame: pd.DataFrame,
    bounds: Mapping[str, Bound],
    *,
    file: str,
    key: tuple[str, ...] = ("date",),
    first_data_line: int | None = None,
) -> None:
    """Raise on the first value outside its column's :class:`Bound` (missing values pass).

    Parameters
    ----------
    frame
        Parsed rows; columns without a bound, and bounds without a column, are skipped.
    bounds
        Column → :class:`Bound` (e.g. :data:`BTC_DAILY_BOUNDS`).
    file
        File name for the message.
    key
        Columns shown in the message to locate the row (``date``, ``node``, ...).
    first_data_line
        File line of row 0 when the frame keeps the file's row order (CSV: 2); ``None``: no line.

    Raises
    ------
    DataError
        Naming file, column, value, the bound and its source (and line when known).
    """
    for column, bound in bounds.items():
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = (values < bound.lo) | (values > bound.hi) | np.isinf(values)  # NaN = missing: passes
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            value = f"{float(values[pos])!r} {bound.unit}".strip()
            raise DataError(
                f"implausible value {value}{_describe_row(frame, pos, key)}: outside "
                f"[{bound.lo:g}, {bound.hi:g}] ({bound.source})",
                file=file,
                line=None if first_data_line is None else pos + first_data_line,
                column=column,
            )


def latest_allowed_day(today: dt.date | None = None) -> dt.date:
    """The last acceptable day of data: tomorrow in UTC (a day-ahead market publishes tomorrow)."""
    base = today if today is not None else dt.datetime.now(dt.UTC).date()
    return base + dt.timedelta(days=1)


def check_not_future(
    stamps: pd.Series,
    *,
    file: str,
    column: str,
    today: dt.date | None = None,
    first_data_line: int | None = None,
) -> None:
    """Raise if any day or instant falls after the end of tomorrow (UTC).

    Parameters
    ----------
    stamps
        Days (naive = UTC) or tz-aware instants.
    today
        The current UTC day (default: now); tests pin it.

    Raises
    ------
    DataError
        Naming the file, column and the first future value.
    """
    parsed = pd.to_datetime(stamps)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    limit = pd.Timestamp(latest_allowed_day(today)) + pd.Timedelta(days=1)
    late = (parsed >= limit).to_numpy()
    if late.any():
        pos = int(np.flatnonzero(late)[0])
        raise DataError(
            f"date {parsed.iloc[pos]} is in the future (data may run to tomorrow, "
            f"{latest_allowed_day(today)}, UTC at the latest)",
            file=file,
            line=None if first_data_line is None else pos + first_data_line,
            column=column,
        )
