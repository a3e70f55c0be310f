//! Attachment contents, moved separately from their metadata: resumable, checked by hash.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use stationdesk_protocol::{BlobStatus, ErrorBody, Role, BLOB_CHUNK};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::storage::Storage;
use crate::{blocking, policy};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(blob_status))
        .routes(routes!(put_blob, get_blob))
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
