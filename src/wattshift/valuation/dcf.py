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

FloatArray = npt.NDArray[np.float64]

MONTHS_PER_YEAR = 12


def monthly_rate(annual_rate: float) -> float:
    """Effective monthly rate from an effective annual rate: ``(1 + r)^(1/12) - 1`` [1/month]."""
    return float((1.0 + annual_rate) ** (1.0 / MONTHS_PER_YEAR) - 1.0)


def annual_rate(monthly: FloatArray | float) -> FloatArray | float:
    """Effective annual rate from an effective monthly rate: ``(1 + i)^12 - 1`` [1/year]."""
    return (
        (1.0 + np.asarray(monthly)) ** MONTHS_PER_YEAR - 1.0
        if np.ndim(monthly)
        else (1.0 + float(monthly)) ** 12 - 1.0
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


def _npv_and_slope(cash: FloatArray, rate: FloatArray) -> tuple[FloatArray, FloatArray]:
    t = np.arange(cash.shape[-1], dtype=np.float64)
    log_v = -np.log1p(rate)[:, None] * t[None, :]
    disc = np.exp(log_v)
    value = np.einsum("ij,ij->i", cash, disc)
    slope = -np.einsum("ij,ij->i", cash, disc * t[None, :]) / (1.0 + rate)
    return value, slope


def irr(
    cash: FloatArray,
    *,
    low: float = -0.95,
    high: float = 10.0,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FloatArray:
    """Internal rate of return per period of each row of ``cash`` (safeguarded Newton, vectorised).

    Finds ``i`` in ``[low, high]`` with ``NPV(i) = 0`` for every row at once: Newton steps that leave
    the bracket fall back to bisection, so each row converges like bisection at worst. A row
    without a sign change of NPV over the bracket (for example all flows positive) gets NaN. For
    flows with several sign changes the root found is the one in the bracket's first sign change
    seen from ``low``... of NPV, which is unique for conventional flows (outlays first).

    Parameters
    ----------
    cash
        Flows ``(paths, periods)``, flow ``t`` at period ``t``.
    low, high
        Bracket of the rate per period.
    tol
        Absolute tolerance on the rate.
    max_iter
        Iteration cap.

    Returns
    -------
    numpy.ndarray
        IRR per period, shape ``(paths,)``; NaN where undefined.
    """
    cash2 = np.atleast_2d(np.asarray(cash, dtype=np.float64))
    n = cash2.shape[0]
    lo = np.full(n, low)
    hi = np.full(n, high)
    f_lo, _ = _npv_and_slope(cash2, lo)
    f_hi, _ = _npv_and_slope(cash2, hi)
    ok = np.sign(f_lo) * np.sign(f_hi) < 0
    x = np.where(ok, 0.5 * (lo + hi), np.nan)
    x = np.where(ok, np.clip(0.01, lo, hi), x)
    active = ok.copy()
    for _ in range(max_iter):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        xa = x[idx]
        f, df = _npv_and_slope(cash2[idx], xa)
        # keep the bracket: the sign of f at lo is the sign of f_lo
        same_as_lo = np.sign(f) == np.sign(f_lo[idx])
        lo[idx] = np.where(same_as_lo, xa, lo[idx])
        hi[idx] = np.where(same_as_lo, hi[idx], xa)
        f_lo[idx] = np.where(same_as_lo, f, f_lo[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / df
        inside = np.isfinite(newton) & (newton > lo[idx]) & (newton < hi[idx])
        x_new = np.where(inside, newton, 0.5 * (lo[idx] + hi[idx]))
        done = (np.abs(x_new - xa) < tol) | (f == 0) | (hi[idx] - lo[idx] < tol)
        x[idx] = np.where(f == 0, xa, x_new)
        active[idx[done]] = False
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
