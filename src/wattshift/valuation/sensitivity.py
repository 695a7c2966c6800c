"""Tornado of the p50 NPV per MW: each key input at a low and a high value, the rest at base.

Every case is run on the same random numbers (common random numbers [1]_): the same seed and
chunking draw the same standard normals for price and hashrate and the same lease uniforms, so a
bar's width is the input's effect, not Monte Carlo noise (:func:`~wattshift.valuation.execution.run`
draws every random number before any parameter is used).

Ranges (low, high) are set on the base value: relative for prices and costs (rent, capex, power:
-/+20 %; BTC volatility: -/+20 %; default probability: x0.5 / x2), absolute for rates and terms
(discount rate -/+2 points, BTC log drift -/+10 points, hashrate growth -/+10 points, PUE -/+0.1,
lease term -/+3 years, exit cap rates -/+1 point (AI) and -/+2 points (mining)).

How the cases are run: a swing changes one input, and most inputs touch only part of a path's
value (the AI rent never reaches the BTC market; the discount rate changes no cash flow). So the
23 cases (the base and each input low and high) are valued together, chunk by chunk and block by
block as :func:`~wattshift.valuation.execution.run_chunk` values one (the same random streams, the
same blocks), and what a case shares with an earlier one is reused, not rebuilt:

- the random numbers: drawn once per chunk (they depend on the price model and the sizes only:
  :func:`_draw_key`);
- the scenario (price and network paths), per distinct price model, network model, subsidy and
  ``[scenario]`` terms (:func:`_scenario_key`);
- the mining cash flows, per distinct scenario, ``[mining]`` terms, fleet, power and flex revenue
  (:func:`_mining_key`); the mining NPV adds the terminal and discount terms (:func:`_mining_npv_key`);
- the AI leases, per distinct lease terms; the AI NPV per distinct ``[ai]``, ``[mining]`` (power
  escalator), ``[terminal]`` and ``[dcf]`` terms and power price (:func:`_ai_npv_key`).

Each NPV is computed by the same operations in the same order as
:func:`~wattshift.valuation.pathvalue.value_block` (``cash @ disc`` over the same block rows), so
the p50s are bit for bit those of re-running each case from scratch (:func:`p50_npvs`; a hypothesis
test). Payback, IRR and the hybrid business, which the tornado does not show, are not computed.

References
----------
.. [1] P. Glasserman, *Monte Carlo Methods in Financial Engineering*, Springer 2003, §4.2
   (common random numbers for sensitivities).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.valuation.cashflows import CashFlows, ai_cash_flows, ai_event_stream, lease_terms
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.execution import block_bounds, block_paths, chunk_sizes, map_chunks, run
from wattshift.valuation.horizon import ai_terminal_usd, mining_terminal_usd
from wattshift.valuation.leases import LeasePaths, expand_leases, lease_starts_of
from wattshift.valuation.montecarlo import (
    ScenarioDraws,
    ValuationInputs,
    chunk_rng,
    draw_scenario,
    scenario_from_draws,
)
from wattshift.valuation.pathvalue import mining_flows
from wattshift.valuation.scenarios import bootstrap_returns

FloatArray = npt.NDArray[np.float64]
Setter = Callable[[ValuationInputs, float], ValuationInputs]
#: The businesses the tornado shows.
_SHOWN = ("mining", "ai")


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
    cases = [inputs]
    ranges = []
    for item in INPUTS:
        value = item.base(inputs)
        low, high = item.low(value), item.high(value)
        ranges.append((low, high))
        cases += [item.set(inputs, low), item.set(inputs, high)]
    p50 = cases_p50_npvs(cases, paths=paths, seed=seed, chunk_paths=chunk_paths, threads=threads)
    bars = []
    for k, (item, (low, high)) in enumerate(zip(INPUTS, ranges, strict=True)):
        at_low, at_high = p50[1 + 2 * k], p50[2 + 2 * k]
        for b in ("mining", "ai"):
            bars.append(Bar(item.name, b, low, high, at_low[b], at_high[b], p50[0][b]))
    bars.sort(key=lambda bar: -abs(bar.npv_high_usd - bar.npv_low_usd))
    return bars


def cases_p50_npvs(
    cases: Sequence[ValuationInputs], *, paths: int, seed: int, chunk_paths: int, threads: int = 1
) -> list[dict[str, float]]:
    """:func:`p50_npvs` of each case, valued together on shared work (module docstring).

    ``[p50_npvs(case, ...) for case in cases]``, bit for bit; ``threads`` never changes a number.
    """
    sizes = chunk_sizes(paths, chunk_paths)
    returns = [
        bootstrap_returns(c.price) if c.spec.scenario.price_model == "bootstrap" else None for c in cases
    ]
    discs = [discount_factors(monthly_rate(c.spec.dcf.discount_rate_annual), c.months) for c in cases]
    parts = map_chunks(
        lambda k: _chunk_npvs(cases, returns, discs, k, sizes[k], seed), len(sizes), threads=threads
    )
    out = []
    for i in range(len(cases)):
        npv = {b: np.concatenate([part[i][b] for part in parts]) for b in _SHOWN}
        out.append({b: float(np.percentile(npv[b], 50)) for b in _SHOWN})
    return out


def _groups(indices: Sequence[int], key: Callable[[int], Hashable]) -> list[list[int]]:
    """``indices`` grouped by ``key``, groups in order of first appearance."""
    groups: dict[Hashable, list[int]] = {}
    for i in indices:
        groups.setdefault(key(i), []).append(i)
    return list(groups.values())


def _draw_key(c: ValuationInputs) -> Hashable:
    """What a chunk's random numbers depend on (:func:`~wattshift.valuation.montecarlo.draw_scenario`)."""
    sc = c.spec.scenario
    return (sc.price_model, sc.block_days, c.months, c.price.daily_log_returns.shape[0])


