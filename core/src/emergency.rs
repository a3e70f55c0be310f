//! The emergency button, the same code path for the till's window and `stationdesk-cli
//! emergency`: first the ticket is saved (one local transaction, no network), then the screen
//! learns whom to call and whether support is open.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::contracts::covering_contract;
use crate::domain::routing::{route, Routing};
use crate::domain::support_hours::{SupportCalendar, SupportStatus};
use crate::domain::tickets::Ticket;
use crate::store::{Store, StoreError};

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
    let today = now.with_timezone(&store.time_zone()?).date_naive();
    let contracts = store.contracts()?;
    let covering = pressed
        .ticket
        .station_id
        .and_then(|id| covering_contract(&contracts, id, today))
        .map(|contract| contract.plan.plan.who_may_call);
    Ok(EmergencyOutcome {
        routing: route(covering, &store.shop_contacts()?),
        support: calendar.status_at(now),
        number: pressed.number,
        joined_open_ticket: pressed.joined_open_ticket,
        ticket: pressed.ticket,
    })
}
