"""Speed targets of the dispatch optimiser (issue "Hybrid dispatch"), on real ERCOT prices.

One year of 15-minute HB_WEST real-time prices (2024-01-02 .. 2025-01-01 UTC, 35,040 intervals),
three ASIC fleets with ramp limits, a GPU cluster with firm load, three up-reserve products
(REGUP, RRS, ECRS day-ahead clearing prices) and daily hashprice from Coin Metrics:

- wattshift's dispatch path (what ``--solver auto`` runs: the exact ramp-window decomposition of
  :mod:`wattshift.dispatch.decompose`, closed form outside small HiGHS LPs around the ramp-binding
  switching events) vs the same LP written in linopy (same rows and columns, vectorised, direct API,
  import excluded, best of 3 for both): target ≥ 5x faster with the same objective to 1e-6, reported
  against linopy with HiGHS's defaults and with the HiGHS options wattshift uses (presolve off for the
  pure LP); the ratio of wattshift's whole-LP path (build + solve of the year as one LP) is printed too;
- the closed form (merit order with up reserves) vs the LP on the same year without ramps: ≥ 50x
  (closed form best of 20: one run is about a millisecond);
- wattshift's LP path vs the bare HiGHS solve of its own matrices: target ≤ 1.3x;
- merit order: target ≥ 50 million interval·fleet per second;
- 5-minute prices for a year (SCED LMP, 105,120 intervals): merit and LP without running out of memory.

``make bench`` runs the ``test_bench_*`` functions (pytest-benchmark); ``python
benchmarks/bench_dispatch.py`` prints the side-by-side table.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pytest

from wattshift.config import Fleet, SiteConfig, parse_site
from wattshift.dispatch.decompose import Decomposition, decompose
from wattshift.dispatch.lp import build_lp, new_highs, pass_model, run_highs, solve_lp
from wattshift.dispatch.merit import solve_merit
from wattshift.dispatch.problem import DispatchProblem, build_problem
from wattshift.dispatch.values import (
    daily_hashprice_usd_per_th_day,
    daily_to_intervals,
    fleet_values_usd_per_mwh,
)
from wattshift.services.dispatch import on_grid, site_spec

START, END = dt.date(2024, 1, 2), dt.date(2025, 1, 1)
PRODUCTS = ["REGUP", "RRS", "ECRS"]
SITE: dict[str, Any] = {
    "name": "bench",
    "interconnect_mw": 100.0,
    "aux_mw": 2.0,
    # Efficiencies of the S21 XP, S19 XP and S19j Pro (catalogue, J/TH); ramp limits in MW/min.
    "fleets": [
        {"name": "a", "power_mw": 30.0, "efficiency_j_per_th": 13.5, "ramp_mw_per_min": 1.0},
        {"name": "b", "power_mw": 25.0, "efficiency_j_per_th": 21.5, "ramp_mw_per_min": 1.0},
        {"name": "c", "power_mw": 23.0, "efficiency_j_per_th": 29.5, "ramp_mw_per_min": 1.0},
    ],
    "gpu": {"capacity_mw": 20.0, "firm_mw": 10.0, "spot_usd_per_gpu_hour": 1.70, "kw_per_gpu": 1.275},
    "reserves": {"products": PRODUCTS, "max_mw": 30.0},
}
TARGETS = {"linopy_speedup": 5.0, "closed_form_speedup": 50.0, "bare_ratio": 1.3, "merit_cells_per_s": 50e6}


def _data_dir() -> Path:
    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    path = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (path / "power").is_dir():
        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    return path


@dataclass(frozen=True)
class Bench:
    """The benchmark site and its year of problem data."""

    site: SiteConfig
    fleets: list[Fleet]
    problem: DispatchProblem


def _fleets(site: SiteConfig) -> list[Fleet]:
    from wattshift.services.sites import resolve_fleets

    return resolve_fleets(site, pd.DataFrame(columns=["model", "hashrate_ths", "power_w"]))


def load_bench(minutes: int = 15) -> Bench:
    """Real prices for the benchmark year on a ``minutes`` grid (15: RT SPP, 5: SCED LMP)."""
    from wattshift.data.coinmetrics import read_coinmetrics
    from wattshift.data.ercot_dam import read_ercot_dam_as_mcpc
    from wattshift.data.ercot_parquet import read_ercot_sced_lmp_5min
    from wattshift.data.ercot_rtm import read_ercot_rtm_spp_wide_utc

    data = _data_dir()
    site = parse_site(SITE)
    fleets = _fleets(site)
    start, end = pd.Timestamp(START).tz_localize("UTC"), pd.Timestamp(END).tz_localize("UTC")
    grid = pd.date_range(start, end, freq=f"{minutes}min", inclusive="left")
    if minutes == 15:
        rt = read_ercot_rtm_spp_wide_utc(data / "power" / "ercot_rtm_spp_15min_hubs_2024.csv")
        rt = rt[rt["node"] == "HB_WEST"]
        price = on_grid(rt, grid, what="HB_WEST")
    else:
        # The SCED series has a few short holes; they are skipped, never filled: the benchmark takes
        # the first 105,120 real 5-minute prices from the start (a 365-day year's worth).
        rt = read_ercot_sced_lmp_5min(data / "power" / "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet")
        rt = rt[(rt["node"] == "HB_WEST") & (rt["interval_start_utc"] >= start)]
        rt = rt.sort_values("interval_start_utc").iloc[: len(grid)]
        grid = pd.DatetimeIndex(rt["interval_start_utc"])
        price = rt["price_usd_per_mwh"].to_numpy(dtype=np.float64)
    asm = read_ercot_dam_as_mcpc(data / "power" / "ercot_dam_as_mcpc_hourly_2022_2025.csv")
    rho = np.vstack([on_grid(asm[asm["node"] == p], grid, what=p) for p in PRODUCTS])
    btc = read_coinmetrics(data / "onchain" / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv")
    hp = daily_to_intervals(daily_hashprice_usd_per_th_day(btc), grid, what="hashprice")
    values = fleet_values_usd_per_mwh(hp, np.array([f.efficiency_j_per_th for f in fleets]))
    problem = build_problem(
        site_spec(site, fleets),
        interval_minutes=minutes,
        price_usd_per_mwh=price,
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=np.full(len(grid), 1.70 / 1.275 * 1000.0),
        reserve_price_usd_per_mw_h=rho,
    )
    return Bench(site, fleets, problem)


@dataclass(frozen=True)
class LinopyResult:
    """Objective [USD] and size of the linopy model (rows x columns as handed to HiGHS)."""

    objective_usd: float
    n_rows: int
    n_cols: int


def linopy_solve(p: DispatchProblem, presolve: bool = True) -> LinopyResult:
    """The same LP written as a linopy user would: vectorised, solved through linopy's direct API.

    Same size as wattshift's LP: one up-reserve column per interval paid at the best of the three up
    products (each product's bound is the total cap, so the sum sits in the best-paid one: exact), and
    one ranged row per ramp. linopy has no ranged rows, so the ramp is added as ``step <= R`` and its
    lower side ``-R`` is set on the HiGHS model that ``Model.to_highspy()`` returns (linopy's direct
    API, which ``Model.solve(io_api="direct")`` also uses). ``linopy`` is imported before timing.
    ``presolve=False`` gives HiGHS the option wattshift uses for the pure LP (``lp.new_highs``).
    """
    import linopy
    import xarray as xr

    K, T = p.n_fleets, p.n_intervals
    dt_h = p.interval_hours
    time_ix = pd.RangeIndex(T, name="time")
    fleet_ix = pd.RangeIndex(K, name="fleet")
    m = linopy.Model()
    cap = xr.DataArray(np.repeat(p.fleet_capacity_mw[:, None], T, axis=1), coords=[fleet_ix, time_ix])
    x = m.add_variables(lower=0.0, upper=cap, name="m")
    g = m.add_variables(lower=p.gpu_firm_mw, upper=p.gpu_capacity_mw, coords=[time_ix], name="g")
    r = m.add_variables(lower=0.0, upper=p.reserve_max_mw, coords=[time_ix], name="r")
    load = x.sum("fleet") + g
    m.add_constraints(load <= p.interconnect_mw - p.aux_mw, name="interconnect")
    m.add_constraints(r - load <= -p.gpu_firm_mw, name="up_reserve")
    assert p.ramp_mw_per_interval is not None
    ramp = xr.DataArray(p.ramp_mw_per_interval, coords=[fleet_ix])
    step = x.isel(time=slice(1, None)) - x.shift(time=1).isel(time=slice(1, None))
    ramp_con = m.add_constraints(step <= ramp, name="ramp")
    pi = xr.DataArray(p.price_usd_per_mwh, coords=[time_ix])
    v = xr.DataArray(p.fleet_value_usd_per_mwh, coords=[fleet_ix, time_ix])
    a = xr.DataArray(p.ai_value_usd_per_mwh, coords=[time_ix])
    rho = xr.DataArray(p.reserve_price_usd_per_mw_h.max(axis=0), coords=[time_ix])
    m.add_objective(
        ((v - pi) * dt_h * x).sum() + ((a - pi) * dt_h * g).sum() + (rho * dt_h * r).sum(), sense="max"
    )
    h = m.to_highspy()
    h.setOptionValue("output_flag", False)
    if not presolve:
        h.setOptionValue("presolve", "off")
    rows = np.flatnonzero(np.isin(m.matrices.clabels, ramp_con.labels.values.ravel()))
    upper = np.asarray(h.getLp().row_upper_)[rows]
    h.changeRowsBounds(rows.size, rows.astype(np.int32), -upper, upper)  # type: ignore[attr-defined]
    run_highs(h)
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, "linopy's model did not solve"
    objective = float(h.getInfo().objective_function_value)  # linopy passes the maximise sense
    return LinopyResult(objective + p.constant_usd(), int(h.getNumRow()), int(h.getNumCol()))


def bare_highs_seconds(p: DispatchProblem) -> tuple[float, float]:
    """HiGHS ``run()`` time alone on wattshift's matrices (with wattshift's options), and the objective."""
    h = new_highs(presolve=False)
    pass_model(h, build_lp(p))
    start = time.perf_counter()
    run_highs(h)
    return time.perf_counter() - start, float(h.getInfo().objective_function_value)


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _merit_rate(p: DispatchProblem, repeat: int = 20) -> float:
    """Merit-order throughput [interval·fleet per second], best of ``repeat``."""
    from dataclasses import replace

    sep = replace(p, reserve_max_mw=0.0, ramp_mw_per_interval=None)
    best = min(_timed(solve_merit, sep)[0] for _ in range(repeat))
    return p.n_intervals * p.n_fleets / best


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- pytest-benchmark ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def year15() -> Bench:
    return load_bench(15)


def test_bench_dispatch_lp_year(benchmark: Any, year15: Bench) -> None:
    sched = benchmark.pedantic(solve_lp, args=(year15.problem,), rounds=3, iterations=1)
    bare, obj = bare_highs_seconds(year15.problem)
    benchmark.extra_info["bare_highs_s"] = bare
    assert sched.objective_usd == pytest.approx(obj, rel=1e-6)


def test_bench_dispatch_decomposed_year(benchmark: Any, year15: Bench) -> None:
    d = benchmark.pedantic(decompose, args=(year15.problem,), rounds=3, iterations=1)
    benchmark.extra_info.update(windows=d.windows, lp_rows=d.lp_rows, lp_intervals=d.lp_intervals)
    assert d.method == "windows"
    assert d.schedule.objective_usd == pytest.approx(solve_lp(year15.problem).objective_usd, rel=1e-6)


def test_bench_dispatch_linopy_year(benchmark: Any, year15: Bench) -> None:
    import linopy  # noqa: F401  (imported before timing)

    res = benchmark.pedantic(linopy_solve, args=(year15.problem,), rounds=3, iterations=1)
    assert res.objective_usd == pytest.approx(solve_lp(year15.problem).objective_usd, rel=1e-6)


def test_bench_dispatch_merit_year(benchmark: Any, year15: Bench) -> None:
    from dataclasses import replace

    sep = replace(year15.problem, reserve_max_mw=0.0, ramp_mw_per_interval=None)
    benchmark(solve_merit, sep)
    benchmark.extra_info["cells_per_s"] = sep.n_intervals * sep.n_fleets / benchmark.stats.stats.min


# -- table ------------------------------------------------------------------------------------------


def _separable(p: DispatchProblem) -> DispatchProblem:
    """The benchmark year without ramp limits: reserves paid per interval stay (closed form exact)."""
    from dataclasses import replace

    return replace(p, ramp_mw_per_interval=None, reserve_hour=None)


def _describe(d: Decomposition, p: DispatchProblem) -> str:
    """What the decomposition solved, for the table's note."""
    if d.method != "windows":
        return f"{d.method} ({d.fallback})" if d.fallback else d.method
    return (
        f"{d.windows:,} windows, {d.lp_intervals:,} of {p.n_intervals:,} intervals, {d.rounds} LP round(s), "
        f"{d.lp_rows:,} x {d.lp_cols:,} rows x cols"
    )


