// Tickets for the shop admin: the shop's, mine and where I am in copy, filtered and searched;
// a form that says what a good request still lacks; the detail with its history and thread.

import { drafted, h } from "../dom.js";
import { formatInstant, formatMoney } from "../format.js";
import { contextPanel } from "./context.js";
import { connectButton, sessionsPanel } from "./remote.js";

const ACTIVE = ["new", "open", "waiting_for_customer"];
const DONE = ["resolved", "closed"];
// What the screen shows survives re-renders: a language switch must not lose the selection.
const screen = { view: "shop", filter: "active", priority: "", search: "", selected: null, composing: false };
// What is typed on a ticket (a reply, a note, a quote), by ticket and field, until it is sent.
const drafts = new Map();

/// An emergency arrived: nothing the screen was narrowed to may hide it.
export function showEverythingActive() {
  Object.assign(screen, { view: "shop", filter: "active", priority: "", search: "" });
}

/// Opens ticket `id` here, whatever the list was narrowed to (the desk's queue links to it).
export function openTicket(ctx, id) {
  Object.assign(screen, { view: "shop", filter: "all", priority: "", search: "", selected: id, composing: false });
  return ctx.navigate("tickets");
}

function badge(t, state) {
  return h("span", { class: `badge state-${state}` }, t(`ticket.state.${state}`));
}

export async function render(ctx) {
  const { t, api } = ctx;
  const states = screen.filter === "active" ? ACTIVE : screen.filter === "done" ? DONE : [];
  const tickets = screen.search.trim()
    ? await api.searchTickets(screen.search)
    : await api.listTickets(screen.view, states, screen.priority ? [screen.priority] : [], screen.filter === "active");

  const tabs = h(
    "div",
    { class: "tabs", role: "group", "aria-label": t("tickets.views") },
    ["shop", "mine", "cc"].map((view) =>
      h("button", {
        type: "button",
        id: `tickets-view-${view}`,
        "aria-pressed": String(screen.view === view),
        onclick: () => {
          screen.view = view;
          screen.search = "";
          ctx.refresh();
        },
      }, t(`tickets.view.${view}`))),
  );
  const filter = h(
    "select",
    { id: "tickets-filter", "aria-label": t("tickets.filter"), onchange: (e) => { screen.filter = e.target.value; ctx.refresh(); } },
    ["active", "done", "all"].map((f) => h("option", { value: f, selected: screen.filter === f }, t(`tickets.filter.${f}`))),
  );
  const priorityFilter = h(
    "select",
    { id: "tickets-priority", "aria-label": t("ticketForm.priority"), onchange: (e) => { screen.priority = e.target.value; ctx.refresh(); } },
    h("option", { value: "" }, t("tickets.anyPriority")),
    ["emergency", "high", "normal"].map((p) => h("option", { value: p, selected: screen.priority === p }, t(`ticket.priority.${p}`))),
  );
  const search = h("input", { id: "tickets-search", type: "search", value: screen.search, placeholder: t("tickets.searchPlaceholder"), "aria-label": t("tickets.search") });
  const searchForm = h("form", { class: "search", onsubmit: (e) => { e.preventDefault(); screen.search = search.value; ctx.refresh(); } }, search,
    h("button", { type: "submit", class: "secondary", id: "tickets-search-run" }, t("tickets.search")));

  // A search stays applied when the screen is left and found again: it says so, with the way
  // back to the whole list one click away.
  const searching = screen.search.trim()
    ? h("p", { class: "search-applied", id: "search-applied", role: "status" },
      h("span", {}, t("tickets.searchApplied", { text: screen.search.trim() })),
      h("button", { type: "button", class: "link", id: "search-clear", onclick: () => { screen.search = ""; ctx.refresh(); } }, t("tickets.showAll")))
    : null;
  const list = tickets.length
    ? h("ul", { class: "ticket-list", id: "ticket-list" }, tickets.map((ticket) => {
        const item = h("li", {}, h("button", {
          type: "button",
          class: `ticket-item priority-${ticket.priority}${screen.selected === ticket.id ? " selected" : ""}`,
          onclick: () => { screen.selected = ticket.id; screen.composing = false; ctx.refresh(); },
        },
        h("span", { class: "ticket-line" }, h("strong", {}, ticket.number), badge(t, ticket.state)),
        h("span", { class: "ticket-title" }, ticket.title),
        h("span", { class: "muted small" }, `${ticket.reporter} · ${formatInstant(ticket.updated_at)} · ${t(`ticket.priority.${ticket.priority}`)}`)));
        item.dataset.ticketId = ticket.id;
        return item;
      }))
    : h("p", { class: "muted empty" }, t("tickets.none"));

  const side = screen.composing ? await form(ctx) : screen.selected ? await detail(ctx, screen.selected) : h("p", { class: "card empty" }, t("tickets.pick"));

  return h("div", { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("tickets.title")),
      h("button", { type: "button", class: "primary", id: "new-ticket", onclick: () => { screen.composing = true; ctx.refresh(); } }, t("tickets.new"))),
    h("div", { class: "tickets-layout" },
      h("section", { class: "card ticket-column" }, tabs, h("div", { class: "ticket-tools" }, h("div", { class: "filters" }, filter, priorityFilter), searchForm), searching, list),
      side));
}

