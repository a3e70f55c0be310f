//! stationdesk's central server: shops, staff and enrolled stations, and the change history
//! every client syncs with.
//!
//! - [`storage`]: what is kept, behind the [`storage::Storage`] trait (SQLite by default).
//! - [`auth`]: the caller of a request, from its bearer token.
//! - [`policy`]: who may do what, for every backend alike; [`door`]: every pushed change read
//!   and checked before anything is stored; [`accounts`]: passwords and tokens.
//! - [`error`]: the one error type, answered as `{"code", "message"}`.
//! - [`app`]: the router: `/healthz` and the API under `/v1`; [`serve`]: the socket, with
//!   header time limits and connection caps.

pub mod accounts;
pub mod auth;
pub mod blobs;
pub mod door;
pub mod error;
pub mod policy;
pub mod quota;
pub mod serve;
pub mod storage;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::Utc;
use serde::Deserialize;
use stationdesk_protocol::{
    BlobStatus, ChangesAvailable, Created, EnrolRequest, EnrolResponse, EnrolmentCode,
    EnrolmentCodeRequest, ErrorBody, FirstRunDone, FirstRunSetup, Health, LoginRequest,
    LoginResponse, Me, NewShop, NewStaff, Outcome, PullResponse, PushRequest, PushResponse,
    Revoked, Role, Shop, BLOB_CHUNK, MAX_PUSH_BATCH, PULL_PAGE,
};
use tokio_stream::wrappers::WatchStream;
use tokio_stream::{Stream, StreamExt};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use auth::Authenticated;
use error::ApiError;
use storage::{Storage, StorageError};

/// A push of 500 changes with their payloads fits well within this.
const BODY_LIMIT: usize = 8 * 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const OPENAPI_PATH: &str = "/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "stationdesk central server",
        description = "Enrolment, staff sign-in, roles and tenancy, and offline-first sync for \
            stationdesk clients. Every error is an ErrorBody: 4xx when the request is wrong (the \
            message says what to change), 5xx only for the server's own failures."
    ),
    modifiers(&BearerToken)
)]
struct ApiDoc;

/// Device tokens and staff session tokens alike are sent as `Authorization: Bearer`.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// The routes and their OpenAPI document, built from the same handlers, so the document
/// describes exactly what the server answers.
pub fn routes() -> (Router<Arc<dyn Storage>>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(enrol))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(list_shops, create_shop))
        .routes(routes!(create_staff))
        .routes(routes!(enrolment_code))
        .routes(routes!(push))
        .routes(routes!(pull))
        .routes(routes!(events))
        .routes(routes!(first_run_setup))
        .routes(routes!(blob_status))
        .routes(routes!(put_blob, get_blob))
        .split_for_parts()
}

/// The event streams open now, per account: one caller may not hold the server's connections
/// with streams (an app needs one, and one more while it reconnects).
#[derive(Clone, Default)]
pub struct Streams(Arc<std::sync::Mutex<std::collections::HashMap<Uuid, usize>>>);

/// The most event streams one account keeps open at once.
pub const STREAMS_PER_ACCOUNT: usize = 4;

/// An open stream, counted in [`Streams`] until it is dropped.
struct StreamPermit {
    streams: Streams,
    account: Uuid,
}

impl Streams {
    fn open(&self, account: Uuid) -> Option<StreamPermit> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(account).or_default();
        if *count >= STREAMS_PER_ACCOUNT {
            return None;
        }
        *count += 1;
        Some(StreamPermit {
            streams: self.clone(),
            account,
        })
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.streams.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.account) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.account);
            }
        }
    }
}

/// Moves whenever a push applied something: what `/v1/events` streams wait on.
#[derive(Clone, Default)]
pub struct Pushes(Arc<tokio::sync::watch::Sender<u64>>);

/// How a server is run beyond its storage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `POST /v1/setup` creates the first shop and its admin while there are no accounts: for
    /// one computer running everything (`scripts/run.sh`), never for a server on a network.
    pub first_run_setup: bool,
}

pub fn app(storage: Arc<dyn Storage>) -> Router {
    app_with(storage, Options::default())
}

pub fn app_with(storage: Arc<dyn Storage>, options: Options) -> Router {
    let (router, document) = routes();
    let document = Arc::new(document);
    router
        .route(
            OPENAPI_PATH,
            get(move || async move { Json(document.as_ref().clone()) }),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(Extension(Pushes::default()))
        .layer(Extension(Streams::default()))
        .layer(Extension(options))
        // One limit for every body, the documented one (axum's extractors would stop at 2 MiB).
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(storage)
}

async fn unknown_path(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "there is no {uri} here; the API is described at {OPENAPI_PATH}"
    ))
}

