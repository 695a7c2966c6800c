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

  function drawSchedule(rows, timeZone) {
    if (!rows.length) return;
    const skip = new Set(["mw_mining", "mw_ai", "mw_curtailed", "mw_load"]);
    const fleetKeys = Object.keys(rows[0]).filter((k) => k.startsWith("mw_") && !skip.has(k) && !k.startsWith("mw_reserve_"));
    const reserveKeys = Object.keys(rows[0]).filter((k) => k.startsWith("mw_reserve_"));
    const keys = [...fleetKeys, "mw_ai", "mw_curtailed", ...reserveKeys, "price_usd_per_mwh"];
    const b = bucket(rows, keys);
    b.x = ws.localTimes(b.x, timeZone); // ERCOT operating days: the axis reads Central time
    const area = (key, name, color, extra = {}) => ({
      x: b.x, y: b[key], name, stackgroup: "mw", mode: "none", fillcolor: color, line: { width: 0 }, ...extra,
    });
    const palette = ["#f2a900", "#e08e0b", "#c47a0a", "#a86608", "#8c5306"];
    const traces = fleetKeys.map((k, i) => area(k, `mining: ${k.slice(3)}`, palette[i % palette.length]));
    traces.push(area("mw_ai", "AI compute", "#1f77b4"));
    // Curtailed MW sit on top of the stack, hatched and outlined so they read as idle capacity,
    // not as part of the AI band below them.
    traces.push(area("mw_curtailed", "curtailed (idle)", "rgba(255,255,255,0)", {
      fillpattern: { shape: "/", fgcolor: "#8a94a3", bgcolor: "#f3f4f6", size: 6, solidity: 0.25 },
      mode: "lines", line: { color: "#8a94a3", width: 0.5 },
    }));
    for (const k of reserveKeys) {
      traces.push({ x: b.x, y: b[k], name: `reserve offered: ${k.slice(11)}`, mode: "lines", line: { dash: "dot", width: 1 } });
    }
    traces.push({ x: b.x, y: b.price_usd_per_mwh, name: "price [USD/MWh]", yaxis: "y2", mode: "lines", line: { color: "#444", width: 1 } });
    const note = b.size > 1 ? ` (mean over ${b.size} intervals)` : "";
    const stackTop = b.x.map((_, i) => [...fleetKeys, "mw_ai", "mw_curtailed"].reduce((sum, k) => sum + (b[k][i] || 0), 0));
    const axes = ws.syncedAxes([stackTop, ...reserveKeys.map((k) => b[k])], [b.price_usd_per_mwh]);
    ws.plot($("chart-mw"), traces, {
      title: { text: `MW by use${note}` },
      xaxis: { title: { text: `local time (${timeZone})` } },
      yaxis: { title: { text: "MW" }, ...axes.yaxis },
      yaxis2: { title: { text: "price [USD/MWh]" }, overlaying: "y", side: "right", showgrid: false, ...axes.yaxis2 },
      // One column beside the chart, top entry = top of the stack (traces are drawn bottom up).
      legend: { orientation: "v", traceorder: "reversed", x: 1.1, y: 1, xanchor: "left" },
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
    }], {
      title: { text: `Revenue by stream, ${doc.from} to ${ws.daysBefore(doc.to, 1)} [USD]` }, hovermode: "closest", showlegend: false,
    });
    // Slices under 1 % of the energy carry no label (a "0%" label on an invisible slice says nothing).
    const uses = [["mining", doc.mwh.mining, "#f2a900"], ["AI compute", doc.mwh.ai, "#1f77b4"], ["curtailed", doc.mwh.curtailed, "#d0d5dc"]];
    const total = uses.reduce((sum, [, v]) => sum + (v || 0), 0) || 1;
    ws.plot($("chart-energy"), [{
      type: "pie", labels: uses.map(([name]) => name), values: uses.map(([, v]) => v), hole: 0.45, sort: false,
      marker: { colors: uses.map(([, , c]) => c) },
      text: uses.map(([, v]) => (v / total >= 0.01 ? `${(100 * v / total).toFixed(1)} %` : "")),
      textinfo: "text", textposition: "inside", hovertemplate: "%{label}: %{value:,.0f} MWh (%{percent})<extra></extra>",
    }], { title: { text: "Energy by use [MWh]" }, hovermode: "closest" });
  }

  async function run() {
    const site = await ws.readSite(statusEl);
    if (site === null) return;
    // "to" is the last operating day, inclusive (as every --to and `to`).
    const params = { from: $("from").value, to: $("to").value, solver: $("solver").value, schedule: "true" };
    const label = "Running the dispatch backtest";
    // The page runs one-day windows, so windows solved = days.
    const doc = await ws.runJob("/api/jobs/dispatch", { params, body: site }, {
      statusEl, button: $("run"), label, progressId: "dispatch-progress", unit: ["day", "days"],
      preparing: "loading prices", done: (result, seconds) => `${label}: ${result.windows} days done in ${seconds} s`,
    });
    if (doc === null) return;
    drawTotals(doc);
    drawSchedule(doc.schedule, doc.timezone || "America/Chicago");
  }

  // `?site=ID&from=YYYY-MM-DD&to=YYYY-MM-DD` preselect an example and a period (links, tests).
  ws.sitePicker(statusEl, {
    formId: "dispatch-form",
    defaultId: "fixed_block_700mw",
    run,
    show: (example) => {
      const backtest = example.site.backtest || {};
      $("from").value = backtest.start || "";
      $("to").value = backtest.end ? ws.daysBefore(backtest.end, 1) : ""; // [backtest] end is exclusive
    },
    preset: (query) => {
      if (query.get("from")) $("from").value = query.get("from");
      if (query.get("to")) $("to").value = query.get("to");
    },
  });
})();
