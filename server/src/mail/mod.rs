//! E-mail as a channel. The support mailboxes become tickets and replies ([`inbound`]); the
//! desk's replies on e-mail tickets go out by SMTP ([`outbound`]); the passwords both need are
//! sealed with a key outside the database ([`SecretsKey`]). How a message is read is
//! [`message`]'s.

pub mod inbound;
pub mod message;
pub mod outbound;
mod secrets;

pub use secrets::SecretsKey;

use stationdesk_protocol::{
    MailChannel, Mailbox, MailboxSettings, OutgoingMail, OutgoingMailSettings,
};

use crate::storage::{MailboxSignIn, Storage, StorageError};

const MAX_FIELD: usize = 255;

fn invalid(message: impl Into<String>) -> StorageError {
    StorageError::Invalid(message.into())
}

/// A host name or address: no spaces, no scheme, no port.
fn check_host(host: &str) -> Result<(), StorageError> {
    if host.is_empty()
        || host.len() > MAX_FIELD
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return Err(invalid(format!(
            "{host:?} is no host name; give the mail server's name, e.g. imap.example.com"
        )));
    }
    Ok(())
}

/// A CA certificate (or a short chain of them) as PEM: usable, and not a dump of anything
/// larger.
fn check_ca(ca_pem: Option<&str>) -> Result<(), StorageError> {
    const MAX_CA_PEM: usize = 64 * 1024;
    if ca_pem.is_some_and(|pem| pem.len() > MAX_CA_PEM) {
        return Err(invalid(format!(
            "the CA certificate has at most {} KiB of PEM",
            MAX_CA_PEM / 1024
        )));
    }
    inbound::tls_config(ca_pem).map(|_| ()).map_err(invalid)
}

fn check_password(password: Option<&str>) -> Result<(), StorageError> {
    match password {
        Some(p) if p.is_empty() || p.len() > 1024 || p.contains(['\r', '\n']) => Err(invalid(
            "a password has 1 to 1024 characters and no line breaks",
        )),
        _ => Ok(()),
    }
}

fn check_address(address: &str) -> Result<(), StorageError> {
    address
        .parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|e| invalid(format!("{address:?} is no e-mail address: {e}")))
}

/// Checks and keeps a support mailbox; its password, when given, sealed.
pub fn put_mailbox(
    storage: &dyn Storage,
    key: &SecretsKey,
    name: &str,
    settings: &MailboxSettings,
) -> Result<(), StorageError> {
    if name.is_empty()
        || name.len() > 40
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid(
            "a mailbox's name has 1 to 40 lower-case letters, digits and hyphens, e.g. support",
        ));
    }
    check_host(&settings.host)?;
    if settings.port == 0 {
        return Err(invalid("the port is 1 to 65535 (993 for IMAP over TLS)"));
    }
    if settings.user.trim().is_empty() || settings.user.len() > MAX_FIELD {
        return Err(invalid("the mailbox's user is 1 to 255 characters"));
    }
    check_password(settings.password.as_deref())?;
    check_ca(settings.ca_pem.as_deref())?;
    let purpose = mailbox_purpose(name);
    let sign_in = match (&settings.password, &settings.oauth2) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "a mailbox signs in with a password or with OAuth 2.0, not both",
            ))
        }
        (Some(password), None) => Some(MailboxSignIn::Password(key.seal(&purpose, password)?)),
        (None, Some(oauth2)) => {
            check_token_url(&oauth2.token_url)?;
            if oauth2.client_id.trim().is_empty() || oauth2.client_id.len() > MAX_FIELD {
                return Err(invalid("the OAuth 2.0 client id is 1 to 255 characters"));
            }
            check_password(oauth2.client_secret.as_deref())?;
            check_password(oauth2.refresh_token.as_deref())?;
            // Both secrets are sealed together: a client secret alone would be dropped.
            if oauth2.client_secret.is_some() && oauth2.refresh_token.is_none() {
                return Err(invalid(
                    "a new OAuth 2.0 client secret comes with a refresh token",
                ));
            }
            oauth2
                .refresh_token
                .as_deref()
                .map(|refresh_token| {
                    let secrets = OAuth2Secrets {
                        client_secret: oauth2.client_secret.clone(),
                        refresh_token: refresh_token.to_owned(),
                    };
                    Ok::<_, StorageError>(MailboxSignIn::OAuth2 {
                        token_url: oauth2.token_url.clone(),
                        client_id: oauth2.client_id.clone(),
                        sealed: secrets.seal(key, &purpose)?,
                    })
                })
                .transpose()?
        }
        (None, None) => None,
    };
    storage.put_mailbox(name, settings, sign_in)
}

