// The admin's window: a header with the language switch, a sidebar and one view at a time.
// Views are modules with `render(main, ctx)`; they load their own data and re-render on change.

import { api } from "./api.js";
import { h } from "./dom.js";
import { formatDate, formatInstant, setShopTimeZone } from "./format.js";
import { currentLanguage, loadLanguage, t } from "./i18n.js";

// When the page's modules had all loaded and when its first page was in the DOM, for the
// start-up line in the log.
const modulesLoaded = performance.now();
let firstDrawn = null;

// Each page's module is loaded when it is first shown: the first screen waits for its own page
// only, not for all ten.
const VIEWS = {
  stations: () => import("./views/stations.js"),
  desk: () => import("./views/desk.js"),
  report: () => import("./views/report.js"),
  mail: () => import("./views/mail.js"),
  tickets: () => import("./views/tickets.js"),
  contracts: () => import("./views/contracts.js"),
  advisor: () => import("./views/advisor.js"),
  invoices: () => import("./views/invoices.js"),
  vendor: () => import("./views/vendor.js"),
  access: () => import("./views/access.js"),
  settings: () => import("./views/settings.js"),
  till: () => import("./views/till.js"),
};

// A page with `data-roles` in the sidebar is for those signed-in roles only (the invoices for
// shop and vendor admins, the vendor's desk for vendor admins); one with `data-not-roles` is
// not for those (a shop's stations, contracts and plan advisor are not the support desk's).
function offered(button) {
  const role = ctx.info.staff?.role;
  const roles = button.dataset.roles?.split(" ");
  const notFor = button.dataset.notRoles?.split(" ") ?? [];
  return (!roles || roles.includes(role)) && !notFor.includes(role);
}

// Where the admin's pages open: the queue for the support desk, the stations for everyone else.
function home() {
  return ctx.info?.staff?.role === "support_staff" ? "desk" : "stations";
}

// The admin's pages on offer, in the order of the sidebar and of Alt+1, Alt+2, ...
function adminViews() {
  return [...document.querySelectorAll("#nav [data-view]")]
    .filter((button) => button.dataset.view !== "till" && offered(button))
    .map((button) => button.dataset.view);
}

const ctx = {
  api,
  t,
  info: null,
  catalog: null,
  view: "stations",
  navigate,
  notify,
  enterAdmin: (view = home()) => {
    document.body.dataset.mode = "admin";
    return navigate(view);
  },
  // A till PC shows only the till screen, full width, until someone chooses the admin pages.
  enterTill: () => {
    if (!ctx.info.till_station) return ctx.enterAdmin();
    document.body.dataset.mode = "till";
    return navigate("till");
  },
  refresh: () => show(ctx.view, { keepFocus: true }),
  // After an enrolment, a sign-in or a sign-out: the pages on offer follow the role (and the
  // till screen the station this PC became the till of), and a page no longer on offer gives
  // way to the first one.
  signedInOrOut: async () => {
    ctx.info = await api.appInfo();
    await followAccess().catch(() => {});
    const view = VIEWS[ctx.view] && (ctx.view === "till" || adminViews().includes(ctx.view)) ? ctx.view : home();
    await show(view, { keepFocus: true });
  },
};

function notify(message, kind = "ok") {
  const toasts = document.getElementById("toasts");
  const toast = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null },
    h("span", {}, message),
    // The accessible name is the word; the "×" a sighted user sees is only decoration.
    h("button", { type: "button", class: "link", onclick: () => toast.remove() },
      h("span", { "aria-hidden": "true" }, "×"), h("span", { class: "visually-hidden" }, t("common.dismiss"))),
  );
  toasts.append(toast);
  // A few at most: older news is stale and would cover the page.
  while (toasts.children.length > 3) toasts.firstElementChild.remove();
  setTimeout(() => toast.remove(), kind === "error" ? 12_000 : 5_000);
}

// Moved between the top bar and the till's foot, so kept by reference rather than looked up.
const languageGroup = document.getElementById("language-group");

