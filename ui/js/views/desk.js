// The support desk's queue: every shop's tickets as the server answers them, a page at a time,
// emergencies first and then the longest waiting; each row with its shop, till and who may call
// support under the contract covering that till, and the agent who took it.

import { drafted, h, table } from "../dom.js";
import { formatDue, formatInstant } from "../format.js";
import { planName } from "../plans.js";
import { deskComplianceCard } from "./compliance.js";
import { choice, field, openTicket, requestFields } from "./tickets.js";

const ACTIVE = ["new", "open", "waiting_for_customer"];
const DONE = ["resolved", "closed"];
// What the queue is narrowed to survives re-renders (a sync, a language switch).
const screen = { filter: "active", priority: "", assignee: "", search: "", shop: null, logging: false };

/// An emergency arrived: nothing the queue was narrowed to may hide it.
export function showEverythingActive() {
  Object.assign(screen, { filter: "active", priority: "", assignee: "", search: "", shop: null });
}

function caller(t, ticket) {
  if (!ticket.plan) return h("span", { class: "badge warn" }, t("desk.noContract"));
  return h("span", {}, t(`desk.caller.${ticket.who_may_call}`));
}

// An SLA clock: when it is due, that it is late (the row stands out), or met (`metAt`, worded
// by `met`: answered or resolved).
function slaCell(t, clock, metAt, met) {
  if (metAt) return h("span", { class: "muted" }, t(`desk.sla.${met}${clock.overdue ? "Late" : ""}`));
  if (!clock.due) return h("span", { class: "muted" }, t("desk.sla.paused"));
  return clock.overdue
    ? h("span", { class: "badge danger" }, t("desk.sla.overdue", { at: formatDue(clock.due) }))
    : h("span", {}, t("desk.sla.due", { at: formatDue(clock.due) }));
}

// A clock still running past its due time: the row stands out.
export function breached(ticket) {
  return (ticket.first_response.overdue && !ticket.first_response.responded_at)
    || (ticket.resolution.overdue && !ticket.resolution.resolved_at);
}

function row(ctx, ticket) {
  const { t } = ctx;
  const onlyShop = h("button", {
    type: "button",
    class: "link",
    title: t("desk.onlyShop", { shop: ticket.shop_name }),
    onclick: () => {
      screen.shop = { id: ticket.shop_id, name: ticket.shop_name };
      ctx.refresh();
    },
  }, ticket.shop_name);
  const late = breached(ticket);
  return h("tr", { class: `priority-${ticket.priority}${late ? " overdue" : ""}`, "data-ticket": ticket.id, "data-shop": ticket.shop_id },
    h("td", {}, h("button", { type: "button", class: "link desk-open", onclick: () => openTicket(ctx, ticket.id) }, ticket.number)),
    h("td", {}, h("span", { class: `badge priority-${ticket.priority}` }, t(`ticket.priority.${ticket.priority}`))),
    h("td", { class: "desk-shop" }, onlyShop),
    h("td", {}, ticket.station_name ?? "—"),
    h("td", {}, ticket.plan ? planName(ctx.catalog, ticket.plan) : "—", " ", caller(t, ticket)),
    h("td", { class: "desk-title" }, ticket.title,
      ticket.callback ? h("span", { class: "badge warn desk-callback" }, t("desk.callbackBadge", { phone: ticket.callback.phone })) : null),
    h("td", { class: "desk-sla" },
      h("div", {}, `${t("desk.sla.firstResponse")} `, slaCell(t, ticket.first_response, ticket.first_response.responded_at, "answered")),
      h("div", { class: "desk-resolution" }, `${t("desk.sla.resolution")} `, slaCell(t, ticket.resolution, ticket.resolution.resolved_at, "resolved"))),
    h("td", { class: "desk-agent" }, ticket.assignee_name ?? h("span", { class: "muted" }, "—")),
    h("td", {}, h("span", { class: `badge state-${ticket.state}` }, t(`ticket.state.${ticket.state}`))),
    h("td", {}, formatInstant(ticket.created_at)));
}

// What an agent has typed about each callback, until it is sent.
const outcomeDrafts = new Map();

