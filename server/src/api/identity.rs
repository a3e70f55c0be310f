//! Who is calling: stations enrol with a code, staff sign in and out, a shop admin issues
//! enrolment codes, and the one-computer first-run set-up.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use stationdesk_protocol::{
    EnrolRequest, EnrolResponse, EnrolmentCode, EnrolmentCodeRequest, ErrorBody, FirstRunDone,
    FirstRunSetup, Health, LoginRequest, LoginResponse, Me, Revoked, Role,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::serve::ClientAddress;
use crate::signin::{self, Attempt};
use crate::storage::{Ending, SecurityNote, Storage, StorageError};
use crate::throttle::Throttle;
use crate::{blocking, body, checked_blocking, policy, Options};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(enrol))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(enrolment_code))
        .routes(routes!(first_run_setup))
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    responses((status = 200, description = "The server is up and its database answers", body = Health),
        (status = 503, description = "The database does not answer", body = Health)))]
async fn health(State(storage): State<Arc<dyn Storage>>) -> (StatusCode, Json<Health>) {
    let answered = tokio::task::spawn_blocking(move || storage.ping())
        .await
        .unwrap_or_else(|panicked| Err(StorageError::Backend(panicked.to_string())));
    let (code, status, database) = match answered {
        Ok(()) => (StatusCode::OK, "ok", "ok".to_owned()),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            error.to_string(),
        ),
    };
    (
        code,
        Json(Health {
            status: status.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            database,
        }),
    )
}

#[utoipa::path(post, path = "/v1/enrol", tag = "identity", request_body = EnrolRequest,
    responses((status = 200, description = "The station and its device token", body = EnrolResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 403, description = "The code is unknown, used or expired", body = ErrorBody),
        (status = 409, description = "The station asked for is another shop's or has its till already; the code stays unused", body = ErrorBody)))]
