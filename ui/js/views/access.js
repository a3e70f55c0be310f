// Who can reach the shop (the vendor admin: everything): the enrolled tills, the open staff
// sessions and the staff accounts, each revocable here; for the vendor admin also the
// two-factor rule for its staff and the security log. Everything is asked of the server.

import { h, table } from "../dom.js";
import { formatInstant } from "../format.js";

// Destructive buttons ask once more in place: the first click shows what will happen and a
// second button that does it.
function twoStep(id, label, question, confirmLabel, act) {
  const area = h("span", { class: "two-step" });
  const first = h("button", {
    type: "button",
    class: "secondary small",
    id,
    onclick: () => {
      const go = h("button", { type: "button", class: "danger small", id: `${id}-confirm`, onclick: act }, confirmLabel);
      area.replaceChildren(h("span", { class: "muted small" }, question), " ", go);
      go.focus();
    },
  }, label);
  area.append(first);
  return area;
}

export async function render(ctx) {
  const { t, api } = ctx;
  const vendorAdmin = ctx.info.staff?.role === "vendor_admin";
  const [tills, sessions, staff, shops, policy, log] = await Promise.all([
    api.listTills(),
    api.listSessions(),
    api.listStaff(),
    vendorAdmin ? api.billingShops() : Promise.resolve([]),
    vendorAdmin ? api.securityPolicy() : Promise.resolve(null),
    vendorAdmin ? api.securityLog() : Promise.resolve([]),
  ]);
  const shopName = (id) => shops.find((shop) => shop.id === id)?.name ?? "";

  async function act(work, done) {
    try {
      const result = await work();
      ctx.notify(done(result));
      await ctx.refresh();
    } catch (error) {
      ctx.notify(error.message, "error");
    }
  }

  const tillRows = tills.map((till) => h("tr", { "data-station": till.station_id, "data-revoked": String(Boolean(till.revoked_at)) },
    h("td", {}, h("strong", {}, till.name)),
    vendorAdmin ? h("td", {}, shopName(till.shop_id)) : null,
    h("td", {}, formatInstant(till.enrolled_at)),
    h("td", {}, till.last_seen_at ? formatInstant(till.last_seen_at) : t("access.never")),
    h("td", {}, till.revoked_at
      ? h("span", { class: "badge danger" }, t("access.disconnectedOn", { when: formatInstant(till.revoked_at) }))
      : h("span", { class: "badge ok" }, t("access.connected"))),
    h("td", { class: "actions" }, till.revoked_at ? null : twoStep(
      `revoke-till-${till.station_id}`, t("access.disconnect"), t("access.disconnectQuestion", { name: till.name }), t("access.disconnectConfirm"),
      () => act(() => api.revokeTill(till.station_id), () => t("access.disconnected", { name: till.name })))),
  ));

  const sessionRows = sessions.map((session) => h("tr", { "data-session": session.id },
    h("td", {}, h("strong", {}, session.name), h("div", { class: "muted small" }, session.email)),
    vendorAdmin ? h("td", {}, session.shop_id ? shopName(session.shop_id) : t(`role.${session.role}`)) : null,
    h("td", {}, formatInstant(session.signed_in_at)),
    h("td", {}, formatInstant(session.last_used_at)),
    h("td", {}, session.address ?? ""),
    h("td", { class: "actions" }, session.current
      ? h("span", { class: "badge info" }, t("access.thisSession"))
      : twoStep(`end-session-${session.id}`, t("access.endSession"), t("access.endQuestion", { name: session.name }), t("access.endConfirm"),
        () => act(() => api.endSession(session.id), () => t("access.sessionEnded")))),
  ));

  const me = ctx.info.staff?.email;
  const staffRows = staff.map((member) => {
    const self = member.email === me;
    const password = h("input", { type: "password", id: `new-password-${member.id}`, autocomplete: "new-password", minlength: 10, required: true, "aria-label": t("access.newPasswordFor", { name: member.name }) });
    const setPassword = h("form", {
      class: "inline-form",
      onsubmit: (event) => {
        event.preventDefault();
        act(() => api.setStaffPassword(member.id, password.value), (ended) => t("access.passwordSet", { name: member.name, count: ended.ended }));
      },
    }, password, h("button", { type: "submit", class: "secondary small", id: `set-password-${member.id}` }, t("access.setPassword")));
    return h("tr", { "data-user": member.id, "data-active": String(member.active) },
      h("td", {}, h("strong", {}, member.name), h("div", { class: "muted small" }, member.email)),
      h("td", {}, t(`role.${member.role}`), vendorAdmin && member.shop_id ? h("div", { class: "muted small" }, shopName(member.shop_id)) : null),
      h("td", {}, member.active ? h("span", { class: "badge ok" }, t("access.active")) : h("span", { class: "badge danger" }, t("access.inactive")),
        member.two_factor ? h("span", { class: "badge info" }, t("access.twoFactor")) : null),
      h("td", { class: "actions" }, self ? h("span", { class: "muted small" }, t("access.you")) : [
        member.active
          ? twoStep(`deactivate-${member.id}`, t("access.deactivate"), t("access.deactivateQuestion", { name: member.name }), t("access.deactivateConfirm"),
            () => act(() => api.setStaffActive(member.id, false), () => t("access.deactivated", { name: member.name })))
          : h("button", { type: "button", class: "secondary small", id: `reactivate-${member.id}`, onclick: () => act(() => api.setStaffActive(member.id, true), () => t("access.reactivated", { name: member.name })) }, t("access.reactivate")),
        setPassword,
      ]),
    );
  });

  const policyCard = vendorAdmin ? h("section", { class: "card", id: "security-policy" },
    h("h2", {}, t("access.policyTitle")),
    h("label", { class: "check" },
      h("input", {
        type: "checkbox",
        id: "require-two-factor",
        checked: policy.two_factor_for_vendor_staff,
        onchange: (event) => act(() => api.setSecurityPolicy(event.target.checked), (kept) => t(kept.two_factor_for_vendor_staff ? "access.policyRequired" : "access.policyOptional")),
      }),
      " ", t("access.requireTwoFactor")),
    h("p", { class: "muted small" }, t("access.policyHint"))) : null;

  const logCard = vendorAdmin ? h("section", { class: "card" },
    h("h2", {}, t("access.logTitle")),
    log.length ? table({
      id: "security-log",
      caption: t("access.logTitle"),
      headers: [t("access.when"), t("access.what"), t("access.who"), t("access.by"), t("access.from")],
      rows: log.map((entry) => h("tr", { "data-kind": entry.kind },
        h("td", {}, formatInstant(entry.at)),
        h("td", {}, t(`access.kind.${entry.kind}`), entry.detail ? h("div", { class: "muted small" }, entry.detail) : null),
        h("td", {}, entry.subject),
        h("td", {}, entry.actor ?? ""),
        h("td", {}, entry.address ?? ""))),
    }) : h("p", { class: "muted" }, t("access.logEmpty"))) : null;

  const section = (title, hint, content) => h("section", { class: "card" }, h("h2", {}, title), h("p", { class: "muted small" }, hint), content);
  return h("div", { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("access.title")), h("p", { class: "summary" }, t("access.intro"))),
    section(t("access.tillsTitle"), t("access.tillsHint"), tills.length ? table({
      id: "tills",
      caption: t("access.tillsTitle"),
      headers: [t("access.till"), vendorAdmin ? t("access.shop") : null, t("access.enrolled"), t("access.lastSeen"), t("access.status"), ""].filter((x) => x !== null),
      rows: tillRows,
    }) : h("p", { class: "muted" }, t("access.noTills"))),
    section(t("access.sessionsTitle"), t("access.sessionsHint"), table({
      id: "sessions",
      caption: t("access.sessionsTitle"),
      headers: [t("access.who"), vendorAdmin ? t("access.shop") : null, t("access.signedIn"), t("access.lastUsed"), t("access.from"), ""].filter((x) => x !== null),
      rows: sessionRows,
    })),
    section(t("access.staffTitle"), t("access.staffHint"), table({
      id: "staff-accounts",
      caption: t("access.staffTitle"),
      headers: [t("access.who"), t("access.role"), t("access.status"), ""],
      rows: staffRows,
    })),
    policyCard,
    logCard);
}
