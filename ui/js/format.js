// Dates and money as the user's language writes them. Amounts arrive from Rust as exact decimal
// strings already rounded to cents; they are only formatted here, never computed with.

import { locale } from "./i18n.js";

// Making an Intl formatter costs far more than using one (ICU builds its patterns), and a
// ticket list formats a date or two per row: one formatter per language and shape, kept.
const formatters = new Map();

function formatter(Kind, options) {
  const key = `${Kind.name} ${locale()} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Kind(locale(), options);
    formatters.set(key, made);
  }
  return made;
}

export function formatDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  // Noon UTC keeps the civil date whatever the time zone of the machine.
  const date = new Date(Date.UTC(year, month - 1, day, 12));
  return formatter(Intl.DateTimeFormat, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" }).format(date);
}

/// A date as a user types it, in the order the app writes dates (day, month, year: 31.12.2026,
/// 31/12/2026) or as ISO (2026-12-31): the ISO date, or null when it is no date of the calendar.
export function parseDate(text) {
  const typed = String(text).trim();
  const parts = typed.split(/[^0-9]+/).filter(Boolean).map(Number);
  if (parts.length !== 3) return null;
  const [year, month, day] = /^\d{4}\D/.test(typed) ? parts : [parts[2], parts[1], parts[0]];
  const date = new Date(Date.UTC(year, month - 1, day, 12));
  const real = year >= 1000 && year <= 9999 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date.toISOString().slice(0, 10) : null;
}

export function formatMoney(amount, currency) {
  return formatter(Intl.NumberFormat, { style: "currency", currency }).format(Number(amount));
}

/// Whole days from `fromIso` to `toIso`.
export function daysBetween(fromIso, toIso) {
  return Math.round((Date.parse(`${toIso}T12:00:00Z`) - Date.parse(`${fromIso}T12:00:00Z`)) / 86_400_000);
}

/// An instant (RFC 3339 with the desk's offset) as weekday, date and time in that offset.
export function formatDateTime(rfc3339) {
  if (!rfc3339) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339);
  if (!match) return rfc3339;
  const [, year, month, day, hour, minute] = match.map(Number);
  // The wall-clock time as written, whatever the machine's own zone.
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return formatter(Intl.DateTimeFormat, { weekday: "short", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(date);
}

let shopZone = "Europe/Berlin";

/// The shop's time zone, in which stored UTC instants are shown.
export function setShopTimeZone(zone) {
  shopZone = zone;
}

/// A stored UTC instant in the shop's time zone.
export function formatInstant(iso) {
  if (!iso) return "";
  return formatter(Intl.DateTimeFormat, { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: shopZone }).format(new Date(iso));
}

/// A stored UTC instant in the shop's time zone, short: the weekday and time (a due time in the
/// queue, where a column is narrow).
export function formatDue(iso) {
  if (!iso) return "";
  return formatter(Intl.DateTimeFormat, { weekday: "short", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: shopZone }).format(new Date(iso));
}

/// A share in percent (`93.3`, as the server sends it), as the app's language writes it; a dash
/// when there is none.
export function formatPercent(share) {
  if (share === null || share === undefined) return "—";
  return formatter(Intl.NumberFormat, { style: "percent", maximumFractionDigits: 1 }).format(Number(share) / 100);
}
