//! Accounts and sessions: the tills and sessions a shop (or the vendor) can see and revoke,
//! passwords, two-factor sign-in and the server's security log. Secrets never come back in an
//! answer, except the two-factor secret and recovery codes, once, to their owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Role;

/// An enrolled till as its shop sees it (`GET /v1/tills`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Till {
    pub station_id: Uuid,
    pub shop_id: Uuid,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    /// When the till last reached the server (to the minute).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Set once the till's device token is revoked: it must enrol again with a new code.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A staff member's open session (`GET /v1/sessions`): never its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSession {
    /// Names the session for revoking it; it opens nothing.
    pub id: String,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub shop_id: Option<Uuid>,
    pub signed_in_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// The session ends then at the latest, however busy it is.
    pub ends_by: DateTime<Utc>,
    /// The address it signed in from.
    pub address: Option<String>,
    /// The session this answer was asked with.
    pub current: bool,
}

/// `POST /v1/me/password`: the old password proves it is the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// `POST /v1/staff/{id}/password`: an admin sets a new password for someone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// How many sessions an action ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: usize,
}

/// `POST /v1/me/two-factor`: the secret to put into an authenticator app, not yet in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    /// `otpauth://totp/…`, what the QR code holds.
    pub otpauth_url: String,
}

/// A code from the authenticator app (`POST /v1/me/two-factor/confirm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TwoFactorCode {
    pub code: String,
}

/// Shown once when two factors are turned on: each signs in once without the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// `POST /v1/me/two-factor/off`: the password proves it is the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TwoFactorOff {
    pub password: String,
}

/// What the vendor admin requires of accounts (`GET`/`PUT /v1/security-policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Support staff and vendor admins sign in with two factors; one who has none set up
    /// yet may only set them up.
    pub two_factor_for_vendor_staff: bool,
}

/// One entry of the security log (`GET /v1/security-log`): who, when, from where; no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityEvent {
    /// Ascending; `before` pages back through older entries.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `sign_in`, `sign_in_failed`, `throttled`, `sign_out`, `session_expired`,
    /// `session_revoked`, `till_enrolled`, `till_revoked`, `password_changed`, `password_set`,
    /// `two_factor_on`, `two_factor_off`, `recovery_code_used`, `staff_deactivated`,
    /// `staff_reactivated`, `policy_changed`.
    pub kind: String,
    /// The e-mail address or till the event is about (as typed, for a failed sign-in).
    pub subject: String,
    pub shop_id: Option<Uuid>,
    /// Who did it, when it is someone else than the subject (an admin revoking a till).
    pub actor: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}
