// The plan advisor: every sensible way to cover N stations, cheapest first, with who may call
// support spelled out, and setting up an option's contracts for the stations without support.

import { dateInput, h } from "../dom.js";
import { formatDate, formatMoney } from "../format.js";
import { planName, priceText } from "../plans.js";

// The advisor's count survives re-renders (a language switch, a refresh) within a session.
let lastCount = null;

export async function render(ctx) {
  const { t, api, catalog } = ctx;
  const coverage = await api.listStations();
  const uncovered = coverage.filter((c) => c.coverage === "uncovered").map((c) => c.station.id);
  const count = lastCount ?? (uncovered.length || coverage.length || 1);

  const countInput = h("input", { id: "advisor-count", type: "number", min: 1, max: 500, step: 1, value: count, required: true, inputmode: "numeric" });
  const startInput = dateInput({ id: "advisor-start", required: true }, ctx.info.today, t("common.dateHint"));
  const results = h("section", { id: "advisor-results", class: "options", "aria-live": "polite" });

  async function run() {
    const stations = Number(countInput.value);
    lastCount = stations;
    try {
      const advice = await api.advise(stations);
      results.replaceChildren(...(advice.options.length ? advice.options.map((option, index) => card(option, index, advice.stations)) : [h("p", { class: "card empty" }, t("advisor.none"))]));
    } catch (error) {
      results.replaceChildren(h("p", { class: "error-box", role: "alert" }, error.message));
    }
  }

  function whoMayCall(option) {
    if (option.who_may_call !== "mixed") return t(`advisor.who.${option.who_may_call}`);
    let direct = 0;
    let admins = 0;
    for (const item of option.items) {
      const plan = catalog.plans.find((p) => p.id === item.plan);
      if (plan?.who_may_call === "anyone_at_station") direct += item.stations;
      else admins += item.stations;
    }
    return t("advisor.who.mixed", { direct, admins });
  }

  // Nothing is ordered on the first click: the card first says what will be created, from
  // when, and what it costs a year; only "Order" orders it.
  function confirmation(option, index, area) {
    const contracts = option.items.reduce((sum, item) => sum + item.contracts, 0);
    const order = async () => {
      try {
        const made = await api.applyOption(option, uncovered, startInput.iso());
        ctx.notify(t("advisor.applied", { count: made.length }));
        lastCount = null;
        await ctx.navigate("stations");
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    };
    return h("div", { class: "confirm-order", id: `confirm-option-${index}`, role: "group", "aria-labelledby": `confirm-option-${index}-title` },
      h("p", { id: `confirm-option-${index}-title` }, h("strong", {}, t("advisor.confirmTitle", { count: contracts }))),
      h("ul", {}, option.items.map((item) => h("li", {}, t("advisor.item", { contracts: item.contracts, plan: planName(catalog, item.plan), count: item.stations })))),
      h("p", {}, t("advisor.confirmTotal", {
        start: formatDate(startInput.iso()),
        net: formatMoney(option.net_total, option.currency),
        gross: formatMoney(option.vat.gross.amount, option.currency),
      })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary confirm-apply", onclick: order }, t("advisor.confirmOrder", { count: contracts })),
        h("button", { type: "button", class: "secondary", onclick: () => area.replaceChildren() }, t("common.cancel"))));
  }

  function card(option, index, stations) {
    const canApply = uncovered.length > 0 && uncovered.length === stations;
    const confirmArea = h("div", { class: "confirm-area" });
    const apply = h(
      "button",
      {
        type: "button",
        class: index === 0 ? "primary apply-option" : "secondary apply-option",
        disabled: !canApply,
        onclick: () => {
          if (!startInput.iso()) return startInput.reportValidity();
          confirmArea.replaceChildren(confirmation(option, index, confirmArea));
          confirmArea.querySelector(".confirm-apply").focus();
        },
      },
      t("advisor.applyOption", { n: index + 1, net: formatMoney(option.net_total, option.currency) }),
    );
    const article = h(
      "article",
      { class: `card option${index === 0 ? " best" : ""}`, "aria-labelledby": `option-${index}-title` },
      h(
        "header",
        {},
        h("h2", { id: `option-${index}-title` }, t("advisor.option", { n: index + 1 })),
        index === 0 ? h("span", { class: "badge ok" }, t("advisor.cheapest")) : null,
      ),
      h("p", { class: "option-total" }, formatMoney(option.net_total, option.currency), h("small", {}, t("common.netPerYear"))),
      h("p", { class: "option-gross" }, t("advisor.gross", { gross: formatMoney(option.vat.gross.amount, option.currency), percent: option.vat.vat_percent })),
      h(
        "ul",
        { class: "option-items" },
        option.items.map((item) => {
          const plan = catalog.plans.find((p) => p.id === item.plan);
          return h(
            "li",
            {},
            h("strong", {}, t("advisor.item", { contracts: item.contracts, plan: planName(catalog, item.plan), count: item.stations })),
            plan ? h("span", { class: "muted" }, priceText(plan, catalog.currency, t)) : null,
          );
        }),
      ),
      h("p", { class: `who who-${option.who_may_call}` }, whoMayCall(option)),
      canApply ? [apply, confirmArea] : h("p", { class: "muted small-print" }, uncovered.length ? t("advisor.applyNeeds", { count: uncovered.length }) : null),
    );
    article.dataset.netTotal = option.net_total;
    return article;
  }

  const form = h(
    "form",
    {
      class: "card form-row",
      id: "advisor-form",
      onsubmit: (event) => {
        event.preventDefault();
        run();
      },
    },
    h("div", { class: "field" }, h("label", { for: "advisor-count" }, t("advisor.count")), countInput),
    h("div", { class: "field" }, h("label", { for: "advisor-start" }, t("advisor.start")), startInput),
    h("button", { type: "submit", class: "primary", id: "advisor-run" }, t("advisor.run")),
  );

  await run();
  return h("div", { class: "view" }, h("div", { class: "view-head" }, h("h1", {}, t("advisor.title")), h("p", { class: "summary" }, t("advisor.intro"))), form, results);
}
