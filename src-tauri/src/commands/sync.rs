//! The central server: enrolment with the shop admin's code, staff sign-in, and the sync
//! state in words.

use stationdesk_core::store::{Store, SyncState, SyncStatus};
use stationdesk_core::sync;
use tauri::State;

use super::on_own_connection;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    Ok(state.store().sync_status()?)
}

#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    state.sync.soon();
    Ok(state.store().sync_status()?)
}

#[tauri::command(async)]
pub fn enrol(
    state: State<'_, AppState>,
    server: String,
    code: String,
    station_name: String,
    ca: Option<String>,
) -> Result<SyncState, UiError> {
    with_server(&state, move |store| {
        if let Some(pem) = &ca {
            sync::trust_vendor_ca(store, pem)?;
        }
        sync::enrol(store, &server, &code, &station_name)
    })
}

/// The password comes from the window over IPC and goes to the server in the request body;
/// it is not kept anywhere.
#[tauri::command(async)]
pub fn sign_in(
    state: State<'_, AppState>,
    server: String,
    email: String,
    password: String,
    code: Option<String>,
) -> Result<SyncState, UiError> {
    with_server(&state, move |store| {
        sync::login(store, &server, &email, &password, code.as_deref())
    })
}

/// The first-run screen: the first shop on this computer's own server, this PC its first till,
/// the admin signed in.
#[tauri::command(async)]
pub fn first_run_setup(
    state: State<'_, AppState>,
    server: String,
    shop: String,
    name: String,
    email: String,
    password: String,
    station_name: String,
) -> Result<SyncState, UiError> {
    with_server(&state, move |store| {
        let setup = sync::FirstRun {
            shop_name: &shop,
            admin_name: &name,
            admin_email: &email,
            admin_password: &password,
            station_name: &station_name,
        };
        sync::first_run(store, &server, &setup)
    })
}

#[tauri::command(async)]
pub fn sign_out(state: State<'_, AppState>) -> Result<SyncState, UiError> {
    with_server(&state, sync::logout)
}

/// Changes who this installation speaks as, then syncs soon as whoever that now is.
fn with_server(
    state: &AppState,
    work: impl FnOnce(&mut Store) -> Result<SyncState, sync::SyncError> + Send + 'static,
) -> Result<SyncState, UiError> {
    let done = on_own_connection(state, work)?;
    state.sync.soon();
    Ok(done)
}
