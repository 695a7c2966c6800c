"""Inputs of a valuation: a site's terms as frozen specs, its power and fleet figures, the
calibrated models, and the flex revenue of a dispatch backtest.

The configuration (:mod:`wattshift.config.valuation`) is turned into the engine's specs
(:mod:`wattshift.valuation.specs`) here, once; the engine never sees pydantic models.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from wattshift.chain import block_height_estimate, subsidy_btc
from wattshift.config import SiteConfig
from wattshift.config.deals import Deals
from wattshift.config.valuation import FALLBACK_POWER_USD_PER_MWH, ValuationConfig
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.services.deals import resolve_ai_terms
from wattshift.services.sites import resolve_fleets
from wattshift.services.valuation_results import Calibration, FlexSource
from wattshift.units import MONTHS_PER_YEAR, days_to_months, ths_to_ehs
from wattshift.valuation.drift import DriftChoice, long_run_drift, risk_neutral_drift
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.network import calibrate_hashrate, subsidy_by_month
from wattshift.valuation.scenarios import PriceModel, calibrate_price
from wattshift.valuation.specs import (
    AiSpec,
    DcfSpec,
    MiningSpec,
    ScenarioSpec,
    TerminalSpec,
    TreasurySpec,
    ValuationSpec,
)

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse

#: Days of real-time prices the power price fallback averages over [days].
POWER_LOOKBACK_DAYS = 365


@dataclass(frozen=True)
class FlexSpan:
    """A dispatch backtest whose value of flexibility becomes the mining flex revenue.

    Attributes
    ----------
    start, end
        First day and day after the last (UTC, end exclusive).
    node
        Price node; None = the contract's.
    market
        Energy market, ``"rt"`` or ``"da"``.
    """

    start: dt.date
    end: dt.date
    node: str | None = None
    market: Literal["rt", "da"] = "rt"


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


@functools.cache
def _deals() -> Deals:
    from wattshift.services.sites import load_deals

    return load_deals("deals")


def resolve_config(cfg: ValuationConfig) -> ValuationConfig:
    """``cfg`` with its AI deal terms filled in (:func:`~wattshift.services.deals.resolve_ai_terms`
    on the packaged deals file)."""
    return resolve_ai_terms(cfg, _deals())


def valuation_spec(cfg: ValuationConfig) -> ValuationSpec:
    """The engine's frozen :class:`~wattshift.valuation.specs.ValuationSpec` of a loaded config
    (AI deal terms resolved first: :func:`resolve_config`)."""
    cfg = resolve_config(cfg)
    mining = cfg.mining.model_dump(exclude={"efficiency_j_per_th", "power_usd_per_mwh"})
    if mining["fleet_age_years"] is None:  # no site to read it from: a refresh due now
        mining["fleet_age_years"] = cfg.mining.asic_life_years
    return ValuationSpec(
        years=cfg.years,
        paths=cfg.paths,
        seed=cfg.seed,
        chunk_paths=cfg.chunk_paths,
        scenario=ScenarioSpec(**cfg.scenario.model_dump()),
        mining=MiningSpec(**mining),
        ai=AiSpec(**cfg.ai.model_dump(exclude={"deal"})),
        dcf=DcfSpec(
            discount_rate_annual=cfg.dcf.discount_rate_annual,
            finance_rate_annual=_or(cfg.dcf.finance_rate_annual, cfg.dcf.discount_rate_annual),
            reinvest_rate_annual=_or(cfg.dcf.reinvest_rate_annual, cfg.dcf.discount_rate_annual),
        ),
        terminal=TerminalSpec(**cfg.terminal.model_dump()),
        treasury=TreasurySpec(**cfg.treasury.model_dump()),
    )


def site_efficiency_j_per_th(wh: Warehouse, site: SiteConfig, cfg: ValuationConfig) -> float:
    """Fleet efficiency [J/TH]: the config's, else total W / total TH/s of the site's fleets."""
    if cfg.mining.efficiency_j_per_th is not None:
        return cfg.mining.efficiency_j_per_th
    fleets = resolve_fleets(site, wh.asic_models() if any(f.model for f in site.fleets) else pd.DataFrame())
    if not fleets:
        return cfg.scenario.network_best_j_per_th
    power = sum(f.power_mw for f in fleets)
    th = sum(f.power_mw / f.efficiency_j_per_th for f in fleets)
    return float(power / th)


def site_power_usd_per_mwh(wh: Warehouse, site: SiteConfig, cfg: ValuationConfig) -> tuple[float, str]:
    """Power price now [USD/MWh] and where it came from.

    Order: ``[valuation.mining].power_usd_per_mwh``; the site's fixed block price; the mean real-time
    price of the last 365 days at the contract node in the warehouse;
    :data:`~wattshift.config.valuation.FALLBACK_POWER_USD_PER_MWH`.
    """
    if cfg.mining.power_usd_per_mwh is not None:
        return cfg.mining.power_usd_per_mwh, "valuation.mining.power_usd_per_mwh"
    if site.contract.kind == "block" and site.contract.block_price_usd_per_mwh is not None:
        return site.contract.block_price_usd_per_mwh, "contract.block_price_usd_per_mwh"
    from wattshift.warehouse.queries import SeriesWindow  # the warehouse's modules: loaded by now

    iso, node = site.contract.market, site.contract.node
    try:
        _, last_utc, _ = wh.series_span(node, "rt", iso=iso)  # one series' span, not every one's
        if last_utc is not None:
            last = pd.Timestamp(last_utc)
            start = (last - pd.Timedelta(days=POWER_LOOKBACK_DAYS)).date()
            window = SeriesWindow(iso, node, "rt", start, last.date() + dt.timedelta(days=1))
            [read] = wh.iso_prices_batch([window])  # arrays: no frame of repeated strings
            if isinstance(read, NotInWarehouseError):
                raise read
            value = float(pd.Series(read.price_usd_per_mwh).mean())  # the mean of iso_prices' column
            return value, f"mean {iso} RT {node} {start}..{last.date()}"
    except NotInWarehouseError:
        pass
    return FALLBACK_POWER_USD_PER_MWH, f"default {FALLBACK_POWER_USD_PER_MWH:g} USD/MWh"


def flex_usd_per_mw_month_from_dispatch(
    wh: Warehouse, site: SiteConfig, span: FlexSpan
) -> tuple[float, FlexSource]:
    """Value of flexibility of the site's mining per MW-month, from the dispatch backtest.

    Runs :func:`wattshift.services.dispatch.run_dispatch` over ``span`` with the site's foresight
    (``forecast`` unless the site's ``[backtest]`` says otherwise: decisions without hindsight) and
    scales its value of flexibility (the optimised schedule's net minus always-on mining's net on
    the same prices: curtailment savings, reserve and sell-back revenue) to the valuation's unit::

        flex [USD/MW-month] = V [USD] / (P_mining [MW] x months)
        months = days x 24 h / 730 h   (wattshift.units.days_to_months)

    with ``P_mining`` the summed power of the site's fleets. The result enters ``ebitda`` of
    :func:`wattshift.valuation.cashflows.mining_cash_flows` as ``flex_revenue_usd_per_mw_month``.
    A negative value (flexibility lost money on those prices) is kept: it is a real result.

    Returns
    -------
    tuple of (float, FlexSource)
        The figure [USD/MW-month] and its provenance.

    Raises
    ------
    ConfigError
        The site has no mining fleet, or the span is empty.
    NotInWarehouseError
        Prices or BTC data missing for part of the span (the span is named).
    """
    from wattshift.services.dispatch import result_dict, run_dispatch

    if span.end <= span.start:
        raise ConfigError(f"flex span: --flex-to {span.end} must be after --flex-from {span.start}")
    if not site.fleets:
        raise ConfigError("flex span: the site has no [[fleets]]; flexibility per mining MW is undefined")
    run = run_dispatch(
        wh, site, start=span.start, end=span.end, node=span.node, market=span.market, foresight=None
    )
    doc = result_dict(run)
    mining_mw = float(sum(f.power_mw for f in run.fleets))
    if mining_mw <= 0.0:
        raise ConfigError("flex span: the site's fleets have no power; flexibility per MW is undefined")
    months = float(days_to_months((span.end - span.start).days))
    value_usd = float(doc["value_of_flexibility_usd"])
    source = FlexSource(
        kind="dispatch backtest",
        start=span.start,
        end=span.end,
        node=run.node,
        market=run.market,
        foresight=run.foresight,
        value_of_flexibility_usd=value_usd,
        reserves_usd=float(doc["revenue_usd"]["reserves"]),
        sellback_usd=float(doc["revenue_usd"]["sellback"]),
        mining_mw=mining_mw,
        months=months,
    )
    return value_usd / (mining_mw * months), source


def _release_date(release: object) -> dt.date | None:
    """First ``YYYY`` or ``YYYY-MM`` of a catalogue ``release`` text (mid-year for a bare year)."""
    match = re.match(r"\s*(\d{4})(?:-(\d{2}))?", str(release))
    if match is None:
        return None
    return dt.date(int(match.group(1)), int(match.group(2) or 7), 1)


def site_fleet_age_years(
    wh: Warehouse, site: SiteConfig, cfg: ValuationConfig, valuation_date: dt.date
) -> tuple[float, str]:
    """Age of the site's fleet in service [years] and where it came from.

    Order: ``[valuation.mining].fleet_age_years``; the power-weighted age of the site's fleets on
    ``valuation_date``, each since its model's release (ASIC catalogue ``release``; a fleet
    without a catalogue model or release date counts half of ``asic_life_years``); a site
    without fleets: ``asic_life_years`` (a refresh due now: a fleet is bought in month 0).
    """
    life = cfg.mining.asic_life_years
    if cfg.mining.fleet_age_years is not None:
        return cfg.mining.fleet_age_years, "valuation.mining.fleet_age_years"
    if not site.fleets:
        return life, "no fleets: a new fleet bought in month 0"
    models = wh.asic_models() if any(f.model for f in site.fleets) else pd.DataFrame()
    fleets = resolve_fleets(site, models)
    release = dict(zip(models["model"], models["release"], strict=True)) if len(models) else {}
    ages = []
    for fleet in fleets:
        released = _release_date(release.get(fleet.model)) if fleet.model else None
        ages.append(0.5 * life if released is None else max((valuation_date - released).days / 365.25, 0.0))
    power = [f.power_mw for f in fleets]
    age = float(sum(a * p for a, p in zip(ages, power, strict=True)) / sum(power))
    return age, f"power-weighted age since model release on {valuation_date}"


@dataclass(frozen=True)
class SiteFigures:
    """A site's power price [USD/MWh] (and its source) and fleet efficiency [J/TH] for a valuation."""

    power_usd_per_mwh: float
    power_source: str
    efficiency_j_per_th: float


