//! The HTTP API between stationdesk clients (the desktop app, `stationdesk-cli`) and the central
//! server, as plain serde types shared by both sides. No I/O, no HTTP client or server here.
//!
//! Everything lives under [`API_PREFIX`]. Errors are [`ErrorBody`] with a 4xx status for a
//! request that is wrong (it says what is wrong) and 5xx only for the server's own failures.
//!
//! Sync is two calls. **Push** sends a batch of the client's outbox, each change (one of the
//! typed vocabulary, [`Change`]) with its client-made UUIDv7 `change_id`; the server applies each exactly once and answers per change
//! ([`Outcome`]). **Pull** asks for the changes after a cursor, a page at a time; every change the
//! server accepted has a monotonic `revision`, and the next cursor is the last revision of the
//! page.
//!
//! With the `openapi` feature (the server's) every type also describes itself for the server's
//! OpenAPI document; clients build without it.

mod accounts;
mod changes;
mod desk;
mod mail;
mod vendor;

pub use accounts::{
    PasswordChange, PasswordReset, RecoveryCodes, SecurityEvent, SecurityPolicy, SessionsEnded,
    StaffSession, Till, TwoFactorCode, TwoFactorOff, TwoFactorSetup,
};
pub use changes::{Change, ChangeBody, ContractOrder, Entity, Record, Records};
pub use desk::{
    DeskCallback, DeskChanges, DeskCompliance, DeskContact, DeskContract, DeskFollowed, DeskPage,
    DeskReport, DeskResolution, DeskShop, DeskSla, DeskStation, DeskTicket, DeskTicketInContext,
    FollowedTicket, ShopMonth, MAX_FOLLOWED,
};
pub use mail::{
    AttachMail, MailChannel, MailNotices, Mailbox, MailboxSettings, OAuth2Settings, OutgoingMail,
    OutgoingMailSettings, QueuedMail, SmtpSecurity, UnknownSenderMail,
};
pub use vendor::{
    BilledShop, CancelInvoice, CatalogVersion, ContractNotice, ContractOverview, Invoice,
    InvoiceKind, InvoiceLine, InvoicePaid, InvoiceRun, NewContract, ShopBilling, VendorContact,
    VendorProfile,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

pub const API_PREFIX: &str = "/v1";
/// The most changes one push may carry; a longer outbox goes in several batches.
pub const MAX_PUSH_BATCH: usize = 500;
/// The most changes one pull page holds.
pub const PULL_PAGE: usize = 500;

/// Every error the server answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable, for programs: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `conflict`, `too_large`, `too_many_requests`, `timeout`, `internal`.
    pub code: String,
    /// For people: what happened and what to do.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A till: its own station's tickets and the emergency button.
    Station,
    /// The shop's stations, contracts and all its tickets.
    ShopAdmin,
    /// The vendor's support desk: every shop's tickets and stations.
    SupportStaff,
    /// The vendor's administrator: catalogue, shops, staff.
    VendorAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Station,
        Role::ShopAdmin,
        Role::SupportStaff,
        Role::VendorAdmin,
    ];

    /// As in JSON: `station`, `shop_admin`, `support_staff`, `vendor_admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Station => "station",
            Role::ShopAdmin => "shop_admin",
            Role::SupportStaff => "support_staff",
            Role::VendorAdmin => "vendor_admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or `unavailable` when the database cannot be reached (answered with 503, so a
    /// load balancer sends the callers to another server process).
    pub status: String,
    pub version: String,
    /// `ok`, or what keeps the database from answering.
    pub database: String,
}

/// A station joins its shop with a one-time code from the shop admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolRequest {
    pub code: String,
    pub station_name: String,
    /// The id this PC already knows its station by (made here before it was enrolled), so the
    /// server's record and the PC's are one. Without it, a record of the shop with that name
    /// that no till holds yet (an admin made it) is taken, else a new one is made.
    #[serde(default)]
    pub station_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    pub shop_id: Uuid,
    pub station_id: Uuid,
    /// The station's own token. Kept in the OS keyring, never anywhere else.
    pub device_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The authenticator app's code (or a recovery code), for an account with two factors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub role: Role,
    /// The shop a shop admin belongs to; `None` for the vendor's staff.
    pub shop_id: Option<Uuid>,
    /// The staff account signed in (how an agent names themself when taking a ticket).
    #[serde(default)]
    pub account_id: Option<Uuid>,
    pub name: String,
    /// The vendor requires two factors of this account and it has none yet: the session may
    /// only set them up (`POST /v1/me/two-factor`).
    #[serde(default)]
    pub two_factor_setup_required: bool,
}

/// Who a token belongs to, as the server sees it (`GET /v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub role: Role,
    pub shop_id: Option<Uuid>,
    pub station_id: Option<Uuid>,
    pub name: String,
}

