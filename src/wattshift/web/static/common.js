/* wattshift dashboard: helpers shared by every page (API calls, progress, background jobs, charts, tables). */
"use strict";

const ws = (() => {
  /** Error from the API: `message` is the server's one-line explanation. */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** Call the JSON API. `params` become the query string (empty values are left out). */
  async function api(path, { method = "GET", params = {}, body } = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") query.append(key, value);
    }
    const url = query.toString() ? `${path}?${query}` : path;
    const init = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    let payload = null;
    try {
      payload = await response.json();
    } catch (_) {
      payload = null;
    }
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      if (payload && typeof payload.message === "string") message = payload.message;
      else if (payload && typeof payload.detail === "string") message = payload.detail;
      throw new ApiError(response.status, message);
    }
    return payload;
  }

  /** Show a status line (kind: "", "error"). */
  function status(el, text, kind = "") {
    el.className = `status ${kind}`.trim();
    el.textContent = text;
  }

  /**
   * Run `task()` while showing a spinner and the elapsed seconds in `statusEl` and disabling
   * `button`; errors are shown in `statusEl`. Returns the task's result, or null on error.
   */
  async function withProgress(statusEl, button, label, task) {
    const started = performance.now();
    statusEl.className = "status";
    statusEl.innerHTML = '<span class="progress"><span class="spinner"></span><span class="t"></span></span>';
    const text = statusEl.querySelector(".t");
    const tick = () => {
      const seconds = (performance.now() - started) / 1000;
      text.textContent = `${label}… ${seconds.toFixed(1)} s`;
    };
    tick();
    const timer = setInterval(tick, 200);
    if (button) button.disabled = true;
    try {
      const result = await task();
      const seconds = (performance.now() - started) / 1000;
      status(statusEl, `${label}: done in ${seconds.toFixed(1)} s`);
      return result;
    } catch (error) {
      clearResults();
      status(statusEl, `${label} failed: ${error.message}`, "error");
      return null;
    } finally {
      clearInterval(timer);
      if (button) button.disabled = false;
    }
  }

  /** Milliseconds between two polls of a running job. */
  const POLL_MS = 250;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Show a job's progress in `statusEl`: a spinner, a <progress id=`progressId`> bar with
   * "N / M <units>" and the elapsed seconds. Returns `update(job)`, called with null once the job
   * is queued and then with each polled status (`preparing` is shown while it runs without a total).
   */
  function jobProgress(statusEl, { label, progressId, unit, preparing }) {
    const wrap = document.createElement("span");
    wrap.className = "progress";
    const spinner = document.createElement("span");
    spinner.className = "spinner";
    const bar = document.createElement("progress");
    if (progressId) bar.id = progressId;
    bar.style.width = "220px";
    const text = document.createElement("span");
    text.className = "t";
    wrap.append(spinner, bar, text);
    statusEl.className = "status";
    statusEl.replaceChildren(wrap);
    const started = performance.now();
    const [one, many] = unit;
    return (job) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (job && job.total > 0) {
        bar.max = job.total;
        bar.value = job.done;
        text.textContent = `${label}: ${job.done} / ${job.total} ${job.total === 1 ? one : many}, ${seconds} s`;
      } else {
        bar.removeAttribute("value"); // indeterminate until the job reports its steps
        text.textContent = `${label}: ${job && job.state === "running" ? preparing : "queued"}… ${seconds} s`;
      }
    };
  }

  /**
   * Run a background job: POST `body` (query `params`) to `url` (`/api/jobs/<kind>`), poll its
   * status URL every POLL_MS and show its progress in `statusEl` (see `jobProgress`: `label`,
   * `progressId`, `unit` = [singular, plural], `preparing`) while `button` is disabled.
   * On success the status line reads `done(result, seconds)` (default "<label>: done in S s") and
   * the job's result is returned; on failure the error is shown in `statusEl` and null returned.
   */
  async function runJob(url, { params = {}, body } = {}, { statusEl, button, label, done, ...view }) {
    const started = performance.now();
    const update = jobProgress(statusEl, { label, ...view });
    if (button) button.disabled = true;
    let result;
    try {
      const submitted = await api(url, { method: "POST", params, body });
      update(null);
      for (;;) {
        const job = await api(submitted.status_url);
        update(job);
        if (job.state === "done") {
          result = job.result;
          break;
        }
        if (job.state === "error") throw new ApiError(job.error_status || 500, job.error);
        await sleep(POLL_MS);
      }
    } catch (error) {
      clearResults();
      status(statusEl, `${label} failed: ${error.message}`, "error");
      return null;
    } finally {
      if (button) button.disabled = false;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    status(statusEl, done ? done(result, seconds) : `${label}: done in ${seconds} s`);
    return result;
  }

  /**
   * The site in the <textarea id="site">, as the JSON body of a job: TOML (as in a site file) is
   * validated by the server (`POST /web/sites/parse`), JSON is taken as it is. Null (with the
   * reason, naming the line or field, in `statusEl`, and old results cleared) when it is invalid.
   */
  async function readSite(statusEl) {
    const text = document.getElementById("site").value;
    try {
      if (text.trim().startsWith("{")) return JSON.parse(text);
      const response = await fetch("/web/sites/parse", { method: "POST", headers: { "Content-Type": "application/toml" }, body: text });
      const payload = await response.json();
      if (!response.ok) throw new Error(payload.detail || payload.message || `HTTP ${response.status}`);
      return payload;
    } catch (error) {
      clearResults();
      status(statusEl, `The site is not valid: ${error.message}`, "error");
      return null;
    }
  }

  /**
   * The example-site picker of the pages that run a site (dispatch, valuation): loads `/api/sites`
   * into <select id="example">, shows the chosen site in #site and #description (then calls
   * `show(example)` for the page's own fields), runs `run()` when <form id=`formId`> is submitted,
   * and preselects `?site=ID` (default `defaultId`), calls `preset(query)` and runs it once.
   */
  async function sitePicker(statusEl, { formId, defaultId, run, show = () => {}, preset = () => {} }) {
    const $ = (id) => document.getElementById(id);
    const examples = await withProgress(statusEl, null, "Loading example sites", () => api("/api/sites"));
    if (examples === null) return;
    const showExample = async (id) => {
      const example = examples.find((e) => e.id === id);
      if (!example) return;
      // The example's own TOML file (comments and all); its JSON if the file cannot be read.
      const response = await fetch(`/web/sites/${encodeURIComponent(id)}.toml`);
      $("site").value = response.ok ? await response.text() : JSON.stringify(example.site, null, 2);
      $("description").textContent = example.description;
      show(example);
    };
    for (const example of examples) {
      const option = document.createElement("option");
      option.value = example.id;
      option.textContent = example.name;
      $("example").appendChild(option);
    }
    $("example").addEventListener("change", () => showExample($("example").value));
    $(formId).addEventListener("submit", (event) => {
      event.preventDefault();
      run();
    });
    const query = new URLSearchParams(window.location.search);
    if (examples.length) {
      const wanted = query.get("site") || defaultId;
      const preferred = examples.find((e) => e.id === wanted) || examples[0];
      $("example").value = preferred.id;
      await showExample(preferred.id);
      preset(query);
      await run();
    }
  }

  const CONFIG = { displaylogo: false, responsive: true };

  /** Axes that grow the margins to fit their tick labels and titles (nothing is clipped). */
  const AXIS_KEYS = ["xaxis", "yaxis", "yaxis2"];

  /** Draw (or redraw) a Plotly chart in `el` with the dashboard's layout defaults. */
  function plot(el, traces, layout = {}) {
    const base = {
      template: "plotly_white",
      margin: { l: 64, r: 24, t: 40, b: 44 },
      legend: { orientation: "h", y: -0.18 },
      hovermode: "x unified",
      height: 380,
    };
    if (layout.yaxis2) base.margin.r = 72;
    const merged = Object.assign(base, layout);
    for (const key of AXIS_KEYS) {
      if (key !== "yaxis2" || merged.yaxis2) merged[key] = { automargin: true, ...(merged[key] || {}) };
    }
    return Plotly.react(el, traces, merged, CONFIG);
  }

  /** A round tick step [data units] for `span` split into about `n` intervals (1, 2, 2.5, 5 × 10^k). */
  function niceStep(span, n) {
    const raw = span > 1e-9 ? span / n : 1; // a flat or near-flat series: unit steps
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= raw * (1 - 1e-9));
  }

  /** Finite numbers of `values` (nested arrays flattened), for axis ranges. */
  const finite = (values) => values.flat(Infinity).map(Number).filter((v) => v !== null && Number.isFinite(v));

  /**
   * Linear twin axes with round ticks on both and gridlines that line up: each axis gets a round
   * step and the same number of intervals, from zero (or below when a value is negative).
   * `left` and `right` are the values drawn on each axis. Returns `{ yaxis, yaxis2 }` properties.
   */
  function syncedAxes(left, right, n = 5) {
    const fit = (values) => {
      const all = finite(values);
      const lo = Math.min(0, ...all);
      const hi = Math.max(0, ...all);
      const step = niceStep(hi - lo || 1, n);
      return { step, first: Math.floor(lo / step + 1e-9), last: Math.max(Math.ceil(hi / step - 1e-9), 1) };
    };
    const a = fit(left);
    const b = fit(right);
    const count = Math.max(a.last - a.first, b.last - b.first);
    const axis = (f) => ({
      range: [f.first * f.step, (f.first + count) * f.step], tick0: 0, dtick: f.step, tickmode: "linear", autorange: false,
    });
    return { yaxis: axis(a), yaxis2: axis(b) };
  }

  /** Tick values and labels of a log axis at 1, 2 and 5 × 10^k within `values` ("20k", "1M"). */
  function logTicks(values) {
    const all = finite(values).filter((v) => v > 0);
    if (!all.length) return {};
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const ticks = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k += 1) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** k;
        if (v >= lo / 1.5 && v <= hi * 1.5) ticks.push(v);
      }
    }
    const label = (v) =>
      v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : v >= 1 ? `${v}` : v.toPrecision(1);
    return { tickvals: ticks, ticktext: ticks.map(label), tickmode: "array" };
  }

  /**
   * After a failure, results of the previous run must not look current: empty every key-figure
   * panel and every chart, and mark result tables as stale.
   */
  function clearResults() {
    for (const el of document.querySelectorAll(".kpis")) el.replaceChildren();
    for (const el of document.querySelectorAll(".js-plotly-plot")) Plotly.purge(el);
    for (const el of document.querySelectorAll("table.data")) el.closest("div")?.replaceChildren();
  }

  /** Number formatting: thousands separators, `digits` significant decimals for small values. */
  function fmt(value, digits = 2) {
    if (value === null || value === undefined || Number.isNaN(value)) return "–";
    if (typeof value !== "number") return String(value);
    const abs = Math.abs(value);
    if (abs >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
    return value.toLocaleString("en-US", { maximumFractionDigits: digits });
  }

  /** A fraction as a signed percentage (0.123 → "+12.3 %"). */
  function pct(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return "–";
    return `${value >= 0 ? "+" : ""}${(100 * value).toFixed(1)} %`;
  }

  /**
   * Render `rows` (array of objects) as a table in `el`.
   * `columns` = [[key, heading, format?], ...]; `format` defaults to `fmt`.
   */
  function table(el, rows, columns) {
    const cols = columns || (rows.length ? Object.keys(rows[0]).map((k) => [k, k]) : []);
    const doc = el.ownerDocument;
    const tableEl = doc.createElement("table");
    tableEl.className = "data";
    const head = tableEl.createTHead().insertRow();
    for (const [, heading] of cols) {
      const th = doc.createElement("th");
      th.textContent = heading;
      head.appendChild(th);
    }
    const body = tableEl.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const [key, , format] of cols) tr.insertCell().textContent = (format || fmt)(row[key]);
    }
    el.replaceChildren(rows.length ? tableEl : doc.createTextNode("No rows."));
  }

  /** Key figures as tiles: items = [[label, value, unit], ...]. */
  function kpis(el, items) {
    el.replaceChildren(
      ...items.map(([label, value, unit]) => {
        const div = document.createElement("div");
        div.className = "kpi";
        const v = document.createElement("div");
        v.className = "v";
        v.textContent = `${fmt(value)}${unit ? " " + unit : ""}`;
        const k = document.createElement("div");
        k.className = "k";
        k.textContent = label;
        div.append(v, k);
        return div;
      }),
    );
  }

  /**
   * Instants (ISO strings with a zone or "Z") as wall-clock "YYYY-MM-DD HH:MM" in `timeZone`
   * (e.g. ERCOT's America/Chicago), for date axes: Plotly draws a time as written, whatever its zone.
   */
  function localTimes(instants, timeZone) {
    const format = new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    return instants.map((iso) => {
      const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
      return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
    });
  }

  /** Column `key` of an array of row objects. */
  const col = (rows, key) => rows.map((r) => r[key]);

  /** ISO date `days` before `isoDate`. */
  function daysBefore(isoDate, days) {
    const d = new Date(`${isoDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - days);
    return d.toISOString().slice(0, 10);
  }

  return {
    api, ApiError, status, withProgress, runJob, readSite, sitePicker, plot, syncedAxes, logTicks, clearResults,
    fmt, pct, table, kpis, col, daysBefore, localTimes,
  };
})();
