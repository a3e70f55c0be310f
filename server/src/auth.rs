//! The caller of a request, from its bearer token; checked before any handler runs. A staff
//! session past its idle or absolute limit is ended here, and a token that was ended is
//! answered with why (signed out, expired, revoked, …), so the app can say what to do.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};

use crate::accounts::{ended_message, session_over, SessionLimits, TOUCH_EVERY};
use crate::error::ApiError;
use crate::storage::{Caller, Ending, SecurityNote, Storage, TokenState};
use crate::Options;

/// The caller, and the token it came with (for revoking it).
pub struct Authenticated(pub Caller, pub String);

/// What a session that may only set up two factors may reach.
const SETUP_PATHS: &[&str] = &[
    "/v1/me",
    "/v1/me/two-factor",
    "/v1/me/two-factor/confirm",
    "/v1/me/password",
    "/v1/logout",
];

impl FromRequestParts<Arc<dyn Storage>> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        storage: &Arc<dyn Storage>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?
            .to_owned();
        let limits = parts
            .extensions
            .get::<Options>()
            .map(|options| options.sessions)
            .unwrap_or_default();
        let caller = current_caller(storage, &token, limits, Utc::now(), Use::Counts).await?;
        if caller.setup_only && !SETUP_PATHS.contains(&parts.uri.path()) {
            return Err(ApiError::Forbidden(
                "the vendor requires two-factor sign-in for your account: set it up first (Settings, Your account)".into(),
            ));
        }
        Ok(Authenticated(caller, token))
    }
}

/// Whether looking at a token counts as using it (for the idle limit): a request does; an
/// open event stream checking on its token does not, or it would keep a session alive forever.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Counts,
    Watching,
}

/// The caller the token belongs to at `now`, or the refusal that says why not.
pub async fn current_caller(
    storage: &Arc<dyn Storage>,
    token: &str,
    limits: SessionLimits,
    now: DateTime<Utc>,
    usage: Use,
) -> Result<Caller, ApiError> {
    let caller = match storage.known_caller(token) {
        Some(caller) => caller,
        None => {
            let backend = storage.clone();
            let presented = token.to_owned();
            match crate::blocking(move || backend.caller(&presented)).await? {
                TokenState::Active(caller) => caller,
                TokenState::Ended { why, station } => {
                    let message = ended_message(&why, station, limits);
                    return Err(if station {
                        ApiError::TillDisconnected(message)
                    } else {
                        ApiError::SessionEnded(message)
                    });
                }
                TokenState::Unknown => return Err(ApiError::Unauthorized),
            }
        }
    };
    let backend = storage.clone();
    let presented = token.to_owned();
    if session_over(&caller, now, limits) {
        let subject = caller.name.clone();
        let shop_id = caller.shop_id;
        crate::blocking(move || {
            backend.end_tokens(Ending::Token(&presented), "expired", now)?;
            backend.log_security(
                SecurityNote {
                    kind: "session_expired",
                    subject,
                    shop_id,
                    ..SecurityNote::default()
                },
                now,
            )
        })
        .await?;
        return Err(ApiError::SessionEnded(ended_message(
            "expired", false, limits,
        )));
    }
    if usage == Use::Counts && now - caller.last_used_at >= TOUCH_EVERY {
        crate::blocking(move || backend.touch(&presented, now)).await?;
    }
    Ok(caller)
}
