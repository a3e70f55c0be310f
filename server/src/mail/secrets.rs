//! The mail passwords the server has to keep (it signs in to the mailbox and the mail server by
//! itself), sealed with a key kept in a file of its own, outside the database: a copy of the
//! database, a backup or a PostgreSQL dump alone does not give them away.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::storage::StorageError;

pub struct SecretsKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

impl SecretsKey {
    /// The key in `path`; a new one, readable by this user only, when there is none yet.
    pub fn load_or_create(path: &Path) -> Result<SecretsKey, StorageError> {
        let unreadable = |e: std::io::Error| {
            StorageError::Invalid(format!(
                "cannot use the secrets key {}: {e}; give --secrets-key a file this user may read and write",
                path.display()
            ))
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = vec![0; 32];
                SystemRandom::new()
                    .fill(&mut bytes)
                    .map_err(|_| StorageError::Backend("no random numbers".into()))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(unreadable)?;
                file.write_all(&bytes).map_err(unreadable)?;
                file.sync_all().map_err(unreadable)?;
                bytes
            }
            Err(e) => return Err(unreadable(e)),
        };
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| {
            StorageError::Invalid(format!(
                "{} is no secrets key (32 bytes); move it away and a new one is made, then set the mail passwords again",
                path.display()
            ))
        })?;
        Ok(SecretsKey {
            key: LessSafeKey::new(key),
        })
    }

    /// Where the key lives by default: beside a SQLite database; a PostgreSQL deployment names
    /// its file, the same for every server process.
    pub fn default_path(db: &str) -> Option<PathBuf> {
        (!db.starts_with("postgres://") && !db.starts_with("postgresql://"))
            .then(|| PathBuf::from(format!("{db}.secrets-key")))
    }

    /// `secret` sealed for `purpose` (what it unlocks: a sealed secret opens only for the
    /// purpose it was sealed for).
    pub fn seal(&self, purpose: &str, secret: &str) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| StorageError::Backend("no random numbers".into()))?;
        let mut sealed = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| StorageError::Backend("cannot seal a secret".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Result<String, StorageError> {
        let wrong = || {
            StorageError::Invalid(format!(
                "the password of {purpose} was sealed with another secrets key; set it again"
            ))
        };
        let (nonce, sealed) = sealed.split_at_checked(NONCE_LEN).ok_or_else(wrong)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut sealed = sealed.to_vec();
        let opened = self
            .key
            .open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(opened.to_vec()).map_err(|_| wrong())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_with_its_key_for_its_purpose_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = SecretsKey::load_or_create(&path).unwrap();
        let sealed = key.seal("mailbox support", "Geheim!1").unwrap();
        assert!(!sealed.windows(8).any(|w| w == b"Geheim!1"));
        let again = SecretsKey::load_or_create(&path).unwrap();
        assert_eq!(again.open("mailbox support", &sealed).unwrap(), "Geheim!1");
        assert!(again.open("mailbox other", &sealed).is_err());
        let other = SecretsKey::load_or_create(&dir.path().join("other")).unwrap();
        assert!(other.open("mailbox support", &sealed).is_err());
        assert!(key.open("mailbox support", b"short").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
