//! Tickets in the local store: created, commented and moved through their states, each write
//! one transaction with its event rows and outbox rows, and found again by view or full text.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql, Transaction};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    find_station, parse_uuid, put_setting, search, stored, stored_now, utc_text, Store, StoreError,
};
use crate::domain::attachments::{check_attachment, clean_file_name};
use crate::domain::compliance::MAX_TSE_CAUSE;
use crate::domain::money::{Currency, Money};
use crate::domain::routing::ShopContacts;
use crate::domain::tickets::{
    clean_outcome, clean_phone, clean_title, joins_open_emergency, ticket_number, Category,
    Channel, Priority, RequestDetails, StationDetails, Ticket, TicketState, MAX_COMMENT,
};
use crate::domain::{wire_enum, DomainError};
use crate::wire::{Change, ChangeBody};
use stationdesk_protocol::Role;

use super::sync::Staff;

const CONTACTS_KEY: &str = "shop_contacts";

/// A ticket as filed from the form, the phone or the e-mail inbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTicket {
    /// A station's id or name, if the ticket concerns one.
    pub station: Option<String>,
    pub reporter: String,
    pub title: String,
    pub category: Category,
    pub priority: Priority,
    pub channel: Channel,
    pub request: RequestDetails,
    pub cc: Vec<String>,
}

wire_enum!(
    /// What happened to a ticket; `callback_requested` carries the number in the event's note,
    /// `assigned` the agent who took it or was given it (none: back to the queue), `called_back`
    /// what came of the callback.
    EventKind {
        Created = "created",
        StateChanged = "state_changed",
        Commented = "commented",
        PressedAgain = "pressed_again",
        Escalated = "escalated",
        CallbackRequested = "callback_requested",
        QuoteOffered = "quote_offered",
        QuoteAccepted = "quote_accepted",
        QuoteDeclined = "quote_declined",
        Attached = "attached",
        Assigned = "assigned",
        CalledBack = "called_back",
        TseFailed = "tse_failed",
        TseRestored = "tse_restored",
    }
);

/// The agent of the vendor's support desk a ticket is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    /// The agent's staff account.
    pub id: Uuid,
    /// The agent's name as the server has it, whatever a client sent.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: EventKind,
    pub from_state: Option<TicketState>,
    pub to_state: Option<TicketState>,
    pub note: String,
    /// Whom an `assigned` event gives the ticket to; none gives it back to the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Assignee>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A paid quote for work outside the contract, and what the customer decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub id: Uuid,
    pub price: Money,
    pub description: String,
    pub offered_by: String,
    pub offered_at: DateTime<Utc>,
    /// `accepted` or `declined`; `None` while the customer has not decided.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// Support called a till's number back: what came of it, for the till to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAnswered {
    pub ticket_id: Uuid,
    pub number: String,
    pub outcome: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A ticket with its whole history, for the detail screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub number: String,
    pub events: Vec<TicketEvent>,
    pub comments: Vec<Comment>,
    /// The vendor's staff's internal notes (only ever on a staff member's own machine).
    pub notes: Vec<Comment>,
    /// Whom the latest `assigned` event gave the ticket to.
    pub assignee: Option<Assignee>,
    pub quotes: Vec<Quote>,
    pub attachments: Vec<Attachment>,
}

/// Whose tickets a list shows (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketView {
    /// Tickets I reported.
    Mine(String),
    /// Tickets where I am in copy.
    Cc(String),
    /// One station's tickets (the till's own list).
    Station(String),
    /// The whole shop's tickets (admins).
    Shop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    #[default]
    RecentlyUpdated,
    Newest,
    /// Emergencies first, then high, then normal; recently updated first within each.
    MostUrgent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketQuery {
    pub view: TicketView,
    /// Empty: every state.
    pub states: Vec<TicketState>,
    /// Empty: every priority.
    pub priorities: Vec<Priority>,
    pub sort: TicketSort,
    pub limit: u32,
}

impl TicketQuery {
    pub fn new(view: TicketView) -> TicketQuery {
        TicketQuery {
            view,
            states: Vec::new(),
            priorities: Vec::new(),
            sort: TicketSort::default(),
            limit: 100,
        }
    }
}

/// What an emergency press did: a new ticket, or the open one it joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PressedTicket {
    pub ticket: Ticket,
    pub number: String,
    pub joined_open_ticket: bool,
}

const TICKET_COLUMNS: &str =
    "t.id, t.station_id, t.reporter, t.title, t.category, t.priority, t.channel, t.state,
     t.request, t.station_details, t.created_at, t.updated_at,
     (SELECT json_group_array(person) FROM ticket_cc WHERE ticket_id = t.id)";

