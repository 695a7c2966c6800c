"""Valuation of a site from a config object and one's own BTC history (no warehouse).

:func:`value` runs the service of ``wattshift value``
(:func:`wattshift.services.valuation.value_site`) over an in-memory source holding the daily
network frame given (:func:`wattshift.lib.btc_daily_frame`), so the Monte Carlo is calibrated
on that history. The power price and fleet efficiency come from the site's ``[valuation.mining]``
table, else its fixed block price and fleets, else the model's sourced defaults; there are no
market prices to average here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from wattshift.config import SiteConfig
from wattshift.errors import NotInWarehouseError
from wattshift.lib._signals import btc_daily_frame
from wattshift.services.sites import load_site
from wattshift.services.valuation import ValuationRequest, value_site
from wattshift.services.valuation_results import SiteValuation

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse


class _FrameSource:
    """The warehouse queries the valuation service makes, over the frames given (no ISO prices)."""

    def __init__(self, btc_daily: pd.DataFrame, asic_models: pd.DataFrame | None) -> None:
        self._btc = btc_daily
        self._asics = asic_models if asic_models is not None else pd.DataFrame()

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        keep = pd.Series(True, index=self._btc.index)
        if start is not None:
            keep &= self._btc["date"] >= pd.Timestamp(start)
        if end is not None:
            keep &= self._btc["date"] <= pd.Timestamp(end)
        return self._btc[keep].reset_index(drop=True)

    def asic_models(self) -> pd.DataFrame:
        return self._asics.copy()

    def series_span(self, node: str, market: str, **_: Any) -> tuple[None, None, int]:
        return None, None, 0  # no price series held

    def iso_prices(self, node: str, market: str, start: Any, end: Any, **_: Any) -> pd.DataFrame:
        raise NotInWarehouseError(f"no {market} prices for {node}: the library's valuation holds no prices")


def value(
    site: SiteConfig | str | Path,
    network: pd.DataFrame,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    asic_models: pd.DataFrame | None = None,
    threads: int | None = None,
) -> SiteValuation:
    """NPV and IRR distributions per business, EV per MW, conversion plan and BTC to sell of a site.

    Parameters
    ----------
    site
        A :class:`~wattshift.config.SiteConfig` (its ``valuation`` table, a
        :class:`~wattshift.config.valuation.ValuationConfig`, gives the terms), a site TOML file or an
        example's name.
    network
        Daily BTC history to calibrate on: ``date`` (or a DatetimeIndex), ``price_usd`` [USD/BTC],
        ``hashrate_ehs`` [EH/s], and ``fees_usd``, ``revenue_usd`` [USD/day] for the fee share
        (:func:`wattshift.lib.btc_daily_frame`); at least the config's calibration window.
    paths, years, seed
        Overrides of the config's ``paths``, ``years`` and ``seed``.
    asic_models
        ASIC catalogue for fleets given by model and count.
    threads
        Monte Carlo threads (None = the CPUs available); never changes a number.

    Returns
    -------
    SiteValuation
        The typed result of ``wattshift value`` (``npv_usd.mining.p50``, ``ev_per_mw_usd.ai``, …).
    """
    config = site if isinstance(site, SiteConfig) else load_site(site)
    source = _FrameSource(btc_daily_frame(network), asic_models)
    request = ValuationRequest(site=config, paths=paths, years=years, seed=seed, threads=threads)
    # The service reads only btc_daily, asic_models, price_nodes and iso_prices of its warehouse.
    return value_site(cast("Warehouse", source), request)
