/* Plan page: tomorrow's MW by use for an example site, with the price used and the strike prices. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");

  function draw(doc) {
    const rows = doc.intervals;
    const x = ws.localTimes(rows.map((r) => r.start), doc.timezone); // operating day in local time
    const fleets = Object.keys(doc.strike_prices_usd_per_mwh);
    const palette = ["#f2a900", "#e08e0b", "#c47a0a", "#a86608", "#8c5306"];
    const area = (y, name, color) => ({ x, y, name, stackgroup: "mw", mode: "none", fillcolor: color, line: { width: 0 } });
    const traces = fleets.map((f, i) => area(rows.map((r) => r.mining_mw[f]), `mining: ${f}`, palette[i % palette.length]));
    traces.push(area(rows.map((r) => r.gpu_mw), "GPU", "#1f77b4"));
    traces.push({
      ...area(rows.map((r) => r.curtailed_mw), "curtailed (idle)", "rgba(255,255,255,0)"),
      fillpattern: { shape: "/", fgcolor: "#8a94a3", bgcolor: "#f3f4f6", size: 6, solidity: 0.25 },
      mode: "lines", line: { color: "#8a94a3", width: 0.5 },
    });
    const products = rows.length ? Object.keys(rows[0].reserves_mw) : [];
    for (const p of products) {
      traces.push({ x, y: rows.map((r) => r.reserves_mw[p]), name: `reserve offer: ${p}`, mode: "lines", line: { dash: "dot", width: 1 } });
    }
    traces.push({ x, y: rows.map((r) => r.price_usd_per_mwh), name: "price used [USD/MWh]", yaxis: "y2", mode: "lines", line: { color: "#444", width: 1 } });
    fleets.forEach((f, i) => {
      const strike = doc.strike_prices_usd_per_mwh[f];
      traces.push({ x: [x[0], x[x.length - 1]], y: [strike, strike], name: `strike: ${f}`, yaxis: "y2", mode: "lines", line: { color: palette[i % palette.length], dash: "dash", width: 1.5 } });
    });
    const stackTop = rows.map((r) => fleets.reduce((sum, f) => sum + (r.mining_mw[f] || 0), 0) + (r.gpu_mw || 0) + (r.curtailed_mw || 0));
    const prices = [rows.map((r) => r.price_usd_per_mwh), Object.values(doc.strike_prices_usd_per_mwh)];
    const axes = ws.syncedAxes([stackTop], prices);
    ws.plot($("chart-plan"), traces, {
      title: { text: `${doc.site}, operating day ${doc.date} (${doc.timezone})` },
      yaxis: { title: { text: "MW" }, ...axes.yaxis },
      yaxis2: { title: { text: "price [USD/MWh]" }, overlaying: "y", side: "right", showgrid: false, ...axes.yaxis2 },
      legend: { orientation: "v", traceorder: "reversed", x: 1.1, y: 1, xanchor: "left" },
      height: 460,
    });
    ws.kpis($("totals"), [
      ["expected net", doc.expected_net_usd, "USD"],
      ...fleets.map((f) => [`strike price: ${f}`, doc.strike_prices_usd_per_mwh[f], "USD/MWh"]),
      ["intervals", rows.length, ""],
    ]);
  }

  async function run() {
    const params = { site: $("example").value, date: $("date").value };
    const doc = await ws.withProgress(statusEl, $("run"), "Making the plan", () => ws.api("/api/plan", { params }));
    if (doc !== null) draw(doc);
  }

  // `?site=ID&date=YYYY-MM-DD` preselect an example and a day (links, tests).
  ws.sitePicker(statusEl, {
    formId: "plan-form",
    defaultId: "fixed_block_700mw",
    run,
    show: (example) => {
      const backtest = example.site.backtest || {};
      if (!$("date").value) $("date").value = backtest.start || "";
    },
    preset: (query) => {
      if (query.get("date")) $("date").value = query.get("date");
    },
  });
})();
