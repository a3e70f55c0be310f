// Reading the plan catalogue for display: names, how many stations a plan covers, its price.

import { formatMoney } from "./format.js";

export function planName(catalog, id) {
  return catalog.plans.find((plan) => plan.id === id)?.name ?? id;
}

export function stationRange(plan) {
  const pricing = plan.pricing;
  const min = pricing.kind === "bundle" ? pricing.min_units : 1;
  const max = pricing.max_units ?? null;
  return { min, max, text: max === null ? `${min}+` : min === max ? String(min) : `${min}–${max}` };
}

export function priceText(plan, currency, t) {
  const p = plan.pricing;
  const period = t(`plans.period.${plan.period}`);
  switch (p.kind) {
    case "per_unit":
      return t("plans.price.perUnit", { price: formatMoney(p.unit_price, currency), period });
    case "bundle":
      return t("plans.price.bundle", { price: formatMoney(p.price, currency), period, range: stationRange(plan).text });
    default:
      return t("plans.price.tiered", {
        price: formatMoney(p.base_price, currency),
        period,
        included: p.included_units,
        extra: formatMoney(p.overage_unit_price, currency),
      });
  }
}
