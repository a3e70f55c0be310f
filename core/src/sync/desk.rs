//! The support desk's queue as the app reaches it: the server answers the page the desk shows
//! (`GET /v1/desk/tickets`), across every shop, and the callbacks still to make
//! (`GET /v1/desk/callbacks`). Only a ticket the agent opens is kept here, with its history,
//! and kept up to date (`POST /v1/desk/followed`) whenever the event stream says the server
//! has something new; writes go through the outbox as everywhere.

use chrono::{DateTime, Utc};
use stationdesk_protocol::{
    DeskChanges, DeskCompliance, DeskFollowed, DeskPage, DeskReport, DeskShop, DeskTicket,
    DeskTicketInContext, Shop,
};
use std::path::{Path, PathBuf};
use uuid::Uuid;

use super::client::Client;
use super::{query, save_whole, with_token, SyncError};
use crate::domain::desk_queue::{AssignedTo, QueueFilter};
use crate::domain::report::parse_month;
use crate::secrets::Token;
use crate::store::{Applied, ArrivedEmergency, Store, StoreError};

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

/// The tills across shops whose TSE certificate ends within 180 days or whose site's report to
/// the tax office is due, the most urgent first.
pub fn compliance(store: &mut Store) -> Result<Vec<DeskCompliance>, SyncError> {
    with_token(store, |_, client, token| {
        client.get(token, "/desk/compliance", &[])
    })
}

/// A ticket the agent opens, with its shop beside it: its history is kept here from now on,
/// so it reads, and takes replies and notes, offline too.
pub fn open_ticket(store: &mut Store, id: Uuid) -> Result<DeskTicketInContext, SyncError> {
    let opened: DeskTicketInContext = with_token(store, |_, client, token| {
        client.get(token, &format!("/desk/tickets/{id}"), &[])
    })?;
    store.keep_opened(id, &opened.history)?;
    Ok(opened)
}

/// A ticket the desk answers from a list without opening it (a callback) is kept here first,
/// with its history, so what is written on it has its ticket to go with; one held already is
/// left as it is (offline too).
pub fn hold(store: &mut Store, id: &str) -> Result<(), SyncError> {
    let Err(not_here) = store.ticket(id) else {
        return Ok(());
    };
    match Uuid::parse_str(id.trim()) {
        Ok(id) => open_ticket(store, id).map(drop),
        // A number, say: only ids are asked of the server.
        Err(_) => Err(not_here.into()),
    }
}

/// The desk's half of a sync: what changed on the tickets opened here, and the emergencies
/// that came in since the last time (each alerted once).
pub(super) fn follow_all(
    store: &mut Store,
    client: &Client,
    token: &Token,
) -> Result<Applied, SyncError> {
    let from = store
        .enrolment()?
        .ok_or(SyncError::NotEnrolled)?
        .pull_cursor;
    let followed = store.followed_tickets()?;
    let answer: DeskChanges = client.send(
        token,
        reqwest::Method::POST,
        "/desk/followed",
        &DeskFollowed {
            tickets: followed.clone(),
        },
    )?;
    if answer.cursor < from {
        return Err(SyncError::Garbage(format!(
            "the server's cursor went back from {from} to {}",
            answer.cursor
        )));
    }
    // The emergencies first and the cursor last: a sync running beside this one sees the
    // cursor still at the start (and so summarises too) or the emergencies told already.
    let waiting: DeskPage = client.get(
        token,
        "/desk/tickets",
        &[
            ("priority", "emergency".to_owned()),
            ("state", "new".to_owned()),
            ("limit", "200".to_owned()),
        ],
    )?;
    let ids: Vec<Uuid> = waiting.tickets.iter().map(|ticket| ticket.id).collect();
    let new = store.newly_alerted("emergency", &ids)?;
    let mut applied = store.apply_followed(&answer.changes, &followed, answer.cursor)?;
    applied.catching_up = from == 0;
    applied.moved_on = answer.cursor > from;
    applied.emergencies = waiting
        .tickets
        .into_iter()
        .filter(|ticket| new.contains(&ticket.id))
        .map(|ticket| ArrivedEmergency {
            id: ticket.id,
            number: ticket.number,
            title: ticket.title,
        })
        .collect();
    Ok(applied)
}

