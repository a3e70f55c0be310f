// Shop settings: the contacts the till shows, and whether this PC is a till.

import { h } from "../dom.js";
import { formatInstant } from "../format.js";

export async function render(ctx) {
  const { t, api } = ctx;
  const desk = ctx.info.staff?.role === "support_staff";
  // Every read of the page goes out at once: each is a round trip to the app's core, and the
  // first start opens on this page.
  const [contacts, coverage, autostartOn, serverForms, slaForm] = await Promise.all([
    api.shopContacts(),
    api.listStations(),
    api.autostart().catch(() => false),
    serverCard(ctx),
    desk ? slaWarningForm(ctx) : null,
  ]);
  const field = (id, label, value, type = "text") => {
    const input = h("input", { id, value, type, autocomplete: "off" });
    return [input, h("div", { class: "field" }, h("label", { for: id }, label), input)];
  };
  const [hotline, typedHotlineField] = field("contacts-hotline", t("settings.hotline"), contacts.hotline, "tel");
  // The vendor's own number, once the server has told this PC: the tills show that one.
  const published = contacts.vendor?.hotline;
  const hotlineField = published
    ? h("div", { class: "field" }, h("span", { class: "field-label" }, t("settings.hotline")),
      h("strong", { id: "vendor-hotline" }, published),
      h("span", { class: "muted small" }, t("settings.hotlineFromVendor", { vendor: contacts.vendor.name })))
    : typedHotlineField;
  const [adminName, adminNameField] = field("contacts-admin-name", t("settings.adminName"), contacts.admin_name);
  const [adminPhone, adminPhoneField] = field("contacts-admin-phone", t("settings.adminPhone"), contacts.admin_phone, "tel");

  const contactsForm = h(
    "form",
    {
      class: "card form-row",
      id: "contacts-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api.setShopContacts({ hotline: hotline.value, admin_name: adminName.value, admin_phone: adminPhone.value });
          ctx.notify(t("settings.saved"));
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    },
    h("h2", {}, t("settings.contacts")),
    h("p", { class: "muted full" }, t("settings.contactsHint")),
    hotlineField,
    adminNameField,
    adminPhoneField,
    h("button", { type: "submit", class: "primary", id: "save-contacts" }, t("common.save")),
  );

  const tillSelect = h(
    "select",
    { id: "till-station" },
    h("option", { value: "" }, t("settings.notATill")),
    // A PC enrolled as a station's till can be the till of that station only.
    coverage
      .filter((c) => !ctx.info.enrolled_station || c.station.id === ctx.info.enrolled_station)
      .map((c) => h("option", { value: c.station.id, selected: ctx.info.till_station?.id === c.station.id }, c.station.name)),
  );
  const tillForm = h(
    "form",
    {
      class: "card form-row",
      id: "till-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          ctx.info.till_station = await api.setTillStation(tillSelect.value || null);
          await ctx.enterTill();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    },
    h("h2", {}, t("settings.tillMode")),
    h("p", { class: "muted full" }, t("settings.tillHint")),
    h("div", { class: "field" }, h("label", { for: "till-station" }, t("settings.tillStation")), tillSelect),
    h("button", { type: "submit", class: "primary", id: "save-till" }, t("settings.applyTill")),
    h("label", { class: "check full" },
      h("input", {
        type: "checkbox",
        id: "autostart",
        checked: autostartOn,
        onchange: async (event) => {
          try {
            const on = await api.setAutostart(event.target.checked);
            // As kept now: a redraw after a sync may follow.
            event.target.checked = on;
            event.target.defaultChecked = on;
            ctx.notify(t(on ? "settings.autostartOn" : "settings.autostartOff"));
          } catch (error) {
            event.target.checked = !event.target.checked;
            ctx.notify(error.message, "error");
          }
        },
      }),
      " ", t("settings.autostart")),
  );

  const pinInput = h("input", { id: "admin-pin-new", type: "password", inputmode: "numeric", autocomplete: "new-password", maxlength: 8 });
  const pinForm = h(
    "form",
    {
      class: "card form-row",
      id: "pin-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          ctx.info.admin_pin_set = await api.setAdminPin(pinInput.value);
          ctx.notify(t(ctx.info.admin_pin_set ? "settings.pinSaved" : "settings.pinRemoved"));
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    },
    h("h2", {}, t("settings.pin")),
    h("p", { class: "muted full" }, t(ctx.info.admin_pin_set ? "settings.pinIsSet" : "settings.pinHint")),
    h("div", { class: "field" }, h("label", { for: "admin-pin-new" }, t("settings.pinNew")), pinInput),
    h("button", { type: "submit", class: "primary", id: "save-pin" }, t("common.save")),
  );

  return h("div", { class: "view" }, h("div", { class: "view-head" }, h("h1", {}, t("settings.title"))), serverForms,
    slaForm, contactsForm, tillForm, pinForm);
}

