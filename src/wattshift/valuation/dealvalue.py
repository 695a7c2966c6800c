"""Value of an AI-hosting lease on its own, per MW: the NPV and IRR of a deal's terms.

The AI business does not depend on the BTC market: its paths differ only by lease events
(:mod:`~wattshift.valuation.leases`). A deal is valued as a conversion in month 0 (capex over the
build, then the lease process), with the terminal value on stabilised NOI
(:mod:`~wattshift.valuation.horizon`), power passed through to the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.valuation.cashflows import ai_cash_flows, draw_ai_events
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.horizon import ai_terminal_value_usd
from wattshift.valuation.montecarlo import chunk_rng
from wattshift.valuation.pathvalue import irr_annual_of
from wattshift.valuation.specs import ValuationSpec

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AiValues:
    """Per-path NPV [USD per site MW] and IRR [1/year, NaN where undefined], ``(paths,)`` each."""

    npv_usd: FloatArray
    irr_annual: FloatArray


def ai_values(spec: ValuationSpec, *, months: int, paths: int, seed: int) -> AiValues:
    """NPV and IRR per site MW of converting one MW to AI hosting now, on ``paths`` lease paths.

    Parameters
    ----------
    spec
        Valuation terms (the AI terms, discounting and terminal value are used).
    months
        Horizon [months].
    paths
        Lease paths.
    seed
        Random seed (chunk 0's stream, :func:`~wattshift.valuation.montecarlo.chunk_rng`).
    """
    leases = draw_ai_events(spec.ai, paths, chunk_rng(seed, 0), months)
    cash = ai_cash_flows(spec.ai, leases, months).cash_usd
    cash[:, -1] += ai_terminal_value_usd(spec, months, spec.ai.build_months)
    disc = discount_factors(monthly_rate(spec.dcf.discount_rate_annual), months)
    return AiValues(npv_usd=cash @ disc, irr_annual=irr_annual_of(cash))