/// The fields of a good request with the checklist beside them, as the shop's form and the
/// desk's log of a call both ask for them: `request()` reads what is filled in, `advise()`
/// says what a good request still lacks.
export function requestFields(ctx) {
  const { t, api } = ctx;
  const [title, titleField] = field("ticket-title", t("ticketForm.title"), { required: true, maxlength: 200, placeholder: t("ticketForm.titlePlaceholder") });
  const [category, categoryField] = choice("ticket-category", t("ticketForm.category"), ["fault", "legal_change", "how_to", "out_of_scope"].map((c) => [c, t(`ticket.category.${c}`)]));
  const [priority, priorityField] = choice("ticket-priority", t("ticketForm.priority"), ["normal", "high", "emergency"].map((p) => [p, t(`ticket.priority.${p}`)]));
  const [doing, doingField] = field("ticket-doing", t("ticketForm.doing"), { rows: 3 }, "textarea");
  const [expected, expectedField] = field("ticket-expected", t("ticketForm.expected"), { rows: 2 }, "textarea");
  const [error, errorField] = field("ticket-error", t("ticketForm.error"));
  const [reproducible, reproducibleField] = choice("ticket-reproducible", t("ticketForm.reproducible"), [["", t("common.none")], ...["yes", "no", "sometimes"].map((r) => [r, t(`ticketForm.reproducible.${r}`)])]);
  const [elsewhere, elsewhereField] = choice("ticket-elsewhere", t("ticketForm.elsewhere"), [["", t("common.none")], ["true", t("ticketForm.yes")], ["false", t("ticketForm.no")]]);
  const hints = h("ul", { class: "checklist", id: "ticket-checklist", "aria-live": "polite" });
  const request = () => ({
    doing: doing.value,
    expected: expected.value,
    error_message: error.value,
    reproducible: reproducible.value || null,
    elsewhere_too: elsewhere.value === "" ? null : elsewhere.value === "true",
  });
  async function advise() {
    const missing = await api.ticketChecklist(title.value, request(), category.value);
    hints.replaceChildren(...(missing.length
      ? missing.map((part) => h("li", { "data-missing": part }, t(`checklist.${part}`)))
      : [h("li", { class: "complete" }, t("checklist.complete"))]));
  }
  return {
    title, category, priority, request, advise,
    fields: { titleField, categoryField, priorityField, doingField, expectedField, errorField, reproducibleField, elsewhereField },
    checklist: h("div", { class: "checklist-box" }, h("h3", {}, t("checklist.title")), hints),
  };
}

/// A labelled control: the control and its field.
export function field(id, label, attrs = {}, tag = "input") {
  const control = h(tag, { id, name: id, ...attrs });
  return [control, h("div", { class: "field" }, h("label", { for: id }, label), control)];
}

/// A labelled `<select>` of `[value, text]` options.
export function choice(id, label, options) {
  const [control, wrapper] = field(id, label, {}, "select");
  control.append(...options.map(([value, text]) => h("option", { value }, text)));
  return [control, wrapper];
}

