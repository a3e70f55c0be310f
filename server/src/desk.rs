//! The support desk's queue: which tickets an agent asked for, in which order, a page at a time.
//!
//! Emergencies come first, then high, then normal priority; within each, the ticket waiting
//! longest first. Pages are cut by a keyset cursor (the last ticket's urgency, filing time and
//! id), not an offset, so tickets filed while an agent pages on never shift a page or repeat a
//! ticket, and a late page costs what the first does. What may be asked is the domain's
//! [`QueueFilter`]; this reads one from the query string and checks it.

use chrono::{DateTime, SecondsFormat, Utc};
use stationdesk_core::domain::desk_queue::QueueFilter;
use stationdesk_protocol::DeskReport;
use uuid::Uuid;

use crate::error::ApiError;

/// The queue as the desk asked for it, checked: in `filter` every state is named and the
/// search trimmed (none when blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskQuery {
    pub filter: QueueFilter,
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
    pub assignee: Option<&'a str>,
    pub text: Option<&'a str>,
    pub limit: Option<usize>,
    pub cursor: Option<&'a str>,
}

impl DeskQuery {
    /// Checks what the desk asked for; anything this server would not understand is refused
    /// with what to send instead.
    pub fn parse(raw: RawDeskQuery<'_>) -> Result<DeskQuery, ApiError> {
        let filter = QueueFilter {
            states: raw
                .state
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|list| list.split(',').map(|s| wire(s.trim())).collect())
                .transpose()?
                .unwrap_or_default(),
            priority: raw.priority.map(wire).transpose()?,
            shop: raw.shop,
            station: raw.station,
            channel: raw.channel.map(wire).transpose()?,
            assignee: raw.assignee.map(wire).transpose()?,
            text: raw.text.map(str::to_owned),
            limit: raw.limit,
            cursor: raw.cursor.map(str::to_owned),
        };
        let after = filter
            .cursor
            .as_deref()
            .map(|cursor| {
                DeskCursor::decode(cursor).ok_or_else(|| {
                    ApiError::BadRequest(
                        "the cursor is not one this server handed out; ask for the first page again without it".into(),
                    )
                })
            })
            .transpose()?;
        let limit = filter.page_size().map_err(refused)?;
        Ok(DeskQuery {
            filter: QueueFilter {
                states: filter.states(),
                text: filter.search().map_err(refused)?.map(str::to_owned),
                ..filter
            },
            limit,
            after,
        })
    }
}

fn wire<T: std::str::FromStr<Err = stationdesk_core::domain::DomainError>>(
    text: &str,
) -> Result<T, ApiError> {
    text.parse().map_err(refused)
}

fn refused(error: stationdesk_core::domain::DomainError) -> ApiError {
    ApiError::BadRequest(error.to_string())
}

/// The monthly report as a spreadsheet reads it: one row per shop, shares in percent with a
/// decimal point, empty where nothing was decided yet.
pub fn report_csv(report: &DeskReport) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "month",
        "shop_id",
        "shop",
        "tickets_opened",
        "emergencies",
        "first_response_met_percent",
        "resolution_met_percent",
        "median_first_response_minutes",
        "stations_under_contract",
    ])
    .expect("writing to memory");
    let or_empty = |value: Option<String>| value.unwrap_or_default();
    for shop in &report.shops {
        out.write_record([
            report.month.clone(),
            shop.shop_id.to_string(),
            shop.shop_name.clone(),
            shop.tickets_opened.to_string(),
            shop.emergencies.to_string(),
            or_empty(shop.first_response_met_percent.map(|p| p.to_string())),
            or_empty(shop.resolution_met_percent.map(|p| p.to_string())),
            or_empty(shop.median_first_response_minutes.map(|m| m.to_string())),
            shop.stations_under_contract.to_string(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;

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