impl Store {
    pub fn shop_contacts(&self) -> Result<ShopContacts, StoreError> {
        self.setting(CONTACTS_KEY)?
            .map_or(Ok(ShopContacts::default()), |json| {
                serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("shop contacts: {e}")))
            })
    }

    pub fn set_shop_contacts(&mut self, contacts: &ShopContacts) -> Result<(), StoreError> {
        let tx = self.write()?;
        put_setting(&tx, CONTACTS_KEY, Some(&to_json(contacts)))?;
        Ok(tx.commit()?)
    }

    pub fn create_ticket(&mut self, new: NewTicket) -> Result<Ticket, StoreError> {
        let title = clean_title(&new.title)?;
        let tx = self.write()?;
        let station = new
            .station
            .as_deref()
            .map(|r| find_station(&tx, r))
            .transpose()?;
        let now = Utc::now();
        let ticket = Ticket {
            id: Uuid::now_v7(),
            station_id: station.as_ref().map(|s| s.id),
            reporter: new.reporter.trim().to_owned(),
            title,
            category: new.category,
            priority: new.priority,
            channel: new.channel,
            state: TicketState::New,
            request: new.request,
            station_details: {
                let name = station.as_ref().map_or("", |s| s.name.as_str());
                // A call or an e-mail logged at the desk is not about the desk's own machine.
                match new.channel {
                    Channel::Phone | Channel::Email => StationDetails {
                        station_name: name.to_owned(),
                        ..StationDetails::default()
                    },
                    Channel::Form | Channel::EmergencyButton => {
                        StationDetails::of_this_machine(name)
                    }
                }
            },
            cc: clean_cc(&new.cc),
            created_at: now,
            updated_at: now,
        };
        insert_ticket(&tx, &ticket)?;
        tx.commit()?;
        Ok(ticket)
    }

    /// The emergency button: one press, one transaction. A new emergency ticket for the station,
    /// or, when the station's last press was a moment ago and that ticket is still open, an
    /// event on it instead of a duplicate.
    pub fn press_emergency(
        &mut self,
        station: &str,
        now: DateTime<Utc>,
    ) -> Result<PressedTicket, StoreError> {
        let tx = self.write()?;
        let station = find_station(&tx, station)?;
        let latest = tx
            .query_row(
                &format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets t
                     WHERE t.station_id = ?1 AND t.channel = 'emergency_button'
                     ORDER BY t.updated_at DESC LIMIT 1"
                ),
                [station.id.to_string()],
                ticket_row,
            )
            .optional()?
            .transpose()?;
        if let Some(mut open) = latest.filter(|t| joins_open_emergency(t.state, t.updated_at, now))
        {
            open.updated_at = now;
            record_event(&tx, &open, &station.name, EventKind::PressedAgain, None, "")?;
            touch(&tx, &open)?;
            tx.commit()?;
            return Ok(PressedTicket {
                number: open.number(),
                ticket: open,
                joined_open_ticket: true,
            });
        }
        let ticket = Ticket {
            id: Uuid::now_v7(),
            station_id: Some(station.id),
            reporter: station.name.clone(),
            title: format!("Emergency at {}", station.name),
            category: Category::Fault,
            priority: Priority::Emergency,
            channel: Channel::EmergencyButton,
            state: TicketState::New,
            request: RequestDetails::default(),
            station_details: StationDetails::of_this_machine(&station.name),
            cc: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        insert_ticket(&tx, &ticket)?;
        tx.commit()?;
        Ok(PressedTicket {
            number: ticket.number(),
            ticket,
            joined_open_ticket: false,
        })
    }

    pub fn change_ticket_state(
        &mut self,
        reference: &str,
        to: TicketState,
        actor: &str,
    ) -> Result<Ticket, StoreError> {
        let tx = self.write()?;
        let mut ticket = find_ticket(&tx, reference)?;
        let from = ticket.state;
        from.check_transition(to)?;
        ticket.state = to;
        ticket.updated_at = Utc::now();
        record_event(&tx, &ticket, actor, EventKind::StateChanged, Some(from), "")?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(ticket)
    }

    /// Adds to the thread of an active ticket; a resolved or closed one must be reopened first.
    pub fn comment(
        &mut self,
        reference: &str,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        self.add_to_thread(Thread::Replies, reference, author, body)
    }

    /// The support desk's reply to the shop. It is the ticket's first response, so a new
    /// ticket becomes open with it: the SLA clocks count state changes, here and on the
    /// server alike.
    pub fn desk_reply(
        &mut self,
        reference: &str,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        let reply = self.comment(reference, author, body)?;
        if self.ticket(reference)?.ticket.state == TicketState::New {
            self.change_ticket_state(reference, TicketState::Open, author)?;
        }
        Ok(reply)
    }

    /// An agent's internal note: kept apart from the thread, sent as a change that the server
    /// gives to the vendor's staff only.
    pub fn add_internal_note(
        &mut self,
        reference: &str,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        self.add_to_thread(Thread::InternalNotes, reference, author, body)
    }

    fn add_to_thread(
        &mut self,
        thread: Thread,
        reference: &str,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        let comment = new_comment(author, body)?;
        let tx = self.write()?;
        let mut ticket = match thread {
            Thread::Replies => find_active_ticket(&tx, reference)?,
            // A note goes on any ticket, a closed one too: what was done after the fact.
            Thread::InternalNotes => find_ticket(&tx, reference)?,
        };
        write_comment_row(&tx, thread, ticket.id, &comment)?;
        let (ticket_id, written) = (ticket.id, comment.clone());
        enqueue(
            &tx,
            match thread {
                Thread::Replies => ChangeBody::CommentAdded {
                    ticket_id,
                    comment: written,
                },
                Thread::InternalNotes => ChangeBody::InternalNoteAdded {
                    ticket_id,
                    note: written,
                },
            },
        )?;
        ticket.updated_at = comment.created_at;
        if thread == Thread::Replies {
            record_event(&tx, &ticket, author, EventKind::Commented, None, "")?;
        }
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(comment)
    }

    /// Gives an active ticket to an agent (taking it is giving it to oneself), or back to the
    /// queue with none. The server checks that the agent is one of its support staff.
    pub fn assign(
        &mut self,
        reference: &str,
        assignee: Option<Assignee>,
        actor: &str,
    ) -> Result<Ticket, StoreError> {
        let tx = self.write()?;
        let mut ticket = find_active_ticket(&tx, reference)?;
        ticket.updated_at = Utc::now();
        let event = TicketEvent {
            assignee,
            ..new_event(&ticket, actor, EventKind::Assigned, None, "")
        };
        record(&tx, &ticket, event)?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(ticket)
    }

    /// The agent signed in here, to take a ticket as.
    pub fn signed_in_agent(&self) -> Result<Assignee, StoreError> {
        match self.enrolment()?.and_then(|state| state.staff) {
            Some(Staff {
                id: Some(id),
                name,
                role: Role::SupportStaff,
                ..
            }) => Ok(Assignee { id, name }),
            _ => Err(StoreError::NotAnAgent),
        }
    }

    /// Under Second Level the shop admin passes a cashier's ticket on to the vendor: one action,
    /// recorded.
    pub fn escalate(&mut self, reference: &str, actor: &str) -> Result<Ticket, StoreError> {
        self.record_on_active(reference, actor, EventKind::Escalated, "")
    }

    /// Outside support hours the callback service calls this number back.
    pub fn request_callback(
        &mut self,
        reference: &str,
        phone: &str,
        actor: &str,
    ) -> Result<Ticket, StoreError> {
        let phone = clean_phone(phone)?;
        self.record_on_active(reference, actor, EventKind::CallbackRequested, &phone)
    }

    /// The callback service has called the number back; `outcome` says what came of it, and
    /// the till shows it.
    pub fn called_back(
        &mut self,
        reference: &str,
        outcome: &str,
        actor: &str,
    ) -> Result<Ticket, StoreError> {
        let outcome = clean_outcome(outcome)?;
        self.record_on_active(reference, actor, EventKind::CalledBack, &outcome)
    }

    /// The emergency was the till's TSE failing: from the press on, the till ran without it,
    /// and its outage log says so. Marking it twice changes nothing.
    pub fn mark_tse_failure(&mut self, reference: &str, actor: &str) -> Result<Ticket, StoreError> {
        let detail = self.ticket(reference)?;
        if detail.ticket.priority != Priority::Emergency || detail.ticket.station_id.is_none() {
            return Err(DomainError::TseOutage {
                why: "only a till's emergency can be a TSE failure".into(),
            }
            .into());
        }
        if detail.events.iter().any(|e| e.kind == EventKind::TseFailed) {
            return Ok(detail.ticket);
        }
        self.record_on_active(reference, actor, EventKind::TseFailed, "")
    }

    /// The TSE works again: the outage ends now, with its cause. Also on a ticket already
    /// resolved, since the device is often swapped after the call.
    pub fn record_tse_working(
        &mut self,
        reference: &str,
        cause: &str,
        actor: &str,
    ) -> Result<Ticket, StoreError> {
        let cause = cause.trim();
        if cause.is_empty() || cause.chars().count() > MAX_TSE_CAUSE {
            return Err(DomainError::TseOutage {
                why: format!("name the cause, in at most {MAX_TSE_CAUSE} characters"),
            }
            .into());
        }
        let detail = self.ticket(reference)?;
        let failed = detail.events.iter().any(|e| e.kind == EventKind::TseFailed);
        let restored = detail
            .events
            .iter()
            .any(|e| e.kind == EventKind::TseRestored);
        if !failed || restored {
            return Err(DomainError::TseOutage {
                why: if restored {
                    "the TSE was recorded working again already".into()
                } else {
                    "the ticket is not marked as a TSE failure".into()
                },
            }
            .into());
        }
        let tx = self.write()?;
        let mut ticket = detail.ticket;
        ticket.updated_at = Utc::now();
        record_event(&tx, &ticket, actor, EventKind::TseRestored, None, cause)?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(ticket)
    }

    /// The latest callback answered on each of the station's active tickets, newest first.
    pub fn callbacks_answered(&self, station: &str) -> Result<Vec<CallbackAnswered>, StoreError> {
        let station = find_station(&self.conn, station)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, e.note, e.actor, max(e.at) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE t.station_id = ?1 AND e.kind = 'called_back'
               AND t.state IN ('new', 'open', 'waiting_for_customer')
             GROUP BY t.id ORDER BY max(e.at) DESC",
        )?;
        let rows = stmt.query_map([station.id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.map(|row| {
            let (id, outcome, by, at) = row?;
            let ticket_id = parse_uuid(id)?;
            Ok(CallbackAnswered {
                ticket_id,
                number: ticket_number(ticket_id),
                outcome,
                by,
                at,
            })
        })
        .collect()
    }

    /// An event on a ticket that is still being worked on.
    fn record_on_active(
        &mut self,
        reference: &str,
        actor: &str,
        kind: EventKind,
        note: &str,
    ) -> Result<Ticket, StoreError> {
        let tx = self.write()?;
        let mut ticket = find_active_ticket(&tx, reference)?;
        ticket.updated_at = Utc::now();
        record_event(&tx, &ticket, actor, kind, None, note)?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(ticket)
    }

    /// Marks the ticket out of scope with a paid quote (net) for the work.
    pub fn offer_quote(
        &mut self,
        reference: &str,
        price: Money,
        description: &str,
        actor: &str,
    ) -> Result<Quote, StoreError> {
        let description = description.trim();
        if price.amount <= Decimal::ZERO || description.is_empty() {
            return Err(DomainError::InvalidQuote.into());
        }
        let tx = self.write()?;
        let mut ticket = find_active_ticket(&tx, reference)?;
        let quote = Quote {
            id: Uuid::now_v7(),
            price,
            description: description.to_owned(),
            offered_by: actor.trim().to_owned(),
            offered_at: Utc::now(),
            decision: None,
            decided_by: None,
            decided_at: None,
        };
        write_quote_row(&tx, ticket.id, &quote)?;
        ticket.category = Category::OutOfScope;
        ticket.updated_at = quote.offered_at;
        enqueue(
            &tx,
            ChangeBody::QuoteOffered {
                ticket_id: ticket.id,
                quote: quote.clone(),
            },
        )?;
        record_event(
            &tx,
            &ticket,
            actor,
            EventKind::QuoteOffered,
            None,
            &quote.price.to_string(),
        )?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(quote)
    }

    /// The customer accepts or declines the ticket's open quote.
    pub fn decide_quote(
        &mut self,
        reference: &str,
        accept: bool,
        actor: &str,
    ) -> Result<Quote, StoreError> {
        let tx = self.write()?;
        let mut ticket = find_ticket(&tx, reference)?;
        let mut quote = load_quotes(&tx, ticket.id)?
            .into_iter()
            .rev()
            .find(|q| q.decision.is_none())
            .ok_or(DomainError::NoOpenQuote)?;
        let (decision, kind) = if accept {
            ("accepted", EventKind::QuoteAccepted)
        } else {
            ("declined", EventKind::QuoteDeclined)
        };
        quote.decision = Some(decision.to_owned());
        quote.decided_by = Some(actor.trim().to_owned());
        quote.decided_at = Some(Utc::now());
        tx.execute(
            "UPDATE ticket_quotes SET decision = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1",
            params![quote.id.to_string(), decision, quote.decided_by, quote.decided_at.map(utc_text)],
        )?;
        ticket.updated_at = Utc::now();
        enqueue(
            &tx,
            ChangeBody::QuoteDecided {
                ticket_id: ticket.id,
                quote: quote.clone(),
            },
        )?;
        record_event(&tx, &ticket, actor, kind, None, "")?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(quote)
    }

    /// Attaches a screenshot, PDF or log to an active ticket. The content is written once, named
    /// by its SHA-256, before the row that points to it; a write that fails half-way leaves at
    /// most an unreferenced file, never a row without its content.
    pub fn attach(
        &mut self,
        reference: &str,
        file_name: &str,
        bytes: &[u8],
        actor: &str,
    ) -> Result<Attachment, StoreError> {
        let content_type = check_attachment(bytes)?;
        let sha256 = format!("{:x}", Sha256::digest(bytes));
        // Checked before the content is written, so a refused ticket leaves no file behind.
        find_active_ticket(&self.conn, reference)?;
        self.store_content(&sha256, bytes)?;
        let tx = self.write()?;
        let mut ticket = find_active_ticket(&tx, reference)?;
        let attachment = Attachment {
            id: Uuid::now_v7(),
            sha256,
            file_name: clean_file_name(file_name),
            content_type: content_type.to_owned(),
            size: i64::try_from(bytes.len()).expect("checked against the size limit"),
            added_by: actor.trim().to_owned(),
            added_at: stored_now(),
        };
        write_attachment_row(&tx, ticket.id, &attachment, "upload")?;
        ticket.updated_at = attachment.added_at;
        enqueue(
            &tx,
            ChangeBody::AttachmentAdded {
                ticket_id: ticket.id,
                attachment: attachment.clone(),
            },
        )?;
        record_event(
            &tx,
            &ticket,
            actor,
            EventKind::Attached,
            None,
            &attachment.file_name,
        )?;
        touch(&tx, &ticket)?;
        tx.commit()?;
        Ok(attachment)
    }

    /// Where an attachment's content is kept.
    pub fn attachment_path(&self, sha256: &str) -> PathBuf {
        self.attachments_dir().join(sha256)
    }

    fn attachments_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(
            || PathBuf::from("attachments"),
            |dir| dir.join("attachments"),
        )
    }

    pub(super) fn store_content(&self, sha256: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let target = self.attachment_path(sha256);
        if target.exists() {
            return Ok(());
        }
        let dir = self.attachments_dir();
        let io = |source: std::io::Error| StoreError::from_io(&dir, source);
        std::fs::create_dir_all(&dir).map_err(io)?;
        // Written under a temporary name and renamed: a crash leaves no half file under the
        // real name.
        let partial = dir.join(format!("{sha256}.{}.partial", Uuid::now_v7()));
        let mut file = std::fs::File::create(&partial).map_err(io)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                io(e)
            })?;
        std::fs::rename(&partial, &target).map_err(io)
    }

    /// A ticket by its id or its number (`T-1A2B3C`), with events and comments.
    pub fn ticket(&self, reference: &str) -> Result<TicketDetail, StoreError> {
        let ticket = find_ticket(&self.conn, reference)?;
        let events = rows_of(
            &self.conn,
            "SELECT id, at, actor, kind, from_state, to_state, note, assignee_id, assignee_name
             FROM ticket_events WHERE ticket_id = ?1 ORDER BY at, id",
            ticket.id,
            |row| {
                let state = |i: usize| -> Result<Option<TicketState>, StoreError> {
                    row.get::<_, Option<String>>(i)?
                        .map(|s| stored(&s))
                        .transpose()
                };
                Ok(TicketEvent {
                    id: parse_uuid(row.get(0)?)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    kind: stored(&row.get::<_, String>(3)?)?,
                    from_state: state(4)?,
                    to_state: state(5)?,
                    note: row.get(6)?,
                    assignee: match (row.get::<_, Option<String>>(7)?, row.get(8)?) {
                        (Some(id), Some(name)) => Some(Assignee {
                            id: parse_uuid(id)?,
                            name,
                        }),
                        _ => None,
                    },
                })
            },
        )?;
        let thread = |table: &str| {
            rows_of(
                &self.conn,
                &format!(
                    "SELECT id, author, body, created_at FROM {table} WHERE ticket_id = ?1 ORDER BY created_at, id"
                ),
                ticket.id,
                |row| {
                    Ok(Comment {
                        id: parse_uuid(row.get(0)?)?,
                        author: row.get(1)?,
                        body: row.get(2)?,
                        created_at: row.get(3)?,
                    })
                },
            )
        };
        let assignee = events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Assigned)
            .and_then(|e| e.assignee.clone());
        Ok(TicketDetail {
            number: ticket.number(),
            comments: thread("ticket_comments")?,
            notes: thread("ticket_notes")?,
            assignee,
            quotes: load_quotes(&self.conn, ticket.id)?,
            attachments: load_attachments(&self.conn, ticket.id)?,
            ticket,
            events,
        })
    }

    pub fn tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>, StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Box<dyn ToSql>> = Vec::new();
        let mut source = "tickets t";
        match &query.view {
            TicketView::Shop => {}
            TicketView::Mine(person) => {
                values.push(Box::new(person.trim().to_owned()));
                conditions.push(format!("t.reporter = ?{} COLLATE NOCASE", values.len()));
            }
            TicketView::Cc(person) => {
                values.push(Box::new(person.trim().to_owned()));
                source = "ticket_cc c JOIN tickets t ON t.id = c.ticket_id";
                conditions.push(format!("c.person = ?{}", values.len()));
            }
            TicketView::Station(reference) => {
                values.push(Box::new(
                    find_station(&self.conn, reference)?.id.to_string(),
                ));
                conditions.push(format!("t.station_id = ?{}", values.len()));
            }
        }
        let mut any_of = |column: &str, options: Vec<&'static str>| {
            if options.is_empty() {
                return;
            }
            let start = values.len() + 1;
            let marks: Vec<String> = (start..start + options.len())
                .map(|i| format!("?{i}"))
                .collect();
            values.extend(options.into_iter().map(|o| Box::new(o) as Box<dyn ToSql>));
            conditions.push(format!("t.{column} IN ({})", marks.join(", ")));
        };
        any_of("state", query.states.iter().map(|s| s.as_str()).collect());
        any_of(
            "priority",
            query.priorities.iter().map(|p| p.as_str()).collect(),
        );
        let order = match query.sort {
            TicketSort::RecentlyUpdated => "t.updated_at DESC",
            TicketSort::Newest => "t.created_at DESC",
            TicketSort::MostUrgent => "t.urgency, t.updated_at DESC",
        };
        // The cc rows carry the same time, indexed per person.
        let page_order = match (&query.view, query.sort) {
            (TicketView::Cc(_), TicketSort::RecentlyUpdated) => "c.updated_at DESC",
            _ => order,
        };
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        values.push(Box::new(query.limit));
        // The page of rows is chosen first and only its rows are read whole: the per-row cc
        // subquery would otherwise run for every row that matches before the sort.
        let sql = format!(
            "WITH page AS (SELECT t.rowid AS row FROM {source} {filter} ORDER BY {page_order}, t.id LIMIT ?{})
             SELECT {TICKET_COLUMNS} FROM page JOIN tickets t ON t.rowid = page.row ORDER BY {order}, t.id",
            values.len()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(values.iter()), ticket_row)?;
        rows.map(|r| r?).collect()
    }

    /// Full-text search over titles, the request's text and every comment: tickets matching
    /// every word (as a prefix; numbers exactly), newest first, which is what a desk looking for "that printer
    /// ticket" wants, and lets the index stop after one page. Quotes and operators in the input
    /// are taken literally.
    pub fn search_tickets(&self, text: &str, limit: u32) -> Result<Vec<Ticket>, StoreError> {
        let Some(expression) = search::match_expression(&self.conn, text)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH hits AS (SELECT rowid AS row FROM ticket_search WHERE ticket_search MATCH ?1
                           ORDER BY rowid DESC LIMIT ?2)
             SELECT {TICKET_COLUMNS} FROM hits JOIN tickets t ON t.rowid = hits.row ORDER BY hits.row DESC"
        ))?;
        let rows = stmt.query_map(params![expression, limit], ticket_row)?;
        rows.map(|r| r?).collect()
    }

    /// Changes written locally and not yet sent to the central server.
    pub fn pending_changes(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }
}

