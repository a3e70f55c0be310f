//! Accounts a vendor can trust: a shop admin sees and revokes the shop's tills and its admins'
//! sessions, a vendor admin everyone's; staff accounts are deactivated and reactivated;
//! passwords are changed (the old one required) or set by an admin; two-factor sign-in is
//! turned on and off; the vendor admin reads the security log and sets the two-factor rule.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use stationdesk_core::domain::tickets::clean_phone;
use stationdesk_protocol::{
    ErrorBody, OwnPhone, PasswordChange, PasswordReset, RecoveryCodes, Role, SecurityEvent,
    SecurityPolicy, SessionsEnded, StaffSession, Till, TwoFactorCode, TwoFactorOff, TwoFactorSetup,
};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::accounts::{self, secret_hash};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::serve::ClientAddress;
use crate::storage::{Account, Caller, Ending, SecurityNote, Storage, StorageError};
use crate::{blocking, body, checked_blocking, policy, two_factor};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(list_tills))
        .routes(routes!(revoke_till))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(deactivate))
        .routes(routes!(reactivate))
        .routes(routes!(set_password))
        .routes(routes!(change_own_password))
        .routes(routes!(set_own_phone))
        .routes(routes!(begin_two_factor))
        .routes(routes!(confirm_two_factor))
        .routes(routes!(two_factor_off))
        .routes(routes!(get_policy, set_policy))
        .routes(routes!(security_log))
}

const ADMINS: [Role; 2] = [Role::ShopAdmin, Role::VendorAdmin];
const STAFF: [Role; 3] = [Role::ShopAdmin, Role::SupportStaff, Role::VendorAdmin];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ShopQuery {
    /// One shop (a shop admin's own is implied).
    shop_id: Option<Uuid>,
}

/// A security-log entry about `subject`, done by the caller from their address.
fn note(
    kind: &'static str,
    subject: String,
    shop_id: Option<Uuid>,
    caller: &Caller,
    address: Option<Extension<ClientAddress>>,
) -> SecurityNote {
    SecurityNote {
        kind,
        subject,
        shop_id,
        actor: Some(caller.name.clone()),
        address: address.map(|Extension(ClientAddress(ip))| ip.to_string()),
        detail: None,
    }
}

#[utoipa::path(get, path = "/v1/tills", tag = "accounts", security(("bearer" = [])),
    params(ShopQuery),
    responses((status = 200, description = "The enrolled tills (revoked ones too), by name, with when each enrolled and was last seen", body = Vec<Till>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins (their own shop) and vendor admins", body = ErrorBody)))]
async fn list_tills(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Query(query): Query<ShopQuery>,
) -> Result<Json<Vec<Till>>, ApiError> {
    policy::require(&caller, &ADMINS, "list tills")?;
    let shop = policy::shop_filter(&caller, query.shop_id)?;
    Ok(Json(blocking(move || storage.tills(shop)).await?))
}

#[utoipa::path(post, path = "/v1/tills/{station_id}/revoke", tag = "accounts", security(("bearer" = [])),
    params(("station_id" = Uuid, Path, description = "The till's station")),
    responses((status = 200, description = "The till; its device token no longer opens anything, its sync and event stream end", body = Till),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins (their own shop) and vendor admins", body = ErrorBody),
        (status = 404, description = "No such till in the caller's reach", body = ErrorBody)))]
async fn revoke_till(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    Path(station_id): Path<Uuid>,
) -> Result<Json<Till>, ApiError> {
    policy::require(&caller, &ADMINS, "revoke tills")?;
    let shop = policy::shop_filter(&caller, None)?;
    let till = blocking(move || {
        let till = storage
            .tills(shop)?
            .into_iter()
            .find(|till| till.station_id == station_id)
            .ok_or_else(|| StorageError::NotFound(format!("there is no till {station_id} here")))?;
        let now = Utc::now();
        storage.end_tokens(Ending::Station(station_id), "revoked", now)?;
        let subject = till.name.clone();
        storage.log_security(
            note(
                "till_revoked",
                subject,
                Some(till.shop_id),
                &caller,
                address,
            ),
            now,
        )?;
        Ok(Till {
            revoked_at: till.revoked_at.or(Some(now)),
            ..till
        })
    })
    .await?;
    Ok(Json(till))
}