async fn enrol(
    State(storage): State<Arc<dyn Storage>>,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<Json<EnrolResponse>, ApiError> {
    let request = body(request)?;
    let address = address.map(|Extension(ClientAddress(ip))| ip.to_string());
    let (shop_id, station_id, device_token) = blocking(move || {
        let now = Utc::now();
        let enrolled = storage.enrol(
            &request.code,
            &request.station_name,
            request.station_id,
            now,
        )?;
        storage.log_security(
            SecurityNote {
                kind: "till_enrolled",
                subject: request.station_name.trim().to_owned(),
                shop_id: Some(enrolled.0),
                address,
                ..SecurityNote::default()
            },
            now,
        )?;
        Ok(enrolled)
    })
    .await?;
    tracing::info!(%shop_id, %station_id, "station enrolled");
    Ok(Json(EnrolResponse {
        shop_id,
        station_id,
        device_token,
    }))
}

#[utoipa::path(post, path = "/v1/login", tag = "identity", request_body = LoginRequest,
    responses((status = 200, description = "A session token", body = LoginResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "Wrong e-mail address or password (one answer for both, `wrong_credentials`), or the account's two-factor code is missing (`two_factor_required`) or wrong (`two_factor_wrong`)", body = ErrorBody),
        (status = 403, description = "The account is deactivated", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this account or from this address; `Retry-After` says when to try again", body = ErrorBody)))]
async fn login(
    State(storage): State<Arc<dyn Storage>>,
    Extension(options): Extension<Options>,
    Extension(throttle): Extension<Arc<Throttle>>,
    address: Option<Extension<ClientAddress>>,
    request: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let request = body(request)?;
    let address = address.map(|Extension(ClientAddress(ip))| ip);
    let (token, caller) = checked_blocking(move || {
        let attempt = Attempt {
            email: &request.email,
            password: &request.password,
            two_factor_code: request.two_factor_code.as_deref(),
            address,
        };
        signin::sign_in(
            storage.as_ref(),
            &throttle,
            options.sessions,
            &attempt,
            Utc::now(),
        )
    })
    .await?;
    Ok(Json(LoginResponse {
        token,
        role: caller.role,
        shop_id: caller.shop_id,
        account_id: Some(caller.account),
        name: caller.name,
        two_factor_setup_required: caller.setup_only,
    }))
}

/// The longest an enrolment code stays usable.
const MAX_CODE_HOURS: u32 = 24 * 7;

#[utoipa::path(post, path = "/v1/enrolment-codes", tag = "identity",
    security(("bearer" = [])), request_body = EnrolmentCodeRequest,
    responses((status = 200, description = "A one-time code for a till of the shop", body = EnrolmentCode),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role or shop does not allow this", body = ErrorBody)))]
async fn enrolment_code(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<EnrolmentCodeRequest>, JsonRejection>,
) -> Result<Json<EnrolmentCode>, ApiError> {
    policy::require(
        &caller,
        &[Role::ShopAdmin, Role::VendorAdmin],
        "issue enrolment codes",
    )?;
    let request = body(request)?;
    let shop_id = policy::shop_for(&caller, request.shop_id)?;
    let hours = request.valid_hours.unwrap_or(24);
    if !(1..=MAX_CODE_HOURS).contains(&hours) {
        return Err(ApiError::BadRequest(format!(
            "valid_hours is {hours}; a code is valid for 1 to {MAX_CODE_HOURS} hours"
        )));
    }
    let expires_at = Utc::now() + chrono::Duration::hours(i64::from(hours));
    let code = blocking(move || storage.issue_enrolment_code(shop_id, expires_at)).await?;
    Ok(Json(EnrolmentCode {
        code,
        shop_id,
        expires_at,
    }))
}

#[utoipa::path(post, path = "/v1/logout", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "The token is revoked", body = Revoked), (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn logout(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, token): Authenticated,
) -> Result<Json<Revoked>, ApiError> {
    blocking(move || {
        let now = Utc::now();
        storage.end_tokens(Ending::Token(&token), "sign_out", now)?;
        storage.log_security(
            SecurityNote {
                kind: "sign_out",
                subject: caller.name,
                shop_id: caller.shop_id,
                ..SecurityNote::default()
            },
            now,
        )
    })
    .await?;
    Ok(Json(Revoked { revoked: true }))
}

#[utoipa::path(get, path = "/v1/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "Who the token belongs to", body = Me), (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn me(Authenticated(caller, _): Authenticated) -> Json<Me> {
    Json(caller.into())
}

/// The first shop and its admin on a server that has no accounts yet, and a code for this
/// computer to enrol with: what the README's run command's first-run screen calls.
#[utoipa::path(post, path = "/v1/setup", tag = "identity", request_body = FirstRunSetup,
    responses(
        (status = 200, description = "The shop, and an enrolment code for its first till", body = FirstRunDone),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 403, description = "This server does not offer first-run set-up", body = ErrorBody),
        (status = 409, description = "The server has accounts already", body = ErrorBody)))]
async fn first_run_setup(
    State(storage): State<Arc<dyn Storage>>,
    Extension(options): Extension<Options>,
    headers: axum::http::HeaderMap,
    request: Result<Json<FirstRunSetup>, JsonRejection>,
) -> Result<Json<FirstRunDone>, ApiError> {
    if !options.first_run_setup {
        return Err(ApiError::Forbidden(
            "this server does not offer first-run set-up; its operator creates shops (stationdesk-server create-shop)".into(),
        ));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    // The set-up is for the computer the server runs on: a web page that made a name of its
    // own resolve to 127.0.0.1 (DNS rebinding) still sends that name.
    if !host.as_deref().is_some_and(is_loopback_host) {
        return Err(ApiError::Forbidden(
            "first-run set-up is answered only when asked for on this computer (localhost or 127.0.0.1)".into(),
        ));
    }
    let request = body(request)?;
    if request.admin.role != Role::ShopAdmin {
        return Err(ApiError::BadRequest(
            "the first account is the shop's admin: role shop_admin".into(),
        ));
    }
    let expires_at = Utc::now() + chrono::Duration::hours(1);
    let (shop_id, code) = blocking(move || {
        let shop_id = storage.first_run(&request.shop, &request.admin)?;
        Ok((shop_id, storage.issue_enrolment_code(shop_id, expires_at)?))
    })
    .await?;
    tracing::info!(%shop_id, "first-run set-up done");
    Ok(Json(FirstRunDone {
        shop_id,
        enrolment_code: EnrolmentCode {
            code,
            shop_id,
            expires_at,
        },
    }))
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
