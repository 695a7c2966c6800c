"""Mining economics as the CLI, the HTTP API and the report show them.

Each function reads the warehouse (``wh.btc_daily()``, ``wh.asic_models()``), runs the pure engine
:func:`wattshift.mining.economics_frame` and returns JSON-ready values with every assumption that
went into them.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import ValidationError

from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.mining import (
    MiningAssumptions,
    economics_frame,
    mining_value_usd_per_mwh,
    network_btc_per_th_day,
)
from wattshift.services._days import DateLike, parse_day, span_text
from wattshift.services.derived import DailySnapshot
from wattshift.units import HOURS_PER_DAY

#: Keys of :func:`mining_day`, in order (``mining_history`` has the same per day, minus ``assumptions``,
#: plus ``hashprice_form``).
MINING_DAY_KEYS: tuple[str, ...] = (
    "date",
    "price_usd",
    "difficulty",
    "hashrate_ehs",
    "fees_btc_per_block",
    "hashprice_usd_per_ph_day",
    "btc_per_ph_day",
    "energy_kwh_per_btc",
    "energy_cost_usd_per_btc",
    "all_in_cost_usd_per_btc",
    "breakeven_power_usd_per_kwh",
    "mining_value_usd_per_mwh",
    "assumptions",
)
_VALUE_KEYS = MINING_DAY_KEYS[1:-1]

#: Above this a "USD/kWh" power price is almost surely a USD/MWh figure [USD/kWh].
_MAX_POWER_USD_PER_KWH = 5.0


class MiningSource(Protocol):
    """What the mining services need from a warehouse (``wattshift.warehouse.Warehouse`` has it)."""

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, inclusive span."""
        ...

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue frame."""
        ...


# --------------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------------
#: Widely deployed workhorses shown in the table (those present in the catalogue are used).
WORKHORSE_MODELS: tuple[str, ...] = (
    "Antminer S19j Pro (104T)",
    "Antminer S19 XP (140T)",
    "Antminer S21 (200T)",
    "Whatsminer M30S++ (112T)",
    "Whatsminer M50S (126T)",
)

WORKHORSE_WHY = (
    "Workhorses: the volume models of each generation in public reporting: S19j Pro and M30S++ make up "
    "Hashrate Index's 'latest generation' ASIC price tier of 2021-22; S19 XP and M50S its under-25 J/TH "
    "tier of 2023 (CoinDesk, 2023-07-26); the S21 shipped to public miners from January 2024 "
    "(TheMinerMag, 2023-10-11, CleanSpark's order)."
)


def _btc(wh: MiningSource) -> pd.DataFrame:
    frame = wh.btc_daily()
    if frame.empty:
        raise NotInWarehouseError(
            "no BTC daily data in the warehouse: run `wattshift data ingest --all` first"
        )
    return frame.reset_index(drop=True)


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-z+]", "", text.casefold())


def find_asic(catalogue: pd.DataFrame, model: str) -> pd.Series:
    """The catalogue row of ``model``: exact name, name without its ``(…)`` suffix, or a unique part.

    Matching ignores case, spaces and punctuation, so ``"s19j pro"`` finds "Antminer S19j Pro (104T)".

    Parameters
    ----------
    catalogue
        ASIC frame (``model`` column).
    model
        Model name or an unambiguous part of it.

    Returns
    -------
    pandas.Series
        The catalogue row.

    Raises
    ------
    NotInWarehouseError
        No model or several match; the message lists the close matches.
    """
    if catalogue.empty:
        raise NotInWarehouseError(
            "no ASIC catalogue in the warehouse: run `wattshift data ingest --all` first"
        )
    names = [str(m) for m in catalogue["model"]]
    query = _normal(model)
    full = [_normal(n) for n in names]
    base = [_normal(re.sub(r"\s*\(.*\)\s*$", "", n)) for n in names]
    for keys in (full, base):
        hits = [i for i, k in enumerate(keys) if k == query]
        if len(hits) == 1:
            return catalogue.iloc[hits[0]]
    parts = [i for i, k in enumerate(full) if query and query in k]
    if len(parts) == 1:
        return catalogue.iloc[parts[0]]
    close = [names[i] for i in parts[:10]]
    close += [n for n in difflib.get_close_matches(model, names, n=5, cutoff=0.5) if n not in close]
    hint = f"; close matches: {', '.join(close)}" if close else "; `wattshift asics` lists the catalogue"
    what = "is ambiguous" if len(parts) > 1 else "is not in the ASIC catalogue"
    raise NotInWarehouseError(f"ASIC model {model!r} {what}{hint}")


def _efficiency(
    wh: MiningSource, efficiency_j_per_th: float | None, asic: str | None
) -> tuple[float, str | None]:
    if (efficiency_j_per_th is None) == (asic is None):
        raise ConfigError("give exactly one of efficiency_j_per_th (--efficiency-j-per-th) or asic (--asic)")
    if asic is not None:
        row = find_asic(wh.asic_models(), asic)
        return float(row["efficiency_j_per_th"]), str(row["model"])
    assert efficiency_j_per_th is not None
    if not math.isfinite(efficiency_j_per_th) or efficiency_j_per_th <= 0:
        raise ConfigError(f"efficiency_j_per_th must be a positive number of J/TH, got {efficiency_j_per_th}")
    return float(efficiency_j_per_th), None


def _power(power_usd_per_kwh: float) -> float:
    if not math.isfinite(power_usd_per_kwh):
        raise ConfigError(f"power_usd_per_kwh must be a number, got {power_usd_per_kwh}")
    if abs(power_usd_per_kwh) > _MAX_POWER_USD_PER_KWH:
        raise ConfigError(
            f"power_usd_per_kwh={power_usd_per_kwh} is not a USD/kWh price (a USD/MWh figure? "
            f"{power_usd_per_kwh} USD/MWh is {power_usd_per_kwh / 1000:g} USD/kWh)"
        )
    return float(power_usd_per_kwh)


def resolve_assumptions(assumptions: MiningAssumptions | None, pue: float | None) -> MiningAssumptions:
    """The assumptions to use: ``assumptions`` (default :class:`MiningAssumptions`) with ``pue`` applied.

    Raises
    ------
    ConfigError
        If ``pue`` is out of range (the message names the field).
    """
    base = assumptions if assumptions is not None else MiningAssumptions()
    if pue is None:
        return base
    try:
        return MiningAssumptions(**{**base.as_dict(), "pue": pue})
    except ValidationError as exc:
        raise ConfigError(f"pue: {exc.errors()[0]['msg']} (got {pue})") from None


def _assumption_dict(
    a: MiningAssumptions, efficiency_j_per_th: float, asic: str | None, power_usd_per_kwh: float
) -> dict[str, Any]:
    return {
        "asic": asic,
        "efficiency_j_per_th": efficiency_j_per_th,
        "power_usd_per_kwh": power_usd_per_kwh,
        **a.as_dict(),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    number = float(value)
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------------------------------
# services
# --------------------------------------------------------------------------------------------------
def mining_day(
    wh: MiningSource,
    date: DateLike | None,
    *,
    efficiency_j_per_th: float | None = None,
    asic: str | None = None,
    power_usd_per_kwh: float,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> dict[str, Any]:
    """Mining economics of one day for one machine type and power price.

    Parameters
    ----------
    wh
        Warehouse (anything with ``btc_daily()`` and ``asic_models()``).
    date
        UTC day; None = the latest day with a price.
    efficiency_j_per_th
        Machine efficiency [J/TH]; or give ``asic``.
    asic
        Catalogue model (see :func:`find_asic`); its efficiency is used.
    power_usd_per_kwh
        Power price at the meter [USD/kWh].
    pue
        Overrides ``assumptions.pue`` [ratio ≥ 1].
    assumptions
        Pool fee, uptime, opex, capex, life (default :class:`MiningAssumptions`).

    Returns
    -------
    dict
        Keys :data:`MINING_DAY_KEYS` (units in the names; missing values are None).
        ``assumptions`` holds every input of the all-in cost, the ``hashprice_form`` used that day
        ("expected" from difficulty, or "realised" revenue / hashrate when the day has no difficulty)
        and a ``note`` saying so (None otherwise).

    Raises
    ------
    NotInWarehouseError
        Unknown date (the message names the available span), a day without a BTC price or without
        the data for a hashprice, or an unknown ASIC model (the message lists close matches).
    ConfigError
        Both or neither of ``efficiency_j_per_th`` / ``asic``; a bad efficiency, price or PUE.
    """
    eff, model = _efficiency(wh, efficiency_j_per_th, asic)
    power = _power(power_usd_per_kwh)
    a = resolve_assumptions(assumptions, pue)
    if isinstance(wh, DailySnapshot) and not wh.btc.empty:  # materialised once per warehouse version
        btc, form = wh.btc, wh.hashprice_form  # only read here: no copy
    else:
        btc = _btc(wh)
        _, form = network_btc_per_th_day(btc)
    usable = btc["price_usd"].notna().to_numpy() & (form != "missing")
    if date is None:
        if not usable.any():
            raise NotInWarehouseError("no day in the warehouse has both a BTC price and a hashprice")
        row_idx = int(np.flatnonzero(usable)[-1])
    else:
        day = parse_day(date, error=ConfigError, prefix="date: ")
        hits = np.flatnonzero((btc["date"] == day).to_numpy())
        if hits.size == 0:
            raise NotInWarehouseError(
                f"{day.date()} is not in the warehouse: BTC daily data covers {span_text(btc['date'])}"
            )
        row_idx = int(hits[0])
        if not usable[row_idx]:
            priced = btc.loc[usable, "date"]
            span = span_text(priced) if not priced.empty else "no day"
            raise NotInWarehouseError(
                f"{day.date()} has no BTC price or no difficulty/hashrate to price hashrate; "
                f"mining economics are available {span}"
            )
    history = wh.economics(eff, power, a) if isinstance(wh, DailySnapshot) else None
    if history is not None:  # the history of this parameter set, computed once per snapshot
        econ = history.iloc[row_idx]
    else:
        one = btc.iloc[[row_idx]]
        econ = economics_frame(one, efficiency_j_per_th=eff, power_usd_per_kwh=power, assumptions=a).iloc[0]
    result: dict[str, Any] = {"date": econ["date"].date().isoformat()}
    for key in _VALUE_KEYS:
        result[key] = _plain(econ[key])
    info = _assumption_dict(a, eff, model, power)
    info["hashprice_form"] = str(form[row_idx])
    info["note"] = (
        None
        if form[row_idx] == "expected"
        else (
            f"{result['date']} has no difficulty or block count in the warehouse (e.g. the Coin Metrics "
            "extension file): hashprice is the realised revenue_usd / hashrate, and difficulty and "
            "fees per block are unknown"
        )
    )
    result["assumptions"] = info
    return result


def mining_history(
    wh: MiningSource,
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    efficiency_j_per_th: float | None = None,
    asic: str | None = None,
    power_usd_per_kwh: float,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> pd.DataFrame:
    """Mining economics of every day in ``[start, end]`` (inclusive; None = open end).

    Parameters
    ----------
    wh, efficiency_j_per_th, asic, power_usd_per_kwh, pue, assumptions
        As :func:`mining_day`.
    start, end
        First and last UTC day.

    Returns
    -------
    pandas.DataFrame
        One row per day: ``date`` and the value keys of :func:`mining_day`, plus ``hashprice_form``.
        ``frame.attrs["assumptions"]`` holds the assumptions dict.

    Raises
    ------
    NotInWarehouseError
        The span holds no day (the message names the available span).
    ConfigError
        As :func:`mining_day`, or ``start`` after ``end``.
    """
    eff, model = _efficiency(wh, efficiency_j_per_th, asic)
    power = _power(power_usd_per_kwh)
    a = resolve_assumptions(assumptions, pue)
    btc = _btc(wh)
    lo = parse_day(start, error=ConfigError, prefix="date: ") if start is not None else btc["date"].min()
    hi = parse_day(end, error=ConfigError, prefix="date: ") if end is not None else btc["date"].max()
    if lo > hi:
        raise ConfigError(f"from {lo.date()} is after to {hi.date()}")
    span = btc[(btc["date"] >= lo) & (btc["date"] <= hi)].reset_index(drop=True)
    if span.empty:
        raise NotInWarehouseError(
            f"no BTC daily data from {lo.date()} to {hi.date()}: "
            f"the warehouse covers {span_text(btc['date'])}"
        )
    econ = economics_frame(span, efficiency_j_per_th=eff, power_usd_per_kwh=power, assumptions=a)
    _, form = network_btc_per_th_day(span)
    frame = econ[["date", *_VALUE_KEYS]].copy()
    frame["hashprice_form"] = pd.Series(form, dtype="str")
    frame.attrs["assumptions"] = _assumption_dict(a, eff, model, power)
    return frame


def asic_table(
    wh: MiningSource,
    date: DateLike | None = None,
    power_usd_per_kwh: float | None = None,
    *,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> pd.DataFrame:
    """The ASIC catalogue with each model's economics on one day, most efficient first.

    Parameters
    ----------
    wh
        Warehouse.
    date
        UTC day; None = the latest day with a price.
    power_usd_per_kwh
        Power price [USD/kWh]; without it only the breakeven power price is given.
    pue, assumptions
        As :func:`mining_day`.

    Returns
    -------
    pandas.DataFrame
        Catalogue columns (model, vendor, hashrate_ths [TH/s], power_w [W], efficiency_j_per_th
        [J/TH], release, source), then ``date``, ``hashprice_usd_per_ph_day``,
        ``breakeven_power_usd_per_kwh`` and ``mining_value_usd_per_mwh`` (after pool fee, × PUE),
        and with a power price: ``revenue_usd_per_day`` (one machine hashing all day, after pool fee),
        ``energy_cost_usd_per_day`` (its site energy: hashrate × catalogue efficiency × PUE),
        ``margin_usd_per_day`` (their difference) and
        ``margin_usd_per_mwh`` (= mining value − power price × 1000). Opex and depreciation are not
        in these margins: they are the "hashing margin" that decides whether to switch a machine on.

    Raises
    ------
    NotInWarehouseError, ConfigError
        As :func:`mining_day`.
    """
    catalogue = wh.asic_models()
    if catalogue.empty:
        raise NotInWarehouseError(
            "no ASIC catalogue in the warehouse: run `wattshift data ingest --all` first"
        )
    a = resolve_assumptions(assumptions, pue)
    power = _power(power_usd_per_kwh) if power_usd_per_kwh is not None else 0.0
    day = mining_day(wh, date, efficiency_j_per_th=1.0, power_usd_per_kwh=power, assumptions=a)
    hashprice_th = float(day["hashprice_usd_per_ph_day"]) / 1000.0
    table = catalogue.sort_values("efficiency_j_per_th", kind="stable").reset_index(drop=True)
    eff = table["efficiency_j_per_th"].to_numpy(dtype=np.float64)
    value_mwh = mining_value_usd_per_mwh(
        np.full(eff.shape, hashprice_th), eff, pue=a.pue, pool_fee=a.pool_fee
    )
    table["date"] = day["date"]
    table["hashprice_usd_per_ph_day"] = hashprice_th * 1000.0
    table["breakeven_power_usd_per_kwh"] = value_mwh / 1000.0
    table["mining_value_usd_per_mwh"] = value_mwh
    if power_usd_per_kwh is not None:
        hashrate = table["hashrate_ths"].to_numpy(dtype=np.float64)
        # Site MWh per machine-day from the catalogue efficiency (as `mining --asic` uses it).
        site_mwh_per_day = hashrate * eff * HOURS_PER_DAY * 1e-6 * a.pue
        revenue = hashrate * hashprice_th * (1.0 - a.pool_fee)
        energy = site_mwh_per_day * power * 1000.0
        table["revenue_usd_per_day"] = revenue
        table["energy_cost_usd_per_day"] = energy
        table["margin_usd_per_day"] = revenue - energy
        table["margin_usd_per_mwh"] = value_mwh - power * 1000.0
    table.attrs["assumptions"] = {"power_usd_per_kwh": power_usd_per_kwh, **a.as_dict()}
    return table


def top_and_workhorses(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` most efficient rows of :func:`asic_table`, then the :data:`WORKHORSE_MODELS` rows.

    Adds a ``group`` column (``most efficient`` / ``workhorse``); the order is kept.
    """
    ranked = table.sort_values("efficiency_j_per_th", kind="stable")
    best = ranked.head(top).assign(group="most efficient")
    rest = ranked[~ranked["model"].isin(best["model"]) & ranked["model"].isin(WORKHORSE_MODELS)]
    return pd.concat([best, rest.assign(group="workhorse")], ignore_index=True)
