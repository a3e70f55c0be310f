// German, English, Danish and Finnish texts from ui/i18n/*.json (the vendors in the seeds work
// in all four). The language follows the system's until the user picks one, which is
// remembered.

// Each language with the locale its dates, numbers and money are written in.
const LOCALES = { de: "de-DE", en: "en-GB", da: "da-DK", fi: "fi-FI" };
const SUPPORTED = Object.keys(LOCALES);
const STORAGE_KEY = "stationdesk.language";
let texts = {};
let language = "en";

export function systemLanguage() {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language ?? "en"];
  for (const tag of wanted) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (SUPPORTED.includes(base)) return base;
  }
  return "en";
}

export async function loadLanguage(requested) {
  const chosen = SUPPORTED.includes(requested) ? requested : localStorage.getItem(STORAGE_KEY) ?? systemLanguage();
  const response = await fetch(`i18n/${chosen}.json`);
  texts = await response.json();
  language = chosen;
  document.documentElement.lang = chosen;
  if (requested) localStorage.setItem(STORAGE_KEY, chosen);
  return chosen;
}

export function currentLanguage() {
  return language;
}

export function locale() {
  return LOCALES[language];
}

/// The text for `key` with `{name}` placeholders filled in; a missing key shows itself, so it
/// is noticed rather than silently blank. With `count: 1`, a `key.one` text (the singular) wins.
export function t(key, params = {}) {
  const singular = params.count === 1 ? texts[`${key}.one`] : undefined;
  const text = singular ?? texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