def _lp_rows(p: DispatchProblem, repeat: int) -> list[tuple[str, float, float, str]]:
    """wattshift's dispatch path (decomposition), its whole LP, bare HiGHS and linopy (defaults and
    wattshift's HiGHS options), every path best of ``repeat``."""
    import linopy  # noqa: F401  (import excluded from every timing)

    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("dw", "ws", "bare", "lin", "lin_nopre")}
    size, dec = "", decompose(p)
    for _ in range(repeat):  # interleaved, so machine load hits every path alike
        t, dec = _timed(decompose, p)
        runs["dw"].append((t, dec.schedule.objective_usd))
        t, sched = _timed(solve_lp, p)
        runs["ws"].append((t, sched.objective_usd))
        runs["bare"].append(bare_highs_seconds(p))
        for key, pre in (("lin", True), ("lin_nopre", False)):
            t, res = _timed(linopy_solve, p, pre)
            runs[key].append((t, res.objective_usd))
            size = f"{res.n_rows:,} x {res.n_cols:,}"
    best = {k: min(v) for k, v in runs.items()}
    model = build_lp(p)
    ws_size = f"{model.matrix.shape[0]:,} x {model.matrix.shape[1]:,}"
    t_dw, t_ws = best["dw"][0], best["ws"][0]
    lin, nopre = best["lin"][0], best["lin_nopre"][0]
    return [
        ("wattshift dispatch path (decomposition)", t_dw, best["dw"][1], _describe(dec, p)),
        ("wattshift whole LP (build + solve)", t_ws, best["ws"][1], f"rows x cols {ws_size}"),
        (
            "bare HiGHS run() on the whole LP",
            *best["bare"],
            f"whole LP / bare {t_ws / best['bare'][0]:.2f}x (≤ 1.3x)",
        ),
        (
            "linopy direct API, HiGHS defaults",
            *best["lin"],
            f"{size}; dispatch path {lin / t_dw:.1f}x faster (target ≥ 5x), whole LP {lin / t_ws:.1f}x",
        ),
        (
            "linopy direct API, presolve off",
            *best["lin_nopre"],
            f"same HiGHS options: dispatch path {nopre / t_dw:.1f}x faster, whole LP {nopre / t_ws:.1f}x",
        ),
    ]


