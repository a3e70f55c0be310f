//! One error type for every handler: a status, a stable code and a message that says what to do.
//! A 5xx is logged with its detail and answered without it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use stationdesk_protocol::ErrorBody;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first: send `Authorization: Bearer <token>` with a valid, unrevoked token")]
    Unauthorized,
    #[error("wrong e-mail address or password")]
    WrongCredentials,
    #[error("enter the 6-digit code from your authenticator app, or one of your recovery codes")]
    TwoFactorRequired,
    #[error("that code is wrong or was used already; enter the current code from your authenticator app, or a recovery code")]
    TwoFactorWrong,
    /// A token that worked once and was ended; the message says why and what to do.
    #[error("{0}")]
    SessionEnded(String),
    #[error("{0}")]
    TillDisconnected(String),
    #[error("too many failed sign-ins; try again in {0} seconds")]
    Throttled(u64),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the server failed; the request can be sent again")]
    Internal(String),
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized
            | ApiError::WrongCredentials
            | ApiError::TwoFactorRequired
            | ApiError::TwoFactorWrong
            | ApiError::SessionEnded(_)
            | ApiError::TillDisconnected(_) => StatusCode::UNAUTHORIZED,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::WrongCredentials => "wrong_credentials",
            ApiError::TwoFactorRequired => "two_factor_required",
            ApiError::TwoFactorWrong => "two_factor_wrong",
            ApiError::SessionEnded(_) => "session_ended",
            ApiError::TillDisconnected(_) => "till_disconnected",
            ApiError::Throttled(_) => "too_many_attempts",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "too_large",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound(m) => ApiError::NotFound(m),
            StorageError::Conflict(m) => ApiError::Conflict(m),
            StorageError::Invalid(m) => ApiError::BadRequest(m),
            StorageError::TooLarge(m) => ApiError::TooLarge(m),
            StorageError::BadEnrolmentCode => ApiError::Forbidden(error.to_string()),
            StorageError::Backend(m) => ApiError::Internal(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
        };
        let mut response = (self.status_code(), Json(body)).into_response();
        if let ApiError::Throttled(seconds) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The layers in front of the handlers (body limit, timeout) answer in plain text; this gives
/// their refusals the same JSON body every other error has.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "the request body is too large; send fewer changes at once".to_owned(),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long; send it again".to_owned(),
        ),
        _ if status.is_server_error() => (
            "internal",
            "the server failed; the request can be sent again".to_owned(),
        ),
        _ => (
            "bad_request",
            status
                .canonical_reason()
                .unwrap_or("bad request")
                .to_lowercase(),
        ),
    };
    let body = ErrorBody {
        code: code.to_owned(),
        message,
    };
    (status, Json(body)).into_response()
}
