//! Sync: pushes read change by change at the door, pulls page by page, and the event stream
//! that tells a client there is something to pull.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use stationdesk_protocol::{
    ChangesAvailable, ErrorBody, Outcome, PullResponse, PushRequest, PushResponse, MAX_PUSH_BATCH,
    PULL_PAGE,
};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{current_caller, Authenticated, Use};
use crate::error::ApiError;
use crate::storage::{Pushed, Storage};
use crate::{blocking, body, Options, Pushes};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(push))
        .routes(routes!(pull))
        .routes(routes!(events))
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
                Ok(named) => Ok(Pushed {
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
        pushes.announce();
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

/// How often an open event stream checks that its token still works.
const TOKEN_RECHECK: Duration = Duration::from_secs(1);

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
    Extension(options): Extension<Options>,
    Authenticated(caller, token): Authenticated,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Query(query) = query.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let permit = streams.open(caller.account).ok_or_else(|| {
        ApiError::TooManyRequests(format!(
            "this account has {STREAMS_PER_ACCOUNT} event streams open already; close one first"
        ))
    })?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        // Held as long as the stream is: its place is given back when the client goes.
        let _open = permit;
        let mut pushed = pushes.0.subscribe();
        let mut recheck = tokio::time::interval(TOKEN_RECHECK);
        let mut seen = query.after;
        loop {
            let woken_by_push = tokio::select! {
                changed = pushed.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    true
                }
                _ = recheck.tick() => false,
                () = sender.closed() => break,
            };
            // A till revoked, a session ended or expired: the stream ends within a second.
            let still = current_caller(
                &storage,
                &token,
                options.sessions,
                Utc::now(),
                Use::Watching,
            );
            if still.await.is_err() {
                break;
            }
            // A backend that cannot tell the head without I/O announces every push.
            let head = storage.known_head(&caller);
            let news = match head {
                Some(head) => head > seen,
                None => woken_by_push,
            };
            if !news {
                continue;
            }
            seen = head.unwrap_or(seen);
            let event = Event::default()
                .event("changes")
                .json_data(ChangesAvailable { revision: seen })
                .expect("a number serialises");
            if sender.send(Ok(event)).await.is_err() {
                break;
            }
        }
    });
    Ok(Sse::new(ReceiverStream::new(receiver)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
