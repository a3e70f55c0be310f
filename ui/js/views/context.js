// What stands beside a ticket on the desk: the shop's contracts, who may call support and how
// to reach them, each till's remote tool and when it last reached the server (a till silent for
// long while its emergency is open stands out), and the shop's other open tickets.

import { h } from "../dom.js";
import { formatDate, formatInstant } from "../format.js";
import { planName } from "../plans.js";
import { contextCompliance } from "./compliance.js";

// A till not heard of for this long while its emergency is open may be down or offline.
const SILENT_AFTER_MS = 15 * 60 * 1000;

// `opened` is what asking the server for the ticket gave: its `context`, or the `error`.
export function contextPanel(ctx, opened, open) {
  const { t } = ctx;
  if (opened.error) {
    return h("p", { class: "muted", id: "ticket-context" }, t("desk.context.unavailable", { error: opened.error.message }));
  }
  const { ticket, shop } = opened.context;
  const emergencyAt = new Set(shop.open_tickets.filter((other) => other.priority === "emergency").map((other) => other.station_id));

  const caller = ticket.who_may_call
    ? t(`desk.caller.${ticket.who_may_call}`)
    : t("desk.noContract");
  const admins = shop.named_admins.length
    ? h("ul", { class: "context-admins" }, shop.named_admins.map((admin) =>
        h("li", {}, `${admin.name} · `,
          admin.phone ? [h("a", { href: `tel:${admin.phone}` }, t("desk.context.call", { phone: admin.phone })), " · "] : null,
          h("a", { href: `mailto:${admin.email}` }, admin.email))))
    : null;

  const tills = h("ul", { class: "context-tills" }, shop.stations.map((station) => {
    const seen = station.last_seen_at ? Date.parse(station.last_seen_at) : null;
    const silent = emergencyAt.has(station.id) && (seen === null || Date.now() - seen > SILENT_AFTER_MS);
    return h("li", { class: silent ? "silent" : null, "data-station": station.id },
      h("strong", {}, station.name),
      h("span", {}, ` · ${station.remote_tool ? `${station.remote_tool} ${station.remote_id}` : t("desk.context.noRemote")}`),
      h("span", { class: silent ? "badge danger" : "muted small" },
        silent
          ? t("desk.context.silent", { at: seen ? formatInstant(station.last_seen_at) : "—" })
          : ` · ${seen ? t("desk.context.lastSeen", { at: formatInstant(station.last_seen_at) }) : t("desk.context.neverSeen")}`));
  }));

  const contracts = shop.contracts.length
    ? h("ul", { class: "context-contracts" }, shop.contracts.map((contract) => h("li", {},
        t("desk.context.contract", { plan: planName(ctx.catalog, contract.plan), count: contract.station_ids.length, end: formatDate(contract.term_end) }),
        contract.ends_on ? h("span", { class: "badge warn" }, t("desk.context.endsOn", { date: formatDate(contract.ends_on) })) : null)))
    : h("p", { class: "muted" }, t("desk.noContract"));

  const others = shop.open_tickets.filter((other) => other.id !== ticket.id);
  const otherList = others.length
    ? h("ul", { class: "context-others" }, others.map((other) => h("li", {},
        h("button", { type: "button", class: "link", onclick: () => open(other.id) }, other.number),
        ` ${other.title} · ${t(`ticket.priority.${other.priority}`)}`)))
    : h("p", { class: "muted" }, t("desk.context.none"));

  return h("section", { class: "ticket-context", id: "ticket-context", "aria-label": t("desk.context.title", { shop: shop.name }) },
    h("h3", {}, t("desk.context.title", { shop: shop.name })),
    h("p", { id: "context-caller" }, h("strong", {}, `${t("desk.context.whoMayCall")}: `), caller),
    admins,
    h("h4", {}, t("desk.context.tills")), tills,
    contextCompliance(t, shop.compliance),
    h("h4", {}, t("desk.context.contracts")), contracts,
    h("h4", {}, t("desk.context.otherTickets")), otherList);
}