def _scenario_key(c: ValuationInputs) -> Hashable:
    """What :func:`~wattshift.valuation.montecarlo.scenario_from_draws` reads besides the draws
    (models and arrays by identity: a swing that keeps them keeps the same objects)."""
    return (id(c.price), id(c.network), id(c.subsidy_btc_per_block), c.spec.scenario)


def _mining_key(c: ValuationInputs) -> Hashable:
    """What :func:`~wattshift.valuation.pathvalue.mining_flows` reads besides the scenario."""
    return (
        _scenario_key(c),
        c.spec.mining,
        c.efficiency_j_per_th,
        c.power_usd_per_mwh,
        c.flex_revenue_usd_per_mw_month,
    )


def _mining_npv_key(c: ValuationInputs) -> Hashable:
    """What the mining NPV reads besides its cash flows: terminal value and discount terms."""
    return (_mining_key(c), c.spec.terminal, c.spec.dcf)


def _ai_npv_key(c: ValuationInputs) -> Hashable:
    """What the AI NPV reads besides its leases (cash flows, terminal value, discounting)."""
    spec = c.spec
    return (spec.ai, spec.mining, spec.terminal, spec.dcf, c.power_usd_per_mwh, c.months)


def _chunk_npvs(
    cases: Sequence[ValuationInputs],
    returns: Sequence[FloatArray | None],
    discs: Sequence[FloatArray],
    chunk: int,
    paths: int,
    seed: int,
) -> list[dict[str, FloatArray]]:
    """Mining and AI NPVs [USD/MW] of chunk ``chunk``'s ``paths`` paths for every case, block by block
    as :func:`~wattshift.valuation.execution.run_chunk` values them."""
    out: list[dict[str, list[FloatArray]]] = [{b: [] for b in _SHOWN} for _ in cases]
    for group in _groups(range(len(cases)), lambda i: _draw_key(cases[i])):
        first = cases[group[0]]
        rng = chunk_rng(seed, chunk)
        draws = draw_scenario(first, paths, rng)
        leases = ai_event_stream(first.spec.ai, paths, rng, first.months)  # its rows' uniforms
        members = [cases[i] for i in group]
        member_discs = [discs[i] for i in group]
        for start, stop in block_bounds(paths, block_paths(first.months)):
            block_draws = draws.rows(start, stop)
            mining = _mining_npvs(members, [returns[i] for i in group], block_draws, member_discs)
            ai = _ai_npvs(members, leases.rows(start, stop).uniforms(), member_discs)
            for j, i in enumerate(group):
                out[i]["mining"].append(mining[j])
                out[i]["ai"].append(ai[j])
    return [{b: np.concatenate(v[b]) for b in _SHOWN} for v in out]


