//! Helpers of the server's own tests: well-formed changes of every kind (as JSON, so a test can
//! spoil one), and a proxy that misbehaves. The server process itself comes from the end-to-end
//! package's `TestServer`.

pub mod proxy;

use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::Value;
use stationdesk_core::domain::money::{Currency, Money};
use stationdesk_core::domain::stations::Station;
use stationdesk_core::domain::tickets::{Category, Channel, Priority, Ticket, TicketState};
use stationdesk_core::remote::RemoteTool;
use stationdesk_core::store::{
    Attachment, Comment, Consent, EventKind, Quote, RemoteSession, TicketEvent,
};
use stationdesk_core::wire::{Change, ChangeBody};
use stationdesk_protocol::ContractOrder;
use uuid::Uuid;

pub use stationdesk_e2e::server::{TestServer, PASSWORD};

/// A change of `body`, made now, as a client sends it.
pub fn change(body: ChangeBody) -> Value {
    serde_json::to_value(Change {
        change_id: Uuid::now_v7(),
        created_at: Utc::now(),
        body,
    })
    .unwrap()
}

pub fn ticket(id: Uuid, station: Option<Uuid>) -> Ticket {
    let now = Utc::now();
    Ticket {
        id,
        station_id: station,
        reporter: "Frau Korn".into(),
        title: "Bondrucker druckt nicht".into(),
        category: Category::Fault,
        priority: Priority::Emergency,
        channel: Channel::EmergencyButton,
        state: TicketState::New,
        request: Default::default(),
        station_details: Default::default(),
        cc: Vec::new(),
        created_at: now,
        updated_at: now,
    }
}

/// A new ticket `id` (for `station`, if given).
pub fn filed(id: Uuid, station: Option<Uuid>) -> Value {
    change(ChangeBody::TicketFiled {
        ticket: ticket(id, station),
    })
}

pub fn event(ticket_id: Uuid, kind: EventKind, to: Option<TicketState>) -> Value {
    change(ChangeBody::TicketEvent {
        ticket_id,
        event: TicketEvent {
            id: Uuid::now_v7(),
            at: Utc::now(),
            actor: "Kasse 1".into(),
            kind,
            from_state: None,
            to_state: to,
            note: String::new(),
            assignee: None,
        },
    })
}

/// A state change of the ticket to `to`.
pub fn moved(ticket_id: Uuid, to: TicketState) -> Value {
    event(ticket_id, EventKind::StateChanged, Some(to))
}

pub fn comment(ticket_id: Uuid) -> Value {
    change(ChangeBody::CommentAdded {
        ticket_id,
        comment: Comment {
            id: Uuid::now_v7(),
            author: "Frau Korn".into(),
            body: "Der Drucker blinkt rot.".into(),
            created_at: Utc::now(),
        },
    })
}

/// An internal note of the desk on the ticket.
pub fn internal_note(ticket_id: Uuid) -> Value {
    change(ChangeBody::InternalNoteAdded {
        ticket_id,
        note: Comment {
            id: Uuid::now_v7(),
            author: "Ben".into(),
            body: "Kunde ist Stammkunde, Kulanz".into(),
            created_at: Utc::now(),
        },
    })
}

pub fn attachment(ticket_id: Uuid) -> Value {
    change(ChangeBody::AttachmentAdded {
        ticket_id,
        attachment: Attachment {
            id: Uuid::now_v7(),
            sha256: "a".repeat(64),
            file_name: "log.txt".into(),
            content_type: "text/plain".into(),
            size: 12,
            added_by: "Frau Korn".into(),
            added_at: Utc::now(),
        },
    })
}

pub fn quote(id: Uuid) -> Quote {
    Quote {
        id,
        price: Money::new(Decimal::from(180), Currency::eur()),
        description: "Artikelstamm einpflegen".into(),
        offered_by: "Support".into(),
        offered_at: Utc::now(),
        decision: None,
        decided_by: None,
        decided_at: None,
    }
}

pub fn offered(ticket_id: Uuid, quote_id: Uuid) -> Value {
    change(ChangeBody::QuoteOffered {
        ticket_id,
        quote: quote(quote_id),
    })
}

pub fn decided(ticket_id: Uuid, quote_id: Uuid, decision: &str) -> Value {
    change(ChangeBody::QuoteDecided {
        ticket_id,
        quote: Quote {
            decision: Some(decision.into()),
            decided_by: Some("Chefin".into()),
            decided_at: Some(Utc::now()),
            ..quote(quote_id)
        },
    })
}

pub fn station(id: Uuid, name: &str) -> Value {
    let now = Utc::now();
    change(ChangeBody::StationRecorded {
        station: Station {
            id,
            name: name.into(),
            location: String::new(),
            created_at: now,
            updated_at: now,
            remote: None,
            compliance: None,
        },
    })
}

pub fn order(plan: &str, stations: &[Uuid]) -> Value {
    change(ChangeBody::ContractOrdered {
        order: ContractOrder {
            contract_id: Uuid::now_v7(),
            plan_id: plan.into(),
            start: Utc::now().date_naive(),
            station_ids: stations.to_vec(),
        },
    })
}

pub fn session(ticket: Option<Uuid>, station: Option<Uuid>) -> Value {
    change(ChangeBody::RemoteSessionRecorded {
        session: RemoteSession {
            id: Uuid::now_v7(),
            station_id: station,
            ticket_id: ticket,
            tool: RemoteTool::RustDesk,
            remote_id: "123456789".into(),
            started_by: "Support".into(),
            started_at: Utc::now(),
            ended_at: None,
            end_reason: None,
            consent_id: None,
            note: String::new(),
        },
    })
}

pub fn consent(station: Uuid) -> Value {
    change(ChangeBody::ConsentRecorded {
        consent: Consent {
            id: Uuid::now_v7(),
            station_id: station,
            ticket_id: None,
            given_by: "Kasse 1".into(),
            given_at: Utc::now(),
            ended_at: None,
        },
    })
}

/// Sends `bytes` of the content `sha` at `offset` of `total`: its status and its answer.
pub fn put_blob(
    server: &TestServer,
    token: &str,
    sha: &str,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> (reqwest::StatusCode, Value) {
    let response = server
        .http
        .put(format!(
            "{}/v1/blobs/{sha}?offset={offset}&total={total}",
            server.base
        ))
        .bearer_auth(token)
        .body(bytes.to_vec())
        .send()
        .unwrap();
    (response.status(), response.json().unwrap())
}

/// `change` with the field at `path` set to `value`: how a test spoils a good change.
pub fn spoiled(mut change: Value, path: &[&str], value: Value) -> Value {
    let (last, parents) = path.split_last().unwrap();
    let mut at = &mut change;
    for key in parents {
        at = &mut at[*key];
    }
    at[*last] = value;
    change
}

pub fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

/// `stationdesk-cli --db DB --json ARGS` with pipes on all three streams.
pub fn cli(db: &std::path::Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(stationdesk_e2e::cli_binary())
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}