def _rolling_seconds(p: DispatchProblem, mode: str, days: int = 120) -> tuple[float, float]:
    """Time [s] and total objective [USD] of ``days`` one-day LP windows: whole LP ``cold`` or ``warm``
    started, or ``auto`` (the dispatch path: decomposition, warm whole LP where it falls back)."""
    from dataclasses import replace

    from wattshift.dispatch.backtest import solve
    from wattshift.dispatch.lp import WarmStart

    per_day = round(24 / p.interval_hours)
    ws = WarmStart() if mode != "cold" else None
    total, start = 0.0, time.perf_counter()
    for d in range(days):
        w = slice(d * per_day, (d + 1) * per_day)
        window = replace(
            p,
            price_usd_per_mwh=p.price_usd_per_mwh[w],
            fleet_value_usd_per_mwh=p.fleet_value_usd_per_mwh[:, w],
            ai_value_usd_per_mwh=p.ai_value_usd_per_mwh[w],
            reserve_price_usd_per_mw_h=p.reserve_price_usd_per_mw_h[:, w],
            reserve_hour=None if p.reserve_hour is None else p.reserve_hour[w] - p.reserve_hour[w][0],
        )
        sched = solve(window, "auto", ws) if mode == "auto" else solve_lp(window, warm=ws)
        total += sched.objective_usd
    return time.perf_counter() - start, total


