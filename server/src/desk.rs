//! The support desk's queue: which tickets an agent asked for, in which order, a page at a time.
//!
//! Emergencies come first, then high, then normal priority; within each, the ticket waiting
//! longest first. Pages are cut by a keyset cursor (the last ticket's urgency, filing time and
//! id), not an offset, so tickets filed while an agent pages on never shift a page or repeat a
//! ticket, and a late page costs what the first does.

use chrono::{DateTime, SecondsFormat, Utc};
use stationdesk_core::domain::tickets::{Channel, Priority, TicketState};
use uuid::Uuid;

use crate::error::ApiError;

/// How many tickets a page holds unless the desk asks for another number.
pub const DEFAULT_PAGE: usize = 50;
/// The most a page holds: a screen's worth many times over.
pub const MAX_PAGE: usize = 200;
/// The longest search text taken: a phrase, not a document.
pub const MAX_SEARCH: usize = 200;

/// The queue as the desk asked for it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskQuery {
    /// Never empty: the active states when the desk named none.
    pub states: Vec<TicketState>,
    pub priority: Option<Priority>,
    pub shop: Option<Uuid>,
    pub station: Option<Uuid>,
    pub channel: Option<Channel>,
    /// Words the title must contain, as typed (trimmed).
    pub text: Option<String>,
    pub limit: usize,
    pub after: Option<DeskCursor>,
}

/// Where a page ends: the position of its last ticket in the queue's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskCursor {
    pub urgency: u8,
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl DeskCursor {
    pub fn encode(&self) -> String {
        format!(
            "{}_{}_{}",
            self.urgency,
            self.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.id
        )
    }

    fn decode(text: &str) -> Option<DeskCursor> {
        let mut parts = text.splitn(3, '_');
        let urgency = parts.next()?.parse().ok().filter(|u| *u <= 2)?;
        let created_at = DateTime::parse_from_rfc3339(parts.next()?).ok()?.to_utc();
        let id = Uuid::parse_str(parts.next()?).ok()?;
        Some(DeskCursor {
            urgency,
            created_at,
            id,
        })
    }
}

/// The query parameters as they came, each still untrusted.
#[derive(Debug, Default)]
pub struct RawDeskQuery<'a> {
    pub state: Option<&'a str>,
    pub priority: Option<&'a str>,
    pub shop: Option<Uuid>,
    pub station: Option<Uuid>,
    pub channel: Option<&'a str>,
    pub text: Option<&'a str>,
    pub limit: Option<usize>,
    pub cursor: Option<&'a str>,
}

impl DeskQuery {
    /// Checks what the desk asked for; anything this server would not understand is refused
    /// with what to send instead.
    pub fn parse(raw: RawDeskQuery<'_>) -> Result<DeskQuery, ApiError> {
        let states = match raw.state.map(str::trim).filter(|s| !s.is_empty()) {
            None => vec![
                TicketState::New,
                TicketState::Open,
                TicketState::WaitingForCustomer,
            ],
            Some(list) => list
                .split(',')
                .map(|state| {
                    wire(
                        state.trim(),
                        "state",
                        "new, open, waiting_for_customer, resolved or closed",
                    )
                })
                .collect::<Result<_, _>>()?,
        };
        let limit = raw.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "limit must be between 1 and {MAX_PAGE}"
            )));
        }
        let text = raw.text.map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > MAX_SEARCH || t.chars().any(char::is_control)) {
            return Err(ApiError::BadRequest(format!(
                "the search (q) is at most {MAX_SEARCH} characters on one line"
            )));
        }
        let after = raw
            .cursor
            .map(|cursor| {
                DeskCursor::decode(cursor).ok_or_else(|| {
                    ApiError::BadRequest(
                        "the cursor is not one this server handed out; ask for the first page again without it".into(),
                    )
                })
            })
            .transpose()?;
        Ok(DeskQuery {
            states,
            priority: raw
                .priority
                .map(|p| wire(p, "priority", "emergency, high or normal"))
                .transpose()?,
            shop: raw.shop,
            station: raw.station,
            channel: raw
                .channel
                .map(|c| wire(c, "channel", "emergency_button, form, phone or email"))
                .transpose()?,
            text: text.map(str::to_owned),
            limit,
            after,
        })
    }
}

fn wire<T: std::str::FromStr>(text: &str, name: &str, known: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("{name} {text:?} is not one of {known}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_states_are_asked_for_unless_the_desk_names_others() {
        let query = DeskQuery::parse(RawDeskQuery::default()).unwrap();
        assert_eq!(
            query.states,
            [
                TicketState::New,
                TicketState::Open,
                TicketState::WaitingForCustomer
            ]
        );
        assert_eq!(query.limit, DEFAULT_PAGE);
        let resolved = DeskQuery::parse(RawDeskQuery {
            state: Some("resolved, closed"),
            ..RawDeskQuery::default()
        })
        .unwrap();
        assert_eq!(
            resolved.states,
            [TicketState::Resolved, TicketState::Closed]
        );
    }

    #[test]
    fn a_cursor_reads_back_as_it_was_handed_out() {
        let cursor = DeskCursor {
            urgency: 1,
            created_at: "2026-12-02T09:15:00.123Z".parse().unwrap(),
            id: Uuid::now_v7(),
        };
        let query = DeskQuery::parse(RawDeskQuery {
            cursor: Some(&cursor.encode()),
            ..RawDeskQuery::default()
        })
        .unwrap();
        assert_eq!(query.after, Some(cursor));
    }

    #[test]
    fn what_the_server_would_not_understand_is_refused_with_what_to_send() {
        let refused = |raw: RawDeskQuery<'_>| match DeskQuery::parse(raw) {
            Err(ApiError::BadRequest(message)) => message,
            other => panic!("not refused: {other:?}"),
        };
        assert!(refused(RawDeskQuery {
            state: Some("open,lost"),
            ..Default::default()
        })
        .contains("waiting_for_customer"));
        assert!(refused(RawDeskQuery {
            priority: Some("urgent"),
            ..Default::default()
        })
        .contains("emergency"));
        assert!(refused(RawDeskQuery {
            limit: Some(0),
            ..Default::default()
        })
        .contains("200"));
        assert!(refused(RawDeskQuery {
            limit: Some(10_000),
            ..Default::default()
        })
        .contains("200"));
        let long = "x".repeat(MAX_SEARCH + 1);
        assert!(refused(RawDeskQuery {
            text: Some(&long),
            ..Default::default()
        })
        .contains("q"));
        assert!(refused(RawDeskQuery {
            text: Some("a\nb"),
            ..Default::default()
        })
        .contains("one line"));
        for cursor in [
            "",
            "3_2026-12-02T09:15:00.000Z_00000000-0000-0000-0000-000000000000",
            "1_yesterday_x",
            "'; DROP TABLE tickets; --",
        ] {
            assert!(
                refused(RawDeskQuery {
                    cursor: Some(cursor),
                    ..Default::default()
                })
                .contains("first page"),
                "{cursor}"
            );
        }
    }
}
