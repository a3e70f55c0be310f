// The admin's window: a header with the language switch, a sidebar and one view at a time.
// Views are modules with `render(main, ctx)`; they load their own data and re-render on change.

import { api } from "./api.js";
import { h } from "./dom.js";
import { formatDate } from "./format.js";
import { currentLanguage, loadLanguage, t } from "./i18n.js";
import * as stations from "./views/stations.js";
import * as contracts from "./views/contracts.js";
import * as advisor from "./views/advisor.js";

const VIEWS = { stations, contracts, advisor };

const ctx = {
  api,
  t,
  info: null,
  catalog: null,
  view: "stations",
  navigate,
  notify,
  refresh: () => show(ctx.view, { keepFocus: true }),
};

function notify(message, kind = "ok") {
  const toasts = document.getElementById("toasts");
  const toast = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null },
    h("span", {}, message),
    h("button", { type: "button", class: "link", "aria-label": t("common.dismiss"), onclick: () => toast.remove() }, "×"),
  );
  toasts.append(toast);
  // A few at most: older news is stale and would cover the page.
  while (toasts.children.length > 3) toasts.firstElementChild.remove();
  setTimeout(() => toast.remove(), kind === "error" ? 12_000 : 5_000);
}

function paintChrome() {
  document.getElementById("tagline").textContent = t("app.tagline");
  document.getElementById("today").textContent = `${t("app.today")}: ${formatDate(ctx.info.today)} · ${ctx.info.time_zone}`;
  document.getElementById("language-group").setAttribute("aria-label", t("app.language"));
  document.getElementById("nav").setAttribute("aria-label", t("nav.label"));
  for (const button of document.querySelectorAll("[data-language]")) {
    button.setAttribute("aria-pressed", String(button.dataset.language === currentLanguage()));
  }
  for (const button of document.querySelectorAll("#nav [data-view]")) {
    button.textContent = t(`nav.${button.dataset.view}`);
    if (button.dataset.view === ctx.view) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
}

// Each show() gets a number; a slower, older render that finishes late is dropped instead of
// replacing a newer view.
let shown = 0;

async function show(view, { keepFocus = false } = {}) {
  const ticket = ++shown;
  ctx.view = view;
  let content;
  try {
    content = await VIEWS[view].render(ctx);
  } catch (error) {
    content = h("p", { class: "error-box", role: "alert" }, `${t("common.error")}: ${error.message}`);
  }
  if (ticket !== shown) return;
  // The chrome and the view change together, so nothing half-translated is ever on screen.
  paintChrome();
  const main = document.getElementById("main");
  main.replaceChildren(content);
  main.dataset.view = view;
  main.dataset.render = String(ticket);
  if (!keepFocus) main.focus();
}

function navigate(view) {
  return show(view);
}

async function start() {
  await loadLanguage();
  [ctx.info, ctx.catalog] = await Promise.all([api.appInfo(), api.catalog()]);
  for (const button of document.querySelectorAll("#nav [data-view]")) {
    button.addEventListener("click", () => navigate(button.dataset.view));
  }
  for (const button of document.querySelectorAll("[data-language]")) {
    button.addEventListener("click", async () => {
      await loadLanguage(button.dataset.language);
      await show(ctx.view, { keepFocus: true });
    });
  }
  // Alt+1..3 switch views from anywhere, for keyboard users at a busy counter.
  document.addEventListener("keydown", (event) => {
    const views = Object.keys(VIEWS);
    const index = Number(event.key) - 1;
    if (event.altKey && index >= 0 && index < views.length) {
      event.preventDefault();
      navigate(views[index]);
    }
  });
  await show("stations");
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  document.getElementById("main").replaceChildren(h("p", { class: "error-box", role: "alert" }, String(error.message ?? error)));
});