// The callback service's list: each number left at a till outside support hours, the longest
// waiting first; the agent writes what came of the call, and the till shows it.
function callbackList(ctx, callbacks) {
  const { t, api } = ctx;
  if (!callbacks.length) return null;
  return h("section", { class: "card desk-callbacks", id: "desk-callbacks" },
    h("h2", {}, `${t("desk.callbacks.title")} (${callbacks.length})`),
    h("ul", {}, callbacks.map((ticket) => {
      const outcome = drafted(outcomeDrafts, ticket.id, h("input", { class: "callback-outcome", maxlength: 500, required: true, "aria-label": t("desk.callbacks.outcome"), placeholder: t("desk.callbacks.outcome") }));
      const callback = ticket.callback;
      return h("li", { "data-ticket": ticket.id },
        h("div", { class: "callback-who" },
          h("a", { class: "callback-phone", href: `tel:${callback.phone.replace(/[^0-9+]/g, "")}` }, callback.phone),
          h("span", {}, ` ${ticket.shop_name} · ${ticket.station_name ?? "—"} · `),
          h("button", { type: "button", class: "link", onclick: () => openTicket(ctx, ticket.id) }, ticket.number),
          h("span", { class: "muted small" }, ` ${t("desk.callbacks.asked", { at: formatInstant(callback.requested_at) })}${callback.due_from ? ` · ${t("desk.callbacks.from", { at: formatInstant(callback.due_from) })}` : ""}`)),
        h("form", {
          class: "callback-answer",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await api.markCalledBack(ticket.id, outcome.value);
              outcomeDrafts.delete(ticket.id);
              ctx.notify(t("desk.callbacks.marked", { number: ticket.number }));
              await ctx.refresh();
            } catch (error) {
              ctx.notify(error.message, "error");
            }
          },
        }, outcome, h("button", { type: "submit", class: "secondary small callback-done" }, t("desk.callbacks.done"))));
    })));
}

// A call or an e-mail the agent logs for a shop's till, with the checklist of a good request;
// the ticket then opens.
async function logForm(ctx) {
  const { t, api } = ctx;
  const shops = await api.deskShops();
  const asked = requestFields(ctx);
  const [shop, shopField] = choice("log-shop", t("desk.log.shop"), shops.map((one) => [one.id, one.name]));
  const [station, stationField] = choice("log-station", t("desk.log.station"), []);
  const [channel, channelField] = choice("log-channel", t("desk.log.channel"), ["phone", "email"].map((c) => [c, t(`ticket.channel.${c}`)]));
  const [reporter, reporterField] = field("log-reporter", t("desk.log.reporter"), { required: true, maxlength: 200 });
  async function tillsOfShop() {
    const chosen = await api.deskShop(shop.value);
    station.replaceChildren(...(chosen.stations.length
      ? chosen.stations.map((till) => h("option", { value: till.id }, till.name))
      : [h("option", { value: "" }, t("desk.log.noTills"))]));
  }
  shop.addEventListener("change", () => tillsOfShop().catch((error) => ctx.notify(error.message, "error")));
  if (shops.length) await tillsOfShop();
  const { titleField, categoryField, priorityField, doingField, expectedField, errorField, reproducibleField, elsewhereField } = asked.fields;
  const element = h("form", {
    class: "card ticket-form",
    id: "desk-log-form",
    oninput: asked.advise,
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const ticket = await api.logDeskTicket({
          station_id: station.value,
          reporter: reporter.value,
          title: asked.title.value,
          category: asked.category.value,
          priority: asked.priority.value,
          channel: channel.value,
          request: asked.request(),
        });
        ctx.notify(t("desk.log.logged", { number: ticket.number }));
        screen.logging = false;
        await openTicket(ctx, ticket.id);
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("desk.log.title")),
  h("div", { class: "form-grid" }, shopField, stationField, channelField),
  h("div", { class: "form-grid" }, reporterField, priorityField, categoryField),
  titleField, doingField, expectedField, errorField,
  h("div", { class: "form-grid" }, reproducibleField, elsewhereField),
  asked.checklist,
  h("div", { class: "buttons" },
    h("button", { type: "submit", class: "primary", id: "desk-log-send" }, t("desk.log.send")),
    h("button", { type: "button", class: "secondary", onclick: () => { screen.logging = false; ctx.refresh(); } }, t("common.cancel"))));
  await asked.advise();
  return element;
}

