//! The support desk's queue, answered by the server (`GET /v1/desk/tickets`): the desk asks for
//! the page it shows instead of keeping every shop's history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Revisioned;

/// One ticket as the desk's queue lists it, with what an agent needs to pick it up: whose it
/// is, at which till, and who at the shop may call support under the contract covering that
/// till today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskTicket {
    pub id: Uuid,
    /// The short number a cashier reads out on the phone.
    pub number: String,
    pub shop_id: Uuid,
    pub shop_name: String,
    pub station_id: Option<Uuid>,
    pub station_name: Option<String>,
    /// The plan of the contract covering the station today (`flat`, `second_level`, …); none
    /// when the station has no contract or the ticket no station.
    pub plan: Option<String>,
    /// Who may call support under that contract: `anyone_at_station` (Flat) or `named_admins`
    /// (Second Level).
    pub who_may_call: Option<String>,
    pub title: String,
    /// `new`, `open`, `waiting_for_customer`, `resolved` or `closed`.
    pub state: String,
    /// `emergency`, `high` or `normal`.
    pub priority: String,
    /// `emergency_button`, `form`, `phone` or `email`.
    pub channel: String,
    /// The agent the ticket is assigned to; none while it waits in the queue.
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    /// A callback the till asked for outside support hours that nobody has answered yet.
    pub callback: Option<DeskCallback>,
    /// The first-response clock, counted in the desk's support hours.
    pub first_response: DeskSla,
    /// The resolution clock, likewise.
    pub resolution: DeskResolution,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a ticket stands against its first-response target (by priority, in support hours; the
/// clock stops while the ticket waits for the customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskSla {
    /// None while the clock stands still (waiting for the customer).
    pub due: Option<DateTime<Utc>>,
    /// When the ticket first left "new".
    pub responded_at: Option<DateTime<Utc>>,
    /// Answered after the due time, or not answered and the due time passed.
    pub overdue: bool,
}

/// Where a ticket stands against its resolution target (by priority, in support hours; the
/// clock stops while the ticket waits for the customer, and runs on if it is reopened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskResolution {
    /// None while the clock stands still (waiting for the customer).
    pub due: Option<DateTime<Utc>>,
    /// When the ticket became resolved or closed and stayed so.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Resolved after the due time, or not resolved and the due time passed.
    pub overdue: bool,
}

/// A number to call back, left at a till outside support hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskCallback {
    pub phone: String,
    pub requested_at: DateTime<Utc>,
    /// When support is open for it: the request's time, or the next opening after it.
    pub due_from: Option<DateTime<Utc>>,
}

/// One page of the queue: emergencies first, then high, then normal; within each the ticket
/// waiting longest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskPage {
    pub tickets: Vec<DeskTicket>,
    /// Where the next page begins (the `cursor` parameter); none on the last page. Tickets
    /// filed meanwhile never shift a page already read: each page starts after the last
    /// ticket of the one before.
    pub next: Option<String>,
}

/// A shop as the desk sees it beside a ticket (`GET /v1/desk/shops/{shop_id}`): its tills, its
/// contracts, whom it may call support as, and what else of it is still open.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskShop {
    pub id: Uuid,
    pub name: String,
    /// Set up by the vendor under Second Level Support.
    pub second_level: bool,
    pub stations: Vec<DeskStation>,
    pub contracts: Vec<DeskContract>,
    /// The shop admins named in a Second Level contract: those who may call support.
    pub named_admins: Vec<DeskContact>,
    /// The shop's tickets still being worked on, as the queue orders them (at most 50).
    pub open_tickets: Vec<DeskTicket>,
    /// The tills' records as the changes that wrote them, by revision: what the desk's app
    /// keeps to log a call against a till or connect to one.
    #[serde(default)]
    pub station_records: Vec<Revisioned>,
    /// The tills whose TSE certificate ends within 180 days (or has ended), or whose site's
    /// report to the tax office is due.
    #[serde(default)]
    pub compliance: Vec<DeskCompliance>,
}

