use stationdesk_core::domain::stations::{Station, StationCoverage};
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// Every station with its coverage today.
#[tauri::command(async)]
pub fn list_stations(state: State<'_, AppState>) -> Result<Vec<StationCoverage>, UiError> {
    let store = state.store();
    Ok(store.coverage_on(store.today()?)?)
}

#[tauri::command(async)]
pub fn add_station(
    state: State<'_, AppState>,
    name: String,
    location: String,
) -> Result<Station, UiError> {
    Ok(state.store().add_station(&name, &location)?)
}

#[tauri::command(async)]
pub fn rename_station(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<Station, UiError> {
    Ok(state.store().rename_station(&id, &name)?)
}
