// Stations: add, rename, see each one's support coverage, and make a contract for a selection.

import { dateInput, h, table } from "../dom.js";
import { formatDate } from "../format.js";
import { planName, priceText, stationRange } from "../plans.js";
import { complianceSummary, factsForm, sitesCard, tseCell, tseUrgent } from "./compliance.js";
import { connectButton, editRemote, remoteLabel } from "./remote.js";

export async function render(ctx) {
  const { t, api, catalog } = ctx;
  const [coverage, compliance] = await Promise.all([api.listStations(), api.complianceOverview()]);
  const complianceOf = (id) => compliance.find((row) => row.station_id === id);
  const sites = [...new Map(coverage.map(({ station }) => station.compliance?.site).filter(Boolean).map((site) => [site.name.toLowerCase(), site])).values()];
  // A till's facts open in a card under the table, one till at a time.
  const factsSlot = h("div", { id: "facts-slot" });
  const selected = new Set();
  const uncovered = coverage.filter((c) => c.coverage === "uncovered");

  const summary = h(
    "p",
    { class: "summary", id: "stations-summary" },
    t("stations.summary", { total: coverage.length, covered: coverage.length - uncovered.length, uncovered: uncovered.length }),
  );

  // ----- add a station -----
  const nameInput = h("input", { id: "station-name", name: "name", required: true, maxlength: 80, autocomplete: "off", placeholder: t("stations.add.namePlaceholder") });
  const locationInput = h("input", { id: "station-location", name: "location", maxlength: 120, autocomplete: "off", placeholder: t("stations.add.locationPlaceholder") });
  const addForm = h(
    "form",
    {
      class: "card form-row",
      id: "add-station-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const station = await api.addStation(nameInput.value, locationInput.value);
          ctx.notify(t("stations.added", { name: station.name }));
          await ctx.refresh();
          document.getElementById("station-name")?.focus();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    },
    h("h2", {}, t("stations.add.title")),
    h("div", { class: "field" }, h("label", { for: "station-name" }, t("stations.add.name")), nameInput),
    h("div", { class: "field" }, h("label", { for: "station-location" }, t("stations.add.location")), locationInput),
    h("button", { type: "submit", class: "primary", id: "add-station" }, t("stations.add.submit")),
  );

  // ----- make a contract for the selected stations -----
  const planSelect = h(
    "select",
    { id: "contract-plan" },
    catalog.plans.filter((p) => !p.trial_days).map((plan) => h("option", { value: plan.id }, plan.name)),
  );
  const startInput = dateInput({ id: "contract-start", required: true }, ctx.info.today, t("common.dateHint"));
  const planHint = h("p", { class: "muted", id: "contract-plan-hint" });
  const selectionText = h("strong", { id: "selection-count" });
  const createButton = h("button", { type: "submit", class: "primary", id: "create-contract" }, t("stations.contract.submit"));
  const contractForm = h(
    "form",
    {
      class: "card selection-bar",
      id: "contract-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api.createContract(planSelect.value, [...selected], startInput.iso());
          ctx.notify(t("stations.contract.created", { count: selected.size }));
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    },
    h("div", { class: "selection-head" }, selectionText, planHint),
    h("div", { class: "field" }, h("label", { for: "contract-plan" }, t("stations.contract.plan")), planSelect),
    h("div", { class: "field" }, h("label", { for: "contract-start" }, t("stations.contract.start")), startInput),
    createButton,
  );

  function updateSelection() {
    const plan = catalog.plans.find((p) => p.id === planSelect.value);
    const range = stationRange(plan);
    const fits = selected.size >= range.min && (range.max === null || selected.size <= range.max);
    selectionText.textContent = selected.size ? t("stations.selection", { count: selected.size }) : t("stations.contract.hint");
    planHint.textContent =
      selected.size && !fits
        ? t("stations.contract.tooMany", { plan: plan.name, range: range.text, count: selected.size })
        : priceText(plan, catalog.currency, t);
    planHint.classList.toggle("warning", selected.size > 0 && !fits);
    createButton.disabled = !selected.size || !fits;
  }
  planSelect.addEventListener("change", updateSelection);

  // ----- the table -----
  const checkboxes = [];
  const rows = coverage.map((entry) => row(entry));

  function row(entry) {
    const { station } = entry;
    const checkbox = h("input", {
      type: "checkbox",
      class: "select-station",
      "aria-label": `${t("stations.col.select")}: ${station.name}`,
      onchange: (event) => {
        if (event.target.checked) selected.add(station.id);
        else selected.delete(station.id);
        updateSelection();
      },
    });
    checkbox.dataset.stationId = station.id;
    checkboxes.push(checkbox);
    const nameCell = h("td", { class: "station-name" }, station.name);
    const renameButton = h("button", { type: "button", class: "secondary small", onclick: () => startRename() }, t("stations.rename"));

    function startRename() {
      const input = h("input", { value: station.name, maxlength: 80, "aria-label": t("stations.renameLabel", { name: station.name }), class: "rename-input" });
      const form = h(
        "form",
        {
          class: "inline-form",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              const renamed = await api.renameStation(station.id, input.value);
              ctx.notify(t("stations.renamed", { name: renamed.name }));
              await ctx.refresh();
            } catch (error) {
              ctx.notify(error.message, "error");
            }
          },
          onkeydown: (event) => {
            if (event.key === "Escape") ctx.refresh();
          },
        },
        input,
        h("button", { type: "submit", class: "primary small" }, t("common.save")),
        h("button", { type: "button", class: "secondary small", onclick: () => ctx.refresh() }, t("common.cancel")),
      );
      nameCell.replaceChildren(form);
      input.focus();
      input.select();
    }

    const remoteCell = h("td", { class: "remote" }, remoteLabel(t, station.remote));
    const factsButton = h(
      "button",
      {
        type: "button",
        class: "secondary small edit-facts",
        onclick: () => {
          factsSlot.replaceChildren(factsForm(ctx, station, sites, () => ctx.refresh()));
          factsSlot.querySelector("input")?.focus();
          factsSlot.scrollIntoView({ block: "nearest" });
        },
      },
      t("compliance.edit"),
    );
    const remoteButton = h("button", { type: "button", class: "secondary small edit-remote", onclick: () => editRemote(ctx, station, remoteCell) }, t("remote.edit"));

    const plan = entry.plan ? planName(catalog, entry.plan) : null;
    const badge =
      entry.coverage === "covered"
        ? h("span", { class: "badge ok" }, t("stations.covered", { plan }))
        : entry.coverage === "upcoming"
          ? h("span", { class: "badge info" }, t("stations.upcoming", { date: formatDate(entry.covered_from), plan }))
          : h("span", { class: "badge danger" }, t("stations.uncovered"));
    const until = entry.covered_until
      ? formatDate(entry.covered_until)
      : entry.coverage === "uncovered"
        ? t("common.none")
        : t("stations.untilFurtherNotice");
    const facts = complianceOf(station.id);
    const tr = h(
      "tr",
      { class: entry.coverage === "uncovered" || tseUrgent(facts) ? "row-warning" : null },
      h("td", { class: "narrow" }, checkbox),
      nameCell,
      h("td", {}, station.location || t("common.none")),
      h("td", { class: "support" }, badge),
      h("td", { class: "until" }, until),
      tseCell(t, facts),
      remoteCell,
      h("td", { class: "actions" }, renameButton, factsButton, remoteButton, station.remote ? connectButton(ctx, { stationId: station.id }) : null),
    );
    tr.dataset.stationId = station.id;
    tr.dataset.coverage = entry.coverage;
    return tr;
  }

  const selectAll = h(
    "button",
    {
      type: "button",
      class: "link",
      id: "select-uncovered",
      onclick: () => {
        for (const box of checkboxes) {
          const free = uncovered.some((u) => u.station.id === box.dataset.stationId);
          box.checked = free;
          if (free) selected.add(box.dataset.stationId);
          else selected.delete(box.dataset.stationId);
        }
        updateSelection();
      },
    },
    t("stations.selectAll"),
  );

  const list = coverage.length
    ? h(
        "section",
        { class: "card" },
        uncovered.length ? h("div", { class: "table-tools" }, selectAll) : null,
        table({
          id: "stations-table",
          caption: t("stations.title"),
          headers: ["", t("stations.col.name"), t("stations.col.location"), t("stations.col.support"), t("stations.col.until"), t("stations.col.tse"), t("stations.col.remote"), t("stations.col.actions")],
          rows,
        }),
      )
    : h("p", { class: "card empty" }, t("stations.empty"));

  updateSelection();
  return h(
    "div",
    { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("stations.title")), summary),
    complianceSummary(t, compliance),
    addForm,
    list,
    factsSlot,
    coverage.length ? contractForm : null,
    coverage.length ? sitesCard(ctx, coverage, compliance) : null,
  );
}
