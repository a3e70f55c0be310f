//! The support mailboxes become tickets. Each enabled mailbox has a worker: it signs in over
//! TLS, reads what arrived after the last UID it took, and waits with IMAP IDLE where the
//! server offers it (else it looks again after the poll interval).
//!
//! Each message is taken in once. Its place (mailbox, UIDVALIDITY, UID) is written down after
//! it was handled, and what it becomes is pushed through the same door as a client's changes,
//! under change ids made from its Message-ID: handled twice (a crash between the two, two
//! server processes on one mailbox, the same message in two mailboxes), it is applied once.
//!
//! - A machine's message (auto-reply, bounce, bulk) opens nothing and is answered by nothing.
//! - A known sender (a shop admin's or a staff member's address, or one an agent attached to a
//!   shop) files a ticket with channel `email`, or replies on one: by `In-Reply-To` /
//!   `References` against the Message-IDs the server sent, else by the ticket number in the
//!   subject, never by subject text alone.
//! - Anyone else, a sender the receiving server found forged (DMARC), and a message the door
//!   refuses land in the desk's list of unknown senders, kept whole.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use stationdesk_core::domain::attachments::{check_attachment, clean_file_name};
use stationdesk_core::domain::tickets::{
    Category, Channel, Priority, StationDetails, Ticket, TicketState,
};
use stationdesk_core::store::{Attachment, Comment, EventKind, TicketEvent};
use stationdesk_core::wire::{Change, ChangeBody};
use stationdesk_protocol::{Outcome, Role, UnknownSenderMail};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use uuid::Uuid;

use super::message::{self, Incoming};
use super::{mailbox_purpose, OAuth2Secrets, SecretsKey};
use crate::storage::{
    Caller, MailboxRecord, MailboxSignIn, Pushed, Storage, StorageError, ThreadMessage,
    UnknownRecord,
};
use crate::Pushes;

/// The most of a message the server fetches: larger ones are written down as refused.
pub const MAX_MESSAGE_BYTES: u32 = 40 * 1024 * 1024;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Ticket(Uuid),
    Reply(Uuid),
    UnknownSender,
    /// Sent by a machine, and why the server thinks so.
    Automatic(&'static str),
}

impl Taken {
    pub fn outcome(&self) -> &'static str {
        match self {
            Taken::Ticket(_) => "ticket",
            Taken::Reply(_) => "reply",
            Taken::UnknownSender => "unknown_sender",
            Taken::Automatic(_) => "automatic",
        }
    }

    pub fn ticket(&self) -> Option<Uuid> {
        match self {
            Taken::Ticket(id) | Taken::Reply(id) => Some(*id),
            Taken::UnknownSender | Taken::Automatic(_) => None,
        }
    }
}

/// An id made from the message and what it is for: the same message gives the same ids.
fn made_id(key: &str, part: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("stationdesk mail {key} {part}").as_bytes(),
    )
}

/// Takes one message in, `raw` as it came and `read` as [`message::read`] read it: `place`
/// names where it was found, for a message without a Message-ID. Blocking (storage).
pub fn take_in(
    storage: &dyn Storage,
    mailbox: &str,
    place: &str,
    raw: &[u8],
    read: Option<&Incoming>,
    now: DateTime<Utc>,
) -> Result<Taken, StorageError> {
    let Some(mail) = read else {
        return Ok(Taken::Automatic("no sender address to answer"));
    };
    if let Some(why) = mail.automatic {
        return Ok(Taken::Automatic(why));
    }
    let key = mail.message_id.clone().unwrap_or_else(|| place.to_owned());
    let sender = if mail.forged {
        None
    } else {
        sender(storage, mail, now)?
    };
    let refused = match sender {
        Some(caller) => match file_or_reply(storage, &caller, mail, &key, now)? {
            Ok(taken) => return Ok(taken),
            Err(reason) => Some(reason),
        },
        None => None,
    };
    keep_unknown(storage, mailbox, mail, &key, raw, refused.as_deref(), now)?;
    Ok(Taken::UnknownSender)
}

