use chrono::NaiveDate;
use stationdesk_core::domain::advisor::{self, Advice, CoverOption};
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::plans::Catalog;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn catalog(state: State<'_, AppState>) -> Catalog {
    state.catalog.clone()
}

#[tauri::command(async)]
pub fn advise(state: State<'_, AppState>, stations: u32) -> Result<Advice, UiError> {
    Ok(advisor::advise(&state.catalog, stations)?)
}

/// Makes all contracts of an advisor option for the given stations, in one transaction.
#[tauri::command(async)]
pub fn apply_option(
    state: State<'_, AppState>,
    option: CoverOption,
    station_ids: Vec<String>,
    start: NaiveDate,
) -> Result<Vec<Contract>, UiError> {
    Ok(state
        .store()
        .create_contracts_for_option(&state.catalog, &option, start, &station_ids)?)
}
