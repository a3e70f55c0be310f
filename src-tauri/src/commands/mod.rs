//! The `#[tauri::command]`s: each parses its arguments, makes one call into core and maps the
//! error for the UI. `async` keeps SQLite work off the window's main thread.

pub mod advisor;
pub mod app;
pub mod contracts;
pub mod remote;
pub mod stations;
pub mod sync;
pub mod tickets;
pub mod till;
