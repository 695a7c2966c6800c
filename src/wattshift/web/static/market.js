/* Market page: BTC price vs cost per BTC, hashprice and breakeven power price for a chosen fleet. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");

  /** Query parameters of the chosen fleet and power price. */
  function fleetParams() {
    const asic = $("asic").value;
    const params = { power_usd_per_kwh: $("power").value };
    if (asic) params.asic = asic;
    else params.efficiency_j_per_th = $("efficiency").value;
    return params;
  }

  function drawHistory(rows, powerUsdPerKwh) {
    const x = ws.col(rows, "date");
    ws.plot($("chart-cost"), [
      { x, y: ws.col(rows, "price_usd"), name: "BTC price", line: { color: "#f2a900", width: 2 } },
      { x, y: ws.col(rows, "energy_cost_usd_per_btc"), name: "energy cost per BTC", line: { color: "#1f77b4" } },
      { x, y: ws.col(rows, "all_in_cost_usd_per_btc"), name: "all-in cost per BTC", line: { color: "#d62728" } },
    ], {
      title: { text: "BTC price vs the fleet's cost to mine one BTC [USD]" },
      yaxis: {
        title: { text: "USD per BTC" }, type: "log",
        ...ws.logTicks(["price_usd", "energy_cost_usd_per_btc", "all_in_cost_usd_per_btc"].map((k) => ws.col(rows, k))),
      },
    });
    ws.plot($("chart-hashprice"), [
      { x, y: ws.col(rows, "hashprice_usd_per_ph_day"), name: "hashprice", line: { color: "#2ca02c" } },
    ], {
      title: { text: "Hashprice [USD/PH/day]" },
      yaxis: { type: "log", ...ws.logTicks(ws.col(rows, "hashprice_usd_per_ph_day")) },
    });
    ws.plot($("chart-breakeven"), [
      { x, y: ws.col(rows, "breakeven_power_usd_per_kwh"), name: "breakeven power price", line: { color: "#9467bd" } },
      {
        x: [x[0], x[x.length - 1]], y: [powerUsdPerKwh, powerUsdPerKwh], name: "your power price",
        mode: "lines", line: { color: "#444", dash: "dash" },
      },
    ], { title: { text: "Breakeven power price [USD/kWh]" } });
  }

  function drawDay(day) {
    ws.kpis($("today"), [
      [`BTC price on ${day.date}`, day.price_usd, "USD"],
      ["hashprice", day.hashprice_usd_per_ph_day, "USD/PH/day"],
      ["energy cost per BTC", day.energy_cost_usd_per_btc, "USD"],
      ["all-in cost per BTC", day.all_in_cost_usd_per_btc, "USD"],
      ["breakeven power price", ws.fmt(day.breakeven_power_usd_per_kwh, 4), "USD/kWh"],
      ["value of 1 MWh in mining", day.mining_value_usd_per_mwh, "USD/MWh"],
    ]);
    const a = day.assumptions;
    $("assumptions").textContent =
      `Assumptions: ${a.asic ? a.asic + ", " : ""}${ws.fmt(a.efficiency_j_per_th)} J/TH, ` +
      `${a.power_usd_per_kwh} USD/kWh, PUE ${a.pue}, pool fee ${ws.fmt(100 * a.pool_fee)} %, ` +
      `uptime ${ws.fmt(100 * a.uptime)} %, opex ${ws.fmt(a.opex_usd_per_mw_month)} USD/MW-month, ` +
      `capex ${ws.fmt(a.capex_usd_per_th)} USD/TH over ${a.asic_life_years} years.` +
      (a.note ? ` Note: ${a.note}` : "");
  }

  async function load() {
    const params = fleetParams();
    const result = await ws.withProgress(statusEl, $("load"), "Computing mining economics", () =>
      Promise.all([
        ws.api("/api/mining/history", { params: { ...params, from: $("from").value, to: $("to").value } }),
        ws.api("/api/mining", { params: { ...params, date: $("to").value } }),
        ws.api("/api/mining/asics", { params: { power_usd_per_kwh: params.power_usd_per_kwh, date: $("to").value } }),
      ]),
    );
    if (result === null) return;
    const [history, day, asics] = result;
    drawDay(day);
    drawHistory(history.days, Number(params.power_usd_per_kwh));
    ws.table($("asics"), asics.models.slice(0, 15), [
      ["model", "model"], ["efficiency_j_per_th", "J/TH"], ["hashrate_ths", "TH/s"], ["power_w", "W"],
      ["breakeven_power_usd_per_kwh", "breakeven [USD/kWh]", (v) => ws.fmt(v, 4)],
      ["mining_value_usd_per_mwh", "value [USD/MWh]"], ["margin_usd_per_day", "margin [USD/day]"],
    ]);
  }

  async function init() {
    const catalogue = await ws.withProgress(statusEl, null, "Loading the ASIC catalogue", () =>
      ws.api("/api/mining/asics"),
    );
    if (catalogue === null) return;
    const asics = catalogue.models;
    for (const row of asics) {
      const option = document.createElement("option");
      option.value = row.model;
      option.textContent = `${row.model} (${ws.fmt(row.efficiency_j_per_th)} J/TH)`;
      $("asic").appendChild(option);
    }
    $("asic").addEventListener("change", () => {
      $("efficiency").disabled = $("asic").value !== "";
    });
    const last = asics.length ? asics[0].date : null;
    if (last) {
      $("to").value = last;
      $("from").value = ws.daysBefore(last, 3 * 365);
    }
    $("market-form").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    await load();
  }

  init();
})();
