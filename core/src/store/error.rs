use std::path::PathBuf;

use rusqlite::ErrorCode;
use thiserror::Error;

use crate::domain::DomainError;
use crate::remote::RemoteError;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),

    #[error(transparent)]
    Remote(#[from] RemoteError),

    #[error("no {what} {reference:?} here; list them with `stationdesk-cli {what} list`")]
    NotFound {
        what: &'static str,
        reference: String,
    },

    #[error("a station named {0:?} exists already; choose another name")]
    StationNameTaken(String),

    #[error("this option covers {option_covers} station(s) but {chosen} were chosen; choose as many stations as the option covers")]
    OptionDoesNotFit { option_covers: u32, chosen: usize },

    #[error("station {station} has no remote tool recorded; record its tool and id under Stations first")]
    NoRemoteTool { station: String },

    #[error("a comment needs some text")]
    EmptyComment,

    #[error("taking a ticket needs an agent of the support desk signed in here; sign in as support staff (sign out and in again if you are)")]
    NotAnAgent,

    #[error("this PC is enrolled as the till of {0}; it can be the till of that station only, or of none")]
    NotThisTill(String),

    #[error("the disk is full, so nothing was saved; free some space and try again")]
    DiskFull,

    #[error("there is no home directory to keep stationdesk's data in; set STATIONDESK_DATA_DIR to a folder")]
    NoHomeDirectory,

    #[error("cannot write to the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("cannot bring the database {path} up to date ({source}); it may come from a newer stationdesk")]
    Migration {
        path: PathBuf,
        source: rusqlite_migration::Error,
    },

    #[error("the database holds something this version cannot read ({0}); restore a backup or ask support")]
    Corrupt(String),

    #[error("the database failed: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(error),
        }
    }
}

impl StoreError {
    /// A file write failed: a full disk says so, anything else names the folder.
    pub(super) fn from_io(dir: &std::path::Path, source: std::io::Error) -> StoreError {
        if source.kind() == std::io::ErrorKind::StorageFull {
            StoreError::DiskFull
        } else {
            StoreError::DataDir {
                path: dir.to_owned(),
                source,
            }
        }
    }

    /// The unique index on station names speaks for a rename or an insert.
    pub(super) fn from_name_clash(error: rusqlite::Error, name: &str) -> StoreError {
        match &error {
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                StoreError::StationNameTaken(name.to_owned())
            }
            _ => error.into(),
        }
    }

    /// A short stable code the UI and scripts can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Domain(_) => "rule",
            StoreError::Remote(error) => error.code(),
            StoreError::NotFound { .. } => "not_found",
            StoreError::StationNameTaken(_) => "name_taken",
            StoreError::OptionDoesNotFit { .. }
            | StoreError::EmptyComment
            | StoreError::NotThisTill(_)
            | StoreError::NoRemoteTool { .. }
            | StoreError::NotAnAgent => "rule",
            StoreError::DiskFull => "disk_full",
            StoreError::NoHomeDirectory
            | StoreError::DataDir { .. }
            | StoreError::Open { .. }
            | StoreError::Migration { .. } => "storage",
            StoreError::Corrupt(_) | StoreError::Sqlite(_) => "storage",
        }
    }
}
