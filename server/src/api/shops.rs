//! The vendor's shops and staff accounts.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use stationdesk_protocol::{Created, ErrorBody, NewShop, NewStaff, Role, Shop, StaffMember};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::storage::Storage;
use crate::{blocking, body, policy};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(list_shops, create_shop))
        .routes(routes!(list_staff, create_staff))
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

/// Who works for a shop and for the vendor: a shop admin sees their shop's admins, the vendor's
/// staff everyone (the named contacts of a Second Level shop among them).
#[utoipa::path(get, path = "/v1/staff", tag = "shops", security(("bearer" = [])),
    responses((status = 200, description = "The staff accounts the caller may see, by name", body = Vec<StaffMember>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "A till sees no staff", body = ErrorBody)))]
async fn list_staff(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<StaffMember>>, ApiError> {
    policy::require(
        &caller,
        &[Role::ShopAdmin, Role::SupportStaff, Role::VendorAdmin],
        "list staff",
    )?;
    Ok(Json(blocking(move || storage.staff(caller.shop_id)).await?))
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