// The support desk's warning before an SLA clock runs out, in minutes.
async function slaWarningForm(ctx) {
  const { t, api } = ctx;
  const minutes = h("input", { id: "sla-warning", type: "number", min: 1, max: 540, value: await api.slaWarning() });
  return h("form", {
    class: "card form-row",
    id: "sla-warning-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api.setSlaWarning(Number(minutes.value));
        ctx.notify(t("settings.saved"));
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("settings.slaWarning")),
  h("p", { class: "muted full" }, t("settings.slaWarningHint")),
  h("div", { class: "field" }, h("label", { for: "sla-warning" }, t("settings.slaWarningMinutes")), minutes),
  h("button", { type: "submit", class: "primary", id: "save-sla-warning" }, t("common.save")));
}

// The central server: enrol this PC with the shop admin's code, sign staff in, and see how
// sync is doing.
async function serverCard(ctx) {
  const { t, api } = ctx;
  const status = await api.syncStatus();
  const state = status.enrolled;
  if (!state) {
    const first = ctx.info.local_server ? firstRunForm(ctx, ctx.info.local_server) : null;
    return h("div", { class: "server-forms" }, first, enrolForm(ctx), signInForm(ctx, ctx.info.local_server ?? ""));
  }
  const facts = [
    [t("sync.server"), state.server_url],
    [t("sync.till"), state.station_id ? t("common.yes") : t("sync.notEnrolled")],
    [t("sync.pending"), String(status.pending)],
    [t("sync.lastSuccess"), status.last_success ? formatInstant(status.last_success) : t("sync.never")],
  ];
  if (state.staff) {
    facts.splice(2, 0, [t("sync.signedInAs"), `${state.staff.name} (${t(`role.${state.staff.role}`)})`]);
  }
  const card = h("section", { class: "card", id: "sync-card", "data-pending": status.pending, "data-role": state.staff?.role ?? "station" },
    h("h2", {}, t("sync.title")),
    h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    status.last_error ? h("p", { class: "warning", id: "sync-error" }, status.last_error) : null,
    status.rejected.length ? h("p", { class: "warning", id: "sync-rejected" }, t("sync.rejected", { count: status.rejected.length, reason: status.rejected[0][1] })) : null,
    status.set_aside.length ? h("p", { class: "warning", id: "sync-set-aside" }, t("sync.setAside", { count: status.set_aside.length, reason: status.set_aside[0].reason })) : null,
    h("div", { class: "actions" },
      h("button", {
        type: "button",
        class: "secondary",
        id: "sync-now",
        onclick: async () => {
          await api.syncNow();
          ctx.notify(t("sync.started"));
        },
      }, t("sync.now")),
      state.staff ? h("button", {
        type: "button",
        class: "secondary",
        id: "sign-out",
        onclick: async () => {
          try {
            await api.signOut();
            ctx.notify(t("sync.signedOut"));
          } catch (error) {
            ctx.notify(error.message, "error");
          }
          await ctx.signedInOrOut();
        },
      }, t("sync.signOut")) : null));
  // A session that ended asks for the same person's password again; a disconnected till for a
  // new enrolment code.
  if (status.access_ended) {
    const again = state.staff ? signInForm(ctx, state.server_url, state.staff.email) : enrolForm(ctx, state.server_url);
    return h("div", { class: "server-forms" }, card, again);
  }
  return state.staff ? h("div", { class: "server-forms" }, card, await accountCard(ctx)) : h("div", { class: "server-forms" }, card, signInForm(ctx, state.server_url));
}

