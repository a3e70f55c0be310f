//! One message from the support mailbox, read for what the channel needs: who sent it, what it
//! answers, whether a machine sent it, its text and files. Pure: no I/O, no storage.

use mail_parser::{MessageParser, MimeHeaders};
use stationdesk_core::domain::tickets::RequestDetails;

/// The most of a message's text a ticket takes (the comment's limit, with room for the notes
/// the import adds).
const MAX_TEXT: usize = 19_000;

/// A message as the channel reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Lower case.
    pub address: String,
    /// The display name, else the address.
    pub name: String,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// What it answers: `In-Reply-To` first, then `References` newest first.
    pub answers: Vec<String>,
    /// Why a machine sent it, when one did: it neither opens a ticket nor is answered.
    pub automatic: Option<&'static str>,
    /// The receiving server found the sender's domain refused it (DMARC): the address is not
    /// to be believed.
    pub forged: bool,
    pub text: String,
    pub files: Vec<File>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads a message; `None` when it has no sender address to go by.
pub fn read(raw: &[u8]) -> Option<Incoming> {
    let message = MessageParser::default().parse(raw)?;
    let from = message.from()?.first()?;
    let address = from.address()?.trim().to_lowercase();
    if !address.contains('@') {
        return None;
    }
    let name = from
        .name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&address)
        .to_owned();
    let header_text = |name: &str| {
        message
            .header_raw(name)
            .map(|raw| raw.trim().to_ascii_lowercase())
    };
    let mut answers: Vec<String> = Vec::new();
    for value in [message.in_reply_to(), message.references()] {
        let ids: Vec<String> = match (value.as_text_list(), value.as_text()) {
            (Some(list), _) => list.iter().rev().map(|id| id.to_string()).collect(),
            (None, Some(one)) => vec![one.to_owned()],
            _ => Vec::new(),
        };
        for id in ids {
            let id = bare_id(&id);
            if !id.is_empty() && !answers.contains(&id) {
                answers.push(id);
            }
        }
    }
    let content_type = message.root_part().content_type();
    let automatic = automatic(
        &address,
        header_text("Auto-Submitted").as_deref(),
        header_text("Precedence").as_deref(),
        message.header_raw("X-Autoreply").is_some()
            || message.header_raw("X-Autorespond").is_some(),
        content_type
            .map(|t| {
                let subtype = t.subtype().unwrap_or_default().to_ascii_lowercase();
                t.ctype().eq_ignore_ascii_case("multipart")
                    && subtype == "report"
                    && t.attribute("report-type")
                        .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
            })
            .unwrap_or(false),
    );
    let forged = header_text("Authentication-Results").is_some_and(|r| r.contains("dmarc=fail"));
    let mut text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    if text.chars().count() > MAX_TEXT {
        text = text.chars().take(MAX_TEXT).collect::<String>() + "\n[…]";
    }
    let files = message
        .attachments()
        .filter(|part| !part.is_text() || part.attachment_name().is_some())
        .map(|part| File {
            name: part.attachment_name().unwrap_or("attachment").to_owned(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    Some(Incoming {
        address,
        name,
        subject: message
            .subject()
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
        message_id: message
            .message_id()
            .map(bare_id)
            .filter(|id| !id.is_empty()),
        answers,
        automatic,
        forged,
        text: text.trim().to_owned(),
        files,
    })
}

/// A Message-ID as kept: no angle brackets, no spaces around.
pub fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_owned()
}

/// Why the message was sent by a machine (RFC 3834 and the habits of mail servers), if it was.
fn automatic(
    address: &str,
    auto_submitted: Option<&str>,
    precedence: Option<&str>,
    autoreply_header: bool,
    delivery_report: bool,
) -> Option<&'static str> {
    let local = address.split('@').next().unwrap_or_default();
    if delivery_report || local == "mailer-daemon" || local == "postmaster" {
        Some("a delivery status notification (bounce)")
    } else if auto_submitted.is_some_and(|value| !value.starts_with("no")) {
        Some("Auto-Submitted: sent by a machine")
    } else if precedence.is_some_and(|p| matches!(p, "bulk" | "junk" | "list" | "auto_reply")) {
        Some("Precedence: bulk, junk or list")
    } else if autoreply_header {
        Some("an auto-reply header")
    } else {
        None
    }
}

/// The ticket numbers (`T-1A2B3C`) a subject names, as written there, upper case.
pub fn ticket_numbers(subject: &str) -> Vec<String> {
    let chars: Vec<char> = subject.chars().collect();
    let mut numbers = Vec::new();
    for start in 0..chars.len() {
        let before_ok = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
        let Some(window) = chars.get(start..start + 8) else {
            break;
        };
        let after_ok = chars
            .get(start + 8)
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if before_ok
            && after_ok
            && window[0].eq_ignore_ascii_case(&'t')
            && window[1] == '-'
            && window[2..].iter().all(char::is_ascii_hexdigit)
        {
            numbers.push(window.iter().collect::<String>().to_uppercase());
        }
    }
    numbers
}

