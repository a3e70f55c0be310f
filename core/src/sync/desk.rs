//! The support desk's queue as the app reaches it: the server answers the page the desk shows
//! (`GET /v1/desk/tickets`), across every shop, and the callbacks still to make
//! (`GET /v1/desk/callbacks`); nothing of it is copied here.

use stationdesk_protocol::{DeskPage, DeskShop, DeskTicket, DeskTicketInContext, Shop};
use uuid::Uuid;

use super::{query, with_token, SyncError};
use crate::domain::desk_queue::QueueFilter;
use crate::store::Store;

/// One page of the queue, as the signed-in support staff or vendor admin may read it.
pub fn queue(store: &mut Store, filter: &QueueFilter) -> Result<DeskPage, SyncError> {
    let states = (!filter.states.is_empty()).then(|| {
        filter
            .states
            .iter()
            .map(|state| state.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    let query = query(&[
        ("state", states),
        ("priority", filter.priority.map(|p| p.as_str().to_owned())),
        ("shop_id", filter.shop.map(|s| s.to_string())),
        ("station_id", filter.station.map(|s| s.to_string())),
        ("channel", filter.channel.map(|c| c.as_str().to_owned())),
        ("assignee", filter.assignee.map(|a| a.as_param())),
        ("q", filter.text.clone()),
        ("limit", filter.limit.map(|l| l.to_string())),
        ("cursor", filter.cursor.clone()),
    ]);
    with_token(store, |_, client, token| {
        client.get(token, "/desk/tickets", &query)
    })
}

/// The callbacks tills asked for that nobody has answered, the longest waiting first.
pub fn callbacks(store: &mut Store) -> Result<Vec<DeskTicket>, SyncError> {
    with_token(store, |_, client, token| {
        client.get(token, "/desk/callbacks", &[])
    })
}

/// A ticket as the queue lists it, with its shop beside it.
pub fn ticket_in_context(store: &mut Store, id: Uuid) -> Result<DeskTicketInContext, SyncError> {
    with_token(store, |_, client, token| {
        client.get(token, &format!("/desk/tickets/{id}"), &[])
    })
}

/// A shop's tills, contracts, named admins and open tickets.
pub fn shop(store: &mut Store, id: Uuid) -> Result<DeskShop, SyncError> {
    with_token(store, |_, client, token| {
        client.get(token, &format!("/desk/shops/{id}"), &[])
    })
}

/// Every shop, for the desk to file a ticket for one.
pub fn shops(store: &mut Store) -> Result<Vec<Shop>, SyncError> {
    with_token(store, |_, client, token| client.get(token, "/shops", &[]))
}