fn clean_cc(cc: &[String]) -> Vec<String> {
    let mut people: Vec<String> = cc
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    people.sort_by_key(|p| p.to_lowercase());
    people.dedup_by_key(|p| p.to_lowercase());
    people
}

pub(super) fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn ticket_row(row: &Row<'_>) -> rusqlite::Result<Result<Ticket, StoreError>> {
    let text = |i: usize| row.get::<_, String>(i);
    let (request, details, cc) = (text(8)?, text(9)?, text(12)?);
    let (category, priority, channel, state) = (text(4)?, text(5)?, text(6)?, text(7)?);
    let (id, station) = (text(0)?, row.get::<_, Option<String>>(1)?);
    let (reporter, title, created_at, updated_at) =
        (text(2)?, text(3)?, row.get(10)?, row.get(11)?);
    let json = |what: &str, text: &str| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("{what} of ticket {id}: {e}")))
    };
    let build = || -> Result<Ticket, StoreError> {
        Ok(Ticket {
            id: parse_uuid(id.clone())?,
            station_id: station.map(parse_uuid).transpose()?,
            reporter,
            title,
            category: stored(&category)?,
            priority: stored(&priority)?,
            channel: stored(&channel)?,
            state: stored(&state)?,
            request: serde_json::from_value(json("request", &request)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            station_details: serde_json::from_value(json("station details", &details)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            cc: serde_json::from_value(json("cc", &cc)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            created_at,
            updated_at,
        })
    };
    Ok(build())
}

fn load_attachments(conn: &Connection, ticket: Uuid) -> Result<Vec<Attachment>, StoreError> {
    rows_of(
        conn,
        "SELECT id, sha256, file_name, content_type, size, added_by, added_at
         FROM ticket_attachments WHERE ticket_id = ?1 ORDER BY added_at, id",
        ticket,
        |row| {
            Ok(Attachment {
                id: parse_uuid(row.get(0)?)?,
                sha256: row.get(1)?,
                file_name: row.get(2)?,
                content_type: row.get(3)?,
                size: row.get(4)?,
                added_by: row.get(5)?,
                added_at: row.get(6)?,
            })
        },
    )
}

/// Every row `sql` finds for one ticket (its `?1`), each turned into a `T` by `read`.
fn rows_of<T>(
    conn: &Connection,
    sql: &str,
    ticket: Uuid,
    read: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([ticket.to_string()])?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(read(row)?);
    }
    Ok(found)
}

fn load_quotes(conn: &Connection, ticket: Uuid) -> Result<Vec<Quote>, StoreError> {
    rows_of(
        conn,
        "SELECT id, amount, currency, description, offered_by, offered_at, decision, decided_by, decided_at
         FROM ticket_quotes WHERE ticket_id = ?1 ORDER BY offered_at, id",
        ticket,
        |row| {
            let amount: String = row.get(1)?;
            let currency: String = row.get(2)?;
            Ok(Quote {
                id: parse_uuid(row.get(0)?)?,
                price: Money::new(
                    amount.parse().map_err(|_| StoreError::Corrupt(format!("quote amount {amount:?}")))?,
                    Currency::new(&currency).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ),
                description: row.get(3)?,
                offered_by: row.get(4)?,
                offered_at: row.get(5)?,
                decision: row.get(6)?,
                decided_by: row.get(7)?,
                decided_at: row.get(8)?,
            })
        },
    )
}

/// A ticket still being worked on: resolved and closed ones are reopened before they take more.
fn find_active_ticket(conn: &Connection, reference: &str) -> Result<Ticket, StoreError> {
    let ticket = find_ticket(conn, reference)?;
    if ticket.state.is_active() {
        Ok(ticket)
    } else {
        Err(DomainError::TicketNotActive {
            state: ticket.state.as_str(),
        }
        .into())
    }
}

pub(super) fn find_ticket(conn: &Connection, reference: &str) -> Result<Ticket, StoreError> {
    let reference = reference.trim();
    // A number is the id's last six hex digits: an indexed suffix search is not possible, but a
    // LIKE on the primary key is fast enough for a shop's tickets.
    let (sql, key) = match reference
        .strip_prefix("T-")
        .or_else(|| reference.strip_prefix("t-"))
    {
        Some(number) if number.len() == 6 && number.bytes().all(|b| b.is_ascii_hexdigit()) => {
            ("t.id LIKE ?1", format!("%{}", number.to_lowercase()))
        }
        _ => ("t.id = ?1", reference.to_lowercase()),
    };
    conn.query_row(
        &format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t WHERE {sql} ORDER BY t.created_at DESC LIMIT 1"
        ),
        [key],
        ticket_row,
    )
    .optional()?
    .transpose()?
    .ok_or_else(|| StoreError::NotFound {
        what: "ticket",
        reference: reference.to_owned(),
    })
}