/// An agent's answer to an unknown sender's message: it belongs to `shop`. Files it (or adds
/// it to the ticket it answers) as from the sender, whom the agent vouches for.
pub fn attach_unknown(
    storage: &dyn Storage,
    id: Uuid,
    shop: Uuid,
    remember: bool,
    now: DateTime<Utc>,
) -> Result<Uuid, StorageError> {
    let kept = storage
        .unknown_mail_whole(id)?
        .ok_or_else(|| StorageError::NotFound(format!("no unknown sender's message {id} waits")))?;
    let mail = message::read(&kept.raw)
        .ok_or_else(|| StorageError::Invalid("the message cannot be read any more".into()))?;
    if storage.shops(Some(shop))?.is_empty() {
        return Err(StorageError::NotFound(format!("there is no shop {shop}")));
    }
    let key = mail.message_id.clone().unwrap_or_else(|| id.to_string());
    let caller = vouched(&mail, shop, true, now);
    let taken = file_or_reply(storage, &caller, &mail, &key, now)?
        .map_err(|reason| StorageError::Invalid(format!("the message was refused: {reason}")))?;
    let ticket = taken.ticket().unwrap_or(id);
    storage.unknown_mail_attached(id, ticket, remember.then_some((&*mail.address, shop)))?;
    Ok(ticket)
}

/// Whom the sender's address belongs to, as a caller the door judges like any other.
fn sender(
    storage: &dyn Storage,
    mail: &Incoming,
    now: DateTime<Utc>,
) -> Result<Option<Caller>, StorageError> {
    if let Some(account) = storage.account_by_email(&mail.address)? {
        return Ok(match (account.active, account.role) {
            (true, Role::ShopAdmin | Role::SupportStaff) => Some(Caller {
                account: account.id,
                role: account.role,
                shop_id: account.shop_id,
                station_id: None,
                name: account.name,
                named_contact: account.named_contact,
                last_used_at: now,
                ends_by: None,
                setup_only: false,
            }),
            _ => None,
        });
    }
    Ok(storage
        .mail_sender_shop(&mail.address)?
        .map(|shop| vouched(mail, shop, false, now)))
}

/// A sender without an account, writing for `shop` because an agent said so.
fn vouched(mail: &Incoming, shop: Uuid, named_contact: bool, now: DateTime<Utc>) -> Caller {
    Caller {
        account: made_id(&mail.address, "sender"),
        role: Role::ShopAdmin,
        shop_id: Some(shop),
        station_id: None,
        name: mail.name.chars().take(100).collect(),
        named_contact,
        last_used_at: now,
        ends_by: None,
        setup_only: false,
    }
}

/// The ticket the message answers, and whether it is still being worked on: by the
/// Message-IDs the server sent, else by a ticket number in the subject; a ticket of the
/// sender's own shop either way (any shop's for the vendor's staff).
fn answered_ticket(
    storage: &dyn Storage,
    caller: &Caller,
    mail: &Incoming,
) -> Result<Option<(Uuid, bool)>, StorageError> {
    let in_reach = |ticket: Uuid| -> Result<Option<(Uuid, bool)>, StorageError> {
        Ok(match storage.mail_ticket(ticket)? {
            Some((shop, state, _))
                if caller.role == Role::SupportStaff || Some(shop) == caller.shop_id =>
            {
                let active = state
                    .parse::<TicketState>()
                    .map_or(true, TicketState::is_active);
                Some((ticket, active))
            }
            _ => None,
        })
    };
    if let Some(ticket) = storage.sent_in_thread(&mail.answers)? {
        if let Some(answered) = in_reach(ticket)? {
            return Ok(Some(answered));
        }
    }
    let shop = match caller.role {
        Role::SupportStaff => None,
        _ => caller.shop_id,
    };
    for number in message::ticket_numbers(&mail.subject) {
        if let Some(ticket) = storage.ticket_numbered(shop, &number)? {
            return in_reach(ticket);
        }
    }
    Ok(None)
}

