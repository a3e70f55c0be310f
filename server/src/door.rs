//! The door every pushed change goes through before anything is stored: read into the typed
//! vocabulary, checked field by field (sizes, dates the store can hold, ids that must exist and
//! be the caller's shop's, the ticket's transition table, the caller's role), and rewritten
//! where the server is the one who knows: who did it is whoever signed in, and a contract's
//! price comes from the vendor's catalogue. A change that fails is refused with a reason that
//! says what is wrong, and is never stored or sent to anyone.
//!
//! The door holds no SQL: what it needs to know of the server's state it asks through
//! [`Facts`], which each storage backend answers.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use stationdesk_core::domain::attachments::{is_accepted_type, MAX_ATTACHMENT_BYTES};
use stationdesk_core::domain::compliance::MAX_TSE_CAUSE;
use stationdesk_core::domain::contracts::{
    check_stations_free, covering_contract, Contract, Party,
};
use stationdesk_core::domain::plans::{Catalog, WhoMayCall};
use stationdesk_core::domain::stations::{clean_station_name, Station};
use stationdesk_core::domain::tickets::{
    clean_outcome, clean_phone, clean_title, ticket_number, Ticket, TicketState, MAX_COMMENT,
};
use stationdesk_core::store::{Comment, EventKind, Quote};
use stationdesk_core::wire::{Change, ChangeBody};
use stationdesk_protocol::{ContractOrder, Role};
use uuid::Uuid;

use crate::policy::Owner;
use crate::storage::{Caller, StorageError};

/// The largest change the server takes, as JSON; a comment at its longest fits well.
pub const MAX_CHANGE_BYTES: usize = 64 * 1024;
/// Names, notes and the parts of a request: enough for what people type, not for a novel.
const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 5_000;
const MAX_CC: usize = 20;

/// What the door needs to know of the server's state.
pub trait Facts {
    /// Whose a ticket, station, contract, remote session or consent is, if the server has it.
    fn owner(&self, id: Uuid) -> Result<Option<Owner>, StorageError>;
    /// The shop of a station enrolled with the server (its record may not have come yet).
    fn enrolled_shop(&self, station: Uuid) -> Result<Option<Uuid>, StorageError>;
    /// A ticket as the server has it now.
    fn ticket(&self, id: Uuid) -> Result<Option<TicketNow>, StorageError>;
    /// The ticket a record (an event, comment, attachment or quote) of that id belongs to.
    fn record_ticket(&self, kind: &'static str, id: Uuid) -> Result<Option<Uuid>, StorageError>;
    fn quote(&self, id: Uuid) -> Result<Option<Quote>, StorageError>;
    /// A station's record as the server has it.
    fn station(&self, id: Uuid) -> Result<Option<Station>, StorageError>;
    /// Every contract of the shop, as confirmed.
    fn contracts(&self, shop: Uuid) -> Result<Vec<Contract>, StorageError>;
    /// Whether the vendor set the shop up under Second Level Support (for what no contract
    /// covers).
    fn second_level_shop(&self, shop: Uuid) -> Result<bool, StorageError>;
    /// The name of an active support staff account, to whom a ticket may be assigned.
    fn support_agent(&self, account: Uuid) -> Result<Option<String>, StorageError>;
}

/// What the door needs to know of a ticket: where it stands, and at which station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketNow {
    pub id: Uuid,
    pub state: TicketState,
    pub station_id: Option<Uuid>,
}

impl TicketNow {
    fn number(&self) -> String {
        ticket_number(self.id)
    }
}

/// A change let in: what is stored (perhaps rewritten) and whose it is.
#[derive(Debug)]
pub struct Admitted {
    pub change: Change,
    pub owner: Owner,
}

/// Why a change is refused, or the storage failing while the door asked.
#[derive(Debug)]
pub enum Refusal {
    Rejected(String),
    Failed(StorageError),
}

impl From<StorageError> for Refusal {
    fn from(error: StorageError) -> Self {
        Refusal::Failed(error)
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Refusal::Rejected(reason)
    }
}

pub type Checked<T> = Result<T, Refusal>;

fn refuse<T>(reason: impl Into<String>) -> Checked<T> {
    Err(Refusal::Rejected(reason.into()))
}

/// Reads one pushed change; what cannot be read is refused with serde's account of it.
pub fn read(raw: &str) -> Result<Change, String> {
    if raw.len() > MAX_CHANGE_BYTES {
        return Err(format!(
            "the change has {} bytes; a change carries at most {} KiB (attachments' contents go to /v1/blobs)",
            raw.len(),
            MAX_CHANGE_BYTES / 1024
        ));
    }
    serde_json::from_str(raw).map_err(|e| format!("not a change this server knows: {e}"))
}

