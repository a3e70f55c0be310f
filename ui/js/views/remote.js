// Remote help for the admin and support screens: a station's tool and id, "Connect" on a
// station or a ticket, and the audit list of sessions with their end.

import { h } from "../dom.js";
import { formatInstant } from "../format.js";

const TOOLS = { teamviewer: "TeamViewer", rustdesk: "RustDesk", anydesk: "AnyDesk", vnc: "VNC" };

export function remoteLabel(t, remote) {
  return remote ? `${TOOLS[remote.tool]} ${remote.id}` : t("common.none");
}

// Turns `cell` into a small form for the station's tool and id.
export function editRemote(ctx, station, cell) {
  const { t, api } = ctx;
  const tool = h("select", { class: "remote-tool", "aria-label": t("remote.tool") },
    h("option", { value: "" }, t("common.none")),
    Object.entries(TOOLS).map(([value, label]) => h("option", { value, selected: station.remote?.tool === value }, label)));
  const id = h("input", { class: "remote-id", value: station.remote?.id ?? "", maxlength: 260, autocomplete: "off", "aria-label": t("remote.id"), placeholder: t("remote.idPlaceholder") });
  const found = h("span", { class: "muted small", role: "status" });
  const detect = h("button", {
    type: "button",
    class: "link small",
    onclick: async () => {
      const tools = (await api.detectRemoteTools()).filter((f) => f.id);
      if (!tools.length) return (found.textContent = t("remote.notDetected"));
      tool.value = tools[0].tool;
      id.value = tools[0].id;
      found.textContent = t("remote.detected", { tool: TOOLS[tools[0].tool], id: tools[0].id });
    },
  }, t("remote.detect"));
  cell.replaceChildren(h("form", {
    class: "inline-form remote-form",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const saved = await api.setStationRemote(station.id, tool.value || null, id.value);
        ctx.notify(t("remote.saved", { name: saved.name }));
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
    onkeydown: (event) => {
      if (event.key === "Escape") ctx.refresh();
    },
  }, tool, id,
  h("button", { type: "submit", class: "primary small" }, t("common.save")),
  h("button", { type: "button", class: "secondary small", onclick: () => ctx.refresh() }, t("common.cancel")),
  detect, found));
  tool.focus();
}

export function connectButton(ctx, target) {
  const { t, api } = ctx;
  return h("button", {
    type: "button",
    class: "primary small connect-remote",
    onclick: async () => {
      try {
        const session = await api.connectRemote(target.stationId ?? null, target.ticketId ?? null);
        ctx.notify(t("remote.started", { tool: TOOLS[session.tool], id: session.remote_id }));
        await ctx.refresh();
      } catch (error) {
        ctx.notify(error.message, "error");
      }
    },
  }, t("remote.connect"));
}

// The sessions of a station or a ticket, newest first; running ones can be ended here.
export async function sessionsPanel(ctx, target) {
  const { t, api } = ctx;
  const sessions = await api.remoteSessions(target.stationId ?? null, target.ticketId ?? null);
  const line = (s) => {
    const when = s.ended_at
      ? `${formatInstant(s.started_at)} – ${formatInstant(s.ended_at)} · ${t(`remote.endReason.${s.end_reason}`)}`
      : `${formatInstant(s.started_at)} · ${t("remote.running")}`;
    const end = s.ended_at
      ? null
      : h("button", {
          type: "button",
          class: "secondary small end-session",
          onclick: async () => {
            try {
              await api.endRemoteSession(s.id);
              await ctx.refresh();
            } catch (error) {
              ctx.notify(error.message, "error");
            }
          },
        }, t("remote.end"));
    const item = h("li", { "data-ended": Boolean(s.ended_at) },
      h("strong", {}, `${TOOLS[s.tool]} ${s.remote_id}`),
      ` · ${t("remote.by", { name: s.started_by })} · ${when} · `,
      h("span", { class: s.consent_id ? "" : "muted" }, t(s.consent_id ? "remote.withConsent" : "remote.withoutConsent")),
      " ", end);
    item.dataset.sessionId = s.id;
    return item;
  };
  return h("section", { class: "remote-sessions" },
    h("h3", {}, t("remote.sessions")),
    sessions.length
      ? h("ul", { class: "session-list", id: "remote-sessions" }, sessions.map(line))
      : h("p", { class: "muted" }, t("remote.noSessions")));
}
