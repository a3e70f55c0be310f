//! Tokens in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), never in SQLite, files, logs or command lines. Without a reachable keyring the
//! caller gets an error that says how to fix it; there is no plaintext fallback.

use std::fmt;

use thiserror::Error;
use uuid::Uuid;

const SERVICE: &str = "stationdesk";

/// A token from the keyring: prints as `***` and is not serialisable.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error("no keyring is reachable ({0}); start and unlock your desktop's keyring (on Linux a Secret Service such as GNOME Keyring) and try again: stationdesk keeps its tokens nowhere else")]
    Unavailable(String),
}

/// Whose token: this installation's as an enrolled till, or the staff member signed in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Device(Uuid),
    /// By e-mail address, so each staff member keeps their own session.
    Staff(String),
}

/// The keyring entry for a token on a server (several installations, each with its own data
/// directory, may share one machine's keyring).
fn entry(server_url: &str, account: &Account) -> Result<keyring::Entry, SecretsError> {
    let user = match account {
        Account::Device(station) => format!("device-token {station} {server_url}"),
        Account::Staff(email) => format!("staff-session {email} {server_url}"),
    };
    keyring::Entry::new(SERVICE, &user).map_err(|e| SecretsError::Unavailable(e.to_string()))
}

fn unavailable(error: keyring::Error) -> SecretsError {
    SecretsError::Unavailable(error.to_string())
}

/// Fails unless a keyring is there to keep a token: checked before a one-time enrolment code
/// is spent, or a session opened, on a token that could not be kept.
pub fn check_available(server_url: &str) -> Result<(), SecretsError> {
    match entry(server_url, &Account::Device(Uuid::nil()))?.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(unavailable(error)),
    }
}

pub fn store_token(server_url: &str, account: &Account, token: &str) -> Result<(), SecretsError> {
    entry(server_url, account)?
        .set_password(token)
        .map_err(unavailable)
}

/// The account's token for the server, or `None` when this installation has none.
pub fn token(server_url: &str, account: &Account) -> Result<Option<Token>, SecretsError> {
    match entry(server_url, account)?.get_password() {
        Ok(token) => Ok(Some(Token(token))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(unavailable(error)),
    }
}

pub fn forget_token(server_url: &str, account: &Account) -> Result<(), SecretsError> {
    match entry(server_url, account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(unavailable(error)),
    }
}
