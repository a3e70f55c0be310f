//! The protocol's change vocabulary with this crate's records: what the outbox writes, what
//! the server checks and keeps, and what a pull merges. Also how a change written by an older
//! version (an untyped `entity`/`kind`/`payload` triple) is read into the vocabulary, so an
//! installation or a server that updates loses nothing it had.

use serde_json::Value;
use stationdesk_protocol::{ContractOrder, Record, Records};
use uuid::Uuid;

use crate::domain::contracts::Contract;
use crate::domain::stations::Station;
use crate::domain::tickets::Ticket;
use crate::store::{Attachment, Comment, Consent, Quote, RemoteSession, TicketEvent};

/// The records of stationdesk's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain;

impl Records for Domain {
    type Ticket = Ticket;
    type TicketEvent = TicketEvent;
    type Comment = Comment;
    type Attachment = Attachment;
    type Quote = Quote;
    type Station = Station;
    type Contract = Contract;
    type RemoteSession = RemoteSession;
    type Consent = Consent;
}

pub type Change = stationdesk_protocol::Change<Domain>;
pub type ChangeBody = stationdesk_protocol::ChangeBody<Domain>;

macro_rules! records_with_id {
    ($($record:ty),+) => {
        $(impl Record for $record {
            fn id(&self) -> Uuid {
                self.id
            }
        })+
    };
}
records_with_id!(
    Ticket,
    TicketEvent,
    Comment,
    Attachment,
    Quote,
    Station,
    Contract,
    RemoteSession,
    Consent
);

/// Whose a legacy change is: a change still waiting in an outbox is what its client asked for;
/// one in the server's history is what the server accepted then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyOf {
    Outbox,
    History,
}

/// A change as versions before the typed vocabulary wrote it, read into the vocabulary. The
/// reason in the error says what could not be read.
pub fn upgrade_legacy(
    entity: &str,
    entity_id: Uuid,
    kind: &str,
    payload: &str,
    of: LegacyOf,
) -> Result<ChangeBody, String> {
    fn record<T: serde::de::DeserializeOwned>(payload: &str, what: &str) -> Result<T, String> {
        serde_json::from_str(payload).map_err(|e| format!("not a readable {what}: {e}"))
    }
    let ticket_id = entity_id;
    Ok(match (entity, kind) {
        ("ticket", _) => ChangeBody::TicketFiled {
            ticket: record(payload, "ticket")?,
        },
        ("ticket_event", _) => ChangeBody::TicketEvent {
            ticket_id,
            event: record(payload, "ticket event")?,
        },
        ("ticket_comment", _) => ChangeBody::CommentAdded {
            ticket_id,
            comment: record(payload, "comment")?,
        },
        ("ticket_attachment", _) => ChangeBody::AttachmentAdded {
            ticket_id,
            attachment: record(payload, "attachment")?,
        },
        ("ticket_quote", "offered") => ChangeBody::QuoteOffered {
            ticket_id,
            quote: record(payload, "quote")?,
        },
        ("ticket_quote", _) => ChangeBody::QuoteDecided {
            ticket_id,
            quote: record(payload, "quote")?,
        },
        ("station", _) => ChangeBody::StationRecorded {
            station: record(payload, "station")?,
        },
        ("contract", "notice_given") if of == LegacyOf::Outbox => ChangeBody::ContractNoticeGiven {
            contract_id: record::<Contract>(payload, "contract")?.id,
        },
        ("contract", _) => {
            let contract: Contract = record(payload, "contract")?;
            match of {
                LegacyOf::Outbox => ChangeBody::ContractOrdered {
                    order: ContractOrder {
                        contract_id: contract.id,
                        plan_id: contract.plan.plan.id.0.clone(),
                        start: contract.start,
                        station_ids: contract.station_ids,
                    },
                },
                LegacyOf::History => ChangeBody::ContractConfirmed { contract },
            }
        }
        ("remote_session", _) => ChangeBody::RemoteSessionRecorded {
            session: record(payload, "remote session")?,
        },
        ("remote_consent", _) => ChangeBody::ConsentRecorded {
            consent: record(payload, "consent")?,
        },
        (entity, kind) => return Err(format!("no change {entity:?} {kind:?} exists")),
    })
}

/// One row an earlier version kept (ids and time as text), read into a whole change.
pub struct LegacyRow<'a> {
    pub change_id: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub created_at: &'a str,
}

