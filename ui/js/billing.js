// The form for whom a shop's invoices are made out to: the shop admin keeps their own, the
// vendor admin any shop's. The server checks every field and says what is wrong.

import { h } from "./dom.js";

const FIELDS = [
  ["legal_name", "billing.legalName", "text", "organization"],
  ["street", "billing.street", "text", "street-address"],
  ["postcode", "billing.postcode", "text", "postal-code"],
  ["city", "billing.city", "text", "address-level2"],
  ["country", "billing.country", "text", "country"],
  ["email", "billing.email", "email", "email"],
  ["vat_id", "billing.vatId", "text", "off"],
  ["buyer_reference", "billing.buyerReference", "text", "off"],
];
const OPTIONAL = new Set(["vat_id", "buyer_reference"]);

export function billingForm(ctx, shop, onSaved) {
  const { t, api } = ctx;
  const prefix = `billing-${shop.id}`;
  const inputs = Object.fromEntries(FIELDS.map(([name, , type, autocomplete]) => {
    const value = shop.billing?.[name] ?? (name === "country" ? "DE" : "");
    return [name, h("input", { id: `${prefix}-${name}`, name, type, value, autocomplete, required: !OPTIONAL.has(name), maxlength: name === "country" ? 2 : null })];
  }));
  return h("form", {
    class: "card form-row billing-form",
    id: prefix,
    onsubmit: async (event) => {
      event.preventDefault();
      const billing = Object.fromEntries(FIELDS.map(([name]) => {
        const value = inputs[name].value.trim();
        return [name, OPTIONAL.has(name) ? value || null : value];
      }));
      try {
        await api.setShopBilling(shop.id, billing);
        ctx.notify(t("billing.saved", { shop: shop.name }));
        await onSaved();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("billing.title", { shop: shop.name })),
  h("p", { class: "muted full" }, t("billing.hint")),
  FIELDS.map(([name, label]) => h("div", { class: "field" }, h("label", { for: inputs[name].id }, t(label)), inputs[name])),
  h("button", { type: "submit", class: "primary", id: `${prefix}-save` }, t("common.save")));
}