/// Files the message as a new ticket or adds it to the one it answers; `Err` with the door's
/// reason when the door refuses it.
fn file_or_reply(
    storage: &dyn Storage,
    caller: &Caller,
    mail: &Incoming,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Result<Taken, String>, StorageError> {
    let answered = answered_ticket(storage, caller, mail)?;
    let mut changes = Vec::new();
    let taken = match answered {
        Some((ticket, active)) => {
            // A customer writing again on a finished ticket wants it looked at again.
            if !active {
                changes.push(ChangeBody::TicketEvent {
                    ticket_id: ticket,
                    event: TicketEvent {
                        id: made_id(key, "reopened"),
                        at: now,
                        actor: String::new(),
                        kind: EventKind::StateChanged,
                        from_state: None,
                        to_state: Some(TicketState::Open),
                        note: "reopened by an e-mail from the customer".into(),
                        assignee: None,
                    },
                });
            }
            Taken::Reply(ticket)
        }
        None if caller.role == Role::SupportStaff => {
            return Ok(Err(
                "a staff member's message that answers no ticket: attach it to a shop".into(),
            ))
        }
        None => {
            let ticket = made_id(key, "ticket");
            changes.push(ChangeBody::TicketFiled {
                ticket: Ticket {
                    id: ticket,
                    station_id: None,
                    reporter: caller.name.clone(),
                    title: message::title_of(&mail.subject),
                    category: Category::Fault,
                    priority: Priority::Normal,
                    channel: Channel::Email,
                    state: TicketState::New,
                    request: message::request_of(&mail.text),
                    station_details: StationDetails::default(),
                    cc: Vec::new(),
                    created_at: now,
                    updated_at: now,
                },
            });
            Taken::Ticket(ticket)
        }
    };
    let ticket = taken.ticket().expect("a ticket or a reply");
    let mut body = mail.text.clone();
    let mut attachments = Vec::new();
    let mut contents = Vec::new();
    for (at, file) in mail.files.iter().enumerate() {
        let name = clean_file_name(&file.name);
        match check_attachment(&file.bytes) {
            Ok(content_type) => {
                let sha256 = crate::accounts::hex_sha256(&file.bytes);
                attachments.push(ChangeBody::AttachmentAdded {
                    ticket_id: ticket,
                    attachment: Attachment {
                        id: made_id(key, &format!("file {at}")),
                        sha256: sha256.clone(),
                        file_name: name,
                        content_type: content_type.to_owned(),
                        size: file.bytes.len() as i64,
                        added_by: String::new(),
                        added_at: now,
                    },
                });
                contents.push((sha256, &file.bytes));
            }
            Err(why) => body.push_str(&format!("\n\n[not attached: {name}: {why}]")),
        }
    }
    if body.trim().is_empty() {
        body = "(the e-mail has no text)".into();
    }
    changes.push(ChangeBody::CommentAdded {
        ticket_id: ticket,
        comment: Comment {
            id: made_id(key, "text"),
            author: String::new(),
            body,
            created_at: now,
        },
    });
    changes.extend(attachments);
    let pushed = changes
        .into_iter()
        .enumerate()
        .map(|(at, body)| {
            let change = Change {
                change_id: made_id(key, &format!("change {at}")),
                created_at: now,
                body,
            };
            let raw = serde_json::value::to_raw_value(&change)
                .map_err(|e| StorageError::Backend(e.to_string()))?;
            Ok(Pushed {
                change_id: change.change_id,
                raw,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    for result in storage.push(caller, &pushed, now)? {
        if let Outcome::Rejected { reason } = result.outcome {
            return Ok(Err(reason));
        }
    }
    // Contents follow their attachments' changes, as a client's uploads do.
    for (sha256, bytes) in contents {
        storage.blob_append(caller, &sha256, 0, bytes.len() as u64, bytes)?;
    }
    storage.add_to_thread(
        ticket,
        &ThreadMessage {
            message_id: mail
                .message_id
                .clone()
                .unwrap_or_else(|| format!("{}@stationdesk.invalid", made_id(key, "message"))),
            sent: false,
            address: mail.address.clone(),
        },
        now,
    )?;
    Ok(Ok(taken))
}

fn keep_unknown(
    storage: &dyn Storage,
    mailbox: &str,
    mail: &Incoming,
    key: &str,
    raw: &[u8],
    refused: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let text: String = mail.text.chars().take(300).collect();
    storage.keep_unknown_mail(&UnknownRecord {
        listed: UnknownSenderMail {
            id: made_id(key, "unknown"),
            mailbox: mailbox.to_owned(),
            address: mail.address.clone(),
            name: mail.name.clone(),
            subject: mail.subject.chars().take(200).collect(),
            excerpt: match refused {
                Some(reason) => format!("[refused: {reason}] {text}"),
                None => text,
            },
            received_at: now,
        },
        raw: raw.to_vec(),
    })
}

/// Why a mailbox could not be read, as the vendor admin's settings show it.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot reach {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("the TLS handshake with {0} failed: {1}; check the host name and, for a certificate of your own authority, its CA certificate")]
    Tls(String, std::io::Error),
    #[error("{0}")]
    Settings(String),
    #[error("the mail server refused the sign-in: {0}; check the user and the password or token")]
    SignIn(String),
    #[error("the OAuth 2.0 token endpoint {0} {1}")]
    Token(String, String),
    #[error("the mail server answered: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the server's storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The TLS settings for a mail server: the system's roots, plus the vendor's own authority.
pub fn tls_config(ca_pem: Option<&str>) -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A broken certificate in the system's store is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if let Some(pem) = ca_pem {
        let mut any = false;
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| format!("the CA certificate is not PEM: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("the CA certificate is not usable: {e}"))?;
            any = true;
        }
        if !any {
            return Err("the CA certificate holds no certificate".into());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

type Session = async_imap::Session<tokio_rustls::client::TlsStream<TcpStream>>;

/// SASL XOAUTH2: the user and the access token, once; an empty answer to the error the server
/// sends back when it refuses the token.
struct XOAuth2 {
    user: String,
    token: String,
    sent: bool,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        if std::mem::replace(&mut self.sent, true) {
            String::new()
        } else {
            format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
        }
    }
}

/// What a token endpoint answers (RFC 6749, 5.1 and 5.2).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A fresh access token for the mailbox, from its refresh token; a refresh token the provider
/// replaces is kept sealed at once, as the old one stops working.
async fn access_token(
    storage: &Arc<dyn Storage>,
    key: &SecretsKey,
    mailbox: &MailboxRecord,
    token_url: &str,
    client_id: &str,
    sealed: &[u8],
) -> Result<String, FetchError> {
    let purpose = mailbox_purpose(&mailbox.name);
    let secrets = OAuth2Secrets::open(key, &purpose, sealed)?;
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", secrets.refresh_token.as_str()),
        ("client_id", client_id),
    ];
    if let Some(secret) = &secrets.client_secret {
        form.push(("client_secret", secret));
    }
    let refused = |detail: String| FetchError::Token(token_url.to_owned(), detail);
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| refused(e.to_string()))?
        .post(token_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| refused(format!("cannot reach it: {e}")))?;
    let status = response.status();
    let answer: TokenAnswer = response
        .json()
        .await
        .map_err(|e| refused(format!("answered {status} with no token: {e}")))?;
    let Some(token) = answer.access_token.filter(|_| status.is_success()) else {
        return Err(refused(format!(
            "refused the refresh token ({status}: {}{}); obtain a new one and set it",
            answer.error.unwrap_or_default(),
            answer
                .error_description
                .map(|d| format!(", {d}"))
                .unwrap_or_default()
        )));
    };
    if let Some(rotated) = answer
        .refresh_token
        .filter(|rotated| *rotated != secrets.refresh_token)
    {
        let sealed = OAuth2Secrets {
            client_secret: secrets.client_secret.clone(),
            refresh_token: rotated,
        }
        .seal(key, &purpose)?;
        let (storage, name) = (Arc::clone(storage), mailbox.name.clone());
        blocking(move || storage.mailbox_token_rotated(&name, &sealed)).await?;
    }
    Ok(token)
}

async fn sign_in(
    storage: &Arc<dyn Storage>,
    key: &SecretsKey,
    mailbox: &MailboxRecord,
) -> Result<Session, FetchError> {
    let address = format!("{}:{}", mailbox.host, mailbox.port);
    let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect(&address))
        .await
        .map_err(|_| {
            FetchError::Connect(
                address.clone(),
                std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 30 s"),
            )
        })?
        .map_err(|e| FetchError::Connect(address.clone(), e))?;
    let config = tls_config(mailbox.ca_pem.as_deref()).map_err(FetchError::Settings)?;
    let name = rustls_pki_types::ServerName::try_from(mailbox.host.clone())
        .map_err(|e| FetchError::Settings(format!("{} is no host name: {e}", mailbox.host)))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| FetchError::Tls(address.clone(), e))?;
    let mut client = async_imap::Client::new(tls);
    client
        .read_response()
        .await
        .map_err(|e| FetchError::Connect(address, e))?;
    let signed_in = match &mailbox.sign_in {
        MailboxSignIn::Password(sealed) => {
            let password = key.open(&mailbox_purpose(&mailbox.name), sealed)?;
            client.login(&mailbox.user, password).await
        }
        MailboxSignIn::OAuth2 {
            token_url,
            client_id,
            sealed,
        } => {
            let token = access_token(storage, key, mailbox, token_url, client_id, sealed).await?;
            client
                .authenticate(
                    "XOAUTH2",
                    XOAuth2 {
                        user: mailbox.user.clone(),
                        token,
                        sent: false,
                    },
                )
                .await
        }
    };
    signed_in.map_err(|(e, _)| FetchError::SignIn(e.to_string()))
}

/// Runs blocking storage work off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, FetchError> {
    Ok(tokio::task::spawn_blocking(work).await??)
}

