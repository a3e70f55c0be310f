//! What leaves by mail, by SMTP submission, STARTTLS or TLS from the first byte, never in plain
//! text: the desk's replies on e-mail tickets, to the customer, and the notices shop admins
//! asked for (support answered, a quote offered, an invoice issued with its PDF and XRechnung
//! attached). Each was queued in the same transaction as what it tells of
//! ([`crate::storage::MailBook::due_mail`] leases it to one sender at a time); a failure is
//! tried again with a growing pause, and the queue with its last error is on the desk. Internal
//! notes are never queued.
//!
//! Each mail carries the ticket number in its subject and a Message-ID made from the reply's
//! id, `In-Reply-To` the customer's last message and `References` the thread, so the customer's
//! answer joins the ticket.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as Address, MessageBuilder, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use stationdesk_core::domain::tickets::ticket_number;
use stationdesk_protocol::SmtpSecurity;

use super::SecretsKey;
use crate::storage::{
    Document, OutboxKind, OutboxMail, OutgoingRecord, Storage, StorageError, ThreadMessage,
};

/// How long a sender holds the replies it took before another may try them.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// The longest pause between two tries of one reply.
const MAX_PAUSE_SECONDS: i64 = 30 * 60;
/// How many Message-IDs `References` names at most: the first and the latest.
const MAX_REFERENCES: usize = 20;

/// The pause before the next try of a reply that failed `attempts` times: 5 s, doubling, at
/// most half an hour.
pub fn pause_after(attempts: u32) -> chrono::TimeDelta {
    let seconds = 5_i64.saturating_mul(1 << attempts.saturating_sub(1).min(20));
    chrono::TimeDelta::seconds(seconds.min(MAX_PAUSE_SECONDS))
}

/// A mail as it leaves, and where it goes in the thread.
struct Composed {
    message: Message,
    message_id: String,
    to: String,
}

/// What a mail needs beyond its row: its ticket's title and thread, an invoice's documents
/// (PDF, then the XRechnung XML).
#[derive(Default)]
struct Context {
    title: String,
    thread: Vec<ThreadMessage>,
    documents: Option<(Vec<u8>, Vec<u8>)>,
}

