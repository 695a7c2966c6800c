/* Dispatch page: pick or edit a site, run the backtest, show MW by use and revenue by stream. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");
  /** Most points drawn per series; longer schedules are averaged over equal buckets. */
  const MAX_POINTS = 4000;

  /** Average `rows` over buckets of `size` intervals (MW columns are means; time is the bucket start). */
  function bucket(rows, keys) {
    const size = Math.max(1, Math.ceil(rows.length / MAX_POINTS));
    const out = { x: [], size };
    for (const key of keys) out[key] = [];
    for (let i = 0; i < rows.length; i += size) {
      const chunk = rows.slice(i, i + size);
      out.x.push(chunk[0].interval_start_utc);
      for (const key of keys) out[key].push(chunk.reduce((s, r) => s + (r[key] || 0), 0) / chunk.length);
    }
    return out;
  }

  function drawSchedule(rows) {
    if (!rows.length) return;
    const skip = new Set(["mw_mining", "mw_ai", "mw_curtailed", "mw_load"]);
    const fleetKeys = Object.keys(rows[0]).filter((k) => k.startsWith("mw_") && !skip.has(k) && !k.startsWith("mw_reserve_"));
    const reserveKeys = Object.keys(rows[0]).filter((k) => k.startsWith("mw_reserve_"));
    const keys = [...fleetKeys, "mw_ai", "mw_curtailed", ...reserveKeys, "price_usd_per_mwh"];
    const b = bucket(rows, keys);
    const area = (key, name, color) => ({
      x: b.x, y: b[key], name, stackgroup: "mw", mode: "none", fillcolor: color, line: { width: 0 },
    });
    const palette = ["#f2a900", "#e08e0b", "#c47a0a", "#a86608", "#8c5306"];
    const traces = fleetKeys.map((k, i) => area(k, `mining: ${k.slice(3)}`, palette[i % palette.length]));
    traces.push(area("mw_ai", "AI compute", "#1f77b4"));
    traces.push(area("mw_curtailed", "curtailed", "#d0d5dc"));
    for (const k of reserveKeys) {
      traces.push({ x: b.x, y: b[k], name: `reserve offered: ${k.slice(11)}`, mode: "lines", line: { dash: "dot", width: 1 } });
    }
    traces.push({ x: b.x, y: b.price_usd_per_mwh, name: "price [USD/MWh]", yaxis: "y2", mode: "lines", line: { color: "#444", width: 1 } });
    const note = b.size > 1 ? ` (mean over ${b.size} intervals)` : "";
    ws.plot($("chart-mw"), traces, {
      title: { text: `MW by use${note}` },
      yaxis: { title: { text: "MW" } },
      yaxis2: { title: { text: "USD/MWh" }, overlaying: "y", side: "right", showgrid: false },
      height: 440,
    });
  }

  function drawTotals(doc) {
    ws.kpis($("totals"), [
      ["net", doc.net_usd, "USD"],
      ["value of flexibility vs always-on mining", doc.value_of_flexibility_usd, "USD"],
      ["always-on mining net", doc.always_on_net_usd, "USD"],
      ["hours curtailed", doc.hours_curtailed, "h"],
      [`${doc.intervals} intervals, ${doc.windows} windows`, `${doc.solver}, ${ws.fmt(doc.solve_seconds)} s`, ""],
    ]);
    const rev = doc.revenue_usd;
    ws.plot($("chart-revenue"), [{
      type: "bar",
      x: ["mining", "AI compute", "reserves", "sell-back", "energy cost", "peak charges", "net"],
      y: [rev.mining, rev.ai, rev.reserves, rev.sellback, -doc.energy_cost_usd, -doc.charges_usd, doc.net_usd],
      marker: { color: ["#f2a900", "#1f77b4", "#2ca02c", "#17becf", "#d62728", "#8c564b", "#11324d"] },
      name: "USD",
    }], { title: { text: `Revenue by stream, ${doc.from} to ${doc.to} [USD]` }, hovermode: "closest", showlegend: false });
    ws.plot($("chart-energy"), [{
      type: "pie", labels: ["mining", "AI compute", "curtailed"],
      values: [doc.mwh.mining, doc.mwh.ai, doc.mwh.curtailed], hole: 0.45,
      marker: { colors: ["#f2a900", "#1f77b4", "#d0d5dc"] },
    }], { title: { text: "Energy by use [MWh]" }, hovermode: "closest" });
  }

  async function run() {
    const site = ws.readSite(statusEl);
    if (site === null) return;
    const params = { from: $("from").value, to: $("to").value, solver: $("solver").value, schedule: "true" };
    const label = "Running the dispatch backtest";
    // The page runs one-day windows, so windows solved = days.
    const doc = await ws.runJob("/api/jobs/dispatch", { params, body: site }, {
      statusEl, button: $("run"), label, progressId: "dispatch-progress", unit: ["day", "days"],
      preparing: "loading prices", done: (result, seconds) => `${label}: ${result.windows} days done in ${seconds} s`,
    });
    if (doc === null) return;
    drawTotals(doc);
    drawSchedule(doc.schedule);
  }

  // `?site=ID&from=YYYY-MM-DD&to=YYYY-MM-DD` preselect an example and a period (links, tests).
  ws.sitePicker(statusEl, {
    formId: "dispatch-form",
    defaultId: "fixed_block_700mw",
    run,
    show: (example) => {
      const backtest = example.site.backtest || {};
      $("from").value = backtest.start || "";
      $("to").value = backtest.end || "";
    },
    preset: (query) => {
      if (query.get("from")) $("from").value = query.get("from");
      if (query.get("to")) $("to").value = query.get("to");
    },
  });
})();