fn insert_ticket(tx: &Transaction<'_>, ticket: &Ticket) -> Result<(), StoreError> {
    write_ticket_row(tx, ticket)?;
    enqueue(
        tx,
        ChangeBody::TicketFiled {
            ticket: ticket.clone(),
        },
    )?;
    record_event(tx, ticket, &ticket.reporter, EventKind::Created, None, "")?;
    search::index_ticket(tx, ticket.id)
}

/// The rows of a ticket (and its cc list), unless it is there already: a ticket made here, or
/// one pulled from the server that may have come back before. True when written.
pub(super) fn write_ticket_row(tx: &Connection, ticket: &Ticket) -> Result<bool, StoreError> {
    let written = tx.prepare_cached(
        "INSERT INTO tickets (id, station_id, reporter, title, category, priority, urgency, channel, state,
                              request, station_details, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(
        params![
            ticket.id.to_string(),
            ticket.station_id.map(|id| id.to_string()),
            ticket.reporter,
            ticket.title,
            ticket.category.as_str(),
            ticket.priority.as_str(),
            ticket.priority.urgency(),
            ticket.channel.as_str(),
            ticket.state.as_str(),
            to_json(&ticket.request),
            to_json(&ticket.station_details),
            utc_text(ticket.created_at),
        ],
    )?;
    if written == 0 {
        return Ok(false);
    }
    for person in &ticket.cc {
        tx.prepare_cached(
            "INSERT INTO ticket_cc (ticket_id, person, updated_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            ticket.id.to_string(),
            person,
            utc_text(ticket.updated_at)
        ])?;
    }
    Ok(true)
}

