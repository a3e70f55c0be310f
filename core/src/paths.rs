//! Where stationdesk keeps its files.

use std::path::PathBuf;

use crate::store::StoreError;

/// Overrides the data directory: a second installation on one machine, a portable setup, or a
/// test that must not touch the user's real data.
pub const DATA_DIR_ENV: &str = "STATIONDESK_DATA_DIR";
const DATABASE_FILE: &str = "stationdesk.sqlite";

/// The platform's per-user data directory for stationdesk (e.g. `~/.local/share/stationdesk` on
/// Linux, `%APPDATA%\stationdesk\stationdesk\data` on Windows), unless [`DATA_DIR_ENV`] is set.
pub fn data_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("eu", "stationdesk", "stationdesk")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or(StoreError::NoHomeDirectory)
}

pub fn default_database() -> Result<PathBuf, StoreError> {
    Ok(data_dir()?.join(DATABASE_FILE))
}

/// Where documents the user fetches go (an invoice's PDF and XML): the desktop's Downloads
/// folder, or `~/Downloads` on a desktop that names none.
pub fn downloads_dir() -> Result<PathBuf, StoreError> {
    let dirs = directories::UserDirs::new().ok_or(StoreError::NoHomeDirectory)?;
    Ok(dirs
        .download_dir()
        .map_or_else(|| dirs.home_dir().join("Downloads"), ToOwned::to_owned))
}