#[utoipa::path(get, path = "/v1/sessions", tag = "accounts", security(("bearer" = [])),
    params(ShopQuery),
    responses((status = 200, description = "Open staff sessions, the most recently used first: a shop admin's shop's, a vendor admin's everyone's (or one shop's)", body = Vec<StaffSession>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins and vendor admins", body = ErrorBody)))]
async fn list_sessions(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, token): Authenticated,
    Query(query): Query<ShopQuery>,
) -> Result<Json<Vec<StaffSession>>, ApiError> {
    policy::require(&caller, &ADMINS, "list sessions")?;
    let shop = policy::shop_filter(&caller, query.shop_id)?;
    let current = secret_hash(&token);
    let mut sessions = blocking(move || storage.sessions(shop, Utc::now())).await?;
    for session in &mut sessions {
        session.current = current.starts_with(&session.id);
    }
    Ok(Json(sessions))
}

#[utoipa::path(post, path = "/v1/sessions/{session_id}/revoke", tag = "accounts", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "The session's id from GET /v1/sessions")),
    responses((status = 200, description = "The session is ended", body = SessionsEnded),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins (their shop's sessions) and vendor admins", body = ErrorBody),
        (status = 404, description = "No such open session in the caller's reach", body = ErrorBody)))]
async fn revoke_session(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    Path(session_id): Path<String>,
) -> Result<Json<SessionsEnded>, ApiError> {
    policy::require(&caller, &ADMINS, "end sessions")?;
    let shop = policy::shop_filter(&caller, None)?;
    let ended = blocking(move || {
        let now = Utc::now();
        let session = storage
            .sessions(shop, now)?
            .into_iter()
            .find(|session| session.id == session_id)
            .ok_or_else(|| StorageError::NotFound("there is no such open session here".into()))?;
        let ended = storage.end_tokens(Ending::Session(&session.id), "revoked", now)?;
        storage.log_security(
            note(
                "session_revoked",
                session.email,
                session.shop_id,
                &caller,
                address,
            ),
            now,
        )?;
        Ok(ended)
    })
    .await?;
    Ok(Json(SessionsEnded { ended }))
}

/// The account an admin acts on, once the caller may manage it.
fn managed(storage: &dyn Storage, caller: &Caller, user: Uuid) -> Result<Account, ApiError> {
    let account = storage
        .account(user)?
        .ok_or_else(|| ApiError::NotFound(format!("there is no staff account {user}")))?;
    policy::may_manage(caller, account.role, account.shop_id)?;
    Ok(account)
}

#[utoipa::path(post, path = "/v1/staff/{user_id}/deactivate", tag = "accounts", security(("bearer" = [])),
    params(("user_id" = Uuid, Path, description = "The staff account")),
    responses((status = 200, description = "The account cannot sign in; its sessions ended at once", body = SessionsEnded),
        (status = 400, description = "One does not deactivate oneself", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins, and shop admins for their own shop's admins", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody)))]
async fn deactivate(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    Path(user): Path<Uuid>,
) -> Result<Json<SessionsEnded>, ApiError> {
    if user == caller.account {
        return Err(ApiError::BadRequest(
            "you cannot deactivate your own account; ask another admin".into(),
        ));
    }
    let ended = checked_blocking(move || {
        let account = managed(storage.as_ref(), &caller, user)?;
        let now = Utc::now();
        storage.set_active(user, false)?;
        let ended = storage.end_tokens(Ending::User { user, except: None }, "deactivated", now)?;
        storage.log_security(
            note(
                "staff_deactivated",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            now,
        )?;
        Ok(ended)
    })
    .await?;
    Ok(Json(SessionsEnded { ended }))
}

#[utoipa::path(post, path = "/v1/staff/{user_id}/reactivate", tag = "accounts", security(("bearer" = [])),
    params(("user_id" = Uuid, Path, description = "The staff account")),
    responses((status = 200, description = "The account can sign in again (with its old password)", body = SessionsEnded),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins, and shop admins for their own shop's admins", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody)))]
async fn reactivate(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    Path(user): Path<Uuid>,
) -> Result<Json<SessionsEnded>, ApiError> {
    checked_blocking(move || {
        let account = managed(storage.as_ref(), &caller, user)?;
        storage.set_active(user, true)?;
        storage.log_security(
            note(
                "staff_reactivated",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            Utc::now(),
        )?;
        Ok(())
    })
    .await?;
    Ok(Json(SessionsEnded { ended: 0 }))
}

#[utoipa::path(post, path = "/v1/staff/{user_id}/password", tag = "accounts", security(("bearer" = [])),
    params(("user_id" = Uuid, Path, description = "The staff account")), request_body = PasswordReset,
    responses((status = 200, description = "The new password is in force; every session of the account ended", body = SessionsEnded),
        (status = 400, description = "The password breaks the rules; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins, and shop admins for their own shop's admins", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody)))]
async fn set_password(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, token): Authenticated,
    address: Option<Extension<ClientAddress>>,
    Path(user): Path<Uuid>,
    request: Result<Json<PasswordReset>, JsonRejection>,
) -> Result<Json<SessionsEnded>, ApiError> {
    let request = body(request)?;
    let ended = checked_blocking(move || {
        let account = managed(storage.as_ref(), &caller, user)?;
        accounts::check_new_password(&request.new_password)?;
        let hash = accounts::hash_password(&request.new_password)?;
        let now = Utc::now();
        storage.set_password_hash(user, &hash)?;
        let ended = storage.end_tokens(
            Ending::User {
                user,
                except: Some(&token),
            },
            "password_changed",
            now,
        )?;
        storage.log_security(
            note(
                "password_set",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            now,
        )?;
        Ok(ended)
    })
    .await?;
    Ok(Json(SessionsEnded { ended }))
}

/// The caller's own account, once `password` proves it is theirs.
fn own_account(
    storage: &dyn Storage,
    caller: &Caller,
    password: &str,
) -> Result<Account, ApiError> {
    let account = storage
        .account(caller.account)?
        .ok_or_else(|| ApiError::Forbidden("a till has no password".into()))?;
    if !accounts::password_matches(password, &account.password_hash)? {
        return Err(ApiError::Forbidden(
            "the password you gave is not your current one".into(),
        ));
    }
    Ok(account)
}

#[utoipa::path(post, path = "/v1/me/password", tag = "accounts", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, description = "The new password is in force; the account's other sessions ended, this one goes on", body = SessionsEnded),
        (status = 400, description = "The new password breaks the rules; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The old password is wrong, or the caller is a till", body = ErrorBody)))]