async function form(ctx) {
  const { t, api } = ctx;
  const coverage = await api.listStations();
  const asked = requestFields(ctx);
  const { titleField, categoryField, priorityField, doingField, expectedField, errorField, reproducibleField, elsewhereField } = asked.fields;
  const [station, stationField] = choice("ticket-station", t("ticketForm.station"), [["", t("common.none")], ...coverage.map((c) => [c.station.id, c.station.name])]);
  const [cc, ccField] = field("ticket-cc", t("ticketForm.cc"), { placeholder: t("ticketForm.ccPlaceholder") });

  const element = h("form", {
    class: "card ticket-form",
    id: "ticket-form",
    oninput: asked.advise,
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const ticket = await api.createTicket({
          station: station.value || null,
          title: asked.title.value,
          category: asked.category.value,
          priority: asked.priority.value,
          request: asked.request(),
          cc: cc.value.split(",").map((p) => p.trim()).filter(Boolean),
        });
        ctx.notify(t("tickets.created", { number: ticket.number }));
        screen.composing = false;
        screen.selected = ticket.id;
        await ctx.refresh();
      } catch (err) {
        ctx.notify(err.message, "error");
      }
    },
  },
  h("h2", {}, t("tickets.new")),
  titleField,
  h("div", { class: "form-grid" }, stationField, categoryField, priorityField),
  doingField, expectedField, errorField,
  h("div", { class: "form-grid" }, reproducibleField, elsewhereField, ccField),
  asked.checklist,
  h("div", { class: "buttons" },
    h("button", { type: "submit", class: "primary", id: "ticket-submit" }, t("tickets.send")),
    h("button", { type: "button", class: "secondary", onclick: () => { screen.composing = false; ctx.refresh(); } }, t("common.cancel"))));
  await asked.advise();
  return element;
}