/// A comment's row, unless it is there already. True when written.
/// Which thread of a ticket a comment is in: the one the shop reads, or the vendor's staff's
/// internal notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Thread {
    Replies,
    InternalNotes,
}

pub(super) fn write_comment_row(
    tx: &Connection,
    thread: Thread,
    ticket: Uuid,
    comment: &Comment,
) -> Result<bool, StoreError> {
    let table = match thread {
        Thread::Replies => "ticket_comments",
        Thread::InternalNotes => "ticket_notes",
    };
    Ok(tx
        .prepare_cached(&format!(
        "INSERT INTO {table} (id, ticket_id, author, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET author = excluded.author WHERE author <> excluded.author"
    ))?
        .execute(params![
            comment.id.to_string(),
            ticket.to_string(),
            comment.author,
            comment.body,
            utc_text(comment.created_at)
        ])?
        == 1)
}

/// An attachment's row, unless it is there already; `transfer` says which way its content still
/// has to go (`upload`, `download`). True when written.
pub(super) fn write_attachment_row(
    tx: &Connection,
    ticket: Uuid,
    attachment: &Attachment,
    transfer: &str,
) -> Result<bool, StoreError> {
    Ok(tx.prepare_cached(
        "INSERT INTO ticket_attachments (id, ticket_id, sha256, file_name, content_type, size, added_by, added_at, transfer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(
        params![
            attachment.id.to_string(),
            ticket.to_string(),
            attachment.sha256,
            attachment.file_name,
            attachment.content_type,
            attachment.size,
            attachment.added_by,
            utc_text(attachment.added_at),
            transfer
        ],
    )? == 1)
}

