// The till: one large emergency button, whom to call, whether support is open, and this
// station's open tickets. Built for touch screens and temps with no PC experience.

import { h } from "../dom.js";
import { formatDateTime, formatInstant } from "../format.js";

// The last press stays on screen until the next render after a new press or a restart.
let lastPress = null;

function supportLine(t, support) {
  if (support.open) return { open: true, text: t("till.open", { until: formatDateTime(support.next_close) }) };
  if (support.next_open) return { open: false, text: t("till.closed", { opens: formatDateTime(support.next_open) }) };
  return { open: false, text: t("till.closedNoOpening") };
}

// What the cashier does after a press, one instruction per situation:
//
//   contract        support open                    support closed
//   Support Flat    call the hotline, give number   leave a number for the callback service
//   Second Level    call the admin, give number     tell the admin, who passes it on
//   none            the admin sees the ticket       the admin sees the ticket
//
// Only a Flat till outside hours offers the callback form: under Second Level the admin is the
// cashier's way to support at any hour.
function situation(press) {
  const who = press.routing === "vendor" ? "vendor" : press.routing === "shop_admin" ? "admin" : "none";
  return who === "none" ? "none" : `${who}-${press.support.open ? "open" : "closed"}`;
}

function nextStep(t, press) {
  const admin = [press.admin_name, press.admin_phone].filter(Boolean).join(", ") || t("till.noAdmin");
  const opens = formatDateTime(press.support.next_open);
  switch (situation(press)) {
    case "vendor-open": return t("till.next.vendorOpen", { hotline: press.hotline || t("till.noHotline") });
    case "vendor-closed": return t("till.next.vendorClosed", { opens });
    case "admin-open": return t("till.next.adminOpen", { admin });
    case "admin-closed": return t("till.next.adminClosed", { admin, opens });
    default: return t("till.next.none");
  }
}

// Whether the ticket reached support: sent once the outbox is empty, waiting while it is not,
// and never on a till that is not connected to a server at all.
function delivery(sync) {
  if (!sync.enrolled) return "local";
  return sync.pending > 0 ? "waiting" : "sent";
}

function whomToCall(t, routing) {
  switch (routing.routing) {
    case "vendor":
      return h("div", { class: "call call-vendor", id: "till-routing", "data-routing": "vendor" },
        h("p", { class: "call-label" }, routing.support?.open === false && routing.support.next_open
          ? t("till.callSupportFrom", { opens: formatDateTime(routing.support.next_open) })
          : t("till.callSupport")),
        h("p", { class: "call-number" }, routing.hotline || t("till.noHotline")));
    case "shop_admin":
      return h("div", { class: "call call-admin", id: "till-routing", "data-routing": "shop_admin" },
        h("p", { class: "call-label" }, t("till.callAdmin")),
        h("p", { class: "call-number" }, [routing.admin_name, routing.admin_phone].filter(Boolean).join(" · ") || t("till.noAdmin")),
        h("p", { class: "call-note" }, t("till.adminEscalates")));
    default:
      return h("div", { class: "call call-none", id: "till-routing", "data-routing": "no_contract" },
        h("p", { class: "call-label" }, t("till.noContract")),
        h("p", { class: "call-note" }, t("till.noContractHow")));
  }
}

