//! The e-mail channel: the vendor admin's mailbox and outgoing settings, the channel's state,
//! and the desk's list of unknown senders.

use stationdesk_core::sync::mail;
use stationdesk_protocol::{
    AttachMail, MailChannel, MailNotices, MailboxSettings, OutgoingMailSettings, UnknownSenderMail,
};
use tauri::State;
use uuid::Uuid;

use super::on_own_connection;
use crate::error::UiError;
use crate::state::AppState;

#[tauri::command(async)]
pub fn mail_channel(state: State<'_, AppState>) -> Result<MailChannel, UiError> {
    on_own_connection(&state, mail::channel)
}

#[tauri::command(async)]
pub fn set_mailbox(
    state: State<'_, AppState>,
    name: String,
    settings: MailboxSettings,
) -> Result<MailChannel, UiError> {
    on_own_connection(&state, move |store| {
        mail::set_mailbox(store, &name, &settings)
    })
}

#[tauri::command(async)]
pub fn set_outgoing_mail(
    state: State<'_, AppState>,
    settings: OutgoingMailSettings,
) -> Result<MailChannel, UiError> {
    on_own_connection(&state, move |store| mail::set_outgoing(store, &settings))
}

#[tauri::command(async)]
pub fn unknown_senders(state: State<'_, AppState>) -> Result<Vec<UnknownSenderMail>, UiError> {
    on_own_connection(&state, mail::unknown_senders)
}

/// Attaches an unknown sender's message to a shop; the ticket it became or joined.
#[tauri::command(async)]
pub fn attach_mail(
    state: State<'_, AppState>,
    id: Uuid,
    shop_id: Uuid,
    remember_sender: bool,
) -> Result<Uuid, UiError> {
    on_own_connection(&state, move |store| {
        mail::attach(
            store,
            id,
            &AttachMail {
                shop_id,
                remember_sender,
            },
        )
    })
}

#[tauri::command(async)]
pub fn mail_notices(state: State<'_, AppState>) -> Result<MailNotices, UiError> {
    on_own_connection(&state, mail::notices)
}

#[tauri::command(async)]
pub fn set_mail_notices(
    state: State<'_, AppState>,
    notices: MailNotices,
) -> Result<MailNotices, UiError> {
    on_own_connection(&state, move |store| mail::set_notices(store, &notices))
}
