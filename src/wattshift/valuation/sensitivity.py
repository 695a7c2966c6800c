"""Tornado of the p50 NPV per MW: each key input at a low and a high value, the rest at base.

Every case is run on the same random numbers (common random numbers [1]_): the same seed and
chunking draw the same standard normals for price and hashrate and the same lease uniforms, so a
bar's width is the input's effect, not Monte Carlo noise (:func:`~wattshift.valuation.execution.run`
draws every random number before any parameter is used).

Ranges (low, high) are set on the base value: relative for prices and costs (rent, capex, power:
-/+20 %; BTC volatility: -/+20 %; default probability: x0.5 / x2), absolute for rates and terms
(discount rate -/+2 points, BTC log drift -/+10 points, hashrate growth -/+10 points, PUE -/+0.1,
lease term -/+3 years, exit cap rates -/+1 point (AI) and -/+2 points (mining)).

References
----------
.. [1] P. Glasserman, *Monte Carlo Methods in Financial Engineering*, Springer 2003, §4.2
   (common random numbers for sensitivities).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wattshift.valuation.execution import run
from wattshift.valuation.montecarlo import ValuationInputs

Setter = Callable[[ValuationInputs, float], ValuationInputs]


def _spec(inputs: ValuationInputs, table: str, **changes: float) -> ValuationInputs:
    spec = inputs.spec
    sub = dataclasses.replace(getattr(spec, table), **changes)
    return dataclasses.replace(inputs, spec=dataclasses.replace(spec, **{table: sub}))


@dataclass(frozen=True)
class Input:
    """One tornado input: its name, how to read its base value, its range and how to set it."""

    name: str
    base: Callable[[ValuationInputs], float]
    low: Callable[[float], float]
    high: Callable[[float], float]
    set: Setter


def _rel(f: float) -> Callable[[float], float]:
    return lambda x: x * f


def _add(d: float) -> Callable[[float], float]:
    return lambda x: x + d


def _set_caps(inputs: ValuationInputs, cap: float) -> ValuationInputs:
    """AI exit cap rate ``cap``; the mining one moved twice as far (a riskier business)."""
    t = inputs.spec.terminal
    return _spec(
        inputs,
        "terminal",
        exit_cap_rate=cap,
        mining_exit_cap_rate=t.mining_exit_cap_rate + 2 * (cap - t.exit_cap_rate),
    )


INPUTS: tuple[Input, ...] = (
    Input("rent_usd_per_kw_month", lambda i: i.spec.ai.rate_usd_per_kw_month, _rel(0.8), _rel(1.2),
          lambda i, v: _spec(i, "ai", rate_usd_per_kw_month=v)),
    Input("capex_usd_m_per_mw", lambda i: i.spec.ai.capex_usd_m_per_mw, _rel(0.8), _rel(1.2),
          lambda i, v: _spec(i, "ai", capex_usd_m_per_mw=v)),
    Input("discount_rate", lambda i: i.spec.dcf.discount_rate_annual, _add(-0.02), _add(0.02),
          lambda i, v: _spec(i, "dcf", discount_rate_annual=v)),
    Input("btc_drift", lambda i: i.price.drift_annual, _add(-0.1), _add(0.1),
          lambda i, v: dataclasses.replace(i, price=dataclasses.replace(i.price, drift_annual=v))),
    Input("btc_volatility", lambda i: i.price.vol_annual, _rel(0.8), _rel(1.2),
          lambda i, v: dataclasses.replace(i, price=dataclasses.replace(i.price, vol_annual=v))),
    Input("hashrate_growth", lambda i: i.spec.scenario.hashrate_extra_growth_annual, _add(-0.1), _add(0.1),
          lambda i, v: _spec(i, "scenario", hashrate_extra_growth_annual=v)),
    Input("power_usd_per_mwh", lambda i: i.power_usd_per_mwh, _rel(0.8), _rel(1.2),
          lambda i, v: dataclasses.replace(i, power_usd_per_mwh=v)),
    Input("pue", lambda i: i.spec.ai.pue, _add(-0.1), _add(0.1),
          lambda i, v: _spec(i, "ai", pue=max(v, 1.0))),
    Input("term_years", lambda i: i.spec.ai.term_years, _add(-3.0), _add(3.0),
          lambda i, v: _spec(i, "ai", term_years=max(v, 1.0))),
    Input("default_probability", lambda i: i.spec.ai.default_probability_annual, _rel(0.5), _rel(2.0),
          lambda i, v: _spec(i, "ai", default_probability_annual=min(v, 0.99))),
    Input("exit_cap_rate", lambda i: i.spec.terminal.exit_cap_rate, _add(-0.01), _add(0.01), _set_caps),
)  # fmt: skip


@dataclass(frozen=True)
class Bar:
    """One input's swing of one business's p50 NPV per site MW [USD/MW].

    Attributes
    ----------
    input, business
        Input name and ``mining`` / ``ai``.
    low, high
        The input's low and high values (its unit).
    npv_low_usd, npv_high_usd, npv_base_usd
        p50 NPV per site MW at the low, high and base values [USD/MW].
    """

    input: str
    business: str
    low: float
    high: float
    npv_low_usd: float
    npv_high_usd: float
    npv_base_usd: float


def p50_npvs(
    inputs: ValuationInputs, *, paths: int, seed: int, chunk_paths: int, threads: int
) -> dict[str, float]:
    """p50 NPV per site MW of mining and AI hosting [USD/MW] on the run's random numbers."""
    res = run(inputs, paths=paths, seed=seed, chunk_paths=chunk_paths, with_irr=False, threads=threads)
    return {b: float(np.percentile(res.npv_usd[b], 50)) for b in ("mining", "ai")}


def tornado(
    inputs: ValuationInputs, *, paths: int, seed: int, chunk_paths: int, threads: int = 1
) -> list[Bar]:
    """Bars of every :data:`INPUTS` entry for mining and AI, widest swing first (module docstring)."""
    kwargs = {"paths": paths, "seed": seed, "chunk_paths": chunk_paths, "threads": threads}
    base = p50_npvs(inputs, **kwargs)
    bars = []
    for item in INPUTS:
        value = item.base(inputs)
        low, high = item.low(value), item.high(value)
        at_low = p50_npvs(item.set(inputs, low), **kwargs)
        at_high = p50_npvs(item.set(inputs, high), **kwargs)
        for b in ("mining", "ai"):
            bars.append(Bar(item.name, b, low, high, at_low[b], at_high[b], base[b]))
    bars.sort(key=lambda bar: -abs(bar.npv_high_usd - bar.npv_low_usd))
    return bars
