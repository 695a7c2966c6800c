"""Building blocks of the self-contained HTML report: sections and inline Plotly figures.

The page embeds plotly.js once, inline, from the installed ``plotly`` package: the report opens
offline and references no external script, stylesheet or font.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


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


def figure_html(fig: go.Figure, *, height_px: int = 420) -> str:
    """A Plotly figure as an HTML fragment that relies on the page's inline plotly.js."""
    fig.update_layout(height=height_px, margin={"l": 60, "r": 20, "t": 50, "b": 40}, template="plotly_white")
    fragment: str = fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG)
    return fragment


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


def page_html(title: str, subtitle: str, sections: list[Section], footer: str) -> str:
    """The whole self-contained report page."""
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = []
    for s in sections:
        src = ""
        if s.sources:
            items = "".join(f"<li>{html.escape(x)}</li>" for x in s.sources)
            src = f'<div class="sources"><strong>Sources</strong><ul>{items}</ul></div>'
        body.append(f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>{s.html}{src}</section>')
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(body)}</main><footer>{footer}</footer></body></html>"
    )
