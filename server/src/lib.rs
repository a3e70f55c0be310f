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
pub mod api;
pub mod auth;
pub mod billing;
pub mod blobs;
pub mod desk;
pub mod door;
pub mod error;
pub mod mail;
pub mod policy;
pub mod quota;
pub mod serve;
pub mod signin;
pub mod storage;
pub mod throttle;
pub mod two_factor;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Extension, Json, Router};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

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
        .merge(api::identity::router())
        .merge(api::accounts::router())
        .merge(api::shops::router())
        .merge(api::sync::router())
        .merge(api::blobs::router())
        .merge(api::vendor::router())
        .merge(api::desk::router())
        .merge(api::mail::router())
        .split_for_parts()
}

/// Moves whenever a push applied something, here or in another process on the same database:
/// what `/v1/events` streams wait on.
#[derive(Clone, Default)]
pub struct Pushes(Arc<tokio::sync::watch::Sender<u64>>);

impl Pushes {
    /// Wakes every waiting event stream to look at its reach's newest revision.
    pub fn announce(&self) {
        self.0.send_modify(|count| *count += 1);
    }
}

/// How a server is run beyond its storage.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `POST /v1/setup` creates the first shop and its admin while there are no accounts: for
    /// one computer running everything (`scripts/run.sh`), never for a server on a network.
    pub first_run_setup: bool,
    pub sessions: accounts::SessionLimits,
    /// Seals the mail passwords the vendor admin sets; without it the mail settings are
    /// refused with how to give one.
    pub secrets: Option<Arc<mail::SecretsKey>>,
}

pub fn app(storage: Arc<dyn Storage>) -> Router {
    app_with(storage, Options::default())
}

pub fn app_with(storage: Arc<dyn Storage>, options: Options) -> Router {
    app_announcing(storage, options, Pushes::default())
}

/// The router, whose event streams also wake when `pushes` is announced (by the server's
/// follower, for what other processes pushed).
pub fn app_announcing(storage: Arc<dyn Storage>, options: Options, pushes: Pushes) -> Router {
    let (router, document) = routes();
    let document = Arc::new(document);
    router
        .route(
            OPENAPI_PATH,
            get(move || async move { Json(document.as_ref().clone()) }),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(Extension(pushes))
        .layer(Extension(api::sync::Streams::default()))
        .layer(Extension(options))
        .layer(Extension(Arc::new(throttle::Throttle::default())))
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
    checked_blocking(move || work().map_err(ApiError::from)).await
}

/// Runs blocking work that applies rules of its own (a policy check, a password check) off the
/// async workers.
pub(crate) async fn checked_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// A JSON body, or a 400 that says what is wrong with it (a 413 when it is too large).
pub(crate) fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
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
