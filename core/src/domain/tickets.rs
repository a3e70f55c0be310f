//! Support tickets: what a good request carries, the states a ticket moves through, and what
//! the form should still ask for.
//!
//! A ticket's history is an audit trail: every change is an event (who, when, from, to), never
//! an overwritten row. Tickets are unlimited: nothing here counts calls or imposes a quota.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::DomainError;

wire_enum!(
    /// What kind of help is asked for (seeds 002, 003).
    Category { Fault = "fault", LegalChange = "legal_change", HowTo = "how_to", OutOfScope = "out_of_scope" }
);
wire_enum!(Priority { Normal = "normal", High = "high", Emergency = "emergency" });
wire_enum!(Channel { EmergencyButton = "emergency_button", Form = "form", Phone = "phone", Email = "email" });
wire_enum!(TicketState {
    New = "new",
    Open = "open",
    WaitingForCustomer = "waiting_for_customer",
    Resolved = "resolved",
    Closed = "closed",
});
wire_enum!(Reproducible { Yes = "yes", No = "no", Sometimes = "sometimes" });

impl Priority {
    /// Sort key, most urgent first.
    pub fn urgency(self) -> u8 {
        match self {
            Priority::Emergency => 0,
            Priority::High => 1,
            Priority::Normal => 2,
        }
    }
}

impl TicketState {
    /// The transition table. Resolved and closed tickets come back through a reopen (to open).
    pub fn can_become(self, to: TicketState) -> bool {
        use TicketState::*;
        matches!(
            (self, to),
            (New, Open | WaitingForCustomer | Resolved | Closed)
                | (Open, WaitingForCustomer | Resolved | Closed)
                | (WaitingForCustomer, Open | Resolved | Closed)
                | (Resolved, Open | Closed)
                | (Closed, Open)
        )
    }

    /// Still being worked on: accepts comments and more information.
    pub fn is_active(self) -> bool {
        !matches!(self, TicketState::Resolved | TicketState::Closed)
    }

