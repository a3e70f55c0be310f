// The vendor admin's desk: the vendor profile (what invoices carry and whom the tills call),
// every contract across shops with its term, notice deadline and the renewals coming up, the
// shops with their billing data and admins, the vendor's staff, and the catalogue's versions.

import { billingForm } from "../billing.js";
import { h, table } from "../dom.js";
import { daysBetween, formatDate, formatMoney } from "../format.js";
import { noticeButton } from "../notice.js";

const PROFILE_FIELDS = [
  ["name", "vendor.name", "text", true],
  ["street", "billing.street", "text", true],
  ["postcode", "billing.postcode", "text", true],
  ["city", "billing.city", "text", true],
  ["country", "billing.country", "text", true],
  ["vat_id", "billing.vatId", "text", true],
  ["contact", "vendor.contact", "text", true],
  ["email", "billing.email", "email", true],
  ["phone", "vendor.phone", "tel", true],
  ["iban", "vendor.iban", "text", true],
  ["bic", "vendor.bic", "text", false],
  ["payment_days", "vendor.paymentDays", "number", true],
  ["vat_percent", "vendor.vatPercent", "text", true],
  ["hotline", "vendor.hotline", "tel", false],
  ["support_hours", "vendor.supportHours", "text", false],
];
const DEFAULTS = { country: "DE", payment_days: 14, vat_percent: "19" };

export async function render(ctx) {
  const { t, api } = ctx;
  const [profile, versions, shops, contracts, staff] = await Promise.all([
    api.vendorProfile(),
    api.catalogVersions(),
    api.billingShops(),
    api.vendorContracts(),
    api.listStaff(),
  ]);
  return h("div", { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("vendor.title")), h("p", { class: "summary" }, t("vendor.intro"))),
    profileForm(ctx, profile),
    contractsCard(ctx, contracts),
    shopsCard(ctx, shops, staff),
    staffCard(ctx, staff),
    versionsCard(ctx, versions));
}

