//! Who may do what. The rules live here and in [`crate::door`], not in SQL, so every storage
//! backend applies the same ones: a backend finds out who owns an entity, and asks.
//!
//! - A station (a till) works on what it made itself: its tickets, their comments and events,
//!   the cashier's consent to remote help, its own station record.
//! - A shop admin works on everything of their shop except the vendor's side of it (remote
//!   sessions, quotes offered). Under Second Level Support only the shop's named admins bring
//!   a ticket to the vendor (escalate it).
//! - Support staff work on what shops have sent: tickets, comments, state changes, quotes,
//!   remote sessions, for every shop.
//! - Vendor admins keep the catalogue, shops and staff; they do not push ticket work.

use stationdesk_protocol::Role;
use uuid::Uuid;

use crate::error::ApiError;
use crate::storage::Caller;

/// Whose an entity is: the shop, and the till that made it (none for what staff made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub shop: Uuid,
    pub station: Option<Uuid>,
}

/// Whose history a caller reads: a till its own and what is shared in its shop, a shop admin the
/// shop's, the vendor's staff every shop's.
pub enum Reach {
    Shop(Uuid),
    Station { shop: Uuid, station: Uuid },
    Everything,
}

pub fn reach(caller: &Caller) -> Reach {
    match (caller.role, caller.shop_id, caller.station_id) {
        (Role::Station, Some(shop), Some(station)) => Reach::Station { shop, station },
        (_, Some(shop), _) => Reach::Shop(shop),
        _ => Reach::Everything,
    }
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Station => "a till",
        Role::ShopAdmin => "a shop admin",
        Role::SupportStaff => "support staff",
        Role::VendorAdmin => "a vendor admin",
    }
}

/// Endpoint rules: the caller must have one of `roles`.
pub fn require(caller: &Caller, roles: &[Role], doing: &str) -> Result<(), ApiError> {
    if roles.contains(&caller.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "{} may not {doing}",
            role_name(caller.role)
        )))
    }
}

/// The shop a request is about: a shop admin's own (another shop's id is refused), or the one a
/// vendor admin names.
pub fn shop_for(caller: &Caller, asked: Option<Uuid>) -> Result<Uuid, ApiError> {
    match (caller.shop_id, asked) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(asked)) if asked == own => Ok(own),
        (Some(_), Some(_)) => Err(ApiError::Forbidden(
            "that is another shop's; you act for your own shop only".into(),
        )),
        (None, Some(asked)) => Ok(asked),
        (None, None) => Err(ApiError::BadRequest("name the shop: shop_id".into())),
    }
}

/// The shops a list shows: a vendor admin's every shop (or the one asked for), anyone else's
/// own shop.
pub fn shop_filter(caller: &Caller, asked: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    match caller.role {
        Role::VendorAdmin => Ok(asked),
        _ => shop_for(caller, asked).map(Some),
    }
}

/// Who may manage a staff account (deactivate it, set its password, end its sessions): a
/// vendor admin anyone's, a shop admin the admins of their own shop.
pub fn may_manage(caller: &Caller, role: Role, shop: Option<Uuid>) -> Result<(), ApiError> {
    match caller.role {
        Role::VendorAdmin => Ok(()),
        Role::ShopAdmin if role == Role::ShopAdmin && shop == caller.shop_id => Ok(()),
        Role::ShopAdmin => Err(ApiError::Forbidden(
            "a shop admin manages the admins of their own shop only".into(),
        )),
        _ => Err(ApiError::Forbidden(format!(
            "{} may not manage staff accounts",
            role_name(caller.role)
        ))),
    }
}