function paintChrome() {
  document.getElementById("tagline").textContent = t("app.tagline");
  document.getElementById("today").textContent = `${t("app.today")}: ${formatDate(ctx.info.today)} · ${ctx.info.time_zone}`;
  languageGroup.setAttribute("aria-label", t("app.language"));
  document.getElementById("nav").setAttribute("aria-label", t("nav.label"));
  for (const button of languageGroup.querySelectorAll("[data-language]")) {
    button.setAttribute("aria-pressed", String(button.dataset.language === currentLanguage()));
  }
  // Who is signed in, set together with the sidebar that offers that role's pages: the E2E
  // harness waits for it before it opens one of them.
  document.body.dataset.signedIn = ctx.info.staff?.email ?? "";
  document.getElementById("nav-till").hidden = !ctx.info.till_station;
  for (const button of document.querySelectorAll("#nav [data-roles], #nav [data-not-roles]")) button.hidden = !offered(button);
  for (const button of document.querySelectorAll("#nav [data-view]")) {
    button.textContent = t(`nav.${button.dataset.view}`);
    if (button.dataset.view === ctx.view) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
}

// Each show() gets a number; a slower, older render that finishes late is dropped instead of
// replacing a newer view.
let shown = 0;
// Whether a page is being drawn, and whether a sync came in meanwhile that it may have missed.
let rendering = false;
let redrawAfterRender = null;

async function show(view, { keepFocus = false, background = false, emergency = false } = {}) {
  const ticket = ++shown;
  ctx.view = view;
  rendering = true;
  const main = document.getElementById("main");
  // Assistive technology waits for the new page; so do the E2E tests, as a render number that
  // changed may be an older redraw finishing.
  main.setAttribute("aria-busy", "true");
  let content;
  try {
    content = await (await VIEWS[view]()).render(ctx);
  } catch (error) {
    content = h("p", { class: "error-box", role: "alert" }, `${t("common.error")}: ${error.message}`);
  }
  if (ticket !== shown) return;
  rendering = false;
  main.removeAttribute("aria-busy");
  // A redraw for a sync gives way to whatever someone began on the page while it was being
  // drawn (a click on "Turn on" whose QR code would land in the page being replaced).
  if (background && busy(emergency)) return;
  // On the till the language switch sits at the foot of the screen, after the emergency button
  // in the Tab order and out of a stray tap's way; elsewhere in the top bar.
  const slot = content.querySelector?.("#language-slot");
  (slot ?? document.querySelector(".topbar-right")).append(languageGroup);
  // The chrome and the view change together, so nothing half-translated is ever on screen.
  paintChrome();
  paintAccessBanner();
  main.replaceChildren(content);
  if (firstDrawn === null) reportFirstFrame();
  main.dataset.view = view;
  main.dataset.render = String(ticket);
  if (!keepFocus) main.focus();
  if (redrawAfterRender) {
    const { emergency: arrived } = redrawAfterRender;
    redrawAfterRender = null;
    // Someone may have begun typing into the page just drawn: that outranks the redraw.
    if (!busy(arrived)) show(view, { keepFocus: true, background: true, emergency: arrived });
  }
}

// When the server no longer takes this installation's token (an admin disconnected the till,
// a session ended), every screen says so and what to do; nothing saved here is lost meanwhile.
let accessEnded = false;

function paintAccessBanner() {
  const banner = document.getElementById("access-banner");
  banner.hidden = !accessEnded;
  if (!accessEnded) return banner.replaceChildren();
  const staff = Boolean(ctx.info.staff);
  const text = h("p", { id: "access-banner-text" }, t(staff ? "access.bannerSession" : "access.bannerTill"));
  // On the till the admin pages are behind the admin link; elsewhere one click away.
  if (document.body.dataset.mode === "till") return banner.replaceChildren(text);
  banner.replaceChildren(text,
    h("button", { type: "button", class: "secondary small", id: "access-banner-settings", onclick: () => navigate("settings") }, t("access.bannerAction")));
}

async function followAccess() {
  const ended = Boolean((await api.syncStatus()).access_ended);
  if (ended === accessEnded) return;
  accessEnded = ended;
  paintAccessBanner();
}

// Every background sync is reported (null when it failed): the sync state in Settings follows
// it, and what the server sent reaches the ticket list and the till, all without a reload
// unless someone is typing there; an emergency also raises a desktop notification, for the
// support desk.
async function onSynced(synced) {
  await followAccess().catch(() => {});
  const arrived = synced?.pulled.emergencies ?? [];
  if (synced?.pulled.catching_up) {
    // The first read of the history (after a sign-in, say): what was waiting already is one
    // summary, not an alert per ticket.
    if (arrived.length) await summariseWaiting(arrived);
  } else {
    for (const emergency of arrived) {
      const summary = t("sync.emergencyArrived", { number: emergency.number });
      notify(`${summary}: ${emergency.title}`, "error");
      api.notifyDesktop(summary, emergency.title).catch(() => {});
    }
  }
  // A new emergency shows in the ticket list and the desk's queue whatever they were narrowed
  // to.
  if (arrived.length && !synced.pulled.catching_up) {
    for (const view of [VIEWS.tickets, VIEWS.desk]) (await view()).showEverythingActive();
  }
  await warnOfDueClocks();
  // The vendor's catalogue may have come with it; the advisor prices with the newest copy.
  api.catalog().then((catalog) => (ctx.catalog = catalog)).catch(() => {});
  // The till follows what it sent too: "will be sent" becomes "sent to support".
  // The desk's queue is read from the server, so it follows whatever moved there; a ticket's
  // page follows what reached this PC.
  const follows = synced?.pulled.applied ? ["tickets", "desk", "till", "settings"]
    : synced?.pulled.moved_on ? ["desk", "settings"] : synced?.pushed.accepted ? ["till", "settings"] : ["settings"];
  if (!follows.includes(ctx.view)) return;
  // A page being drawn now (after a form was sent, or a click in the sidebar) may have read
  // what this sync changed before it changed: once it is on screen, it is drawn again. A redraw
  // never cuts a page someone asked for short.
  if (rendering) {
    redrawAfterRender = { emergency: Boolean(redrawAfterRender?.emergency) || arrived.length > 0 };
    return;
  }
  if (!busy(arrived.length > 0)) show(ctx.view, { keepFocus: true, background: true, emergency: arrived.length > 0 });
}

// Nothing anyone typed is drawn away: not the field in use, nor a half-filled form left for a
// moment (a sign-in, a comment), nor a step under way (a QR code to scan, recovery codes to
// write down: `data-busy`). An arriving emergency outranks a half-typed search only.
function busy(emergencyArrived) {
  const main = document.getElementById("main");
  return Boolean(main.querySelector("[data-busy]")) || [...main.querySelectorAll("input, textarea")]
    .filter((field) => !(emergencyArrived && ["tickets-search", "desk-search"].includes(field.id)))
    .some((field) => field === document.activeElement || edited(field));
}

// Whether a field holds something its page did not put there. A box's `value` is "on" whatever
// it shows, so boxes are judged by whether they are ticked as drawn; a file field by a file.
function edited(field) {
  if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
  if (field.type === "file") return field.files.length > 0;
  return field.value !== field.defaultValue;
}

// The desk's `arrived` are the emergencies waiting in its queue; a shop's are what its history
// held, of which the ones still active count.
async function summariseWaiting(arrived) {
  const waiting = ctx.info.staff?.role === "support_staff"
    ? arrived
    : await api.listTickets("shop", ["new", "open", "waiting_for_customer"], ["emergency"], true).catch(() => []);
  if (!waiting.length) return;
  const summary = t("sync.emergenciesWaiting", { count: waiting.length });
  notify(summary, "error");
  api.notifyDesktop(summary, waiting.map((ticket) => `${ticket.number} ${ticket.title}`).join("\n")).catch(() => {});
}

// The desk is warned before an SLA clock runs out on its agent's tickets or on one nobody has
// taken: after each sync and each minute, each clock once.
const DUE_CHECK_MS = 60 * 1000;
async function warnOfDueClocks() {
  if (ctx.info.staff?.role !== "support_staff") return;
  const soon = await api.deskDueSoon().catch(() => []);
  for (const due of soon) {
    const summary = t(due.clock === "first_response" ? "sla.warnFirstResponse" : "sla.warnResolution", { number: due.number, at: formatInstant(due.due) });
    notify(`${summary}: ${due.title}`, "error");
    api.notifyDesktop(summary, `${due.shop_name} · ${due.title}`).catch(() => {});
  }
}

function navigate(view) {
  return show(view);
}

async function start() {
  // Everything the first screen depends on is asked for at once: each is a round trip.
  let status;
  [, ctx.info, ctx.catalog, status] = await Promise.all([loadLanguage(), api.appInfo(), api.catalog(), api.syncStatus()]);
  setShopTimeZone(ctx.info.time_zone);
  for (const button of document.querySelectorAll("#nav [data-view]")) {
    button.addEventListener("click", () => (button.dataset.view === "till" ? ctx.enterTill() : navigate(button.dataset.view)));
  }
  for (const button of languageGroup.querySelectorAll("[data-language]")) {
    button.addEventListener("click", async () => {
      await loadLanguage(button.dataset.language);
      await show(ctx.view, { keepFocus: true });
    });
  }
  // Alt+1, Alt+2, ... switch the admin's pages from anywhere, for keyboard users in the back
  // office.
  document.addEventListener("keydown", (event) => {
    const index = Number(event.key) - 1;
    const views = adminViews();
    if (event.altKey && document.body.dataset.mode === "admin" && index >= 0 && index < views.length) {
      event.preventDefault();
      navigate(views[index]);
    }
  });
  // First run next to a server of its own: straight to setting up the shop.
  const firstRun = ctx.info.local_server && !status.enrolled;
  await Promise.all([
    window.__TAURI__.event.listen("synced", (event) => onSynced(event.payload).catch(() => {})),
    followAccess().catch(() => {}),
    firstRun ? ctx.enterAdmin("settings") : ctx.enterTill(),
  ]);
  setInterval(() => warnOfDueClocks().catch(() => {}), DUE_CHECK_MS);
  document.body.dataset.ready = "true";
}

// The first page is in the DOM: the second frame's callback runs once the frame that shows it
// is on screen, and the start-up time goes to the log.
function reportFirstFrame() {
  firstDrawn = performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => api.windowPainted(modulesLoaded, firstDrawn, performance.now()).catch(() => {})));
}

start().catch((error) => {
  document.getElementById("main").replaceChildren(h("p", { class: "error-box", role: "alert" }, String(error.message ?? error)));
});
