// The cash-register law on the stations screen: each till's TSE certificate and how close its
// end is, the facts the tax office is told, and each site's report with its deadline.

import { dateInput, h, table } from "../dom.js";
import { formatDate } from "../format.js";

// How loud a certificate's end is: danger from 30 days (and once expired), a warning at 90,
// a note at 180.
const LOUDNESS = { expired: "danger", 30: "danger", 90: "warn", 180: "info" };

/// The TSE cell of a station's row.
export function tseCell(t, row) {
  const cell = h("td", { class: "tse" });
  if (!row?.tse_serial) {
    cell.append(t("common.none"));
    return cell;
  }
  const until = formatDate(row.tse_valid_until);
  const text = !row.warning
    ? t("compliance.validUntil", { date: until })
    : row.warning === "expired"
      ? t("compliance.expired", { date: until })
      : t("compliance.endsIn", { days: row.days_left, date: until });
  cell.append(
    row.warning ? h("span", { class: `badge ${LOUDNESS[row.warning]}`, "data-tse-warning": row.warning }, text) : h("span", { class: "muted" }, text),
    h("div", { class: "muted small" }, `TSE ${row.tse_serial}`),
  );
  return cell;
}

/// A line above the stations table when a certificate ends soon or a report is overdue.
export function complianceSummary(t, rows) {
  const urgent = rows.filter(tseUrgent).length;
  const overdue = rows.some((row) => row.report_overdue);
  if (!urgent && !overdue) return null;
  const parts = [urgent ? t("compliance.summaryUrgent", { count: urgent }) : null, overdue ? t("compliance.summaryOverdue") : null];
  return h("p", { class: "warning", id: "compliance-summary", role: "status" }, parts.filter(Boolean).join(" · "));
}

/// Whether a row should stand out in the stations table for its TSE.
export function tseUrgent(row) {
  return ["expired", "30", "90"].includes(row?.warning);
}

// An optional date field: empty is allowed and means "not given".
function optionalDate(id, iso, t) {
  const input = dateInput({ id }, iso ?? null, t("common.dateHint"));
  input.placeholder = t("common.datePattern");
  const check = () => input.setCustomValidity(!input.value.trim() || input.iso() ? "" : t("common.dateHint"));
  input.addEventListener("input", check);
  return input;
}

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

/// The form for one till's facts.
export function factsForm(ctx, station, sites, onDone) {
  const { t, api } = ctx;
  const facts = station.compliance ?? {};
  const tse = facts.tse ?? {};
  const text = (id, value, max = 120) => h("input", { id, value: value ?? "", maxlength: max, autocomplete: "off" });
  const choice = (id, value, options) =>
    h("select", { id }, options.map(([key, label]) => h("option", { value: key, selected: key === (value ?? "") }, label)));
  const controls = {
    kind: choice("facts-kind", facts.kind, [["", t("common.none")], ["pc", t("compliance.kind.pc")], ["tablet", t("compliance.kind.tablet")], ["register", t("compliance.kind.register")]]),
    make: text("facts-make", facts.make),
    model: text("facts-model", facts.model),
    software: text("facts-software", facts.software),
    software_version: text("facts-software-version", facts.software_version),
    serial: text("facts-serial", facts.serial),
    site: h("input", { id: "facts-site", value: facts.site?.name ?? "", maxlength: 120, list: "facts-sites", autocomplete: "off" }),
    purchased_on: optionalDate("facts-purchased", facts.purchased_on, t),
    in_service_from: optionalDate("facts-in-service", facts.in_service_from, t),
    out_of_service_from: optionalDate("facts-out-of-service", facts.out_of_service_from, t),
    tse_serial: text("facts-tse-serial", tse.serial),
    tse_kind: choice("facts-tse-kind", tse.kind ?? "hardware", [["hardware", t("compliance.tseKind.hardware")], ["cloud", t("compliance.tseKind.cloud")]]),
    tse_bsi_id: h("input", { id: "facts-tse-bsi", value: tse.bsi_id ?? "", maxlength: 40, placeholder: "BSI-K-TR-0000-2020", autocomplete: "off" }),
    tse_valid_until: optionalDate("facts-tse-valid-until", tse.valid_until, t),
    tse_in_use_from: optionalDate("facts-tse-in-use", tse.in_use_from, t),
  };
  const dates = ["purchased_on", "in_service_from", "out_of_service_from", "tse_valid_until", "tse_in_use_from"];
  const swapHint = h("p", { class: "muted", id: "facts-swap-hint" }, t("compliance.swapHint"));
  // Each control under its label, three to a row.
  const grid = (entries) => h("div", { class: "form-grid" }, entries.map(([key, label]) => field(controls[key].id, t(`compliance.${label}`), controls[key])));
  return h(
    "form",
    {
      class: "card",
      id: "facts-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const update = {};
        for (const [key, control] of Object.entries(controls)) {
          if (dates.includes(key)) {
            const iso = control.iso();
            if (iso) update[key] = iso;
          } else if (key === "kind") {
            if (control.value) update.kind = control.value;
          } else {
            update[key] = control.value;
          }
        }
        if (!update.tse_serial) {
          for (const key of ["tse_serial", "tse_kind", "tse_bsi_id", "tse_valid_until", "tse_in_use_from"]) delete update[key];
        }
        try {
          await api.setCompliance(station.id, update);
          ctx.notify(t("compliance.saved", { name: station.name }));
          onDone();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
      onkeydown: (event) => {
        if (event.key === "Escape") onDone();
      },
    },
    h("h2", {}, t("compliance.factsOf", { name: station.name })),
    h("datalist", { id: "facts-sites" }, sites.map((site) => h("option", { value: site.name }))),
    grid([["site", "site"], ["kind", "tillKind"], ["make", "make"], ["model", "model"], ["software", "software"], ["software_version", "softwareVersion"],
      ["serial", "serial"], ["purchased_on", "purchasedOn"], ["in_service_from", "inServiceFrom"], ["out_of_service_from", "outOfServiceFrom"]]),
    h("h3", {}, t("compliance.tse")),
    swapHint,
    grid([["tse_serial", "tseSerial"], ["tse_kind", "tseKindLabel"], ["tse_bsi_id", "bsiId"], ["tse_valid_until", "validUntilLabel"], ["tse_in_use_from", "inUseFrom"]]),
    facts.retired_tses?.length
      ? h("p", { class: "muted", id: "facts-retired" }, t("compliance.retired", { list: facts.retired_tses.map((old) => `${old.serial} (${formatDate(old.in_use_until)})`).join(", ") }))
      : null,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit", class: "primary", id: "facts-save" }, t("common.save")),
      h("button", { type: "button", class: "secondary", onclick: onDone }, t("common.cancel")),
      h("button", {
        type: "button",
        class: "secondary",
        id: "save-outage-log",
        onclick: async () => {
          try {
            ctx.notify(t("compliance.outageLogSaved", { path: await api.saveOutageLog(station.id) }));
          } catch (error) {
            ctx.notify(error.message, "error");
          }
        },
      }, t("compliance.saveOutageLog")),
    ),
  );
}

