/* wattshift dashboard: helpers shared by every page (API calls, progress, charts, tables). */
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
      status(statusEl, `${label} failed: ${error.message}`, "error");
      return null;
    } finally {
      clearInterval(timer);
      if (button) button.disabled = false;
    }
  }

  const CONFIG = { displaylogo: false, responsive: true };

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
    return Plotly.react(el, traces, Object.assign(base, layout), CONFIG);
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

  /** Column `key` of an array of row objects. */
  const col = (rows, key) => rows.map((r) => r[key]);

  /** ISO date `days` before `isoDate`. */
  function daysBefore(isoDate, days) {
    const d = new Date(`${isoDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - days);
    return d.toISOString().slice(0, 10);
  }

  return { api, ApiError, status, withProgress, plot, fmt, pct, table, kpis, col, daysBefore };
})();
