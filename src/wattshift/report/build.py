"""Assemble the self-contained HTML report from each engine's section.

Sections come from ``wattshift.report.<topic>.build_section(wh, **options)``: market (mining
economics), signals, dispatch and valuation. A section whose engine is not installed is skipped;
a section that fails is reported in the page and in :class:`ReportResult` (the CLI exits non-zero).
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from threadpoolctl import threadpool_limits

from wattshift import __version__
from wattshift.report.base import Section, page_html
from wattshift.report.reads import OnceReads

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

#: (module, options passed through) in page order.
SECTION_MODULES: tuple[str, ...] = ("market", "signals", "dispatch", "valuation", "markets")

#: Attribution for every data source the report may show.
ATTRIBUTION: tuple[str, ...] = (
    "Bitcoin network and market data: Coin Metrics Community Data (coinmetrics/data), licensed CC BY-NC 4.0 "
    "- non-commercial use.",
    "Crypto Fear & Greed Index: alternative.me (api.alternative.me/fng).",
    "ERCOT settlement point prices, SCED LMPs and ancillary clearing prices: ERCOT public market data "
    "(NP4-180, NP4-181, NP6-905, NP6-785), via the public repositories named in the data README.",
    "ASIC catalogue: vendor, review and news pages, named row by row in asics/asic_models.csv.",
    "GPU rental prices: tugot17/gpu-price-tracker (MIT), ddbit/llamaboxweb, and dated public index quotes.",
)


@dataclass
class ReportResult:
    """Where the report went and which sections failed (``name -> message``)."""

    path: Path
    sections: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


def _builder(name: str) -> Callable[..., Section] | None:
    try:
        module = importlib.import_module(f"wattshift.report.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"wattshift.report.{name}":
            return None
        raise
    builder: Callable[..., Section] = module.build_section
    return builder


@contextmanager
def _no_default_template() -> Iterator[None]:
    """No plotly default template while the sections build their figures.

    Every new figure would otherwise load (the first time) and attach plotly's default template,
    which :func:`wattshift.report.base.figure_html` replaces by the page's. The default is restored
    on exit; the report is built in its own CLI process, with no other figure built meanwhile.
    """
    import plotly.io as pio

    default = pio.templates.default
    pio.templates.default = None
    try:
        yield
    finally:
        pio.templates.default = default


def _section(
    name: str, builder: Callable[..., Section], wh: Warehouse, options: dict[str, Any], result: ReportResult
) -> Section:
    """One section, or a section saying it failed (recorded in ``result``)."""
    try:
        section = builder(wh, **options)
    except Exception as exc:  # a failed section must not hide the others
        result.failures[name] = f"{type(exc).__name__}: {exc}"
        detail = html.escape("".join(traceback.format_exception_only(exc)))
        return Section(id=name, title=name.title(), html=f"<p><strong>Failed:</strong> {detail}</p>")
    result.sections.append(name)
    return section


def build_report(
    wh: Warehouse,
    out_dir: Path,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Write ``out_dir/index.html``.

    Parameters
    ----------
    wh
        Open warehouse with the ingested data.
    out_dir
        Folder to write ``index.html`` into (created if needed).
    options
        Per-section keyword options, e.g. ``{"dispatch": {"sites": [...]}}``.
    progress
        Called with each section's name before it is built.
    """
    options = options or {}
    sections: list[Section] = []
    result = ReportResult(path=out_dir / "index.html")
    # Thousands of BLAS calls on vectors of one year of intervals (dot products of 10^4-10^5
    # elements): one BLAS thread each, since waking OpenBLAS's other threads costs more than the
    # product itself (3x on 2 shared cores, measured in benchmarks/bench_report.py).
    reads = cast("Warehouse", OnceReads(wh))  # duck-typed: the warehouse, each read done once
    with threadpool_limits(limits=1, user_api="blas"), _no_default_template():
        for name in SECTION_MODULES:
            builder = _builder(name)
            if builder is None:
                continue
            if progress is not None:
                progress(name)
            sections.append(_section(name, builder, reads, options.get(name, {}), result))
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"Generated by wattshift {__version__} on {generated}. Data sources and licences: " + " ".join(
        ATTRIBUTION
    )
    page = page_html(
        "wattshift report",
        "Every megawatt to its most valuable use: Bitcoin mining, AI compute or the grid, from real data.",
        sections,
        footer,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    result.path.write_text(page, encoding="utf-8")
    return result
