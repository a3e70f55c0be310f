// The only module that talks to the Rust side. Every command either resolves with its data or
// rejects with an ApiError whose message can be shown to the user as it is.

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function call(command, args = {}) {
  try {
    return await window.__TAURI__.core.invoke(command, args);
  } catch (error) {
    if (error && typeof error === "object" && "message" in error) {
      throw new ApiError(error.code ?? "unknown", error.message);
    }
    throw new ApiError("unknown", String(error));
  }
}

export const api = {
  appInfo: () => call("app_info"),
  windowPainted: (modulesMs, drawnMs, paintedMs) => call("window_painted", { modulesMs, drawnMs, paintedMs }),
  listStations: () => call("list_stations"),
  complianceOverview: () => call("compliance_overview"),
  setCompliance: (station, update) => call("set_compliance", { station, update }),
  setSiteAddress: (site, street, postcode, city) => call("set_site_address", { site, street, postcode, city }),
  recordReportFiled: (site, filedOn, transferTicket) => call("record_report_filed", { site, filedOn, transferTicket }),
  saveSiteReport: (site, format) => call("save_site_report", { site, format }),
  saveOutageLog: (station) => call("save_outage_log", { station }),
  markTseFailure: (id) => call("mark_tse_failure", { id }),
  recordTseWorking: (id, cause) => call("record_tse_working", { id, cause }),
  addStation: (name, location) => call("add_station", { name, location }),
  renameStation: (id, name) => call("rename_station", { id, name }),
  listContracts: () => call("list_contracts"),
  createContract: (plan, stationIds, start) => call("create_contract", { plan, stationIds, start }),
  giveNotice: (contractId, received, by) => call("give_notice", { contractId, received, by }),
  catalog: () => call("catalog"),
  advise: (stations) => call("advise", { stations }),
  applyOption: (option, stationIds, start) => call("apply_option", { option, stationIds, start }),
  tillOverview: (stationId) => call("till_overview", { stationId }),
  pressEmergency: (stationId) => call("press_emergency", { stationId }),
  setTillStation: (stationId) => call("set_till_station", { stationId }),
  shopContacts: () => call("shop_contacts"),
  setShopContacts: (contacts) => call("set_shop_contacts", { contacts }),
  setAdminPin: (pin) => call("set_admin_pin", { pin }),
  unlockAdmin: (pin) => call("unlock_admin", { pin }),
  listTickets: (view, states, priorities, urgentFirst) => call("list_tickets", { view, states, priorities, urgentFirst }),
  searchTickets: (text) => call("search_tickets", { text }),
  ticketChecklist: (title, request, category) => call("ticket_checklist", { title, request, category }),
  createTicket: (form) => call("create_ticket", { form }),
  ticketDetail: (id) => call("ticket_detail", { id }),
  commentTicket: (id, body) => call("comment_ticket", { id, body }),
  setTicketState: (id, to) => call("set_ticket_state", { id, to }),
  escalateTicket: (id) => call("escalate_ticket", { id }),
  requestCallback: (id, phone) => call("request_callback", { id, phone }),
  decideQuote: (id, accept) => call("decide_quote", { id, accept }),
  attachFile: (id, name, bytes) => call("attach_file", { id, name, bytes: Array.from(bytes) }),
  detectRemoteTools: () => call("detect_remote_tools"),
  setStationRemote: (stationId, tool, id) => call("set_station_remote", { stationId, tool, id }),
  connectRemote: (stationId, ticketId) => call("connect_remote", { stationId, ticketId }),
  endRemoteSession: (sessionId) => call("end_remote_session", { sessionId, note: null }),
  remoteSessions: (stationId, ticketId) => call("remote_sessions", { stationId, ticketId }),
  allowRemoteHelp: (stationId, ticketId) => call("allow_remote_help", { stationId, ticketId }),
  endRemoteHelp: (stationId) => call("end_remote_help", { stationId }),
  syncStatus: () => call("sync_status"),
  syncNow: () => call("sync_now"),
  enrol: (server, code, stationName, ca) => call("enrol", { server, code, stationName, ca: ca ?? null }),
  signIn: (server, email, password, code) => call("sign_in", { server, email, password, code: code ?? null }),
  signOut: () => call("sign_out"),
  firstRunSetup: (server, shop, name, email, password, stationName) => call("first_run_setup", { server, shop, name, email, password, stationName }),
  notifyDesktop: (summary, body) => call("notify_desktop", { summary, body }),
  listInvoices: (overdue) => call("list_invoices", { overdue }),
  saveInvoice: (number, document) => call("save_invoice", { number, document }),
  runInvoices: (on) => call("run_invoices", { on }),
  markInvoicePaid: (number, on) => call("mark_invoice_paid", { number, on }),
  vendorProfile: () => call("vendor_profile"),
  setVendorProfile: (profile) => call("set_vendor_profile", { profile }),
  catalogVersions: () => call("catalog_versions"),
  vendorContracts: () => call("vendor_contracts"),
  listStaff: () => call("list_staff"),
  recordContractNotice: (contractId, received, by) => call("record_contract_notice", { contractId, received, by }),
  billingShops: () => call("billing_shops"),
  setShopBilling: (shopId, billing) => call("set_shop_billing", { shopId, billing }),
  autostart: () => call("autostart"),
  setAutostart: (enabled) => call("set_autostart", { enabled }),
  listTills: () => call("list_tills"),
  revokeTill: (station) => call("revoke_till", { station }),
  listSessions: () => call("list_sessions"),
  endSession: (id) => call("end_session", { id }),
  setStaffActive: (user, active) => call("set_staff_active", { user, active }),
  setStaffPassword: (user, password) => call("set_staff_password", { user, password }),
  changePassword: (old, next) => call("change_password", { old, new: next }),
  setOwnPhone: (phone) => call("set_own_phone", { phone }),
  beginTwoFactor: () => call("begin_two_factor"),
  confirmTwoFactor: (code) => call("confirm_two_factor", { code }),
  twoFactorOff: (password) => call("two_factor_off", { password }),
  securityPolicy: () => call("security_policy"),
  setSecurityPolicy: (required) => call("set_security_policy", { required }),
  securityLog: (before) => call("security_log", { before: before ?? null }),
  deskQueue: ({ states, priority, shop, assignee, search, cursor }) => call("desk_queue", { states, priority, shop, assignee, search, cursor }),
  assignTicket: (id, take) => call("assign_ticket", { id, take }),
  noteTicket: (id, body) => call("note_ticket", { id, body }),
  offerQuote: (id, amount, description) => call("offer_quote", { id, amount, description }),
  deskCallbacks: () => call("desk_callbacks"),
  deskCompliance: () => call("desk_compliance"),
  deskDueSoon: () => call("desk_due_soon"),
  deskReport: (month) => call("desk_report", { month }),
  saveDeskReport: (month) => call("save_desk_report", { month }),
  slaWarning: () => call("sla_warning"),
  setSlaWarning: (minutes) => call("set_sla_warning", { minutes }),
  markCalledBack: (id, outcome) => call("mark_called_back", { id, outcome }),
  deskTicketContext: (id) => call("desk_ticket_context", { id }),
  deskShop: (shop) => call("desk_shop", { shop }),
  deskShops: () => call("desk_shops"),
  logDeskTicket: (ticket) => call("log_desk_ticket", { ticket }),
};
