//! stationdesk's core: everything the desktop app and `stationdesk-cli` know, without a window.
//!
//! - [`domain`] holds the pure rules: money and VAT, the plan catalogue, the plan advisor, the
//!   contract term rules, stations and their coverage, support hours, tickets and routing. No I/O.
//! - [`store`] keeps stations, contracts and tickets in one local SQLite file and is the only
//!   module that speaks SQL.
//! - [`emergency`] is the cashier's button: ticket first, then routing and support hours.
//! - [`paths`] says where that file lives.
//! - [`pdf`] writes plain A4 documents: the invoice's readable copy, a till's TSE outage log.
//! - [`sync`] sends the outbox to the central server (the only module that speaks HTTP);
//!   [`secrets`] keeps its tokens in the OS keyring.
//! - [`wire`] is the protocol's typed change vocabulary with this crate's records, shared with
//!   the server, which checks every change against the same rules.
//! - [`remote`] connects support staff to a station with its remote tool, without a shell;
//!   [`sessions`] records who connected where, and the cashier's consent.
//!
//! Dates are civil dates in the shop's time zone ([`store::Store::time_zone`]); instants are
//! stored in UTC.

pub mod domain;
pub mod emergency;
pub mod paths;
pub mod pdf;
pub mod remote;
pub mod secrets;
pub mod sessions;
pub mod store;
pub mod sync;
pub mod wire;
