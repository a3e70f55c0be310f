use chrono::NaiveDate;
use serde::Serialize;
use stationdesk_core::domain::advisor::{self, CoverOption};
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::money::VatBreakdown;
use stationdesk_core::domain::plans::Catalog;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn catalog(state: State<'_, AppState>) -> Result<Catalog, UiError> {
    Ok(state.store().catalog()?)
}

#[derive(Serialize)]
pub struct PricedOption {
    #[serde(flatten)]
    option: CoverOption,
    vat: VatBreakdown,
}

#[derive(Serialize)]
pub struct PricedAdvice {
    stations: u32,
    options: Vec<PricedOption>,
}

/// The advisor's options, each with the VAT and gross a shop pays.
#[tauri::command(async)]
pub fn advise(state: State<'_, AppState>, stations: u32) -> Result<PricedAdvice, UiError> {
    let advice = advisor::advise(&state.store().catalog()?, stations)?;
    Ok(PricedAdvice {
        stations: advice.stations,
        options: advice
            .options
            .into_iter()
            .map(|option| PricedOption {
                vat: option.vat(state.vat_rate),
                option,
            })
            .collect(),
    })
}

/// Makes all contracts of an advisor option for the given stations, in one transaction.
#[tauri::command(async)]
pub fn apply_option(
    state: State<'_, AppState>,
    option: CoverOption,
    station_ids: Vec<String>,
    start: NaiveDate,
) -> Result<Vec<Contract>, UiError> {
    let mut store = state.store();
    let catalog = store.catalog()?;
    Ok(store.create_contracts_for_option(&catalog, &option, start, &station_ids)?)
}