export async function render(ctx) {
  const { t, api } = ctx;
  if (screen.logging) {
    return h("section", { class: "desk" }, h("h1", {}, t("desk.title")), await logForm(ctx));
  }
  const ask = (cursor) => api.deskQueue({
    states: screen.filter === "active" ? ACTIVE : DONE,
    priority: screen.priority || null,
    shop: screen.shop?.id ?? null,
    assignee: screen.assignee || null,
    search: screen.search.trim() || null,
    cursor,
  });
  let page, callbacks, compliance;
  try {
    // The law's list is a side matter: its failure is told in its card, the queue still shows.
    [page, callbacks, compliance] = await Promise.all([ask(null), api.deskCallbacks(), api.deskCompliance().catch((error) => ({ error }))]);
  } catch (error) {
    return h("section", { class: "desk" }, h("h1", {}, t("desk.title")), h("p", { class: "error-box", role: "alert" }, error.message));
  }

  const state = h("select", { id: "desk-state", "aria-label": t("tickets.filter") },
    ["active", "done"].map((f) => h("option", { value: f, selected: screen.filter === f }, t(`tickets.filter.${f}`))));
  const priority = h("select", { id: "desk-priority", "aria-label": t("ticketForm.priority") },
    h("option", { value: "" }, t("tickets.anyPriority")),
    ["emergency", "high", "normal"].map((p) => h("option", { value: p, selected: screen.priority === p }, t(`ticket.priority.${p}`))));
  const assignee = h("select", { id: "desk-assignee", "aria-label": t("desk.assignee") },
    [["", "anyone"], ["me", "me"], ["none", "none"]].map(([value, key]) => h("option", { value, selected: screen.assignee === value }, t(`desk.assignee.${key}`))));
  const search = h("input", { id: "desk-search", type: "search", value: screen.search, maxlength: 200, placeholder: t("desk.searchPlaceholder"), "aria-label": t("tickets.search") });
  const filters = h("form", {
    class: "filters card",
    id: "desk-filters",
    onsubmit: (event) => {
      event.preventDefault();
      Object.assign(screen, { filter: state.value, priority: priority.value, assignee: assignee.value, search: search.value });
      ctx.refresh();
    },
  }, state, priority, assignee, search, h("button", { type: "submit", class: "secondary", id: "desk-apply" }, t("desk.apply")));

  const narrowed = screen.shop
    ? h("p", { class: "search-applied", id: "desk-shop-applied", role: "status" },
      h("span", {}, t("desk.shopApplied", { shop: screen.shop.name })),
      h("button", { type: "button", class: "link", id: "desk-all-shops", onclick: () => { screen.shop = null; ctx.refresh(); } }, t("desk.allShops")))
    : null;

  const rows = table({
    id: "desk-queue",
    caption: t("desk.title"),
    headers: ["ticket", "priority", "shop", "station", "contract", "title", "sla", "agent", "state", "filed"].map((k) => t(`desk.column.${k}`)),
    rows: page.tickets.map((ticket) => row(ctx, ticket)),
  });
  const body = rows.querySelector("tbody");

  let next = page.next;
  const more = h("button", {
    type: "button",
    class: "secondary",
    id: "desk-more",
    hidden: !next,
    onclick: async () => {
      more.dataset.busy = "true";
      try {
        const further = await ask(next);
        body.append(...further.tickets.map((ticket) => row(ctx, ticket)));
        // A sync's redraw would take back the pages the agent asked for: the queue stays as it
        // is until they act (a new emergency still alerts them).
        rows.dataset.busy = "true";
        next = further.next;
        more.hidden = !next;
      } catch (error) {
        ctx.notify(error.message, "error");
      } finally {
        delete more.dataset.busy;
      }
    },
  }, t("desk.more"));

  return h("section", { class: "desk" },
    h("div", { class: "view-head" }, h("h1", {}, t("desk.title")),
      h("button", { type: "button", class: "primary", id: "desk-log", onclick: () => { screen.logging = true; ctx.refresh(); } }, t("desk.log.open"))),
    callbackList(ctx, callbacks),
    filters,
    narrowed,
    page.tickets.length ? rows : h("p", { class: "card empty", id: "desk-empty" }, t("desk.none")),
    h("div", { class: "actions" }, more),
    deskComplianceCard(t, compliance));
}