/// An event's row, unless it is there already. True when written.
pub(super) fn write_event_row(
    tx: &Connection,
    ticket: Uuid,
    event: &TicketEvent,
) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO ticket_events (id, ticket_id, at, actor, kind, from_state, to_state, note,
                                        assignee_id, assignee_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         -- Who did it, and whom it was assigned to, are as the server has them, whatever a
         -- client claimed.
         ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, assignee_name = excluded.assignee_name
             WHERE actor <> excluded.actor OR assignee_name IS NOT excluded.assignee_name",
        )?
        .execute(params![
            event.id.to_string(),
            ticket.to_string(),
            utc_text(event.at),
            event.actor,
            event.kind.as_str(),
            event.from_state.map(TicketState::as_str),
            event.to_state.map(TicketState::as_str),
            event.note,
            event.assignee.as_ref().map(|a| a.id.to_string()),
            event.assignee.as_ref().map(|a| a.name.as_str()),
        ])?
        == 1)
}

/// A quote as the server has it: offered once, decided once. True when something changed.
pub(super) fn write_quote_row(
    tx: &Connection,
    ticket: Uuid,
    quote: &Quote,
) -> Result<bool, StoreError> {
    let written = tx.prepare_cached(
        "INSERT INTO ticket_quotes (id, ticket_id, amount, currency, description, offered_by, offered_at,
                                    decision, decided_by, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by,
             decided_at = excluded.decided_at
             WHERE decision IS NULL AND excluded.decision IS NOT NULL",
    )?
    .execute(
        params![
            quote.id.to_string(),
            ticket.to_string(),
            quote.price.amount.to_string(),
            quote.price.currency.code(),
            quote.description,
            quote.offered_by,
            utc_text(quote.offered_at),
            quote.decision,
            quote.decided_by,
            quote.decided_at.map(utc_text),
        ],
    )? == 1;
    if written {
        tx.prepare_cached("UPDATE tickets SET category = 'out_of_scope' WHERE id = ?1")?
            .execute([ticket.to_string()])?;
    }
    Ok(written)
}