/// The sites and their reports to the tax office (§146a (4) AO).
export function sitesCard(ctx, coverage, rows) {
  const { t, api } = ctx;
  const sites = new Map();
  for (const { station } of coverage) {
    const site = station.compliance?.site;
    if (!site) continue;
    const key = site.name.toLowerCase();
    const entry = sites.get(key) ?? { site, tills: 0, filed: null, due: null, overdue: false };
    entry.tills += 1;
    const filed = station.compliance.last_report;
    if (filed && (!entry.filed || filed.filed_on > entry.filed.filed_on)) entry.filed = filed;
    const row = rows.find((r) => r.station_id === station.id);
    if (row?.report_due_by) entry.due = row.report_due_by;
    entry.overdue ||= Boolean(row?.report_overdue);
    sites.set(key, entry);
  }
  if (!sites.size) {
    return h("section", { class: "card", id: "sites-card" }, h("h2", {}, t("compliance.sitesTitle")), h("p", { class: "muted" }, t("compliance.noSites")));
  }
  const save = (name, format) => async () => {
    try {
      ctx.notify(t("compliance.reportSaved", { path: await api.saveSiteReport(name, format) }));
    } catch (error) {
      ctx.notify(error.message, "error");
    }
  };
  const filedForm = (name) => {
    const on = dateInput({ id: `filed-on-${name}`, required: true, "aria-label": t("compliance.filedOn") }, ctx.info.today, t("common.dateHint"));
    const ticket = h("input", { maxlength: 120, "aria-label": t("compliance.transferTicket"), placeholder: t("compliance.transferTicket"), autocomplete: "off" });
    return h(
      "form",
      {
        class: "inline-form filed-form",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await api.recordReportFiled(name, on.iso(), ticket.value);
            ctx.notify(t("compliance.filedSaved", { site: name }));
            await ctx.refresh();
          } catch (error) {
            ctx.notify(error.message, "error");
          }
        },
      },
      on,
      ticket,
      h("button", { type: "submit", class: "secondary small" }, t("compliance.markFiled")),
    );
  };
  // The address reads as text; "Address…" opens it for editing in place.
  const addressCell = (site) => {
    const written = [site.street, [site.postcode, site.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
    const shown = h("div", { class: "muted site-address" }, written || t("compliance.noAddress"));
    const cell = h("td", {}, h("strong", {}, site.name), shown);
    const edit = h("button", { type: "button", class: "link edit-address" }, t("compliance.editAddress"));
    edit.addEventListener("click", () => {
      const street = h("input", { value: site.street, maxlength: 120, "aria-label": t("compliance.street"), placeholder: t("compliance.street"), autocomplete: "off" });
      const postcode = h("input", { value: site.postcode, maxlength: 10, "aria-label": t("compliance.postcode"), placeholder: t("compliance.postcode"), class: "short", autocomplete: "off" });
      const city = h("input", { value: site.city, maxlength: 120, "aria-label": t("compliance.city"), placeholder: t("compliance.city"), autocomplete: "off" });
      const form = h(
        "form",
        {
          class: "inline-form address-form",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await api.setSiteAddress(site.name, street.value, postcode.value, city.value);
              ctx.notify(t("compliance.addressSaved", { site: site.name }));
              await ctx.refresh();
            } catch (error) {
              ctx.notify(error.message, "error");
            }
          },
        },
        street,
        postcode,
        city,
        h("button", { type: "submit", class: "secondary small" }, t("common.save")),
      );
      shown.replaceWith(form);
      edit.remove();
      street.focus();
    });
    cell.append(edit);
    return cell;
  };
  const siteRows = [...sites.values()].map(({ site, tills, filed, due, overdue }) => {
    const status = overdue
      ? h("span", { class: "badge danger", "data-report": "overdue" }, t("compliance.reportOverdue", { date: formatDate(due) }))
      : due
        ? h("span", { class: "badge warn", "data-report": "due" }, t("compliance.reportDue", { date: formatDate(due) }))
        : h("span", { class: "badge ok", "data-report": "filed" }, filed ? t("compliance.reportFiled", { date: formatDate(filed.filed_on) }) : t("compliance.reportNothingDue"));
    const tr = h(
      "tr",
      { class: overdue ? "row-warning" : null },
      addressCell(site),
      h("td", { class: "narrow" }, String(tills)),
      h("td", {}, status, filed ? h("div", { class: "muted small" }, t("compliance.lastFiled", { date: formatDate(filed.filed_on), ticket: filed.transfer_ticket || t("common.none") })) : null),
      h(
        "td",
        { class: "site-actions" },
        filedForm(site.name),
        h(
          "div",
          { class: "buttons" },
          h("button", { type: "button", class: "secondary small save-csv", onclick: save(site.name, "csv") }, t("compliance.saveCsv")),
          h("button", { type: "button", class: "secondary small save-json", onclick: save(site.name, "json") }, t("compliance.saveJson")),
        ),
      ),
    );
    tr.dataset.site = site.name;
    return tr;
  });
  return h(
    "section",
    { class: "card", id: "sites-card" },
    h("h2", {}, t("compliance.sitesTitle")),
    h("p", { class: "muted" }, t("compliance.sitesHint")),
    table({
      id: "sites-table",
      caption: t("compliance.sitesTitle"),
      headers: [t("compliance.site"), t("compliance.tills"), t("compliance.report"), t("stations.col.actions")],
      rows: siteRows,
    }),
  );
}

