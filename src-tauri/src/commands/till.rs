use chrono::Utc;
use serde::Serialize;
use stationdesk_core::domain::routing::ShopContacts;
use stationdesk_core::domain::stations::Station;
use stationdesk_core::emergency::{self, EmergencyOutcome, TillOverview};
use stationdesk_protocol::VendorContact;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// The till screen's data: whom to call, support hours, this station's open tickets.
#[tauri::command(async)]
pub fn till_overview(
    state: State<'_, AppState>,
    station_id: String,
) -> Result<TillOverview, UiError> {
    Ok(emergency::till_overview(
        &state.store(),
        &state.calendar,
        &station_id,
        Utc::now(),
    )?)
}

/// The emergency button: the ticket is committed locally before this returns.
#[tauri::command(async)]
pub fn press_emergency(
    state: State<'_, AppState>,
    station_id: String,
) -> Result<EmergencyOutcome, UiError> {
    let outcome = emergency::press(&mut state.store(), &state.calendar, &station_id, Utc::now())?;
    // The ticket is saved; sending it is the background's job and never holds up the till.
    state.sync.soon();
    Ok(outcome)
}

#[tauri::command(async)]
pub fn set_till_station(
    state: State<'_, AppState>,
    station_id: Option<String>,
) -> Result<Option<Station>, UiError> {
    Ok(state.store().set_till_station(station_id.as_deref())?)
}

#[derive(Serialize)]
pub struct ContactsPage {
    #[serde(flatten)]
    typed: ShopContacts,
    /// Whom the vendor says to call, as last read from the server: where it names a hotline,
    /// the tills show that one and the shop's own field is only a fallback.
    vendor: Option<VendorContact>,
}

#[tauri::command(async)]
pub fn shop_contacts(state: State<'_, AppState>) -> Result<ContactsPage, UiError> {
    let store = state.store();
    Ok(ContactsPage {
        typed: store.shop_contacts()?,
        vendor: store.vendor_copy()?.and_then(|copy| copy.contact),
    })
}

#[tauri::command(async)]
pub fn set_shop_contacts(
    state: State<'_, AppState>,
    contacts: ShopContacts,
) -> Result<ShopContacts, UiError> {
    let trimmed = ShopContacts {
        hotline: contacts.hotline.trim().to_owned(),
        admin_name: contacts.admin_name.trim().to_owned(),
        admin_phone: contacts.admin_phone.trim().to_owned(),
    };
    state.store().set_shop_contacts(&trimmed)?;
    Ok(trimmed)
}

/// Sets the PIN the till asks for before it shows the admin screens (`None` removes it).
#[tauri::command(async)]
pub fn set_admin_pin(state: State<'_, AppState>, pin: Option<String>) -> Result<bool, UiError> {
    let mut store = state.store();
    store.set_admin_pin(pin.as_deref().filter(|p| !p.trim().is_empty()))?;
    Ok(store.has_admin_pin()?)
}

/// Whether `pin` opens the admin screens from the till. Until staff log in through the central
/// server, this keeps a cashier from wandering into the shop's contracts.
#[tauri::command(async)]
pub fn unlock_admin(state: State<'_, AppState>, pin: String) -> Result<bool, UiError> {
    Ok(state.store().check_admin_pin(&pin)?)
}

/// Starting the app when this PC's user logs in (an XDG autostart entry on Linux, the login
/// items elsewhere): what a till PC wants, so the emergency button is there after a restart.
fn autostart_entry() -> Result<auto_launch::AutoLaunch, UiError> {
    let exe = std::env::current_exe().map_err(|e| UiError {
        code: "autostart",
        message: format!("cannot tell where stationdesk is installed: {e}"),
    })?;
    auto_launch::AutoLaunchBuilder::new()
        .set_app_name("stationdesk")
        .set_app_path(&exe.to_string_lossy())
        .set_linux_launch_mode(auto_launch::LinuxLaunchMode::XdgAutostart)
        .build()
        .map_err(autostart_failed)
}

fn autostart_failed(error: auto_launch::Error) -> UiError {
    UiError {
        code: "autostart",
        message: format!("the start at login could not be changed: {error}; check that your home folder is writable"),
    }
}

#[tauri::command(async)]
pub fn autostart() -> Result<bool, UiError> {
    autostart_entry()?.is_enabled().map_err(autostart_failed)
}

/// Turns the start at login on or off; answers whether it is on now.
#[tauri::command(async)]
pub fn set_autostart(enabled: bool) -> Result<bool, UiError> {
    let entry = autostart_entry()?;
    if enabled {
        entry.enable().map_err(autostart_failed)?;
    } else if entry.is_enabled().map_err(autostart_failed)? {
        entry.disable().map_err(autostart_failed)?;
    }
    entry.is_enabled().map_err(autostart_failed)
}
