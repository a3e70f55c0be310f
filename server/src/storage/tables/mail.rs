//! The e-mail channel's tables: the mailboxes and how far each is read, what became of every
//! message, each e-mail ticket's thread, the unknown senders' messages, and the outbox of the
//! desk's replies.

use chrono::{DateTime, Utc};
use stationdesk_core::domain::tickets::ticket_number;
use stationdesk_protocol::{
    MailNotices, MailboxSettings, OutgoingMailSettings, QueuedMail, SmtpSecurity, UnknownSenderMail,
};
use uuid::Uuid;

use super::SqlStorage;
use crate::args;
use crate::storage::sql::Sql;
use crate::storage::{
    MailBook, MailboxRecord, MailboxSignIn, OutboxKind, OutboxMail, OutgoingRecord, StorageError,
    ThreadMessage, UnknownRecord,
};

/// Queues a desk reply on an e-mail ticket for sending, in the reply's own transaction: the
/// reply is stored and its mail queued, or neither. Tickets without a thread (filed in the app
/// as e-mail, say) have nobody to write to.
pub(super) fn queue_reply(
    tx: &dyn Sql,
    ticket: Uuid,
    reply: Uuid,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    tx.run(
        "INSERT INTO mail_outbox (id, kind, ticket_id, author, body, queued_at, next_attempt_at)
         SELECT ?1, 'reply', ?2, ?3, ?4, ?5, ?5
         WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?2 AND channel = 'email')
           AND EXISTS (SELECT 1 FROM mail_thread WHERE ticket_id = ?2)
         ON CONFLICT DO NOTHING",
        args![reply, ticket, author, body, now],
    )?;
    Ok(())
}

/// What a notice tells of.
pub(super) enum Notice<'a> {
    /// Support answered (`source` the comment) or offered a quote (`source` the quote) on a
    /// ticket.
    Ticket {
        kind: OutboxKind,
        ticket: Uuid,
        source: Uuid,
    },
    Invoice {
        shop: Uuid,
        number: &'a str,
    },
}

/// Queues a notice to each active admin of the shop who asked for this kind, in the
/// transaction of what it tells of. An admin who is the customer of an e-mail ticket gets the
/// reply itself, not a notice of it too.
pub(super) fn queue_notices(
    tx: &dyn Sql,
    notice: Notice<'_>,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let (kind, column, ticket, shop, source, number) = match notice {
        Notice::Ticket {
            kind,
            ticket,
            source,
        } => (
            kind,
            if kind == OutboxKind::Quote {
                "quotes"
            } else {
                "answers"
            },
            Some(ticket),
            None,
            source.to_string(),
            None,
        ),
        Notice::Invoice { shop, number } => (
            OutboxKind::Invoice,
            "invoices",
            None,
            Some(shop),
            number.to_owned(),
            Some(number),
        ),
    };
    tx.run(
        &format!(
            "INSERT INTO mail_outbox (id, kind, ticket_id, to_address, invoice_number, author, body, queued_at, next_attempt_at)
             SELECT ?1 || ':' || u.id, ?8, ?2, u.email, ?3, ?4, ?5, ?6, ?6
             FROM users u JOIN mail_notices n ON n.user_id = u.id
             WHERE u.active AND n.{column}
               AND u.shop_id = coalesce(?7, (SELECT shop_id FROM tickets WHERE id = ?2))
               AND NOT EXISTS (SELECT 1 FROM mail_thread t
                               WHERE t.ticket_id = ?2 AND NOT t.sent
                                 AND t.address = lower(u.email))
             ON CONFLICT DO NOTHING"
        ),
        args![
            format!("{}:{source}", kind.as_str()),
            ticket,
            number,
            author,
            body,
            now,
            shop,
            kind.as_str()
        ],
    )?;
    Ok(())
}

/// An unknown sender's message as the desk's list shows it: the columns, and the row read.
const UNKNOWN_COLUMNS: &str = "id, mailbox, address, name, subject, excerpt, received_at";
type UnknownRow = (Uuid, String, String, String, String, String, DateTime<Utc>);

fn listed(
    (id, mailbox, address, name, subject, excerpt, received_at): UnknownRow,
) -> UnknownSenderMail {
    UnknownSenderMail {
        id,
        mailbox,
        address,
        name,
        subject,
        excerpt,
        received_at,
    }
}

fn security_of(text: &str) -> Result<SmtpSecurity, StorageError> {
    match text {
        "starttls" => Ok(SmtpSecurity::Starttls),
        "tls" => Ok(SmtpSecurity::Tls),
        other => Err(StorageError::Backend(format!(
            "unknown mail security {other:?} in the database"
        ))),
    }
}

