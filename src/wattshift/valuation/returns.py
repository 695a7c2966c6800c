"""Where an IRR exists, and the modified IRR (MIRR) that always does.

An IRR is a root of ``NPV(i) = 0``. By Descartes' rule of signs a cash-flow series whose sign
changes once (an investment followed by returns, or the reverse) has exactly one positive root
``1 + i``; with more changes there can be several or none, and "the" IRR is not defined [1]_. A
path's IRR is reported only where its flows change sign exactly once; the share of such paths is
reported beside it.

MIRR [1]_ [2]_ compounds the positive flows forward at a reinvestment rate and discounts the
negative flows back at a finance rate: ``MIRR = (FV+ / PV-)^(1/n) - 1`` over ``n`` periods. It is
defined whenever there is at least one flow of each sign.

References
----------
.. [1] Brealey, Myers & Allen, *Principles of Corporate Finance*, 13th ed., ch. 5.3 (multiple
   rates of return; the modified IRR).
.. [2] ``numpy_financial.mirr`` (same definition; flows at the end of periods 0..n).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def sign_changes(cash: FloatArray) -> npt.NDArray[np.int64]:
    """Number of sign changes along the last axis, zeros skipped [count].

    Parameters
    ----------
    cash
        Cash flows, shape ``(..., T)`` [USD].
    """
    signs = np.sign(cash)
    # carry the last non-zero sign forward over zeros, so 0 never counts as a change
    index = np.where(signs != 0, np.arange(cash.shape[-1]), 0)
    np.maximum.accumulate(index, axis=-1, out=index)
    carried = np.take_along_axis(signs, index, axis=-1)
    changes = (carried[..., 1:] * carried[..., :-1]) < 0
    out: npt.NDArray[np.int64] = changes.sum(axis=-1).astype(np.int64)
    return out


def irr_defined(cash: FloatArray) -> BoolArray:
    """True where the flows change sign exactly once, so the IRR is unique [1]_.

    Parameters
    ----------
    cash
        Cash flows, shape ``(..., T)`` [USD].
    """
    out: BoolArray = sign_changes(cash) == 1
    return out


def is_investment(cash: FloatArray) -> BoolArray:
    """True where the flows change sign once from negative to positive: an investment, whose IRR is
    a return (``NPV(r) > 0`` exactly when ``IRR > r``). Cash in first and out later is a loan,
    whose IRR is a borrowing cost (``NPV(r) > 0`` when ``IRR < r``) [1]_.

    Parameters
    ----------
    cash
        Cash flows, shape ``(..., T)`` [USD].
    """
    if not np.isfinite(cash).all():  # NaN / inf: the sign rules of :func:`sign_changes`
        nonzero = cash != 0
        first = np.take_along_axis(cash, np.argmax(nonzero, axis=-1)[..., None], axis=-1)[..., 0]
        slow: BoolArray = irr_defined(cash) & (first < 0)
        return slow
    # Finite flows: one change from negative to positive <=> some negative, some positive, and
    # the last negative before the first positive (zeros anywhere); two argmax passes instead
    # of carrying signs over zeros.
    negative, positive = cash < 0, cash > 0
    periods = cash.shape[-1]
    last_negative = periods - 1 - np.argmax(negative[..., ::-1], axis=-1)
    first_positive = np.argmax(positive, axis=-1)
    out: BoolArray = negative.any(axis=-1) & positive.any(axis=-1) & (last_negative < first_positive)
    return out


def irr_percentiles(
    irr_annual: FloatArray,
    npv_usd: FloatArray,
    discount_rate_annual: float,
    q: tuple[float, ...] = (5, 50, 95),
) -> list[float]:
    """Percentiles of the IRR over *all* paths [1/year]; NaN where a percentile is not defined.

    A path without an IRR (NaN) still earns more or less than the discount rate: it is ranked at
    ``+inf`` if its NPV is positive, ``-inf`` otherwise. An investment's IRR exceeds ``r`` exactly
    when its NPV is positive, so the k-th smallest IRR exceeds ``r`` exactly when the k-th smallest
    NPV is positive: the p50 IRR and the p50 NPV agree in sign against the discount rate. A
    percentile is NaN when it falls on a path without an IRR, or between two paths on either side
    of ``r`` (exactly half the paths earn the discount rate).

    Parameters
    ----------
    irr_annual
        IRR per path [1/year], NaN where undefined (:func:`is_investment`), ``(paths,)``.
    npv_usd
        NPV per path at ``discount_rate_annual`` [USD], ``(paths,)``.
    discount_rate_annual
        The discount rate [1/year].
    q
        Percentiles [%].
    """
    ranked = np.where(np.isfinite(irr_annual), irr_annual, np.where(npv_usd > 0, np.inf, -np.inf))
    ranked = np.sort(ranked)
    n = ranked.size
    out = []
    for p in q:
        pos = (n - 1) * p / 100.0
        lo, hi = ranked[int(np.floor(pos))], ranked[int(np.ceil(pos))]
        straddles = (lo - discount_rate_annual) * (hi - discount_rate_annual) < 0
        if n == 0 or not (np.isfinite(lo) and np.isfinite(hi)) or straddles:
            out.append(float("nan"))
        else:
            out.append(float(lo + (hi - lo) * (pos - np.floor(pos))))
    return out


def mirr(cash: FloatArray, finance_rate: float, reinvest_rate: float) -> FloatArray:
    """Modified IRR per period along the last axis [1/period] ([1]_, [2]_).

    Parameters
    ----------
    cash
        Cash flows at the end of periods ``0 .. T-1``, shape ``(..., T)`` [USD].
    finance_rate
        Rate per period at which negative flows are discounted to period 0 [1/period].
    reinvest_rate
        Rate per period at which positive flows are compounded to period ``T-1`` [1/period].

    Returns
    -------
    numpy.ndarray
        Shape ``cash.shape[:-1]``; NaN where the flows lack a positive or a negative part.
    """
    periods = cash.shape[-1] - 1
    t = np.arange(cash.shape[-1], dtype=np.float64)
    # max(cash, 0) and min(cash, 0): the positive and negative parts (one pass each; they differ
    # from a select only in the sign of a zero, which no sum or test below sees)
    fv_positive = np.maximum(cash, 0.0) @ (1.0 + reinvest_rate) ** (periods - t)
    pv_negative = -(np.minimum(cash, 0.0) @ (1.0 + finance_rate) ** -t)
    ok = (fv_positive > 0) & (pv_negative > 0) & (periods > 0)
    safe = np.where(ok, fv_positive / np.where(ok, pv_negative, 1.0), 1.0)
    out: FloatArray = np.where(ok, safe ** (1.0 / max(periods, 1)) - 1.0, np.nan)
    return out
