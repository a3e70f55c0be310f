// Contracts: each with its current term, the notice deadline, what a notice today would do,
// and recording a written notice.

import { h, table } from "../dom.js";
import { daysBetween, formatDate, formatMoney } from "../format.js";
import { noticeButton } from "../notice.js";

export async function render(ctx) {
  const { t, api } = ctx;
  const [statuses, coverage] = await Promise.all([api.listContracts(), api.listStations()]);
  const stationName = new Map(coverage.map((c) => [c.station.id, c.station.name]));
  const today = ctx.info.today;

  function deadlineCell(status) {
    const deadline = status.terms.notice_deadline;
    if (status.state !== "active") return h("td", {}, formatDate(deadline));
    const days = daysBetween(today, deadline);
    const soon = days >= 0 && days <= 30;
    return h(
      "td",
      { class: soon ? "deadline soon" : "deadline" },
      formatDate(deadline),
      soon ? h("span", { class: "badge warn" }, days === 0 ? t("contracts.deadlineToday") : t("contracts.deadlineSoon", { days })) : null,
    );
  }

  const COLUMNS = 9;

  const rows = statuses.map((status) => {
    const contract = status.contract;
    const actions = h("td", { class: "actions" });
    if (status.state === "active") {
      actions.append(noticeButton(ctx, {
        id: contract.id,
        columns: COLUMNS,
        record: async (received, by) => (await api.giveNotice(contract.id, received, by)).notice.effective_on,
      }));
    }
    const stateText =
      status.state === "active" ? t("contracts.state.active") : `${t(`contracts.state.${status.state}`)} · ${t("contracts.endsOn", { date: formatDate(contract.notice.effective_on) })}`;
    const tr = h(
      "tr",
      {},
      h("td", {},
        h("strong", {}, contract.plan.plan.name),
        status.awaiting_confirmation ? h("div", { class: "awaiting", title: t("contracts.awaitingHint") }, t("contracts.awaiting")) : null),
      h("td", { class: "stations" }, contract.station_ids.map((id) => stationName.get(id) ?? id).join(", ")),
      h("td", { class: "number" }, status.yearly_price ? formatMoney(status.yearly_price.amount, status.yearly_price.currency) : t("common.none")),
      h("td", {}, formatDate(contract.start)),
      h("td", { class: "term-end" }, formatDate(status.terms.term_end)),
      deadlineCell(status),
      h("td", { class: "notice-today" }, status.notice_today_ends_on ? formatDate(status.notice_today_ends_on) : t("common.none")),
      h("td", {}, h("span", { class: `badge ${status.state === "active" ? "ok" : "warn"}` }, stateText)),
      actions,
    );
    tr.dataset.contractId = contract.id;
    tr.dataset.state = status.state;
    tr.dataset.awaiting = String(status.awaiting_confirmation);
    return tr;
  });

  return h(
    "div",
    { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("contracts.title"))),
    h("p", { class: "card info-box" }, t("contracts.rules")),
    statuses.length
      ? h(
          "section",
          { class: "card" },
          table({
            id: "contracts-table",
            caption: t("contracts.title"),
            headers: [
              t("contracts.col.plan"),
              t("contracts.col.stations"),
              t("contracts.col.price"),
              t("contracts.col.start"),
              t("contracts.col.termEnd"),
              t("contracts.col.deadline"),
              t("contracts.col.noticeToday"),
              t("contracts.col.state"),
              t("contracts.col.actions"),
            ],
            rows,
          }),
        )
      : h("p", { class: "card empty" }, t("contracts.empty")),
  );
}
