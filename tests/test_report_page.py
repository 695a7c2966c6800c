"""The report page: Jinja2 autoescaping, the inline plotly.js basic bundle, compact figure JSON,
and the whole report on the shared data (self-contained, under 3 MB)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from wattshift.report.base import Section, figure_html, figure_json, page_html, plotly_js


def test_traces_over_one_time_axis_share_it() -> None:
    times = pd.date_range("2023-08-01", periods=96, freq="15min", tz="UTC")
    fig = go.Figure([go.Scatter(x=times, y=np.arange(96.0), name=f"t{i}") for i in range(3)])
    fig.add_trace(go.Bar(x=["a", "b"], y=[1.0, 2.0]))
    figure, axes = figure_json(fig)
    data = json.loads(figure)["data"]
    assert [t["x"] for t in data] == [0, 0, 0, 1]
    shared, labels = json.loads(axes)
    assert shared[0] == "2023-08-01T00:00" and shared[1] == "2023-08-01T00:15"  # minutes, no seconds
    assert len(shared) == 96 and labels == ["a", "b"]
    assert data[0]["y"]["dtype"] == "f4"  # float32 typed array


def test_daily_axis_is_written_as_dates() -> None:
    days = pd.date_range("2009-01-03", periods=3, freq="D")
    _, axes = figure_json(go.Figure(go.Scatter(x=days, y=[1.0, 2.0, 3.0])))
    assert json.loads(axes) == [["2009-01-03", "2009-01-04", "2009-01-05"]]


def test_figure_with_a_trace_outside_the_bundle_is_refused() -> None:
    with pytest.raises(ValueError, match="heatmap"):
        figure_json(go.Figure(go.Heatmap(z=[[1.0, 2.0]])))


def test_page_escapes_text_and_inlines_plotly_once() -> None:
    fig = figure_html(go.Figure(go.Scatter(x=[1, 2], y=[3.0, 4.0])))
    section = Section(id="s", title="<b>T</b>", html=fig, sources=("a < b",))
    page = page_html("Title & more", "sub", [section], "footer <i>")
    assert "&lt;b&gt;T&lt;/b&gt;" in page and "a &lt; b" in page and "footer &lt;i&gt;" in page
    assert "Title &amp; more" in page
    assert page.count("plotly.js (basic - minified) v") == 1
    assert 'Plotly.newPlot("wattshift-figure-' in page
    assert len(plotly_js()) < 1_300_000


def test_template_is_written_once_per_page_not_into_each_figure() -> None:
    import plotly.io as pio
    from plotly.io.json import to_json_plotly

    figures = [figure_html(go.Figure(go.Scatter(x=[1, 2], y=[3.0, float(i)]))) for i in range(3)]
    page = page_html("T", "s", [Section(id="s", title="S", html="".join(figures))], "f")
    assert page.count("var wattshiftTemplate=") == 1
    assert page.count("f.layout.template=wattshiftTemplate;") == 3
    # each figure's own layout carries no template: the page's is the plotly_white plotly.py would write
    assert all('"template"' not in f.split(",a=")[0] for f in figures)
    written = json.loads(page.split("var wattshiftTemplate=", 1)[1].split(";</script>", 1)[0])
    assert written == json.loads(to_json_plotly(pio.templates["plotly_white"].to_plotly_json()))


def test_no_default_template_while_building_and_restored_after_a_failure() -> None:
    import plotly.io as pio

    from wattshift.report.build import no_default_template

    before = pio.templates.default
    with pytest.raises(RuntimeError), no_default_template():
        assert pio.templates.default is None and go.Figure().to_plotly_json()["layout"] == {}
        with no_default_template():  # nested (lanes, then each lane's build): still none inside
            assert pio.templates.default is None
        assert pio.templates.default is None
        raise RuntimeError("a section failed")
    assert pio.templates.default == before and before is not None
    # put back without re-validating it (plotly's own attribute): new figures get it again
    assert go.Figure().to_plotly_json()["layout"]["template"] == pio.templates[before].to_plotly_json()


@pytest.mark.slow
def test_whole_report_is_self_contained_and_small(warehouse_path: Path, tmp_path: Path) -> None:
    from wattshift.report.build import build_report
    from wattshift.warehouse import Warehouse

    with Warehouse(warehouse_path, read_only=True) as wh:
        result = build_report(wh, tmp_path)
    assert not result.failures
    page = result.path.read_text(encoding="utf-8")
    assert result.path.stat().st_size <= 3 * 1024 * 1024
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?:", page)  # nothing external
    assert page.count("Plotly.newPlot(") >= 8
    assert "Coin Metrics" in page and "CC BY-NC 4.0" in page
    # the CLI builds the same page in two processes (wattshift.report.lanes); only the measured
    # solve seconds (the last cell of the backtest rows) and the time it was generated differ
    from wattshift.report.lanes import build_report_in_lanes

    lanes = build_report_in_lanes(
        lambda: Warehouse(warehouse_path, read_only=True), tmp_path / "lanes", lanes=2
    )
    assert lanes.sections == result.sections and not lanes.failures

    def steady(text: str) -> str:
        return re.sub(r"<td>[^<]*</td></tr>|Generated by .*? UTC", "", text)

    assert steady(lanes.path.read_text(encoding="utf-8")) == steady(page)