/// A till of a shop that needs the desk's eye for the cash-register law: its TSE certificate
/// ends within 180 days or has ended, or its site's report to the tax office is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskCompliance {
    pub shop_id: Uuid,
    pub shop_name: String,
    pub station_id: Uuid,
    pub station: String,
    pub site: Option<String>,
    pub tse_serial: Option<String>,
    pub tse_valid_until: Option<NaiveDate>,
    pub days_left: Option<i64>,
    /// `180`, `90`, `30` or `expired`.
    pub warning: Option<String>,
    pub report_due_by: Option<NaiveDate>,
    pub report_overdue: bool,
}

/// A till of the shop: where support connects to, and when it was last heard of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskStation {
    pub id: Uuid,
    pub name: String,
    /// `teamviewer`, `rustdesk`, `anydesk` or `vnc`, as the shop recorded it.
    pub remote_tool: Option<String>,
    pub remote_id: Option<String>,
    /// The plan of the contract covering the till today.
    pub plan: Option<String>,
    /// When the till last reached the server (to the minute); none if it never enrolled.
    pub last_seen_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskContract {
    pub id: Uuid,
    pub plan: String,
    pub station_ids: Vec<Uuid>,
    pub start: NaiveDate,
    /// The end of the term running today (or the first, before the start).
    pub term_end: NaiveDate,
    /// When the contract ends after a notice; none while it renews.
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskContact {
    pub name: String,
    pub email: String,
    /// As they gave it themselves; none when they have not.
    #[serde(default)]
    pub phone: Option<String>,
}

/// One ticket as the queue lists it, with its shop beside it and its whole history
/// (`GET /v1/desk/tickets/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskTicketInContext {
    pub ticket: DeskTicket,
    pub shop: DeskShop,
    /// Every change of the ticket and of its till's record, internal notes included, by
    /// revision: what the desk's app keeps of a ticket it opened, instead of every shop's
    /// history.
    #[serde(default)]
    pub history: Vec<Revisioned>,
}

/// The most tickets one desk's app keeps up to date at once (the ones opened last).
pub const MAX_FOLLOWED: usize = 200;

/// The tickets a desk's app keeps up to date (`POST /v1/desk/followed`), each with the newest
/// revision of it the app holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskFollowed {
    pub tickets: Vec<FollowedTicket>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowedTicket {
    pub id: Uuid,
    /// The newest revision of this ticket the app holds; 0 for none.
    pub after: u64,
}

/// What changed on the followed tickets since: their changes by revision, and the newest
/// revision on the server when they were read (the app holds each followed ticket up to it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskChanges {
    pub changes: Vec<Revisioned>,
    pub cursor: u64,
}

/// The vendor's monthly view of each shop (`GET /v1/desk/report?month=2026-11`, and as CSV
/// from `GET /v1/desk/report.csv`): whether a flat fee pays off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskReport {
    /// `2026-11`.
    pub month: String,
    /// Every shop with a ticket filed in the month or a till under contract at its end (today,
    /// for the running month), the most tickets first, then by name.
    pub shops: Vec<ShopMonth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopMonth {
    pub shop_id: Uuid,
    pub shop_name: String,
    /// Tickets filed in the month.
    pub tickets_opened: u32,
    pub emergencies: u32,
    /// Of those whose first-response clock is decided (answered, or run out), the share
    /// answered in time, in percent with one decimal; none when none is decided yet.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_response_met_percent: Option<rust_decimal::Decimal>,
    /// Likewise for resolving them.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub resolution_met_percent: Option<rust_decimal::Decimal>,
    /// The median time to the first response in the desk's support hours, in minutes.
    pub median_first_response_minutes: Option<i64>,
    /// Tills covered by a contract on the month's last day (today, for the running month).
    pub stations_under_contract: u32,
}
