//! One's own account and, for admins, everyone else's within reach: the shop's tills and its
//! staff's sessions (revoked here), staff accounts deactivated or given a new password, two
//! factors turned on with a QR code and off again, the vendor's two-factor rule and its
//! security log. Everything asks the server; nothing of it is kept here.

use qrcode::render::{svg, unicode};
use qrcode::QrCode;
use reqwest::Method;
use serde::Serialize;
use stationdesk_protocol::{
    OwnPhone, PasswordChange, PasswordReset, RecoveryCodes, SecurityEvent, SecurityPolicy,
    SessionsEnded, StaffSession, Till, TwoFactorCode, TwoFactorOff, TwoFactorSetup,
};
use uuid::Uuid;

use super::{get, send, SyncError};
use crate::store::Store;

const NOTHING: serde_json::Value = serde_json::Value::Null;

pub fn tills(store: &mut Store) -> Result<Vec<Till>, SyncError> {
    get(store, "/tills", &[])
}

/// Disconnects a till: its device token stops working at once, and it must enrol again.
pub fn revoke_till(store: &mut Store, station: Uuid) -> Result<Till, SyncError> {
    send(
        store,
        Method::POST,
        &format!("/tills/{station}/revoke"),
        &NOTHING,
    )
}

pub fn sessions(store: &mut Store) -> Result<Vec<StaffSession>, SyncError> {
    get(store, "/sessions", &[])
}

/// Ends one staff session, by the id [`sessions`] gave.
pub fn end_session(store: &mut Store, id: &str) -> Result<SessionsEnded, SyncError> {
    // Only the server's own ids reach a URL.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SyncError::Refused {
            status: 400,
            message: format!("{id:?} is not a session id"),
        });
    }
    send(
        store,
        Method::POST,
        &format!("/sessions/{id}/revoke"),
        &NOTHING,
    )
}

/// Deactivates a staff account (its sessions end at once) or reactivates it.
pub fn set_active(store: &mut Store, user: Uuid, active: bool) -> Result<SessionsEnded, SyncError> {
    let action = if active { "reactivate" } else { "deactivate" };
    send(
        store,
        Method::POST,
        &format!("/staff/{user}/{action}"),
        &NOTHING,
    )
}

/// An admin sets a new password for someone; their sessions end.
pub fn set_password(
    store: &mut Store,
    user: Uuid,
    new_password: &str,
) -> Result<SessionsEnded, SyncError> {
    let reset = PasswordReset {
        new_password: new_password.to_owned(),
    };
    send(
        store,
        Method::POST,
        &format!("/staff/{user}/password"),
        &reset,
    )
}

/// The signed-in person changes their own password; their other sessions end.
pub fn change_password(
    store: &mut Store,
    old_password: &str,
    new_password: &str,
) -> Result<SessionsEnded, SyncError> {
    let change = PasswordChange {
        old_password: old_password.to_owned(),
        new_password: new_password.to_owned(),
    };
    send(store, Method::POST, "/me/password", &change)
}

/// The signed-in person's own phone number, for support to call them (none removes it);
/// answers it as the server keeps it.
pub fn set_own_phone(store: &mut Store, phone: Option<&str>) -> Result<OwnPhone, SyncError> {
    let phone = OwnPhone {
        phone: phone.map(str::to_owned),
    };
    send(store, Method::PUT, "/me/phone", &phone)
}

/// A two-factor set-up waiting for its first code: the secret, and the same as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TwoFactorStart {
    pub secret: String,
    pub otpauth_url: String,
    /// An SVG image of the QR code, for the window.
    pub qr_svg: String,
    /// The QR code in block characters, for a terminal.
    pub qr_text: String,
}

pub fn begin_two_factor(store: &mut Store) -> Result<TwoFactorStart, SyncError> {
    let setup: TwoFactorSetup = send(store, Method::POST, "/me/two-factor", &NOTHING)?;
    let code = QrCode::new(setup.otpauth_url.as_bytes())
        .map_err(|e| SyncError::Garbage(format!("its two-factor address: {e}")))?;
    Ok(TwoFactorStart {
        qr_svg: code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
        qr_text: code.render::<unicode::Dense1x2>().quiet_zone(true).build(),
        secret: setup.secret,
        otpauth_url: setup.otpauth_url,
    })
}

/// Puts two factors in force with the authenticator's first code: the recovery codes, shown
/// this once.
pub fn confirm_two_factor(store: &mut Store, code: &str) -> Result<RecoveryCodes, SyncError> {
    let code = TwoFactorCode {
        code: code.trim().to_owned(),
    };
    send(store, Method::POST, "/me/two-factor/confirm", &code)
}

pub fn two_factor_off(store: &mut Store, password: &str) -> Result<(), SyncError> {
    let off = TwoFactorOff {
        password: password.to_owned(),
    };
    send::<SessionsEnded>(store, Method::POST, "/me/two-factor/off", &off).map(drop)
}

pub fn security_policy(store: &mut Store) -> Result<SecurityPolicy, SyncError> {
    get(store, "/security-policy", &[])
}

pub fn set_security_policy(
    store: &mut Store,
    policy: &SecurityPolicy,
) -> Result<SecurityPolicy, SyncError> {
    send(store, Method::PUT, "/security-policy", policy)
}

/// The newest entries first; `before` pages back.
pub fn security_log(
    store: &mut Store,
    before: Option<i64>,
) -> Result<Vec<SecurityEvent>, SyncError> {
    let query: Vec<(&str, String)> = before
        .map(|b| ("before", b.to_string()))
        .into_iter()
        .collect();
    get(store, "/security-log", &query)
}
