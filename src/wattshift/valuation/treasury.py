"""BTC treasury: how many BTC to sell, when, along each path, to fund a conversion plan.

Each month the site's free cash flow goes into a cash balance (which starts at ``cash_usd``). When
the balance would go negative (capex months), BTC is sold at that path's price to cover it, as long
as the treasury lasts; what is still missing is external financing. Strategies compared:

- ``hold_and_mine``: every MW keeps mining, the treasury is kept;
- ``sell_and_convert``: the planner's schedule, funded from cash, mining cash flow and BTC sales;
- ``hybrid``: ``hybrid_ai_fraction`` of the site converted now, the rest mining.

The value of a strategy (per path) is the NPV of its site cash flows (with terminal value), plus the
discounted proceeds of the BTC it sells, plus the discounted value of the BTC left at the horizon,
plus the opening cash. Selling BTC early therefore costs value on paths where BTC then outgrows the
discount rate, and saves it where it falls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.units import MONTHS_PER_YEAR

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Funding:
    """Outcome of funding a cash-flow stream from cash and a BTC treasury, per path.

    Attributes
    ----------
    btc_sold_by_month
        BTC sold in each month [BTC], ``(months, paths)`` (month-major).
    shortfall_by_month_usd
        External financing needed in each month [USD], ``(months, paths)``.
    btc_left
        BTC still held at the horizon [BTC], ``(paths,)``.
    cash_left_usd
        Cash balance at the horizon [USD], ``(paths,)``.
    """

    btc_sold_by_month: FloatArray
    shortfall_by_month_usd: FloatArray
    btc_left: FloatArray
    cash_left_usd: FloatArray

    @property
    def btc_sold(self) -> FloatArray:
        """BTC sold in each month [BTC], ``(paths, months)`` (a view)."""
        return self.btc_sold_by_month.T

    @property
    def shortfall_usd(self) -> FloatArray:
        """External financing needed in each month [USD], ``(paths, months)`` (a view)."""
        return self.shortfall_by_month_usd.T


def fund_with_treasury(
    cash_flow_usd: FloatArray, price_usd: FloatArray, *, treasury_btc: float, cash_usd: float
) -> Funding:
    """Run the cash balance of the module docstring month by month (vectorised over paths).

    Parameters
    ----------
    cash_flow_usd
        Site free cash flow [USD/month], ``(paths, months)``.
    price_usd
        BTC price [USD/BTC], ``(paths, months)``.
    treasury_btc
        BTC held now [BTC].
    cash_usd
        Cash now [USD].
    """
    return fund_by_month(
        np.ascontiguousarray(cash_flow_usd.T),
        np.ascontiguousarray(price_usd.T),
        treasury_btc=treasury_btc,
        cash_usd=cash_usd,
    )


def fund_by_month(
    flow_by_month_usd: FloatArray, price_by_month_usd: FloatArray, *, treasury_btc: float, cash_usd: float
) -> Funding:
    """:func:`fund_with_treasury` on month-major arrays ``(months, paths)`` (each month's paths
    contiguous, so the month loop reads rows). The arguments are not written to.

    Each month: ``balance += flow``; sell ``min(BTC left, max(-balance, 0) / price)`` BTC at the
    month's price; what is still negative is financed (``gap = max(-balance, 0)``). Without a
    treasury no BTC is ever sold, so the sale step is skipped (the same numbers).
    """
    return fund_streams(
        flow_by_month_usd[None], price_by_month_usd, treasury_btc=[treasury_btc], cash_usd=cash_usd
    )[0]


def fund_streams(
    flows_usd: FloatArray, price_by_month_usd: FloatArray, *, treasury_btc: Sequence[float], cash_usd: float
) -> list[Funding]:
    """:func:`fund_by_month` of ``S`` cash-flow streams on the same price paths, in one month loop.

    Parameters
    ----------
    flows_usd
        Site free cash flow of each stream [USD/month], ``(S, months, paths)`` (not written to).
    price_by_month_usd
        BTC price [USD/BTC], ``(months, paths)``.
    treasury_btc
        BTC held now by each stream [BTC], ``S`` values.
    cash_usd
        Cash now [USD] (each stream).

    Each stream's numbers are those of :func:`fund_by_month` on its own (the same operations on
    each path; a stream without BTC skips the sale step, and a month in which none of a stream's
    balances is negative is skipped: it would sell and borrow nothing).
    """
    streams, months, paths = flows_usd.shape
    balance = np.full((streams, paths), float(cash_usd))
    btc = np.repeat(np.asarray(treasury_btc, dtype=np.float64)[:, None], paths, axis=1)
    sold = np.zeros((streams, months, paths))
    short = np.zeros((streams, months, paths))
    need = np.empty(paths)
    for t in range(months):
        balance += flows_usd[:, t]
        # A stream whose balances are all >= 0 this month sells nothing and borrows nothing
        # (need = 0, so sell = 0 and gap = 0): its month is skipped, the numbers are the same.
        # Most months of most streams are such months (one test for all streams first; NaN fails it).
        if balance.min() >= 0.0:
            continue
        for s in range(streams):
            bal, price = balance[s], price_by_month_usd[t]
            if bal.min() >= 0.0:
                continue
            if treasury_btc[s] > 0:
                np.maximum(np.negative(bal, out=need), 0.0, out=need)
                sell = np.minimum(btc[s], np.divide(need, price, out=need), out=sold[s, t])
                btc[s] -= sell
                bal += np.multiply(sell, price, out=need)
            gap = np.maximum(np.negative(bal, out=need), 0.0, out=short[s, t])
            bal += gap
    return [Funding(sold[s], short[s], btc[s], balance[s]) for s in range(streams)]


def strategy_value_usd(
    npv_site_usd: FloatArray,
    funding: Funding,
    price_by_month_usd: FloatArray,
    discount: FloatArray,
    *,
    cash_usd: float,
) -> FloatArray:
    """Value of a strategy per path [USD] (module docstring).

    ``NPV_site + sum_t v_t sold_t P_t + BTC_left P_T v_T + cash``.

    Parameters
    ----------
    npv_site_usd
        NPV of the site's cash flows incl. terminal value [USD], ``(paths,)``.
    funding
        Result of :func:`fund_with_treasury` / :func:`fund_by_month`.
    price_by_month_usd
        BTC price [USD/BTC], month-major ``(months, paths)``.
    discount
        Discount factors by month [unitless], ``(months,)``.
    cash_usd
        Opening cash [USD].
    """
    proceeds = discount @ (funding.btc_sold_by_month * price_by_month_usd)
    kept = funding.btc_left * price_by_month_usd[-1] * discount[-1]
    out: FloatArray = npv_site_usd + proceeds + kept + cash_usd
    return out


def btc_sold_by_year(btc_sold_by_month: FloatArray) -> FloatArray:
    """Monthly sales [BTC], month-major ``(months, paths)``, summed into years: ``(paths, years)``
    (a trailing part-year is kept)."""
    months, paths = btc_sold_by_month.shape
    years = -(-months // MONTHS_PER_YEAR)
    padded = np.zeros((years * MONTHS_PER_YEAR, paths))
    padded[:months] = btc_sold_by_month
    out: FloatArray = padded.reshape(years, MONTHS_PER_YEAR, paths).sum(axis=1).T
    return out