function profileForm(ctx, profile) {
  const { t, api } = ctx;
  const inputs = Object.fromEntries(PROFILE_FIELDS.map(([name, , type, required]) => [name,
    h("input", { id: `profile-${name}`, name, type, required, autocomplete: "off", value: profile?.[name] ?? DEFAULTS[name] ?? "", min: type === "number" ? 1 : null })]));
  return h("form", {
    class: "card form-row",
    id: "profile-form",
    onsubmit: async (event) => {
      event.preventDefault();
      const kept = Object.fromEntries(PROFILE_FIELDS.map(([name, , , required]) => {
        const value = inputs[name].value.trim();
        if (name === "payment_days") return [name, Number(value)];
        return [name, required ? value : value || null];
      }));
      try {
        await api.setVendorProfile(kept);
        ctx.notify(t("vendor.saved"));
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("vendor.profile")),
  h("p", { class: profile ? "muted full" : "warning full" }, t(profile ? "vendor.profileHint" : "vendor.profileMissing")),
  PROFILE_FIELDS.map(([name, label]) => h("div", { class: "field" }, h("label", { for: inputs[name].id }, t(label)), inputs[name])),
  h("button", { type: "submit", class: "primary", id: "profile-save" }, t("common.save")));
}

function contractsCard(ctx, contracts) {
  const { t } = ctx;
  const today = ctx.info.today;
  const rows = contracts.map((c) => {
    const renewalIn = daysBetween(today, c.next_renewal);
    const state = c.ends_on ? t("vendor.endsOn", { date: formatDate(c.ends_on) }) : t(`contracts.state.${c.state}`);
    return h("tr", { "data-contract": c.contract_id },
      h("td", {}, c.shop_name),
      h("td", {}, h("strong", {}, c.plan_name), h("div", { class: "muted small" }, t("vendor.stations", { count: c.stations }))),
      h("td", { class: "number" }, c.price ? `${formatMoney(c.price, c.currency)} / ${t(`plans.period.${c.period}`)}` : t("common.none")),
      h("td", {}, `${formatDate(c.term_start)} – ${formatDate(c.term_end)}`),
      h("td", {}, formatDate(c.notice_deadline)),
      h("td", {}, c.notice_today_ends_on ? formatDate(c.notice_today_ends_on) : t("common.none")),
      h("td", {}, c.ends_on ? t("common.none") : formatDate(c.next_renewal),
        !c.ends_on && renewalIn >= 0 && renewalIn <= 60 ? h("span", { class: "badge warn" }, t("vendor.renewsIn", { days: renewalIn })) : null),
      h("td", {}, state),
      h("td", { class: "actions" }, c.notice_today_ends_on ? noticeButton(ctx, {
        id: c.contract_id,
        columns: 9,
        record: async (received, by) => (await ctx.api.recordContractNotice(c.contract_id, received, by)).ends_on,
      }) : null));
  });
  return h("section", { class: "card", id: "vendor-contracts" },
    h("h2", {}, t("vendor.contracts")),
    contracts.length
      ? table({
        id: "vendor-contract-table",
        caption: t("vendor.contracts"),
        headers: [t("invoices.shop"), t("vendor.plan"), t("vendor.price"), t("vendor.term"), t("vendor.noticeDeadline"), t("vendor.noticeToday"), t("vendor.nextRenewal"), t("invoices.status"), ""],
        rows,
      })
      : h("p", { class: "empty" }, t("vendor.noContracts")));
}

// A shop's admins, the ones named in its Second Level contract marked: only they bring the
// shop's tickets to the vendor.
function adminsCell(t, admins) {
  if (!admins.length) return h("td", { class: "muted" }, t("vendor.noAdmins"));
  return h("td", { class: "admins" }, admins.map((admin) => h("div", {},
    admin.name,
    admin.named_contact ? h("span", { class: "badge info" }, t("vendor.namedContact")) : null)));
}

function shopsCard(ctx, shops, staff) {
  const { t } = ctx;
  const editor = h("div", { id: "billing-editor" });
  const rows = shops.map((shop) => h("tr", { "data-shop": shop.id },
    h("td", {}, h("strong", {}, shop.name), shop.second_level ? h("div", { class: "muted small" }, t("vendor.secondLevel")) : null),
    h("td", {}, shop.billing ? shop.billing.legal_name : h("span", { class: "badge warn" }, t("vendor.noBilling"))),
    h("td", {}, shop.billing ? `${shop.billing.postcode} ${shop.billing.city}` : ""),
    h("td", {}, shop.billing?.email ?? ""),
    adminsCell(t, staff.filter((member) => member.shop_id === shop.id)),
    h("td", { class: "actions" }, h("button", {
      type: "button",
      class: "secondary small",
      id: `edit-billing-${shop.id}`,
      onclick: () => {
        editor.replaceChildren(billingForm(ctx, shop, ctx.refresh));
        editor.querySelector("input")?.focus();
      },
    }, t("vendor.editBilling")))));
  return h("section", { class: "card", id: "vendor-shops" },
    h("h2", {}, t("vendor.shops")),
    h("p", { class: "muted" }, t("vendor.shopsHint")),
    shops.length
      ? table({ id: "vendor-shop-table", caption: t("vendor.shops"), headers: [t("invoices.shop"), t("billing.legalName"), t("billing.city"), t("billing.email"), t("vendor.admins"), ""], rows })
      : h("p", { class: "empty" }, t("vendor.noShops")),
    editor);
}

// The vendor's own people: support staff and vendor admins.
function staffCard(ctx, staff) {
  const { t } = ctx;
  const own = staff.filter((member) => !member.shop_id);
  return h("section", { class: "card", id: "vendor-staff" },
    h("h2", {}, t("vendor.staff")),
    table({
      id: "vendor-staff-table",
      caption: t("vendor.staff"),
      headers: [t("vendor.staffName"), t("vendor.email"), t("vendor.role")],
      rows: own.map((member) => h("tr", {}, h("td", {}, member.name), h("td", {}, member.email), h("td", {}, t(`role.${member.role}`)))),
    }));
}

function versionsCard(ctx, versions) {
  const { t } = ctx;
  const today = ctx.info.today;
  // The newest version that has begun is the one in force; later ones are still to come.
  const inForce = versions.filter((v) => v.valid_from <= today).at(-1);
  return h("section", { class: "card", id: "catalog-versions" },
    h("h2", {}, t("vendor.catalog")),
    h("p", { class: "muted" }, t("vendor.catalogHint")),
    versions.length
      ? h("ul", { class: "version-list" }, versions.map((v) => h("li", {},
        h("strong", {}, t("vendor.validFrom", { date: formatDate(v.valid_from) })),
        ` · ${v.catalog.plans.map((plan) => plan.name).join(", ")}`,
        v === inForce ? h("span", { class: "badge ok" }, t("vendor.inForce")) : v.valid_from > today ? h("span", { class: "badge info" }, t("vendor.upcoming")) : null)))
      : h("p", { class: "empty" }, t("vendor.builtinCatalog")));
}
