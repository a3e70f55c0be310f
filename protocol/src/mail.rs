//! The e-mail channel: the support mailboxes the server fetches, the server that sends the
//! desk's replies, and the messages from senders nobody knows yet. Passwords go to the server
//! and never come back: what is read shows only whether one is kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A support mailbox as the vendor admin sets it: IMAP over TLS (implicit TLS, port 993 as a
/// rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailboxSettings {
    pub host: String,
    #[serde(default = "imaps_port")]
    pub port: u16,
    pub user: String,
    /// Left out to keep the one the server has.
    #[serde(default)]
    pub password: Option<String>,
    /// Sign in with OAuth 2.0 (XOAUTH2) instead of a password, as Microsoft 365 and Gmail
    /// require.
    #[serde(default)]
    pub oauth2: Option<OAuth2Settings>,
    /// The certificate (PEM) of the vendor's own authority, when the mail server's certificate
    /// is not signed by a public one.
    #[serde(default)]
    pub ca_pem: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn imaps_port() -> u16 {
    993
}

fn yes() -> bool {
    true
}

/// OAuth 2.0 for a mailbox: the server asks the provider's token endpoint for a fresh access
/// token with a refresh token the vendor's administrator obtained once (for Microsoft 365:
/// `https://login.microsoftonline.com/TENANT/oauth2/v2.0/token`; for Gmail:
/// `https://oauth2.googleapis.com/token`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OAuth2Settings {
    pub token_url: String,
    pub client_id: String,
    /// None for a public client.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Left out to keep the refresh token and client secret the server has.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// A mailbox as the server has it, with how its fetching goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mailbox {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub has_password: bool,
    /// The token endpoint, when the mailbox signs in with OAuth 2.0.
    pub oauth2_token_url: Option<String>,
    pub oauth2_client_id: Option<String>,
    pub has_ca: bool,
    pub enabled: bool,
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed; none when it worked.
    pub last_error: Option<String>,
    /// Messages taken in so far.
    pub imported: u64,
}

/// How the server's mail leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Submission on port 587, upgraded with STARTTLS before anything is said.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The server that sends the desk's replies (SMTP submission), as the vendor admin sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutgoingMailSettings {
    pub host: String,
    #[serde(default = "submission_port")]
    pub port: u16,
    #[serde(default = "starttls")]
    pub security: SmtpSecurity,
    /// None for a server that takes mail from this host without signing in.
    #[serde(default)]
    pub user: Option<String>,
    /// Left out to keep the one the server has.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// The support mailbox's address: replies come back to it.
    pub from_address: String,
    pub from_name: String,
}

fn submission_port() -> u16 {
    587
}

fn starttls() -> SmtpSecurity {
    SmtpSecurity::Starttls
}

/// The outgoing side as the server has it, and how sending goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingMail {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    pub has_password: bool,
    pub has_ca: bool,
    pub from_address: String,
    pub from_name: String,
}

/// A reply that has not left yet, or could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedMail {
    /// `reply` (to an e-mail ticket's customer), `answer`, `quote` or `invoice` (a notice to a
    /// shop admin).
    pub kind: String,
    pub ticket_id: Option<Uuid>,
    pub ticket_number: Option<String>,
    pub invoice_number: Option<String>,
    pub to: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// The mail channel's state, for the vendor admin's settings and the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailChannel {
    pub mailboxes: Vec<Mailbox>,
    pub outgoing: Option<OutgoingMail>,
    /// Replies waiting to be sent, the oldest first.
    pub queued: Vec<QueuedMail>,
}

/// A message whose sender the server does not know: it waits for an agent to say whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnknownSenderMail {
    pub id: Uuid,
    pub mailbox: String,
    pub address: String,
    pub name: String,
    pub subject: String,
    /// The start of the text, for the agent to recognise it.
    pub excerpt: String,
    pub received_at: DateTime<Utc>,
}

/// An agent's answer to an unknown sender: the shop the message belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachMail {
    pub shop_id: Uuid,
    /// Take the sender's next messages for this shop without asking again.
    #[serde(default)]
    pub remember_sender: bool,
}

/// What a shop admin wants to hear by e-mail, at the address they sign in with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailNotices {
    /// Support answered on one of the shop's tickets.
    pub answers: bool,
    /// Support offered a quote for work outside the contract.
    pub quotes: bool,
    /// An invoice or credit note was issued, with its PDF and e-invoice (XRechnung) attached.
    pub invoices: bool,
}
