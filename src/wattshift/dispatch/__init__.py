"""Hybrid dispatch: every interval, each MW of a site to mining, AI compute, reserves or the grid.

One module per concept (DESIGN.md section 5):

- :mod:`~wattshift.dispatch.spec`: :class:`SiteSpec`, the site as frozen arrays and scalars (the
  services build it once from a ``SiteConfig``; no engine here imports ``wattshift.config``);
- :mod:`~wattshift.dispatch.problem`: :class:`DispatchProblem` (the site and its prices as arrays),
  :class:`Schedule`, :func:`build_problem`;
- :mod:`~wattshift.dispatch.merit`: closed-form merit order, exact without inter-temporal coupling;
- :mod:`~wattshift.dispatch.lp`: the LP / MILP as sparse matrices in HiGHS, from the row blocks of
  :mod:`~wattshift.dispatch.rows` (ramps, min on/off, reserves, 4CP peak charges, energy budgets);
- :mod:`~wattshift.dispatch.decompose`: the LP's exact optimum when ramps and hourly up-reserve awards
  are the only coupling, closed form outside small HiGHS windows around the links they break
  (:mod:`~wattshift.dispatch.links`);
- :mod:`~wattshift.dispatch.values`: mining value per fleet and AI value per interval [USD/MWh];
- :mod:`~wattshift.dispatch.settlement`: revenue by stream, energy cost, charges, always-on reference;
- :mod:`~wattshift.dispatch.backtest`: rolling-horizon backtest over a price history, its windows
  solved in order by :mod:`~wattshift.dispatch.rolling`.
"""

from __future__ import annotations

from wattshift.dispatch.backtest import BacktestInputs, BacktestResult, run_backtest, solve
from wattshift.dispatch.lp import build_lp, solve_lp
from wattshift.dispatch.merit import solve_merit
from wattshift.dispatch.problem import DispatchProblem, InitialState, Schedule, build_problem
from wattshift.dispatch.spec import FleetSpec, GpuSpec, PeakSpec, ReserveSpec, SiteSpec

__all__ = [
    "BacktestInputs",
    "BacktestResult",
    "DispatchProblem",
    "FleetSpec",
    "GpuSpec",
    "InitialState",
    "PeakSpec",
    "ReserveSpec",
    "Schedule",
    "SiteSpec",
    "build_lp",
    "build_problem",
    "run_backtest",
    "solve",
    "solve_lp",
    "solve_merit",
]
