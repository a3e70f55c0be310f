//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA-1, six digits, 30-second steps, one step of
//! clock skew either way) and one-time recovery codes. A code's step is accepted once only;
//! that is the backend's [`crate::storage::AccountBook::use_totp_step`].

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use totp_rs::{Builder, Secret, Totp};

use crate::accounts::secret_hash;
use crate::storage::StorageError;

const ISSUER: &str = "stationdesk";
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, StorageError> {
    Builder::new()
        .with_secret(Secret::from(secret))
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| StorageError::Backend(format!("TOTP: {e}")))
}

/// The secret in base32 and the `otpauth://` URL an authenticator app scans.
pub fn setup_of(secret: &[u8], account: &str) -> Result<(String, String), StorageError> {
    let totp = totp(secret, account)?;
    let url = totp
        .to_url()
        .map_err(|e| StorageError::Backend(format!("TOTP: {e}")))?;
    Ok((totp.secret().to_base32(), url))
}

/// The time step `code` is right for at `now` (within one step either way), if any.
pub fn step_of(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = u64::try_from(now.timestamp()).ok()?;
    let step = totp(secret, "check").ok()?.check(&code, now)?;
    i64::try_from(step).ok()
}

/// Ten fresh recovery codes, as shown once (`abcd-efgh-ijkl-mnop`, 80 random bits each), and
/// their hashes, as kept.
pub fn recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 16];
            OsRng.fill_bytes(&mut bytes);
            let letters: Vec<char> = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            letters
                .chunks(4)
                .map(|chunk| chunk.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect();
    let hashes = codes.iter().map(|code| recovery_hash(code)).collect();
    (codes, hashes)
}

/// Recovery codes are random enough for a fast hash; dashes, spaces and case do not matter.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secret_hash(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_for_its_step_and_the_ones_beside_it_only() {
        let secret = new_secret();
        let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let code = totp(&secret, "a@b.de")
            .unwrap()
            .generate(1_900_000_000)
            .to_string();
        let step = 1_900_000_000 / 30;
        assert_eq!(step_of(&secret, &code, at), Some(step));
        assert_eq!(
            step_of(&secret, &code, at + chrono::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            step_of(&secret, &code, at + chrono::Duration::seconds(90)),
            None
        );
        assert_eq!(step_of(&new_secret(), &code, at), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let (codes, hashes) = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert_eq!(
            recovery_hash(&codes[0].to_uppercase().replace('-', " ")),
            hashes[0]
        );
    }
}