/// Reads what is new in the selected mailbox and takes each message in; where the mailbox is
/// read to.
async fn take_new(
    session: &mut Session,
    storage: &Arc<dyn Storage>,
    pushes: &Pushes,
    mailbox: &MailboxRecord,
    uid_validity: u32,
    mut last_uid: u32,
) -> Result<u32, FetchError> {
    // Sizes first, so an oversized message is written down without being downloaded.
    let listed: Vec<(u32, u32)> = session
        .uid_fetch(format!("{}:*", last_uid + 1), "(UID RFC822.SIZE)")
        .await?
        .try_filter_map(
            |fetch| async move { Ok(fetch.uid.map(|uid| (uid, fetch.size.unwrap_or(0)))) },
        )
        .try_collect()
        .await?;
    let mut uids: Vec<(u32, u32)> = listed
        .into_iter()
        .filter(|(uid, _)| *uid > last_uid)
        .collect();
    uids.sort_unstable();
    for (uid, size) in uids {
        let name = mailbox.name.clone();
        let taken_before = {
            let storage = Arc::clone(storage);
            blocking(move || storage.mail_taken(&name, uid_validity, uid)).await?
        };
        if !taken_before {
            let raw = if size > MAX_MESSAGE_BYTES {
                None
            } else {
                let fetched: Vec<Vec<u8>> = session
                    .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                    .await?
                    .try_filter_map(|fetch| async move { Ok(fetch.body().map(<[u8]>::to_vec)) })
                    .try_collect()
                    .await?;
                fetched.into_iter().next()
            };
            let storage = Arc::clone(storage);
            let name = mailbox.name.clone();
            let taken = blocking(move || {
                let now = Utc::now();
                let (outcome, ticket, message_id) = match raw {
                    Some(raw) => {
                        let place = format!("{name}/{uid_validity}/{uid}");
                        let read = message::read(&raw);
                        let message_id = read.as_ref().and_then(|m| m.message_id.clone());
                        match take_in(&*storage, &name, &place, &raw, read.as_ref(), now) {
                            Ok(taken) => (taken.outcome(), taken.ticket(), message_id),
                            // The database failing is tried again; a message the rules
                            // cannot take would be refused every time, and must not stop
                            // the mailbox.
                            Err(StorageError::Backend(error)) => {
                                return Err(StorageError::Backend(error))
                            }
                            Err(error) => {
                                tracing::warn!(mailbox = %name, uid, %error, "mail refused");
                                ("refused", None, message_id)
                            }
                        }
                    }
                    None => ("too_large", None, None),
                };
                storage.mail_outcome(
                    &name,
                    uid_validity,
                    uid,
                    message_id.as_deref(),
                    outcome,
                    ticket,
                    now,
                )?;
                Ok(outcome)
            })
            .await?;
            tracing::info!(mailbox = %mailbox.name, uid, outcome = taken, "mail taken in");
            pushes.announce();
        }
        last_uid = uid;
        let (storage, name) = (Arc::clone(storage), mailbox.name.clone());
        blocking(move || {
            storage.mailbox_fetched(&name, Some((uid_validity, uid)), Utc::now(), None)
        })
        .await?;
    }
    Ok(last_uid)
}