def site_figures(wh: Warehouse, site: SiteConfig, cfg: ValuationConfig) -> SiteFigures:
    """:func:`site_power_usd_per_mwh` and :func:`site_efficiency_j_per_th` of ``site`` under ``cfg``."""
    power, source = site_power_usd_per_mwh(wh, site, cfg)
    return SiteFigures(power, source, site_efficiency_j_per_th(wh, site, cfg))


def choose_drift(
    btc: pd.DataFrame,
    cfg: ValuationConfig,
    window_drift: float,
    vol: float,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> DriftChoice:
    """The log-price drift of ``[valuation.scenario]``'s choice (:mod:`wattshift.valuation.drift`);
    ``window_drift``, ``vol``: the window's calibrated drift and volatility, ``start``/``end`` its days."""
    sc = cfg.scenario
    window = (start.date(), end.date())
    if sc.price_drift_annual is not None:
        return DriftChoice("override", sc.price_drift_annual, None)
    if sc.drift == "risk-neutral":
        return DriftChoice(sc.drift, risk_neutral_drift(sc.risk_free_rate_annual, vol), window)
    if sc.drift == "long-run":
        m, epoch = long_run_drift(btc)
        return DriftChoice(sc.drift, m, epoch)
    return DriftChoice(sc.drift, window_drift, window)


def price_model(btc: pd.DataFrame, cfg: ValuationConfig) -> tuple[PriceModel, DriftChoice]:
    """The BTC price model calibrated on the window, with the drift of ``cfg``'s choice."""
    sc = cfg.scenario
    price = calibrate_price(
        btc, years=sc.calibration_years, drift_annual=sc.price_drift_annual, vol_annual=sc.price_vol_annual
    )
    drift = choose_drift(btc, cfg, price.drift_annual, price.vol_annual, price.window_start, price.window_end)
    return dataclasses.replace(price, drift_annual=drift.drift_annual), drift


def build_inputs(
    wh: Warehouse,
    site: SiteConfig,
    cfg: ValuationConfig,
    *,
    years: int,
    flex: tuple[float, FlexSource] | None = None,
    btc_daily: pd.DataFrame | None = None,
    figures: SiteFigures | None = None,
) -> tuple[ValuationInputs, Calibration]:
    """Calibrate the models on the warehouse's BTC history and gather the site's terms.

    ``flex``: the flex revenue [USD/MW-month] of a dispatch backtest and its provenance, which
    replace ``[valuation.mining].flex_revenue_usd_per_mw_month``. ``btc_daily`` and ``figures``:
    the warehouse's BTC history and :func:`site_figures` when already read (a sweep reads them
    once per site, not once per case).
    """
    btc = wh.btc_daily() if btc_daily is None else btc_daily
    fig = site_figures(wh, site, cfg) if figures is None else figures
    sc = cfg.scenario
    price, drift = price_model(btc, cfg)
    network = calibrate_hashrate(
        btc, years=sc.calibration_years, vol_annual=sc.hashrate_vol_annual, fee_share=sc.fee_share
    )
    height0 = int(block_height_estimate(price.window_end))
    age, age_source = site_fleet_age_years(wh, site, cfg, price.window_end.date())
    cfg = cfg.model_copy(update={"mining": cfg.mining.model_copy(update={"fleet_age_years": age})})
    inputs = ValuationInputs(
        price=price,
        network=network,
        subsidy_btc_per_block=subsidy_by_month(height0, years * MONTHS_PER_YEAR, subsidy_btc),
        spec=valuation_spec(cfg),
        efficiency_j_per_th=fig.efficiency_j_per_th,
        power_usd_per_mwh=fig.power_usd_per_mwh,
        flex_revenue_usd_per_mw_month=None if flex is None else flex[0],
    )
    calibration = Calibration(
        valuation_date=price.window_end.date(),
        window=(price.window_start.date(), price.window_end.date()),
        price0_usd=price.price0_usd,
        price_drift_annual=price.drift_annual,
        drift=drift.kind,
        drift_window=drift.window,
        price_vol_annual=price.vol_annual,
        price_model=sc.price_model,
        hashrate0_ehs=float(ths_to_ehs(network.hashrate0_ths)),
        hashrate_growth_hist_annual=network.growth_annual,
        hashrate_vol_annual=network.vol_annual,
        fee_share=network.fee_share,
        block_height0=height0,
        efficiency_j_per_th=inputs.efficiency_j_per_th,
        fleet_age_years=age,
        fleet_age_source=age_source,
        power_usd_per_mwh=fig.power_usd_per_mwh,
        power_source=fig.power_source,
        flex_revenue_usd_per_mw_month=None if flex is None else flex[0],
        flex_source=None if flex is None else flex[1],
    )
    return inputs, calibration
