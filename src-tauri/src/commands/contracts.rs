use chrono::NaiveDate;
use stationdesk_core::domain::contracts::{Contract, ContractStatus, Party};
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// Every contract with its term facts as of today.
#[tauri::command(async)]
pub fn list_contracts(state: State<'_, AppState>) -> Result<Vec<ContractStatus>, UiError> {
    let store = state.store();
    Ok(store.contract_statuses(store.today()?)?)
}

#[tauri::command(async)]
pub fn create_contract(
    state: State<'_, AppState>,
    plan: String,
    station_ids: Vec<String>,
    start: NaiveDate,
) -> Result<Contract, UiError> {
    let mut store = state.store();
    let plan = store.catalog()?.snapshot(&plan)?;
    Ok(store.create_contract(plan, start, &station_ids)?)
}

#[tauri::command(async)]
pub fn give_notice(
    state: State<'_, AppState>,
    contract_id: String,
    received: NaiveDate,
    by: Party,
) -> Result<Contract, UiError> {
    Ok(state.store().give_notice(&contract_id, received, by)?)
}