/// Whether the mailbox's settings are still what the worker signed in with: any change the
/// vendor admin makes, a new refresh token too, has the worker sign in again; a refresh token
/// the provider rotated does not.
fn same_settings(a: &MailboxRecord, b: &MailboxRecord) -> bool {
    a.changed_at == b.changed_at
}

/// One signed-in session: reads and waits until the settings change (`Ok`) or something fails.
async fn session(
    storage: &Arc<dyn Storage>,
    key: &SecretsKey,
    pushes: &Pushes,
    mailbox: &MailboxRecord,
    poll: Duration,
) -> Result<(), FetchError> {
    let mut session = sign_in(storage, key, mailbox).await?;
    let capabilities = session.capabilities().await?;
    let idle = capabilities.has_str("IDLE");
    loop {
        let selected = session.select("INBOX").await?;
        let uid_validity = selected.uid_validity.unwrap_or(0);
        let current = {
            let storage = Arc::clone(storage);
            blocking(move || storage.mailboxes()).await?
        };
        let Some(now_set) = current.into_iter().find(|m| m.name == mailbox.name) else {
            return Ok(());
        };
        if !same_settings(&now_set, mailbox) {
            return Ok(());
        }
        // A new UIDVALIDITY numbers the mailbox anew: read it from the start (what was taken
        // in before is known by its Message-ID).
        let from = match now_set.uid_validity {
            Some(known) if known == uid_validity => now_set.last_uid,
            _ => 0,
        };
        let read_to = take_new(&mut session, storage, pushes, &now_set, uid_validity, from).await?;
        {
            let (storage, name) = (Arc::clone(storage), mailbox.name.clone());
            blocking(move || {
                storage.mailbox_fetched(&name, Some((uid_validity, read_to)), Utc::now(), None)
            })
            .await?;
        }
        if idle {
            let mut handle = session.idle();
            handle.init().await?;
            let (wait, _stop) = handle.wait_with_timeout(poll);
            wait.await?;
            session = handle.done().await?;
        } else {
            tokio::time::sleep(poll).await;
        }
    }
}

