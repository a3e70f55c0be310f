//! The e-mail channel as the app reaches it: the vendor admin sets the support mailboxes and
//! the outgoing server (passwords go to the server, never back); the vendor admin and the desk
//! read the channel's state; the desk attaches unknown senders' messages to shops.

use reqwest::Method;
use stationdesk_protocol::{
    AttachMail, Created, MailChannel, MailNotices, MailboxSettings, OutgoingMailSettings,
    UnknownSenderMail,
};
use uuid::Uuid;

use super::{get, send, SyncError};
use crate::store::Store;

pub fn channel(store: &mut Store) -> Result<MailChannel, SyncError> {
    get(store, "/mail", &[])
}

pub fn set_mailbox(
    store: &mut Store,
    name: &str,
    settings: &MailboxSettings,
) -> Result<MailChannel, SyncError> {
    send(
        store,
        Method::PUT,
        &format!("/mail/mailboxes/{name}"),
        settings,
    )
}

pub fn set_outgoing(
    store: &mut Store,
    settings: &OutgoingMailSettings,
) -> Result<MailChannel, SyncError> {
    send(store, Method::PUT, "/mail/outgoing", settings)
}

pub fn unknown_senders(store: &mut Store) -> Result<Vec<UnknownSenderMail>, SyncError> {
    get(store, "/desk/mail/unknown", &[])
}

/// The ticket the message became or joined.
pub fn attach(store: &mut Store, id: Uuid, attach: &AttachMail) -> Result<Uuid, SyncError> {
    let created: Created = send(
        store,
        Method::POST,
        &format!("/desk/mail/unknown/{id}/attach"),
        attach,
    )?;
    Ok(created.id)
}

/// What the signed-in shop admin hears by e-mail.
pub fn notices(store: &mut Store) -> Result<MailNotices, SyncError> {
    get(store, "/me/mail-notices", &[])
}

pub fn set_notices(store: &mut Store, notices: &MailNotices) -> Result<MailNotices, SyncError> {
    send(store, Method::PUT, "/me/mail-notices", notices)
}
