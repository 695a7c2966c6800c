"""Building blocks of the self-contained HTML report: sections and inline Plotly figures.

The page embeds plotly.js once, inline (the vendored *basic* bundle, ``report/static/README.md``):
the report opens offline and references no external script, stylesheet or font. The page is a
Jinja2 template with autoescaping; section bodies are the only HTML passed through unescaped.

Figures are written straight from the figure's own data (no deep copy of its arrays, unlike
``Figure.to_html``): numeric arrays as plotly's base64 typed arrays (float32: 7 significant
digits), datetimes as the shortest ISO strings, and one copy of each time axis per figure.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2
import markupsafe
import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64  # what Figure.to_dict uses
from plotly.io.json import to_json_plotly

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
#: plotly.py template every report figure is drawn with (set in the browser, see :func:`figure_html`).
TEMPLATE = "plotly_white"
_TEMPLATE_VAR = "wattshiftTemplate"
#: Trace types in the vendored plotly.js basic bundle.
BASIC_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})
_IDS = itertools.count()
_FIGURE_PREFIX = "wattshift-figure-"
_FIGURE_ID = re.compile(_FIGURE_PREFIX + r"(\d+-\d+)")


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Parameters
    ----------
    id
        Anchor (``#id``) used by the table of contents.
    title
        Heading shown in the report.
    html
        Body HTML (figures from :func:`figure_html`, tables, paragraphs).
    sources
        Attribution lines for the data this section shows.
    """

    id: str
    title: str
    html: str
    sources: tuple[str, ...] = field(default_factory=tuple)


