/* Fleet page: per-fleet planned vs actual MW, machines in error, recent alerts. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");

  function drawFleet(doc) {
    const names = doc.fleets.map((f) => f.fleet);
    ws.plot($("chart-fleet"), [
      { type: "bar", name: "planned MW", x: names, y: doc.fleets.map((f) => f.planned_mw), marker: { color: "#d0d5dc" } },
      { type: "bar", name: "actual MW", x: names, y: doc.fleets.map((f) => f.power_mw), marker: { color: "#f2a900" } },
    ], { barmode: "group", yaxis: { title: { text: "MW" } }, height: 380 });
    const sum = (key) => doc.fleets.reduce((s, f) => s + (f[key] || 0), 0);
    ws.kpis($("totals"), [
      ["actual", sum("power_mw"), "MW"],
      ["machines hashing", `${sum("hashing")} / ${sum("machines")}`, ""],
      ["hashrate", sum("hashrate_phs"), "PH/s"],
      ["machines in error", doc.fleets.reduce((s, f) => s + f.in_error.length, 0), ""],
    ]);
    const errors = doc.fleets.flatMap((f) => f.in_error.map(([ip, msg]) => ({ fleet: f.fleet, ip, msg })));
    ws.table($("errors"), errors, [["fleet", "fleet"], ["ip", "machine"], ["msg", "error"]]);
    if (doc.plan_note) ws.status(statusEl, `planned MW unavailable: ${doc.plan_note}`, "warn");
  }

  async function load() {
    try {
      const alerts = await ws.api("/api/alerts", { params: { limit: 20 } });
      ws.table($("alerts"), alerts, [["at_utc", "when (UTC)"], ["severity", "severity"], ["message", "alert"],
        ["sent", "sent", (v) => (v ? "yes" : "no")]]);
    } catch (e) {
      $("alerts").textContent = `alerts: ${e.message}`;
    }
    try {
      drawFleet(await ws.api("/api/fleet"));
    } catch (e) {
      ws.status(statusEl, e.message, "error");
    }
  }

  load();
})();
