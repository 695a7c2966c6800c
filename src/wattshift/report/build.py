"""Assemble the self-contained HTML report from each engine's section.

Sections come from ``wattshift.report.<topic>.build_section(wh, **options)``: market (mining
economics), signals, dispatch and valuation. A section whose engine is not installed is skipped;
a section that fails is reported in the page and in :class:`ReportResult` (the CLI exits non-zero).
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from threadpoolctl import threadpool_limits

from wattshift import __version__
from wattshift.report.base import Section, page_html, renumber_figures
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


#: Built sections: ``(name, section, failure message or None)``.
Built = list[tuple[str, "Section", str | None]]


@dataclass
class ReportResult:
    """Where the report went and which sections failed (``name -> message``)."""

    path: Path
    sections: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


def section_builder(name: str) -> Callable[..., Section] | None:
    """``wattshift.report.<name>.build_section``, or None if that section's module is not installed."""
    try:
        module = importlib.import_module(f"wattshift.report.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"wattshift.report.{name}":
            return None
        raise
    builder: Callable[..., Section] = module.build_section
    return builder


@contextmanager
def no_default_template() -> Iterator[None]:
    """No plotly default template while the sections build their figures.

    Every new figure would otherwise load (the first time) and attach plotly's default template,
    which :func:`wattshift.report.base.figure_html` replaces by the page's. The default is restored
    on exit; the report is built in its own CLI process, with no other figure built meanwhile.
    """
    import plotly.io as pio

    templates = pio.templates
    default = templates.default
    templates.default = None
    try:
        yield
    finally:
        # The old default was validated when it was set: it is put back without validating it again,
        # which would load plotly's default template (0.085 s, at the end of each report lane).
        # tests/test_report_page.py checks that the default reads back as it was.
        templates._default = default


def failed_section(name: str, message: str) -> Section:
    """The section shown in place of ``name`` when building it failed with ``message``."""
    return Section(
        id=name, title=name.title(), html=f"<p><strong>Failed:</strong> {html.escape(message)}</p>"
    )


def failure_message(exc: Exception) -> str:
    """How a failed section names its failure, in the page and in :class:`ReportResult` alike
    (serial or in lanes): ``"ValueError: no prices for HB_NOWHERE"``."""
    return f"{type(exc).__name__}: {exc}"


def _section(name: str, builder: Callable[..., Section], wh: Warehouse, options: dict[str, Any]) -> Built:
    """One section and None, or a section saying it failed and the failure's message."""
    try:
        return [(name, builder(wh, **options), None)]
    except Exception as exc:  # a failed section must not hide the others
        message = failure_message(exc)
        return [(name, failed_section(name, message), message)]


@contextmanager
def building(wh: Warehouse) -> Iterator[Warehouse]:
    """The warehouse as sections read it while they build (each read once), under the build's settings.

    Thousands of BLAS calls on vectors of one year of intervals (dot products of 10^4-10^5
    elements) run with one BLAS thread each, since waking OpenBLAS's other threads costs more than
    the product itself (3x on 2 shared cores, measured in benchmarks/bench_report.py); no plotly
    default template is attached to the figures (see :func:`no_default_template`).
    """
    reads = cast("Warehouse", OnceReads(wh))  # duck-typed: the warehouse, each read done once
    with threadpool_limits(limits=1, user_api="blas"), no_default_template():
        yield reads


def build_sections(
    wh: Warehouse,
    names: Sequence[str],
    *,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Built:
    """Build the sections ``names`` (those installed) on ``wh``: ``(name, section, failure or None)``."""
    options = options or {}
    built: Built = []
    with building(wh) as reads:
        for name in names:
            builder = section_builder(name)
            if builder is None:
                continue
            if progress is not None:
                progress(name)
            built += _section(name, builder, reads, options.get(name, {}))
    return built


def write_page(out_dir: Path, built: Built) -> ReportResult:
    """Write ``out_dir/index.html`` from the built sections, in page order (:data:`SECTION_MODULES`)."""
    order = {name: i for i, name in enumerate(SECTION_MODULES)}
    built = sorted(built, key=lambda item: order.get(item[0], len(order)))
    result = ReportResult(path=out_dir / "index.html")
    for name, _, failure in built:
        if failure is None:
            result.sections.append(name)
        else:
            result.failures[name] = failure
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"Generated by wattshift {__version__} on {generated}. Data sources and licences: " + " ".join(
        ATTRIBUTION
    )
    page = page_html(
        "wattshift report",
        "Every megawatt to its most valuable use: Bitcoin mining, AI compute or the grid, from real data.",
        renumber_figures([section for _, section, _ in built]),
        footer,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    result.path.write_text(page, encoding="utf-8")
    return result


def build_report(
    wh: Warehouse,
    out_dir: Path,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportResult:
    """Write ``out_dir/index.html``, building the sections one after the other in this process.

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

    See Also
    --------
    wattshift.report.lanes.build_report_in_lanes : the same page, sections built in parallel processes.
    """
    return write_page(out_dir, build_sections(wh, SECTION_MODULES, options=options, progress=progress))
