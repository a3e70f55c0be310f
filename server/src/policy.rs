//! Who may do what. The rules live here, not in SQL, so every storage backend applies the same
//! ones: a backend finds out who owns an entity, and asks.
//!
//! - A station (a till) works on what it made itself: its tickets, their comments and events,
//!   the cashier's consent to remote help, its own station record.
//! - A shop admin works on everything of their shop except the vendor's side of it (remote
//!   sessions, quotes offered). Under Second Level Support only the shop's named admins bring
//!   a ticket to the vendor (escalate it).
//! - Support staff work on what shops have sent: tickets, comments, state changes, quotes,
//!   remote sessions, for every shop.
//! - Vendor admins keep the catalogue, shops and staff; they do not push ticket work.

use stationdesk_protocol::{Change, Role};
use uuid::Uuid;

use crate::error::ApiError;
use crate::storage::Caller;

/// Whose an entity is: the shop, and the till that made it (none for what staff made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub shop: Uuid,
    pub station: Option<Uuid>,
}

/// The entities a role may push; anything else is refused with a reason.
fn entities_of(role: Role) -> &'static [&'static str] {
    match role {
        Role::Station => &[
            "station",
            "ticket",
            "ticket_event",
            "ticket_comment",
            "ticket_attachment",
            "remote_consent",
        ],
        Role::ShopAdmin => &[
            "station",
            "contract",
            "ticket",
            "ticket_event",
            "ticket_comment",
            "ticket_attachment",
            "ticket_quote",
            "remote_consent",
        ],
        Role::SupportStaff => &[
            "ticket",
            "ticket_event",
            "ticket_comment",
            "ticket_attachment",
            "ticket_quote",
            "remote_session",
        ],
        Role::VendorAdmin => &[],
    }
}

/// Every entity some role may push: anything else is unknown to the server.
pub fn is_known_entity(entity: &str) -> bool {
    Role::ALL
        .iter()
        .any(|role| entities_of(*role).contains(&entity))
}

/// Decides one pushed change. `existing` is the owner of the entity when the server knows it
/// already; `parent` the owner of the ticket or station a new entity names in its payload (how
/// the vendor's staff reach a shop's entity they have not seen before, and how an admin's
/// ticket for a till reaches that till); `second_level` whether
/// the caller's own shop is under Second Level Support. Returns the owner the change is
/// recorded under, or the reason it is refused.
pub fn admit(
    caller: &Caller,
    change: &Change,
    existing: Option<Owner>,
    parent: Option<Owner>,
    second_level: bool,
) -> Result<Owner, String> {
    if !is_known_entity(&change.entity) {
        return Err(format!("unknown entity {:?}", change.entity));
    }
    let what = format!("{} {}", change.entity, change.entity_id);
    if !entities_of(caller.role).contains(&change.entity.as_str()) {
        return Err(match caller.role {
            Role::VendorAdmin => {
                "vendor admins keep shops and staff; ticket work is the support desk's".into()
            }
            Role::Station => format!(
                "a till may not change a {}; a shop admin has to sign in",
                change.entity
            ),
            _ => format!(
                "{} may not change a {}",
                role_name(caller.role),
                change.entity
            ),
        });
    }
    match (change.entity.as_str(), change.kind.as_str(), caller.role) {
        ("ticket_quote", "offered", Role::ShopAdmin) => {
            return Err("quotes are offered by the vendor's support desk".into())
        }
        ("ticket_quote", "accepted" | "declined", Role::SupportStaff) => {
            return Err("the shop's admin accepts or declines a quote".into())
        }
        ("ticket_event", "escalated", Role::Station | Role::ShopAdmin)
            if second_level && !caller.named_contact =>
        {
            return Err("under Second Level Support only the shop's named admins bring a ticket to the vendor; ask one of them".into())
        }
        _ => {}
    }
    match (caller.shop_id, existing) {
        (Some(own), Some(owner)) if owner.shop != own => {
            Err(format!("{what} belongs to another shop"))
        }
        (Some(_), Some(owner))
            if caller.role == Role::Station && owner.station != caller.station_id =>
        {
            Err(format!(
                "{what} belongs to another till of the shop; the shop admin can work on it"
            ))
        }
        (Some(_), Some(owner)) => Ok(owner),
        // New: a till's is its own; what an admin files for a till (its payload names the
        // till's station record) belongs to that till too, so the cashier sees it.
        (Some(own), None) => Ok(Owner {
            shop: own,
            station: match caller.role {
                Role::Station => caller.station_id,
                _ => parent
                    .filter(|parent| parent.shop == own)
                    .and_then(|parent| parent.station),
            },
        }),
        // The vendor's support desk works on what shops have sent.
        (None, Some(owner)) => Ok(owner),
        (None, None) => parent.ok_or_else(|| {
            format!("{what} is unknown; support staff add to a ticket or station a shop has sent")
        }),
    }
}

/// The ticket or station a change's payload names: how a new entity of the vendor's staff
/// (a remote session, a phoned-in ticket) finds its shop.
pub fn parent_ids(change: &Change) -> impl Iterator<Item = Uuid> + '_ {
    ["ticket_id", "station_id"].into_iter().filter_map(|field| {
        change
            .payload
            .get(field)
            .and_then(|v| v.as_str())
            .and_then(|v| Uuid::parse_str(v).ok())
    })
}

/// What every till of a shop reads, whoever made it: which till is which, and the contracts
/// (a till routes an emergency by the contract covering it, made by the admin elsewhere).
pub fn is_shared_in_shop(entity: &str) -> bool {
    matches!(entity, "station" | "contract")
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

fn role_name(role: Role) -> &'static str {
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