async fn change_own_password(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, token): Authenticated,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<Json<SessionsEnded>, ApiError> {
    policy::require(&caller, &STAFF, "change a password")?;
    let request = body(request)?;
    let ended = checked_blocking(move || {
        let account = own_account(storage.as_ref(), &caller, &request.old_password)?;
        accounts::check_new_password(&request.new_password)?;
        let hash = accounts::hash_password(&request.new_password)?;
        let now = Utc::now();
        storage.set_password_hash(account.id, &hash)?;
        let ended = storage.end_tokens(
            Ending::User {
                user: account.id,
                except: Some(&token),
            },
            "password_changed",
            now,
        )?;
        storage.log_security(
            note(
                "password_changed",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            now,
        )?;
        Ok(ended)
    })
    .await?;
    Ok(Json(SessionsEnded { ended }))
}

#[utoipa::path(post, path = "/v1/me/two-factor", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "A new secret for the authenticator app; two factors are in force once a code from it is confirmed", body = TwoFactorSetup),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Staff only", body = ErrorBody)))]
async fn begin_two_factor(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<TwoFactorSetup>, ApiError> {
    policy::require(&caller, &STAFF, "set up two-factor sign-in")?;
    let setup = blocking(move || {
        let account = storage
            .account(caller.account)?
            .ok_or_else(|| StorageError::NotFound("no such account".into()))?;
        let secret = two_factor::new_secret();
        storage.begin_two_factor(account.id, &secret)?;
        two_factor::setup_of(&secret, &account.email)
    })
    .await?;
    Ok(Json(TwoFactorSetup {
        secret: setup.0,
        otpauth_url: setup.1,
    }))
}

#[utoipa::path(post, path = "/v1/me/two-factor/confirm", tag = "accounts", security(("bearer" = [])),
    request_body = TwoFactorCode,
    responses((status = 200, description = "Two factors are in force; the recovery codes are shown this once", body = RecoveryCodes),
        (status = 400, description = "The code is not the authenticator's current one", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 409, description = "No set-up is waiting for a code", body = ErrorBody)))]
async fn confirm_two_factor(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, token): Authenticated,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<TwoFactorCode>, JsonRejection>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    policy::require(&caller, &STAFF, "set up two-factor sign-in")?;
    let request = body(request)?;
    let codes = blocking(move || {
        let account = storage
            .account(caller.account)?
            .ok_or_else(|| StorageError::NotFound("no such account".into()))?;
        let pending = account.totp_pending.as_deref().ok_or_else(|| {
            StorageError::Conflict("no two-factor set-up is waiting for a code; start it again".into())
        })?;
        let now = Utc::now();
        let step = two_factor::step_of(pending, &request.code, now).ok_or_else(|| {
            StorageError::Invalid(
                "that is not the authenticator's current code; check the phone's clock and type the code it shows now".into(),
            )
        })?;
        let (codes, hashes) = two_factor::recovery_codes();
        storage.confirm_two_factor(account.id, step, &hashes)?;
        // Sessions opened with the password alone end; so does this one if it could only
        // set up two factors (its next sign-in, with a code, may do everything).
        storage.end_tokens(
            Ending::User {
                user: account.id,
                except: (!caller.setup_only).then_some(token.as_str()),
            },
            "two_factor_on",
            now,
        )?;
        storage.log_security(
            note(
                "two_factor_on",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            now,
        )?;
        Ok(codes)
    })
    .await?;
    Ok(Json(RecoveryCodes { codes }))
}

