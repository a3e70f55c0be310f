//! The SLA clocks of a ticket: support answers (first response) and resolves it within so much
//! OPEN time of the desk, by priority; the clocks stop while the ticket waits for the customer.

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

/// Open time support has to resolve a ticket: a till that cannot sell within half a working
/// day, anything else within two and five working days of the default calendar.
pub fn resolution_budget(priority: Priority) -> Duration {
    match priority {
        Priority::Emergency => Duration::hours(4),
        Priority::High => Duration::hours(18),
        Priority::Normal => Duration::hours(45),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    pub at: DateTime<Utc>,
    pub to: TicketState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaClock {
    /// `None` while the customer has the ball, or when the calendar has no open time within
    /// the next years.
    pub due: Option<DateTime<Utc>>,
    /// When the target was met: the first response, or the resolution.
    pub met_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// The first response is when the ticket first left "new".
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
    clock(
        calendar,
        first_response_budget(priority),
        created_at,
        changes,
        responded_at,
        now,
    )
}

/// A ticket is resolved when it became resolved or closed and stayed so; reopened, its clock
/// runs on from where it stood.
pub fn resolution(
    calendar: &SupportCalendar,
    priority: Priority,
    created_at: DateTime<Utc>,
    changes: &[StateChange],
    now: DateTime<Utc>,
) -> SlaClock {
    let mut resolved_at = None;
    for change in changes {
        let done = matches!(change.to, TicketState::Resolved | TicketState::Closed);
        resolved_at = match (done, resolved_at) {
            (true, None) => Some(change.at),
            (true, kept) => kept,
            (false, _) => None,
        };
    }
    clock(
        calendar,
        resolution_budget(priority),
        created_at,
        changes,
        resolved_at,
        now,
    )
}

fn clock(
    calendar: &SupportCalendar,
    budget: Duration,
    created_at: DateTime<Utc>,
    changes: &[StateChange],
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SlaClock {
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
        None => calendar.sla_due(created_at, budget, &paused),
    };
    SlaClock {
        due,
        met_at,
        overdue: due.is_some_and(|due| met_at.unwrap_or(now) > due),
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
        assert!(!clock.overdue && clock.met_at.is_none());
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
        assert_eq!(clock.met_at, Some(utc("2026-11-23T08:30:00Z")));
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

    #[test]
    fn a_resolution_counts_until_the_ticket_stays_resolved() {
        let calendar = SupportCalendar::default();
        let created = utc("2026-11-23T08:00:00Z"); // Monday 09:00 CET
        let mut changes = vec![
            StateChange {
                at: utc("2026-11-23T09:00:00Z"),
                to: TicketState::Open,
            },
            StateChange {
                at: utc("2026-11-23T10:00:00Z"),
                to: TicketState::Resolved,
            },
        ];
        let now = utc("2026-11-26T12:00:00Z");
        let resolved = resolution(&calendar, Priority::Emergency, created, &changes, now);
        // Four open hours from 09:00 CET.
        assert_eq!(resolved.due, Some(utc("2026-11-23T12:00:00Z")));
        assert_eq!(resolved.met_at, Some(utc("2026-11-23T10:00:00Z")));
        assert!(!resolved.overdue);
        // Reopened: not resolved any more, and late by now; closed later, it is late.
        changes.push(StateChange {
            at: utc("2026-11-23T11:00:00Z"),
            to: TicketState::Open,
        });
        let reopened = resolution(&calendar, Priority::Emergency, created, &changes, now);
        assert_eq!((reopened.met_at, reopened.overdue), (None, true));
        changes.push(StateChange {
            at: utc("2026-11-23T13:00:00Z"),
            to: TicketState::Closed,
        });
        let closed = resolution(&calendar, Priority::Emergency, created, &changes, now);
        assert_eq!(closed.met_at, Some(utc("2026-11-23T13:00:00Z")));
        assert!(closed.overdue);
    }

    proptest::proptest! {
        /// Whatever the ticket went through, resolving is never due before the first response,
        /// and a clock met before it was due is never late.
        #[test]
        fn resolution_is_never_due_before_the_first_response(
            start in 0i64..(60 * 24 * 28),
            steps in proptest::collection::vec((1i64..(60 * 24 * 3), 0usize..5), 0..6),
            priority in 0usize..3,
        ) {
            let calendar = SupportCalendar::default();
            let created = utc("2026-11-02T00:00:00Z") + Duration::minutes(start);
            let mut at = created;
            let changes: Vec<StateChange> = steps.iter().map(|(minutes, state)| {
                at += Duration::minutes(*minutes);
                StateChange { at, to: TicketState::ALL[*state] }
            }).collect();
            let priority = [Priority::Emergency, Priority::High, Priority::Normal][priority];
            let now = at + Duration::hours(1);
            let first = first_response(&calendar, priority, created, &changes, now);
            let resolved = resolution(&calendar, priority, created, &changes, now);
            if let (Some(first), Some(resolved)) = (first.due, resolved.due) {
                proptest::prop_assert!(resolved >= first);
            }
            for clock in [first, resolved] {
                if let (Some(due), Some(met)) = (clock.due, clock.met_at) {
                    proptest::prop_assert_eq!(clock.overdue, met > due);
                }
            }
        }
    }
}
