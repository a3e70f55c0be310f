//! Pure rules: money, plans, the advisor, contract terms, stations and coverage. Nothing in here
//! touches a file, a database or the network, so every rule is tested on its own.

/// Declares a string-backed enum with its wire names, `as_str` and `FromStr`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::DomainError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text { $($text => Ok($name::$variant),)+ _ => Err($crate::domain::DomainError::UnknownValue {
                    what: stringify!($name),
                    given: text.to_owned(),
                    known: vec![$($text),+],
                }) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

pub mod advisor;
pub mod attachments;
pub mod billing;
pub mod compliance;
pub mod contract_terms;
pub mod contracts;
pub mod desk_queue;
pub mod money;
pub mod plans;
pub mod report;
pub mod routing;
pub mod sla;
pub mod stations;
pub mod support_hours;
pub mod tickets;

use chrono::NaiveDate;
use thiserror::Error;
use uuid::Uuid;

use money::Currency;

/// A rule was broken. Every message says what happened and what to do about it, because the
/// desktop app and the CLI show it to the user as it is.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("{0:?} is not a currency code; use three capital letters such as EUR")]
    InvalidCurrency(String),

    #[error("cannot add {left} and {right} amounts; convert them to one currency first")]
    CurrencyMismatch { left: Currency, right: Currency },

    #[error("a VAT rate of {0} % is impossible; give a percentage from 0 to 100")]
    InvalidVatRate(rust_decimal::Decimal),

    #[error("the plan catalogue is broken: {0}")]
    InvalidCatalog(String),

    #[error("there is no plan {id:?}; the catalogue has: {}", known.join(", "))]
    UnknownPlan { id: String, known: Vec<String> },

    #[error("the advisor needs between 1 and {max} stations, not {given}")]
    StationCountOutOfRange { given: u32, max: u32 },

    #[error("{contracts} contract(s) of this plan cannot cover {stations} station(s)")]
    PlanCannotCover { contracts: u32, stations: u32 },

    #[error("a {plan} contract covers {range} station(s), not {given}; choose another plan or other stations")]
    WrongStationCount {
        plan: String,
        range: String,
        given: usize,
    },

    #[error("the date is too far in the future to compute; check the year")]
    DateOutOfRange,

    #[error("the contract starts on {start}; there is no term on {on} yet")]
    BeforeContractStart { start: NaiveDate, on: NaiveDate },

    #[error("notice was already received on {received}; the contract ends on {ends_on}")]
    NoticeAlreadyGiven {
        received: NaiveDate,
        ends_on: NaiveDate,
    },

    #[error("station {station:?} is already covered by contract {contract} until {until}; a station has one contract at a time")]
    StationAlreadyCovered {
        station: String,
        contract: Uuid,
        until: String,
    },

    #[error("the same station is listed twice; list each station once")]
    DuplicateStation,

    #[error("{0:?} is not a German state; use an ISO 3166-2 code: DE-BW, DE-BY, DE-BE, DE-BB, DE-HB, DE-HH, DE-HE, DE-MV, DE-NI, DE-NW, DE-RP, DE-SL, DE-SN, DE-ST, DE-SH or DE-TH")]
    UnknownRegion(String),

    #[error("opening hours must close after they open; check each day's times")]
    InvalidOpeningHours,

    #[error("a page of the queue holds 1 to {max} tickets; ask for a number in between")]
    PageSize { max: usize },

    #[error("a search is at most {max} characters on one line; shorten it")]
    SearchTooLong { max: usize },

    #[error("{given:?} names no assignee; use me, none or a staff account's id")]
    UnknownAssignee { given: String },

    #[error("{given:?} is not a {what}; use one of: {}", known.join(", "))]
    UnknownValue {
        what: &'static str,
        given: String,
        known: Vec<&'static str>,
    },

    #[error(
        "a ticket that is {from} cannot become {to}; reopen it first if it is resolved or closed"
    )]
    TransitionNotAllowed {
        from: &'static str,
        to: &'static str,
    },

    #[error("a ticket needs a title (at most {max} characters) that says what is wrong")]
    InvalidTitle { max: usize },

    #[error("a comment has at most {max} characters; attach a long log as a text file")]
    CommentTooLong { max: usize },

    #[error("this ticket is {state}; reopen it before adding to it")]
    TicketNotActive { state: &'static str },

    #[error("that is not a phone number to call back; give digits, with +, spaces or dashes if you like")]
    InvalidPhone,

    #[error("an admin PIN is 4 to 8 digits")]
    InvalidPin,

    #[error("a quote needs an amount above zero and a description of the work")]
    InvalidQuote,

    #[error("say in up to {max} characters what came of the callback")]
    CallbackOutcome { max: usize },

    #[error("{given:?} is not an amount; write it like 180 or 180,50")]
    UnreadableAmount { given: String },

    #[error("there is no open quote on this ticket to accept or decline")]
    NoOpenQuote,

    #[error("this file cannot be attached: {0}")]
    AttachmentRefused(String),

    #[error("a station needs a name (at most {max} characters), such as \"Till 1\"")]
    InvalidStationName { max: usize },

    #[error("{given:?} is not a month; write it like 2026-11")]
    UnreadableMonth { given: String },

    #[error("warn between 1 and {max} minutes before an SLA runs out, not {given}")]
    SlaWarning { given: i64, max: i64 },

    #[error("the TSE outage log: {why}")]
    TseOutage { why: String },

    #[error("the till's {field} cannot be kept: {why}")]
    ComplianceField { field: &'static str, why: String },
}