async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "{uri} does not take {method}; see {OPENAPI_PATH} for what it takes"
    ))
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

/// A JSON body, or a 400 that says what is wrong with it (a 413 when it is too large).
fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    json.map(|Json(value)| value).map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the request body is larger than {} MiB; send fewer changes at once",
                BODY_LIMIT / 1_048_576
            ))
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    responses((status = 200, description = "The server is up", body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

#[utoipa::path(post, path = "/v1/enrol", tag = "identity", request_body = EnrolRequest,
    responses((status = 200, description = "The station and its device token", body = EnrolResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 403, description = "The code is unknown, used or expired", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/v1/login", tag = "identity", request_body = LoginRequest,
    responses((status = 200, description = "A session token", body = LoginResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 403, description = "Wrong e-mail address or password", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/v1/shops", tag = "shops", security(("bearer" = [])),
    request_body = NewShop,
    responses((status = 200, description = "The new shop (vendor admins only)", body = Created),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role or shop does not allow this", body = ErrorBody)))]
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
#[utoipa::path(get, path = "/v1/shops", tag = "shops", security(("bearer" = [])),
    responses((status = 200, description = "The shops the caller may see", body = Vec<Shop>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role or shop does not allow this", body = ErrorBody)))]
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
#[utoipa::path(post, path = "/v1/staff", tag = "shops", security(("bearer" = [])),
    request_body = NewStaff,
    responses((status = 200, description = "The new account", body = Created),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role or shop does not allow this", body = ErrorBody),
        (status = 409, description = "The e-mail address has an account already", body = ErrorBody)))]
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
        if request.named_contact {
            return Err(ApiError::Forbidden(
                "who is named in a Second Level contract is the vendor's decision; ask the vendor to name this admin".into(),
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
    Authenticated(_, token): Authenticated,
) -> Result<Json<Revoked>, ApiError> {
    blocking(move || storage.revoke(&token)).await?;
    Ok(Json(Revoked { revoked: true }))
}

#[utoipa::path(get, path = "/v1/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "Who the token belongs to", body = Me), (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn me(Authenticated(caller, _): Authenticated) -> Json<Me> {
    Json(caller.into())
}

#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", security(("bearer" = [])),
    request_body = PushRequest,
    responses((status = 200, description = "One result per change, in the order pushed", body = PushResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 413, description = "The body is larger than 8 MiB; send fewer changes at once")))]
async fn push(
    State(storage): State<Arc<dyn Storage>>,
    Extension(pushes): Extension<Pushes>,
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
    let changes = request
        .changes
        .into_iter()
        .enumerate()
        .map(|(at, raw)| {
            #[derive(Deserialize)]
            struct Named {
                change_id: Uuid,
            }
            match serde_json::from_str::<Named>(raw.get()) {
                Ok(named) => Ok(storage::Pushed {
                    change_id: named.change_id,
                    raw,
                }),
                Err(_) => Err(ApiError::BadRequest(format!(
                    "change {at} of the batch has no change_id (a UUID); every change needs one, so its answer can name it"
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = blocking(move || storage.push(&caller, &changes, Utc::now())).await?;
    if results
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Applied { .. }))
    {
        pushes.0.send_modify(|count| *count += 1);
    }
    Ok(Json(PushResponse { results }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PullQuery {
    /// The cursor of the last page applied; 0 (or left out) for the whole history.
    #[serde(default)]
    after: u64,
}

#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", security(("bearer" = [])),
    params(PullQuery),
    responses((status = 200, description = "The next page of the changes the caller may see", body = PullResponse),
        (status = 400, description = "The request is malformed; the message says what is wrong", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn pull(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    if storage
        .known_head(&caller)
        .is_some_and(|head| query.after >= head)
    {
        return Ok(Json(PullResponse {
            changes: Vec::new(),
            cursor: query.after,
            more: false,
        }));
    }
    let page = blocking(move || storage.pull(&caller, query.after, PULL_PAGE)).await?;
    Ok(Json(page))
}

/// How often an idle event stream says it is still there, so proxies and clients do not give
/// up on it.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Server-sent events: a `changes` event whenever the caller's reach has changes after its
/// cursor (`after`), at once if it has some already. The client then pulls; support staff see
/// a new emergency without reloading or polling.
#[utoipa::path(get, path = "/v1/events", tag = "sync", security(("bearer" = [])),
    params(PullQuery),
    responses(
        (status = 200, description = "A text/event-stream of `changes` events, each with the newest revision", body = ChangesAvailable, content_type = "text/event-stream"),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 429, description = "The account has as many event streams open as it may", body = ErrorBody)))]
async fn events(
    State(storage): State<Arc<dyn Storage>>,
    Extension(pushes): Extension<Pushes>,
    Extension(streams): Extension<Streams>,
    Authenticated(caller, token): Authenticated,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Query(query) = query.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let permit = streams.open(caller.account).ok_or_else(|| {
        ApiError::TooManyRequests(format!(
            "this account has {STREAMS_PER_ACCOUNT} event streams open already; close one first"
        ))
    })?;
    let mut seen = query.after;
    // A token revoked while its stream is open ends the stream at the next change (as far as
    // the backend keeps callers in memory, where a revoke drops them at once).
    let watched = storage.known_caller(&token).is_some();
    let still_valid = storage.clone();
    let stream = WatchStream::new(pushes.0.subscribe())
        .take_while(move |_| !watched || still_valid.known_caller(&token).is_some())
        .filter_map(move |_| {
            // Held as long as the stream is: its place is given back when the client goes.
            let _open = &permit;
            // A backend that cannot tell the head without I/O announces every push.
            let head = storage.known_head(&caller);
            if head.is_some_and(|head| head <= seen) {
                return None;
            }
            seen = head.unwrap_or(seen);
            let event = Event::default()
                .event("changes")
                .json_data(ChangesAvailable { revision: seen })
                .expect("a number serialises");
            Some(Ok(event))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
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

/// Who may move attachment contents: everyone who works on tickets.
const BLOB_ROLES: [Role; 3] = [Role::Station, Role::ShopAdmin, Role::SupportStaff];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BlobPart {
    /// Where these bytes go: the `received` of the last status.
    offset: u64,
    /// The content's whole size.
    total: u64,
}

#[utoipa::path(get, path = "/v1/blobs/{sha256}/status", tag = "attachments",
    security(("bearer" = [])), params(("sha256" = String, Path, description = "The content's SHA-256, hex")),
    responses((status = 200, description = "How far its upload is", body = BlobStatus),
        (status = 400, description = "Not a SHA-256", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role does not move attachments", body = ErrorBody)))]
async fn blob_status(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(sha256): Path<String>,
) -> Result<Json<BlobStatus>, ApiError> {
    policy::require(&caller, &BLOB_ROLES, "move attachments")?;
    Ok(Json(
        blocking(move || storage.blob_status(&caller, &sha256)).await?,
    ))
}

/// One part of a content, at the offset the last status gave: an interrupted upload goes on
/// where it stopped. When the last part is in, the SHA-256 is checked.
#[utoipa::path(put, path = "/v1/blobs/{sha256}", tag = "attachments",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The content's SHA-256, hex"), BlobPart),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "At most 1 MiB"),
    responses((status = 200, description = "How far the upload is now", body = BlobStatus),
        (status = 400, description = "Not a SHA-256, too large, or the content does not match its hash (then nothing is kept)", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role does not move attachments", body = ErrorBody),
        (status = 409, description = "The offset is not where the upload is; ask the status and go on from there", body = ErrorBody)))]
async fn put_blob(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(sha256): Path<String>,
    part: Result<Query<BlobPart>, axum::extract::rejection::QueryRejection>,
    bytes: axum::body::Bytes,
) -> Result<Json<BlobStatus>, ApiError> {
    policy::require(&caller, &BLOB_ROLES, "move attachments")?;
    let Query(part) = part.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    if bytes.len() > BLOB_CHUNK {
        return Err(ApiError::BadRequest(format!(
            "send at most {BLOB_CHUNK} bytes at a time, not {}",
            bytes.len()
        )));
    }
    Ok(Json(
        blocking(move || storage.blob_append(&caller, &sha256, part.offset, part.total, &bytes))
            .await?,
    ))
}

#[utoipa::path(get, path = "/v1/blobs/{sha256}", tag = "attachments",
    security(("bearer" = [])), params(("sha256" = String, Path, description = "The content's SHA-256, hex")),
    responses((status = 200, description = "The content", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 400, description = "Not a SHA-256", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "The caller's role does not move attachments", body = ErrorBody),
        (status = 404, description = "Not here, not complete yet, or another shop's", body = ErrorBody)))]
async fn get_blob(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(sha256): Path<String>,
) -> Result<Vec<u8>, ApiError> {
    policy::require(&caller, &BLOB_ROLES, "move attachments")?;
    blocking(move || storage.blob(&caller, &sha256)).await
}