/// The subject as a ticket's title: without the `Re:`, `AW:`, `Fwd:` a thread piles up.
pub fn title_of(subject: &str) -> String {
    let mut title = subject.trim();
    loop {
        let lower = title.to_lowercase();
        let Some(prefix) = ["re:", "aw:", "fw:", "fwd:", "wg:", "sv:", "vs:", "vl:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            break;
        };
        title = title[prefix.len()..].trim_start();
    }
    if title.is_empty() {
        "(no subject)".to_owned()
    } else {
        title.chars().take(200).collect()
    }
}

/// The request's checklist as far as the text answers it: a line that starts with one of the
/// checklist's questions (in German or English, as the app's form asks them) gives its answer.
pub fn request_of(text: &str) -> RequestDetails {
    let mut request = RequestDetails::default();
    for line in text.lines() {
        let Some((label, answer)) = line.split_once(':') else {
            continue;
        };
        let (label, answer) = (label.trim().to_lowercase(), answer.trim());
        if answer.is_empty() {
            continue;
        }
        let field = if ["fehlermeldung", "error message", "error"].contains(&label.as_str()) {
            &mut request.error_message
        } else if [
            "was ich gemacht habe",
            "was wurde gemacht",
            "what i was doing",
            "doing",
        ]
        .contains(&label.as_str())
        {
            &mut request.doing
        } else if ["erwartet", "was hätte passieren sollen", "expected"].contains(&label.as_str())
        {
            &mut request.expected
        } else {
            continue;
        };
        if field.is_empty() {
            *field = answer.chars().take(2_000).collect();
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}").into_bytes()
    }

    #[test]
    fn a_plain_message_is_read_with_its_sender_threading_and_text() {
        let read = read(&mail(
            "From: \"Anna Korn\" <Chef@Korn.de>\r\nTo: support@vendor.de\r\nSubject: Re: AW: Bondrucker druckt nicht [T-1A2B3C]\r\nMessage-ID: <abc@korn.de>\r\nIn-Reply-To: <sent-2@vendor.de>\r\nReferences: <first@korn.de> <sent-1@vendor.de> <sent-2@vendor.de>",
            "Fehlermeldung: Papierstau\r\nSeit heute morgen.",
        ))
        .unwrap();
        assert_eq!(read.address, "chef@korn.de");
        assert_eq!(read.name, "Anna Korn");
        assert_eq!(read.message_id.as_deref(), Some("abc@korn.de"));
        assert_eq!(
            read.answers,
            ["sent-2@vendor.de", "sent-1@vendor.de", "first@korn.de"]
        );
        assert_eq!(read.automatic, None);
        assert!(!read.forged);
        assert_eq!(ticket_numbers(&read.subject), ["T-1A2B3C"]);
        assert_eq!(
            title_of(&read.subject),
            "Bondrucker druckt nicht [T-1A2B3C]"
        );
        assert_eq!(request_of(&read.text).error_message, "Papierstau");
    }

    #[test]
    fn machines_are_recognised_by_their_headers_and_bounces_by_their_report() {
        let auto = |headers: &str| {
            read(&mail(headers, "Ich bin im Urlaub."))
                .unwrap()
                .automatic
        };
        let from = "From: chef@korn.de\r\nSubject: Abwesend";
        assert!(auto(&format!("{from}\r\nAuto-Submitted: auto-replied")).is_some());
        assert!(auto(&format!("{from}\r\nAuto-Submitted: no")).is_none());
        assert!(auto(&format!("{from}\r\nPrecedence: bulk")).is_some());
        assert!(auto(&format!("{from}\r\nX-Autoreply: yes")).is_some());
        assert!(auto("From: MAILER-DAEMON@mx.korn.de\r\nSubject: Undelivered").is_some());
        let bounce = read(&mail(
            "From: mail@mx.korn.de\r\nSubject: failure\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"",
            "--b\r\nContent-Type: text/plain\r\n\r\nnot delivered\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n",
        ))
        .unwrap();
        assert!(bounce.automatic.is_some());
        assert!(auto(from).is_none());
    }

    #[test]
    fn a_failed_dmarc_check_marks_the_sender_as_forged() {
        let read = read(&mail(
            "From: chef@korn.de\r\nAuthentication-Results: mx.vendor.de; dmarc=fail (p=reject) header.from=korn.de\r\nSubject: Bitte Passwort",
            "x",
        ))
        .unwrap();
        assert!(read.forged);
    }

    #[test]
    fn ticket_numbers_stand_alone_in_the_subject() {
        assert_eq!(ticket_numbers("Ticket t-00ff0a: noch offen"), ["T-00FF0A"]);
        assert!(ticket_numbers("ST-1A2B3C").is_empty());
        assert!(ticket_numbers("T-1A2B3C4").is_empty());
        assert!(ticket_numbers("T-1A2B3G").is_empty());
        assert!(ticket_numbers("Bondrucker").is_empty());
        assert_eq!(title_of("Fwd: re:  "), "(no subject)");
    }

    #[test]
    fn without_a_sender_address_there_is_nothing_to_go_by() {
        assert!(read(&mail("Subject: hi", "x")).is_none());
        assert!(read(b"\x00\xff garbage").is_none());
    }
}
