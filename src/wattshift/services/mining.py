"""Mining economics as the CLI, the HTTP API and the report show them.

Each function reads the warehouse (``wh.btc_daily()``, ``wh.asic_models()``), turns the validated
:class:`~wattshift.config.mining.MiningAssumptions` into the engine's frozen
:class:`~wattshift.mining.CostAssumptions` (:func:`cost_assumptions`), runs the pure engine
:func:`wattshift.mining.economics_frame` and returns JSON-ready values with every assumption that
went into them. The catalogue lookup is in :mod:`wattshift.services.catalogue`, the priced catalogue
in :mod:`wattshift.services.asics` and the report's market view in :mod:`wattshift.services.market`.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.config.mining import MiningAssumptions
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.mining import economics_frame, network_btc_per_th_day
from wattshift.services._days import DateLike, parse_day, span_text
from wattshift.services.catalogue import find_asic
from wattshift.services.derived import DailySnapshot

# Re-exported: the checks and shapes shared with the one-day path (wattshift.services.oneday).
from wattshift.services.mining_inputs import MINING_DAY_KEYS as MINING_DAY_KEYS
from wattshift.services.mining_inputs import VALUE_KEYS, assumption_dict, check_machine, day_note
from wattshift.services.mining_inputs import checked_power_usd_per_kwh as checked_power_usd_per_kwh
from wattshift.services.mining_inputs import cost_assumptions as cost_assumptions
from wattshift.services.mining_inputs import resolve_assumptions as resolve_assumptions


class MiningSource(Protocol):
    """What the mining services need from a warehouse (``wattshift.warehouse.Warehouse`` has it)."""

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, inclusive span."""
        ...

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue frame."""
        ...


def btc_frame(wh: MiningSource) -> pd.DataFrame:
    frame = wh.btc_daily()
    if frame.empty:
        raise NotInWarehouseError(
            "no BTC daily data in the warehouse: run `wattshift data ingest --all` first"
        )
    return frame.reset_index(drop=True)


def _efficiency(
    wh: MiningSource, efficiency_j_per_th: float | None, asic: str | None
) -> tuple[float, str | None]:
    eff = check_machine(efficiency_j_per_th, asic)
    if eff is not None:
        return eff, None
    assert asic is not None
    row = find_asic(wh.asic_models(), asic)
    return float(row["efficiency_j_per_th"]), str(row["model"])


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
    wh, date
        Warehouse (anything with ``btc_daily()`` and ``asic_models()``); UTC day (None = latest priced).
    efficiency_j_per_th, asic
        Machine efficiency [J/TH], or a catalogue model whose efficiency is used
        (:func:`wattshift.services.catalogue.find_asic`).
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
    power = checked_power_usd_per_kwh(power_usd_per_kwh)
    a = resolve_assumptions(assumptions, pue)
    if isinstance(wh, DailySnapshot) and not wh.btc.empty:  # materialised once per warehouse version
        btc, form = wh.btc, wh.hashprice_form  # only read here: no copy
    else:
        btc = btc_frame(wh)
        _, form = network_btc_per_th_day(btc)
    row_idx = _day_row(btc, form, date)
    history = wh.economics(eff, power, a) if isinstance(wh, DailySnapshot) else None
    if history is not None:  # the history of this parameter set, computed once per snapshot
        econ = history.iloc[row_idx]
    else:
        econ = economics_frame(
            btc.iloc[[row_idx]],
            efficiency_j_per_th=eff,
            power_usd_per_kwh=power,
            assumptions=cost_assumptions(a),
        ).iloc[0]
    result: dict[str, Any] = {"date": econ["date"].date().isoformat()}
    for key in VALUE_KEYS:
        result[key] = _plain(econ[key])
    info = assumption_dict(a, eff, model, power)
    info["hashprice_form"] = str(form[row_idx])
    info["note"] = day_note(str(form[row_idx]), result["date"])
    result["assumptions"] = info
    return result


def _day_row(btc: pd.DataFrame, form: npt.NDArray[np.str_], date: DateLike | None) -> int:
    """Row of ``date`` in ``btc`` (None = the latest priced day with a hashprice); clear errors."""
    usable = btc["price_usd"].notna().to_numpy() & (form != "missing")
    if date is None:
        if not usable.any():
            raise NotInWarehouseError("no day in the warehouse has both a BTC price and a hashprice")
        return int(np.flatnonzero(usable)[-1])
    day = parse_day(date, error=ConfigError, prefix="date: ")
    hits = np.flatnonzero((btc["date"] == day).to_numpy())
    if hits.size == 0:
        raise NotInWarehouseError(
            f"{day.date()} is not in the warehouse: BTC daily data covers {span_text(btc['date'])}"
        )
    if not usable[hits[0]]:
        priced = btc.loc[usable, "date"]
        span = span_text(priced) if not priced.empty else "no day"
        raise NotInWarehouseError(
            f"{day.date()} has no BTC price or no difficulty/hashrate to price hashrate; "
            f"mining economics are available {span}"
        )
    return int(hits[0])


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
    power = checked_power_usd_per_kwh(power_usd_per_kwh)
    a = resolve_assumptions(assumptions, pue)
    btc = btc_frame(wh)
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
    econ = economics_frame(
        span, efficiency_j_per_th=eff, power_usd_per_kwh=power, assumptions=cost_assumptions(a)
    )
    _, form = network_btc_per_th_day(span)
    frame = econ[["date", *VALUE_KEYS]].copy()
    frame["hashprice_form"] = pd.Series(form, dtype="str")
    frame.attrs["assumptions"] = assumption_dict(a, eff, model, power)
    return frame