#[utoipa::path(post, path = "/v1/me/two-factor/off", tag = "accounts", security(("bearer" = [])),
    request_body = TwoFactorOff,
    responses((status = 200, description = "The account signs in with its password alone again", body = SessionsEnded),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The password is wrong, or the vendor requires two factors of this account", body = ErrorBody)))]
async fn two_factor_off(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<TwoFactorOff>, JsonRejection>,
) -> Result<Json<SessionsEnded>, ApiError> {
    policy::require(&caller, &STAFF, "turn off two-factor sign-in")?;
    let request = body(request)?;
    checked_blocking(move || {
        let account = own_account(storage.as_ref(), &caller, &request.password)?;
        if matches!(account.role, Role::SupportStaff | Role::VendorAdmin)
            && storage.security_policy()?.two_factor_for_vendor_staff
        {
            return Err(ApiError::Forbidden(
                "the vendor requires two-factor sign-in for its staff; it stays on".into(),
            ));
        }
        storage.end_two_factor(account.id)?;
        storage.log_security(
            note(
                "two_factor_off",
                account.email,
                account.shop_id,
                &caller,
                address,
            ),
            Utc::now(),
        )?;
        Ok(())
    })
    .await?;
    Ok(Json(SessionsEnded { ended: 0 }))
}

#[utoipa::path(get, path = "/v1/security-policy", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "What the vendor requires of accounts", body = SecurityPolicy),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Staff only", body = ErrorBody)))]
async fn get_policy(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<SecurityPolicy>, ApiError> {
    policy::require(&caller, &STAFF, "read the security policy")?;
    Ok(Json(blocking(move || storage.security_policy()).await?))
}

#[utoipa::path(put, path = "/v1/security-policy", tag = "accounts", security(("bearer" = [])),
    request_body = SecurityPolicy,
    responses((status = 200, description = "The policy in force; vendor staff without two factors must set them up at their next sign-in", body = SecurityPolicy),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn set_policy(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<SecurityPolicy>, JsonRejection>,
) -> Result<Json<SecurityPolicy>, ApiError> {
    policy::require(&caller, &[Role::VendorAdmin], "set the security policy")?;
    let request = body(request)?;
    let policy = blocking(move || {
        storage.set_security_policy(&request)?;
        storage.log_security(
            SecurityNote {
                detail: Some(format!(
                    "two factors for vendor staff: {}",
                    if request.two_factor_for_vendor_staff {
                        "required"
                    } else {
                        "optional"
                    }
                )),
                ..note(
                    "policy_changed",
                    "security policy".into(),
                    None,
                    &caller,
                    address,
                )
            },
            Utc::now(),
        )?;
        storage.security_policy()
    })
    .await?;
    Ok(Json(policy))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LogQuery {
    /// Entries older than this id (the last one of the page before).
    before: Option<i64>,
    /// At most this many (100 unless given, 1000 at most).
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/security-log", tag = "accounts", security(("bearer" = [])),
    params(LogQuery),
    responses((status = 200, description = "The newest entries first: sign-ins, failures, throttling, revocations, enrolments, password and two-factor changes, with who, when and from where", body = Vec<SecurityEvent>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn security_log(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Query(query): Query<LogQuery>,
) -> Result<Json<Vec<SecurityEvent>>, ApiError> {
    policy::require(&caller, &[Role::VendorAdmin], "read the security log")?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(
        blocking(move || storage.security_log(query.before, limit)).await?,
    ))
}

/// One's own phone number, for support to call (the desk shows a named admin's beside their
/// shop's tickets); checked and cleaned like a number left at a till, or removed with none.
#[utoipa::path(put, path = "/v1/me/phone", tag = "accounts", security(("bearer" = [])),
    request_body = OwnPhone,
    responses((status = 200, description = "The number as kept", body = OwnPhone),
        (status = 400, description = "Not a phone number; the message says what to send", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "A till has no phone of its own here", body = ErrorBody)))]
async fn set_own_phone(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<OwnPhone>, JsonRejection>,
) -> Result<Json<OwnPhone>, ApiError> {
    policy::require(&caller, &STAFF, "give a phone number")?;
    let phone = body(request)?
        .phone
        .filter(|phone| !phone.trim().is_empty())
        .map(|phone| clean_phone(&phone))
        .transpose()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let kept = phone.clone();
    checked_blocking(move || Ok(storage.set_phone(caller.account, kept.as_deref())?)).await?;
    Ok(Json(OwnPhone { phone }))
}
