"""The ASIC catalogue priced on one day: each model's hashprice, breakeven and margins.

:func:`asic_table` is what ``wattshift asics`` and ``GET /api/asics`` show; :func:`machine_rows` is
the report's table of the most efficient models and the workhorses on the latest day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.config.mining import MiningAssumptions
from wattshift.errors import NotInWarehouseError
from wattshift.mining import economics_frame, mining_value_usd_per_mwh
from wattshift.services._days import DateLike
from wattshift.services.catalogue import WORKHORSE_MODELS, find_asic
from wattshift.services.mining import (
    MiningSource,
    checked_power_usd_per_kwh,
    cost_assumptions,
    mining_day,
    resolve_assumptions,
)
from wattshift.units import TH_PER_PH, mwh_per_day, usd_per_kwh_to_usd_per_mwh, usd_per_mwh_to_usd_per_kwh


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
    power = checked_power_usd_per_kwh(power_usd_per_kwh) if power_usd_per_kwh is not None else 0.0
    day = mining_day(wh, date, efficiency_j_per_th=1.0, power_usd_per_kwh=power, assumptions=a)
    hashprice_th = float(day["hashprice_usd_per_ph_day"]) / TH_PER_PH
    table = catalogue.sort_values("efficiency_j_per_th", kind="stable").reset_index(drop=True)
    eff = table["efficiency_j_per_th"].to_numpy(dtype=np.float64)
    value_mwh = mining_value_usd_per_mwh(
        np.full(eff.shape, hashprice_th), eff, pue=a.pue, pool_fee=a.pool_fee
    )
    table["date"] = day["date"]
    table["hashprice_usd_per_ph_day"] = hashprice_th * TH_PER_PH
    table["breakeven_power_usd_per_kwh"] = usd_per_mwh_to_usd_per_kwh(value_mwh)
    table["mining_value_usd_per_mwh"] = value_mwh
    if power_usd_per_kwh is not None:
        table = table.assign(**_margins(table, hashprice_th, value_mwh, power, a))
    table.attrs["assumptions"] = {"power_usd_per_kwh": power_usd_per_kwh, **a.as_dict()}
    return table


def _margins(
    table: pd.DataFrame,
    hashprice_usd_per_th_day: float,
    value_usd_per_mwh: npt.NDArray[np.float64],
    power_usd_per_kwh: float,
    a: MiningAssumptions,
) -> dict[str, npt.NDArray[np.float64]]:
    """Daily revenue, energy cost and margins of one machine of each catalogue row [USD/day, USD/MWh]."""
    hashrate = table["hashrate_ths"].to_numpy(dtype=np.float64)
    eff = table["efficiency_j_per_th"].to_numpy(dtype=np.float64)
    # Site MWh per machine-day from the catalogue efficiency (as `mining --asic` uses it).
    site_mwh_per_day = mwh_per_day(hashrate * eff) * a.pue
    revenue = hashrate * hashprice_usd_per_th_day * (1.0 - a.pool_fee)
    energy = site_mwh_per_day * usd_per_kwh_to_usd_per_mwh(power_usd_per_kwh)
    return {
        "revenue_usd_per_day": revenue,
        "energy_cost_usd_per_day": energy,
        "margin_usd_per_day": revenue - energy,
        "margin_usd_per_mwh": value_usd_per_mwh - usd_per_kwh_to_usd_per_mwh(power_usd_per_kwh),
    }


def top_and_workhorses(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` most efficient rows of :func:`asic_table`, then the :data:`WORKHORSE_MODELS` rows.

    Adds a ``group`` column (``most efficient`` / ``workhorse``); the order is kept.
    """
    ranked = table.sort_values("efficiency_j_per_th", kind="stable")
    best = ranked.head(top).assign(group="most efficient")
    rest = ranked[~ranked["model"].isin(best["model"]) & ranked["model"].isin(WORKHORSE_MODELS)]
    return pd.concat([best, rest.assign(group="workhorse")], ignore_index=True)


def _listed_models(
    catalogue: pd.DataFrame, n_efficient: int, workhorses: Sequence[str]
) -> list[tuple[str, pd.Series]]:
    """(group, catalogue row): the ``n_efficient`` most efficient models, then the workhorses present."""
    ranked = catalogue.sort_values("efficiency_j_per_th", kind="stable")
    rows: list[tuple[str, pd.Series]] = [
        ("most efficient", r) for _, r in ranked.head(n_efficient).iterrows()
    ]
    shown = {str(r["model"]) for _, r in rows}
    for name in workhorses:
        try:
            row = find_asic(catalogue, name)
        except NotInWarehouseError:
            continue
        if str(row["model"]) not in shown:
            rows.append(("workhorse", row))
            shown.add(str(row["model"]))
    return rows


def machine_rows(
    latest: pd.DataFrame,
    catalogue: pd.DataFrame,
    power_usd_per_kwh: float,
    assumptions: MiningAssumptions,
    *,
    n_efficient: int = 5,
    workhorses: Sequence[str] = WORKHORSE_MODELS,
) -> list[dict[str, object]]:
    """One row per model for one day: the ``n_efficient`` most efficient, then the workhorses.

    Margin [USD/MWh] = mining value − power price × 1000; margin per machine [USD/day] = that × the
    machine's site MWh per day (hashrate × efficiency × 24 h × PUE).

    Parameters
    ----------
    latest
        BTC daily frame of one day.
    catalogue
        ASIC frame.
    power_usd_per_kwh
        Power price [USD/kWh].
    assumptions
        Cost assumptions.
    n_efficient
        How many of the most efficient models to list.
    workhorses
        Models to list after them (skipped when absent from the catalogue).
    """
    rows = _listed_models(catalogue, n_efficient, workhorses)
    spec = cost_assumptions(assumptions)
    power_usd_per_mwh = usd_per_kwh_to_usd_per_mwh(power_usd_per_kwh)
    out: list[dict[str, object]] = []
    for group, row in rows:
        eff = float(row["efficiency_j_per_th"])
        day = economics_frame(
            latest, efficiency_j_per_th=eff, power_usd_per_kwh=power_usd_per_kwh, assumptions=spec
        ).iloc[0]
        value = float(day["mining_value_usd_per_mwh"])
        site_mwh_per_day = mwh_per_day(float(row["hashrate_ths"]) * eff) * assumptions.pue
        out.append(
            {
                "model": str(row["model"]),
                "group": group,
                "efficiency [J/TH]": eff,
                "breakeven power [USD/kWh]": float(day["breakeven_power_usd_per_kwh"]),
                "mining value [USD/MWh]": value,
                "margin [USD/MWh]": value - power_usd_per_mwh,
                "margin per machine [USD/day]": (value - power_usd_per_mwh) * site_mwh_per_day,
                "energy cost [USD/BTC]": float(day["energy_cost_usd_per_btc"]),
                "all-in cost [USD/BTC]": float(day["all_in_cost_usd_per_btc"]),
            }
        )
    return out