/// `In-Reply-To` the customer's last message and `References` the thread (its first message
/// and the latest ones).
fn threaded(mut builder: MessageBuilder, thread: &[ThreadMessage]) -> MessageBuilder {
    if let Some(last) = thread.iter().rev().find(|m| !m.sent) {
        builder = builder.in_reply_to(format!("<{}>", last.message_id));
    }
    let ids: Vec<&str> = thread.iter().map(|m| m.message_id.as_str()).collect();
    let kept: Vec<&str> = match ids.len() {
        n if n > MAX_REFERENCES => ids[..1]
            .iter()
            .chain(&ids[n - (MAX_REFERENCES - 1)..])
            .copied()
            .collect(),
        _ => ids,
    };
    if kept.is_empty() {
        return builder;
    }
    builder.references(
        kept.iter()
            .map(|id| format!("<{id}>"))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn compose(
    outgoing: &OutgoingRecord,
    mail: &OutboxMail,
    context: &Context,
) -> Result<Composed, String> {
    let to = match (mail.kind, &mail.to) {
        (OutboxKind::Reply, _) => context
            .thread
            .iter()
            .rev()
            .find(|m| !m.sent)
            .map(|m| m.address.clone())
            .ok_or("the ticket's thread has no message from the customer to answer")?,
        (_, Some(to)) => to.clone(),
        (_, None) => return Err("a notice without an address".into()),
    };
    let domain = outgoing
        .from_address
        .rsplit_once('@')
        .map_or("stationdesk.invalid", |(_, domain)| domain);
    // A notice's id holds colons, which a Message-ID's left part does not take.
    let message_id = format!("{}@{domain}", mail.id.replace(':', "."));
    let number = mail.ticket_id.map(ticket_number).unwrap_or_default();
    let title = &context.title;
    let mut builder = Message::builder()
        .from(Address::new(
            Some(outgoing.from_name.clone()),
            outgoing
                .from_address
                .parse()
                .map_err(|e| format!("the sender address {:?}: {e}", outgoing.from_address))?,
        ))
        .to(to
            .parse()
            .map_err(|e| format!("the recipient's address {to:?}: {e}"))?)
        .message_id(Some(format!("<{message_id}>")));
    if mail.kind != OutboxKind::Reply {
        // A notice is sent by the server, not written by a person (RFC 3834): an auto-reply
        // to it is not to be sent.
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    }
    let body = mail.body.trim_end();
    let (builder, text) = match mail.kind {
        OutboxKind::Reply => (
            threaded(builder, &context.thread).subject(format!("Re: {title} [{number}]")),
            format!(
                "{body}\n\n-- \n{}, {}\nTicket {number}: answer this e-mail to add to the ticket.\n",
                mail.author, outgoing.from_name
            ),
        ),
        OutboxKind::Answer => (
            builder.subject(format!("Support: {title} [{number}]")),
            format!(
                "{}:\n\n{body}\n\n-- \nTicket {number}: antworten Sie in stationdesk oder auf diese E-Mail. / Answer in stationdesk or to this e-mail.\n",
                mail.author
            ),
        ),
        OutboxKind::Quote => (
            builder.subject(format!("Angebot / Quote: {title} [{number}]")),
            format!(
                "{body}\n\n-- \n{}\nTicket {number}: nehmen Sie das Angebot in stationdesk an oder lehnen Sie es ab. / Accept or decline the quote in stationdesk.\n",
                mail.author
            ),
        ),
        OutboxKind::Invoice => (
            builder.subject(format!(
                "Rechnung / Invoice {}",
                mail.invoice_number.as_deref().unwrap_or_default()
            )),
            format!(
                "{body}\n\nDie Rechnung liegt als PDF und als E-Rechnung (XRechnung) bei. / The invoice is attached as PDF and as e-invoice (XRechnung).\n\n-- \n{}\n",
                mail.author
            ),
        ),
    };
    let message = match (&context.documents, &mail.invoice_number) {
        (Some((pdf, xml)), Some(number)) => {
            let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
            let xml_type = ContentType::parse("application/xml").map_err(|e| e.to_string())?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(text))
                    .singlepart(
                        Attachment::new(format!("{number}.pdf")).body(pdf.clone(), pdf_type),
                    )
                    .singlepart(
                        Attachment::new(format!("{number}.xml")).body(xml.clone(), xml_type),
                    ),
            )
        }
        _ => builder.header(ContentType::TEXT_PLAIN).body(text),
    }
    .map_err(|e| e.to_string())?;
    Ok(Composed {
        message,
        message_id,
        to,
    })
}

