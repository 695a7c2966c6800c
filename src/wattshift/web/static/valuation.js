/* Valuation page: NPV fan chart, value per MW by business, the conversion schedule and the tornado. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");
  const COLORS = { mining: "#f2a900", ai: "#1f77b4", hybrid: "#2ca02c" };
  const RGBA = { mining: "242,169,0", ai: "31,119,180", hybrid: "44,160,44" };

  /** A filled band between `lo` and `hi` (two traces: the lower edge, then the upper filled to it). */
  function band(x, lo, hi, business, opacity, name) {
    const fill = `rgba(${RGBA[business] || "100,100,100"},${opacity})`;
    return [
      { x, y: lo, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip", legendgroup: business },
      { x, y: hi, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: fill, name, legendgroup: business },
    ];
  }

  /**
   * Labels for the steps of the median lines: the jump in the last month is the terminal value
   * added at the horizon; a drop inside the horizon far larger than the month-to-month changes
   * (over 5x their median and 2 % of the line's range) is an equipment refresh paid that month.
   */
  function fanSteps(fan, years) {
    const notes = [];
    const last = years.length - 1;
    for (const business of Object.keys(fan).filter((k) => k !== "month")) {
      const y = fan[business].p50;
      const steps = y.slice(1).map((v, i) => v - y[i]);
      const typical = [...steps].map(Math.abs).sort((a, b) => a - b)[Math.floor(steps.length / 2)] || 0;
      const range = Math.max(...y) - Math.min(...y) || 1;
      steps.forEach((step, i) => {
        const month = i + 1;
        const big = Math.abs(step) > 5 * typical && Math.abs(step) > 0.02 * range;
        if (!big) return;
        const text = month === last ? `${business}: terminal value` : `${business}: refresh capex`;
        notes.push({ x: years[month], y: y[month], text, showarrow: true, arrowhead: 2, ax: -60, ay: step > 0 ? -20 : 25, font: { size: 10 } });
      });
    }
    return notes;
  }

  function drawFan(fan) {
    const years = fan.month.map((m) => m / 12);
    const traces = [];
    for (const business of Object.keys(fan).filter((k) => k !== "month")) {
      const p = fan[business];
      traces.push(...band(years, p.p5, p.p95, business, 0.15, `${business} 5-95 %`));
      traces.push(...band(years, p.p25, p.p75, business, 0.3, `${business} 25-75 %`));
      traces.push({ x: years, y: p.p50, name: `${business} median`, line: { color: COLORS[business], width: 2 }, legendgroup: business });
    }
    ws.plot($("chart-fan"), traces, {
      xaxis: { title: { text: "years from today" } },
      yaxis: { title: { text: "cumulative NPV [USD per MW]" } },
      annotations: fanSteps(fan, years),
      height: 440,
    });
  }

  function drawValue(doc) {
    const businesses = Object.keys(doc.npv_usd);
    const p50 = businesses.map((b) => doc.npv_usd[b].p50);
    ws.plot($("chart-value"), [
      {
        type: "bar", x: businesses, y: p50, name: "NPV per MW (median)",
        marker: { color: businesses.map((b) => COLORS[b] || "#888") },
        error_y: {
          type: "data", symmetric: false,
          array: businesses.map((b, i) => doc.npv_usd[b].p95 - p50[i]),
          arrayminus: businesses.map((b, i) => p50[i] - doc.npv_usd[b].p5),
        },
      },
      {
        type: "scatter", mode: "markers", x: Object.keys(doc.ev_per_mw_usd), y: Object.values(doc.ev_per_mw_usd),
        name: "EV per MW (EBITDA multiple)", marker: { symbol: "diamond", size: 12, color: "#11324d" },
      },
    ], { title: { text: "Value per MW [USD] (bars: NPV median, 5-95 %)" }, hovermode: "closest" });
    const schedule = doc.conversion_schedule;
    let total = 0;
    const cumulative = schedule.map((s) => (total += s.mw));
    const sold = doc.btc_to_sell.by_year;
    const axes = ws.syncedAxes([ws.col(schedule, "mw"), cumulative], [ws.col(sold, "btc_p50")]);
    ws.plot($("chart-schedule"), [
      { type: "bar", x: ws.col(schedule, "year"), y: ws.col(schedule, "mw"), name: "MW converted in the year", marker: { color: "#1f77b4" } },
      { x: ws.col(schedule, "year"), y: cumulative, name: "MW converted, cumulative", line: { color: "#11324d" } },
      { x: ws.col(sold, "year"), y: ws.col(sold, "btc_p50"), name: "BTC sold (median)", yaxis: "y2", line: { color: "#f2a900", dash: "dot" } },
    ], {
      title: { text: "Conversion schedule and BTC sold to fund it" },
      xaxis: { dtick: 1, tickformat: "d" },
      yaxis: { title: { text: "MW" }, ...axes.yaxis },
      yaxis2: { title: { text: "BTC sold" }, overlaying: "y", side: "right", showgrid: false, ...axes.yaxis2 },
      hovermode: "x unified",
    });
  }

  /** Tornado: for each business, each input's p50 NPV at its low and high value around the base. */
  function drawTornado(bars) {
    const card = $("tornado-card");
    card.hidden = !bars;
    if (!bars) return;
    const traces = [];
    for (const business of ["ai", "mining"]) {
      const mine = bars.filter((b) => b.business === business)
        .sort((a, b) => Math.abs(a.npv_high_usd - a.npv_low_usd) - Math.abs(b.npv_high_usd - b.npv_low_usd));
      if (!mine.length) continue;
      const base = mine[0].npv_base_usd;
      const labels = mine.map((b) => `${business}: ${b.input}`);
      for (const [key, name, color] of [["npv_low_usd", "low", "#c44e52"], ["npv_high_usd", "high", "#55a868"]]) {
        traces.push({
          type: "bar", orientation: "h", y: labels, x: mine.map((b) => b[key] - base), base,
          name: `${business} input ${name}`, marker: { color },
          customdata: mine.map((b) => b[name]),
          hovertemplate: "%{y} = %{customdata:.4g}: %{x:.3s} USD/MW<extra></extra>",
        });
      }
    }
    ws.plot($("chart-tornado"), traces, {
      barmode: "overlay", height: 640, xaxis: { title: { text: "p50 NPV [USD per site MW]" } },
    });
  }

  function drawTotals(doc) {
    ws.kpis($("totals"), [
      ["P(AI beats mining)", `${ws.fmt(100 * doc.prob_ai_beats_mining, 0)} %`, ""],
      ["AI / mining value (EV per MW)", doc.value_ratio_ai_to_mining === null ? "–" : `${ws.fmt(doc.value_ratio_ai_to_mining, 2)}×`, ""],
      ["expected gain of the conversion plan", doc.conversion_expected_gain_usd, "USD"],
      ["conversion capex", doc.conversion_capex_usd, "USD"],
      ["BTC to sell (median)", ws.fmt(doc.btc_to_sell.total.p50, 1), "BTC"],
      [`${doc.paths} paths, ${doc.years} years, seed ${doc.seed}`, `${ws.fmt(doc.site_mw)} MW`, ""],
    ]);
    const c = doc.calibration;
    $("calibration").textContent =
      `Calibrated on ${c.window[0]} to ${c.window[1]}: BTC ${ws.fmt(c.price0_usd)} USD, drift ${c.drift} ` +
      `${ws.fmt(100 * c.price_drift_annual, 1)} %/yr${c.drift_window ? ` (${c.drift_window[0]} to ${c.drift_window[1]})` : ""}, ` +
      `volatility ${ws.fmt(100 * c.price_vol_annual, 1)} %/yr (${c.price_model}); hashrate ${ws.fmt(c.hashrate0_ehs)} EH/s; ` +
      `fleet ${ws.fmt(c.efficiency_j_per_th, 1)} J/TH; power ${ws.fmt(c.power_usd_per_mwh, 1)} USD/MWh (${c.power_source}).`;
  }

  async function run() {
    const site = await ws.readSite(statusEl);
    if (site === null) return;
    const params = { paths: $("paths").value, years: $("years").value, seed: $("seed").value, fan: "true" };
    if ($("sensitivity").checked) params.sensitivity = "true";
    // Progress counts chunks of paths valued; the models are calibrated before the first.
    const doc = await ws.runJob("/api/jobs/value", { params, body: site }, {
      statusEl, button: $("run"), label: `Simulating ${params.paths} price and hashrate paths`,
      progressId: "value-progress", unit: ["chunk", "chunks"], preparing: "calibrating",
    });
    if (doc === null) return;
    drawTotals(doc);
    drawFan(doc.fan);
    drawValue(doc);
    drawTornado(doc.sensitivity);
  }

  // `?site=ID&paths=N&years=N&sensitivity=1` preselect an example, the number of paths, the horizon
  // and the tornado (links, tests).
  ws.sitePicker(statusEl, {
    formId: "value-form",
    defaultId: "converting_to_ai",
    run,
    preset: (query) => {
      if (query.get("paths")) $("paths").value = query.get("paths");
      if (query.get("years")) $("years").value = query.get("years");
      if (query.get("sensitivity")) $("sensitivity").checked = query.get("sensitivity") === "1";
    },
  });
})();
