use chrono::NaiveDate;
use stationdesk_core::domain::compliance::{ComplianceRow, Site};
use stationdesk_core::domain::stations::{Station, StationCoverage};
use stationdesk_core::store::ComplianceUpdate;
use stationdesk_core::sync;
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

/// Each till's TSE warning and its site's report deadline, today.
#[tauri::command(async)]
pub fn compliance_overview(state: State<'_, AppState>) -> Result<Vec<ComplianceRow>, UiError> {
    let store = state.store();
    Ok(store.compliance_on(store.today()?)?)
}

#[tauri::command(async)]
pub fn set_compliance(
    state: State<'_, AppState>,
    station: String,
    update: ComplianceUpdate,
) -> Result<Station, UiError> {
    let mut store = state.store();
    let today = store.today()?;
    let saved = store.set_compliance(&station, update, today)?;
    state.sync.soon();
    Ok(saved)
}

#[tauri::command(async)]
pub fn set_site_address(
    state: State<'_, AppState>,
    site: String,
    street: String,
    postcode: String,
    city: String,
) -> Result<Site, UiError> {
    let saved = state
        .store()
        .set_site_address(&site, &street, &postcode, &city)?;
    state.sync.soon();
    Ok(saved)
}

#[tauri::command(async)]
pub fn record_report_filed(
    state: State<'_, AppState>,
    site: String,
    filed_on: NaiveDate,
    transfer_ticket: String,
) -> Result<(), UiError> {
    state
        .store()
        .record_report_filed(&site, filed_on, &transfer_ticket)?;
    state.sync.soon();
    Ok(())
}

/// Saves a site's report for the tax office to the Downloads folder, as CSV or JSON; answers
/// where.
#[tauri::command(async)]
pub fn save_site_report(
    state: State<'_, AppState>,
    site: String,
    format: String,
) -> Result<String, UiError> {
    let report = state.store().site_report(&site)?;
    let (bytes, extension) = match format.as_str() {
        "csv" => (report.csv().into_bytes(), "csv"),
        _ => (
            serde_json::to_vec_pretty(&report).expect("plain data serialises"),
            "json",
        ),
    };
    let name = format!(
        "stationdesk-146a-{}.{extension}",
        file_safe(&report.site.name)
    );
    let dir = stationdesk_core::paths::downloads_dir()?;
    Ok(sync::save_whole(&dir, &name, &bytes)?.display().to_string())
}

/// Saves a till's TSE outage log (PDF) to the Downloads folder; answers where.
#[tauri::command(async)]
pub fn save_outage_log(state: State<'_, AppState>, station: String) -> Result<String, UiError> {
    let (name, bytes) = {
        let store = state.store();
        let till = store.station(&station)?;
        (till.name.clone(), store.outage_log_pdf(&station)?)
    };
    let dir = stationdesk_core::paths::downloads_dir()?;
    let file = format!("stationdesk-tse-outages-{}.pdf", file_safe(&name));
    Ok(sync::save_whole(&dir, &file, &bytes)?.display().to_string())
}

/// A site's name as a file name: letters, digits and dashes.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect()
}
