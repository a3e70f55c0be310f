// A tiny element builder: text always goes in as text nodes, so a station called
// "<img onerror=…>" is shown, never run.

import { formatDate, parseDate } from "./format.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/// What is typed into `element` survives a redraw of the page (a sync landing while the user
/// presses the button loses nothing): kept in the `drafts` map under `key` until the caller
/// deletes it once sent.
export function drafted(drafts, key, element) {
  element.value = drafts.get(key) ?? "";
  element.addEventListener("input", () => drafts.set(key, element.value));
  return element;
}

/// A labelled table head cell list and rows, with a caption for screen readers.
export function table({ id, caption, headers, rows }) {
  const element = h(
    "table",
    { id, class: "data" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows),
  );
  return h("div", { class: "table-scroll" }, element);
}

/// A date field that shows and reads dates as the app's language writes them (WebKit's own date
/// input follows the operating system's locale instead, MM/DD/YYYY on an English system).
/// `field.iso()` is the ISO date typed; one that is no date keeps its form from being sent and
/// says how to write one (`hint`).
export function dateInput(attrs, iso, hint) {
  const input = h("input", { ...attrs, class: "date", type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false", value: formatDate(iso), placeholder: formatDate(iso), title: hint });
  const check = () => input.setCustomValidity(parseDate(input.value) ? "" : hint);
  input.addEventListener("input", check);
  input.iso = () => parseDate(input.value);
  return input;
}
