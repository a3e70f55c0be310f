//! The support desk's work: the queue across every shop, asked of the server a page at a time;
//! taking a ticket, internal notes and quotes, written here and sent through the outbox.

use chrono::Utc;
use serde::Deserialize;
use stationdesk_core::domain::desk_queue::{AssignedTo, QueueFilter};
use stationdesk_core::domain::money::{parse_typed_amount, Currency, Money};
use stationdesk_core::domain::tickets::{
    Category, Channel, NumberedTicket, Priority, RequestDetails, TicketState,
};
use stationdesk_core::store::{Comment, NewTicket, Quote};
use stationdesk_core::sync::{self, desk};
use stationdesk_protocol::{
    DeskCompliance, DeskPage, DeskShop, DeskTicket, DeskTicketInContext, Shop,
};
use tauri::State;
use uuid::Uuid;

use super::on_own_connection;
use super::tickets::me;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn desk_queue(
    state: State<'_, AppState>,
    states: Vec<TicketState>,
    priority: Option<Priority>,
    shop: Option<Uuid>,
    assignee: Option<String>,
    search: Option<String>,
    cursor: Option<String>,
) -> Result<DeskPage, UiError> {
    let filter = QueueFilter {
        states,
        priority,
        shop,
        assignee: assignee
            .filter(|a| !a.is_empty())
            .map(|a| a.parse::<AssignedTo>())
            .transpose()?,
        text: search,
        cursor,
        ..QueueFilter::default()
    };
    on_own_connection(&state, move |store| desk::queue(store, &filter))
}

#[tauri::command(async)]
pub fn desk_callbacks(state: State<'_, AppState>) -> Result<Vec<DeskTicket>, UiError> {
    on_own_connection(&state, desk::callbacks)
}

/// The tills across shops that need the desk's eye for the cash-register law.
#[tauri::command(async)]
pub fn desk_compliance(state: State<'_, AppState>) -> Result<Vec<DeskCompliance>, UiError> {
    on_own_connection(&state, desk::compliance)
}

/// The callback is made: `outcome` is what the till will show.
#[tauri::command(async)]
pub fn mark_called_back(
    state: State<'_, AppState>,
    id: String,
    outcome: String,
) -> Result<NumberedTicket, UiError> {
    let actor = me(&state)?;
    let held = id.clone();
    on_own_connection(&state, move |store| desk::hold(store, &held))?;
    let ticket = state.store().called_back(&id, &outcome, &actor)?;
    send_now(&state);
    Ok(ticket.into())
}

/// Sends what was just written before the desk asks the server for its lists again, so the
/// answer already holds it. Offline the change waits in the outbox like any other, the sync
/// worker sends it when the server is back, and the sync card says so; nothing is lost.
fn send_now(state: &AppState) {
    if on_own_connection(state, sync::push).is_err() {
        state.sync.soon();
    }
}

/// The signed-in agent takes the ticket (`take`), or gives it back to the queue.
#[tauri::command(async)]
pub fn assign_ticket(
    state: State<'_, AppState>,
    id: String,
    take: bool,
) -> Result<NumberedTicket, UiError> {
    let mut store = state.store();
    let agent = store.signed_in_agent()?;
    let actor = agent.name.clone();
    let ticket = store.assign(&id, take.then_some(agent), &actor)?;
    drop(store);
    send_now(&state);
    Ok(ticket.into())
}

#[tauri::command(async)]
pub fn note_ticket(
    state: State<'_, AppState>,
    id: String,
    body: String,
) -> Result<Comment, UiError> {
    let author = me(&state)?;
    let note = state.store().add_internal_note(&id, &author, &body)?;
    state.sync.soon();
    Ok(note)
}

/// Out-of-scope work: a quote of `amount` (net, in euros, as typed) the shop accepts or
/// declines.
#[tauri::command(async)]
pub fn offer_quote(
    state: State<'_, AppState>,
    id: String,
    amount: String,
    description: String,
) -> Result<Quote, UiError> {
    let actor = me(&state)?;
    let price = Money::new(parse_typed_amount(&amount)?, Currency::eur());
    let quote = state
        .store()
        .offer_quote(&id, price, &description, &actor)?;
    state.sync.soon();
    Ok(quote)
}

#[tauri::command(async)]
pub fn desk_ticket_context(
    state: State<'_, AppState>,
    id: Uuid,
) -> Result<DeskTicketInContext, UiError> {
    on_own_connection(&state, move |store| desk::open_ticket(store, id))
}

#[tauri::command(async)]
pub fn desk_shop(state: State<'_, AppState>, shop: Uuid) -> Result<DeskShop, UiError> {
    on_own_connection(&state, move |store| desk::shop(store, shop))
}

#[tauri::command(async)]
pub fn desk_shops(state: State<'_, AppState>) -> Result<Vec<Shop>, UiError> {
    on_own_connection(&state, desk::shops)
}

/// A call or an e-mail the agent logs for a shop's till, with the same checklist as the form.
#[derive(Deserialize)]
pub struct LoggedTicket {
    station_id: Uuid,
    reporter: String,
    title: String,
    category: Category,
    priority: Priority,
    channel: Channel,
    request: RequestDetails,
}

#[tauri::command(async)]
pub fn log_desk_ticket(
    state: State<'_, AppState>,
    ticket: LoggedTicket,
) -> Result<NumberedTicket, UiError> {
    if !matches!(ticket.channel, Channel::Phone | Channel::Email) {
        return Err(UiError {
            code: "rule",
            message: "the desk logs tickets that came by phone or e-mail".into(),
        });
    }
    let filed = state.store().create_ticket(NewTicket {
        station: Some(ticket.station_id.to_string()),
        reporter: ticket.reporter,
        title: ticket.title,
        category: ticket.category,
        priority: ticket.priority,
        channel: ticket.channel,
        request: ticket.request,
        cc: Vec::new(),
    })?;
    state.store().keep_opened(filed.id, &[])?;
    send_now(&state);
    Ok(filed.into())
}

/// The SLA clocks about to run out on the agent's tickets and the unassigned ones, each told
/// once: the window raises a desktop notification for each.
#[tauri::command(async)]
pub fn desk_due_soon(state: State<'_, AppState>) -> Result<Vec<desk::DueSoon>, UiError> {
    on_own_connection(&state, |store| desk::due_soon(store, Utc::now(), false))
}

/// Minutes before an SLA clock runs out that the desk is warned.
#[tauri::command(async)]
pub fn sla_warning(state: State<'_, AppState>) -> Result<i64, UiError> {
    Ok(state.store().sla_warning()?.num_minutes())
}

#[tauri::command(async)]
pub fn set_sla_warning(state: State<'_, AppState>, minutes: i64) -> Result<(), UiError> {
    Ok(state.store().set_sla_warning(minutes)?)
}

/// The vendor's monthly report per shop; `month` like `2026-11`, the running month when none.
#[tauri::command(async)]
pub fn desk_report(
    state: State<'_, AppState>,
    month: Option<String>,
) -> Result<stationdesk_protocol::DeskReport, UiError> {
    on_own_connection(&state, move |store| desk::report(store, month.as_deref()))
}

/// Saves the month's report as CSV into the Downloads folder; answers the path.
#[tauri::command(async)]
pub fn save_desk_report(state: State<'_, AppState>, month: String) -> Result<String, UiError> {
    let dir = stationdesk_core::paths::downloads_dir()?;
    on_own_connection(&state, move |store| {
        desk::save_report(store, &month, &dir).map(|path| path.display().to_string())
    })
}