/// Saves the ticket's state and time, and refreshes its search entry.
fn touch(tx: &Transaction<'_>, ticket: &Ticket) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tickets SET state = ?2, updated_at = ?3 WHERE id = ?1",
        params![
            ticket.id.to_string(),
            ticket.state.as_str(),
            utc_text(ticket.updated_at)
        ],
    )?;
    tx.execute(
        "UPDATE ticket_cc SET updated_at = ?2 WHERE ticket_id = ?1",
        params![ticket.id.to_string(), utc_text(ticket.updated_at)],
    )?;
    search::index_ticket(tx, ticket.id)
}

fn record_event(
    tx: &Transaction<'_>,
    ticket: &Ticket,
    actor: &str,
    kind: EventKind,
    from: Option<TicketState>,
    note: &str,
) -> Result<(), StoreError> {
    record(tx, ticket, new_event(ticket, actor, kind, from, note))
}

/// The "created" event of a ticket filed under a derived id, itself under ids derived from
/// the ticket's, so that two apps filing it make one history.
pub(super) fn record_created_once(tx: &Transaction<'_>, ticket: &Ticket) -> Result<(), StoreError> {
    let mut event = new_event(ticket, &ticket.reporter, EventKind::Created, None, "");
    event.id = Uuid::new_v5(&ticket.id, b"created");
    write_event_row(tx, ticket.id, &event)?;
    enqueue_as(
        tx,
        Uuid::new_v5(&ticket.id, b"created-change"),
        ChangeBody::TicketEvent {
            ticket_id: ticket.id,
            event,
        },
    )
}

