use chrono::NaiveDate;
use serde::Serialize;
use stationdesk_core::domain::stations::Station;
use stationdesk_core::store::Staff;
use tauri::State;
use uuid::Uuid;

use crate::error::UiError;
use crate::state::AppState;

#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    /// Today in the shop's time zone: the default for every date the UI asks for.
    today: NaiveDate,
    time_zone: String,
    database: String,
    /// Set when this PC is a till: the app opens on the till screen for that station.
    till_station: Option<Station>,
    /// Whether the till asks for a PIN before the admin screens.
    admin_pin_set: bool,
    /// The server started next to the app on this computer (`STATIONDESK_LOCAL_SERVER`, set
    /// by scripts/run.sh): the first-run screen sets up a shop there.
    local_server: Option<String>,
    /// The staff member signed in here, whose role decides which pages the sidebar offers.
    staff: Option<Staff>,
    /// The station this PC is enrolled as: the only one it can be the till of.
    enrolled_station: Option<Uuid>,
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, UiError> {
    let store = state.store();
    let enrolment = store.enrolment()?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        today: store.today()?,
        time_zone: store.time_zone()?.name().to_owned(),
        database: store.path().display().to_string(),
        till_station: store.till_station()?,
        local_server: std::env::var("STATIONDESK_LOCAL_SERVER").ok(),
        admin_pin_set: store.has_admin_pin()?,
        staff: enrolment.as_ref().and_then(|state| state.staff.clone()),
        enrolled_station: enrolment.and_then(|state| state.station_id),
    })
}

/// A desktop notification (the support desk's emergency alert), worded by the window in the
/// user's language. Without a notification service the window's own alert is all there is, and
/// the error says so.
#[tauri::command(async)]
pub fn notify_desktop(summary: String, body: String) -> Result<(), UiError> {
    notify_rust::Notification::new()
        .appname("stationdesk")
        .summary(&summary)
        .body(&body)
        .show()
        .map(drop)
        .map_err(|error| UiError {
            code: "notification",
            message: format!("the desktop notification could not be shown: {error}"),
        })
}

/// The window's first frame is on screen: the start-up time goes to the log once, where an
/// operator looking at a slow till (and the start-up benchmark) reads it, with the page's own
/// share (counted by WebKit from the page's navigation).
#[tauri::command(async)]
pub fn window_painted(state: State<'_, AppState>, modules_ms: f64, drawn_ms: f64, painted_ms: f64) {
    state.painted.call_once(|| {
        eprintln!(
            "stationdesk: first frame painted {} ms after start (the page: modules loaded at \
             {modules_ms:.0} ms, first page in the DOM at {drawn_ms:.0} ms, first frame at \
             {painted_ms:.0} ms)",
            state.started.elapsed().as_millis()
        );
    });
}
