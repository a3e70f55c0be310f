use chrono::Utc;
use serde::{Deserialize, Serialize};
use stationdesk_core::domain::sla::{first_response, resolution, SlaClock, StateChange};
use stationdesk_core::domain::tickets::{
    checklist, Category, MissingPart, NumberedTicket, Priority, RequestDetails, TicketState,
};
use stationdesk_core::store::{
    Attachment, Comment, NewTicket, Quote, TicketDetail, TicketQuery, TicketSort, TicketView,
};
use stationdesk_protocol::Role;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// The list the ticket screen asks for.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewName {
    Shop,
    Mine,
    Cc,
}

/// Who "I" am on the admin's screens until staff log in with the central server: the shop
/// admin named in the settings.
pub(crate) fn me(state: &AppState) -> Result<String, UiError> {
    let store = state.store();
    if let Some(signed_in) = store.signed_in_name()? {
        return Ok(signed_in);
    }
    let name = store.shop_contacts()?.admin_name;
    Ok(if name.is_empty() {
        "Admin".to_owned()
    } else {
        name
    })
}

#[tauri::command(async)]
pub fn list_tickets(
    state: State<'_, AppState>,
    view: ViewName,
    states: Vec<TicketState>,
    priorities: Vec<Priority>,
    urgent_first: bool,
) -> Result<Vec<NumberedTicket>, UiError> {
    let view = match view {
        ViewName::Shop => TicketView::Shop,
        ViewName::Mine => TicketView::Mine(me(&state)?),
        ViewName::Cc => TicketView::Cc(me(&state)?),
    };
    let mut query = TicketQuery::new(view);
    query.states = states;
    query.priorities = priorities;
    if urgent_first {
        query.sort = TicketSort::MostUrgent;
    }
    let tickets = state.store().tickets(&query)?;
    Ok(tickets.into_iter().map(NumberedTicket::from).collect())
}

#[tauri::command(async)]
pub fn search_tickets(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<NumberedTicket>, UiError> {
    let tickets = state.store().search_tickets(&text, 50)?;
    Ok(tickets.into_iter().map(NumberedTicket::from).collect())
}

/// What a good request still lacks, while the form is being filled in.
#[tauri::command(async)]
pub fn ticket_checklist(
    title: String,
    request: RequestDetails,
    category: Category,
) -> Vec<MissingPart> {
    checklist(&title, &request, category)
}

#[derive(Deserialize)]
pub struct TicketForm {
    station: Option<String>,
    title: String,
    category: Category,
    priority: Priority,
    request: RequestDetails,
    cc: Vec<String>,
}

#[tauri::command(async)]
pub fn create_ticket(
    state: State<'_, AppState>,
    form: TicketForm,
) -> Result<NumberedTicket, UiError> {
    let reporter = me(&state)?;
    let ticket = state.store().create_ticket(NewTicket {
        station: form.station.filter(|s| !s.is_empty()),
        reporter,
        title: form.title,
        category: form.category,
        priority: form.priority,
        channel: stationdesk_core::domain::tickets::Channel::Form,
        request: form.request,
        cc: form.cc,
    })?;
    state.sync.soon();
    Ok(ticket.into())
}

#[derive(Serialize)]
pub struct TicketScreen {
    #[serde(flatten)]
    detail: TicketDetail,
    /// The states the ticket may move to now, from the transition table.
    next_states: Vec<TicketState>,
    /// The first-response clock in the support desk's open hours.
    sla: SlaClock,
    /// The resolution clock, likewise.
    resolution: SlaClock,
}

#[tauri::command(async)]
pub fn ticket_detail(state: State<'_, AppState>, id: String) -> Result<TicketScreen, UiError> {
    let detail = state.store().ticket(&id)?;
    let ticket = &detail.ticket;
    let changes: Vec<StateChange> = detail
        .events
        .iter()
        .filter_map(|e| e.to_state.map(|to| StateChange { at: e.at, to }))
        .collect();
    let (calendar, now) = (&state.calendar, Utc::now());
    Ok(TicketScreen {
        next_states: TicketState::ALL
            .iter()
            .copied()
            .filter(|to| ticket.state.can_become(*to))
            .collect(),
        sla: first_response(calendar, ticket.priority, ticket.created_at, &changes, now),
        resolution: resolution(calendar, ticket.priority, ticket.created_at, &changes, now),
        detail,
    })
}

#[tauri::command(async)]
pub fn escalate_ticket(state: State<'_, AppState>, id: String) -> Result<NumberedTicket, UiError> {
    let actor = me(&state)?;
    Ok(state.store().escalate(&id, &actor)?.into())
}

/// The emergency was the TSE failing: from the till, the station says so; elsewhere whoever
/// is signed in.
#[tauri::command(async)]
pub fn mark_tse_failure(state: State<'_, AppState>, id: String) -> Result<NumberedTicket, UiError> {
    let actor = match state.store().till_station()? {
        Some(till) => till.name,
        None => me(&state)?,
    };
    let marked = state.store().mark_tse_failure(&id, &actor)?;
    state.sync.soon();
    Ok(marked.into())
}

/// The TSE works again (the shop admin at the till's admin pages, or support): the outage
/// ends with its cause.
#[tauri::command(async)]
pub fn record_tse_working(
    state: State<'_, AppState>,
    id: String,
    cause: String,
) -> Result<NumberedTicket, UiError> {
    let actor = me(&state)?;
    let ended = state.store().record_tse_working(&id, &cause, &actor)?;
    state.sync.soon();
    Ok(ended.into())
}

/// Outside support hours: the number the callback service should call. From the till, the
/// station is the one asking.
#[tauri::command(async)]
pub fn request_callback(
    state: State<'_, AppState>,
    id: String,
    phone: String,
) -> Result<NumberedTicket, UiError> {
    let mut store = state.store();
    let actor = store
        .till_station()?
        .map_or_else(|| "Admin".to_owned(), |s| s.name);
    Ok(store.request_callback(&id, &phone, &actor)?.into())
}

#[tauri::command(async)]
pub fn decide_quote(
    state: State<'_, AppState>,
    id: String,
    accept: bool,
) -> Result<Quote, UiError> {
    let actor = me(&state)?;
    Ok(state.store().decide_quote(&id, accept, &actor)?)
}

/// A file the admin picked; its bytes arrive from the window (10 MiB at most, checked in core).
#[tauri::command(async)]
pub fn attach_file(
    state: State<'_, AppState>,
    id: String,
    name: String,
    bytes: Vec<u8>,
) -> Result<Attachment, UiError> {
    let actor = me(&state)?;
    Ok(state.store().attach(&id, &name, &bytes, &actor)?)
}

#[tauri::command(async)]
pub fn comment_ticket(
    state: State<'_, AppState>,
    id: String,
    body: String,
) -> Result<Comment, UiError> {
    let author = me(&state)?;
    let mut store = state.store();
    let desk = store
        .enrolment()?
        .and_then(|enrolled| enrolled.staff)
        .is_some_and(|staff| staff.role == Role::SupportStaff);
    let comment = if desk {
        store.desk_reply(&id, &author, &body)?
    } else {
        store.comment(&id, &author, &body)?
    };
    drop(store);
    state.sync.soon();
    Ok(comment)
}

#[tauri::command(async)]
pub fn set_ticket_state(
    state: State<'_, AppState>,
    id: String,
    to: TicketState,
) -> Result<NumberedTicket, UiError> {
    let actor = me(&state)?;
    let ticket = state.store().change_ticket_state(&id, to, &actor)?;
    state.sync.soon();
    Ok(ticket.into())
}
