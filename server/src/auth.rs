//! The caller of a request, from its bearer token; checked before any handler runs.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::storage::{Caller, Storage};

pub struct Authenticated(pub Caller);

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
        let storage = storage.clone();
        let caller = crate::blocking(move || storage.caller(&token)).await?;
        caller.map(Authenticated).ok_or(ApiError::Unauthorized)
    }
}
