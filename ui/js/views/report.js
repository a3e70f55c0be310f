// The vendor's monthly view of each shop, read from the server: tickets opened, emergencies,
// how often the first response and the resolution were in time, the median time to a first
// response in support hours, and the tills under contract — whether a flat fee pays off.

import { h, table } from "../dom.js";
import { formatPercent } from "../format.js";

// The month shown, kept across re-renders (`2026-11`); the running month at first.
let shownMonth = null;

function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

function shifted(month, by) {
  const [year, number] = month.split("-").map(Number);
  return monthOf(new Date(year, number - 1 + by, 1));
}

export async function render(ctx) {
  const { t, api } = ctx;
  shownMonth ??= monthOf(new Date());
  const report = await api.deskReport(shownMonth);
  const go = (by) => () => {
    shownMonth = shifted(shownMonth, by);
    ctx.refresh();
  };
  const rows = report.shops.map((shop) => h("tr", { "data-shop": shop.shop_id },
    h("td", {}, shop.shop_name),
    h("td", { class: "number" }, String(shop.tickets_opened)),
    h("td", { class: "number" }, String(shop.emergencies)),
    h("td", { class: "number" }, formatPercent(shop.first_response_met_percent)),
    h("td", { class: "number" }, formatPercent(shop.resolution_met_percent)),
    h("td", { class: "number" }, shop.median_first_response_minutes === null ? "—" : t("report.minutes", { minutes: shop.median_first_response_minutes })),
    h("td", { class: "number" }, String(shop.stations_under_contract))));
  return h("div", { class: "view" },
    h("div", { class: "view-head" },
      h("h1", {}, t("report.title")),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "secondary small", id: "report-earlier", onclick: go(-1) }, t("report.earlier")),
        h("strong", { id: "report-month" }, report.month),
        h("button", { type: "button", class: "secondary small", id: "report-later", onclick: go(1) }, t("report.later")),
        h("button", {
          type: "button",
          class: "primary small",
          id: "report-csv",
          onclick: async () => {
            try {
              ctx.notify(t("report.saved", { path: await api.saveDeskReport(report.month) }));
            } catch (error) {
              ctx.notify(error.message, "error");
            }
          },
        }, t("report.download")))),
    h("p", { class: "muted" }, t("report.hint")),
    report.shops.length
      ? table({
        id: "report-table",
        caption: t("report.title"),
        headers: ["shop", "tickets", "emergencies", "firstResponse", "resolution", "median", "stations"].map((k) => t(`report.column.${k}`)),
        rows,
      })
      : h("p", { class: "muted", id: "report-empty" }, t("report.empty")));
}
