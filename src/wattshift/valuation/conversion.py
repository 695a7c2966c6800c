"""Conversion planner: how many MW to convert from mining to AI hosting in each year.

Cash flows are linear in MW, so converting ``c_y`` MW at the start of year ``y`` adds
``c_y x g_y`` to the site's expected NPV, where ``g_y = E[NPV(mine until y, then AI)] -
E[NPV(mine throughout)]`` per MW (same scenario paths: a paired difference). The plan solves the
linear programme

``max sum_y g_y c_y``  s.t.  ``sum_y c_y <= P`` (site MW), ``0 <= c_y <= C_max`` (MW a year),
``sum_y k c_y <= B`` (capex budget, ``k`` = conversion capex per site MW),

with HiGHS (``highspy``, the solver of the dispatch LP). The answer runs from "none" (every ``g_y <= 0``)
to "all" (``P`` MW, as early as the budget and pace allow).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from wattshift.errors import WattshiftError
from wattshift.highs import quiet_highs

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ConversionPlan:
    """Optimal conversion schedule.

    Attributes
    ----------
    mw_by_year
        MW whose conversion starts in each year ``0 .. Y-1`` [MW].
    gain_usd_per_mw
        Expected NPV gain of converting one MW in each year vs mining [USD/MW].
    expected_gain_usd
        Expected NPV gain of the whole plan [USD].
    capex_usd
        Conversion capex of the plan [USD] (nominal).
    """

    mw_by_year: FloatArray
    gain_usd_per_mw: FloatArray
    expected_gain_usd: float
    capex_usd: float


def plan_conversion(
    gain_usd_per_mw: FloatArray,
    *,
    site_mw: float,
    capex_usd_per_mw: float,
    capex_budget_usd: float | None = None,
    max_mw_per_year: float | None = None,
    closed_years: tuple[int, ...] = (),
) -> ConversionPlan:
    """Solve the planner's LP (module docstring).

    Parameters
    ----------
    gain_usd_per_mw
        ``g_y`` [USD/MW] for each start year.
    site_mw
        MW that could be converted [MW].
    capex_usd_per_mw
        Conversion capex per site MW [USD/MW].
    capex_budget_usd
        Total capex limit [USD]; None = none.
    max_mw_per_year
        Conversion pace limit [MW/year]; None = none.
    closed_years
        Start years in which nothing may be converted (for :func:`plan_margin`).
    """
    g = np.asarray(gain_usd_per_mw, dtype=np.float64)
    n = g.size
    a_ub = [np.ones(n)]
    b_ub = [site_mw]
    if capex_budget_usd is not None:
        a_ub.append(np.full(n, capex_usd_per_mw))
        b_ub.append(capex_budget_usd)
    upper = np.full(n, site_mw if max_mw_per_year is None else min(site_mw, max_mw_per_year))
    upper[list(closed_years)] = 0.0
    # Scale the objective to USD M/MW for a well-conditioned LP; ties go to earlier years.
    scale = max(float(np.abs(g).max()), 1.0)
    x = _solve_lp(-(g / scale) - 1e-9 * np.arange(n, 0, -1), np.vstack(a_ub), np.asarray(b_ub), upper=upper)
    mw = np.where(g > 0, np.round(x, 9) + 0.0, 0.0)  # + 0.0: no -0.0 from the solver
    return ConversionPlan(
        mw_by_year=mw,
        gain_usd_per_mw=g,
        expected_gain_usd=float(g @ mw),
        capex_usd=float(capex_usd_per_mw * mw.sum()),
    )


def _solve_lp(cost: FloatArray, a_ub: FloatArray, b_ub: FloatArray, *, upper: FloatArray) -> FloatArray:
    """``min cost x`` s.t. ``a_ub x <= b_ub``, ``0 <= x <= upper`` with HiGHS; the optimal ``x``.

    Raises
    ------
    WattshiftError
        If HiGHS does not reach an optimum (the LP is always feasible: ``x = 0``).
    """
    n_row, n_col = a_ub.shape
    h = quiet_highs()
    dense = np.asfortranarray(a_ub)  # column-wise: the entries of column j are rows 0..n_row-1
    h.passModel(
        n_col, n_row, n_row * n_col, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
        0.0, cost, np.zeros(n_col), upper, np.full(n_row, -highspy.kHighsInf), b_ub,
        np.arange(0, n_row * n_col + 1, n_row, dtype=np.int32),
        np.tile(np.arange(n_row, dtype=np.int32), n_col), dense.ravel(order="F"),
        np.zeros(n_col, dtype=np.int32),
    )  # fmt: skip
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - always feasible
        raise WattshiftError(f"conversion planner: HiGHS: {h.modelStatusToString(status)}")
    return np.asarray(h.getSolution().col_value, dtype=np.float64)


@dataclass(frozen=True)
class PlanMargin:
    """How far the plan is ahead of the next-best plan.

    Attributes
    ----------
    margin_usd
        Expected NPV of the plan minus that of the next-best plan [USD] (site).
    se_usd
        Monte Carlo standard error of that difference [USD]: ``std(d_p) / sqrt(n)`` of the paired
        per-path differences ``d_p = sum_y (c_y - c'_y) gain_{p,y}``.
    next_best_mw_by_year
        The next-best plan [MW] per start year.
    """

    margin_usd: float
    se_usd: float
    next_best_mw_by_year: FloatArray

    @property
    def tied(self) -> bool:
        """The margin is within one Monte Carlo standard error: another seed may pick the other plan."""
        return self.margin_usd < self.se_usd


def plan_margin(
    gains_by_path_usd: FloatArray,
    plan: ConversionPlan,
    *,
    site_mw: float,
    capex_usd_per_mw: float,
    capex_budget_usd: float | None = None,
    max_mw_per_year: float | None = None,
) -> PlanMargin:
    """The plan's expected margin over the next-best plan, and its Monte Carlo standard error.

    The next-best plan is the best plan that leaves out one of the plan's start years (each is
    closed in turn and the LP solved again: the budget and pace then go to the next years); a plan
    that converts nothing is compared with converting as much as allowed in its best year.

    Parameters
    ----------
    gains_by_path_usd
        ``NPV(switch in year y) - NPV(mining)`` per path [USD/MW], ``(paths, years)``.
    plan
        :func:`plan_conversion` on the mean of ``gains_by_path_usd``.
    site_mw, capex_usd_per_mw, capex_budget_usd, max_mw_per_year
        As for :func:`plan_conversion`.
    """
    g = plan.gain_usd_per_mw

    def solve(gains: FloatArray, closed: tuple[int, ...] = ()) -> FloatArray:
        return plan_conversion(
            gains, site_mw=site_mw, capex_usd_per_mw=capex_usd_per_mw, capex_budget_usd=capex_budget_usd,
            max_mw_per_year=max_mw_per_year, closed_years=closed,
        ).mw_by_year  # fmt: skip

    used = [y for y in range(g.size) if plan.mw_by_year[y] > 0]
    if used:
        nxt = max((solve(g, (y,)) for y in used), key=lambda mw: float(g @ mw))
    else:
        nxt = solve(np.where(np.arange(g.size) == int(np.argmax(g)), 1.0, -1.0))
    delta = plan.mw_by_year - nxt
    per_path = gains_by_path_usd @ delta
    n = per_path.size
    se = float(per_path.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
    return PlanMargin(margin_usd=float(g @ delta), se_usd=se, next_best_mw_by_year=nxt)


def switch_gains(npv_switch_usd: FloatArray, npv_mining_usd: FloatArray) -> FloatArray:
    """``g_y`` = mean over paths of NPV(switch in year y) - NPV(mining) [USD/MW], shape ``(years,)``."""
    out: FloatArray = (npv_switch_usd - npv_mining_usd[:, None]).mean(axis=0)
    return out


def site_cash_flows(
    mining_cash_usd: FloatArray, ai_cash_by_start: list[FloatArray], mw_by_year: FloatArray, site_mw: float
) -> FloatArray:
    """Site cash flows [USD/month] of a plan: ``(P - sum c) x mining + sum_y c_y x switch_y``.

    Parameters
    ----------
    mining_cash_usd
        Mining cash per MW [USD/MW per month], ``(paths, months)``.
    ai_cash_by_start
        Switch-in-year-y cash per MW, one ``(paths, months)`` array per year with ``c_y > 0``
        (zeros allowed elsewhere), aligned with ``mw_by_year``.
    mw_by_year
        Plan [MW] per start year.
    site_mw
        Site MW.
    """
    out = (site_mw - float(mw_by_year.sum())) * mining_cash_usd
    for mw, cash in zip(mw_by_year, ai_cash_by_start, strict=True):
        if mw > 0:
            out = out + mw * cash
    result: FloatArray = out
    return result
