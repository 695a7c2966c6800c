/* Signals page: four indicator panels, confluence, Hash Ribbons episodes and the backtest. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");

  function zoneLine(y, color, text) {
    return {
      type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
      line: { color, width: 1, dash: "dot" }, label: { text, textposition: "end", font: { size: 10 } },
    };
  }

  function drawPanels(rows) {
    const x = ws.col(rows, "date");
    const buys = rows.filter((r) => r.hash_ribbons_buy);
    ws.plot($("chart-ribbons"), [
      { x, y: ws.col(rows, "hashrate_sma_fast_ehs"), name: "hash rate SMA30 [EH/s]", line: { color: "#1f77b4" } },
      { x, y: ws.col(rows, "hashrate_sma_slow_ehs"), name: "hash rate SMA60 [EH/s]", line: { color: "#ff7f0e" } },
      { x, y: ws.col(rows, "price_usd"), name: "BTC price [USD]", yaxis: "y2", line: { color: "#888", width: 1 } },
      {
        x: ws.col(buys, "date"), y: ws.col(buys, "price_usd"), name: "buy", yaxis: "y2", mode: "markers",
        marker: { color: "#2ca02c", size: 10, symbol: "triangle-up" },
      },
    ], {
      title: { text: "Hash Ribbons" },
      yaxis: { title: { text: "EH/s" } },
      yaxis2: { title: { text: "BTC price [USD]" }, overlaying: "y", side: "right", type: "log", showgrid: false, ...ws.logTicks(ws.col(rows, "price_usd")) },
    });
    ws.plot($("chart-puell"), [{ x, y: ws.col(rows, "puell"), name: "Puell Multiple", line: { color: "#9467bd" } }], {
      title: { text: "Puell Multiple" },
      shapes: [zoneLine(0.5, "#2ca02c", "bottom 0.5"), zoneLine(4, "#d62728", "top 4")],
    });
    ws.plot($("chart-mvrv"), [{ x, y: ws.col(rows, "mvrv_z"), name: "MVRV Z", line: { color: "#8c564b" } }], {
      title: { text: "MVRV Z-Score (Coin Metrics realized cap, expanding std)" },
      shapes: [zoneLine(0, "#2ca02c", "bottom 0"), zoneLine(7, "#d62728", "top 7")],
    });
    ws.plot($("chart-fng"), [{ x, y: ws.col(rows, "fear_greed"), name: "Fear & Greed", line: { color: "#e377c2" } }], {
      title: { text: "Fear & Greed Index" },
      yaxis: { range: [0, 100] },
      shapes: [zoneLine(25, "#2ca02c", "extreme fear 25"), zoneLine(75, "#d62728", "extreme greed 75")],
    });
    ws.plot($("chart-confluence"), [
      {
        x, y: ws.col(rows, "confluence_count"), name: "indicators in bottom zone", type: "bar",
        marker: { color: ws.col(rows, "confluence_count"), colorscale: "YlGn", cmin: 0, cmax: 4 },
      },
      { x, y: ws.col(rows, "price_usd"), name: "BTC price [USD]", yaxis: "y2", line: { color: "#444", width: 1 } },
    ], {
      yaxis: { title: { text: "count (0-4)" }, range: [0, 4.2] },
      yaxis2: { title: { text: "BTC price [USD]" }, overlaying: "y", side: "right", type: "log", showgrid: false, ...ws.logTicks(ws.col(rows, "price_usd")) },
      bargap: 0,
    });
  }

  function drawToday(day) {
    ws.kpis($("today"), [
      [`BTC price on ${day.date}`, day.price_usd, "USD"],
      [`Hash Ribbons (since ${day.hash_ribbons.since || "–"})`, day.hash_ribbons.state, ""],
      ["Puell Multiple", day.puell, ""],
      ["MVRV Z", day.mvrv_z, ""],
      [`Fear & Greed (${day.fear_greed.classification || "–"})`, day.fear_greed.value, ""],
      ["Confluence (bottom zones)", `${day.confluence.count ?? "–"}/${day.confluence.available}`, ""],
    ]);
  }

  async function load() {
    const params = { from: $("from").value, to: $("to").value };
    const result = await ws.withProgress(statusEl, $("load"), "Loading signals", () =>
      Promise.all([
        ws.api("/api/signals/history", { params }),
        ws.api("/api/signals", { params: { date: $("to").value } }),
      ]),
    );
    if (result === null) return;
    const [rows, day] = result;
    drawToday(day);
    drawPanels(rows);
  }

  async function loadTables() {
    const [episodes, backtest] = await Promise.all([
      ws.api("/api/signals/ribbons"),
      ws.api("/api/signals/backtest"),
    ]);
    const horizons = Object.keys(episodes[0] || {}).filter((k) => /^return_\d+d$/.test(k));
    ws.table($("episodes"), episodes, [
      ["capitulation_start", "capitulation"], ["recovery", "recovery"], ["buy", "buy"],
      ["price_at_buy_usd", "price at buy [USD]"], ["duration_days", "days"], ["whipsaws", "whipsaws"],
      ...horizons.map((k) => [k, `return ${k.slice(7, -1)} d`, ws.pct]),
    ]);
    // One row per signal, the median return and hit rate of each horizon side by side.
    const bySignal = new Map();
    for (const row of backtest) {
      if (!bySignal.has(row.signal)) bySignal.set(row.signal, { signal: row.signal });
      const out = bySignal.get(row.signal);
      out[`n_${row.horizon_days}`] = row.n;
      out[`median_${row.horizon_days}`] = row.median_return;
      out[`hit_${row.horizon_days}`] = row.hit_rate;
    }
    const days = [...new Set(backtest.map((r) => r.horizon_days))];
    const hit = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(0)} %`);
    ws.table($("backtest"), [...bySignal.values()], [
      ["signal", "signal"],
      [`n_${days[0]}`, `n (${days[0]} d)`],
      ...days.map((d) => [`median_${d}`, `median ${d} d`, ws.pct]),
      ...days.map((d) => [`hit_${d}`, `hit rate ${d} d`, hit]),
    ]);
  }

  async function init() {
    const latest = await ws.withProgress(statusEl, null, "Finding the latest day", () => ws.api("/api/signals"));
    if (latest === null) return;
    $("to").value = latest.date;
    $("from").value = ws.daysBefore(latest.date, 4 * 365);
    $("signals-form").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    await load();
    loadTables().catch((error) => ws.status(statusEl, `Tables failed: ${error.message}`, "error"));
  }

  init();
})();