/// Keeps one worker per enabled mailbox running, for as long as the server runs: a mailbox
/// added or changed is picked up within `poll`, one that fails is tried again after `poll`.
pub async fn run(storage: Arc<dyn Storage>, key: Arc<SecretsKey>, pushes: Pushes, poll: Duration) {
    let mut running: std::collections::HashMap<String, tokio::task::JoinHandle<()>> =
        std::collections::HashMap::new();
    loop {
        let listed = {
            let storage = Arc::clone(&storage);
            tokio::task::spawn_blocking(move || storage.mailboxes()).await
        };
        match listed {
            Ok(Ok(mailboxes)) => {
                running.retain(|_, worker| !worker.is_finished());
                for mailbox in mailboxes.into_iter().filter(|m| m.enabled) {
                    if running.contains_key(&mailbox.name) {
                        continue;
                    }
                    let (storage, key, pushes) =
                        (Arc::clone(&storage), Arc::clone(&key), pushes.clone());
                    let name = mailbox.name.clone();
                    running.insert(
                        name,
                        tokio::spawn(async move {
                            if let Err(error) = session(&storage, &key, &pushes, &mailbox, poll).await {
                                tracing::warn!(mailbox = %mailbox.name, %error, "cannot read the mailbox");
                                let message = error.to_string();
                                let _ = tokio::task::spawn_blocking(move || {
                                    storage.mailbox_fetched(&mailbox.name, None, Utc::now(), Some(&message))
                                })
                                .await;
                            }
                        }),
                    );
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "cannot read the mailboxes' settings"),
            Err(error) => tracing::warn!(%error, "cannot read the mailboxes' settings"),
        }
        tokio::time::sleep(poll).await;
    }
}