export async function render(ctx) {
  const { t, api } = ctx;
  const station = ctx.info.till_station;
  const [overview, sync] = await Promise.all([api.tillOverview(station.id), api.syncStatus()]);
  const support = supportLine(t, overview.support);

  const button = h(
    "button",
    {
      type: "button",
      id: "emergency-button",
      class: "emergency",
      onclick: async () => {
        button.disabled = true;
        try {
          lastPress = await api.pressEmergency(station.id);
          await ctx.refresh();
          document.getElementById("press-result")?.focus();
        } catch (error) {
          button.disabled = false;
          ctx.notify(error.message, "error");
        }
      },
    },
    h("span", { class: "emergency-title" }, t("till.button")),
    h("span", { class: "emergency-sub" }, t("till.buttonSub")),
  );

  // Outside support hours the cashier leaves a number for the callback service: a phone
  // number is all it takes.
  function callbackForm(press) {
    const phone = h("input", { id: "callback-phone", type: "tel", inputmode: "tel", autocomplete: "tel", "aria-label": t("till.callbackPhone"), placeholder: t("till.callbackPhone") });
    return h("form", {
      class: "callback-form",
      id: "callback-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api.requestCallback(press.ticket.id, phone.value);
          press.callback = phone.value.trim();
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    }, phone, h("button", { type: "submit", class: "primary", id: "callback-submit" }, t("till.callbackRequest")));
  }

  const result = lastPress
    ? h(
        "section",
        { id: "press-result", class: "press-result", tabindex: "-1", role: "alert", "data-situation": situation(lastPress) },
        h("p", { class: "press-number" }, t(lastPress.joined_open_ticket ? "till.joined" : "till.saved", { number: lastPress.number })),
        h("p", { id: "till-next" }, nextStep(t, lastPress)),
        situation(lastPress) === "vendor-closed" && !lastPress.callback ? callbackForm(lastPress) : null,
        lastPress.callback ? h("p", { id: "callback-done" }, t("till.callbackDone", { phone: lastPress.callback })) : null,
        // The law asks for every TSE outage to be documented: one tap starts its log.
        lastPress.tseFailed
          ? h("p", { id: "tse-failure-recorded" }, t("till.tseFailureRecorded"))
          : h("button", {
              type: "button",
              class: "secondary",
              id: "tse-failed",
              onclick: async () => {
                try {
                  await api.markTseFailure(lastPress.ticket.id);
                  lastPress.tseFailed = true;
                  await ctx.refresh();
                } catch (error) {
                  ctx.notify(error.message, "error");
                }
              },
            }, t("till.tseFailed")),
        h("p", { class: "muted", id: "till-delivery", "data-delivery": delivery(sync) }, t(`till.delivery.${delivery(sync)}`)),
      )
    : null;

  const answered = overview.callbacks_answered.length
    ? h("ul", { class: "till-callbacks", id: "till-callbacks" }, overview.callbacks_answered.map((callback) =>
        h("li", {}, t("till.calledBack", { number: callback.number, outcome: callback.outcome }))))
    : null;
  const tickets = overview.open_tickets.length
    ? h("ul", { class: "till-tickets", id: "till-tickets" }, overview.open_tickets.map((ticket) =>
        h("li", {}, h("strong", {}, ticket.number), " ", ticket.title, " ", h("span", { class: "badge info" }, t(`ticket.state.${ticket.state}`)))))
    : h("p", { class: "muted" }, t("till.noTickets"));

  return h(
    "div",
    { class: "view till" },
    overview.remote_help ? remoteBanner(ctx, station, overview.remote_help) : null,
    h("div", { class: "till-head" },
      h("h1", {}, overview.station.name),
      h("p", { class: `support-state ${support.open ? "is-open" : "is-closed"}`, id: "support-state" }, support.text)),
    result,
    button,
    whomToCall(t, overview),
    overview.remote_help ? null : overview.station.remote ? allowRemote(ctx, station, lastPress?.ticket.id) : remoteNotSetUp(t),
    h("section", { class: "card" }, h("h2", {}, t("till.openTickets")), answered, tickets),
    h("div", { class: "till-footer" }, h("div", { id: "language-slot" }), adminAccess(ctx)),
  );
}

// Why the station's remote tool did not start, shown under the banner until help ends.
let remoteProblem = null;

// One touch lets support connect to this till (the consent is recorded), offered all the time
// and right below the emergency button after a press.
function allowRemote(ctx, station, ticketId) {
  const { t, api } = ctx;
  return h("button", {
    type: "button",
    id: "allow-remote-help",
    class: "remote-allow",
    onclick: async () => {
      try {
        const help = await api.allowRemoteHelp(station.id, ticketId ?? null);
        remoteProblem = help.problem;
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  }, h("span", { class: "remote-allow-title" }, t("till.allowRemote")), h("span", { class: "remote-allow-sub" }, t("till.allowRemoteSub")));
}

// A till without a remote tool recorded cannot let anyone connect: say so, and whom to ask.
function remoteNotSetUp(t) {
  return h("p", { class: "card muted remote-missing", id: "remote-not-set-up" }, t("till.remoteNotSetUp"));
}

// While remote help is allowed, the till says so at the top until the cashier ends it.
function remoteBanner(ctx, station, consent) {
  const { t, api } = ctx;
  return h("section", { class: "remote-banner", id: "remote-banner", role: "status" },
    h("p", { class: "remote-banner-text" }, t("till.remoteBanner")),
    h("p", { class: "remote-banner-since" }, t("till.remoteSince", { at: formatInstant(consent.given_at) })),
    remoteProblem ? h("p", { class: "remote-banner-problem", id: "remote-problem" }, remoteProblem) : null,
    h("button", {
      type: "button",
      id: "end-remote-help",
      class: "remote-end",
      onclick: async () => {
        try {
          await api.endRemoteHelp(station.id);
          remoteProblem = null;
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    }, t("till.endRemote")));
}

// The way to the admin screens: straight through without a PIN, else a PIN prompt.
function adminAccess(ctx) {
  const { t, api } = ctx;
  const area = h("div", { class: "admin-access" });
  const link = h("button", {
    type: "button",
    class: "link admin-link",
    id: "to-admin",
    onclick: () => {
      if (!ctx.info.admin_pin_set) return ctx.enterAdmin();
      const pin = h("input", { id: "admin-pin", type: "password", inputmode: "numeric", autocomplete: "off", "aria-label": t("till.adminPin"), placeholder: t("till.adminPin") });
      const message = h("p", { class: "warning", id: "admin-pin-error", role: "alert" });
      area.replaceChildren(h("form", {
        class: "pin-form",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            if (await api.unlockAdmin(pin.value)) return ctx.enterAdmin();
            message.textContent = t("till.wrongPin");
            pin.value = "";
            pin.focus();
          } catch (error) {
            ctx.notify(error.message, "error");
          }
        },
      }, pin, h("button", { type: "submit", class: "secondary", id: "admin-pin-submit" }, t("till.openAdmin")), message));
      pin.focus();
    },
  }, t("till.admin"));
  area.append(link);
  return area;
}