/// What needs the desk's eye for one till: its certificate's end, its site's report.
function attention(t, row) {
  const parts = [];
  if (row.warning) {
    const until = formatDate(row.tse_valid_until);
    parts.push(row.warning === "expired" ? t("compliance.expired", { date: until }) : t("compliance.endsIn", { days: row.days_left, date: until }));
  }
  if (row.report_due_by) {
    parts.push(t(row.report_overdue ? "compliance.reportOverdue" : "compliance.reportDue", { date: formatDate(row.report_due_by) }));
  }
  return parts.join(" · ");
}

/// Beside a ticket on the desk: the shop's tills that need attention for the law.
export function contextCompliance(t, rows) {
  if (!rows?.length) return null;
  return [
    h("h4", {}, t("compliance.deskTitle")),
    h("ul", { class: "context-compliance", id: "context-compliance" }, rows.map((row) =>
      h("li", { class: tseUrgent(row) || row.report_overdue ? "warning" : null }, h("strong", {}, row.station), ` · ${attention(t, row)}`))),
  ];
}

/// On the desk: every shop's tills that need attention for the law, the most urgent first.
export function deskComplianceCard(t, listed) {
  const body = listed.error
    ? h("p", { class: "error-box", role: "alert" }, listed.error.message)
    : !listed.length
      ? h("p", { class: "muted" }, t("compliance.deskNone"))
      : table({
          id: "desk-compliance",
          caption: t("compliance.deskTitle"),
          headers: [t("desk.column.shop"), t("desk.column.station"), "TSE", t("compliance.report")],
          rows: listed.map((row) => {
            const tr = h("tr", { class: tseUrgent(row) || row.report_overdue ? "row-warning" : null },
              h("td", {}, row.shop_name),
              h("td", {}, row.station),
              h("td", {}, row.warning ? attention(t, { ...row, report_due_by: null }) : row.tse_serial ?? "—"),
              h("td", {}, row.report_due_by ? attention(t, { ...row, warning: null }) : "—"));
            tr.dataset.warning = row.warning ?? "";
            return tr;
          }),
        });
  return h("section", { class: "card", id: "desk-compliance-card" }, h("h2", {}, t("compliance.deskTitle")), body);
}