    pub fn check_transition(self, to: TicketState) -> Result<(), DomainError> {
        if self.can_become(to) {
            Ok(())
        } else {
            Err(DomainError::TransitionNotAllowed {
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }
}

/// The guided parts of a good request (seeds 002 and 003). All optional: the checklist advises,
/// it never blocks a cashier in trouble.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    /// What I was doing, and where in the system.
    #[serde(default)]
    pub doing: String,
    /// What should have happened.
    #[serde(default)]
    pub expected: String,
    /// The error message as shown.
    #[serde(default)]
    pub error_message: String,
    #[serde(default)]
    pub reproducible: Option<Reproducible>,
    /// Does it also happen on another station or for another user?
    #[serde(default)]
    pub elsewhere_too: Option<bool>,
}

/// What the station knows about itself and puts on every ticket it files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationDetails {
    pub station_name: String,
    pub software_version: String,
    pub os: String,
}

impl StationDetails {
    pub fn of_this_machine(station_name: &str) -> StationDetails {
        StationDetails {
            station_name: station_name.to_owned(),
            software_version: concat!("stationdesk ", env!("CARGO_PKG_VERSION")).to_owned(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    pub station_id: Option<Uuid>,
    pub reporter: String,
    pub title: String,
    pub category: Category,
    pub priority: Priority,
    pub channel: Channel,
    pub state: TicketState,
    pub request: RequestDetails,
    pub station_details: StationDetails,
    pub cc: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Ticket {
    /// The short number a cashier reads out on the phone. Taken from the id's random tail, so
    /// tickets made offline on different tills do not clash.
    pub fn number(&self) -> String {
        ticket_number(self.id)
    }
}

/// A ticket with its short number, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberedTicket {
    pub number: String,
    #[serde(flatten)]
    pub ticket: Ticket,
}

impl From<Ticket> for NumberedTicket {
    fn from(ticket: Ticket) -> Self {
        NumberedTicket {
            number: ticket.number(),
            ticket,
        }
    }
}

pub fn ticket_number(id: Uuid) -> String {
    let hex = id.simple().to_string();
    format!("T-{}", hex[hex.len() - 6..].to_uppercase())
}

pub const MAX_TITLE: usize = 200;
/// A comment is a message in a thread, not a log file (logs are attachments).
pub const MAX_COMMENT: usize = 20_000;

/// A title as typed: trimmed, required, not overlong.
pub fn clean_title(title: &str) -> Result<String, DomainError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(DomainError::InvalidTitle { max: MAX_TITLE });
    }
    Ok(title.to_owned())
}

/// A part of a good request that is still missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPart {
    DescriptiveTitle,
    WhatIWasDoing,
    WhatShouldHaveHappened,
    ErrorMessage,
    Reproducible,
    ElsewhereToo,
}

/// Which parts of a good request are missing. Advice for the form before sending; only the
/// title is required, and nothing of the emergency button.
pub fn checklist(title: &str, request: &RequestDetails, category: Category) -> Vec<MissingPart> {
    let blank = |text: &str| text.trim().is_empty();
    let mut missing = Vec::new();
    // A single word ("Kasse", "Fehler") says neither what nor where; German compounds make two
    // words enough ("Kartenterminal offline").
    if title.split_whitespace().count() < 2 {
        missing.push(MissingPart::DescriptiveTitle);
    }
    if blank(&request.doing) {
        missing.push(MissingPart::WhatIWasDoing);
    }
    if blank(&request.expected) {
        missing.push(MissingPart::WhatShouldHaveHappened);
    }
    // A how-to question or a legal change has no error to report.
    if category == Category::Fault {
        if blank(&request.error_message) {
            missing.push(MissingPart::ErrorMessage);
        }
        if request.reproducible.is_none() {
            missing.push(MissingPart::Reproducible);
        }
        if request.elsewhere_too.is_none() {
            missing.push(MissingPart::ElsewhereToo);
        }
    }
    missing
}

/// A callback number as a cashier types it: digits with the usual separators, and enough
/// digits to be dialled.
pub fn clean_phone(phone: &str) -> Result<String, DomainError> {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '(' | ')'));
    if !allowed || !(5..=20).contains(&digits) || phone.chars().count() > 30 {
        return Err(DomainError::InvalidPhone);
    }
    Ok(phone.to_owned())
}

/// What came of a callback, as the agent writes it for the till: one or a few sentences.
pub fn clean_outcome(outcome: &str) -> Result<String, DomainError> {
    let outcome = outcome.trim();
    if outcome.is_empty() || outcome.chars().count() > MAX_OUTCOME {
        return Err(DomainError::CallbackOutcome { max: MAX_OUTCOME });
    }
    Ok(outcome.to_owned())
}

/// The longest outcome of a callback.
pub const MAX_OUTCOME: usize = 500;

/// An admin PIN: 4 to 8 digits, typed on a till's touch screen.
pub fn clean_pin(pin: &str) -> Result<String, DomainError> {
    let pin = pin.trim();
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(pin.to_owned())
    } else {
        Err(DomainError::InvalidPin)
    }
}

/// A second press within this window on the same station adds to the open emergency ticket
/// instead of filing a duplicate: a cashier pressing again means "still broken, please hurry".
pub const EMERGENCY_REPEAT_WINDOW: Duration = Duration::minutes(30);

