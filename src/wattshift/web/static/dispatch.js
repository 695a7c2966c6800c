/* Dispatch page: pick or edit a site, run the backtest, show MW by use and revenue by stream. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");
  /** Most points drawn per series; longer schedules are averaged over equal buckets. */
  const MAX_POINTS = 4000;
  let examples = [];

  function showExample(id) {
    const example = examples.find((e) => e.id === id);
    if (!example) return;
    $("site").value = JSON.stringify(example.site, null, 2);
    $("description").textContent = example.description;
    const backtest = example.site.backtest || {};
    $("from").value = backtest.start || "";
    $("to").value = backtest.end || "";
  }

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

  /** Milliseconds between two polls of a running job. */
  const POLL_MS = 250;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Show a job's progress in the status line: a spinner, a <progress> bar with "N / M days"
   * (the page runs one-day windows, so windows solved = days) and the elapsed seconds. Returns `update(job)` for each poll.
   */
  function progressView(label) {
    const wrap = document.createElement("span");
    wrap.className = "progress";
    const spinner = document.createElement("span");
    spinner.className = "spinner";
    const bar = document.createElement("progress");
    bar.id = "dispatch-progress";
    bar.style.width = "220px";
    const text = document.createElement("span");
    text.className = "t";
    wrap.append(spinner, bar, text);
    statusEl.className = "status";
    statusEl.replaceChildren(wrap);
    const started = performance.now();
    return (job) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (job && job.total > 0) {
        bar.max = job.total;
        bar.value = job.done;
        text.textContent = `${label}: ${job.done} / ${job.total} ${job.total === 1 ? "day" : "days"}, ${seconds} s`;
      } else {
        bar.removeAttribute("value"); // indeterminate while the prices load
        text.textContent = `${label}: ${job && job.state === "running" ? "loading prices" : "queued"}… ${seconds} s`;
      }
    };
  }

  /** Submit the backtest as a job and poll it; resolves to the result document (throws on error). */
  async function runJob(params, site, update) {
    const started = await ws.api("/api/jobs/dispatch", { method: "POST", params, body: site });
    update(null);
    for (;;) {
      const job = await ws.api(started.status_url);
      update(job);
      if (job.state === "done") return job.result;
      if (job.state === "error") throw new ws.ApiError(job.error_status || 500, job.error);
      await sleep(POLL_MS);
    }
  }

  async function run() {
    let site;
    try {
      site = JSON.parse($("site").value);
    } catch (error) {
      ws.status(statusEl, `The site is not valid JSON: ${error.message}`, "error");
      return;
    }
    const params = { from: $("from").value, to: $("to").value, solver: $("solver").value, schedule: "true" };
    const label = "Running the dispatch backtest";
    const button = $("run");
    const started = performance.now();
    button.disabled = true;
    let doc;
    try {
      doc = await runJob(params, site, progressView(label));
    } catch (error) {
      ws.status(statusEl, `${label} failed: ${error.message}`, "error");
      return;
    } finally {
      button.disabled = false;
    }
    ws.status(statusEl, `${label}: ${doc.windows} days done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    drawTotals(doc);
    drawSchedule(doc.schedule);
  }

  async function init() {
    examples = await ws.withProgress(statusEl, null, "Loading example sites", () => ws.api("/api/sites"));
    if (examples === null) return;
    for (const example of examples) {
      const option = document.createElement("option");
      option.value = example.id;
      option.textContent = example.name;
      $("example").appendChild(option);
    }
    $("example").addEventListener("change", () => showExample($("example").value));
    $("dispatch-form").addEventListener("submit", (event) => {
      event.preventDefault();
      run();
    });
    // `?site=ID&from=YYYY-MM-DD&to=YYYY-MM-DD` preselect an example and a period (links, tests).
    const query = new URLSearchParams(window.location.search);
    if (examples.length) {
      const wanted = query.get("site") || "fixed_block_700mw";
      const preferred = examples.find((e) => e.id === wanted) || examples[0];
      $("example").value = preferred.id;
      showExample(preferred.id);
      if (query.get("from")) $("from").value = query.get("from");
      if (query.get("to")) $("to").value = query.get("to");
      await run();
    }
  }

  init();
})();