impl LegacyRow<'_> {
    pub fn upgrade(&self, of: LegacyOf) -> Result<Change, String> {
        let entity_id = Uuid::parse_str(self.entity_id).map_err(|e| e.to_string())?;
        Ok(Change {
            change_id: Uuid::parse_str(self.change_id).map_err(|e| e.to_string())?,
            created_at: self.created_at.parse().map_err(|e| format!("{e}"))?,
            body: upgrade_legacy(self.entity, entity_id, self.kind, self.payload, of)?,
        })
    }
}

/// A pulled change read on its own: one this version cannot read is set aside with the reason,
/// and the rest of its page goes on.
pub fn read_pulled(change: &str) -> Result<Change, String> {
    serde_json::from_str(change).map_err(|e| match serde_json::from_str::<Value>(change) {
        // serde says so when the `type` is none of the vocabulary's.
        Ok(value) if e.to_string().starts_with("unknown variant") => format!(
            "a change of a kind this version does not know (\"{}\"); update stationdesk to see it",
            value["type"].as_str().unwrap_or_default()
        ),
        Ok(value) => format!(
            "a \"{}\" change this version cannot read ({e}); update stationdesk, or ask the vendor if it stays",
            value["type"].as_str().unwrap_or("malformed")
        ),
        Err(_) => format!("the server sent something that is not JSON ({e})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tickets::{Category, Channel, Priority, TicketState};
    use chrono::Utc;

    fn ticket() -> Ticket {
        Ticket {
            id: Uuid::now_v7(),
            station_id: None,
            reporter: "Kasse 1".into(),
            title: "Bondrucker druckt nicht".into(),
            category: Category::Fault,
            priority: Priority::Emergency,
            channel: Channel::EmergencyButton,
            state: TicketState::New,
            request: Default::default(),
            station_details: Default::default(),
            cc: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_change_reads_back_as_written_with_its_type_and_parent_named() {
        let ticket = ticket();
        let comment = Comment {
            id: Uuid::now_v7(),
            author: "Sam".into(),
            body: "Bitte neu starten".into(),
            created_at: Utc::now(),
        };
        for body in [
            ChangeBody::TicketFiled {
                ticket: ticket.clone(),
            },
            ChangeBody::CommentAdded {
                ticket_id: ticket.id,
                comment: comment.clone(),
            },
        ] {
            let change = Change {
                change_id: Uuid::now_v7(),
                created_at: Utc::now(),
                body,
            };
            let json = serde_json::to_value(&change).unwrap();
            assert_eq!(json["type"], change.body.kind());
            assert_eq!(read_pulled(&json.to_string()).unwrap(), change);
        }
        let json = serde_json::to_value(ChangeBody::CommentAdded {
            ticket_id: ticket.id,
            comment: comment.clone(),
        })
        .unwrap();
        assert_eq!(json["ticket_id"], ticket.id.to_string());
        assert_eq!(json["comment"]["id"], comment.id.to_string());
    }

    #[test]
    fn what_cannot_be_read_says_what_it_was() {
        let unknown = r#"{"change_id":"0190a000-0000-7000-8000-000000000000","created_at":"2026-12-01T10:00:00Z","type":"invoice_issued"}"#;
        let reason = read_pulled(unknown).unwrap_err();
        assert_eq!(
            reason,
            "a change of a kind this version does not know (\"invoice_issued\"); update stationdesk to see it"
        );
        let broken = r#"{"change_id":"0190a000-0000-7000-8000-000000000000","created_at":"2026-12-01T10:00:00Z","type":"comment_added"}"#;
        let reason = read_pulled(broken).unwrap_err();
        assert!(
            reason.contains("\"comment_added\" change") && reason.contains("ticket_id"),
            "{reason}"
        );
        assert!(read_pulled("[1,2").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn legacy_changes_upgrade_to_the_vocabulary() {
        let ticket = ticket();
        let payload = serde_json::to_string(&ticket).unwrap();
        assert_eq!(
            upgrade_legacy("ticket", ticket.id, "created", &payload, LegacyOf::Outbox).unwrap(),
            ChangeBody::TicketFiled { ticket }
        );
        let reason = upgrade_legacy(
            "ticket",
            Uuid::now_v7(),
            "created",
            r#"{"not":"a ticket"}"#,
            LegacyOf::History,
        )
        .unwrap_err();
        assert!(reason.contains("not a readable ticket"), "{reason}");
        assert!(upgrade_legacy("invoice", Uuid::now_v7(), "x", "{}", LegacyOf::Outbox).is_err());
    }
}