fn transport(
    outgoing: &OutgoingRecord,
    key: &SecretsKey,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut tls = TlsParameters::builder(outgoing.host.clone());
    if let Some(pem) = &outgoing.ca_pem {
        tls = tls.add_root_certificate(
            Certificate::from_pem(pem.as_bytes())
                .map_err(|e| format!("the CA certificate is not usable: {e}"))?,
        );
    }
    let tls = tls.build_rustls().map_err(|e| e.to_string())?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&outgoing.host)
        .port(outgoing.port)
        .timeout(Some(Duration::from_secs(30)))
        .tls(match outgoing.security {
            SmtpSecurity::Starttls => Tls::Required(tls),
            SmtpSecurity::Tls => Tls::Wrapper(tls),
        });
    if let (Some(user), Some(sealed)) = (&outgoing.user, &outgoing.password_sealed) {
        let password = key
            .open("outgoing mail", sealed)
            .map_err(|e| e.to_string())?;
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Sends what is due; each reply's outcome is written down. An error here is the storage's:
/// sending fails reply by reply.
async fn send_due(storage: &Arc<dyn Storage>, key: &SecretsKey) -> Result<(), String> {
    let outgoing = {
        let storage = Arc::clone(storage);
        blocking(move || storage.outgoing_mail()).await?
    };
    // Without settings the replies wait in the queue, which the desk shows.
    let Some(outgoing) = outgoing else {
        return Ok(());
    };
    let due = {
        let storage = Arc::clone(storage);
        let now = Utc::now();
        blocking(move || storage.due_mail(now, now + LEASE)).await?
    };
    if due.is_empty() {
        return Ok(());
    }
    let transport = transport(&outgoing, key);
    for mail in due {
        let (reading, ticket, invoice) = (
            Arc::clone(storage),
            mail.ticket_id,
            mail.invoice_number.clone(),
        );
        let context = blocking(move || {
            let mut context = Context::default();
            if let Some(ticket) = ticket {
                context.title = reading
                    .mail_ticket(ticket)?
                    .map(|(_, _, title)| title)
                    .unwrap_or_default();
                context.thread = reading.thread(ticket)?;
            }
            if let Some(number) = invoice {
                context.documents = Some((
                    reading.invoice_document(&number, Document::Pdf)?,
                    reading.invoice_document(&number, Document::Xml)?,
                ));
            }
            Ok(context)
        })
        .await?;
        let sent = match (&transport, compose(&outgoing, &mail, &context)) {
            (Err(error), _) => Err(error.clone()),
            (_, Err(error)) => Err(error),
            (Ok(transport), Ok(composed)) => transport
                .send(composed.message)
                .await
                .map(|_| (composed.message_id, composed.to))
                .map_err(|e| format!("{e}")),
        };
        let storage = Arc::clone(storage);
        match sent {
            Ok((message_id, to)) => {
                tracing::info!(mail = %mail.id, kind = mail.kind.as_str(), "mail sent");
                blocking(move || {
                    let now = Utc::now();
                    // An answer to what the server sent joins its ticket.
                    if let Some(ticket) = mail.ticket_id {
                        storage.add_to_thread(
                            ticket,
                            &ThreadMessage {
                                message_id,
                                sent: true,
                                address: to,
                            },
                            now,
                        )?;
                    }
                    storage.mail_sent(&mail.id, now)
                })
                .await?;
            }
            Err(error) => {
                tracing::warn!(mail = %mail.id, kind = mail.kind.as_str(), %error, "mail not sent");
                let retry_at = Utc::now() + pause_after(mail.attempts + 1);
                blocking(move || storage.mail_failed(&mail.id, &error, retry_at)).await?;
            }
        }
    }
    Ok(())
}

/// Sends the queued replies for as long as the server runs, looking every `every`.
pub async fn run(storage: Arc<dyn Storage>, key: Arc<SecretsKey>, every: Duration) {
    loop {
        if let Err(error) = send_due(&storage, &key).await {
            tracing::warn!(%error, "cannot send the queued replies");
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_from_five_seconds_to_half_an_hour() {
        let seconds: Vec<i64> = (1..=12).map(|n| pause_after(n).num_seconds()).collect();
        assert_eq!(
            seconds,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1800, 1800, 1800]
        );
        assert_eq!(pause_after(u32::MAX).num_seconds(), 1800);
    }

    #[test]
    fn a_reply_answers_the_customers_last_message_and_names_the_thread() {
        let outgoing = OutgoingRecord {
            host: "mail.vendor.de".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            user: None,
            password_sealed: None,
            ca_pem: None,
            from_address: "support@vendor.de".into(),
            from_name: "Vendor Support".into(),
        };
        let ticket = uuid::Uuid::now_v7();
        let reply = OutboxMail {
            id: uuid::Uuid::now_v7().to_string(),
            kind: OutboxKind::Reply,
            ticket_id: Some(ticket),
            to: None,
            invoice_number: None,
            author: "Ben".into(),
            body: "Bitte starten Sie den Drucker neu.".into(),
            attempts: 0,
        };
        let thread = vec![
            ThreadMessage {
                message_id: "first@korn.de".into(),
                sent: false,
                address: "chef@korn.de".into(),
            },
            ThreadMessage {
                message_id: "earlier@vendor.de".into(),
                sent: true,
                address: "chef@korn.de".into(),
            },
            ThreadMessage {
                message_id: "second@korn.de".into(),
                sent: false,
                address: "chef@korn.de".into(),
            },
        ];
        let context = Context {
            title: "Drucker".into(),
            thread,
            documents: None,
        };
        let composed = compose(&outgoing, &reply, &context).unwrap();
        assert_eq!(composed.to, "chef@korn.de");
        assert_eq!(composed.message_id, format!("{}@vendor.de", reply.id));
        let text = String::from_utf8(composed.message.formatted()).unwrap();
        assert!(text.contains(&format!("Subject: Re: Drucker [{}]", ticket_number(ticket))));
        assert!(text.contains("In-Reply-To: <second@korn.de>"), "{text}");
        assert!(
            text.contains("References: <first@korn.de> <earlier@vendor.de> <second@korn.de>"),
            "{text}"
        );
        assert!(text.contains("Bitte starten Sie den Drucker neu."));
        assert!(!text.contains("Auto-Submitted"), "a person wrote it");
        let only_ours = Context {
            thread: context.thread[1..2].to_vec(),
            ..context
        };
        assert!(compose(&outgoing, &reply, &only_ours).is_err());
    }
}
