//! Remote help: the station's tool and id, "Connect" for support, and the cashier's consent.

use stationdesk_core::domain::stations::Station;
use stationdesk_core::remote::detect::{self, FoundTool};
use stationdesk_core::remote::ids::RemoteAddress;
use stationdesk_core::remote::launch::Platform;
use stationdesk_core::remote::RemoteTool;
use stationdesk_core::sessions::{self, process_env, ConnectTo};
use stationdesk_core::store::{Consent, EndReason, RemoteSession, SessionsOf};
use tauri::{AppHandle, Manager, State};

use crate::commands::tickets::me;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn detect_remote_tools() -> Vec<FoundTool> {
    detect::detect(Platform::current(), &process_env)
}

/// Records the station's remote tool and id; no tool forgets them.
#[tauri::command(async)]
pub fn set_station_remote(
    state: State<'_, AppState>,
    station_id: String,
    tool: Option<RemoteTool>,
    id: String,
) -> Result<Station, UiError> {
    let address = tool
        .map(|tool| RemoteAddress::parse(tool, &id))
        .transpose()?;
    Ok(state
        .store()
        .set_station_remote(&station_id, address.as_ref())?)
}

/// "Connect" on a station or a ticket: starts the tool and records the session. When the tool
/// itself exits, the session's end is recorded.
#[tauri::command(async)]
pub fn connect_remote(
    app: AppHandle,
    state: State<'_, AppState>,
    station_id: Option<String>,
    ticket_id: Option<String>,
) -> Result<RemoteSession, UiError> {
    let started_by = me(&state)?;
    let to = ConnectTo {
        station: station_id.as_deref(),
        ticket: ticket_id.as_deref(),
        address: None,
    };
    let connected = sessions::connect(
        &mut state.store(),
        &to,
        None,
        &started_by,
        Platform::current(),
        &process_env,
    )?;
    let session = connected.session.id.to_string();
    let mut child = connected.child;
    let ends_with_child = connected.ends_with_child;
    // Also reaps an opener that handed a URL on, so no zombie is left behind.
    std::thread::spawn(move || {
        if child.wait().is_ok() && ends_with_child {
            let state = app.state::<AppState>();
            let ended = state
                .store()
                .end_remote_session(&session, EndReason::ToolExited, None);
            if let Err(error) = ended {
                eprintln!("stationdesk: could not record the end of session {session}: {error}");
            }
        }
    });
    Ok(connected.session)
}

#[tauri::command(async)]
pub fn end_remote_session(
    state: State<'_, AppState>,
    session_id: String,
    note: Option<String>,
) -> Result<RemoteSession, UiError> {
    Ok(state
        .store()
        .end_remote_session(&session_id, EndReason::EndedBySupport, note.as_deref())?)
}

#[tauri::command(async)]
pub fn remote_sessions(
    state: State<'_, AppState>,
    station_id: Option<String>,
    ticket_id: Option<String>,
) -> Result<Vec<RemoteSession>, UiError> {
    let of = match (&station_id, &ticket_id) {
        (Some(station), _) => SessionsOf::Station(station),
        (None, Some(ticket)) => SessionsOf::Ticket(ticket),
        (None, None) => SessionsOf::Everything,
    };
    Ok(state.store().remote_sessions(of)?)
}

/// What the till shows after the cashier allowed remote help.
#[derive(serde::Serialize)]
pub struct RemoteHelp {
    consent: Consent,
    /// Why the station's tool could not be started, if it could not.
    problem: Option<String>,
}

/// The cashier's one touch at the till: consent recorded, the station's tool started.
#[tauri::command(async)]
pub fn allow_remote_help(
    state: State<'_, AppState>,
    station_id: String,
    ticket_id: Option<String>,
) -> Result<RemoteHelp, UiError> {
    let allowed = sessions::allow_remote_help(
        &mut state.store(),
        &station_id,
        ticket_id.as_deref(),
        "cashier",
        Platform::current(),
        &process_env,
    )?;
    if let Some(tool) = allowed.tool {
        state.keep_remote_tool(tool);
    }
    Ok(RemoteHelp {
        consent: allowed.consent,
        problem: allowed.problem.map(|p| p.to_string()),
    })
}

/// The cashier ends remote help: the consent ends and the tool started for it is closed.
#[tauri::command(async)]
pub fn end_remote_help(state: State<'_, AppState>, station_id: String) -> Result<(), UiError> {
    let mut store = state.store();
    if let Some(consent) = store.remote_help_in_force(&station_id)? {
        store.end_remote_help(consent.id)?;
    }
    state.stop_remote_tool();
    Ok(())
}