fn security_text(security: SmtpSecurity) -> &'static str {
    match security {
        SmtpSecurity::Starttls => "starttls",
        SmtpSecurity::Tls => "tls",
    }
}

fn small(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

impl MailBook for SqlStorage {
    fn mailboxes(&self) -> Result<Vec<MailboxRecord>, StorageError> {
        type Row = (
            String,
            String,
            i64,
            String,
            Option<Vec<u8>>,
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
            Option<String>,
            bool,
            Option<i64>,
            i64,
            Option<DateTime<Utc>>,
            Option<String>,
            i64,
            Option<DateTime<Utc>>,
        );
        let rows: Vec<Row> = self.read(|db| {
            db.all(
                "SELECT name, host, port, username, password_sealed, oauth_token_url,
                        oauth_client_id, oauth_sealed, ca_pem, enabled, uid_validity, last_uid,
                        last_fetch_at, last_error, imported, changed_at
                 FROM mailboxes ORDER BY name",
                &[],
            )
        })?;
        rows.into_iter()
            .map(
                |(
                    name,
                    host,
                    port,
                    user,
                    password_sealed,
                    token_url,
                    client_id,
                    oauth_sealed,
                    ca_pem,
                    enabled,
                    uid_validity,
                    last_uid,
                    last_fetch_at,
                    last_error,
                    imported,
                    changed_at,
                )| {
                    let sign_in = match (password_sealed, token_url, client_id, oauth_sealed) {
                        (Some(sealed), ..) => MailboxSignIn::Password(sealed),
                        (None, Some(token_url), Some(client_id), Some(sealed)) => {
                            MailboxSignIn::OAuth2 {
                                token_url,
                                client_id,
                                sealed,
                            }
                        }
                        _ => {
                            return Err(StorageError::Backend(format!(
                                "the mailbox {name} has no way to sign in"
                            )))
                        }
                    };
                    Ok(MailboxRecord {
                        name,
                        host,
                        port: u16::try_from(port).unwrap_or(993),
                        user,
                        sign_in,
                        ca_pem,
                        enabled,
                        changed_at,
                        uid_validity: uid_validity.map(small),
                        last_uid: small(last_uid),
                        last_fetch_at,
                        last_error,
                        imported: u64::try_from(imported).unwrap_or(0),
                    })
                },
            )
            .collect()
    }

    fn put_mailbox(
        &self,
        name: &str,
        settings: &MailboxSettings,
        sign_in: Option<MailboxSignIn>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            let known: Option<(String, String)> = db.row(
                "SELECT host, username FROM mailboxes WHERE name = ?1",
                args![name],
            )?;
            if known.is_none() && sign_in.is_none() {
                return Err(StorageError::Invalid(format!(
                    "the mailbox {name} is new: give its password, or OAuth 2.0 with a refresh token"
                )));
            }
            db.run(
                "INSERT INTO mailboxes (name, host, port, username, ca_pem, enabled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port,
                    username = excluded.username, ca_pem = excluded.ca_pem,
                    enabled = excluded.enabled, last_error = NULL",
                args![
                    name,
                    &settings.host,
                    i64::from(settings.port),
                    &settings.user,
                    settings.ca_pem.as_deref(),
                    settings.enabled
                ],
            )?;
            match sign_in {
                Some(MailboxSignIn::Password(sealed)) => db.run(
                    "UPDATE mailboxes SET password_sealed = ?2, oauth_token_url = NULL,
                            oauth_client_id = NULL, oauth_sealed = NULL
                     WHERE name = ?1",
                    args![name, &sealed],
                )?,
                Some(MailboxSignIn::OAuth2 {
                    token_url,
                    client_id,
                    sealed,
                }) => db.run(
                    "UPDATE mailboxes SET password_sealed = NULL, oauth_token_url = ?2,
                            oauth_client_id = ?3, oauth_sealed = ?4
                     WHERE name = ?1",
                    args![name, &token_url, &client_id, &sealed],
                )?,
                // The endpoint and the client may change while the secrets stay; a mailbox
                // signing in with a password has none to keep.
                None => match &settings.oauth2 {
                    Some(oauth2) => {
                        let kept = db.run(
                            "UPDATE mailboxes SET oauth_token_url = ?2, oauth_client_id = ?3
                             WHERE name = ?1 AND oauth_sealed IS NOT NULL",
                            args![name, &oauth2.token_url, &oauth2.client_id],
                        )?;
                        if kept == 0 {
                            return Err(StorageError::Invalid(format!(
                                "the mailbox {name} signs in with a password: to change to \
                                 OAuth 2.0, give its refresh token"
                            )));
                        }
                        kept
                    }
                    None => 0,
                },
            };
            db.run(
                "UPDATE mailboxes SET changed_at = ?2 WHERE name = ?1",
                args![name, Utc::now()],
            )?;
            // Another mailbox behind the same name: its UIDs say nothing of this one.
            if known.is_some_and(|(host, user)| host != settings.host || user != settings.user) {
                db.run(
                    "UPDATE mailboxes SET uid_validity = NULL, last_uid = 0 WHERE name = ?1",
                    args![name],
                )?;
            }
            Ok(())
        })
    }

    fn mailbox_token_rotated(&self, name: &str, sealed: &[u8]) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE mailboxes SET oauth_sealed = ?2 WHERE name = ?1 AND oauth_sealed IS NOT NULL",
                args![name, sealed],
            )?;
            Ok(())
        })
    }

    fn remove_mailbox(&self, name: &str) -> Result<(), StorageError> {
        let removed =
            self.write(|db| db.run("DELETE FROM mailboxes WHERE name = ?1", args![name]))?;
        if removed == 0 {
            return Err(StorageError::NotFound(format!(
                "there is no mailbox {name}"
            )));
        }
        Ok(())
    }

    fn mailbox_fetched(
        &self,
        name: &str,
        read_to: Option<(u32, u32)>,
        at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE mailboxes SET last_fetch_at = ?2, last_error = ?3 WHERE name = ?1",
                args![name, at, error],
            )?;
            if let Some((validity, uid)) = read_to {
                db.run(
                    "UPDATE mailboxes SET uid_validity = ?2, last_uid = ?3 WHERE name = ?1",
                    args![name, i64::from(validity), i64::from(uid)],
                )?;
            }
            Ok(())
        })
    }

    fn mail_taken(&self, mailbox: &str, uid_validity: u32, uid: u32) -> Result<bool, StorageError> {
        let found: Option<i64> = self.read(|db| {
            db.row(
                "SELECT 1 FROM mail_messages WHERE mailbox = ?1 AND uid_validity = ?2 AND uid = ?3",
                args![mailbox, i64::from(uid_validity), i64::from(uid)],
            )
        })?;
        Ok(found.is_some())
    }

    fn mail_outcome(
        &self,
        mailbox: &str,
        uid_validity: u32,
        uid: u32,
        message_id: Option<&str>,
        outcome: &str,
        ticket: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            let new = db.run(
                "INSERT INTO mail_messages (mailbox, uid_validity, uid, message_id, outcome, ticket_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                args![
                    mailbox,
                    i64::from(uid_validity),
                    i64::from(uid),
                    message_id,
                    outcome,
                    ticket,
                    at
                ],
            )?;
            db.run(
                "UPDATE mailboxes SET imported = imported + ?2 WHERE name = ?1",
                args![mailbox, i64::try_from(new).unwrap_or(0)],
            )?;
            Ok(())
        })
    }

    fn sent_in_thread(&self, message_ids: &[String]) -> Result<Option<Uuid>, StorageError> {
        self.read(|db| {
            for id in message_ids {
                let ticket: Option<Uuid> = db.row(
                    "SELECT ticket_id FROM mail_thread WHERE message_id = ?1 AND sent",
                    args![id],
                )?;
                if ticket.is_some() {
                    return Ok(ticket);
                }
            }
            Ok(None)
        })
    }

    fn ticket_numbered(
        &self,
        shop: Option<Uuid>,
        number: &str,
    ) -> Result<Option<Uuid>, StorageError> {
        let tail = number.trim_start_matches("T-").to_lowercase();
        if tail.len() != 6 || !tail.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let pattern = format!("%{tail}");
        let found: Vec<Uuid> = self.read(|db| match shop {
            Some(shop) => db.all(
                "SELECT id FROM tickets WHERE id LIKE ?1 AND shop_id = ?2",
                args![&pattern, shop],
            ),
            None => db.all("SELECT id FROM tickets WHERE id LIKE ?1", args![&pattern]),
        })?;
        // The number is short: where two tickets share it, it names neither.
        Ok(match found.as_slice() {
            [one] if ticket_number(*one) == number => Some(*one),
            _ => None,
        })
    }

    fn mail_ticket(&self, ticket: Uuid) -> Result<Option<(Uuid, String, String)>, StorageError> {
        self.read(|db| {
            db.row(
                "SELECT shop_id, state, title FROM tickets WHERE id = ?1",
                args![ticket],
            )
        })
    }

    fn add_to_thread(
        &self,
        ticket: Uuid,
        message: &ThreadMessage,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "INSERT INTO mail_thread (message_id, ticket_id, sent, address, at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                args![
                    &message.message_id,
                    ticket,
                    message.sent,
                    &message.address,
                    at
                ],
            )?;
            Ok(())
        })
    }

    fn thread(&self, ticket: Uuid) -> Result<Vec<ThreadMessage>, StorageError> {
        let rows: Vec<(String, bool, String)> = self.read(|db| {
            db.all(
                "SELECT message_id, sent, address FROM mail_thread WHERE ticket_id = ?1
                 ORDER BY at, message_id",
                args![ticket],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|(message_id, sent, address)| ThreadMessage {
                message_id,
                sent,
                address,
            })
            .collect())
    }

    fn mail_sender_shop(&self, address: &str) -> Result<Option<Uuid>, StorageError> {
        self.read(|db| {
            db.row(
                "SELECT shop_id FROM mail_senders WHERE address = ?1",
                args![address],
            )
        })
    }

    fn keep_unknown_mail(&self, mail: &UnknownRecord) -> Result<(), StorageError> {
        let listed = &mail.listed;
        self.write(|db| {
            db.run(
                "INSERT INTO mail_unknown (id, mailbox, address, name, subject, excerpt, received_at, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                args![
                    listed.id,
                    &listed.mailbox,
                    &listed.address,
                    &listed.name,
                    &listed.subject,
                    &listed.excerpt,
                    listed.received_at,
                    &mail.raw
                ],
            )?;
            Ok(())
        })
    }

    fn unknown_mail(&self) -> Result<Vec<UnknownSenderMail>, StorageError> {
        let rows: Vec<UnknownRow> = self.read(|db| {
            db.all(
                &format!(
                    "SELECT {UNKNOWN_COLUMNS} FROM mail_unknown WHERE ticket_id IS NULL
                     ORDER BY received_at, id"
                ),
                &[],
            )
        })?;
        Ok(rows.into_iter().map(listed).collect())
    }

    fn unknown_mail_whole(&self, id: Uuid) -> Result<Option<UnknownRecord>, StorageError> {
        self.read(|db| {
            let row: Option<UnknownRow> = db.row(
                &format!(
                    "SELECT {UNKNOWN_COLUMNS} FROM mail_unknown WHERE id = ?1 AND ticket_id IS NULL"
                ),
                args![id],
            )?;
            let raw: Option<Vec<u8>> =
                db.row("SELECT raw FROM mail_unknown WHERE id = ?1", args![id])?;
            Ok(row.zip(raw).map(|(row, raw)| UnknownRecord {
                listed: listed(row),
                raw,
            }))
        })
    }

    fn unknown_mail_attached(
        &self,
        id: Uuid,
        ticket: Uuid,
        remember: Option<(&str, Uuid)>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE mail_unknown SET ticket_id = ?2 WHERE id = ?1",
                args![id, ticket],
            )?;
            if let Some((address, shop)) = remember {
                db.run(
                    "INSERT INTO mail_senders (address, shop_id) VALUES (?1, ?2)
                     ON CONFLICT (address) DO UPDATE SET shop_id = excluded.shop_id",
                    args![address, shop],
                )?;
            }
            Ok(())
        })
    }

    fn outgoing_mail(&self) -> Result<Option<OutgoingRecord>, StorageError> {
        type Row = (
            String,
            i64,
            String,
            Option<String>,
            Option<Vec<u8>>,
            Option<String>,
            String,
            String,
        );
        let row: Option<Row> = self.read(|db| {
            db.row(
                "SELECT host, port, security, username, password_sealed, ca_pem, from_address, from_name
                 FROM mail_outgoing WHERE id = 1",
                &[],
            )
        })?;
        row.map(
            |(host, port, security, user, password_sealed, ca_pem, from_address, from_name)| {
                Ok(OutgoingRecord {
                    host,
                    port: u16::try_from(port).unwrap_or(587),
                    security: security_of(&security)?,
                    user,
                    password_sealed,
                    ca_pem,
                    from_address,
                    from_name,
                })
            },
        )
        .transpose()
    }

    fn put_outgoing_mail(
        &self,
        settings: &OutgoingMailSettings,
        password_sealed: Option<Vec<u8>>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "INSERT INTO mail_outgoing (id, host, port, security, username, password_sealed, ca_pem, from_address, from_name)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port,
                    security = excluded.security, username = excluded.username,
                    password_sealed = coalesce(excluded.password_sealed, mail_outgoing.password_sealed),
                    ca_pem = excluded.ca_pem, from_address = excluded.from_address,
                    from_name = excluded.from_name",
                args![
                    &settings.host,
                    i64::from(settings.port),
                    security_text(settings.security),
                    settings.user.as_deref(),
                    password_sealed.as_ref(),
                    settings.ca_pem.as_deref(),
                    &settings.from_address,
                    &settings.from_name
                ],
            )?;
            // Without a user there is nothing to sign in with.
            if settings.user.is_none() {
                db.run("UPDATE mail_outgoing SET password_sealed = NULL", &[])?;
            }
            Ok(())
        })
    }

    fn due_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMail>, StorageError> {
        type Row = (
            String,
            String,
            Option<Uuid>,
            Option<String>,
            Option<String>,
            String,
            String,
            i64,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = self.write(|db| {
            db.all(
                "UPDATE mail_outbox SET leased_until = ?2
                 WHERE sent_at IS NULL AND next_attempt_at <= ?1
                   AND (leased_until IS NULL OR leased_until <= ?1)
                 RETURNING id, kind, ticket_id, to_address, invoice_number, author, body, attempts,
                           queued_at",
                args![now, lease_until],
            )
        })?;
        let mut due = rows
            .into_iter()
            .map(
                |(id, kind, ticket_id, to, invoice_number, author, body, attempts, queued_at)| {
                    let kind = OutboxKind::parse(&kind).ok_or_else(|| {
                        StorageError::Backend(format!("unknown mail kind {kind:?} in the outbox"))
                    })?;
                    Ok((
                        queued_at,
                        OutboxMail {
                            id,
                            kind,
                            ticket_id,
                            to,
                            invoice_number,
                            author,
                            body,
                            attempts: small(attempts),
                        },
                    ))
                },
            )
            .collect::<Result<Vec<_>, StorageError>>()?;
        // Mails leave in the order they were written.
        due.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        Ok(due.into_iter().map(|(_, mail)| mail).collect())
    }

    fn mail_sent(&self, id: &str, at: DateTime<Utc>) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE mail_outbox SET sent_at = ?2, leased_until = NULL, last_error = NULL,
                        attempts = attempts + 1
                 WHERE id = ?1",
                args![id, at],
            )?;
            Ok(())
        })
    }

    fn mail_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2,
                        next_attempt_at = ?3, leased_until = NULL
                 WHERE id = ?1",
                args![id, error, retry_at],
            )?;
            Ok(())
        })
    }

    fn mail_queue(&self) -> Result<Vec<QueuedMail>, StorageError> {
        type Row = (
            String,
            Option<Uuid>,
            Option<String>,
            DateTime<Utc>,
            i64,
            DateTime<Utc>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.read(|db| {
            db.all(
                "SELECT o.kind, o.ticket_id, o.invoice_number, o.queued_at, o.attempts,
                        o.next_attempt_at, o.last_error,
                        coalesce(o.to_address,
                                 (SELECT t.address FROM mail_thread t
                                  WHERE t.ticket_id = o.ticket_id AND NOT t.sent
                                  ORDER BY t.at DESC LIMIT 1))
                 FROM mail_outbox o WHERE o.sent_at IS NULL ORDER BY o.queued_at, o.id",
                &[],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    kind,
                    ticket_id,
                    invoice_number,
                    queued_at,
                    attempts,
                    next_attempt_at,
                    last_error,
                    to,
                )| QueuedMail {
                    kind,
                    ticket_id,
                    ticket_number: ticket_id.map(ticket_number),
                    invoice_number,
                    to,
                    queued_at,
                    attempts: small(attempts),
                    next_attempt_at,
                    last_error,
                },
            )
            .collect())
    }

    fn mail_notices(&self, user: Uuid) -> Result<MailNotices, StorageError> {
        let row: Option<(bool, bool, bool)> = self.read(|db| {
            db.row(
                "SELECT answers, quotes, invoices FROM mail_notices WHERE user_id = ?1",
                args![user],
            )
        })?;
        Ok(
            row.map_or_else(MailNotices::default, |(answers, quotes, invoices)| {
                MailNotices {
                    answers,
                    quotes,
                    invoices,
                }
            }),
        )
    }

    fn set_mail_notices(&self, user: Uuid, notices: MailNotices) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "INSERT INTO mail_notices (user_id, answers, quotes, invoices) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET answers = excluded.answers,
                    quotes = excluded.quotes, invoices = excluded.invoices",
                args![user, notices.answers, notices.quotes, notices.invoices],
            )?;
            Ok(())
        })
    }
}
