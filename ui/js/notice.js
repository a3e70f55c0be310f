// Recording a written notice for a contract: a row of its own under the contract's row, so the
// table keeps its columns. The shop admin records one in the shop's books, the vendor admin on
// the server; `record(received, by)` does it and answers the day the contract now ends.

import { dateInput, h } from "./dom.js";
import { formatDate } from "./format.js";

export function noticeButton(ctx, { id, columns, record }) {
  const { t } = ctx;
  const button = h("button", {
    type: "button",
    class: "secondary small",
    id: `notice-${id}`,
    onclick: () => {
      const tr = button.closest("tr");
      if (tr.nextElementSibling?.classList.contains("notice-row")) return;
      const { row, focus } = noticeRow(ctx, { id, columns, record });
      tr.after(row);
      focus();
    },
  }, t("contracts.notice"));
  return button;
}

function noticeRow(ctx, { id, columns, record }) {
  const { t } = ctx;
  const received = dateInput({ required: true, id: `notice-received-${id}` }, ctx.info.today, t("common.dateHint"));
  const by = h(
    "select",
    { id: `notice-by-${id}` },
    h("option", { value: "customer" }, t("contracts.notice.by.customer")),
    h("option", { value: "vendor" }, t("contracts.notice.by.vendor")),
  );
  const form = h(
    "form",
    {
      class: "notice-form",
      "aria-label": t("contracts.notice.title"),
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const endsOn = await record(received.iso(), by.value);
          ctx.notify(t("contracts.notice.saved", { date: formatDate(endsOn) }));
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
      onkeydown: (event) => {
        if (event.key === "Escape") ctx.refresh();
      },
    },
    h("strong", {}, t("contracts.notice.title")),
    h("div", { class: "field" }, h("label", { for: received.id }, t("contracts.notice.received")), received),
    h("div", { class: "field" }, h("label", { for: by.id }, t("contracts.notice.by")), by),
    h("button", { type: "submit", class: "primary", id: `notice-save-${id}` }, t("common.save")),
    h("button", { type: "button", class: "secondary", onclick: () => ctx.refresh() }, t("common.cancel")),
  );
  return { row: h("tr", { class: "notice-row" }, h("td", { colspan: columns }, form)), focus: () => received.focus() };
}
