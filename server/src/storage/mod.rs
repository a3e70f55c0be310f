//! What the server keeps, behind a trait: handlers speak to [`Storage`] and never to SQL, so a
//! PostgreSQL backend stands beside SQLite ([`tables::SqlStorage`] over either) for deployments that outgrow one
//! machine.

pub mod memory;
pub mod sql;
pub mod tables;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use stationdesk_core::domain::contracts::{Contract, Party};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_protocol::{
    BilledShop, BlobStatus, CatalogVersion, ChangeResult, ContractOverview, Invoice, MailNotices,
    MailboxSettings, Me, NewContract, NewShop, NewStaff, OutgoingMailSettings, PullResponse,
    QueuedMail, Role, SecurityEvent, SecurityPolicy, Shop, ShopBilling, SmtpSecurity, StaffMember,
    StaffSession, Till, UnknownSenderMail, VendorProfile,
};
use thiserror::Error;
use uuid::Uuid;

/// Who is calling, from their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The station or the staff member the token belongs to.
    pub account: Uuid,
    pub role: Role,
    pub shop_id: Option<Uuid>,
    pub station_id: Option<Uuid>,
    pub name: String,
    /// A shop admin named in a Second Level contract.
    pub named_contact: bool,
    /// When the token was last used, as far as the server wrote it down (to the minute).
    pub last_used_at: DateTime<Utc>,
    /// When a staff session ends at the latest; a till's device token never ends by itself.
    pub ends_by: Option<DateTime<Utc>>,
    /// The vendor requires two factors of this account and it has none yet: the session may
    /// only set them up.
    pub setup_only: bool,
}

impl From<Caller> for Me {
    fn from(caller: Caller) -> Me {
        Me {
            role: caller.role,
            shop_id: caller.shop_id,
            station_id: caller.station_id,
            name: caller.name,
        }
    }
}

/// One pushed change, as sent: the id it answers to, and the change still to be read (the
/// door reads it; one that cannot be read is refused on its own).
pub struct Pushed {
    pub change_id: Uuid,
    pub raw: Box<RawValue>,
}

/// What a token is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    Active(Caller),
    /// It worked once and was ended: signed out, expired, revoked, … (`revoked_why`).
    Ended {
        why: String,
        station: bool,
    },
    Unknown,
}

/// A staff account as sign-in and the account rules need it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub shop_id: Option<Uuid>,
    pub named_contact: bool,
    pub password_hash: String,
    pub active: bool,
    /// The TOTP secret in force.
    pub totp_secret: Option<Vec<u8>>,
    /// A TOTP secret shown to the owner, waiting for its first code.
    pub totp_pending: Option<Vec<u8>>,
}

