//! The desktop app: a window over `stationdesk-core`. Commands are thin; the rules live in core.

mod commands;
mod error;
#[cfg(target_os = "linux")]
mod painting;
mod state;
mod sync_worker;
#[cfg(test)]
mod window_checks;

use state::AppState;
use tauri::{Emitter, Manager};

pub fn run() {
    #[cfg(target_os = "linux")]
    painting::choose();
    let state = match AppState::open() {
        Ok(state) => state,
        Err(error) => {
            eprintln!("stationdesk cannot start: {}", error.message);
            std::process::exit(1);
        }
    };
    tauri::Builder::default()
        .manage(state)
        .setup(|app| {
            // What the background sync brings in reaches the window as it arrives.
            let window = app.handle().clone();
            app.state::<AppState>()
                .sync
                .report_to(Box::new(move |synced| {
                    let _ = window.emit("synced", synced);
                }));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::window_painted,
            commands::stations::list_stations,
            commands::stations::compliance_overview,
            commands::stations::set_compliance,
            commands::stations::set_site_address,
            commands::stations::record_report_filed,
            commands::stations::save_site_report,
            commands::stations::save_outage_log,
            commands::desk::desk_compliance,
            commands::tickets::mark_tse_failure,
            commands::tickets::record_tse_working,
            commands::stations::add_station,
            commands::stations::rename_station,
            commands::contracts::list_contracts,
            commands::contracts::create_contract,
            commands::contracts::give_notice,
            commands::advisor::catalog,
            commands::advisor::advise,
            commands::advisor::apply_option,
            commands::till::till_overview,
            commands::till::press_emergency,
            commands::till::set_till_station,
            commands::till::shop_contacts,
            commands::till::set_shop_contacts,
            commands::till::set_admin_pin,
            commands::till::unlock_admin,
            commands::tickets::list_tickets,
            commands::tickets::search_tickets,
            commands::tickets::ticket_checklist,
            commands::tickets::create_ticket,
            commands::tickets::ticket_detail,
            commands::tickets::comment_ticket,
            commands::tickets::set_ticket_state,
            commands::tickets::escalate_ticket,
            commands::tickets::request_callback,
            commands::tickets::decide_quote,
            commands::tickets::attach_file,
            commands::remote::detect_remote_tools,
            commands::remote::set_station_remote,
            commands::remote::connect_remote,
            commands::remote::end_remote_session,
            commands::remote::remote_sessions,
            commands::remote::allow_remote_help,
            commands::remote::end_remote_help,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::enrol,
            commands::sync::sign_in,
            commands::sync::sign_out,
            commands::sync::first_run_setup,
            commands::app::notify_desktop,
            commands::books::list_invoices,
            commands::books::save_invoice,
            commands::books::run_invoices,
            commands::books::mark_invoice_paid,
            commands::books::vendor_profile,
            commands::books::set_vendor_profile,
            commands::books::catalog_versions,
            commands::books::vendor_contracts,
            commands::books::list_staff,
            commands::books::record_contract_notice,
            commands::books::billing_shops,
            commands::books::set_shop_billing,
            commands::till::autostart,
            commands::till::set_autostart,
            commands::access::list_tills,
            commands::access::revoke_till,
            commands::access::list_sessions,
            commands::access::end_session,
            commands::access::set_staff_active,
            commands::access::set_staff_password,
            commands::access::change_password,
            commands::access::begin_two_factor,
            commands::access::confirm_two_factor,
            commands::access::two_factor_off,
            commands::access::security_policy,
            commands::access::set_security_policy,
            commands::access::security_log,
            commands::desk::desk_queue,
            commands::desk::assign_ticket,
            commands::desk::note_ticket,
            commands::desk::offer_quote,
            commands::desk::desk_callbacks,
            commands::desk::desk_due_soon,
            commands::desk::sla_warning,
            commands::desk::set_sla_warning,
            commands::desk::desk_report,
            commands::desk::save_desk_report,
            commands::access::set_own_phone,
            commands::desk::mark_called_back,
            commands::desk::desk_ticket_context,
            commands::desk::desk_shop,
            commands::desk::desk_shops,
            commands::desk::log_desk_ticket,
            commands::mail::mail_channel,
            commands::mail::set_mailbox,
            commands::mail::set_outgoing_mail,
            commands::mail::unknown_senders,
            commands::mail::attach_mail,
            commands::mail::mail_notices,
            commands::mail::set_mail_notices,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|error| {
            eprintln!("stationdesk stopped: {error}");
            std::process::exit(1);
        });
}
