//! Account rules for every storage backend: who may be a staff member, how passwords are
//! hashed and checked, and how tokens and enrolment codes are made and kept (only their
//! hashes are stored). Argon2 is slow on purpose, so a backend hashes and verifies while it
//! holds no database lock.

use std::sync::{Condvar, LazyLock, Mutex};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use stationdesk_protocol::{NewStaff, Role};

use crate::storage::{Caller, StorageError};

pub const MIN_PASSWORD: usize = 10;
/// Long enough for any passphrase, short enough that hashing one is no way to load the server.
pub const MAX_PASSWORD: usize = 1024;

/// How long a staff session lasts: it ends after `idle` without a request, and `lifetime`
/// after sign-in however busy it is. A till's device token has neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: chrono::Duration,
    pub lifetime: chrono::Duration,
}

impl Default for SessionLimits {
    /// A working day's pause, and a week: the desk signs in on Monday morning.
    fn default() -> Self {
        SessionLimits {
            idle: chrono::Duration::hours(12),
            lifetime: chrono::Duration::days(7),
        }
    }
}

/// A token's use is written down when the one on record is older than this: often enough
/// for "last seen" and the idle limit, seldom enough not to write on every request.
pub const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Whether the caller's staff session is over at `now`.
pub fn session_over(
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
    limits: SessionLimits,
) -> bool {
    caller
        .ends_by
        .is_some_and(|ends_by| now >= ends_by || now - caller.last_used_at >= limits.idle)
}

/// What a client is told when it presents a token that was ended, by why.
pub fn ended_message(why: &str, station: bool, limits: SessionLimits) -> String {
    if station {
        return "this till was disconnected from the server by an admin; enrol it again with a new code from the shop admin".into();
    }
    match why {
        "sign_out" => "this session was signed out; sign in again".into(),
        "expired" => format!(
            "your session ended ({} hours without use, or {} days after signing in); sign in again",
            limits.idle.num_hours(),
            limits.lifetime.num_days()
        ),
        "password_changed" => {
            "the password was changed, which ended this session; sign in with the new one".into()
        }
        "deactivated" => "this account was deactivated; ask your admin".into(),
        "two_factor_on" => "two-factor sign-in was turned on for this account; sign in again with a code from your authenticator app".into(),
        _ => "an admin ended this session; sign in again".into(),
    }
}

/// A password someone chose, checked against the rules.
pub fn check_new_password(password: &str) -> Result<(), StorageError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(StorageError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    if length > MAX_PASSWORD {
        return Err(StorageError::Invalid(format!(
            "a password has at most {MAX_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// Checked when no account has the e-mail address, so that an unknown address costs the same
/// time as a wrong password and nobody can tell which addresses have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        hash_password(&random_secret()).expect("hashing a random password cannot fail")
    });
    &DUMMY
}

/// 256 random bits as hex: a token or an enrolment code nobody can guess.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Tokens are random enough that a fast hash is safe; only the hash is stored.
pub fn secret_hash(secret: &str) -> String {
    hex_sha256(secret.trim().as_bytes())
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a new staff account against the rules and hashes its password.
pub fn new_staff_hash(staff: &NewStaff) -> Result<String, StorageError> {
    if staff.named_contact && staff.role != Role::ShopAdmin {
        return Err(StorageError::Invalid(
            "only a shop admin is named in a shop's contract".into(),
        ));
    }
    match (staff.role, staff.shop_id) {
        (Role::Station, _) => {
            return Err(StorageError::Invalid(
                "stations enrol with a code; they are not staff".into(),
            ))
        }
        (Role::ShopAdmin, None) => {
            return Err(StorageError::Invalid("a shop admin needs --shop".into()))
        }
        (Role::SupportStaff | Role::VendorAdmin, Some(_)) => {
            return Err(StorageError::Invalid(
                "the vendor's staff belong to no shop; leave out --shop".into(),
            ))
        }
        _ => {}
    }
    if staff.email.trim().is_empty() || staff.name.trim().is_empty() {
        return Err(StorageError::Invalid(
            "a staff account needs an e-mail address and a name".into(),
        ));
    }
    check_new_password(&staff.password)?;
    hash_password(&staff.password)
}

pub fn hash_password(password: &str) -> Result<String, StorageError> {
    let salt = SaltString::generate(&mut OsRng);
    with_hashing_slot(|| {
        Ok(Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| StorageError::Backend(e.to_string()))?
            .to_string())
    })
}

/// Whether `password` is the one `hash` was made from.
pub fn password_matches(password: &str, hash: &str) -> Result<bool, StorageError> {
    let parsed = PasswordHash::new(hash).map_err(|e| StorageError::Backend(e.to_string()))?;
    with_hashing_slot(|| {
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
}

/// Password hashes being computed now, and how many may be at once: all cores but one, so a
/// burst of sign-ins (or of guesses) leaves a core for everyone else's sync.
struct HashingSlots {
    busy: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

static HASHING: LazyLock<HashingSlots> = LazyLock::new(|| HashingSlots {
    busy: Mutex::new(0),
    freed: Condvar::new(),
    max: std::thread::available_parallelism()
        .map_or(1, |cores| cores.get().saturating_sub(1))
        .max(1),
});

fn with_hashing_slot<T>(work: impl FnOnce() -> T) -> T {
    let slots = &*HASHING;
    let mut busy = slots.busy.lock().unwrap_or_else(|p| p.into_inner());
    while *busy >= slots.max {
        busy = slots.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
    }
    *busy += 1;
    drop(busy);
    let result = work();
    *slots.busy.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
    slots.freed.notify_one();
    result
}
