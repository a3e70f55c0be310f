//! The one vocabulary of changes a client sends and the server keeps: every kind of change is a
//! variant of [`ChangeBody`], with the record it carries and, where the record belongs to
//! something, that parent's id as a named field. A new kind of change is a new variant, and the
//! compiler finds every place on both sides that has to handle it.
//!
//! The records themselves (a ticket, a comment, a station, …) are the domain's types, which
//! hold the rules both sides check: the vocabulary is generic over a [`Records`] set, which
//! `stationdesk-core` supplies. On the wire a change reads
//! `{"change_id", "created_at", "type": "comment_added", "ticket_id", "comment": {…}}`.

use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What every record type is: plain data with its own id.
pub trait Record:
    Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send + Sync + 'static
{
    fn id(&self) -> Uuid;
}

/// The record types a change can carry.
pub trait Records: Clone + Debug + PartialEq + Send + Sync + 'static {
    type Ticket: Record;
    type TicketEvent: Record;
    type Comment: Record;
    type Attachment: Record;
    type Quote: Record;
    type Station: Record;
    type Contract: Record;
    type RemoteSession: Record;
    type Consent: Record;
}

/// One change, as a client's outbox keeps it and the server's history holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Change<R: Records> {
    /// Made by the client; the server applies a change id once, whatever retries bring.
    pub change_id: Uuid,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: ChangeBody<R>,
}

/// Every kind of change there is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", bound = "")]
pub enum ChangeBody<R: Records> {
    /// A ticket is filed (the form, the emergency button, a phone call logged).
    TicketFiled { ticket: R::Ticket },
    /// Something happened to a ticket: a state change, an escalation, a press again, …
    TicketEvent {
        ticket_id: Uuid,
        event: R::TicketEvent,
    },
    CommentAdded {
        ticket_id: Uuid,
        comment: R::Comment,
    },
    /// A note of the vendor's staff on a ticket: only the vendor's staff ever read it, never
    /// the shop's admins or tills.
    InternalNoteAdded { ticket_id: Uuid, note: R::Comment },
    /// An attachment's metadata; its content travels separately (`/v1/blobs`).
    AttachmentAdded {
        ticket_id: Uuid,
        attachment: R::Attachment,
    },
    /// The vendor offers paid work outside the contract.
    QuoteOffered { ticket_id: Uuid, quote: R::Quote },
    /// The shop accepts or declines an offered quote.
    QuoteDecided { ticket_id: Uuid, quote: R::Quote },
    /// A station record as it now is: added, renamed, its remote tool set.
    StationRecorded { station: R::Station },
    /// A shop admin orders a contract; the server prices it from its catalogue and answers
    /// with [`ChangeBody::ContractConfirmed`] under the same change id.
    ContractOrdered { order: ContractOrder },
    /// The shop gives notice; the server records when it received it and what follows.
    ContractNoticeGiven { contract_id: Uuid },
    /// The contract as the server has it (only the server writes this).
    ContractConfirmed { contract: R::Contract },
    /// The audit record of a remote session, started or ended.
    RemoteSessionRecorded { session: R::RemoteSession },
    /// The cashier's consent to remote help, given or ended.
    ConsentRecorded { consent: R::Consent },
}

/// What a shop admin asks for: a plan of the vendor's catalogue, from a day, for stations of
/// the shop. It carries no price: the price is the vendor's, from its catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractOrder {
    pub contract_id: Uuid,
    pub plan_id: String,
    pub start: NaiveDate,
    pub station_ids: Vec<Uuid>,
}

/// What a change is about, for the server's tables and the rules of who reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Ticket,
    Station,
    Contract,
    RemoteSession,
    Consent,
}

impl<R: Records> ChangeBody<R> {
    /// The wire name of this kind of change (its `type`).
    pub fn kind(&self) -> &'static str {
        match self {
            ChangeBody::TicketFiled { .. } => "ticket_filed",
            ChangeBody::TicketEvent { .. } => "ticket_event",
            ChangeBody::CommentAdded { .. } => "comment_added",
            ChangeBody::InternalNoteAdded { .. } => "internal_note_added",
            ChangeBody::AttachmentAdded { .. } => "attachment_added",
            ChangeBody::QuoteOffered { .. } => "quote_offered",
            ChangeBody::QuoteDecided { .. } => "quote_decided",
            ChangeBody::StationRecorded { .. } => "station_recorded",
            ChangeBody::ContractOrdered { .. } => "contract_ordered",
            ChangeBody::ContractNoticeGiven { .. } => "contract_notice_given",
            ChangeBody::ContractConfirmed { .. } => "contract_confirmed",
            ChangeBody::RemoteSessionRecorded { .. } => "remote_session_recorded",
            ChangeBody::ConsentRecorded { .. } => "consent_recorded",
        }
    }

    /// The entity the change is about and its id: the ticket for everything on a ticket.
    pub fn subject(&self) -> (Entity, Uuid) {
        match self {
            ChangeBody::TicketFiled { ticket } => (Entity::Ticket, ticket.id()),
            ChangeBody::TicketEvent { ticket_id, .. }
            | ChangeBody::CommentAdded { ticket_id, .. }
            | ChangeBody::InternalNoteAdded { ticket_id, .. }
            | ChangeBody::AttachmentAdded { ticket_id, .. }
            | ChangeBody::QuoteOffered { ticket_id, .. }
            | ChangeBody::QuoteDecided { ticket_id, .. } => (Entity::Ticket, *ticket_id),
            ChangeBody::StationRecorded { station } => (Entity::Station, station.id()),
            ChangeBody::ContractOrdered { order } => (Entity::Contract, order.contract_id),
            ChangeBody::ContractNoticeGiven { contract_id } => (Entity::Contract, *contract_id),
            ChangeBody::ContractConfirmed { contract } => (Entity::Contract, contract.id()),
            ChangeBody::RemoteSessionRecorded { session } => (Entity::RemoteSession, session.id()),
            ChangeBody::ConsentRecorded { consent } => (Entity::Consent, consent.id()),
        }
    }

    /// The id of the record the change writes: the comment of a comment, the ticket of a
    /// filed ticket.
    pub fn record_id(&self) -> Uuid {
        match self {
            ChangeBody::TicketEvent { event, .. } => event.id(),
            ChangeBody::CommentAdded { comment, .. }
            | ChangeBody::InternalNoteAdded { note: comment, .. } => comment.id(),
            ChangeBody::AttachmentAdded { attachment, .. } => attachment.id(),
            ChangeBody::QuoteOffered { quote, .. } | ChangeBody::QuoteDecided { quote, .. } => {
                quote.id()
            }
            _ => self.subject().1,
        }
    }

    /// Read by the vendor's staff only: never pulled by, nor announced to, a shop or a till.
    pub fn is_staff_only(&self) -> bool {
        matches!(self, ChangeBody::InternalNoteAdded { .. })
    }
}

impl Entity {
    /// What every till of a shop reads, whoever made it: which till is which, and the
    /// contracts (a till routes an emergency by the contract covering it).
    pub fn is_shared_in_shop(self) -> bool {
        matches!(self, Entity::Station | Entity::Contract)
    }
}