/// An event at the ticket's last change; a state change (`from`) goes to its present state.
fn new_event(
    ticket: &Ticket,
    actor: &str,
    kind: EventKind,
    from: Option<TicketState>,
    note: &str,
) -> TicketEvent {
    TicketEvent {
        id: Uuid::now_v7(),
        at: ticket.updated_at,
        actor: actor.trim().to_owned(),
        kind,
        from_state: from,
        to_state: from.map(|_| ticket.state),
        note: note.to_owned(),
        assignee: None,
    }
}

/// A comment or note as typed: trimmed, not empty, not too long.
fn new_comment(author: &str, body: &str) -> Result<Comment, StoreError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::EmptyComment);
    }
    if body.chars().count() > MAX_COMMENT {
        return Err(DomainError::CommentTooLong { max: MAX_COMMENT }.into());
    }
    Ok(Comment {
        id: Uuid::now_v7(),
        author: author.trim().to_owned(),
        body: body.to_owned(),
        created_at: Utc::now(),
    })
}

/// Writes an event here and queues it for the server.
fn record(tx: &Transaction<'_>, ticket: &Ticket, event: TicketEvent) -> Result<(), StoreError> {
    write_event_row(tx, ticket.id, &event)?;
    enqueue(
        tx,
        ChangeBody::TicketEvent {
            ticket_id: ticket.id,
            event,
        },
    )
}

/// One outbox row per change, in the change's own transaction: it is sent exactly when the
/// change itself is saved.
pub(super) fn enqueue(tx: &Transaction<'_>, body: ChangeBody) -> Result<(), StoreError> {
    enqueue_as(tx, Uuid::now_v7(), body)
}

/// A change under an id every app derives alike, so the server applies it once whoever sends
/// it.
pub(super) fn enqueue_as(
    tx: &Transaction<'_>,
    change_id: Uuid,
    body: ChangeBody,
) -> Result<(), StoreError> {
    let change = Change {
        change_id,
        created_at: stored_now(),
        body,
    };
    tx.prepare_cached("INSERT INTO outbox (change_id, kind, body) VALUES (?1, ?2, ?3)")?
        .execute(params![
            change.change_id.to_string(),
            change.body.kind(),
            to_json(&change),
        ])?;
    Ok(())
}
