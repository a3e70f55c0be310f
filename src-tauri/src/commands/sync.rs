//! The central server: enrolment with the shop admin's code, and the sync state in words.

use stationdesk_core::store::{Store, SyncState, SyncStatus};
use stationdesk_core::sync;
use tauri::State;

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

/// Enrols this installation from a connection of its own, so the window and the till are not
/// held up while the server answers.
#[tauri::command(async)]
pub fn enrol(
    state: State<'_, AppState>,
    server: String,
    code: String,
    station_name: String,
) -> Result<SyncState, UiError> {
    let path = state.store().path().to_owned();
    // The blocking HTTP client must not run on the async runtime's threads.
    let enrolled = std::thread::spawn(move || -> Result<SyncState, UiError> {
        let mut own = Store::open(&path)?;
        Ok(sync::enrol(&mut own, &server, &code, &station_name)?)
    })
    .join()
    .map_err(|_| UiError {
        code: "internal",
        message: "enrolment stopped unexpectedly; try again".into(),
    })??;
    state.sync.soon();
    Ok(enrolled)
}
