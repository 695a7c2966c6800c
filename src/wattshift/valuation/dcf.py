"""Discounted cash flow: NPV, IRR (vectorised over paths), payback, EV from an EBITDA multiple.

Convention (as ``numpy_financial.npv``): ``cash[..., t]`` happens at the end of period ``t``
counted from now, so ``cash[..., 0]`` is not discounted and ``NPV = sum_t cash_t (1 + i)^-t``.
Rates per period ``i`` come from effective annual rates by ``i = (1 + r)^(1/12) - 1`` for months.

References
----------
.. [1] Brealey, Myers & Allen, *Principles of Corporate Finance*, 13th ed., ch. 2-5: annuity
   ``PV = C (1 - (1+i)^-n) / i``; growing annuity ``PV = C (1 - ((1+g)/(1+i))^n) / (i - g)``;
   IRR as the rate that makes NPV zero.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wattshift.units import MONTHS_PER_YEAR

FloatArray = npt.NDArray[np.float64]


def monthly_rate(annual_rate: float) -> float:
    """Effective monthly rate from an effective annual rate: ``(1 + r)^(1/12) - 1`` [1/month]."""
    return float((1.0 + annual_rate) ** (1.0 / MONTHS_PER_YEAR) - 1.0)


def annual_rate(monthly: FloatArray | float) -> FloatArray | float:
    """Effective annual rate from an effective monthly rate: ``(1 + i)^12 - 1`` [1/year]."""
    return (
        (1.0 + np.asarray(monthly)) ** MONTHS_PER_YEAR - 1.0
        if np.ndim(monthly)
        else (1.0 + float(monthly)) ** MONTHS_PER_YEAR - 1.0
    )


def discount_factors(rate_per_period: float, periods: int) -> FloatArray:
    """``(1 + i)^-t`` for ``t = 0 .. periods-1`` [unitless]."""
    out: FloatArray = (1.0 + rate_per_period) ** -np.arange(periods, dtype=np.float64)
    return out


def npv(cash: FloatArray, rate_per_period: float) -> FloatArray:
    """Net present value along the last axis [USD]: ``sum_t cash_t (1 + i)^-t`` (flow t at period t)."""
    out: FloatArray = cash @ discount_factors(rate_per_period, cash.shape[-1])
    return out


def annuity_pv(payment: float, rate_per_period: float, periods: int) -> float:
    """Present value of ``periods`` equal payments at the end of periods 1..n [1]_ [USD]."""
    if rate_per_period == 0:
        return payment * periods
    return payment * (1.0 - (1.0 + rate_per_period) ** -periods) / rate_per_period


def growing_annuity_pv(
    payment: float, rate_per_period: float, growth_per_period: float, periods: int
) -> float:
    """Present value of payments ``C (1+g)^(k-1)`` at the end of periods ``k = 1..n`` [1]_ [USD]."""
    if np.isclose(rate_per_period, growth_per_period):
        return payment * periods / (1.0 + rate_per_period)
    ratio = (1.0 + growth_per_period) / (1.0 + rate_per_period)
    return payment * (1.0 - ratio**periods) / (rate_per_period - growth_per_period)


#: Rates per period [1/month] at which NPV is first evaluated for every row; dense around 0, where
#: the IRRs of monthly business flows lie (about -5 .. +5 %/month).
IRR_GRID = np.array(
    [-0.95, -0.8, -0.6, -0.4, -0.25, -0.15, -0.1, -0.06, -0.04, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03,
     0.04, 0.06, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0]
)  # fmt: skip


def _discount_shift(rate: FloatArray, periods: int) -> FloatArray:
    """``ln max_t (1 + i)^-t`` over ``t = 0 .. periods-1``: ``-(n-1) ln(1 + i)`` for ``i < 0``, else 0."""
    out: FloatArray = np.maximum(-(periods - 1) * np.log1p(rate), 0.0)
    return out


def _scaled_discount(rate: FloatArray, periods: int) -> FloatArray:
    """``(1 + i)^-t / max_t (1 + i)^-t`` for each rate (rows) [unitless], ``(len(rate), periods)``.

    Dividing each row by its largest factor keeps every value in ``(0, 1]``, so NPVs at rates near
    -100 % cannot overflow; a positive factor per rate changes neither the sign of the NPV nor the
    Newton step ``NPV / NPV'``.
    """
    log_v = np.multiply.outer(-np.log1p(rate), np.arange(periods, dtype=np.float64))
    log_v -= _discount_shift(rate, periods)[:, None]
    out: FloatArray = np.exp(log_v, out=log_v)
    return out


def _powers(base: FloatArray, *, out: FloatArray) -> FloatArray:
    """``out[t] = base^t`` for ``t = 0 .. len(out) - 1`` (one column per element of ``base``).

    By doubling, ``base^(s + j) = base^j base^s``: about ``log2(periods)`` array products, each
    power the product of at most ``log2(t) + 1`` rounded factors.
    """
    periods = out.shape[0]
    out[0] = 1.0
    if periods > 1:
        out[1] = base
    filled = 2
    while filled < periods:
        end = min(2 * filled, periods)
        np.multiply(out[: end - filled], out[filled - 1] * base, out=out[filled:end])
        filled = end
    return out


def irr(
    cash: FloatArray,
    *,
    low: float = -0.95,
    high: float = 10.0,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FloatArray:
    """Internal rate of return per period of each row of ``cash`` (bracketed Newton, vectorised).

    NPV is zero at the IRR [1]_. Steps:

    1. NPV of every row at the rates of :data:`IRR_GRID` within ``[low, high]`` (plus both ends).
       A row whose NPV has the same sign at ``low`` and ``high`` (for example all flows positive)
       gets NaN.
    2. Of the grid intervals where NPV changes sign, the one nearest to a zero rate is kept (ties:
       the higher rate), so flows with several sign changes get the economically meaningful root
       (as ``numpy_financial.irr``, which returns the root of smallest magnitude).
    3. Newton steps from the false-position point of that bracket, falling back to bisection when
       a step would leave the bracket or does not halve the previous one (``rtsafe``, Press et
       al., *Numerical Recipes*, 3rd ed., §9.4), until a step is below ``tol``: about 3-5 steps.

    Notes
    -----
    In step 3 the discount factors ``v^t``, ``v = 1 / (1 + i)``, come from products of powers
    (no exponentials). Every bracket lies on one side of 0 (0 is a grid rate), so for ``i < 0``
    the factors are taken relative to the last period, ``(1 + i)^(n-1-t) <= 1``, with the flows
    reversed in time: no overflow near -100 %, and the Newton step ``NPV / NPV'`` does not change
    with that positive scale.

    Parameters
    ----------
    cash
        Flows ``(paths, periods)``, flow ``t`` at period ``t``.
    low, high
        Bracket of the rate per period.
    tol
        Absolute tolerance on the rate.
    max_iter
        Iteration cap (bisection alone needs about ``log2(grid step / tol)`` steps).

    Returns
    -------
    numpy.ndarray
        IRR per period, shape ``(paths,)``; NaN where undefined.
    """
    cash2 = np.atleast_2d(np.asarray(cash, dtype=np.float64))
    grid = np.concatenate(([low], IRR_GRID[(low < IRR_GRID) & (high > IRR_GRID)], [high]))
    x = np.full(cash2.shape[0], np.nan)
    rows, k, scaled, sign = _grid_brackets(cash2, grid)
    exact = sign[rows, k] == 0
    x[rows[exact]] = grid[k[exact]]
    rows, k = rows[~exact], k[~exact]
    if rows.size:
        x[rows] = _refine(cash2[rows], grid, k, scaled[rows], sign[rows, k], tol=tol, max_iter=max_iter)
    return x


def _grid_brackets(
    cash2: FloatArray, grid: FloatArray
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray, FloatArray]:
    """Steps 1-2 of :func:`irr`: the rows with a root in ``[grid[0], grid[-1]]``, the index ``k`` of
    the grid interval kept for each, and the scaled NPVs and their signs at the grid rates."""
    # NPV at each grid rate, scaled by 1 / max_t (1 + i)^-t: one matrix product for all rates.
    scaled = cash2 @ _scaled_discount(grid, cash2.shape[1]).T
    sign = np.sign(scaled)
    ok = sign[:, 0] * sign[:, -1] < 0
    # Interval k holds a root if NPV changes sign across it, or is 0 at its left end.
    holds = (sign[:, :-1] * sign[:, 1:] < 0) | (sign[:, :-1] == 0)
    distance = np.minimum(np.abs(grid[:-1]), np.abs(grid[1:]))
    score = np.where(holds, distance[None, :], np.inf)
    k = score.shape[1] - 1 - np.argmin(score[:, ::-1], axis=1)  # nearest 0; ties: higher rate
    rows = np.flatnonzero(ok)
    return rows, k[rows], scaled, sign


def _refine(
    cash2: FloatArray, grid: FloatArray, k: npt.NDArray[np.intp], scaled: FloatArray, sign_lo: FloatArray,
    *, tol: float, max_iter: int,
) -> FloatArray:  # fmt: skip
    """Step 3 of :func:`irr` on rows whose root lies strictly inside grid interval ``k``."""
    periods = cash2.shape[1]
    x = np.full(cash2.shape[0], np.nan)
    rows = np.arange(cash2.shape[0])
    lo, hi = grid[k], grid[k + 1]
    # False position on one scale: NPV(hi) in units of the lo row's scale.
    shift = _discount_shift(grid, periods)
    f_lo = scaled[rows, k]
    f_hi = scaled[rows, k + 1] * np.exp(shift[k + 1] - shift[k])
    xa = lo + (hi - lo) * f_lo / (f_lo - f_hi)
    xa = np.where((xa > lo) & (xa < hi), xa, 0.5 * (lo + hi))
    step_old = hi - lo
    negative = hi <= 0.0
    # Flows by period (rows) and path (columns), time-reversed for negative brackets (Notes).
    flows = cash2.T.copy()
    flows[:, negative] = flows[::-1, negative]
    t = np.arange(periods, dtype=np.float64)
    powers = np.empty_like(flows)
    for _ in range(max_iter):
        if rows.size == 0:
            break
        one_plus = 1.0 + xa
        _powers(np.where(negative, one_plus, 1.0 / one_plus), out=powers)
        powers *= flows
        f = powers.sum(axis=0)
        t_weighted = t @ powers
        t_weighted = np.where(negative, (periods - 1) * f - t_weighted, t_weighted)
        same = np.sign(f) == sign_lo
        lo, hi = np.where(same, xa, lo), np.where(same, hi, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / (-t_weighted / one_plus)
        finite = np.isfinite(newton)
        small = finite & (np.abs(newton - xa) < tol)  # converged (the root may sit on lo or hi)
        use_newton = small | (
            finite & (newton > lo) & (newton < hi) & (np.abs(newton - xa) <= 0.5 * np.abs(step_old))
        )
        x_new = np.where(use_newton, newton, 0.5 * (lo + hi))
        step_old = x_new - xa
        done = small | (f == 0) | (hi - lo < tol)
        x_new = np.where(f == 0, xa, x_new)
        if done.any():
            x[rows[done]] = x_new[done]
            keep = ~done
            rows, xa, lo, hi = rows[keep], x_new[keep], lo[keep], hi[keep]
            sign_lo, step_old, negative = sign_lo[keep], step_old[keep], negative[keep]
            flows = flows[:, keep]
            powers = np.empty_like(flows)
        else:
            xa = x_new
    x[rows] = xa  # not converged within max_iter: the last iterate
    return x


def payback_months(cash: FloatArray) -> FloatArray:
    """Months until cumulative (undiscounted) cash turns non-negative for good [months], ``(paths,)``.

    The payback month is the first period after which the running sum never falls below zero
    again; 0 if it never was negative; NaN if it ends negative.
    """
    cum = np.cumsum(cash, axis=-1)
    negative = cum < 0
    ever = negative.any(axis=-1)
    last_negative = cum.shape[-1] - 1 - np.argmax(negative[..., ::-1], axis=-1)
    out = np.where(ever, last_negative + 1.0, 0.0)
    out = np.where(negative[..., -1], np.nan, out)
    return out.astype(np.float64)


def terminal_value(ebitda: FloatArray, multiple: float) -> FloatArray:
    """Enterprise value at the horizon [USD]: ``multiple x`` EBITDA of the last 12 months, ``(paths,)``."""
    out: FloatArray = multiple * ebitda[..., -MONTHS_PER_YEAR:].sum(axis=-1)
    return out


def summary(values: FloatArray) -> dict[str, float]:
    """``{p5, p50, p95, mean}`` of ``values`` ignoring NaN (NaN when all are NaN)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        nan = float("nan")
        return {"p5": nan, "p50": nan, "p95": nan, "mean": nan}
    p5, p50, p95 = np.percentile(v, [5, 50, 95])
    return {"p5": float(p5), "p50": float(p50), "p95": float(p95), "mean": float(v.mean())}
