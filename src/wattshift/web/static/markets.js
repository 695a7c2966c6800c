/* Markets page: the siting table ranked (margin, flexibility) and price-duration curves. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");

  function drawRanked(doc) {
    const rows = doc.rows.slice(0, 30);
    const y = rows.map((r) => `${r.market} ${r.node}`);
    const traces = [{ type: "bar", orientation: "h", y, x: rows.map((r) => r.mining_margin_usd_per_mwh), name: "margin [USD/MWh]" }];
    if (rows.some((r) => r.flex_value_usd_per_mw_year !== null)) {
      traces.push({ type: "bar", orientation: "h", y, x: rows.map((r) => (r.flex_value_usd_per_mw_year ?? 0) / 1000), name: "flexibility [kUSD/MW-year]" });
    }
    ws.plot($("chart-ranked"), traces, {
      title: { text: `Where a ${doc.efficiency_j_per_th} J/TH fleet mines best in ${doc.year}` },
      barmode: "group",
      yaxis: { autorange: "reversed", automargin: true },
      height: 200 + 22 * rows.length,
    });
  }

  async function drawDuration(doc) {
    const best = new Map();
    for (const r of doc.rows) if (!best.has(r.market)) best.set(r.market, r);
    const curves = await Promise.all(
      [...best.values()].map((r) => ws.api("/api/markets/duration", { params: { market: r.market, node: r.node, year: doc.year } })),
    );
    const traces = curves.map((c) => ({ x: c.hours, y: c.price_usd_per_mwh, mode: "lines", name: `${c.market} ${c.node}` }));
    ws.plot($("chart-duration"), traces, {
      title: { text: `Hours at or above each price, ${doc.year}` },
      xaxis: { title: { text: "hours" } },
      yaxis: { title: { text: "USD/MWh" }, range: [-50, 300] },
      height: 420,
    });
  }

  async function run() {
    const params = { year: $("year").value, efficiency_j_per_th: $("efficiency").value, flex: $("flex").checked };
    const doc = await ws.withProgress(statusEl, $("load"), "Comparing markets", () => ws.api("/api/markets/compare", { params }));
    if (doc === null) return;
    drawRanked(doc);
    ws.table($("table"), doc.rows, [
      ["market", "market"], ["node", "node"], ["product", "product"], ["coverage", "coverage", (v) => `${(100 * v).toFixed(1)} %`],
      ["mean_price_usd_per_mwh", "mean [USD/MWh]"], ["hours_above_strike", "h above strike"],
      ["mining_margin_usd_per_mwh", "margin [USD/MWh]"], ["flex_value_usd_per_mw_year", "flexibility [USD/MW-year]"],
    ]);
    await ws.withProgress(statusEl, $("load"), "Price duration", () => drawDuration(doc));
  }

  $("markets-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  run();
})();
