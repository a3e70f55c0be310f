// The e-mail channel: the support mailboxes with their last fetch and error, the replies still
// waiting to leave (and why), the messages of senders nobody knows for the desk to attach to a
// shop, and for the vendor admin the mailbox and outgoing server's settings. Passwords go to the
// server and never come back: a kept one shows as such.

import { h, table } from "../dom.js";
import { formatDateTime } from "../format.js";

export async function render(ctx) {
  const { t, api } = ctx;
  const role = ctx.info.staff?.role;
  const desk = role === "support_staff";
  const [channel, unknown, shops] = await Promise.all([
    api.mailChannel(),
    desk ? api.unknownSenders() : [],
    desk ? api.deskShops() : [],
  ]);
  return h("div", { class: "view" },
    h("div", { class: "view-head" }, h("h1", {}, t("mail.title")), h("p", { class: "summary" }, t("mail.intro"))),
    desk ? unknownCard(ctx, unknown, shops) : null,
    mailboxesCard(ctx, channel.mailboxes),
    queuedCard(ctx, channel.queued),
    role === "vendor_admin" ? mailboxForm(ctx, channel.mailboxes[0]) : null,
    role === "vendor_admin" ? outgoingForm(ctx, channel.outgoing) : null);
}

function mailboxesCard(ctx, mailboxes) {
  const { t } = ctx;
  const rows = mailboxes.map((m) => h("tr", { "data-mailbox": m.name },
    h("td", {}, m.name),
    h("td", {}, `${m.user} · ${m.host}:${m.port}`),
    h("td", {}, t(m.enabled ? "mail.on" : "mail.off")),
    h("td", {}, m.last_fetch_at ? formatDateTime(m.last_fetch_at) : t("mail.never")),
    h("td", { class: "number" }, String(m.imported)),
    h("td", { class: m.last_error ? "error-text" : "muted" }, m.last_error ?? t("mail.working"))));
  return h("section", { class: "card", id: "mail-mailboxes" },
    h("h2", {}, t("mail.mailboxes")),
    mailboxes.length
      ? table({
        id: "mailbox-table",
        caption: t("mail.mailboxes"),
        headers: ["name", "account", "state", "lastFetch", "imported", "error"].map((k) => t(`mail.column.${k}`)),
        rows,
      })
      : h("p", { class: "muted" }, t("mail.noMailbox")));
}

function queuedCard(ctx, queued) {
  const { t } = ctx;
  const rows = queued.map((q) => h("tr", { "data-kind": q.kind },
    h("td", {}, `${t(`mail.kind.${q.kind}`)} ${q.ticket_number ?? q.invoice_number ?? ""}`),
    h("td", {}, q.to ?? "—"),
    h("td", {}, formatDateTime(q.queued_at)),
    h("td", { class: "number" }, String(q.attempts)),
    h("td", {}, formatDateTime(q.next_attempt_at)),
    h("td", { class: q.last_error ? "error-text" : "muted" }, q.last_error ?? t("mail.waiting"))));
  return h("section", { class: "card", id: "mail-queue" },
    h("h2", {}, t("mail.queued")),
    queued.length
      ? table({
        id: "mail-queue-table",
        caption: t("mail.queued"),
        headers: ["ticket", "to", "queuedAt", "attempts", "nextAttempt", "error"].map((k) => t(`mail.column.${k}`)),
        rows,
      })
      : h("p", { class: "muted" }, t("mail.nothingQueued")));
}

function ticketNumber(id) {
  return `T-${id.replaceAll("-", "").slice(-6).toUpperCase()}`;
}

function unknownCard(ctx, unknown, shops) {
  const { t, api } = ctx;
  const items = unknown.map((mail) => {
    const shop = h("select", { id: `attach-shop-${mail.id}`, required: true },
      h("option", { value: "" }, t("mail.chooseShop")),
      shops.map((s) => h("option", { value: s.id }, s.name)));
    const remember = h("input", { type: "checkbox", id: `attach-remember-${mail.id}` });
    return h("li", { class: "unknown-mail", "data-mail": mail.id },
      h("p", {}, h("strong", {}, mail.subject || t("mail.noSubject")), " · ", `${mail.name} <${mail.address}>`, " · ", h("span", { class: "muted" }, formatDateTime(mail.received_at))),
      h("p", { class: "muted" }, mail.excerpt),
      h("form", {
        class: "inline-form",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const ticket = await api.attachMail(mail.id, shop.value, remember.checked);
            ctx.notify(t("mail.attached", { number: ticketNumber(ticket) }));
            await ctx.refresh();
          } catch (error) {
            ctx.notify(error.message, "error");
          }
        },
      },
      h("label", { for: shop.id }, t("mail.shop")), shop,
      h("label", { class: "check" }, remember, t("mail.remember")),
      h("button", { type: "submit", class: "primary small" }, t("mail.attach"))));
  });
  return h("section", { class: "card", id: "mail-unknown" },
    h("h2", {}, t("mail.unknown")),
    h("p", { class: "muted" }, t("mail.unknownHint")),
    items.length ? h("ul", { class: "plain-list" }, items) : h("p", { class: "muted" }, t("mail.noUnknown")));
}

