"""AI terms from published deals: one deal's terms together, or the median of the deals.

A deal's contract value over its term gives a term-average rent that already contains the
escalator; the lease starts lower (:func:`wattshift.valuation.deals.starting_rent_usd_per_kw_month`).
``[valuation.ai] deal = "NAME"`` takes that starting rent with the deal's capex, term and PUE;
without a deal, each of those terms not given in the site file is the median over the deals file.
"""

from __future__ import annotations

import difflib
import statistics
from dataclasses import dataclass, fields

from wattshift.config.deals import Deal, Deals
from wattshift.config.valuation import ValuationConfig
from wattshift.errors import ConfigError
from wattshift.units import KW_PER_MW, MONTHS_PER_YEAR, musd_to_usd
from wattshift.valuation.deals import starting_rent_usd_per_kw_month

#: The AI terms a deal sets together (field names of ``[valuation.ai]``).
DEAL_FIELDS = ("rate_usd_per_kw_month", "capex_usd_m_per_mw", "term_years", "pue", "escalator_annual")


@dataclass(frozen=True)
class DealTerms:
    """Starting rent [USD/kW-month], capex [USD M per IT MW], term [years], PUE, escalator [1/year]."""

    rate_usd_per_kw_month: float
    capex_usd_m_per_mw: float
    term_years: float
    pue: float
    escalator_annual: float


def terms_of(deal: Deal) -> DealTerms:
    """A deal's terms, its starting rent de-escalated from the contract's term average."""
    start = starting_rent_usd_per_kw_month(deal.rate_usd_per_kw_month, deal.escalator_annual, deal.term_years)
    return DealTerms(start, deal.capex_usd_m_per_mw, deal.term_years, deal.pue, deal.escalator_annual)


def median_terms(deals: Deals) -> DealTerms:
    """Each term's median over the deals: wattshift's default AI terms."""
    all_terms = [terms_of(d) for d in deals.deal]
    return DealTerms(
        *(float(statistics.median(getattr(t, f.name) for t in all_terms)) for f in fields(DealTerms))
    )


def find_deal(deals: Deals, name: str) -> Deal:
    """The deal called ``name``.

    Raises
    ------
    ConfigError
        No such deal: names ``valuation.ai.deal`` and lists the close matches (else every name).
    """
    names = [d.name for d in deals.deal]
    if name in names:
        return deals.deal[names.index(name)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = f"close matches: {', '.join(close)}" if close else f"known deals: {', '.join(names)}"
    raise ConfigError(f"valuation.ai.deal: unknown deal {name!r}; {hint}")


def resolve_ai_terms(cfg: ValuationConfig, deals: Deals) -> ValuationConfig:
    """``cfg`` with its deal's terms (or the deals' medians) in the AI fields it leaves open.

    Raises
    ------
    ConfigError
        Unknown deal, or a deal together with a different value of one of its terms (naming it).
    """
    ai = cfg.ai
    if ai.deal is not None:
        terms = terms_of(find_deal(deals, ai.deal))
        for name in DEAL_FIELDS:
            given = getattr(ai, name)
            if given is not None and name in ai.model_fields_set and abs(given - getattr(terms, name)) > 1e-9:
                raise ConfigError(
                    f"valuation.ai.{name}: {given} conflicts with deal {ai.deal!r} "
                    f"({getattr(terms, name):.6g}); a deal sets its terms together: give one or the other"
                )
        update = {name: getattr(terms, name) for name in DEAL_FIELDS}
    else:
        median = median_terms(deals)
        update = {name: getattr(median, name) for name in DEAL_FIELDS if getattr(ai, name) is None}
    if not update:
        return cfg
    return cfg.model_copy(update={"ai": ai.model_copy(update=update)})


@dataclass(frozen=True)
class DealRow:
    """One deal valued with wattshift's terms (``wattshift value deals``).

    Attributes
    ----------
    name
        Deal name.
    mw
        Critical-IT MW leased [MW].
    term_years
        Lease term [years].
    average_usd_per_kw_month, starting_usd_per_kw_month
        Term-average rent of the contract and the starting rent de-escalated from it [USD/kW-month].
    capex_usd_m_per_mw
        Capex [USD million per IT MW].
    noi_yield_on_cost
        First lease year's NOI over capex, full occupancy [1/year]
        (:func:`wattshift.valuation.deals.noi_yield_on_cost`).
    npv_usd_per_mw
        Mean NPV per critical-IT MW [USD/MW] at the discount rate.
    irr_p50
        Median IRR over the lease paths [1/year] (None where undefined).
    """

    name: str
    mw: float
    term_years: float
    average_usd_per_kw_month: float
    starting_usd_per_kw_month: float
    capex_usd_m_per_mw: float
    noi_yield_on_cost: float
    npv_usd_per_mw: float
    irr_p50: float | None


@dataclass(frozen=True)
class DealTable:
    """Every deal of the deals file valued at ``discount_rate`` [1/year] over ``years``."""

    discount_rate: float
    years: int
    paths: int
    deals: list[DealRow]


def value_deals(deals: Deals, cfg: ValuationConfig, *, paths: int, seed: int) -> DealTable:
    """Value each deal's terms per critical-IT MW (:func:`wattshift.valuation.dealvalue.ai_values`)
    with ``cfg``'s other terms (discount rate, opex, risks, terminal value)."""
    from wattshift.services.valuation_inputs import valuation_spec
    from wattshift.valuation.deals import noi_yield_on_cost
    from wattshift.valuation.dealvalue import ai_values
    from wattshift.valuation.returns import irr_percentiles

    rows = []
    rate = cfg.dcf.discount_rate_annual
    for deal in deals.deal:
        ai = cfg.ai.model_copy(update=dict.fromkeys(DEAL_FIELDS) | {"deal": deal.name})
        spec = valuation_spec(resolve_ai_terms(cfg.model_copy(update={"ai": ai}), deals))
        values = ai_values(spec, months=cfg.years * MONTHS_PER_YEAR, paths=paths, seed=seed)
        terms = terms_of(deal)
        p50 = irr_percentiles(values.irr_annual, values.npv_usd, rate)[1]
        rows.append(
            DealRow(
                name=deal.name,
                mw=deal.mw,
                term_years=deal.term_years,
                average_usd_per_kw_month=deal.rate_usd_per_kw_month,
                starting_usd_per_kw_month=terms.rate_usd_per_kw_month,
                capex_usd_m_per_mw=terms.capex_usd_m_per_mw,
                noi_yield_on_cost=noi_yield_on_cost(
                    terms.rate_usd_per_kw_month,
                    spec.ai.opex_usd_per_mw_month / KW_PER_MW,
                    musd_to_usd(terms.capex_usd_m_per_mw) / KW_PER_MW,
                ),
                npv_usd_per_mw=float(values.npv_usd.mean()) * spec.ai.pue,
                irr_p50=None if p50 != p50 else p50,
            )
        )
    return DealTable(discount_rate=rate, years=cfg.years, paths=paths, deals=rows)
