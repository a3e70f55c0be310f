// Dates and money as the user's language writes them. Amounts arrive from Rust as exact decimal
// strings already rounded to cents; they are only formatted here, never computed with.

import { locale } from "./i18n.js";

export function formatDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  // Noon UTC keeps the civil date whatever the time zone of the machine.
  const date = new Date(Date.UTC(year, month - 1, day, 12));
  return new Intl.DateTimeFormat(locale(), { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" }).format(date);
}

export function formatMoney(amount, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(Number(amount));
}

/// Whole days from `fromIso` to `toIso`.
export function daysBetween(fromIso, toIso) {
  return Math.round((Date.parse(`${toIso}T12:00:00Z`) - Date.parse(`${fromIso}T12:00:00Z`)) / 86_400_000);
}