/// A labelled input of a settings form.
function field(label, input) {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

function passwordInput(id, kept, t) {
  return h("input", { id, type: "password", autocomplete: "new-password", placeholder: kept ? t("mail.passwordKept") : "" });
}

async function saved(ctx, work) {
  try {
    await work();
    ctx.notify(ctx.t("mail.saved"));
    await ctx.refresh();
  } catch (error) {
    ctx.notify(error.message, "error");
  }
}

function mailboxForm(ctx, mailbox) {
  const { t, api } = ctx;
  const input = (name, value, type = "text", required = true) => h("input", { id: `mailbox-${name}`, type, required, autocomplete: "off", value: value ?? "" });
  const name = input("name", mailbox?.name ?? "support");
  const host = input("host", mailbox?.host);
  const port = input("port", mailbox?.port ?? 993, "number");
  const user = input("user", mailbox?.user);
  const oauth = Boolean(mailbox?.oauth2_token_url);
  const signIn = h("select", { id: "mailbox-sign-in" },
    ["password", "oauth2"].map((way) => h("option", { value: way, selected: (oauth ? "oauth2" : "password") === way }, t(`mail.signIn.${way}`))));
  const password = passwordInput("mailbox-password", mailbox?.has_password, t);
  // OAuth 2.0, for providers that take no password (Microsoft 365, Gmail).
  const tokenUrl = input("token-url", mailbox?.oauth2_token_url, "url", false);
  const clientId = input("client-id", mailbox?.oauth2_client_id, "text", false);
  const clientSecret = passwordInput("mailbox-client-secret", oauth, t);
  const refreshToken = passwordInput("mailbox-refresh-token", oauth, t);
  const passwordPart = h("div", { class: "field" }, h("label", { for: password.id }, t("mail.password")), password);
  const oauthPart = h("div", { class: "form-row full", id: "mailbox-oauth2" },
    h("p", { class: "muted full" }, t("mail.oauth2Hint")),
    field(t("mail.tokenUrl"), tokenUrl), field(t("mail.clientId"), clientId),
    field(t("mail.clientSecret"), clientSecret), field(t("mail.refreshToken"), refreshToken));
  const shown = () => {
    passwordPart.hidden = signIn.value !== "password";
    oauthPart.hidden = signIn.value !== "oauth2";
  };
  signIn.addEventListener("change", shown);
  shown();
  const ca = h("textarea", { id: "mailbox-ca", rows: 3, placeholder: t(mailbox?.has_ca ? "mail.caKept" : "mail.caHint") });
  const enabled = h("input", { type: "checkbox", id: "mailbox-enabled", checked: mailbox?.enabled ?? true });
  return h("form", {
    class: "card form-row",
    id: "mailbox-form",
    onsubmit: (event) => {
      event.preventDefault();
      const withOAuth = signIn.value === "oauth2";
      saved(ctx, () => api.setMailbox(name.value.trim(), {
        host: host.value.trim(),
        port: Number(port.value),
        user: user.value.trim(),
        password: withOAuth ? null : password.value || null,
        oauth2: withOAuth
          ? { token_url: tokenUrl.value.trim(), client_id: clientId.value.trim(), client_secret: clientSecret.value || null, refresh_token: refreshToken.value || null }
          : null,
        ca_pem: ca.value.trim() || null,
        enabled: enabled.checked,
      }));
    },
  },
  h("h2", {}, t("mail.mailboxSettings")),
  h("p", { class: "muted full" }, t("mail.mailboxHint")),
  field(t("mail.name"), name), field(t("mail.host"), host), field(t("mail.port"), port),
  field(t("mail.user"), user), field(t("mail.signInLabel"), signIn), passwordPart, oauthPart,
  h("div", { class: "field full" }, h("label", { for: ca.id }, t("mail.ca")), ca),
  h("label", { class: "check" }, enabled, t("mail.enabled")),
  h("button", { type: "submit", class: "primary", id: "mailbox-save" }, t("common.save")));
}

function outgoingForm(ctx, outgoing) {
  const { t, api } = ctx;
  const input = (name, value, type = "text", required = true) => h("input", { id: `outgoing-${name}`, type, required, autocomplete: "off", value: value ?? "" });
  const host = input("host", outgoing?.host);
  const port = input("port", outgoing?.port ?? 587, "number");
  const security = h("select", { id: "outgoing-security" },
    ["starttls", "tls"].map((s) => h("option", { value: s, selected: (outgoing?.security ?? "starttls") === s }, t(`mail.security.${s}`))));
  const user = input("user", outgoing?.user, "text", false);
  const password = passwordInput("outgoing-password", outgoing?.has_password, t);
  const fromAddress = input("from-address", outgoing?.from_address, "email");
  const fromName = input("from-name", outgoing?.from_name);
  const ca = h("textarea", { id: "outgoing-ca", rows: 3, placeholder: t(outgoing?.has_ca ? "mail.caKept" : "mail.caHint") });
  return h("form", {
    class: "card form-row",
    id: "outgoing-form",
    onsubmit: (event) => {
      event.preventDefault();
      saved(ctx, () => api.setOutgoingMail({
        host: host.value.trim(),
        port: Number(port.value),
        security: security.value,
        user: user.value.trim() || null,
        password: password.value || null,
        ca_pem: ca.value.trim() || null,
        from_address: fromAddress.value.trim(),
        from_name: fromName.value.trim(),
      }));
    },
  },
  h("h2", {}, t("mail.outgoing")),
  h("p", { class: "muted full" }, t("mail.outgoingHint")),
  field(t("mail.host"), host), field(t("mail.port"), port), field(t("mail.securityLabel"), security),
  field(t("mail.user"), user), field(t("mail.password"), password),
  field(t("mail.fromAddress"), fromAddress), field(t("mail.fromName"), fromName),
  h("div", { class: "field full" }, h("label", { for: ca.id }, t("mail.ca")), ca),
  h("button", { type: "submit", class: "primary", id: "outgoing-save" }, t("common.save")));
}