/// A shop the vendor supports (`POST /v1/shops`, vendor admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewShop {
    pub name: String,
    /// Under Second Level Support only the shop's named admins open tickets with the vendor.
    #[serde(default)]
    pub second_level: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shop {
    pub id: Uuid,
    pub name: String,
    pub second_level: bool,
}

/// A staff account (`POST /v1/staff`): vendor admins create any; shop admins create the
/// admins of their own shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub shop_id: Option<Uuid>,
    pub password: String,
    /// A shop admin named in a Second Level contract as a contact for the vendor.
    #[serde(default)]
    pub named_contact: bool,
}

/// A staff account as others see it (`GET /v1/staff`): never its password or sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The shop of a shop admin; none for the vendor's staff.
    pub shop_id: Option<Uuid>,
    /// Named in a Second Level contract: one of those who bring the shop's tickets to the vendor.
    pub named_contact: bool,
    /// A deactivated account cannot sign in; its sessions ended when it was deactivated.
    #[serde(default = "active")]
    pub active: bool,
    /// Signs in with a code from an authenticator app besides the password.
    #[serde(default)]
    pub two_factor: bool,
    /// Their own phone number, for support to call (a named admin's, say).
    #[serde(default)]
    pub phone: Option<String>,
}

/// One's own phone number (`PUT /v1/me/phone`), for support to call; none to remove it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnPhone {
    pub phone: Option<String>,
}

fn active() -> bool {
    true
}

/// The data of a `changes` event on `GET /v1/events`: there is something to pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesAvailable {
    /// The newest revision the caller may see.
    pub revision: u64,
}

/// `POST /v1/logout`: the session's token no longer opens anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revoked {
    pub revoked: bool,
}

/// `POST /v1/setup`, on a server started with `--first-run-setup` that has no accounts yet:
/// the first shop and its admin, so one computer can run the whole thing (the README's run
/// command). Closed for good once any account exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FirstRunSetup {
    pub shop: NewShop,
    /// The shop's first admin; `role` must be `shop_admin`, `shop_id` is left out.
    pub admin: NewStaff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FirstRunDone {
    pub shop_id: Uuid,
    /// For the computer that ran the setup to enrol itself as the shop's first till.
    pub enrolment_code: EnrolmentCode,
}

/// The largest attachment the server keeps (as the client's own limit).
pub const MAX_BLOB: u64 = 10 * 1024 * 1024;
/// The most bytes one upload request carries; a larger attachment goes in several.
pub const BLOB_CHUNK: usize = 1024 * 1024;

/// How far the upload of an attachment's content has come (`GET /v1/blobs/{sha256}/status`,
/// and the answer to every `PUT`): an interrupted upload resumes at `received`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobStatus {
    pub sha256: String,
    pub received: u64,
    /// Known once an upload has begun.
    pub size: Option<u64>,
    /// All there, and its SHA-256 checked.
    pub complete: bool,
}

/// The id of something just created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: Uuid,
}

/// `POST /v1/enrolment-codes`: a shop admin asks for their own shop (no `shop_id`); a vendor
/// admin names the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentCodeRequest {
    #[serde(default)]
    pub shop_id: Option<Uuid>,
    /// How long the code may be used; 24 hours when left out, at most a week.
    #[serde(default)]
    pub valid_hours: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentCode {
    /// One-time: the first station that enrols with it uses it up.
    pub code: String,
    pub shop_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// Each a [`Change`] as JSON. The server reads them one by one, so a change it cannot read
    /// is refused on its own and the rest of the batch goes on.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub changes: Vec<Box<RawValue>>,
}

/// What the server did with one pushed change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        revision: u64,
    },
    /// Sent before (a retried batch): nothing changed this time.
    AlreadyApplied {
        revision: u64,
    },
    /// Will never be applied as it is; the client marks it and goes on with the rest.
    Rejected {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeResult {
    pub change_id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per pushed change, in the order pushed.
    pub results: Vec<ChangeResult>,
}

/// A change as the server keeps it: with its place in the shop's history. The change is
/// handed on as JSON, so a client reads each on its own and sets aside one it cannot read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revisioned {
    pub revision: u64,
    pub shop_id: Uuid,
    /// A [`Change`].
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub change: Box<RawValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Revisioned>,
    /// Pass this as `after` next time; the same cursor when nothing is new.
    pub cursor: u64,
    /// More changes wait behind this page.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_as_documented() {
        let result = ChangeResult {
            change_id: Uuid::nil(),
            outcome: Outcome::Rejected {
                reason: "unknown entity \"x\"".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            serde_json::json!({
                "change_id": "00000000-0000-0000-0000-000000000000",
                "status": "rejected",
                "reason": "unknown entity \"x\""
            })
        );
        let applied: ChangeResult = serde_json::from_value(serde_json::json!({
            "change_id": "00000000-0000-0000-0000-000000000000",
            "status": "already_applied",
            "revision": 7
        }))
        .unwrap();
        assert_eq!(applied.outcome, Outcome::AlreadyApplied { revision: 7 });
    }
}
