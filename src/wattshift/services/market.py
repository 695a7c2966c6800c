"""The report's market view: hashprice and cost per BTC over history for reference machines.

:func:`market_view` reads the warehouse, keeps the priced days with a hashprice, runs the mining
engine once per reference machine and returns everything the market charts and tables draw
(:class:`MarketView`); the report only renders it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattshift.chain import HALVING_TIMES
from wattshift.config.mining import MiningAssumptions
from wattshift.errors import NotInWarehouseError
from wattshift.mining import economics_frame, network_btc_per_th_day
from wattshift.services.asics import machine_rows
from wattshift.services.catalogue import find_asic
from wattshift.services.mining import MiningSource, cost_assumptions, resolve_assumptions


@dataclass(frozen=True)
class MachineHistory:
    """One reference machine's economics over the span.

    Attributes
    ----------
    label
        Catalogue model name.
    efficiency_j_per_th
        [J/TH].
    economics
        :func:`wattshift.mining.economics_frame` of the span (one row per day).
    energy_breakeven_usd_per_ph_day, all_in_breakeven_usd_per_ph_day
        Hashprice [USD/PH/day] at which revenue after pool fee pays the energy (all-in) cost. At a
        fixed power price both are constant in time (every cost is per TH/s per day): the median over
        the span of ``hashprice × power / breakeven power`` and ``all-in cost per BTC × BTC per PH/day``.
    """

    label: str
    efficiency_j_per_th: float
    economics: pd.DataFrame
    energy_breakeven_usd_per_ph_day: float
    all_in_breakeven_usd_per_ph_day: float


@dataclass(frozen=True)
class MarketView:
    """What the market section shows.

    Attributes
    ----------
    days
        Priced BTC daily rows with a hashprice in the span (``date``, ``price_usd``, ...).
    machines
        One :class:`MachineHistory` per reference machine.
    latest_day
        Last day of the span (ISO date).
    hashprice_usd_per_ph_day
        Hashprice on the latest day [USD/PH/day], before pool fee.
    latest_rows
        :func:`wattshift.services.asics.machine_rows` of the latest day.
    halvings
        Halvings inside the span: block height → time (UTC).
    assumptions
        The cost assumptions used.
    power_usd_per_kwh
        The stated power price [USD/kWh].
    """

    days: pd.DataFrame
    machines: tuple[MachineHistory, ...]
    latest_day: str
    hashprice_usd_per_ph_day: float
    latest_rows: list[dict[str, object]]
    halvings: dict[int, pd.Timestamp]
    assumptions: MiningAssumptions
    power_usd_per_kwh: float


def reference_machines(catalogue: pd.DataFrame, models: Sequence[str]) -> list[tuple[str, float]]:
    """(label, J/TH) of the ``models`` present in ``catalogue``, then the catalogue's most efficient."""
    picked: list[tuple[str, float]] = []
    for name in models:
        try:
            row = find_asic(catalogue, name)
        except NotInWarehouseError:
            continue
        picked.append((str(row["model"]), float(row["efficiency_j_per_th"])))
    best = catalogue.sort_values("efficiency_j_per_th", kind="stable").iloc[0]
    if str(best["model"]) not in {m for m, _ in picked}:
        picked.append((str(best["model"]), float(best["efficiency_j_per_th"])))
    return picked


def _priced_days(btc: pd.DataFrame, start: dt.date | str | None, end: dt.date | str | None) -> pd.DataFrame:
    _btc_per_th_day, form = network_btc_per_th_day(btc)
    usable = btc[btc["price_usd"].notna().to_numpy() & (form != "missing")].reset_index(drop=True)
    if start is not None:
        usable = usable[usable["date"] >= pd.Timestamp(start)]
    if end is not None:
        usable = usable[usable["date"] <= pd.Timestamp(end)]
    if usable.empty:
        raise NotInWarehouseError("no priced day with a hashprice in the requested span")
    days: pd.DataFrame = usable.reset_index(drop=True)
    return days


def _machine_history(
    days: pd.DataFrame, label: str, eff: float, power_usd_per_kwh: float, a: MiningAssumptions
) -> MachineHistory:
    econ = economics_frame(
        days, efficiency_j_per_th=eff, power_usd_per_kwh=power_usd_per_kwh, assumptions=cost_assumptions(a)
    )
    energy_even = float(
        np.nanmedian(
            econ["hashprice_usd_per_ph_day"] * power_usd_per_kwh / econ["breakeven_power_usd_per_kwh"]
        )
    )
    all_in_even = float(np.nanmedian(econ["all_in_cost_usd_per_btc"] * econ["btc_per_ph_day"]))
    return MachineHistory(label, eff, econ, energy_even, all_in_even)


def market_view(
    wh: MiningSource,
    *,
    power_usd_per_kwh: float,
    reference_models: Sequence[str],
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    assumptions: MiningAssumptions | None = None,
    pue: float | None = None,
) -> MarketView:
    """Hashprice, breakeven and cost per BTC over the span for the reference machines; latest-day table.

    Parameters
    ----------
    wh
        Warehouse with BTC daily data and the ASIC catalogue.
    power_usd_per_kwh
        Stated power price [USD/kWh].
    reference_models
        Catalogue models to follow (the most efficient model is always added).
    start, end
        Span [UTC days]; default: every priced day.
    assumptions, pue
        Cost assumptions (default :class:`~wattshift.config.mining.MiningAssumptions`), PUE override.

    Raises
    ------
    NotInWarehouseError
        No BTC data or ASIC catalogue, or no priced day with a hashprice in the span.
    """
    a = resolve_assumptions(assumptions, pue)
    btc = wh.btc_daily()
    catalogue = wh.asic_models()
    if btc.empty or catalogue.empty:
        raise NotInWarehouseError(
            "the market section needs BTC daily data and the ASIC catalogue in the warehouse"
        )
    days = _priced_days(btc, start, end)
    machines = tuple(
        _machine_history(days, label, eff, power_usd_per_kwh, a)
        for label, eff in reference_machines(catalogue, reference_models)
    )
    latest = days.iloc[[-1]]
    hashprice = float(machines[-1].economics["hashprice_usd_per_ph_day"].iloc[-1])
    first, last = days["date"].min(), days["date"].max() + pd.Timedelta(days=1)
    return MarketView(
        days=days,
        machines=machines,
        latest_day=pd.Timestamp(latest["date"].iloc[0]).date().isoformat(),
        hashprice_usd_per_ph_day=hashprice,
        latest_rows=machine_rows(latest, catalogue, power_usd_per_kwh, a),
        halvings={h: t for h, t in HALVING_TIMES.items() if first <= t <= last},
        assumptions=a,
        power_usd_per_kwh=power_usd_per_kwh,
    )