/// Decides one change read from a push. `today` is the vendor's date (notices are received on
/// it); `now` the server's clock.
pub fn admit(
    caller: &Caller,
    mut change: Change,
    facts: &dyn Facts,
    catalog: &Catalog,
    today: NaiveDate,
) -> Checked<Admitted> {
    if caller.role == Role::VendorAdmin {
        return refuse("vendor admins keep shops and staff; ticket work is the support desk's");
    }
    plausible(change.created_at, "the change's time")?;
    let (_, subject) = change.body.subject();
    let existing = facts.owner(subject)?;
    if let Some(owner) = existing {
        within_reach(caller, owner)?;
    }
    let signed_in = caller.name.clone();
    let owner = match &mut change.body {
        ChangeBody::TicketFiled { ticket } => {
            may(
                caller,
                &[Role::Station, Role::ShopAdmin, Role::SupportStaff],
                "file tickets",
            )?;
            if existing.is_some() {
                return refuse(format!("ticket {} exists already", ticket.id));
            }
            check_ticket(ticket)?;
            let station_owner = match ticket.station_id {
                Some(station) => Some(station_of_reach(caller, station, facts)?),
                None => None,
            };
            match (caller.role, station_owner) {
                // A till's ticket is its own, whichever of its station records it names.
                (Role::Station, _) => Owner {
                    shop: own_shop(caller)?,
                    station: caller.station_id,
                },
                (Role::SupportStaff, None) => {
                    return refuse(
                        "support staff file a ticket for a station of a shop: name its station_id",
                    )
                }
                (_, Some(owner)) => owner,
                (_, None) => Owner {
                    shop: own_shop(caller)?,
                    station: None,
                },
            }
        }
        ChangeBody::TicketEvent { ticket_id, event } => {
            let (ticket, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            new_record(facts, "event", event.id, *ticket_id)?;
            plausible(event.at, "the event's time")?;
            bounded(&event.note, MAX_TEXT, "an event's note")?;
            event.actor = signed_in;
            check_event_kind(caller, event.kind, &ticket, owner, facts, today)?;
            if event.kind == EventKind::TseRestored
                && (event.note.trim().is_empty() || event.note.chars().count() > MAX_TSE_CAUSE)
            {
                return refuse(format!(
                    "a TSE working again names the cause of its outage, in at most {MAX_TSE_CAUSE} characters"
                ));
            }
            match (event.kind, event.assignee.as_mut()) {
                (EventKind::Assigned, Some(assignee)) => {
                    active(&ticket)?;
                    assignee.name = facts.support_agent(assignee.id)?.ok_or_else(|| {
                        format!(
                            "{} is not an active support staff account; assign the ticket to one of the desk's agents",
                            assignee.id
                        )
                    })?;
                }
                (EventKind::Assigned, None) => active(&ticket)?,
                (_, Some(_)) => return refuse("only an assigned event names an assignee"),
                (EventKind::CallbackRequested, None) => {
                    event.note = clean_phone(&event.note).map_err(|e| e.to_string())?;
                }
                (EventKind::CalledBack, None) => {
                    event.note = clean_outcome(&event.note).map_err(|e| e.to_string())?;
                }
                (_, None) => {}
            }
            match (event.kind, event.to_state) {
                (EventKind::StateChanged, Some(to)) => {
                    if !ticket.state.can_become(to) {
                        return refuse(format!(
                            "ticket {} is {} on the server and cannot become {}; reopen it first if it is resolved or closed",
                            ticket.number(), ticket.state, to
                        ));
                    }
                }
                (EventKind::StateChanged, None) => {
                    return refuse("a state change names the state the ticket goes to (to_state)")
                }
                (_, Some(_)) => return refuse(format!("a {} event changes no state", event.kind)),
                (_, None) => {}
            }
            owner
        }
        ChangeBody::CommentAdded { ticket_id, comment } => {
            let (ticket, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            active(&ticket)?;
            check_written(comment, *ticket_id, signed_in, "comment", facts)?;
            owner
        }
        ChangeBody::InternalNoteAdded { ticket_id, note } => {
            may(
                caller,
                &[Role::SupportStaff],
                "write internal notes; the vendor's support desk does",
            )?;
            // A note goes on any ticket, a closed one too: what was done after the fact.
            let (_, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            check_written(note, *ticket_id, signed_in, "note", facts)?;
            owner
        }
        ChangeBody::AttachmentAdded {
            ticket_id,
            attachment,
        } => {
            let (ticket, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            active(&ticket)?;
            new_record(facts, "attachment", attachment.id, *ticket_id)?;
            plausible(attachment.added_at, "the attachment's time")?;
            let hex = attachment.sha256.len() == 64
                && attachment
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hex {
                return refuse("an attachment names its content by its SHA-256 in lower-case hex");
            }
            if !(1..=MAX_ATTACHMENT_BYTES as i64).contains(&attachment.size) {
                return refuse(format!(
                    "an attachment has 1 byte to {} MiB",
                    MAX_ATTACHMENT_BYTES / 1_048_576
                ));
            }
            if !is_accepted_type(&attachment.content_type) {
                return refuse(format!(
                    "{:?} attachments are not taken; a screenshot, a PDF or a text log",
                    attachment.content_type
                ));
            }
            bounded(&attachment.file_name, MAX_NAME, "a file name")?;
            attachment.added_by = signed_in;
            owner
        }
        ChangeBody::QuoteOffered { ticket_id, quote } => {
            may(
                caller,
                &[Role::SupportStaff],
                "offer quotes; the vendor's support desk does",
            )?;
            let (ticket, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            active(&ticket)?;
            new_record(facts, "quote", quote.id, *ticket_id)?;
            plausible(quote.offered_at, "the quote's time")?;
            if quote.price.amount <= Decimal::ZERO || quote.price.amount > Decimal::from(1_000_000)
            {
                return refuse("a quote's price is above zero and at most 1,000,000");
            }
            if quote.description.trim().is_empty() {
                return refuse("a quote describes the work");
            }
            bounded(&quote.description, MAX_TEXT, "a quote's description")?;
            if quote.decision.is_some() || quote.decided_by.is_some() || quote.decided_at.is_some()
            {
                return refuse("a quote is offered undecided; the shop decides it");
            }
            quote.offered_by = signed_in;
            owner
        }
        ChangeBody::QuoteDecided { ticket_id, quote } => {
            may(
                caller,
                &[Role::ShopAdmin],
                "accept or decline quotes; a shop admin does",
            )?;
            let (_, owner) = ticket_of_reach(caller, *ticket_id, existing, facts)?;
            if facts.record_ticket("quote", quote.id)? != Some(*ticket_id) {
                return refuse(format!("ticket {ticket_id} has no quote {}", quote.id));
            }
            let offered = facts.quote(quote.id)?.expect("its ticket was found");
            if offered.decision.is_some() {
                return refuse("this quote has been decided already");
            }
            let decided_at = quote
                .decided_at
                .ok_or_else(|| "a decided quote says when".to_owned())?;
            plausible(decided_at, "the decision's time")?;
            match quote.decision.as_deref() {
                Some("accepted" | "declined") => {}
                _ => return refuse("a quote is accepted or declined"),
            }
            // The offer stays as the desk made it; only the decision is the shop's.
            *quote = Quote {
                decision: quote.decision.take(),
                decided_by: Some(signed_in),
                decided_at: Some(decided_at),
                ..offered
            };
            owner
        }
        ChangeBody::StationRecorded { station } => {
            may(
                caller,
                &[Role::Station, Role::ShopAdmin, Role::SupportStaff],
                "record stations",
            )?;
            let kept = facts.station(station.id)?;
            let sent = station.compliance.take();
            // The desk records a till's compliance facts, nothing else of it, and only of a
            // till the server has.
            if caller.role == Role::SupportStaff {
                let Some(kept) = &kept else {
                    return refuse(format!("station {} is not known here", station.id));
                };
                *station = Station {
                    updated_at: station.updated_at,
                    ..kept.clone()
                };
            }
            station.compliance = match (caller.role, sent) {
                // A till sends its record with whatever it last pulled: the admin's and the
                // desk's compliance facts stay as the server has them.
                (Role::Station, _) | (_, None) => kept.and_then(|kept| kept.compliance),
                (_, Some(facts)) => Some(facts.checked().map_err(|e| e.to_string())?),
            };
            let owner = match existing {
                Some(owner) => owner,
                None => match (facts.enrolled_shop(station.id)?, caller.role) {
                    (Some(shop), _) => Owner {
                        shop,
                        station: Some(station.id),
                    },
                    // A till's record of itself, under the id the app gave it.
                    (None, Role::Station) => Owner {
                        shop: own_shop(caller)?,
                        station: caller.station_id,
                    },
                    (None, _) => Owner {
                        shop: own_shop(caller)?,
                        station: Some(station.id),
                    },
                },
            };
            // Another till's record, enrolled or made by it, is not this till's to change.
            within_reach(caller, owner)?;
            station.name = clean_station_name(&station.name).map_err(|e| e.to_string())?;
            bounded(&station.location, MAX_NAME, "a station's location")?;
            plausible(station.created_at, "the station's time")?;
            plausible(station.updated_at, "the station's time")?;
            owner
        }
        ChangeBody::ContractOrdered { order } => {
            may(
                caller,
                &[Role::ShopAdmin],
                "order contracts; a shop admin does",
            )?;
            if existing.is_some() {
                return refuse(format!("contract {} exists already", order.contract_id));
            }
            let shop = own_shop(caller)?;
            let contract = confirm_order(order, shop, facts, catalog, change.created_at)?;
            change.body = ChangeBody::ContractConfirmed { contract };
            Owner {
                shop,
                station: None,
            }
        }
        ChangeBody::ContractNoticeGiven { contract_id } => {
            may(caller, &[Role::ShopAdmin], "give notice; a shop admin does")?;
            let owner = existing.ok_or_else(|| format!("no contract {contract_id} here"))?;
            let mut contract = facts
                .contracts(owner.shop)?
                .into_iter()
                .find(|c| c.id == *contract_id)
                .ok_or_else(|| format!("no contract {contract_id} here"))?;
            // The vendor receives the notice the day it arrives, whatever the client's clock.
            contract
                .give_notice(today, Party::Customer)
                .map_err(|e| e.to_string())?;
            change.body = ChangeBody::ContractConfirmed { contract };
            owner
        }
        ChangeBody::ContractConfirmed { .. } => {
            return refuse("only the server confirms contracts; order one (contract_ordered)")
        }
        ChangeBody::RemoteSessionRecorded { session } => {
            may(
                caller,
                &[Role::SupportStaff],
                "record remote sessions; the support desk does",
            )?;
            let owner = match (existing, session.ticket_id, session.station_id) {
                (Some(owner), ..) => owner,
                (None, Some(ticket), _) => ticket_of_reach(caller, ticket, None, facts)?.1,
                (None, None, Some(station)) => station_of_reach(caller, station, facts)?,
                (None, None, None) => {
                    return refuse("a remote session names its ticket or its station")
                }
            };
            plausible(session.started_at, "the session's start")?;
            if let Some(ended) = session.ended_at {
                plausible(ended, "the session's end")?;
            }
            bounded(&session.remote_id, MAX_NAME, "a remote id")?;
            bounded(&session.note, MAX_TEXT, "a session's note")?;
            session.started_by = signed_in;
            owner
        }
        ChangeBody::ConsentRecorded { consent } => {
            may(
                caller,
                &[Role::Station, Role::ShopAdmin],
                "record a cashier's consent",
            )?;
            let at_station = station_of_reach(caller, consent.station_id, facts)?;
            let owner = match (existing, caller.role) {
                (Some(owner), _) => owner,
                (None, Role::Station) => Owner {
                    shop: at_station.shop,
                    station: caller.station_id,
                },
                (None, _) => at_station,
            };
            plausible(consent.given_at, "the consent's time")?;
            if let Some(ended) = consent.ended_at {
                plausible(ended, "the consent's end")?;
            }
            consent.given_by = signed_in;
            owner
        }
    };
    Ok(Admitted { change, owner })
}

fn may(caller: &Caller, roles: &[Role], doing: &str) -> Checked<()> {
    if roles.contains(&caller.role) {
        Ok(())
    } else {
        refuse(format!(
            "{} may not {doing}",
            crate::policy::role_name(caller.role)
        ))
    }
}

fn own_shop(caller: &Caller) -> Checked<Uuid> {
    caller
        .shop_id
        .ok_or_else(|| Refusal::Rejected("the vendor's staff add to what a shop has sent".into()))
}

/// The vendor's staff reach every shop; a shop's people their own shop; a till what it made.
/// Another shop's id is answered as if it did not exist.
fn within_reach(caller: &Caller, owner: Owner) -> Checked<()> {
    match (caller.role, caller.shop_id) {
        (_, None) => Ok(()),
        (_, Some(shop)) if shop != owner.shop => refuse("no such record here"),
        (Role::Station, _) if owner.station != caller.station_id => {
            refuse("that belongs to another till of the shop; the shop admin can work on it")
        }
        _ => Ok(()),
    }
}

fn ticket_of_reach(
    caller: &Caller,
    ticket_id: Uuid,
    existing: Option<Owner>,
    facts: &dyn Facts,
) -> Checked<(TicketNow, Owner)> {
    let owner = match existing {
        Some(owner) => owner,
        None => facts
            .owner(ticket_id)?
            .ok_or_else(|| format!("no ticket {ticket_id} here; file the ticket first"))?,
    };
    within_reach(caller, owner)?;
    let ticket = facts
        .ticket(ticket_id)?
        .ok_or_else(|| format!("{ticket_id} is not a ticket"))?;
    Ok((ticket, owner))
}

/// A station the caller may name: one of its shop, recorded or enrolled. Its owner is the
/// till the station record belongs to (the station itself, for an enrolled one).
/// An order as the contract the server confirms: the shop's own stations, free, priced from
/// the vendor's catalogue. A shop admin's order and a contract the vendor admin makes both
/// come through here.
pub fn confirm_order(
    order: &ContractOrder,
    shop: Uuid,
    facts: &dyn Facts,
    catalog: &Catalog,
    at: DateTime<Utc>,
) -> Checked<Contract> {
    if !(2000..=2100).contains(&chrono::Datelike::year(&order.start)) {
        return refuse("a contract starts between the years 2000 and 2100");
    }
    for station in &order.station_ids {
        let owner = facts.owner(*station)?.map(|owner| owner.shop);
        let station_shop = match owner {
            Some(shop) => Some(shop),
            None => facts.enrolled_shop(*station)?,
        };
        if station_shop != Some(shop) {
            return refuse(format!("no station {station} in this shop"));
        }
    }
    let plan = catalog
        .snapshot(&order.plan_id)
        .map_err(|e| e.to_string())?;
    let mut contract = Contract::new(plan, order.start, order.station_ids.clone(), at)
        .map_err(|e| e.to_string())?;
    contract.id = order.contract_id;
    check_stations_free(&contract, &facts.contracts(shop)?, |id| id.to_string())
        .map_err(|e| e.to_string())?;
    Ok(contract)
}

fn station_of_reach(caller: &Caller, station: Uuid, facts: &dyn Facts) -> Checked<Owner> {
    let owner = match facts.owner(station)? {
        Some(owner) => owner,
        None => Owner {
            shop: facts
                .enrolled_shop(station)?
                .ok_or_else(|| format!("no station {station} here"))?,
            station: Some(station),
        },
    };
    // Naming a station of the shop is fine for each of its tills (a ticket filed at a till is
    // the till's own whichever station record it names); another shop's does not exist.
    match caller.shop_id {
        Some(shop) if shop != owner.shop => refuse(format!("no station {station} here")),
        _ => Ok(owner),
    }
}

fn new_record(facts: &dyn Facts, kind: &'static str, id: Uuid, ticket: Uuid) -> Checked<()> {
    match facts.record_ticket(kind, id)? {
        None => Ok(()),
        Some(_) => refuse(format!(
            "a {kind} {id} exists already; a new {kind} of ticket {ticket} needs a new id"
        )),
    }
}

/// A comment or an internal note (`what`) on a ticket: a new id, a plausible time, some text
/// and not too much; its author is whoever signed in.
fn check_written(
    written: &mut Comment,
    ticket: Uuid,
    signed_in: String,
    what: &'static str,
    facts: &dyn Facts,
) -> Checked<()> {
    new_record(facts, "comment", written.id, ticket)?;
    plausible(written.created_at, &format!("the {what}'s time"))?;
    if written.body.trim().is_empty() {
        return refuse(format!("a {what} needs some text"));
    }
    bounded(&written.body, MAX_COMMENT, &format!("a {what}"))?;
    written.author = signed_in;
    Ok(())
}

fn active(ticket: &TicketNow) -> Checked<()> {
    if ticket.state.is_active() {
        Ok(())
    } else {
        refuse(format!(
            "ticket {} is {}; reopen it before adding to it",
            ticket.number(),
            ticket.state
        ))
    }
}

/// Who may record what on a ticket: quotes' events are the desk's and the shop's as the quotes
/// are; under Second Level only named admins bring a ticket to the vendor, and whether a
/// station is under Second Level follows from the contract covering it.
fn check_event_kind(
    caller: &Caller,
    kind: EventKind,
    ticket: &TicketNow,
    owner: Owner,
    facts: &dyn Facts,
    today: NaiveDate,
) -> Checked<()> {
    match kind {
        EventKind::QuoteOffered => may(caller, &[Role::SupportStaff], "offer quotes"),
        EventKind::Assigned => may(
            caller,
            &[Role::SupportStaff],
            "assign tickets; the vendor's support desk does",
        ),
        EventKind::CalledBack => may(
            caller,
            &[Role::SupportStaff],
            "answer callbacks; the vendor's support desk does",
        ),
        EventKind::TseFailed if ticket.station_id.is_none() => {
            refuse("a TSE failure is a till's: the ticket names no station")
        }
        EventKind::QuoteAccepted | EventKind::QuoteDeclined => {
            may(caller, &[Role::ShopAdmin], "decide quotes")
        }
        EventKind::Escalated if matches!(caller.role, Role::Station | Role::ShopAdmin) => {
            let contracts = facts.contracts(owner.shop)?;
            let named_only = match ticket
                .station_id
                .and_then(|station| covering_contract(&contracts, station, today))
            {
                Some(contract) => contract.plan.plan.who_may_call == WhoMayCall::NamedAdmins,
                None => facts.second_level_shop(owner.shop)?,
            };
            if named_only && !caller.named_contact {
                refuse("under Second Level Support only the shop's named admins bring a ticket to the vendor; ask one of them")
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

fn check_ticket(ticket: &mut Ticket) -> Checked<()> {
    ticket.title = clean_title(&ticket.title).map_err(|e| e.to_string())?;
    if ticket.state != TicketState::New {
        return refuse("a ticket is filed as new; its state changes by events");
    }
    plausible(ticket.created_at, "the ticket's time")?;
    plausible(ticket.updated_at, "the ticket's time")?;
    bounded(&ticket.reporter, MAX_NAME, "the reporter's name")?;
    let request = &ticket.request;
    for (text, what) in [
        (&request.doing, "what was being done"),
        (&request.expected, "what should have happened"),
        (&request.error_message, "the error message"),
    ] {
        bounded(text, MAX_TEXT, what)?;
    }
    let details = &ticket.station_details;
    for text in [
        &details.station_name,
        &details.software_version,
        &details.os,
    ] {
        bounded(text, MAX_NAME, "the station's details")?;
    }
    if ticket.cc.len() > MAX_CC {
        return refuse(format!("a ticket has at most {MAX_CC} people in copy"));
    }
    for person in &ticket.cc {
        bounded(person, MAX_NAME, "a person in copy")?;
    }
    Ok(())
}

fn bounded(text: &str, max: usize, what: &str) -> Checked<()> {
    if text.chars().count() > max {
        refuse(format!("{what} has more than {max} characters"))
    } else {
        Ok(())
    }
}

/// Instants between 2000 and 2100: what every client and the store read back, whatever clock
/// a till had.
fn plausible(at: DateTime<Utc>, what: &str) -> Checked<()> {
    let earliest = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let latest = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    if (earliest..latest).contains(&at) {
        Ok(())
    } else {
        refuse(format!(
            "{what} is {at}; a date between the years 2000 and 2099 is expected (check the clock)"
        ))
    }
}

#[cfg(test)]
mod tests {
    //! The door on its own, against facts held in memory: every rule without a server.

    use std::collections::HashMap;

    use chrono::Utc;
    use stationdesk_core::domain::tickets::{Category, Channel, Priority};
    use stationdesk_core::store::{Comment, TicketEvent};

    use super::*;

    #[derive(Default)]
    struct Known {
        owners: HashMap<Uuid, Owner>,
        enrolled: HashMap<Uuid, Uuid>,
        tickets: HashMap<Uuid, TicketNow>,
        contracts: Vec<Contract>,
        agents: HashMap<Uuid, String>,
        stations: HashMap<Uuid, Station>,
    }

    impl Facts for Known {
        fn owner(&self, id: Uuid) -> Result<Option<Owner>, StorageError> {
            Ok(self.owners.get(&id).copied())
        }
        fn enrolled_shop(&self, station: Uuid) -> Result<Option<Uuid>, StorageError> {
            Ok(self.enrolled.get(&station).copied())
        }
        fn ticket(&self, id: Uuid) -> Result<Option<TicketNow>, StorageError> {
            Ok(self.tickets.get(&id).copied())
        }
        fn record_ticket(&self, _: &'static str, _: Uuid) -> Result<Option<Uuid>, StorageError> {
            Ok(None)
        }
        fn quote(&self, _: Uuid) -> Result<Option<Quote>, StorageError> {
            Ok(None)
        }
        fn station(&self, id: Uuid) -> Result<Option<Station>, StorageError> {
            Ok(self.stations.get(&id).cloned())
        }
        fn contracts(&self, _: Uuid) -> Result<Vec<Contract>, StorageError> {
            Ok(self.contracts.clone())
        }
        fn second_level_shop(&self, _: Uuid) -> Result<bool, StorageError> {
            Ok(false)
        }
        fn support_agent(&self, account: Uuid) -> Result<Option<String>, StorageError> {
            Ok(self.agents.get(&account).cloned())
        }
    }

    fn caller(role: Role, shop: Option<Uuid>, station: Option<Uuid>) -> Caller {
        Caller {
            account: station.unwrap_or_else(Uuid::now_v7),
            role,
            shop_id: shop,
            station_id: station,
            name: format!("the {role:?}"),
            named_contact: false,
            last_used_at: Utc::now(),
            ends_by: None,
            setup_only: false,
        }
    }

    fn ticket(station: Option<Uuid>) -> Ticket {
        let now = Utc::now();
        Ticket {
            id: Uuid::now_v7(),
            station_id: station,
            reporter: "Kasse 1".into(),
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

    fn now(ticket: &Ticket) -> TicketNow {
        TicketNow {
            id: ticket.id,
            state: ticket.state,
            station_id: ticket.station_id,
        }
    }

    fn change(body: ChangeBody) -> Change {
        Change {
            change_id: Uuid::now_v7(),
            created_at: Utc::now(),
            body,
        }
    }

    fn decide(caller: &Caller, body: ChangeBody, known: &Known) -> Result<Admitted, String> {
        let today = Utc::now().date_naive();
        admit(caller, change(body), known, &Catalog::builtin(), today).map_err(|r| match r {
            Refusal::Rejected(reason) => reason,
            Refusal::Failed(e) => panic!("the facts failed: {e}"),
        })
    }

    #[test]
    fn a_tills_ticket_is_its_own_and_another_tills_is_out_of_reach() {
        let (shop, till, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut known = Known::default();
        known.enrolled.extend([(till, shop), (other, shop)]);
        let at_till = caller(Role::Station, Some(shop), Some(till));
        let filed = decide(
            &at_till,
            ChangeBody::TicketFiled {
                ticket: ticket(Some(till)),
            },
            &known,
        )
        .unwrap();
        assert_eq!(
            filed.owner,
            Owner {
                shop,
                station: Some(till)
            }
        );

        let theirs = ticket(Some(other));
        known.owners.insert(
            theirs.id,
            Owner {
                shop,
                station: Some(other),
            },
        );
        known.tickets.insert(theirs.id, now(&theirs));
        let comment = Comment {
            id: Uuid::now_v7(),
            author: "Chefin".into(),
            body: "Bitte neu starten".into(),
            created_at: Utc::now(),
        };
        let body = ChangeBody::CommentAdded {
            ticket_id: theirs.id,
            comment,
        };
        let refused = decide(&at_till, body.clone(), &known).unwrap_err();
        assert!(refused.contains("another till"), "{refused}");
        // The shop's admin may, and the comment then carries the admin's name.
        let admin = caller(Role::ShopAdmin, Some(shop), None);
        let Admitted { change, .. } = decide(&admin, body, &known).unwrap();
        let ChangeBody::CommentAdded { comment, .. } = change.body else {
            unreachable!()
        };
        assert_eq!(comment.author, "the ShopAdmin");
    }

    #[test]
    fn a_state_change_follows_the_servers_state_and_an_order_carries_the_catalogue_price() {
        let (shop, till) = (Uuid::now_v7(), Uuid::now_v7());
        let mut known = Known::default();
        known.enrolled.insert(till, shop);
        let mut closed = ticket(Some(till));
        closed.state = TicketState::Closed;
        known.owners.insert(
            closed.id,
            Owner {
                shop,
                station: Some(till),
            },
        );
        known.tickets.insert(closed.id, now(&closed));
        let event = |to| TicketEvent {
            id: Uuid::now_v7(),
            at: Utc::now(),
            actor: "x".into(),
            kind: EventKind::StateChanged,
            from_state: Some(TicketState::Open),
            to_state: Some(to),
            note: String::new(),
            assignee: None,
        };
        let admin = caller(Role::ShopAdmin, Some(shop), None);
        let resolve = ChangeBody::TicketEvent {
            ticket_id: closed.id,
            event: event(TicketState::Resolved),
        };
        assert!(decide(&admin, resolve, &known)
            .unwrap_err()
            .contains("cannot become resolved"));
        let reopen = ChangeBody::TicketEvent {
            ticket_id: closed.id,
            event: event(TicketState::Open),
        };
        assert!(decide(&admin, reopen, &known).is_ok());

        let order = ChangeBody::ContractOrdered {
            order: stationdesk_protocol::ContractOrder {
                contract_id: Uuid::now_v7(),
                plan_id: "second_level".into(),
                start: Utc::now().date_naive(),
                station_ids: vec![till],
            },
        };
        let Admitted { change, .. } = decide(&admin, order, &known).unwrap();
        let ChangeBody::ContractConfirmed { contract } = change.body else {
            unreachable!()
        };
        assert_eq!(contract.yearly_price().unwrap().to_string(), "650.00 EUR");
        known.contracts.push(contract);
        let again = ChangeBody::ContractOrdered {
            order: stationdesk_protocol::ContractOrder {
                contract_id: Uuid::now_v7(),
                plan_id: "flat".into(),
                start: Utc::now().date_naive(),
                station_ids: vec![till],
            },
        };
        assert!(decide(&admin, again, &known)
            .unwrap_err()
            .contains("already covered"));
    }

    /// A shop's ticket with a till, as the server knows it, and the facts that hold it.
    fn known_ticket() -> (Known, Caller, Caller, Uuid) {
        let (shop, till) = (Uuid::now_v7(), Uuid::now_v7());
        let mut known = Known::default();
        known.enrolled.insert(till, shop);
        let filed = ticket(Some(till));
        let owner = Owner {
            shop,
            station: Some(till),
        };
        known.owners.insert(filed.id, owner);
        known.tickets.insert(filed.id, now(&filed));
        let shop_admin = caller(Role::ShopAdmin, Some(shop), None);
        let at_till = caller(Role::Station, Some(shop), Some(till));
        (known, shop_admin, at_till, filed.id)
    }

    fn assigned(
        ticket_id: Uuid,
        assignee: Option<stationdesk_core::store::Assignee>,
    ) -> ChangeBody {
        ChangeBody::TicketEvent {
            ticket_id,
            event: TicketEvent {
                id: Uuid::now_v7(),
                at: Utc::now(),
                actor: "x".into(),
                kind: EventKind::Assigned,
                from_state: None,
                to_state: None,
                note: String::new(),
                assignee,
            },
        }
    }

    #[test]
    fn the_desk_assigns_to_its_own_agents_under_their_real_names_and_nobody_else_assigns() {
        let (mut known, shop_admin, at_till, ticket_id) = known_ticket();
        let (ben, stranger) = (Uuid::now_v7(), Uuid::now_v7());
        known.agents.insert(ben, "Ben Berger".into());
        let desk = caller(Role::SupportStaff, None, None);
        let claimed = stationdesk_core::store::Assignee {
            id: ben,
            name: "Chef of everything".into(),
        };
        let Admitted { change, .. } =
            decide(&desk, assigned(ticket_id, Some(claimed)), &known).unwrap();
        let ChangeBody::TicketEvent { event, .. } = change.body else {
            unreachable!()
        };
        assert_eq!(event.assignee.map(|a| a.name), Some("Ben Berger".into()));
        // Back to the queue.
        assert!(decide(&desk, assigned(ticket_id, None), &known).is_ok());

        let unknown = stationdesk_core::store::Assignee {
            id: stranger,
            name: "Ben Berger".into(),
        };
        let refused = decide(&desk, assigned(ticket_id, Some(unknown)), &known).unwrap_err();
        assert!(
            refused.contains("not an active support staff account"),
            "{refused}"
        );
        for shop_side in [&shop_admin, &at_till] {
            let refused = decide(shop_side, assigned(ticket_id, None), &known).unwrap_err();
            assert!(refused.contains("may not assign"), "{refused}");
        }
        // An assignee smuggled onto another kind of event.
        let ChangeBody::TicketEvent {
            ticket_id,
            mut event,
        } = assigned(
            ticket_id,
            Some(stationdesk_core::store::Assignee {
                id: ben,
                name: String::new(),
            }),
        )
        else {
            unreachable!()
        };
        event.kind = EventKind::Escalated;
        let refused =
            decide(&desk, ChangeBody::TicketEvent { ticket_id, event }, &known).unwrap_err();
        assert!(refused.contains("only an assigned event"), "{refused}");
    }

    #[test]
    fn only_the_desk_writes_internal_notes() {
        let (known, shop_admin, at_till, ticket_id) = known_ticket();
        let note = || ChangeBody::InternalNoteAdded {
            ticket_id,
            note: Comment {
                id: Uuid::now_v7(),
                author: "x".into(),
                body: "Kunde war unfreundlich, trotzdem Kulanz".into(),
                created_at: Utc::now(),
            },
        };
        let desk = caller(Role::SupportStaff, None, None);
        let Admitted { change, .. } = decide(&desk, note(), &known).unwrap();
        assert!(change.body.is_staff_only());
        for shop_side in [&shop_admin, &at_till] {
            let refused = decide(shop_side, note(), &known).unwrap_err();
            assert!(
                refused.contains("may not write internal notes"),
                "{refused}"
            );
        }
    }
}
