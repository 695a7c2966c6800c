"""The report's signals page: price with Hash Ribbon buys, the four indicators with their zones,
the confluence count, the episode table and the backtest of what followed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wattshift.report.axes import log_axis
from wattshift.report.base import Section, figure_html, table_html
from wattshift.services import signals as service
from wattshift.services.derived import DailySnapshot, DailyTables
from wattshift.services.signals import DEFAULT_HORIZONS_DAYS, MVRV_Z_LABEL, DailySource, SignalRules

SOURCES: tuple[str, ...] = (
    "BTC price, market cap, realized cap (CapMrktCurUSD / CapMVRVCur), hash rate, issuance: "
    "Coin Metrics community data, CC BY-NC 4.0.",
    "Crypto Fear & Greed Index: alternative.me.",
    "Hash Ribbons: C. Edwards, Capriole Investments (2019). Puell Multiple: D. Puell (2019). "
    "MVRV: Mahmudov & Puell (2018); MVRV Z-Score: Awe & Wonder (2018).",
)

_BOTTOM = "rgba(46, 160, 67, 0.15)"
_TOP = "rgba(215, 58, 73, 0.15)"
_CAPITULATION = "rgba(215, 58, 73, 0.12)"

#: Days of a chart's x axis (N,), naive datetime64.
_Days = npt.NDArray[np.datetime64]


def _values(values: pd.Series) -> npt.NDArray[np.float64]:
    """A float64 array (NaN = gap): plotly ships NumPy arrays as compact typed arrays."""
    return values.to_numpy(dtype="float64")


def _capitulation_spans(frame: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(first, last) day of each run of capitulation/recovering days."""
    in_cap = frame["hash_ribbons_state"].isin(["capitulation", "recovering"]).fillna(False).to_numpy(bool)
    dates = pd.DatetimeIndex(frame["date"])
    edges = np.diff(np.concatenate([[0], in_cap.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(dates[int(s)], dates[int(e)]) for s, e in zip(starts, ends, strict=True)]


def signals_figure(frame: pd.DataFrame) -> go.Figure:
    """Six stacked panels sharing the date axis.

    Price (log scale) with Hash Ribbon buys; hash-rate SMAs with capitulations shaded; Puell
    Multiple, MVRV Z and Fear & Greed with their bottom (green) and top (red) zones shaded; the
    confluence count.

    Parameters
    ----------
    frame
        Output of :func:`wattshift.signals.signals_frame` (possibly cut to a span).
    """
    fig = make_subplots(
        rows=6,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.025,
        row_heights=[0.24, 0.15, 0.15, 0.15, 0.15, 0.16],
        subplot_titles=(
            "BTC price [USD], log scale, with Hash Ribbon buys",
            "Hash Ribbons: 30- and 60-day mean hash rate [EH/s] (capitulation shaded)",
            "Puell Multiple (bottom < 0.5, top > 4)",
            f"{MVRV_Z_LABEL} (bottom < 0, top > 7)",
            "Fear & Greed (bottom <= 25 extreme fear, top > 75 extreme greed)",
            "Confluence: indicators in their bottom zone (of those known that day)",
        ),
    )
    # naive datetime64 days, written as "YYYY-MM-DD" by figure_json (an object array of strings
    # would be copied element by element by plotly's validators)
    x = pd.DatetimeIndex(frame["date"]).to_numpy()
    _price_panel(fig, frame, x)
    _hashrate_panel(fig, frame, x)
    # shapes are set once at the end: add_vrect/add_hrect one by one is quadratic in plotly
    shapes = _capitulation_shapes(frame) + _zone_panels(fig, frame, x)
    count = frame["confluence_count"].astype("float64")
    fig.add_trace(
        go.Bar(x=x, y=_values(count), name="confluence", marker={"color": "#8250df", "line": {"width": 0}}),
        row=6,
        col=1,
    )
    fig.update_yaxes(range=[0, 4.2], dtick=1, row=6, col=1)
    fig.update_layout(showlegend=False, bargap=0, shapes=shapes)
    return fig


def _price_panel(fig: go.Figure, frame: pd.DataFrame, x: _Days) -> None:
    """Row 1: BTC price (log scale) with the Hash Ribbon buys marked."""
    fig.add_trace(
        go.Scatter(
            x=x, y=_values(frame["price_usd"]), name="BTC price", line={"color": "#1d2330", "width": 1}
        ),
        row=1,
        col=1,
    )
    buys = frame[frame["hash_ribbons_buy"].astype(bool)]
    fig.add_trace(
        go.Scatter(
            x=pd.DatetimeIndex(buys["date"]).to_numpy(),
            y=_values(buys["price_usd"]),
            mode="markers",
            name="Hash Ribbon buy",
            marker={"symbol": "triangle-up", "size": 11, "color": "#2ea043", "line": {"width": 1}},
        ),
        row=1,
        col=1,
    )
    fig.update_yaxes(type="log", row=1, col=1, **log_axis(_values(frame["price_usd"])))


def _hashrate_panel(fig: go.Figure, frame: pd.DataFrame, x: _Days) -> None:
    """Row 2: the 30- and 60-day mean hash rate (log scale)."""
    for col, name, color in (
        ("hashrate_sma_fast_ehs", "hash rate SMA30", "#0969da"),
        ("hashrate_sma_slow_ehs", "hash rate SMA60", "#bf8700"),
    ):
        fig.add_trace(
            go.Scatter(x=x, y=_values(frame[col]), name=name, line={"color": color, "width": 1}),
            row=2,
            col=1,
        )
    both = np.concatenate([_values(frame["hashrate_sma_fast_ehs"]), _values(frame["hashrate_sma_slow_ehs"])])
    fig.update_yaxes(type="log", row=2, col=1, **log_axis(both))


def _capitulation_shapes(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Row 2's shaded capitulations, as layout shapes."""
    return [
        {
            "type": "rect",
            "xref": "x2",
            "yref": "y2 domain",
            "x0": first.strftime("%Y-%m-%d"),
            "x1": (last + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "y0": 0,
            "y1": 1,
            "fillcolor": _CAPITULATION,
            "line": {"width": 0},
            "layer": "below",
        }
        for first, last in _capitulation_spans(frame)
    ]


#: Rows 3-5: (row, column, name, axis low, bottom-zone top, top-zone bottom, axis high).
_ZONE_PANELS: tuple[tuple[int, str, str, float, float, float, float], ...] = (
    (3, "puell", "Puell Multiple", 0.0, 0.5, 4.0, 12.0),
    (4, "mvrv_z", "MVRV Z", -2.0, 0.0, 7.0, 12.0),
    (5, "fear_greed", "Fear & Greed", 0.0, 25.0, 75.0, 100.0),
)


def _zone_panels(fig: go.Figure, frame: pd.DataFrame, x: _Days) -> list[dict[str, object]]:
    """Rows 3-5 (Puell, MVRV Z, Fear & Greed); returns their bottom and top zones as shapes."""
    shapes: list[dict[str, object]] = []
    for row, col, name, low, bottom, top, high in _ZONE_PANELS:
        for y0, y1, color in ((low, bottom, _BOTTOM), (top, high, _TOP)):
            shapes.append(
                {
                    "type": "rect",
                    "xref": f"x{row} domain",
                    "yref": f"y{row}",
                    "x0": 0,
                    "x1": 1,
                    "y0": y0,
                    "y1": y1,
                    "fillcolor": color,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        fig.add_trace(
            go.Scatter(x=x, y=_values(frame[col]), name=name, line={"width": 1}, connectgaps=False),
            row=row,
            col=1,
        )
    fig.update_yaxes(range=[0, 100], row=5, col=1)
    return shapes


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{value:+.0%}"


def build_section(
    wh: DailyTables,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    rules: SignalRules | None = None,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    **_: Any,
) -> Section:
    """The signals section of the report.

    Parameters
    ----------
    wh
        Warehouse with BTC daily and Fear & Greed data (and the ASIC catalogue: with the default
        rules the section reads the daily tables once, as a
        :class:`~wattshift.services.derived.DailySnapshot`).
    start, end
        Span shown in the charts [UTC days]; default: from the first priced day to the last day.
    rules
        Thresholds and options of the indicators.
    horizons_days
        Forward-return horizons of the backtest tables [days].

    Returns
    -------
    Section
        Charts (six panels), today's reading, the Hash Ribbons episode table and the backtest.
    """
    # the signals frame of the default rules computed once for the four reads below, not once each
    source: DailySource = DailySnapshot.build(wh) if rules is None else wh
    frame = service.signals_history(source, start, end, rules=rules)
    if start is None:  # charts begin with the first priced day (2010-07-18), not the 2009 hash rate
        priced = frame["price_usd"].notna().to_numpy()
        frame = frame.iloc[int(priced.argmax()) :].reset_index(drop=True) if priced.any() else frame
    today = service.signals_day(source, rules=rules)
    chosen = rules or SignalRules()
    episodes = service.ribbons(
        source,
        merge_gap_days=chosen.ribbons_merge_gap_days,
        use_previous_day_hashrate=chosen.ribbons_previous_day_hashrate,
        horizons_days=horizons_days,
    )
    backtest = service.backtest(source, horizons_days, rules=rules)

    body = "".join(
        [
            _summary_html(today),
            figure_html(signals_figure(frame), height_px=1300),
            "<h3>Hash Ribbons episodes (since 2012)</h3>",
            "<p>Capitulations broken by a recovery of at most "
            f"{chosen.ribbons_merge_gap_days} days are merged; a buy fired during such "
            "a whipsaw stands, so its date can precede the final recovery.</p>",
            table_html(_episode_rows(episodes, horizons_days)),
            "<h3>What followed: forward BTC returns after each signal</h3>",
            "<p>Hit rate is the share of positive returns. Signal days overlap, so <em>n</em> overstates "
            "the independent evidence; confluence levels are counted only on days all four indicators are "
            "known (Fear &amp; Greed starts 2018-02-01) - compare them with "
            "<em>all days, 4 indicators known</em>.</p>",
            table_html(_backtest_rows(backtest, horizons_days)),
        ]
    )
    return Section(id="signals", title="Cycle signals", html=body, sources=SOURCES)


def _summary_html(today: dict[str, Any]) -> str:
    """Today's reading of the four indicators and their confluence."""
    confluence = today["confluence"]
    ribbons = today["hash_ribbons"]
    fear_greed = today["fear_greed"]
    in_zone = ": " + ", ".join(confluence["indicators"]) if confluence["indicators"] else ""
    summary = (
        f"<p>On <strong>{today['date']}</strong>: Hash Ribbons <strong>{ribbons['state']}</strong> "
        f"(since {ribbons['since']}, last buy {ribbons['last_buy']}); "
        f"Puell {_num(today['puell'])}; MVRV Z {_num(today['mvrv_z'])}; "
        f"Fear &amp; Greed {_num(fear_greed['value'], 0)} ({fear_greed['classification']}). "
        f"Confluence: <strong>{confluence['count']}</strong> of {confluence['available']} "
        f"in their bottom zone{in_zone}.</p>"
    )
    return summary


def _episode_rows(episodes: list[dict[str, Any]], horizons_days: Sequence[int]) -> list[dict[str, object]]:
    """Hash Ribbons episodes since 2012 with the forward returns after each buy."""
    return [
        {
            "capitulation": e["capitulation_start"],
            "recovery": e["recovery"],
            "buy": e["buy"],
            "price at buy [USD]": e["price_at_buy_usd"],
            "days": e["duration_days"],
            "whipsaws merged": e["whipsaws"],
            **{f"{h} d after buy": _pct(e[f"return_{h}d"]) for h in horizons_days},
        }
        for e in episodes
        if str(e["capitulation_start"]) >= "2012-01-01"
    ]


def _backtest_rows(backtest: pd.DataFrame, horizons_days: Sequence[int]) -> list[dict[str, object]]:
    """One row per signal: median forward return and hit rate per horizon, and n."""
    wide = backtest.pivot(index="signal", columns="horizon_days", values=["median_return", "hit_rate", "n"])
    order = list(dict.fromkeys(backtest["signal"]))
    backtest_rows: list[dict[str, object]] = []
    for signal in order:
        row: dict[str, object] = {"signal": signal}
        for h in horizons_days:
            row[f"{h} d median"] = _pct(wide.loc[signal, ("median_return", h)])
            hit = wide.loc[signal, ("hit_rate", h)]
            row[f"{h} d hit rate"] = "" if pd.isna(hit) else f"{hit:.0%}"
        row["n (first horizon)"] = int(wide.loc[signal, ("n", horizons_days[0])])
        backtest_rows.append(row)
    return backtest_rows


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
