//! stationdesk's central server: shops, staff and enrolled stations, and the change history
//! every client syncs with.
//!
//! - [`storage`]: what is kept, behind the [`storage::Storage`] trait (SQLite by default).
//! - [`auth`]: the caller of a request, from its bearer token.
//! - [`policy`]: who may do what, for every backend alike.
//! - [`error`]: the one error type, answered as `{"code", "message"}`.
//! - [`app`]: the router: `/healthz` and the API under `/v1`.

pub mod auth;
pub mod error;
pub mod policy;
pub mod storage;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use stationdesk_protocol::{
    Created, EnrolRequest, EnrolResponse, EnrolmentCode, EnrolmentCodeRequest, Health,
    LoginRequest, LoginResponse, Me, NewShop, NewStaff, PullResponse, PushRequest, PushResponse,
    Role, Shop, MAX_PUSH_BATCH, PULL_PAGE,
};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use auth::Authenticated;
use error::ApiError;
use storage::{Storage, StorageError};

/// A push of 500 changes with their payloads fits well within this.
const BODY_LIMIT: usize = 8 * 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn app(storage: Arc<dyn Storage>) -> Router {
    let api = Router::new()
        .route("/enrol", post(enrol))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/shops", get(list_shops).post(create_shop))
        .route("/staff", post(create_staff))
        .route("/enrolment-codes", post(enrolment_code))
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull));
    Router::new()
        .route("/healthz", get(health))
        .nest(stationdesk_protocol::API_PREFIX, api)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(storage)
}

/// Runs blocking storage work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// A JSON body, or a 400 that says what is wrong with it.
fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    json.map(|Json(value)| value)
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

async fn enrol(
    State(storage): State<Arc<dyn Storage>>,
    request: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<Json<EnrolResponse>, ApiError> {
    let request = body(request)?;
    let (shop_id, station_id, device_token) =
        blocking(move || storage.enrol(&request.code, &request.station_name, Utc::now())).await?;
    tracing::info!(%shop_id, %station_id, "station enrolled");
    Ok(Json(EnrolResponse {
        shop_id,
        station_id,
        device_token,
    }))
}

async fn login(
    State(storage): State<Arc<dyn Storage>>,
    request: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let request = body(request)?;
    let (token, caller) =
        blocking(move || storage.login(&request.email, &request.password)).await?;
    Ok(Json(LoginResponse {
        token,
        role: caller.role,
        shop_id: caller.shop_id,
        name: caller.name,
    }))
}

async fn create_shop(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<NewShop>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    policy::require(&caller, &[Role::VendorAdmin], "create shops")?;
    let request = body(request)?;
    let id = blocking(move || storage.create_shop(&request)).await?;
    tracing::info!(shop_id = %id, "shop created");
    Ok(Json(Created { id }))
}

/// Every shop for the vendor's staff; a shop admin sees their own; a till none.
async fn list_shops(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<Shop>>, ApiError> {
    policy::require(
        &caller,
        &[Role::ShopAdmin, Role::SupportStaff, Role::VendorAdmin],
        "list shops",
    )?;
    Ok(Json(blocking(move || storage.shops(caller.shop_id)).await?))
}

/// Vendor admins create any staff; a shop admin the admins of their own shop.
async fn create_staff(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<NewStaff>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    policy::require(
        &caller,
        &[Role::ShopAdmin, Role::VendorAdmin],
        "create staff accounts",
    )?;
    let mut request = body(request)?;
    if caller.role == Role::ShopAdmin {
        if request.role != Role::ShopAdmin {
            return Err(ApiError::Forbidden(
                "a shop admin creates shop admins only; the vendor creates its own staff".into(),
            ));
        }
        request.shop_id = Some(policy::shop_for(&caller, request.shop_id)?);
    }
    let id = blocking(move || storage.create_user(&request)).await?;
    tracing::info!(user_id = %id, "staff account created");
    Ok(Json(Created { id }))
}

/// The longest an enrolment code stays usable.
const MAX_CODE_HOURS: u32 = 24 * 7;

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

async fn logout(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(_, token): Authenticated,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || storage.revoke(&token)).await?;
    Ok(Json(serde_json::json!({ "revoked": true })))
}

async fn me(Authenticated(caller, _): Authenticated) -> Json<Me> {
    Json(caller.into())
}

async fn push(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let request = body(request)?;
    if request.changes.len() > MAX_PUSH_BATCH {
        return Err(ApiError::BadRequest(format!(
            "a push carries at most {MAX_PUSH_BATCH} changes, not {}; send the rest in another batch",
            request.changes.len()
        )));
    }
    let results = blocking(move || storage.push(&caller, &request.changes, Utc::now())).await?;
    Ok(Json(PushResponse { results }))
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    after: u64,
}

async fn pull(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let page = blocking(move || storage.pull(&caller, query.after, PULL_PAGE)).await?;
    Ok(Json(page))
}