// One's own account: a new password (the old one required; other sessions end) and two-factor
// sign-in, turned on with a QR code and the first code from the app, or off with the password.
async function accountCard(ctx) {
  const { t, api } = ctx;
  const [staff, notices] = await Promise.all([
    api.listStaff().catch(() => []),
    ctx.info.staff.role === "shop_admin" ? noticesForm(ctx) : null,
  ]);
  const me = staff.find((member) => member.email === ctx.info.staff.email);
  const old = h("input", { id: "password-old", type: "password", required: true, autocomplete: "current-password" });
  const next = h("input", { id: "password-new", type: "password", required: true, minlength: 10, autocomplete: "new-password" });
  const passwordForm = h("form", {
    class: "form-row",
    id: "password-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const ended = await api.changePassword(old.value, next.value);
        old.value = "";
        next.value = "";
        ctx.notify(t("account.passwordChanged", { count: ended.ended }));
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  }, field(old, t("account.oldPassword")), field(next, t("account.newPassword")),
  h("button", { type: "submit", class: "secondary", id: "password-submit" }, t("account.changePassword")));

  // A named admin's number is what the support desk calls them on.
  const phone = h("input", { id: "own-phone", type: "tel", value: me?.phone ?? "", autocomplete: "tel" });
  const phoneForm = h("form", {
    class: "form-row",
    id: "phone-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const kept = await api.setOwnPhone(phone.value.trim() || null);
        phone.value = kept.phone ?? "";
        phone.defaultValue = phone.value;
        ctx.notify(t("settings.saved"));
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  }, field(phone, t("account.phone")), h("p", { class: "muted small full" }, t("account.phoneHint")),
  h("button", { type: "submit", class: "secondary", id: "phone-submit" }, t("common.save")));

  const twoFactorArea = h("div", { id: "two-factor-area", "data-two-factor": String(Boolean(me?.two_factor)) },
    me?.two_factor
      ? [h("p", {}, h("span", { class: "badge ok" }, t("account.twoFactorIsOn"))),
        h("button", { type: "button", class: "secondary", id: "two-factor-off", onclick: () => offForm() }, t("account.twoFactorOff"))]
      : [h("p", { class: "muted" }, t("account.twoFactorHint")),
        h("button", { type: "button", class: "secondary", id: "two-factor-on", onclick: () => begin() }, t("account.twoFactorOn"))]);

  async function begin() {
    // From the first click until the recovery codes are put away, a sync does not redraw this.
    twoFactorArea.dataset.busy = "true";
    let start;
    try {
      start = await api.beginTwoFactor();
    } catch (error) {
      delete twoFactorArea.dataset.busy;
      return ctx.notify(error.message, "error");
    }
    const qr = h("div", { class: "qr-code", role: "img", "aria-label": t("account.qrLabel") });
    // The SVG is the core's own rendering of the server's otpauth address, not page input.
    qr.innerHTML = start.qr_svg;
    const code = h("input", { id: "two-factor-code", inputmode: "numeric", autocomplete: "one-time-code", required: true });
    twoFactorArea.replaceChildren(
      h("p", {}, t("account.scan")), qr,
      h("p", { class: "muted small" }, t("account.orType"), " ", h("span", { class: "secret", id: "two-factor-secret" }, start.secret)),
      h("form", {
        class: "inline-form fields-inline",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const recovery = await api.confirmTwoFactor(code.value);
            showRecovery(recovery.codes);
          } catch (error) {
            ctx.notify(error.message, "error");
          }
        },
      }, field(code, t("account.firstCode")), h("button", { type: "submit", class: "primary", id: "two-factor-confirm" }, t("account.confirm"))));
    code.focus();
  }

  function showRecovery(codes) {
    twoFactorArea.replaceChildren(
      h("p", { class: "ok-text" }, h("strong", {}, t("account.twoFactorIsOn"))),
      h("p", {}, t("account.recoveryHint")),
      h("ol", { class: "recovery-codes", id: "recovery-codes" }, codes.map((c) => h("li", {}, c))),
      h("button", { type: "button", class: "secondary", id: "recovery-saved", onclick: () => ctx.refresh() }, t("account.recoverySaved")));
  }

  function offForm() {
    const password = h("input", { id: "two-factor-off-password", type: "password", required: true, autocomplete: "current-password" });
    twoFactorArea.replaceChildren(h("form", {
      class: "inline-form fields-inline",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api.twoFactorOff(password.value);
          ctx.notify(t("account.twoFactorIsOff"));
          await ctx.refresh();
        } catch (error) {
          ctx.notify(error.message, "error");
        }
      },
    }, field(password, t("account.passwordToTurnOff")), h("button", { type: "submit", class: "secondary", id: "two-factor-off-submit" }, t("account.twoFactorOff"))));
    password.focus();
  }

  return h("section", { class: "card account-card", id: "account-card" },
    h("h2", {}, t("account.title")),
    h("h3", {}, t("account.phone")), phoneForm,
    notices ? [h("h3", {}, t("account.noticesTitle")), notices] : null,
    h("h3", {}, t("account.passwordTitle")), passwordForm,
    h("h3", {}, t("account.twoFactorTitle")), twoFactorArea);
}