/// Which tokens [`AccountBook::end_tokens`] ends.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// The token presented.
    Token(&'a str),
    /// A staff session by its public id ([`StaffSession::id`]).
    Session(&'a str),
    /// Every device token of a till.
    Station(Uuid),
    /// Every session of a staff member, but the one presented (a password change keeps the
    /// session it was made in).
    User { user: Uuid, except: Option<&'a str> },
}

/// An entry for the security log, as the rules write it.
#[derive(Debug, Clone, Default)]
pub struct SecurityNote {
    pub kind: &'static str,
    pub subject: String,
    pub shop_id: Option<Uuid>,
    pub actor: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}

/// Accounts, sessions, tills and the security log. The rules live in [`crate::accounts`] and
/// [`crate::signin`]; a backend keeps and reads back.
pub trait AccountBook {
    /// The staff account with this e-mail address (case does not matter).
    fn account_by_email(&self, email: &str) -> Result<Option<Account>, StorageError>;
    fn account(&self, id: Uuid) -> Result<Option<Account>, StorageError>;
    /// A new session token for `account`, ending by `ends_by` at the latest.
    fn open_session(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        ends_by: DateTime<Utc>,
        address: Option<&str>,
        setup_only: bool,
    ) -> Result<(String, Caller), StorageError>;
    /// Writes down that the token was used now (callers do so about once a minute).
    fn touch(&self, token: &str, now: DateTime<Utc>) -> Result<(), StorageError>;
    /// Ends tokens, with why (`sign_out`, `expired`, `revoked`, `password_changed`,
    /// `deactivated`); how many were open. Ended tokens are refused at once by this process.
    fn end_tokens(
        &self,
        which: Ending<'_>,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StorageError>;
    /// One shop's enrolled tills, or every shop's, by name; revoked ones too.
    fn tills(&self, shop: Option<Uuid>) -> Result<Vec<Till>, StorageError>;
    /// The open sessions of one shop's staff, or of everyone; `current` is left false.
    fn sessions(
        &self,
        shop: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StaffSession>, StorageError>;
    fn set_active(&self, user: Uuid, active: bool) -> Result<(), StorageError>;
    fn set_password_hash(&self, user: Uuid, hash: &str) -> Result<(), StorageError>;
    /// Keeps `secret` as the one being set up (a new start replaces an unconfirmed one).
    fn begin_two_factor(&self, user: Uuid, secret: &[u8]) -> Result<(), StorageError>;
    /// Puts the pending secret in force, accepted at `step`, with these recovery codes (as
    /// hashes) replacing any earlier ones.
    fn confirm_two_factor(
        &self,
        user: Uuid,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<(), StorageError>;
    fn end_two_factor(&self, user: Uuid) -> Result<(), StorageError>;
    /// Accepts a code's time step once: false if this step or a later one was used already.
    fn use_totp_step(&self, user: Uuid, step: i64) -> Result<bool, StorageError>;
    /// Uses up a recovery code: false if the account has no such code (left).
    fn use_recovery_code(&self, user: Uuid, hash: &str) -> Result<bool, StorageError>;
    fn security_policy(&self) -> Result<SecurityPolicy, StorageError>;
    fn set_security_policy(&self, policy: &SecurityPolicy) -> Result<(), StorageError>;
    fn log_security(&self, note: SecurityNote, now: DateTime<Utc>) -> Result<(), StorageError>;
    /// The newest entries first, older than `before` when given.
    fn security_log(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<SecurityEvent>, StorageError>;
}

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// Beyond a quota or a size the server keeps.
    #[error("{0}")]
    TooLarge(String),
    #[error("the enrolment code is unknown, used or expired; ask the shop admin for a new one")]
    BadEnrolmentCode,
    #[error("storage failed: {0}")]
    Backend(String),
}

/// An invoice's documents as issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The XRechnung (CII) e-invoice.
    Xml,
    Pdf,
}

/// The vendor's books: what it sells, to whom, and what it invoiced. Rules live in
/// [`crate::billing`] and core; a backend keeps, numbers and reads back.
pub trait VendorBooks {
    fn vendor_profile(&self) -> Result<Option<VendorProfile>, StorageError>;
    /// Checks and keeps the profile; the kept one.
    fn set_vendor_profile(&self, profile: VendorProfile) -> Result<VendorProfile, StorageError>;
    fn catalog_versions(&self) -> Result<Vec<CatalogVersion>, StorageError>;
    /// A new version, never a change to one: contracts keep the price they were sold at.
    fn add_catalog_version(
        &self,
        valid_from: NaiveDate,
        catalog: &serde_json::Value,
    ) -> Result<(), StorageError>;
    /// The catalogue in force on `day` (the built-in one before any version).
    fn catalog_on(&self, day: NaiveDate) -> Result<Catalog, StorageError>;
    fn shop_billing(&self, shop: Uuid) -> Result<Option<ShopBilling>, StorageError>;
    /// One shop, or every shop when `only` is `None`, each with its billing data, by name.
    fn billed_shops(&self, only: Option<Uuid>) -> Result<Vec<BilledShop>, StorageError>;
    fn set_shop_billing(
        &self,
        shop: Uuid,
        billing: ShopBilling,
    ) -> Result<ShopBilling, StorageError>;
    /// A contract the vendor admin makes for a shop, priced from the catalogue in force
    /// `today`, and sent to the shop like every confirmed contract.
    fn create_contract(
        &self,
        new: &NewContract,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError>;
    /// A notice the vendor received on `received` (or its own termination).
    fn give_notice(
        &self,
        contract_id: Uuid,
        received: NaiveDate,
        by: Party,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError>;
    fn contracts_overview(
        &self,
        shop: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Vec<ContractOverview>, StorageError>;
    /// Issues every invoice due on or before `on` that is not issued yet; only those.
    fn invoice_run(&self, on: NaiveDate) -> Result<Vec<Invoice>, StorageError>;
    /// A shop's invoices and credit notes (every shop's for `None`), in number order; with
    /// `overdue_on`, only the unpaid invoices due before that day.
    fn invoices(
        &self,
        shop: Option<Uuid>,
        overdue_on: Option<NaiveDate>,
    ) -> Result<Vec<Invoice>, StorageError>;
    fn invoice(&self, number: &str) -> Result<Invoice, StorageError>;
    fn invoice_document(&self, number: &str, document: Document) -> Result<Vec<u8>, StorageError>;
    /// The credit note that cancels the invoice; its period may then be invoiced anew.
    fn cancel_invoice(
        &self,
        number: &str,
        reason: &str,
        on: NaiveDate,
    ) -> Result<Invoice, StorageError>;
    fn mark_paid(&self, number: &str, on: NaiveDate) -> Result<Invoice, StorageError>;
}

/// A support mailbox as kept, its password sealed ([`crate::mail::SecretsKey`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxRecord {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub sign_in: MailboxSignIn,
    pub ca_pem: Option<String>,
    pub enabled: bool,
    /// When the settings last changed (not when the provider rotated a refresh token).
    pub changed_at: Option<DateTime<Utc>>,
    /// The mailbox's UIDVALIDITY when it was last read: UIDs count anew when it changes.
    pub uid_validity: Option<u32>,
    /// The highest UID read so far.
    pub last_uid: u32,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub imported: u64,
}

/// How the server signs in to a mailbox, its secrets sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxSignIn {
    Password(Vec<u8>),
    /// OAuth 2.0: the client secret and the refresh token sealed together.
    OAuth2 {
        token_url: String,
        client_id: String,
        sealed: Vec<u8>,
    },
}

/// The server that sends the replies, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingRecord {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    pub password_sealed: Option<Vec<u8>>,
    pub ca_pem: Option<String>,
    pub from_address: String,
    pub from_name: String,
}

/// What a mail in the outbox is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// The desk's reply on an e-mail ticket, to the thread's customer.
    Reply,
    /// A notice to a shop admin: support answered on a ticket.
    Answer,
    /// A notice to a shop admin: support offered a quote.
    Quote,
    /// A notice to a shop admin: an invoice or credit note was issued.
    Invoice,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Reply => "reply",
            OutboxKind::Answer => "answer",
            OutboxKind::Quote => "quote",
            OutboxKind::Invoice => "invoice",
        }
    }

    pub fn parse(text: &str) -> Option<OutboxKind> {
        [
            OutboxKind::Reply,
            OutboxKind::Answer,
            OutboxKind::Quote,
            OutboxKind::Invoice,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// A mail waiting in the outbox, leased to the sender that took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// A reply's is its comment's id; a notice's is made from what it tells and whom.
    pub id: String,
    pub kind: OutboxKind,
    pub ticket_id: Option<Uuid>,
    /// A notice's recipient; a reply goes to the thread's customer.
    pub to: Option<String>,
    pub invoice_number: Option<String>,
    pub author: String,
    pub body: String,
    pub attempts: u32,
}

/// One message of an e-mail ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadMessage {
    pub message_id: String,
    pub sent: bool,
    /// The customer's address.
    pub address: String,
}

/// A message from an unknown sender, kept whole until an agent says whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRecord {
    /// As the desk's list shows it.
    pub listed: UnknownSenderMail,
    pub raw: Vec<u8>,
}

/// The e-mail channel's tables. The rules live in [`crate::mail`]; a backend keeps and reads
/// back.
pub trait MailBook {
    fn mailboxes(&self) -> Result<Vec<MailboxRecord>, StorageError>;
    /// Keeps a mailbox's settings; without `sign_in` it keeps how it signs in (a new mailbox
    /// needs it).
    fn put_mailbox(
        &self,
        name: &str,
        settings: &MailboxSettings,
        sign_in: Option<MailboxSignIn>,
    ) -> Result<(), StorageError>;
    fn remove_mailbox(&self, name: &str) -> Result<(), StorageError>;
    /// Keeps the OAuth 2.0 secrets with the refresh token the provider replaced the old one
    /// with.
    fn mailbox_token_rotated(&self, name: &str, sealed: &[u8]) -> Result<(), StorageError>;
    /// How a fetch went: how far the mailbox is read, or why it failed.
    fn mailbox_fetched(
        &self,
        name: &str,
        read_to: Option<(u32, u32)>,
        at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), StorageError>;
    /// Whether the message at this place in the mailbox was taken in before.
    fn mail_taken(&self, mailbox: &str, uid_validity: u32, uid: u32) -> Result<bool, StorageError>;
    /// Writes down what became of a message (`ticket`, `reply`, `unknown_sender`,
    /// `automatic`, `refused`), once.
    #[allow(clippy::too_many_arguments)]
    fn mail_outcome(
        &self,
        mailbox: &str,
        uid_validity: u32,
        uid: u32,
        message_id: Option<&str>,
        outcome: &str,
        ticket: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The ticket of the first of these Message-IDs that the server sent.
    fn sent_in_thread(&self, message_ids: &[String]) -> Result<Option<Uuid>, StorageError>;
    /// The ticket with this number (`T-1A2B3C`), of `shop` (any shop's when `None`, if only
    /// one has it).
    fn ticket_numbered(
        &self,
        shop: Option<Uuid>,
        number: &str,
    ) -> Result<Option<Uuid>, StorageError>;
    /// A ticket's shop, state (its wire name) and title.
    fn mail_ticket(&self, ticket: Uuid) -> Result<Option<(Uuid, String, String)>, StorageError>;
    fn add_to_thread(
        &self,
        ticket: Uuid,
        message: &ThreadMessage,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The thread of a ticket, the oldest message first.
    fn thread(&self, ticket: Uuid) -> Result<Vec<ThreadMessage>, StorageError>;
    /// The shop an agent said this address writes for.
    fn mail_sender_shop(&self, address: &str) -> Result<Option<Uuid>, StorageError>;
    fn keep_unknown_mail(&self, mail: &UnknownRecord) -> Result<(), StorageError>;
    /// The messages from unknown senders nobody attached yet, the oldest first.
    fn unknown_mail(&self) -> Result<Vec<UnknownSenderMail>, StorageError>;
    /// One of them, whole, while it is not attached.
    fn unknown_mail_whole(&self, id: Uuid) -> Result<Option<UnknownRecord>, StorageError>;
    /// It became (or joined) `ticket`; with `remember`, its sender writes for that shop from
    /// now on.
    fn unknown_mail_attached(
        &self,
        id: Uuid,
        ticket: Uuid,
        remember: Option<(&str, Uuid)>,
    ) -> Result<(), StorageError>;
    fn outgoing_mail(&self) -> Result<Option<OutgoingRecord>, StorageError>;
    /// Keeps the outgoing settings; without `password_sealed` it keeps the password it has.
    fn put_outgoing_mail(
        &self,
        settings: &OutgoingMailSettings,
        password_sealed: Option<Vec<u8>>,
    ) -> Result<(), StorageError>;
    /// The replies due `now`, leased until `lease_until` so no other process sends them too.
    fn due_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMail>, StorageError>;
    fn mail_sent(&self, id: &str, at: DateTime<Utc>) -> Result<(), StorageError>;
    fn mail_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The mails not sent yet, the oldest first.
    fn mail_queue(&self) -> Result<Vec<QueuedMail>, StorageError>;
    /// What a shop admin wants to hear by e-mail (nothing, until they say).
    fn mail_notices(&self, user: Uuid) -> Result<MailNotices, StorageError>;
    fn set_mail_notices(&self, user: Uuid, notices: MailNotices) -> Result<(), StorageError>;
}

pub trait Storage: VendorBooks + AccountBook + MailBook + Send + Sync + 'static {
    /// Every invoice and credit note with its shop's name, as the bookkeeper's CSV.
    fn invoices_csv(&self) -> Result<String, StorageError> {
        let shops = self.shops(None)?;
        let rows: Vec<(Invoice, String)> = self
            .invoices(None, None)?
            .into_iter()
            .map(|invoice| {
                let name = shops
                    .iter()
                    .find(|s| s.id == invoice.shop_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (invoice, name)
            })
            .collect();
        Ok(crate::billing::csv(&rows))
    }

    /// Catches up with what another process wrote to the same database (an operator's
    /// command, another server process), so answers from memory stay true; whether the
    /// newest revisions may have moved, so that waiting event streams look again.
    fn follow_other_writers(&self) -> Result<bool, StorageError> {
        Ok(false)
    }
    /// A page of the support desk's queue across every shop, as the agent `me` asked for it
    /// `now`; the vendor's `calendar` gives its date (which contract covers each listed
    /// station), its SLA clocks and when a callback is due.
    fn desk_queue(
        &self,
        query: &crate::desk::DeskQuery,
        me: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<stationdesk_protocol::DeskPage, StorageError>;
    /// One ticket as the queue lists it.
    fn desk_ticket(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Option<stationdesk_protocol::DeskTicket>, StorageError>;
    /// A shop as the desk sees it beside a ticket.
    fn desk_shop(
        &self,
        shop: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Option<stationdesk_protocol::DeskShop>, StorageError>;
    /// What changed on each ticket, and on its till's record, after the revision the desk's
    /// app holds of it, staff-only notes included, by revision; the cursor is the newest
    /// revision when they were read.
    fn desk_history(
        &self,
        tickets: &[stationdesk_protocol::FollowedTicket],
    ) -> Result<stationdesk_protocol::DeskChanges, StorageError>;
    /// The month beginning on `month` (its first day) per shop, as it stands `now`.
    fn desk_report(
        &self,
        month: chrono::NaiveDate,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<stationdesk_protocol::DeskReport, StorageError>;
    /// Across every shop (or one), the tills whose TSE certificate ends within 180 days or
    /// has ended, or whose site's report to the tax office is due, on `on`: the most urgent
    /// first.
    fn desk_compliance(
        &self,
        shop: Option<Uuid>,
        on: chrono::NaiveDate,
    ) -> Result<Vec<stationdesk_protocol::DeskCompliance>, StorageError>;
    /// The callbacks tills asked for that nobody has answered, the longest waiting first.
    fn desk_callbacks(
        &self,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Vec<stationdesk_protocol::DeskTicket>, StorageError>;

    fn create_shop(&self, shop: &NewShop) -> Result<Uuid, StorageError>;
    /// The first shop and its admin in one go, only while the server has no accounts at all.
    fn first_run(&self, shop: &NewShop, admin: &NewStaff) -> Result<Uuid, StorageError>;
    /// One shop, or every shop when `only` is `None`.
    fn shops(&self, only: Option<Uuid>) -> Result<Vec<Shop>, StorageError>;
    /// A staff member; a shop is required for shop admins and refused for the vendor's staff.
    fn create_user(&self, staff: &NewStaff) -> Result<Uuid, StorageError>;
    /// The admins of one shop, or every staff account when `shop` is `None`, by name.
    fn staff(&self, shop: Option<Uuid>) -> Result<Vec<StaffMember>, StorageError>;
    /// A staff member's own phone number (cleaned), or none.
    fn set_phone(&self, account: Uuid, phone: Option<&str>) -> Result<(), StorageError>;
    /// A one-time code for a till of `shop`, valid until `expires_at`.
    fn issue_enrolment_code(
        &self,
        shop: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError>;
    /// Uses up the code: the station of its shop this till is (`wanted`, else the shop's
    /// record of that name no till holds yet, else a new one) and the station's device token.
    fn enrol(
        &self,
        code: &str,
        station_name: &str,
        wanted: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Uuid, Uuid, String), StorageError>;
    /// The caller a token belongs to when that is known without I/O (from memory); `None`
    /// means: ask [`Storage::caller`].
    fn known_caller(&self, _token: &str) -> Option<Caller> {
        None
    }
    /// The newest revision the caller may see, when that is known without I/O: a caller whose
    /// cursor is there is answered without touching the database (a no-op sync), and is told
    /// when it moves (`/v1/events`). `None` means: unknown, pull.
    fn known_head(&self, _caller: &Caller) -> Option<u64> {
        None
    }
    /// Whether the database answers.
    fn ping(&self) -> Result<(), StorageError>;
    /// Whose the token is, or why it no longer works.
    fn caller(&self, token: &str) -> Result<TokenState, StorageError>;
    /// Applies each change once, in order, as far as the door ([`crate::door::admit`]) lets
    /// the caller in; one result per change.
    fn push(
        &self,
        caller: &Caller,
        changes: &[Pushed],
        now: DateTime<Utc>,
    ) -> Result<Vec<ChangeResult>, StorageError>;
    /// The changes the caller may see ([`crate::policy::reach`]) after `after`, at most `limit`.
    fn pull(&self, caller: &Caller, after: u64, limit: usize)
        -> Result<PullResponse, StorageError>;
    /// How far the upload of a content is, as the caller may see it.
    fn blob_status(&self, caller: &Caller, sha256: &str) -> Result<BlobStatus, StorageError>;
    /// Adds `bytes` at `offset` to the content of `total` bytes with this SHA-256; when all is
    /// there, the hash is checked, and content that does not match it is thrown away.
    fn blob_append(
        &self,
        caller: &Caller,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobStatus, StorageError>;
    /// A complete content the caller may read.
    fn blob(&self, caller: &Caller, sha256: &str) -> Result<Vec<u8>, StorageError>;
    /// A consistent copy of everything into `target`, while the server keeps serving.
    fn backup(&self, target: &std::path::Path) -> Result<(), StorageError>;
}
