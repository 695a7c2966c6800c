"""Terminal value at the horizon: Gordon growth or exit cap rate, on stabilised expected NOI.

A horizon's last year can be a vacant year (a non-renewal's downtime) or a build year; valuing the
business after the horizon on that one year is wrong both ways. The terminal value here is taken on
*stabilised* net operating income: the long-run expected NOI of the lease process (occupancy after
expected vacancy and downtime, re-letting costs spread over the cycle; see
:func:`wattshift.valuation.leases.stabilised_noi_usd_per_year`), the same on every path.

- Gordon growth [1]_: ``TV_T = NOI_{T+1} / (r - g)`` with ``NOI_{T+1} = NOI_T (1 + g)``;
- exit cap rate [2]_: ``TV_T = NOI_{T+1} / c``.

Both need the capitalisation rate above the growth rate (``r - g > 0``; ``c > g``): otherwise the
perpetuity does not converge and the value is not defined. The terminal value is received at the
end of the horizon and discounted with the horizon's last cash flow.

References
----------
.. [1] M. J. Gordon, "Dividends, Earnings and Stock Prices", *Review of Economics and Statistics*
   41 (1959), 99-105; Brealey, Myers & Allen, *Principles of Corporate Finance*, 13th ed., ch. 4.
.. [2] Appraisal Institute, *The Appraisal of Real Estate*, 15th ed., ch. 23 (direct
   capitalisation: value = NOI / overall capitalisation rate).
"""

from __future__ import annotations

from typing import Literal

from wattshift.errors import ConfigError

TerminalMethod = Literal["gordon", "exit_cap", "none"]


def capitalisation_rate(
    method: TerminalMethod,
    *,
    discount_rate_annual: float,
    growth_annual: float,
    exit_cap_rate: float,
) -> float:
    """The rate that capitalises next year's NOI into a value [1/year].

    Parameters
    ----------
    method
        ``"gordon"`` (``r - g``), ``"exit_cap"`` (``c``) or ``"none"`` (no terminal value: 0 is
        returned and the caller adds nothing).
    discount_rate_annual
        Discount rate ``r`` [1/year].
    growth_annual
        Long-run growth of NOI after the horizon ``g`` [1/year].
    exit_cap_rate
        Exit capitalisation rate ``c`` [1/year].

    Raises
    ------
    ConfigError
        If the capitalisation rate is not above the growth rate (``r <= g`` for Gordon,
        ``c <= g`` for an exit cap), naming the field.
    """
    if method == "none":
        return 0.0
    if method == "gordon":
        if discount_rate_annual <= growth_annual:
            raise ConfigError(
                f"valuation.terminal.growth_annual: the discount rate {discount_rate_annual:.4f} must "
                f"exceed the terminal growth {growth_annual:.4f} for a Gordon terminal value"
            )
        return discount_rate_annual - growth_annual
    if exit_cap_rate <= growth_annual or exit_cap_rate <= 0.0:
        raise ConfigError(
            f"valuation.terminal.exit_cap_rate: {exit_cap_rate:.4f} must be positive and exceed the "
            f"terminal growth {growth_annual:.4f}"
        )
    return exit_cap_rate


def terminal_value_usd(
    noi_usd_per_year: float,
    method: TerminalMethod,
    *,
    discount_rate_annual: float,
    growth_annual: float,
    exit_cap_rate: float,
) -> float:
    """Value at the horizon of the NOI after it [USD]: ``NOI (1 + g) / cap`` ([1]_, [2]_).

    Parameters
    ----------
    noi_usd_per_year
        Stabilised NOI of the last horizon year [USD/year] (negative NOI gives a negative value:
        a business that loses money forever is a liability).
    method, discount_rate_annual, growth_annual, exit_cap_rate
        See :func:`capitalisation_rate`.

    Returns
    -------
    float
        Terminal value at the end of the horizon [USD]; 0 for ``method="none"``.
    """
    cap = capitalisation_rate(
        method,
        discount_rate_annual=discount_rate_annual,
        growth_annual=growth_annual,
        exit_cap_rate=exit_cap_rate,
    )
    if method == "none":
        return 0.0
    return noi_usd_per_year * (1.0 + growth_annual) / cap
