//! The support desk's queue across every shop, asked of the server a page at a time.

use stationdesk_core::domain::desk_queue::QueueFilter;
use stationdesk_core::domain::tickets::{Priority, TicketState};
use stationdesk_core::sync::desk;
use stationdesk_protocol::DeskPage;
use tauri::State;
use uuid::Uuid;

use super::on_own_connection;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn desk_queue(
    state: State<'_, AppState>,
    states: Vec<TicketState>,
    priority: Option<Priority>,
    shop: Option<Uuid>,
    search: Option<String>,
    cursor: Option<String>,
) -> Result<DeskPage, UiError> {
    let filter = QueueFilter {
        states,
        priority,
        shop,
        text: search,
        cursor,
        ..QueueFilter::default()
    };
    on_own_connection(&state, move |store| desk::queue(store, &filter))
}
