//! One's own account (password, two factors) and an admin's view of access (tills, sessions,
//! staff accounts, the vendor's two-factor rule, the security log), all asked of the server.

use stationdesk_core::sync::accounts::{self, TwoFactorStart};
use stationdesk_protocol::{
    RecoveryCodes, SecurityEvent, SecurityPolicy, SessionsEnded, StaffSession, Till,
};
use tauri::State;
use uuid::Uuid;

use super::on_own_connection;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn list_tills(state: State<'_, AppState>) -> Result<Vec<Till>, UiError> {
    on_own_connection(&state, accounts::tills)
}

#[tauri::command(async)]
pub fn revoke_till(state: State<'_, AppState>, station: Uuid) -> Result<Till, UiError> {
    on_own_connection(&state, move |store| accounts::revoke_till(store, station))
}

#[tauri::command(async)]
pub fn list_sessions(state: State<'_, AppState>) -> Result<Vec<StaffSession>, UiError> {
    on_own_connection(&state, accounts::sessions)
}

#[tauri::command(async)]
pub fn end_session(state: State<'_, AppState>, id: String) -> Result<SessionsEnded, UiError> {
    on_own_connection(&state, move |store| accounts::end_session(store, &id))
}

#[tauri::command(async)]
pub fn set_staff_active(
    state: State<'_, AppState>,
    user: Uuid,
    active: bool,
) -> Result<SessionsEnded, UiError> {
    on_own_connection(&state, move |store| {
        accounts::set_active(store, user, active)
    })
}

#[tauri::command(async)]
pub fn set_staff_password(
    state: State<'_, AppState>,
    user: Uuid,
    password: String,
) -> Result<SessionsEnded, UiError> {
    on_own_connection(&state, move |store| {
        accounts::set_password(store, user, &password)
    })
}

#[tauri::command(async)]
pub fn set_own_phone(
    state: State<'_, AppState>,
    phone: Option<String>,
) -> Result<stationdesk_protocol::OwnPhone, UiError> {
    on_own_connection(&state, move |store| {
        accounts::set_own_phone(store, phone.as_deref())
    })
}

#[tauri::command(async)]
pub fn change_password(
    state: State<'_, AppState>,
    old: String,
    new: String,
) -> Result<SessionsEnded, UiError> {
    on_own_connection(&state, move |store| {
        accounts::change_password(store, &old, &new)
    })
}

#[tauri::command(async)]
pub fn begin_two_factor(state: State<'_, AppState>) -> Result<TwoFactorStart, UiError> {
    on_own_connection(&state, accounts::begin_two_factor)
}

#[tauri::command(async)]
pub fn confirm_two_factor(
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoveryCodes, UiError> {
    on_own_connection(&state, move |store| {
        accounts::confirm_two_factor(store, &code)
    })
}

#[tauri::command(async)]
pub fn two_factor_off(state: State<'_, AppState>, password: String) -> Result<(), UiError> {
    on_own_connection(&state, move |store| {
        accounts::two_factor_off(store, &password)
    })
}

#[tauri::command(async)]
pub fn security_policy(state: State<'_, AppState>) -> Result<SecurityPolicy, UiError> {
    on_own_connection(&state, accounts::security_policy)
}

#[tauri::command(async)]
pub fn set_security_policy(
    state: State<'_, AppState>,
    required: bool,
) -> Result<SecurityPolicy, UiError> {
    on_own_connection(&state, move |store| {
        accounts::set_security_policy(
            store,
            &SecurityPolicy {
                two_factor_for_vendor_staff: required,
            },
        )
    })
}

#[tauri::command(async)]
pub fn security_log(
    state: State<'_, AppState>,
    before: Option<i64>,
) -> Result<Vec<SecurityEvent>, UiError> {
    on_own_connection(&state, move |store| accounts::security_log(store, before))
}
