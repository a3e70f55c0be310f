//! The caller of a request, from its bearer token; checked before any handler runs.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::storage::{Caller, Storage};

/// The caller, and the token it came with (for revoking it).
pub struct Authenticated(pub Caller, pub String);

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
        if let Some(caller) = storage.known_caller(&token) {
            return Ok(Authenticated(caller, token));
        }
        let storage = storage.clone();
        let presented = token.clone();
        let caller = crate::blocking(move || storage.caller(&presented)).await?;
        caller
            .map(|caller| Authenticated(caller, token))
            .ok_or(ApiError::Unauthorized)
    }
}
