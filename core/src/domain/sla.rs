//! The first-response SLA of a ticket: support answers within so much OPEN time of the desk,
//! by priority; the clock stops while the ticket waits for the customer.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::support_hours::SupportCalendar;
use super::tickets::{Priority, TicketState};

/// Open time support has for a first response.
pub fn first_response_budget(priority: Priority) -> Duration {
    match priority {
        Priority::Emergency => Duration::hours(1),
        Priority::High => Duration::hours(4),
        // One working day of the default calendar.
        Priority::Normal => Duration::hours(9),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    pub at: DateTime<Utc>,
    pub to: TicketState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaClock {
    /// `None` when the calendar has no open time within the next years.
    pub due: Option<DateTime<Utc>>,
    /// When the ticket first left "new".
    pub responded_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

pub fn first_response(
    calendar: &SupportCalendar,
    priority: Priority,
    created_at: DateTime<Utc>,
    changes: &[StateChange],
    now: DateTime<Utc>,
) -> SlaClock {
    let responded_at = changes
        .iter()
        .find(|c| c.to != TicketState::New)
        .map(|c| c.at);
    let mut paused = Vec::new();
    let mut waiting_since = None;
    for change in changes {
        match (waiting_since, change.to) {
            (None, TicketState::WaitingForCustomer) => waiting_since = Some(change.at),
            (Some(since), to) if to != TicketState::WaitingForCustomer => {
                paused.push((since, change.at));
                waiting_since = None;
            }
            _ => {}
        }
    }
    // While the customer has the ball the clock stands still, so there is no due time to look
    // for (searching would walk years of calendar days for nothing).
    let due = match waiting_since {
        Some(_) => None,
        None => calendar.sla_due(created_at, first_response_budget(priority), &paused),
    };
    SlaClock {
        due,
        responded_at,
        overdue: due.is_some_and(|due| responded_at.unwrap_or(now) > due),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn an_emergency_on_friday_evening_is_due_monday_morning() {
        let calendar = SupportCalendar::default();
        let clock = first_response(
            &calendar,
            Priority::Emergency,
            utc("2026-11-27T16:30:00Z"),
            &[],
            utc("2026-11-28T12:00:00Z"),
        );
        // Half an hour on Friday (17:30-18:00 CET), half an hour on Monday.
        assert_eq!(clock.due, Some(utc("2026-11-30T08:30:00Z")));
        assert!(!clock.overdue && clock.responded_at.is_none());
        let late = first_response(
            &calendar,
            Priority::Emergency,
            utc("2026-11-27T16:30:00Z"),
            &[],
            utc("2026-11-30T09:00:00Z"),
        );
        assert!(late.overdue);
    }

    #[test]
    fn waiting_for_the_customer_stops_the_clock() {
        let calendar = SupportCalendar::default();
        let created = utc("2026-11-23T08:00:00Z"); // Monday 09:00 CET
        let changes = [
            StateChange {
                at: utc("2026-11-23T08:30:00Z"),
                to: TicketState::WaitingForCustomer,
            },
            StateChange {
                at: utc("2026-11-23T10:30:00Z"),
                to: TicketState::Open,
            },
        ];
        let clock = first_response(
            &calendar,
            Priority::High,
            created,
            &changes,
            utc("2026-11-23T11:00:00Z"),
        );
        assert_eq!(clock.responded_at, Some(utc("2026-11-23T08:30:00Z")));
        // Four open hours, two of them paused: due at 15:00 CET instead of 13:00.
        assert_eq!(clock.due, Some(utc("2026-11-23T14:00:00Z")));
        assert!(!clock.overdue, "answered within half an hour");
        let still_waiting = first_response(
            &calendar,
            Priority::High,
            created,
            &changes[..1],
            utc("2026-11-23T11:00:00Z"),
        );
        assert_eq!(
            still_waiting.due, None,
            "the clock does not run while the customer has the ball"
        );
    }
}