/// A shop's tills, contracts, named admins and open tickets; the tills' records are kept here,
/// for a call to be logged against one or support to connect to it.
pub fn shop(store: &mut Store, id: Uuid) -> Result<DeskShop, SyncError> {
    let shop: DeskShop = with_token(store, |_, client, token| {
        client.get(token, &format!("/desk/shops/{id}"), &[])
    })?;
    store.keep_records(&shop.station_records)?;
    Ok(shop)
}

/// Every shop, for the desk to file a ticket for one.
pub fn shops(store: &mut Store) -> Result<Vec<Shop>, SyncError> {
    with_token(store, |_, client, token| client.get(token, "/shops", &[]))
}

/// An SLA clock about to run out (or run out already) on a ticket of the signed-in agent's or
/// nobody's yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueSoon {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub shop_name: String,
    /// `first_response` or `resolution`.
    pub clock: &'static str,
    pub due: DateTime<Utc>,
    pub assignee_name: Option<String>,
}

/// The SLA clocks of the agent's own tickets and the unassigned ones that run out within the
/// installation's warning time, each told once per clock (`all`: every one, told or not). Read
/// from the first page of each (the queue's order puts the oldest, so the first due, first).
pub fn due_soon(
    store: &mut Store,
    now: DateTime<Utc>,
    all: bool,
) -> Result<Vec<DueSoon>, SyncError> {
    let warning = store.sla_warning()?;
    let mut soon = Vec::new();
    for assignee in [AssignedTo::Me, AssignedTo::Nobody] {
        let page = queue(
            store,
            &QueueFilter {
                assignee: Some(assignee),
                limit: Some(200),
                ..QueueFilter::default()
            },
        )?;
        soon.extend(page.tickets.into_iter().filter_map(|ticket| {
            let (clock, due) = running_clock(&ticket)?;
            (due - now <= warning).then_some(DueSoon {
                id: ticket.id,
                number: ticket.number,
                title: ticket.title,
                shop_name: ticket.shop_name,
                clock,
                due,
                assignee_name: ticket.assignee_name,
            })
        }));
    }
    soon.sort_by_key(|due| due.due);
    if all {
        return Ok(soon);
    }
    let mut told = Vec::new();
    for clock in ["first_response", "resolution"] {
        let of_clock: Vec<Uuid> = soon
            .iter()
            .filter(|d| d.clock == clock)
            .map(|d| d.id)
            .collect();
        told.extend(
            store
                .newly_alerted(clock, &of_clock)?
                .into_iter()
                .map(|id| (id, clock)),
        );
    }
    soon.retain(|due| told.contains(&(due.id, due.clock)));
    Ok(soon)
}

/// The clock a ticket runs against now: its first response until it has one, then its
/// resolution; none while the customer has the ball.
fn running_clock(ticket: &DeskTicket) -> Option<(&'static str, DateTime<Utc>)> {
    match (&ticket.first_response, &ticket.resolution) {
        (first, _) if first.responded_at.is_none() => Some(("first_response", first.due?)),
        (_, resolution) if resolution.resolved_at.is_none() => {
            Some(("resolution", resolution.due?))
        }
        _ => None,
    }
}

/// The vendor's monthly report per shop; `month` like `2026-11`, the running month when none.
pub fn report(store: &mut Store, month: Option<&str>) -> Result<DeskReport, SyncError> {
    let query = month_query(month)?;
    with_token(store, |_, client, token| {
        client.get(token, "/desk/report", &query)
    })
}

/// The monthly report as CSV, one row per shop; `month` like `2026-11`.
pub fn report_csv(store: &mut Store, month: &str) -> Result<Vec<u8>, SyncError> {
    let month = parse_month(month)
        .map_err(StoreError::from)?
        .format("%Y-%m")
        .to_string();
    with_token(store, |_, client, token| {
        client.download(token, &format!("/desk/report.csv?month={month}"))
    })
}

/// The monthly report as CSV, saved whole into `dir`; answers the path.
pub fn save_report(store: &mut Store, month: &str, dir: &Path) -> Result<PathBuf, SyncError> {
    let csv = report_csv(store, month)?;
    save_whole(
        dir,
        &format!("stationdesk-report-{}.csv", month.trim()),
        &csv,
    )
}

fn month_query(month: Option<&str>) -> Result<Vec<(&'static str, String)>, SyncError> {
    Ok(month
        .map(parse_month)
        .transpose()
        .map_err(StoreError::from)?
        .map(|first| ("month", first.format("%Y-%m").to_string()))
        .into_iter()
        .collect())
}