// What a shop admin wants to hear by e-mail, at the address they sign in with.
async function noticesForm(ctx) {
  const { t, api } = ctx;
  const kept = await api.mailNotices().catch(() => ({ answers: false, quotes: false, invoices: false }));
  const boxes = Object.fromEntries(["answers", "quotes", "invoices"].map((name) => [name,
    h("input", { type: "checkbox", id: `notice-${name}`, checked: kept[name] })]));
  return h("form", {
    class: "form-row",
    id: "notices-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api.setMailNotices(Object.fromEntries(Object.entries(boxes).map(([name, box]) => [name, box.checked])));
        ctx.notify(t("settings.saved"));
        // A redraw the background sync started before the choice was kept would show the old one.
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("p", { class: "muted small full" }, t("account.noticesHint", { email: ctx.info.staff.email })),
  Object.entries(boxes).map(([name, box]) => h("label", { class: "check full" }, box, t(`account.notice.${name}`))),
  h("button", { type: "submit", class: "secondary", id: "notices-submit" }, t("common.save")));
}

function field(input, label) {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

// First run on a computer that runs its own server (scripts/run.sh): the shop, its admin and
// this PC as its first till, in one step.
function firstRunForm(ctx, server) {
  const { t, api } = ctx;
  const shop = h("input", { id: "setup-shop", required: true, autocomplete: "organization" });
  const name = h("input", { id: "setup-name", required: true, autocomplete: "name" });
  const email = h("input", { id: "setup-email", type: "email", required: true, autocomplete: "username" });
  const password = h("input", { id: "setup-password", type: "password", required: true, minlength: 10, autocomplete: "new-password" });
  const station = h("input", { id: "setup-station", required: true, value: ctx.info.till_station?.name ?? "Kasse 1", autocomplete: "off" });
  return h("form", {
    class: "card form-row first-run",
    id: "setup-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api.firstRunSetup(server, shop.value, name.value, email.value, password.value, station.value);
        password.value = "";
        ctx.notify(t("setup.done", { shop: shop.value }));
        await ctx.signedInOrOut();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("setup.title")),
  h("p", { class: "muted full" }, t("setup.hint", { server })),
  field(shop, t("setup.shop")), field(name, t("setup.name")), field(email, t("sync.email")),
  field(password, t("setup.password")), field(station, t("sync.stationName")),
  h("button", { type: "submit", class: "primary", id: "setup-submit" }, t("setup.submit")));
}

function enrolForm(ctx, serverUrl = "") {
  const { t, api } = ctx;
  const server = h("input", { id: "enrol-server", type: "url", required: true, autocomplete: "off", value: serverUrl, placeholder: "https://support.example.com" });
  const code = h("input", { id: "enrol-code", required: true, autocomplete: "off", spellcheck: "false" });
  const name = h("input", { id: "enrol-name", required: true, value: ctx.info.till_station?.name ?? "", autocomplete: "off" });
  // Only for a vendor whose server's certificate is not from a public authority.
  const ca = h("input", { id: "enrol-ca", type: "file", accept: ".pem,.crt,.cer" });
  return h("form", {
    class: "card form-row",
    id: "enrol-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const pem = ca.files[0] ? await ca.files[0].text() : null;
        await api.enrol(server.value, code.value, name.value, pem);
        ctx.notify(t("sync.enrolled"));
        await ctx.signedInOrOut();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  },
  h("h2", {}, t("sync.title")),
  h("p", { class: "muted full" }, t("sync.enrolHint")),
  field(server, t("sync.server")), field(code, t("sync.code")), field(name, t("sync.stationName")),
  h("details", { class: "full" }, h("summary", {}, t("sync.caTitle")),
    h("p", { class: "muted small" }, t("sync.caHint")), field(ca, t("sync.caFile"))),
  h("button", { type: "submit", class: "primary", id: "enrol-submit" }, t("sync.enrol")));
}

function signInForm(ctx, serverUrl, knownEmail = "") {
  const { t, api } = ctx;
  const server = h("input", { id: "signin-server", type: "url", required: true, autocomplete: "off", value: serverUrl, placeholder: "https://support.example.com" });
  const email = h("input", { id: "signin-email", type: "email", required: true, autocomplete: "username", value: knownEmail });
  const password = h("input", { id: "signin-password", type: "password", required: true, autocomplete: "current-password" });
  // Shown once the server says the account signs in with two factors.
  const code = h("input", { id: "signin-code", inputmode: "numeric", autocomplete: "one-time-code", spellcheck: "false" });
  const codeField = field(code, t("sync.twoFactorCode"));
  codeField.hidden = true;
  return h("form", {
    class: "card form-row",
    id: "signin-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const state = await api.signIn(server.value, email.value, password.value, codeField.hidden ? null : code.value);
        password.value = "";
        ctx.notify(t("sync.signedIn", { name: state.staff.name }));
        await ctx.signedInOrOut();
      } catch (error) {
        if (error.code === "two_factor_required") {
          codeField.hidden = false;
          code.required = true;
          code.focus();
          ctx.notify(t("sync.twoFactorAsked"));
        } else {
          ctx.notify(error.message, "error");
        }
      }
    },
  },
  h("h2", {}, t("sync.signInTitle")),
  h("p", { class: "muted full" }, t("sync.signInHint")),
  field(server, t("sync.server")), field(email, t("sync.email")), field(password, t("sync.password")), codeField,
  h("button", { type: "submit", class: "primary", id: "signin-submit" }, t("sync.signIn")));
}