def _mining_npvs(
    cases: Sequence[ValuationInputs],
    returns: Sequence[FloatArray | None],
    draws: ScenarioDraws,
    discs: Sequence[FloatArray],
) -> list[FloatArray]:
    """Mining NPV [USD/MW] of a block's paths for each case: each distinct scenario, cash flows and
    NPV built once, one scenario held at a time."""
    out: list[FloatArray] = [np.empty(0)] * len(cases)
    for group in _groups(range(len(cases)), lambda i: _scenario_key(cases[i])):
        scenario = scenario_from_draws(cases[group[0]], draws, returns=returns[group[0]])
        for same_flows in _groups(group, lambda i: _mining_key(cases[i])):
            flows = mining_flows(cases[same_flows[0]], scenario)
            for same_npv in _groups(same_flows, lambda i: _mining_npv_key(cases[i])):
                npv = _mining_npv(cases[same_npv[0]], flows, discs[same_npv[0]])
                for i in same_npv:
                    out[i] = npv
    return out


def _mining_npv(inputs: ValuationInputs, flows: CashFlows, disc: FloatArray) -> FloatArray:
    """``(cash + terminal value in the last month) @ disc`` [USD/MW], as
    :func:`~wattshift.valuation.pathvalue.value_block` computes it."""
    cash = flows.cash_usd  # a new array
    cash[:, -1] += mining_terminal_usd(inputs, flows.ebitda_usd)
    out: FloatArray = cash @ disc
    return out


def _ai_npvs(
    cases: Sequence[ValuationInputs], uniforms: FloatArray, discs: Sequence[FloatArray]
) -> list[FloatArray]:
    """AI NPV [USD/MW] of a block's paths for each case, on the block's lease uniforms: the leases
    of each distinct lease terms and each distinct NPV built once."""
    out: list[FloatArray] = [np.empty(0)] * len(cases)
    for group in _groups(range(len(cases)), lambda i: lease_terms(cases[i].spec.ai)):
        terms = lease_terms(cases[group[0]].spec.ai)
        leases = expand_leases(terms, lease_starts_of(terms, uniforms))
        for same_npv in _groups(group, lambda i: _ai_npv_key(cases[i])):
            npv = _ai_npv(cases[same_npv[0]], leases, discs[same_npv[0]])
            for i in same_npv:
                out[i] = npv
    return out


def _ai_npv(inputs: ValuationInputs, leases: LeasePaths, disc: FloatArray) -> FloatArray:
    """AI hosting (converted in month 0) ``(cash + terminal value in the last month) @ disc``
    [USD/MW], as :func:`~wattshift.valuation.pathvalue.value_block` computes it."""
    spec = inputs.spec
    flows = ai_cash_flows(
        spec.ai,
        leases,
        inputs.months,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=spec.mining.power_escalator_annual,
    )
    cash = flows.cash_usd  # a new array
    cash[:, -1] += np.full(cash.shape[0], ai_terminal_usd(inputs, spec.ai.build_months))
    out: FloatArray = cash @ disc
    return out