def _plain(value: Any) -> Any:
    """Copy dicts and lists (not arrays); datetimes become ISO strings; other arrays stay arrays."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pd.Series | pd.Index):
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        if value.dtype == object and len(value) and isinstance(value[0], pd.Timestamp | np.datetime64):
            value = pd.DatetimeIndex(value).tz_localize(None).to_numpy()
        if value.dtype.kind == "M":
            return _iso(value.astype("datetime64[s]"))
        if value.dtype == np.float64:
            return value.astype(np.float32)  # 7 significant digits: more than a chart can show
    return value


def _iso(times: npt.NDArray[np.datetime64]) -> list[str]:
    """ISO strings as short as the data allows: days, minutes or seconds."""
    seconds = times.astype(np.int64)
    unit: Literal["D", "m", "s"] = (
        "D" if np.all(seconds % 86_400 == 0) else "m" if np.all(seconds % 60 == 0) else "s"
    )
    out: list[str] = np.datetime_as_string(times, unit=unit).tolist()
    return out


def figure_json(fig: go.Figure) -> tuple[str, str]:
    """The figure as JSON for ``Plotly.newPlot``, without deep-copying its arrays.

    Returns
    -------
    (figure, axes) : tuple of str
        ``{data, layout}`` where each trace's ``x`` is the index of its axis in ``axes``, and
        ``axes``, the JSON list of the distinct ``x`` arrays (traces over the same time axis share
        one copy instead of repeating it).
    """
    unknown = {str(t.type) for t in fig.data} - BASIC_TRACE_TYPES
    if unknown:
        raise ValueError(f"trace types {sorted(unknown)} are not in the report's plotly.js bundle")
    traces = [_plain(t) for t in fig._data]
    axes: dict[str, int] = {}
    for trace in traces:
        if "x" in trace:
            x_json = to_json_plotly(trace["x"])
            trace["x"] = axes.setdefault(x_json, len(axes))
    payload = {"data": traces, "layout": _plain(fig._layout)}
    convert_to_base64(payload)
    return to_json_plotly(payload), "[" + ",".join(axes) + "]"


def figure_html(fig: go.Figure, *, height_px: int = 420) -> str:
    """A Plotly figure as an HTML fragment that relies on the page's inline plotly.js and template.

    The figure is drawn with the page's :data:`TEMPLATE` (``plotly_white``), written once per page
    (:func:`page_html`) instead of into every figure: the template in Python is dropped (assigning
    one validates and copies it, tens of milliseconds per figure) and set in the browser.
    """
    fig.layout.template = None
    fig.update_layout(height=height_px, margin={"l": 60, "r": 20, "t": 50, "b": 40})
    div = f"{_FIGURE_PREFIX}{os.getpid()}-{next(_IDS)}"  # unique across lanes; see renumber_figures
    config = to_json_plotly(PLOTLY_CONFIG)
    figure, axes = figure_json(fig)
    return (
        f'<div id="{div}" class="plotly-graph-div" style="height:{height_px}px;width:100%"></div>'
        f"<script>(function(){{var f={figure},a={axes};"
        "f.data.forEach(function(t){if(typeof t.x==='number'){t.x=a[t.x];}});"
        f"f.layout.template={_TEMPLATE_VAR};"
        f'Plotly.newPlot("{div}",f.data,f.layout,{config});}})();</script>'
    )


def renumber_figures(sections: list[Section]) -> list[Section]:
    """``sections`` with their figures' element ids numbered 0, 1, ... in page order.

    :func:`figure_html` names a figure by its process and a per-process count, so figures built in
    the lanes of :mod:`wattshift.report.lanes` never share an id; the page then gets short ids that
    do not depend on which process drew what.
    """
    ids: dict[str, str] = {}

    def new_id(match: re.Match[str]) -> str:
        if match.group(1) not in ids:
            ids[match.group(1)] = f"{_FIGURE_PREFIX}{len(ids)}"
        return ids[match.group(1)]

    return [replace(section, html=_FIGURE_ID.sub(new_id, section.html)) for section in sections]


def table_html(rows: list[dict[str, object]], *, caption: str | None = None) -> str:
    """A plain HTML table from a list of dicts (keys of the first row are the columns)."""
    if not rows:
        return "<p><em>No rows.</em></p>"
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="data">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}"
    return "" if value is None else str(value)


_CSS = """
body{font-family:system-ui,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:0;
  color:#1d2330;background:#f7f8fa}
header{background:#11324d;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:24px} header p{margin:4px 0 0;opacity:.85}
nav{padding:8px 32px;background:#e9eef3} nav a{margin-right:18px;color:#11324d}
main{padding:8px 32px 40px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:12px 24px;margin:18px 0;
  box-shadow:0 1px 3px rgba(0,0,0,.08)}
table.data{border-collapse:collapse;font-size:13px;margin:8px 0}
table.data th,table.data td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:right}
table.data th:first-child,table.data td:first-child{text-align:left}
.sources{font-size:12px;color:#5a6472} footer{font-size:12px;color:#5a6472;padding:0 32px 24px}
"""


@cache
def plotly_js() -> str:
    """The vendored plotly.js basic bundle (``report/static/plotly-basic.min.js``)."""
    return (resources.files("wattshift.report") / "static" / "plotly-basic.min.js").read_text("utf-8")


@cache
def template_json() -> str:
    """plotly.py's :data:`TEMPLATE` as JSON (``{layout, data}``), read from its package data."""
    path = resources.files("plotly") / "package_data" / "templates" / f"{TEMPLATE}.json"
    text = json.dumps(json.loads(path.read_text("utf-8")), separators=(",", ":"))
    return text.replace("</", "<\\/")  # inside a <script> element


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("wattshift.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_html(title: str, subtitle: str, sections: list[Section], footer: str) -> str:
    """The whole self-contained report page (Jinja2, autoescaped; ``footer`` is plain text)."""
    template = _environment().get_template("page.html.j2")
    return template.render(
        title=title,
        subtitle=subtitle,
        sections=sections,
        footer=footer,
        css=markupsafe.Markup(_CSS),
        plotly_js=plotly_js().replace("</script", "<\\/script"),
        template=markupsafe.Markup(f"var {_TEMPLATE_VAR}={template_json()};"),
    )
