//! The e-mail channel: the vendor admin sets the support mailboxes and the outgoing server
//! (passwords go in, never out); the vendor admin and the desk read the channel's state; the
//! desk attaches unknown senders' messages to shops.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::Utc;
use stationdesk_protocol::{
    AttachMail, Created, ErrorBody, MailChannel, MailNotices, MailboxSettings,
    OutgoingMailSettings, Role, UnknownSenderMail,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::mail::{self, SecretsKey};
use crate::storage::Storage;
use crate::{blocking, body, policy, Options, Pushes};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(mail_channel))
        .routes(routes!(put_mailbox, remove_mailbox))
        .routes(routes!(put_outgoing))
        .routes(routes!(unknown_senders))
        .routes(routes!(attach_unknown))
        .routes(routes!(own_notices, set_own_notices))
}

const VENDOR: [Role; 1] = [Role::VendorAdmin];
const DESK: [Role; 1] = [Role::SupportStaff];
const READERS: [Role; 2] = [Role::VendorAdmin, Role::SupportStaff];
const SHOP_ADMIN: [Role; 1] = [Role::ShopAdmin];

fn secrets(options: &Options) -> Result<Arc<SecretsKey>, ApiError> {
    options.secrets.clone().ok_or_else(|| {
        ApiError::Conflict(
            "this server keeps no mail passwords: start it with --secrets-key FILE (the same file for every server process)".into(),
        )
    })
}

#[utoipa::path(get, path = "/v1/mail", tag = "mail", security(("bearer" = [])),
    responses((status = 200, description = "The mailboxes with their last fetch and error, the outgoing server, and the replies waiting to be sent", body = MailChannel),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins and support staff only", body = ErrorBody)))]
async fn mail_channel(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<MailChannel>, ApiError> {
    policy::require(&caller, &READERS, "see the mail channel")?;
    Ok(Json(blocking(move || mail::channel(&*storage)).await?))
}

#[utoipa::path(put, path = "/v1/mail/mailboxes/{name}", tag = "mail", security(("bearer" = [])),
    params(("name" = String, Path, description = "The mailbox's name: lower-case letters, digits, hyphens")),
    request_body = MailboxSettings,
    responses((status = 200, description = "The channel with the mailbox as kept; it is read within the poll interval", body = MailChannel),
        (status = 400, description = "A setting is invalid; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 409, description = "The server was started without a secrets key", body = ErrorBody)))]
async fn put_mailbox(
    State(storage): State<Arc<dyn Storage>>,
    Extension(options): Extension<Options>,
    Authenticated(caller, _): Authenticated,
    Path(name): Path<String>,
    request: Result<Json<MailboxSettings>, JsonRejection>,
) -> Result<Json<MailChannel>, ApiError> {
    policy::require(&caller, &VENDOR, "set the support mailboxes")?;
    let settings = body(request)?;
    let key = secrets(&options)?;
    Ok(Json(
        blocking(move || {
            mail::put_mailbox(&*storage, &key, &name, &settings)?;
            mail::channel(&*storage)
        })
        .await?,
    ))
}

#[utoipa::path(delete, path = "/v1/mail/mailboxes/{name}", tag = "mail", security(("bearer" = [])),
    params(("name" = String, Path, description = "The mailbox's name")),
    responses((status = 200, description = "The channel without the mailbox", body = MailChannel),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 404, description = "No such mailbox", body = ErrorBody)))]
async fn remove_mailbox(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(name): Path<String>,
) -> Result<Json<MailChannel>, ApiError> {
    policy::require(&caller, &VENDOR, "remove support mailboxes")?;
    Ok(Json(
        blocking(move || {
            storage.remove_mailbox(&name)?;
            mail::channel(&*storage)
        })
        .await?,
    ))
}

#[utoipa::path(put, path = "/v1/mail/outgoing", tag = "mail", security(("bearer" = [])),
    request_body = OutgoingMailSettings,
    responses((status = 200, description = "The channel with the outgoing server as kept", body = MailChannel),
        (status = 400, description = "A setting is invalid; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 409, description = "The server was started without a secrets key", body = ErrorBody)))]
async fn put_outgoing(
    State(storage): State<Arc<dyn Storage>>,
    Extension(options): Extension<Options>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<OutgoingMailSettings>, JsonRejection>,
) -> Result<Json<MailChannel>, ApiError> {
    policy::require(&caller, &VENDOR, "set the outgoing mail server")?;
    let settings = body(request)?;
    let key = secrets(&options)?;
    Ok(Json(
        blocking(move || {
            mail::put_outgoing(&*storage, &key, &settings)?;
            mail::channel(&*storage)
        })
        .await?,
    ))
}

#[utoipa::path(get, path = "/v1/desk/mail/unknown", tag = "mail", security(("bearer" = [])),
    responses((status = 200, description = "Messages from senders the server does not know (or whose message was refused), the oldest first", body = Vec<UnknownSenderMail>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Support staff only", body = ErrorBody)))]
async fn unknown_senders(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<UnknownSenderMail>>, ApiError> {
    policy::require(&caller, &DESK, "read unknown senders' mail")?;
    Ok(Json(blocking(move || storage.unknown_mail()).await?))
}

#[utoipa::path(post, path = "/v1/desk/mail/unknown/{id}/attach", tag = "mail", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unknown sender's message")),
    request_body = AttachMail,
    responses((status = 200, description = "The ticket the message became or joined", body = Created),
        (status = 400, description = "The message was refused by the ticket rules; the message says why", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Support staff only", body = ErrorBody),
        (status = 404, description = "No such waiting message, or no such shop", body = ErrorBody)))]
async fn attach_unknown(
    State(storage): State<Arc<dyn Storage>>,
    Extension(pushes): Extension<Pushes>,
    Authenticated(caller, _): Authenticated,
    Path(id): Path<Uuid>,
    request: Result<Json<AttachMail>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    policy::require(&caller, &DESK, "attach unknown senders' mail to shops")?;
    let attach = body(request)?;
    let ticket = blocking(move || {
        mail::inbound::attach_unknown(
            &*storage,
            id,
            attach.shop_id,
            attach.remember_sender,
            Utc::now(),
        )
    })
    .await?;
    pushes.announce();
    Ok(Json(Created { id: ticket }))
}

#[utoipa::path(get, path = "/v1/me/mail-notices", tag = "mail", security(("bearer" = [])),
    responses((status = 200, description = "What the signed-in shop admin hears by e-mail", body = MailNotices),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins only", body = ErrorBody)))]
async fn own_notices(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<MailNotices>, ApiError> {
    policy::require(&caller, &SHOP_ADMIN, "choose e-mail notices")?;
    Ok(Json(
        blocking(move || storage.mail_notices(caller.account)).await?,
    ))
}

#[utoipa::path(put, path = "/v1/me/mail-notices", tag = "mail", security(("bearer" = [])),
    request_body = MailNotices,
    responses((status = 200, description = "The choice as kept: e-mails to the address the admin signs in with", body = MailNotices),
        (status = 400, description = "The body is not a choice", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Shop admins only", body = ErrorBody)))]
async fn set_own_notices(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<MailNotices>, JsonRejection>,
) -> Result<Json<MailNotices>, ApiError> {
    policy::require(&caller, &SHOP_ADMIN, "choose e-mail notices")?;
    let notices = body(request)?;
    Ok(Json(
        blocking(move || {
            storage.set_mail_notices(caller.account, notices)?;
            storage.mail_notices(caller.account)
        })
        .await?,
    ))
}
