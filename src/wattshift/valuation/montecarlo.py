"""Monte Carlo scenarios of the per-MW valuation: the inputs of a run and its simulated markets.

A chunk of paths draws its random numbers from ``SeedSequence(seed, spawn_key=(chunk,))``
(:func:`chunk_rng`), first the scenario (price draws, then hashrate shocks: :func:`draw_scenario`),
then the AI lease events (:func:`~wattshift.valuation.cashflows.draw_ai_events`). The result of a
run therefore depends on ``(seed, paths, chunk_paths)`` only, never on the order or the process
that values the chunks (:mod:`~wattshift.valuation.execution`).

Pure functions: arrays and frozen specs in, new arrays out; no argument is written to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.valuation.network import (
    HashrateModel,
    btc_per_th_day,
    efficiency_band,
    network_hashrate_ths,
)
from wattshift.valuation.scenarios import PriceModel, draw_log_price, log_price_from_draws
from wattshift.valuation.specs import ValuationSpec

FloatArray = npt.NDArray[np.float64]
BUSINESSES = ("mining", "ai", "hybrid")


@dataclass(frozen=True)
class ValuationInputs:
    """Everything the per-MW Monte Carlo needs (calibrated models, schedules, terms).

    Attributes
    ----------
    price
        Calibrated BTC price model.
    network
        Calibrated hashrate model.
    subsidy_btc_per_block
        Mean block subsidy per month [BTC/block], shape ``(months,)``.
    spec
        Valuation terms (frozen).
    efficiency_j_per_th
        Site fleet efficiency [J/TH].
    power_usd_per_mwh
        Site power price now [USD/MWh].
    flex_revenue_usd_per_mw_month
        Curtailment + reserve revenue [USD/MW-month] (dispatch backtest), None = the spec's value.
    """

    price: PriceModel
    network: HashrateModel
    subsidy_btc_per_block: FloatArray
    spec: ValuationSpec
    efficiency_j_per_th: float
    power_usd_per_mwh: float
    flex_revenue_usd_per_mw_month: float | None = None

    @property
    def months(self) -> int:
        """Horizon [months]."""
        return int(self.subsidy_btc_per_block.shape[0])


@dataclass(frozen=True)
class Scenario:
    """Simulated market of some paths: BTC price [USD] and miner revenue [BTC per TH/s per day].

    Both arrays are ``(paths, months)``.
    """

    price_usd: FloatArray
    btc_per_th_day: FloatArray


def chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    """The generator of chunk ``chunk`` (independent streams, reproducible)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))


@dataclass(frozen=True)
class ScenarioDraws:
    """The random numbers of a chunk's scenario, in the order they are drawn.

    Attributes
    ----------
    price
        Standard normals ``(paths, months)`` ('gbm') or bootstrap block starts
        ``(paths, n_blocks)`` ('bootstrap'); see :func:`~wattshift.valuation.scenarios.draw_log_price`.
    hashrate_shocks
        Standard normals of installed-hashrate growth, ``(paths, months)``.
    """

    price: npt.NDArray[np.float64] | npt.NDArray[np.int64]
    hashrate_shocks: FloatArray

    def rows(self, start: int, stop: int) -> ScenarioDraws:
        """The draws of paths ``start .. stop - 1`` (views, no copy)."""
        return ScenarioDraws(self.price[start:stop], self.hashrate_shocks[start:stop])


def draw_scenario(inputs: ValuationInputs, paths: int, rng: np.random.Generator) -> ScenarioDraws:
    """Draw the random numbers of :func:`scenario_from_draws`: price draws, then hashrate shocks."""
    sc = inputs.spec.scenario
    price = draw_log_price(
        inputs.price,
        kind=sc.price_model,
        paths=paths,
        months=inputs.months,
        rng=rng,
        block_days=sc.block_days,
    )
    return ScenarioDraws(price=price, hashrate_shocks=rng.standard_normal((paths, inputs.months)))


def scenario_from_draws(
    inputs: ValuationInputs, draws: ScenarioDraws, *, returns: FloatArray | None = None
) -> Scenario:
    """Price and network paths from ``draws`` (see :mod:`~wattshift.valuation.network`).

    ``draws`` is left as it was (the 'gbm' path is built in a new array). ``returns``: the
    bootstrap history (:func:`~wattshift.valuation.scenarios.bootstrap_returns`) if already
    computed.
    """
    sc = inputs.spec.scenario
    months = inputs.months
    price_draws = draws.price.copy() if sc.price_model == "gbm" else draws.price
    log_price = log_price_from_draws(
        inputs.price,
        price_draws,
        kind=sc.price_model,
        months=months,
        block_days=sc.block_days,
        returns=returns,
    )
    best, worst = efficiency_band(
        sc.network_best_j_per_th, sc.network_worst_j_per_th, sc.efficiency_gain_annual, months
    )
    hashrate = network_hashrate_ths(
        log_price,
        inputs.subsidy_btc_per_block,
        inputs.network,
        log_price0=float(np.log(inputs.price.price0_usd)),
        adjustment_annual=sc.hashrate_adjustment_annual,
        extra_growth_annual=sc.hashrate_extra_growth_annual,
        shocks=draws.hashrate_shocks,
        power_usd_per_kwh=sc.network_power_usd_per_kwh,
        best_j_per_th=best,
        worst_j_per_th=worst,
    )
    # ``log_price`` and ``hashrate`` are new arrays of this call: turned into the results in place.
    return Scenario(
        price_usd=np.exp(log_price, out=log_price),
        btc_per_th_day=btc_per_th_day(
            inputs.subsidy_btc_per_block, inputs.network.fee_share, hashrate, overwrite_hashrate=True
        ),
    )


def simulate_scenario(inputs: ValuationInputs, paths: int, rng: np.random.Generator) -> Scenario:
    """Price and network paths for ``paths`` paths (see :mod:`~wattshift.valuation.network`)."""
    return scenario_from_draws(inputs, draw_scenario(inputs, paths, rng))