/// What a mailbox's secrets are sealed for: they open for that mailbox only.
pub(crate) fn mailbox_purpose(name: &str) -> String {
    format!("mailbox {name}")
}

/// What OAuth 2.0 keeps sealed for a mailbox, together.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct OAuth2Secrets {
    pub client_secret: Option<String>,
    pub refresh_token: String,
}

impl OAuth2Secrets {
    pub fn seal(&self, key: &SecretsKey, purpose: &str) -> Result<Vec<u8>, StorageError> {
        key.seal(
            purpose,
            &serde_json::to_string(self).expect("secrets serialise"),
        )
    }

    pub fn open(key: &SecretsKey, purpose: &str, sealed: &[u8]) -> Result<Self, StorageError> {
        serde_json::from_str(&key.open(purpose, sealed)?).map_err(|e| {
            StorageError::Invalid(format!(
                "the OAuth 2.0 secrets of {purpose} cannot be read ({e}); set them again"
            ))
        })
    }
}

/// A token endpoint: HTTPS, or plain HTTP on this computer only (a provider's stand-in).
fn check_token_url(url: &str) -> Result<(), StorageError> {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    if url.len() <= MAX_FIELD
        && !url.contains(char::is_whitespace)
        && (url.starts_with("https://") || loopback.iter().any(|l| url.starts_with(l)))
    {
        Ok(())
    } else {
        Err(invalid(format!(
            "{url:?} is no token endpoint: give the provider's https:// address"
        )))
    }
}

/// Checks and keeps the outgoing server's settings; its password, when given, sealed.
pub fn put_outgoing(
    storage: &dyn Storage,
    key: &SecretsKey,
    settings: &OutgoingMailSettings,
) -> Result<(), StorageError> {
    check_host(&settings.host)?;
    if settings.port == 0 {
        return Err(invalid(
            "the port is 1 to 65535 (587 for STARTTLS, 465 for TLS)",
        ));
    }
    if settings
        .user
        .as_deref()
        .is_some_and(|u| u.trim().is_empty() || u.len() > MAX_FIELD)
    {
        return Err(invalid("the user is 1 to 255 characters, or left out"));
    }
    if settings.password.is_some() && settings.user.is_none() {
        return Err(invalid(
            "a password goes with a user: give both, or neither",
        ));
    }
    check_password(settings.password.as_deref())?;
    check_ca(settings.ca_pem.as_deref())?;
    check_address(&settings.from_address)?;
    if settings.from_name.trim().is_empty()
        || settings.from_name.len() > MAX_FIELD
        || settings.from_name.contains(['\r', '\n'])
    {
        return Err(invalid(
            "the sender's name is 1 to 255 characters on one line, e.g. Vendor Support",
        ));
    }
    let sealed = settings
        .password
        .as_deref()
        .map(|password| key.seal("outgoing mail", password))
        .transpose()?;
    storage.put_outgoing_mail(settings, sealed)
}

/// The channel as the vendor admin and the desk see it; no password, sealed or not.
pub fn channel(storage: &dyn Storage) -> Result<MailChannel, StorageError> {
    let mailboxes = storage
        .mailboxes()?
        .into_iter()
        .map(|m| {
            let (has_password, oauth2_token_url, oauth2_client_id) = match m.sign_in {
                MailboxSignIn::Password(_) => (true, None, None),
                MailboxSignIn::OAuth2 {
                    token_url,
                    client_id,
                    ..
                } => (false, Some(token_url), Some(client_id)),
            };
            Mailbox {
                name: m.name,
                host: m.host,
                port: m.port,
                user: m.user,
                has_password,
                oauth2_token_url,
                oauth2_client_id,
                has_ca: m.ca_pem.is_some(),
                enabled: m.enabled,
                last_fetch_at: m.last_fetch_at,
                last_error: m.last_error,
                imported: m.imported,
            }
        })
        .collect();
    let outgoing = storage.outgoing_mail()?.map(|o| OutgoingMail {
        host: o.host,
        port: o.port,
        security: o.security,
        user: o.user,
        has_password: o.password_sealed.is_some(),
        has_ca: o.ca_pem.is_some(),
        from_address: o.from_address,
        from_name: o.from_name,
    });
    Ok(MailChannel {
        mailboxes,
        outgoing,
        queued: storage.mail_queue()?,
    })
}