async function detail(ctx, id) {
  const { t, api } = ctx;
  // The desk keeps only what it opens: the server's copy first (history, shop beside it),
  // then what is held here, which is all there is while offline.
  const opened = ctx.info.staff?.role === "support_staff"
    ? await api.deskTicketContext(id).then((context) => ({ context }), (error) => ({ error }))
    : null;
  const screenData = await api.ticketDetail(id);
  const ticket = screenData.ticket;
  const request = ticket.request;
  const facts = [
    [t("ticketForm.doing"), request.doing],
    [t("ticketForm.expected"), request.expected],
    [t("ticketForm.error"), request.error_message],
    [t("ticketForm.reproducible"), request.reproducible ? t(`ticketForm.reproducible.${request.reproducible}`) : ""],
    [t("ticketForm.elsewhere"), request.elsewhere_too === null || request.elsewhere_too === undefined ? "" : t(request.elsewhere_too ? "ticketForm.yes" : "ticketForm.no")],
  ].filter(([, value]) => value);

  const stateButtons = screenData.next_states.map((to) => h("button", {
    type: "button",
    class: "secondary small",
    "data-to": to,
    onclick: async () => {
      try {
        await api.setTicketState(ticket.id, to);
        ctx.notify(t("tickets.stateChanged", { number: screenData.number, state: t(`ticket.state.${to}`) }));
        await ctx.refresh();
      } catch (err) {
        ctx.notify(err.message, "error");
      }
    },
  }, t(`ticket.action.${to}`)));

  const act = (run) => async () => {
    try {
      await run();
      await ctx.refresh();
    } catch (err) {
      ctx.notify(err.message, "error");
    }
  };
  // Each clock: due, late, met in time or late, or paused while the customer has the ball.
  const clockLine = (clock, id, keys) => h("p", { class: `sla ${clock.overdue ? "overdue" : ""}`, id },
    clock.met_at
      ? t(clock.overdue ? keys.metLate : keys.met, { at: formatInstant(clock.met_at) })
      : clock.due
        ? t(clock.overdue ? keys.overdue : keys.due, { at: formatInstant(clock.due) })
        : t(keys.paused));
  const slaLine = [
    clockLine(screenData.sla, "ticket-sla", { met: "sla.answered", metLate: "sla.answeredLate", due: "sla.due", overdue: "sla.overdue", paused: "sla.paused" }),
    clockLine(screenData.resolution, "ticket-resolution", { met: "sla.resolved", metLate: "sla.resolvedLate", due: "sla.resolveBy", overdue: "sla.resolveOverdue", paused: "sla.resolvePaused" }),
  ];

  const escalated = screenData.events.some((e) => e.kind === "escalated");
  const escalate = ACTIVE.includes(ticket.state) && !escalated
    ? h("button", { type: "button", class: "secondary small", id: "escalate", onclick: act(() => api.escalateTicket(ticket.id)) }, t("tickets.escalate"))
    : null;

  // A till's emergency may be its TSE failing: marked, the outage runs until the shop admin
  // or support records the TSE working again, with the cause.
  const tseFailed = screenData.events.find((e) => e.kind === "tse_failed");
  const tseRestored = screenData.events.find((e) => e.kind === "tse_restored");
  const cause = h("input", { id: "tse-cause", maxlength: 500, autocomplete: "off", "aria-label": t("tickets.tseCause"), placeholder: t("tickets.tseCause") });
  const tseOutage = ticket.priority !== "emergency" || !ticket.station_id
    ? null
    : tseRestored
      ? h("p", { id: "tse-outage", "data-outage": "ended" }, t("tickets.tseEnded", { at: formatInstant(tseRestored.at), cause: tseRestored.note }))
      : tseFailed
        ? h("form", {
            class: "inline-form",
            id: "tse-outage",
            "data-outage": "running",
            onsubmit: (event) => {
              event.preventDefault();
              act(() => api.recordTseWorking(ticket.id, cause.value))();
            },
          }, h("span", { class: "warning" }, t("tickets.tseRunning", { at: formatInstant(ticket.created_at) })), cause,
          h("button", { type: "submit", class: "secondary small", id: "tse-working" }, t("tickets.tseWorking")))
        : h("button", { type: "button", class: "secondary small", id: "mark-tse-failure", onclick: act(() => api.markTseFailure(ticket.id)) }, t("tickets.markTseFailure"));

  // The shop decides a quote; the desk offers them and waits.
  const role = ctx.info.staff?.role;
  const desk = role === "support_staff";
  const quotes = screenData.quotes.map((quote) => h("div", { class: "quote" },
    h("strong", {}, t("quotes.offer", { price: formatMoney(quote.price.amount, quote.price.currency) })),
    h("p", {}, quote.description),
    quote.decision
      ? h("p", { class: "muted" }, t(`quotes.${quote.decision}`, { by: quote.decided_by }))
      : role === "shop_admin" || !role
        ? h("div", { class: "buttons" },
          h("button", { type: "button", class: "primary small", onclick: act(() => api.decideQuote(ticket.id, true)) }, t("quotes.accept")),
          h("button", { type: "button", class: "secondary small", onclick: act(() => api.decideQuote(ticket.id, false)) }, t("quotes.decline")))
        : h("p", { class: "muted", id: "quote-waiting" }, t("quotes.waiting"))));

  const picker = h("input", { type: "file", id: "attach-file", accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.log,.txt", "aria-label": t("tickets.attach") });
  picker.addEventListener("change", act(async () => {
    const file = picker.files[0];
    if (file) await api.attachFile(ticket.id, file.name, new Uint8Array(await file.arrayBuffer()));
  }));
  const attachments = h("div", { class: "attachments" },
    h("h3", {}, t("tickets.attachments")),
    screenData.attachments.length
      ? h("ul", { id: "ticket-attachments" }, screenData.attachments.map((a) => h("li", {}, `${a.file_name} · ${a.content_type} · ${Math.max(1, Math.round(a.size / 1024))} KB`)))
      : h("p", { class: "muted" }, t("tickets.noAttachments")),
    ACTIVE.includes(ticket.state) ? h("label", { class: "file-label" }, t("tickets.attach"), picker) : null);

  const body = drafted(drafts, `${ticket.id}:comment`, h("textarea", { id: "comment-body", rows: 3, "aria-label": desk ? t("tickets.reply") : t("tickets.comment") }));
  const active = ACTIVE.includes(ticket.state);
  const send = (write, done) => async (event) => {
    event.preventDefault();
    try {
      await write(ticket.id, body.value);
      drafts.delete(`${ticket.id}:comment`);
      ctx.notify(t(done, { number: screenData.number }));
      await ctx.refresh();
    } catch (err) {
      ctx.notify(err.message, "error");
    }
  };
  // The desk writes either to the shop or to itself: two buttons, never a switch that could be
  // left on the wrong side.
  const noteButton = desk
    ? h("button", { type: "button", class: "secondary note-button", id: "note-submit", onclick: send(api.noteTicket, "tickets.noted") }, t("tickets.addNote"))
    : null;
  const commentForm = active
    ? h("form", { class: "comment-form", onsubmit: send(api.commentTicket, "tickets.commented") }, body,
      h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary", id: "comment-submit" }, desk ? t("tickets.reply") : t("tickets.comment")), noteButton))
    : h("p", { class: "muted" }, t("tickets.reopenToAdd"));

  const assignee = screenData.assignee;
  const mine = desk && assignee && assignee.id === ctx.info.staff?.id;
  const ownership = desk || assignee
    ? h("p", { class: `ownership${assignee ? "" : " waiting"}`, id: "ticket-assignee" },
      h("span", {}, assignee ? t("desk.assignedTo", { name: assignee.name }) : t("desk.unassigned")),
      desk && active
        ? h("button", {
            type: "button",
            class: mine ? "link" : "primary small",
            id: mine ? "ticket-give-back" : "ticket-take",
            onclick: act(async () => {
              await api.assignTicket(ticket.id, !mine);
              ctx.notify(t(mine ? "desk.givenBack" : "desk.taken", { number: screenData.number }));
            }),
          }, mine ? t("desk.giveBack") : t("desk.take"))
        : null)
    : null;

  const undecided = screenData.quotes.some((quote) => !quote.decision);
  const quoteAmount = drafted(drafts, `${ticket.id}:quote-amount`, h("input", { id: "quote-amount", inputmode: "decimal", required: true, maxlength: 12 }));
  const quoteText = drafted(drafts, `${ticket.id}:quote-description`, h("textarea", { id: "quote-description", rows: 2, required: true, maxlength: 5000 }));
  const offerQuote = desk && active && !undecided
    ? h("details", { class: "quote-offer", id: "quote-offer" }, h("summary", {}, t("quotes.offerTitle")),
      h("form", { onsubmit: async (event) => {
          event.preventDefault();
          try {
            await api.offerQuote(ticket.id, quoteAmount.value, quoteText.value);
            drafts.delete(`${ticket.id}:quote-amount`);
            drafts.delete(`${ticket.id}:quote-description`);
            ctx.notify(t("quotes.offered", { number: screenData.number }));
            await ctx.refresh();
          } catch (err) {
            ctx.notify(err.message, "error");
          }
        } },
        h("div", { class: "form-grid" },
          h("div", { class: "field" }, h("label", { for: "quote-amount" }, t("quotes.amount")), quoteAmount),
          h("div", { class: "field" }, h("label", { for: "quote-description" }, t("quotes.description")), quoteText)),
        h("button", { type: "submit", class: "primary", id: "quote-send" }, t("quotes.send"))))
    : null;

  // Replies and the desk's internal notes in one timeline, the notes marked as such.
  const thread = [
    ...screenData.comments.map((c) => ({ ...c, note: false })),
    ...screenData.notes.map((n) => ({ ...n, note: true })),
  ].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));

  return h("article", { class: "card ticket-detail", id: "ticket-detail", "data-state": ticket.state },
    h("header", {}, h("h2", {}, `${screenData.number} · ${ticket.title}`), badge(t, ticket.state)),
    h("p", { class: "muted" }, `${ticket.reporter} · ${t(`ticket.category.${ticket.category}`)} · ${t(`ticket.priority.${ticket.priority}`)} · ${formatInstant(ticket.created_at)}`),
    facts.length ? h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
    slaLine,
    ownership,
    opened ? contextPanel(ctx, opened, (other) => openTicket(ctx, other)) : null,
    h("div", { class: "state-actions" }, stateButtons, escalate, ticket.station_id ? connectButton(ctx, { ticketId: ticket.id }) : null),
    tseOutage,
    await sessionsPanel(ctx, { ticketId: ticket.id }),
    quotes.length ? h("section", { class: "quotes" }, quotes) : null,
    offerQuote,
    h("h3", {}, t("tickets.thread")),
    h("ol", { class: "thread", id: "ticket-thread" }, thread.map((c) => h("li", { class: c.note ? "note" : null },
      c.note ? h("span", { class: "note-label" }, t("tickets.internalNote")) : null,
      h("strong", {}, c.author), h("span", { class: "muted small" }, ` ${formatInstant(c.created_at)}`), h("p", {}, c.body)))),
    commentForm,
    attachments,
    h("details", { class: "history" }, h("summary", {}, t("tickets.history")),
      h("ol", {}, screenData.events.map((e) => h("li", {}, `${formatInstant(e.at)} · ${e.actor} · ${t(`event.${e.kind}`)}${historyDetail(t, e)}`)))));
}

/// What an event moved the ticket to: a state, or an agent (or back to the queue).
function historyDetail(t, event) {
  if (event.to_state) return ` → ${t(`ticket.state.${event.to_state}`)}`;
  if (event.kind === "assigned") return ` → ${event.assignee ? event.assignee.name : t("desk.backToQueue")}`;
  return "";
}
