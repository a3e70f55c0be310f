//! The `#[tauri::command]`s: each parses its arguments, makes one call into core and maps the
//! error for the UI. `async` keeps SQLite work off the window's main thread.

pub mod access;
pub mod advisor;
pub mod app;
pub mod books;
pub mod contracts;
pub mod desk;
pub mod mail;
pub mod remote;
pub mod stations;
pub mod sync;
pub mod tickets;
pub mod till;

use stationdesk_core::store::Store;
use stationdesk_core::sync::SyncError;

use crate::error::UiError;
use crate::state::AppState;

/// Talks to the server from a connection of its own on a thread of its own (the blocking HTTP
/// client must not run on the async runtime's threads), so the window and the till are not
/// held up while the server answers.
pub(crate) fn on_own_connection<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut Store) -> Result<T, SyncError> + Send + 'static,
) -> Result<T, UiError> {
    let path = state.store().path().to_owned();
    std::thread::spawn(move || -> Result<T, UiError> {
        let mut own = Store::open(&path)?;
        Ok(work(&mut own)?)
    })
    .join()
    .map_err(|_| UiError {
        code: "internal",
        message: "the server request stopped unexpectedly; try again".into(),
    })?
}