def main(repeat: int = 3) -> None:
    """Print the side-by-side table (all measured in this one run; every path best of ``repeat``)."""
    from dataclasses import replace

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared machine)")
    year = load_bench(15)
    p = year.problem
    rows = _lp_rows(p, repeat)
    sep = _separable(p)
    t_sep_lp = min(_timed(solve_lp, sep)[0] for _ in range(repeat))
    t_sep_merit, merit = min(_timed(solve_merit, sep) for _ in range(20))
    sep_lp = solve_lp(sep)
    rows.append(("LP, year without ramps (reserves kept)", t_sep_lp, sep_lp.objective_usd, ""))
    rows.append(
        (
            "closed form, same problem (best of 20)",
            t_sep_merit,
            merit.objective_usd,
            f"{t_sep_lp / t_sep_merit:,.0f}x the LP (target ≥ 50x)",
        )
    )
    print(
        f"\nDispatch benchmark: {p.n_intervals} intervals x {p.n_fleets} fleets + GPU"
        f" + {p.n_products} reserves, ramps (every path best of {repeat}, imports excluded)"
    )
    print(f"{'path':<42} {'seconds':>9} {'objective [USD]':>18}  note")
    for name, sec, obj, note in rows:
        print(f"{name:<42} {sec:>9.4f} {obj:>18,.2f}  {note}")
    ref = rows[1][2]
    for name, _, obj, _ in [rows[0], *rows[2:5]]:
        print(f"objective difference, {name} vs whole LP: {abs(obj - ref) / abs(ref):.1e} (relative)")
        if abs(obj - ref) > 1e-6 * abs(ref):
            raise SystemExit(f"{name}: objective differs from the whole LP by more than 1e-6")
    gap = abs(merit.objective_usd - sep_lp.objective_usd) / abs(sep_lp.objective_usd)
    print(f"closed form vs LP objective: {gap:.1e} (relative)")
    hourly = replace(p, reserve_hour=np.arange(p.n_intervals) // round(1 / p.interval_hours))
    t_hl, lp_h = min(_timed(solve_lp, hourly) for _ in range(repeat))
    t_hd, dec_h = min(_timed(decompose, hourly) for _ in range(repeat))
    gap_h = abs(dec_h.schedule.objective_usd - lp_h.objective_usd) / abs(lp_h.objective_usd)
    print(
        f"same year, hourly reserve awards (as `wattshift dispatch` builds them): whole LP {t_hl:.3f} s, "
        f"dispatch path {t_hd:.4f} s ({t_hl / t_hd:.1f}x; {_describe(dec_h, hourly)}); objectives differ by "
        f"{gap_h:.1e} (relative)"
    )
    cold, obj_cold = min(_rolling_seconds(p, "cold") for _ in range(repeat))
    hot, obj_hot = min(_rolling_seconds(p, "warm") for _ in range(repeat))
    auto, obj_auto = min(_rolling_seconds(p, "auto") for _ in range(repeat))
    print(
        f"rolling one-day LP windows (120 days): cold {cold:.3f} s, warm-started {hot:.3f} s "
        f"({cold / hot:.1f}x), dispatch path (decomposition) {auto:.3f} s ({cold / auto:.1f}x); objectives "
        f"differ by {abs(obj_cold - obj_hot):.1e} and {abs(obj_cold - obj_auto):.1e} USD"
    )
    free = _merit_rate(p)
    binding = _merit_rate(replace(p, interconnect_mw=90.0))
    print(
        f"merit order: {free / 1e6:,.1f} M interval·fleet/s (interconnect not binding), "
        f"{binding / 1e6:,.1f} M/s (binding at 90 MW) (target ≥ 50)"
    )
    five = load_bench(5)
    t_m5, _ = _timed(solve_merit, replace(five.problem, reserve_max_mw=0.0, ramp_mw_per_interval=None))
    t_l5, s5 = _timed(solve_lp, five.problem)
    t_d5, d5 = _timed(decompose, five.problem)
    print(
        f"5-minute year ({five.problem.n_intervals} intervals): merit {t_m5:.3f} s, LP {t_l5:.1f} s "
        f"(objective {s5.objective_usd:,.0f} USD), dispatch path {t_d5:.2f} s "
        f"({_describe(d5, five.problem)}; objective differs by "
        f"{abs(d5.schedule.objective_usd - s5.objective_usd) / abs(s5.objective_usd):.1e}); "
        f"peak RSS {_peak_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
