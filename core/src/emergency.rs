//! The emergency button, the same code path for the till's window and `stationdesk-cli
//! emergency`: first the ticket is saved (one local transaction, no network), then the screen
//! learns whom to call and whether support is open.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::contracts::covering_contract;
use crate::domain::routing::{route, Routing};
use crate::domain::stations::Station;
use crate::domain::support_hours::{SupportCalendar, SupportStatus};
use crate::domain::tickets::{NumberedTicket, Ticket, TicketState};
use crate::store::{CallbackAnswered, Consent, Store, StoreError, TicketQuery, TicketView};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmergencyOutcome {
    pub ticket: Ticket,
    pub number: String,
    /// The press added to the station's open emergency ticket instead of filing a new one.
    pub joined_open_ticket: bool,
    #[serde(flatten)]
    pub routing: Routing,
    pub support: SupportStatus,
}

pub fn press(
    store: &mut Store,
    calendar: &SupportCalendar,
    station: &str,
    now: DateTime<Utc>,
) -> Result<EmergencyOutcome, StoreError> {
    // Saved before anything else can fail: whatever follows, the ticket exists.
    let pressed = store.press_emergency(station, now)?;
    Ok(EmergencyOutcome {
        routing: routing_for(store, station, now)?,
        support: calendar.status_at(now),
        number: pressed.number,
        joined_open_ticket: pressed.joined_open_ticket,
        ticket: pressed.ticket,
    })
}

/// Whom the cashier at `station` turns to, by the contract covering it on the shop's date.
pub fn routing_for(
    store: &Store,
    station: &str,
    now: DateTime<Utc>,
) -> Result<Routing, StoreError> {
    let station = store.station(station)?;
    let today = now.with_timezone(&store.time_zone()?).date_naive();
    let contracts = store.contracts()?;
    let covering =
        covering_contract(&contracts, station.id, today).map(|c| c.plan.plan.who_may_call);
    Ok(route(covering, &store.till_contacts()?))
}

/// What the till shows before anyone presses: whom to call, whether support is open, and the
/// station's tickets still being worked on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillOverview {
    pub station: Station,
    #[serde(flatten)]
    pub routing: Routing,
    pub support: SupportStatus,
    pub open_tickets: Vec<NumberedTicket>,
    /// Support called the number the till left: what came of it, newest first.
    pub callbacks_answered: Vec<CallbackAnswered>,
    /// The cashier's "allow remote help" while it is in force: the till shows its banner.
    pub remote_help: Option<Consent>,
}

pub fn till_overview(
    store: &Store,
    calendar: &SupportCalendar,
    station: &str,
    now: DateTime<Utc>,
) -> Result<TillOverview, StoreError> {
    let mut query = TicketQuery::new(TicketView::Station(station.to_owned()));
    query.states = vec![
        TicketState::New,
        TicketState::Open,
        TicketState::WaitingForCustomer,
    ];
    query.limit = 20;
    Ok(TillOverview {
        station: store.station(station)?,
        routing: routing_for(store, station, now)?,
        support: calendar.status_at(now),
        open_tickets: store
            .tickets(&query)?
            .into_iter()
            .map(NumberedTicket::from)
            .collect(),
        callbacks_answered: store.callbacks_answered(station)?,
        remote_help: store.remote_help_in_force(station)?,
    })
}
