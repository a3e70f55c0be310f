// Invoices, read from the server as issued: a shop admin sees their shop's and downloads each
// as PDF or as the XRechnung e-invoice; the vendor admin also runs the invoices due and records
// payments. Every figure comes from the server; nothing is computed here.

import { billingForm } from "../billing.js";
import { dateInput, h, table } from "../dom.js";
import { formatDate, formatMoney } from "../format.js";

// "All" or only the overdue ones, kept across re-renders within a session.
let onlyOverdue = false;

function statusBadge(t, invoice, today) {
  if (invoice.kind === "credit_note") return h("span", { class: "badge info" }, t("invoices.creditNoteFor", { number: invoice.refers_to }));
  if (invoice.cancelled_by) return h("span", { class: "badge info" }, t("invoices.cancelledBy", { number: invoice.cancelled_by }));
  if (invoice.paid_on) return h("span", { class: "badge ok" }, t("invoices.paidOn", { date: formatDate(invoice.paid_on) }));
  if (invoice.due_on < today) return h("span", { class: "badge danger" }, t("invoices.overdue"));
  return h("span", { class: "badge warn" }, t("invoices.open"));
}

export async function render(ctx) {
  const { t, api } = ctx;
  const vendorAdmin = ctx.info.staff?.role === "vendor_admin";
  const today = ctx.info.today;
  const [invoices, shops] = await Promise.all([
    api.listInvoices(onlyOverdue),
    vendorAdmin ? Promise.resolve([]) : api.billingShops(),
  ]);

  async function save(invoice, format) {
    try {
      const path = await api.saveInvoice(invoice.number, format);
      ctx.notify(t("invoices.saved", { path }));
    } catch (error) {
      ctx.notify(error.message, "error");
    }
  }

  function paidForm(invoice) {
    const on = dateInput({ required: true, id: `paid-on-${invoice.number}`, "aria-label": t("invoices.paidDate")}, today, t("common.dateHint"));
    return h("form", {
      class: "inline-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api.markInvoicePaid(invoice.number, on.iso());
          ctx.notify(t("invoices.markedPaid", { number: invoice.number }));
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    }, on, h("button", { type: "submit", class: "secondary small", id: `paid-${invoice.number}` }, t("invoices.markPaid")));
  }

  const rows = invoices.map((invoice) => {
    const unpaid = invoice.kind === "invoice" && !invoice.paid_on && !invoice.cancelled_by;
    return h("tr", { "data-number": invoice.number, "data-kind": invoice.kind },
      h("td", { class: "invoice-number" }, h("strong", {}, invoice.number), h("div", { class: "muted small" }, t(`invoices.kind.${invoice.kind}`))),
      vendorAdmin ? h("td", {}, invoice.buyer.legal_name) : null,
      h("td", {}, formatDate(invoice.issued_on)),
      h("td", {}, `${formatDate(invoice.period_start)} – ${formatDate(invoice.period_end)}`),
      h("td", { class: "number" }, formatMoney(invoice.net, invoice.currency)),
      h("td", { class: "number gross" }, formatMoney(invoice.gross, invoice.currency)),
      h("td", {}, formatDate(invoice.due_on)),
      h("td", { class: "invoice-status" }, statusBadge(t, invoice, today)),
      h("td", { class: "actions invoice-actions" },
        h("button", { type: "button", class: "secondary small", id: `pdf-${invoice.number}`, onclick: () => save(invoice, "pdf") }, "PDF"),
        h("button", { type: "button", class: "secondary small", id: `xml-${invoice.number}`, title: t("invoices.xmlHint"), onclick: () => save(invoice, "xml") }, t("invoices.eInvoice")),
        vendorAdmin && unpaid ? paidForm(invoice) : null),
    );
  });

  const headers = [t("invoices.number"), vendorAdmin ? t("invoices.shop") : null, t("invoices.issued"), t("invoices.period"), t("invoices.net"), t("invoices.gross"), t("invoices.due"), t("invoices.status"), ""].filter((x) => x !== null);
  const filter = h("div", { class: "tabs", role: "group", "aria-label": t("invoices.filter") },
    [[false, "invoices.all"], [true, "invoices.onlyOverdue"]].map(([overdue, label]) => h("button", {
      type: "button",
      id: overdue ? "invoices-overdue" : "invoices-all",
      "aria-pressed": String(onlyOverdue === overdue),
      onclick: async () => {
        onlyOverdue = overdue;
        await ctx.refresh();
      },
    }, t(label))));

  const list = h("section", { class: "card" },
    h("div", { class: "table-tools" }, filter),
    invoices.length
      ? table({ id: "invoice-table", caption: t("invoices.title"), headers, rows })
      : h("p", { class: "empty", id: "invoices-empty" }, t(onlyOverdue ? "invoices.noneOverdue" : "invoices.none")));

  return h("div", { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("invoices.title")), h("p", { class: "summary" }, t(vendorAdmin ? "invoices.introVendor" : "invoices.introShop"))),
    vendorAdmin ? runForm(ctx) : null,
    list,
    shops.map((shop) => billingForm(ctx, shop, ctx.refresh)));
}

// The vendor admin's invoice run: everything due on or before the day is issued, once.
function runForm(ctx) {
  const { t, api } = ctx;
  const on = dateInput({ id: "run-on", required: true }, ctx.info.today, t("common.dateHint"));
  return h("form", {
    class: "card form-row",
    id: "run-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const issued = await api.runInvoices(on.iso());
        ctx.notify(issued.length ? t("invoices.issuedSome", { count: issued.length, numbers: issued.map((i) => i.number).join(", ") }) : t("invoices.issuedNone"));
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("invoices.run")),
  h("p", { class: "muted full" }, t("invoices.runHint")),
  h("div", { class: "field" }, h("label", { for: "run-on" }, t("invoices.runOn")), on),
  h("button", { type: "submit", class: "primary", id: "run-submit" }, t("invoices.runSubmit")));
}