/// Whether a press at `now` joins an earlier emergency ticket last pressed at `last_press`.
pub fn joins_open_emergency(
    state: TicketState,
    last_press: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    state.is_active() && now >= last_press && now - last_press <= EMERGENCY_REPEAT_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table() {
        use TicketState::*;
        let allowed: Vec<(TicketState, TicketState)> = TicketState::ALL
            .iter()
            .flat_map(|from| TicketState::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.can_become(*to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (New, Open),
                (New, WaitingForCustomer),
                (New, Resolved),
                (New, Closed),
                (Open, WaitingForCustomer),
                (Open, Resolved),
                (Open, Closed),
                (WaitingForCustomer, Open),
                (WaitingForCustomer, Resolved),
                (WaitingForCustomer, Closed),
                (Resolved, Open),
                (Resolved, Closed),
                (Closed, Open),
            ]
        );
        for state in TicketState::ALL {
            assert!(!state.can_become(*state), "{state} to itself is no change");
            assert!(!state.can_become(New), "nothing goes back to new");
        }
        let err = Closed.check_transition(Resolved).unwrap_err().to_string();
        assert!(
            err.contains("closed") && err.contains("resolved") && err.contains("reopen"),
            "{err}"
        );
    }

    #[test]
    fn wire_names_round_trip() {
        for state in TicketState::ALL {
            assert_eq!(state.as_str().parse::<TicketState>().unwrap(), *state);
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>().unwrap(), *category);
        }
        let err = "urgent".parse::<Priority>().unwrap_err().to_string();
        assert!(
            err.contains("urgent") && err.contains("normal, high, emergency"),
            "{err}"
        );
    }

    #[test]
    fn the_checklist_asks_for_what_a_good_request_carries() {
        let empty = RequestDetails::default();
        assert_eq!(
            checklist("Kasse", &empty, Category::Fault),
            vec![
                MissingPart::DescriptiveTitle,
                MissingPart::WhatIWasDoing,
                MissingPart::WhatShouldHaveHappened,
                MissingPart::ErrorMessage,
                MissingPart::Reproducible,
                MissingPart::ElsewhereToo,
            ]
        );
        let good = RequestDetails {
            doing: "Barzahlung abschließen, Kassenansicht".into(),
            expected: "Bon wird gedruckt".into(),
            error_message: "TSE nicht erreichbar (E-42)".into(),
            reproducible: Some(Reproducible::Sometimes),
            elsewhere_too: Some(false),
        };
        assert!(checklist(
            "Bondrucker druckt nach Barzahlung nicht",
            &good,
            Category::Fault
        )
        .is_empty());
        // A how-to question needs no error message.
        let question = RequestDetails {
            doing: "Tagesabschluss".into(),
            expected: "Z-Bon für gestern".into(),
            ..RequestDetails::default()
        };
        assert!(checklist(
            "Wie drucke ich einen Z-Bon nach?",
            &question,
            Category::HowTo
        )
        .is_empty());
    }

    #[test]
    fn phone_numbers_for_a_callback() {
        assert_eq!(
            clean_phone(" +49 (30) 123-4567 ").unwrap(),
            "+49 (30) 123-4567"
        );
        for bad in ["", "1234", "call me", "+49 30 1234567; rm", &"1".repeat(21)] {
            assert!(clean_phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_are_required_and_bounded() {
        assert_eq!(clean_title("  Drucker  ").unwrap(), "Drucker");
        assert!(clean_title(" ").is_err());
        assert!(clean_title(&"x".repeat(MAX_TITLE + 1)).is_err());
    }

    #[test]
    fn repeated_presses_join_within_the_window_while_the_ticket_is_active() {
        let first: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let within = first + EMERGENCY_REPEAT_WINDOW;
        let after = within + Duration::seconds(1);
        assert!(joins_open_emergency(TicketState::New, first, within));
        assert!(!joins_open_emergency(TicketState::New, first, after));
        assert!(!joins_open_emergency(
            TicketState::Resolved,
            first,
            first + Duration::minutes(1)
        ));
        // A clock that went backwards does not glue unrelated presses together.
        assert!(!joins_open_emergency(
            TicketState::Open,
            first,
            first - Duration::minutes(1)
        ));
    }

    #[test]
    fn ticket_numbers_are_short_and_from_the_random_part() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert_eq!(ticket_number(a).len(), 8);
        assert!(ticket_number(a).starts_with("T-"));
        assert_ne!(
            ticket_number(a),
            ticket_number(b),
            "same millisecond, different numbers"
        );
    }
}
