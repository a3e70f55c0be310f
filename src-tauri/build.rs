/// The commands the UI may call. Declaring them gives each an `allow-…` permission, so the
/// capability in tauri.conf.json grants exactly these and nothing else.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_stations",
    "add_station",
    "rename_station",
    "list_contracts",
    "create_contract",
    "give_notice",
    "catalog",
    "advise",
    "apply_option",
    "till_overview",
    "press_emergency",
    "set_till_station",
    "shop_contacts",
    "set_shop_contacts",
    "set_admin_pin",
    "unlock_admin",
    "list_tickets",
    "search_tickets",
    "ticket_checklist",
    "create_ticket",
    "ticket_detail",
    "comment_ticket",
    "set_ticket_state",
    "escalate_ticket",
    "request_callback",
    "decide_quote",
    "attach_file",
    "detect_remote_tools",
    "set_station_remote",
    "connect_remote",
    "end_remote_session",
    "remote_sessions",
    "allow_remote_help",
    "end_remote_help",
    "sync_status",
    "sync_now",
    "enrol",
    "sign_in",
    "sign_out",
    "first_run_setup",
    "notify_desktop",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
