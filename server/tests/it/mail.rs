//! The e-mail channel against real mail servers (Dovecot for the support mailbox, aiosmtpd for
//! the outgoing mail; common/mail.rs) and the real server process: a known sender's mail
//! becomes a ticket, replies join it by their headers or the ticket number and never by the
//! subject alone, machines' mail opens nothing and gets nothing, unknown senders wait for the
//! desk, nothing is taken in twice across a restart, the desk's reply leaves with its threading
//! headers while internal notes stay in, and a reply written while the mail server is down
//! leaves once it is back.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{comment, filed, internal_note, offered, statuses, TestServer};
use stationdesk_e2e::mail::{
    eventually, MailServers, MAILBOX_USER, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET,
    OAUTH2_REFRESH_TOKEN,
};

/// A PNG of one pixel.
const PIXEL_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

struct Shop {
    server: TestServer,
    mail: MailServers,
    shop: String,
    admin: String,
    desk: String,
    vendor: String,
}

fn shop_with_mail() -> Shop {
    let mail = MailServers::start();
    let options = mail.serve_options();
    let server = TestServer::start_with(&options.iter().map(String::as_str).collect::<Vec<_>>());
    let shop = server.shop("Bäckerei Korn");
    let admin = server.staff("chef@korn.de", "shop_admin", Some(&shop));
    let desk = server.staff("ben@vendor.de", "support_staff", None);
    let vendor = server.staff("vera@vendor.de", "vendor_admin", None);
    mail.configure(&server, &vendor);
    Shop {
        server,
        mail,
        shop,
        admin,
        desk,
        vendor,
    }
}

/// Every change the caller pulls, as JSON.
fn pulled(server: &TestServer, token: &str) -> Vec<Value> {
    server.pull(token, 0)["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].clone())
        .collect()
}

fn of_type<'a>(changes: &'a [Value], kind: &str) -> Vec<&'a Value> {
    changes.iter().filter(|c| c["type"] == kind).collect()
}

/// The texts said on a ticket, in order.
fn texts(changes: &[Value], ticket: &str) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c["type"] == "comment_added" && c["ticket_id"] == ticket)
        .map(|c| c["comment"]["body"].as_str().unwrap().to_owned())
        .collect()
}

fn channel(shop: &Shop) -> Value {
    let (status, channel) = shop.server.get("/v1/mail", Some(&shop.vendor));
    assert_eq!(status, reqwest::StatusCode::OK, "{channel}");
    channel
}

/// Waits until the mailbox has taken in `count` messages.
fn taken_in(shop: &Shop, count: u64) {
    eventually(&format!("{count} messages taken in"), || {
        let channel = channel(shop);
        (channel["mailboxes"][0]["imported"] == count).then_some(())
    });
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .find(|line| {
            line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name)
                && line[name.len()..].starts_with(':')
        })
        .map(|line| line[name.len() + 1..].trim())
}

#[test]
fn a_known_senders_mail_becomes_a_ticket_and_replies_join_it_by_headers_or_number_only() {
    let mut shop = shop_with_mail();
    shop.mail.deliver(&format!(
        "From: Anna Korn <Chef@Korn.de>
To: support@vendor.de
Subject: Bondrucker druckt nicht
Message-ID: <m1@korn.de>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"b\"

--b
Content-Type: text/plain; charset=utf-8

Fehlermeldung: Papierstau
Seit heute Morgen, an beiden Kassen.
--b
Content-Type: image/png; name=\"bon.png\"
Content-Disposition: attachment; filename=\"bon.png\"
Content-Transfer-Encoding: base64

{PIXEL_PNG}
--b
Content-Type: application/octet-stream; name=\"fix.exe\"
Content-Disposition: attachment; filename=\"fix.exe\"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=
--b--
"
    ));
    let changes = eventually("the ticket", || {
        let changes = pulled(&shop.server, &shop.admin);
        (!of_type(&changes, "attachment_added").is_empty()).then_some(changes)
    });
    let filed = of_type(&changes, "ticket_filed");
    assert_eq!(filed.len(), 1, "{changes:?}");
    let ticket = &filed[0]["ticket"];
    let id = ticket["id"].as_str().unwrap().to_owned();
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["title"], "Bondrucker druckt nicht");
    assert_eq!(ticket["reporter"], "chef@korn.de");
    assert_eq!(ticket["request"]["error_message"], "Papierstau");
    let said = texts(&changes, &id);
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("an beiden Kassen"), "{said:?}");
    assert!(said[0].contains("[not attached: fix.exe"), "{said:?}");
    let attached = of_type(&changes, "attachment_added");
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0]["attachment"]["file_name"], "bon.png");
    assert_eq!(attached[0]["attachment"]["content_type"], "image/png");

    // The desk answers, and writes a note for itself.
    let ticket_id: Uuid = id.parse().unwrap();
    let results = shop
        .server
        .push(&shop.desk, &[comment(ticket_id), internal_note(ticket_id)]);
    assert_eq!(statuses(&results), ["applied", "applied"]);
    let sent = eventually("the desk's reply at the mail server", || {
        let sent = shop.mail.sent();
        (!sent.is_empty()).then_some(sent)
    });
    let reply = &sent[0];
    let number = format!("T-{}", id.replace('-', "")[26..].to_uppercase());
    assert_eq!(header(reply, "To"), Some("chef@korn.de"));
    assert_eq!(
        header(reply, "Subject"),
        Some(format!("Re: Bondrucker druckt nicht [{number}]").as_str())
    );
    assert_eq!(header(reply, "In-Reply-To"), Some("<m1@korn.de>"));
    assert_eq!(header(reply, "References"), Some("<m1@korn.de>"));
    let sent_id = header(reply, "Message-ID").unwrap().to_owned();
    assert!(reply.contains("Der Drucker blinkt rot."), "{reply}");
    std::thread::sleep(std::time::Duration::from_secs(3));
    let sent = shop.mail.sent();
    assert_eq!(sent.len(), 1, "one reply, and the internal note stays in");
    assert!(!sent[0].contains("Kulanz"));
    assert_eq!(channel(&shop)["queued"], json!([]));

    // The customer answers the reply under another subject: it joins by its In-Reply-To.
    shop.mail.deliver(&format!(
        "From: chef@korn.de\nSubject: Danke!\nMessage-ID: <m2@korn.de>\nIn-Reply-To: {sent_id}\n\nNeustart hat geholfen.\n"
    ));
    // A new message naming the ticket's number joins it too.
    shop.mail.deliver(&format!(
        "From: chef@korn.de\nSubject: Noch eine Frage zu {number}\nMessage-ID: <m3@korn.de>\n\nGilt das auch für Kasse 2?\n"
    ));
    // A forwarded mail under a changed subject, without headers: a ticket of its own, even
    // though its text quotes the first one.
    shop.mail.deliver(
        "From: chef@korn.de\nSubject: WG: Kassenschublade klemmt\nMessage-ID: <m4@korn.de>\n\n---------- Weitergeleitet ----------\nBondrucker druckt nicht\nDie Schublade geht nicht auf.\n",
    );
    taken_in(&shop, 4);
    let changes = pulled(&shop.server, &shop.admin);
    let said = texts(&changes, &id);
    assert_eq!(said.len(), 4, "{said:?}");
    assert_eq!(said[2], "Neustart hat geholfen.");
    assert_eq!(said[3], "Gilt das auch für Kasse 2?");
    let titles: Vec<&Value> = of_type(&changes, "ticket_filed")
        .iter()
        .map(|c| &c["ticket"]["title"])
        .collect();
    assert_eq!(
        titles,
        [
            &json!("Bondrucker druckt nicht"),
            &json!("Kassenschublade klemmt")
        ]
    );

    // Killed and started again, the server takes in only what is new.
    shop.server.restart();
    shop.mail.deliver(
        "From: chef@korn.de\nSubject: Neue Kasse\nMessage-ID: <m5@korn.de>\n\nWir bekommen eine dritte Kasse.\n",
    );
    taken_in(&shop, 5);
    let after = pulled(&shop.server, &shop.admin);
    assert_eq!(of_type(&after, "ticket_filed").len(), 3);
    assert_eq!(texts(&after, &id).len(), 4, "nothing taken in twice");
    assert_eq!(of_type(&after, "comment_added").len(), 6);
    let _ = &shop.shop;
}

#[test]
fn machines_mail_opens_nothing_and_is_answered_by_nothing() {
    let shop = shop_with_mail();
    shop.mail.deliver(
        "From: chef@korn.de\nSubject: Abwesenheitsnotiz: Re: Ihr Ticket\nAuto-Submitted: auto-replied\nMessage-ID: <away@korn.de>\n\nIch bin bis Montag nicht im Laden.\n",
    );
    shop.mail.deliver(
        "From: Mail Delivery System <MAILER-DAEMON@mx.korn.de>\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <bounce@mx.korn.de>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n--r\nContent-Type: text/plain\n\nThis is the mail system.\n--r\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--r--\n",
    );
    shop.mail.deliver(
        "From: news@korn-lieferant.de\nSubject: Angebote der Woche\nPrecedence: bulk\nMessage-ID: <news@lieferant.de>\n\nNur heute!\n",
    );
    taken_in(&shop, 3);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(of_type(&pulled(&shop.server, &shop.admin), "ticket_filed").is_empty());
    let (_, unknown) = shop.server.get("/v1/desk/mail/unknown", Some(&shop.desk));
    assert_eq!(
        unknown,
        json!([]),
        "machines' mail is not the desk's to sort"
    );
    assert!(shop.mail.sent().is_empty(), "nothing answered, so no loop");
}

#[test]
fn an_unknown_sender_waits_for_the_desk_which_attaches_it_to_a_shop_and_may_remember_it() {
    let shop = shop_with_mail();
    shop.mail.deliver(
        "From: Filiale Nord <kasse@filiale-nord.de>\nSubject: Waage zeigt falsches Gewicht\nMessage-ID: <n1@filiale-nord.de>\n\nSeit dem Update.\n",
    );
    // The address of the shop's admin, but the receiving server found it forged.
    shop.mail.deliver(
        "From: chef@korn.de\nAuthentication-Results: mx.vendor.de; dmarc=fail (p=reject) header.from=korn.de\nSubject: Bitte Fernwartung freischalten\nMessage-ID: <forged@evil.example>\n\nSchnell bitte.\n",
    );
    taken_in(&shop, 2);
    let (status, unknown) = shop.server.get("/v1/desk/mail/unknown", Some(&shop.desk));
    assert_eq!(status, reqwest::StatusCode::OK);
    let unknown = unknown.as_array().unwrap().clone();
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert_eq!(unknown[0]["address"], "kasse@filiale-nord.de");
    assert_eq!(unknown[0]["subject"], "Waage zeigt falsches Gewicht");
    assert_eq!(unknown[1]["address"], "chef@korn.de");
    assert!(of_type(&pulled(&shop.server, &shop.admin), "ticket_filed").is_empty());
    // Only the desk sorts them.
    let (status, _) = shop.server.get("/v1/desk/mail/unknown", Some(&shop.admin));
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);

    let id = unknown[0]["id"].as_str().unwrap();
    // What no shop is, or no answer at all, attaches nothing; the message waits on.
    for (body, refused) in [
        (
            json!({"shop_id": Uuid::now_v7()}),
            reqwest::StatusCode::NOT_FOUND,
        ),
        (
            json!({"shop_id": "Bäckerei Korn"}),
            reqwest::StatusCode::BAD_REQUEST,
        ),
        (
            json!({"shop_id": shop.shop, "ticket": Uuid::now_v7()}),
            reqwest::StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = shop.server.post(
            &format!("/v1/desk/mail/unknown/{id}/attach"),
            Some(&shop.desk),
            &body,
        );
        assert_eq!(status, refused, "{body}: {answer}");
    }
    let (_, still) = shop.server.get("/v1/desk/mail/unknown", Some(&shop.desk));
    assert_eq!(still.as_array().unwrap().len(), 2);
    let (status, created) = shop.server.post(
        &format!("/v1/desk/mail/unknown/{id}/attach"),
        Some(&shop.desk),
        &json!({"shop_id": shop.shop, "remember_sender": true}),
    );
    assert_eq!(status, reqwest::StatusCode::OK, "{created}");
    let changes = pulled(&shop.server, &shop.admin);
    let filed = of_type(&changes, "ticket_filed");
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0]["ticket"]["id"], created["id"]);
    assert_eq!(filed[0]["ticket"]["reporter"], "Filiale Nord");
    // Attached once: it is gone from the list, and cannot be attached again.
    let (status, _) = shop.server.post(
        &format!("/v1/desk/mail/unknown/{id}/attach"),
        Some(&shop.desk),
        &json!({"shop_id": shop.shop}),
    );
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);

    // The remembered address writes for the shop from now on.
    shop.mail.deliver(
        "From: kasse@filiale-nord.de\nSubject: Etikettendrucker\nMessage-ID: <n2@filiale-nord.de>\n\nDruckt leer.\n",
    );
    taken_in(&shop, 3);
    assert_eq!(
        of_type(&pulled(&shop.server, &shop.admin), "ticket_filed").len(),
        2
    );
    let (_, unknown) = shop.server.get("/v1/desk/mail/unknown", Some(&shop.desk));
    assert_eq!(
        unknown.as_array().unwrap().len(),
        1,
        "the forged one still waits"
    );
}

#[test]
fn a_reply_written_while_the_mail_server_is_down_leaves_once_when_it_is_back() {
    let mut shop = shop_with_mail();
    shop.mail.deliver(
        "From: chef@korn.de\nSubject: Kartenterminal offline\nMessage-ID: <k1@korn.de>\n\nKeine Kartenzahlung möglich.\n",
    );
    let ticket: Uuid = eventually("the ticket", || {
        of_type(&pulled(&shop.server, &shop.admin), "ticket_filed")
            .first()
            .map(|c| c["ticket"]["id"].as_str().unwrap().parse().unwrap())
    });
    shop.mail.stop_smtp();
    let results = shop.server.push(&shop.desk, &[comment(ticket)]);
    assert_eq!(statuses(&results), ["applied"]);
    let queued = eventually("the failure on the desk", || {
        let queued = channel(&shop)["queued"].clone();
        queued[0]["last_error"].is_string().then_some(queued)
    });
    assert_eq!(queued[0]["to"], "chef@korn.de");
    assert!(queued[0]["attempts"].as_u64().unwrap() >= 1);
    shop.mail.start_smtp();
    eventually("the reply sent", || {
        (shop.mail.sent().len() == 1).then_some(())
    });
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(shop.mail.sent().len(), 1, "sent once");
    assert_eq!(channel(&shop)["queued"], json!([]));
}

#[test]
fn mail_settings_are_the_vendor_admins_and_their_passwords_never_come_back() {
    let shop = shop_with_mail();
    // A mailbox on a port where nothing listens.
    let settings =
        json!({"host": "localhost", "port": 1, "user": "support", "password": "Sehr-Geheim-42"});
    let (status, _) = shop
        .server
        .put_json("/v1/mail/mailboxes/zweites", &shop.admin, &settings);
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, _) = shop
        .server
        .put_json("/v1/mail/mailboxes/zweites", &shop.desk, &settings);
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let token_url = "https://login.example.com/token";
    let support = self::channel(&shop)["mailboxes"][0].clone();
    for (name, body, says) in [
        ("Zweites Postfach", settings.clone(), "lower-case"),
        (
            "zweites",
            json!({"host": "imap vendor", "user": "s", "password": "x"}),
            "host",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s"}),
            "password",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "x", "ca_pem": "nonsense"}),
            "CA",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "x", "tls": false}),
            "unknown field",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "port": 70000, "user": "s", "password": "x"}),
            "port",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "port": 0, "user": "s", "password": "x"}),
            "port",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s".repeat(256), "password": "x"}),
            "user",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "x".repeat(1025)}),
            "password",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "a\r\nb"}),
            "line breaks",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "x",
                   "ca_pem": "-".repeat(70_000)}),
            "KiB",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "password": "x", "enabled": "yes"}),
            "enabled",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "oauth2": {"token_url": token_url,
                   "client_id": "c", "client_secret": "only-the-secret"}}),
            "refresh token",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "oauth2": {"token_url": token_url,
                   "client_id": "c".repeat(256), "refresh_token": "r"}}),
            "client id",
        ),
        (
            "zweites",
            json!({"host": "imap.vendor.de", "user": "s", "oauth2": {"token_url": token_url,
                   "client_id": "c", "refresh_token": "r\r\nx"}}),
            "line breaks",
        ),
        // The working mailbox signs in with a password: OAuth 2.0 without a refresh token
        // would leave it signing in with nothing, and the new host must not be kept either.
        (
            "support",
            json!({"host": "imap.vendor.de", "user": "s", "oauth2": {"token_url": token_url,
                   "client_id": "c"}}),
            "refresh token",
        ),
    ] {
        let (status, answer) = shop.server.put_json(
            &format!("/v1/mail/mailboxes/{}", name.replace(' ', "%20")),
            &shop.vendor,
            &body,
        );
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    let kept = &self::channel(&shop)["mailboxes"][0];
    for field in ["name", "host", "user", "has_password", "oauth2_token_url"] {
        assert_eq!(kept[field], support[field], "{field}");
    }
    let (status, channel) =
        shop.server
            .put_json("/v1/mail/mailboxes/zweites", &shop.vendor, &settings);
    assert_eq!(status, reqwest::StatusCode::OK, "{channel}");
    assert!(!channel.to_string().contains("Sehr-Geheim-42"));
    assert_eq!(channel["mailboxes"][1]["name"], "zweites");
    assert_eq!(channel["mailboxes"][1]["has_password"], true);
    // It cannot be reached: the settings say why.
    let error = eventually("the mailbox's error", || {
        let (_, channel) = shop.server.get("/v1/mail", Some(&shop.desk));
        channel["mailboxes"][1]["last_error"]
            .as_str()
            .map(str::to_owned)
    });
    assert!(error.contains("cannot reach localhost:1"), "{error}");
    assert!(!shop
        .server
        .stored_bytes()
        .windows(14)
        .any(|w| w == b"Sehr-Geheim-42"));
    let shown = shop.server.operator(&["mail", "show"], "");
    assert_eq!(shown["mailboxes"][1]["has_password"], true);

    // The outgoing server: a sender's name cannot smuggle a header into every reply, and
    // nothing refused changes what is kept.
    let outgoing = |change: Value| {
        let mut body = json!({"host": "localhost", "port": shop.mail.smtp_port,
                              "from_address": "support@vendor.de", "from_name": "Vendor Support"});
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        body
    };
    let kept = self::channel(&shop)["outgoing"].clone();
    for (change, says) in [
        (
            json!({"from_name": "Support\r\nBcc: all@evil.example"}),
            "one line",
        ),
        (json!({"from_address": "not an address"}), "e-mail address"),
        (
            json!({"from_address": "a@b.de\r\nBcc: x@evil.example"}),
            "e-mail address",
        ),
        (json!({"password": "x"}), "a password goes with a user"),
        (json!({"security": "plain"}), "security"),
        (json!({"host": ""}), "host"),
        (json!({"user": ""}), "user"),
    ] {
        let (status, answer) =
            shop.server
                .put_json("/v1/mail/outgoing", &shop.vendor, &outgoing(change.clone()));
        assert_eq!(
            status,
            reqwest::StatusCode::BAD_REQUEST,
            "{change}: {answer}"
        );
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{change}: {answer}"
        );
    }
    assert_eq!(self::channel(&shop)["outgoing"], kept);
    // Everyone else's sync goes on.
    assert!(shop.server.pull(&shop.admin, 0)["changes"].is_array());
}

#[test]
fn a_shop_admin_who_asked_hears_of_answers_quotes_and_invoices_by_mail() {
    let shop = shop_with_mail();
    for wrong in [
        json!({"answers": "yes", "quotes": true, "invoices": true}),
        json!({"answers": true, "quotes": true, "invoices": true, "to": "x@evil.example"}),
        json!({"answers": true}),
    ] {
        let (status, _) = shop
            .server
            .put_json("/v1/me/mail-notices", &shop.admin, &wrong);
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{wrong}");
    }
    let (_, nothing) = shop.server.get("/v1/me/mail-notices", Some(&shop.admin));
    assert_eq!(
        nothing,
        json!({"answers": false, "quotes": false, "invoices": false})
    );
    let (status, kept) = shop.server.put_json(
        "/v1/me/mail-notices",
        &shop.admin,
        &json!({"answers": true, "quotes": true, "invoices": true}),
    );
    assert_eq!(status, reqwest::StatusCode::OK, "{kept}");
    // Another admin of the shop chose nothing, and the desk cannot choose for itself.
    shop.server
        .staff("lager@korn.de", "shop_admin", Some(&shop.shop));
    let (status, _) = shop.server.put_json(
        "/v1/me/mail-notices",
        &shop.desk,
        &json!({"answers": true, "quotes": true, "invoices": true}),
    );
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);

    let ticket = Uuid::now_v7();
    assert_eq!(
        statuses(&shop.server.push(&shop.admin, &[filed(ticket, None)])),
        ["applied"]
    );
    let results = shop.server.push(
        &shop.desk,
        &[
            comment(ticket),
            internal_note(ticket),
            offered(ticket, Uuid::now_v7()),
        ],
    );
    assert_eq!(statuses(&results), ["applied", "applied", "applied"]);
    let sent = eventually("the answer's and the quote's notices", || {
        let sent = shop.mail.sent();
        (sent.len() == 2).then_some(sent)
    });
    let number = format!("T-{}", ticket.simple().to_string()[26..].to_uppercase());
    for mail in &sent {
        assert_eq!(header(mail, "To"), Some("chef@korn.de"));
        assert_eq!(header(mail, "Auto-Submitted"), Some("auto-generated"));
        assert!(header(mail, "Subject").unwrap().contains(&number), "{mail}");
        assert!(!mail.contains("Kulanz"), "the internal note stays in");
    }
    assert!(sent[0].contains("Der Drucker blinkt rot."), "{}", sent[0]);
    assert!(header(&sent[1], "Subject")
        .unwrap()
        .starts_with("Angebot / Quote"));

    // An invoice run (an operator's command, another process) sends the invoice with its PDF
    // and its e-invoice, as the server issued them.
    shop.server.set_up_vendor();
    shop.server.bill(&shop.shop, "Bäckerei Korn GmbH");
    let (_, kasse) = shop.server.till(&shop.shop, "Kasse 1");
    shop.server.sell(&shop.shop, "flat", &[kasse], "2027-01-01");
    let run = shop
        .server
        .operator(&["invoice", "run", "--on", "2027-01-01"], "");
    let invoice = run[0]["number"].as_str().unwrap().to_owned();
    let sent = eventually("the invoice by mail", || {
        let sent = shop.mail.sent();
        (sent.len() == 3).then_some(sent)
    });
    let parsed = mail_parser::MessageParser::default()
        .parse(sent[2].as_bytes())
        .unwrap();
    assert_eq!(
        parsed.subject(),
        Some(format!("Rechnung / Invoice {invoice}").as_str())
    );
    let files: Vec<(String, Vec<u8>)> = parsed
        .attachments()
        .map(|part| {
            use mail_parser::MimeHeaders;
            (
                part.attachment_name().unwrap().to_owned(),
                part.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        files
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        [format!("{invoice}.pdf"), format!("{invoice}.xml")]
    );
    assert!(files[0].1.starts_with(b"%PDF"));
    let issued = std::process::Command::new(stationdesk_e2e::server::server_binary())
        .arg("--db")
        .arg(shop.server.db())
        .args(["invoice", "xml", "--number", &invoice])
        .output()
        .unwrap();
    assert!(issued.status.success());
    assert_eq!(files[1].1, issued.stdout, "the e-invoice the server issued");
}

#[test]
fn a_mailbox_that_takes_no_password_is_read_with_oauth2_and_its_rotated_refresh_token() {
    let mail = MailServers::start();
    let options = mail.serve_options();
    let mut server =
        TestServer::start_with(&options.iter().map(String::as_str).collect::<Vec<_>>());
    let shop = server.shop("Bäckerei Korn");
    let admin = server.staff("chef@korn.de", "shop_admin", Some(&shop));
    let vendor = server.staff("vera@vendor.de", "vendor_admin", None);
    let oauth2 = |refresh_token: &str| {
        json!({
            "host": "localhost",
            "port": mail.imap_port,
            "user": MAILBOX_USER,
            "ca_pem": mail.ca_pem,
            "oauth2": {
                "token_url": mail.oauth2_token_url(),
                "client_id": OAUTH2_CLIENT_ID,
                "client_secret": OAUTH2_CLIENT_SECRET,
                "refresh_token": refresh_token,
            },
        })
    };
    let (status, channel) = server.put_json(
        "/v1/mail/mailboxes/support",
        &vendor,
        &oauth2(OAUTH2_REFRESH_TOKEN),
    );
    assert_eq!(status, reqwest::StatusCode::OK, "{channel}");
    assert_eq!(channel["mailboxes"][0]["has_password"], false);
    assert_eq!(
        channel["mailboxes"][0]["oauth2_client_id"],
        OAUTH2_CLIENT_ID
    );
    assert!(!channel.to_string().contains(OAUTH2_CLIENT_SECRET));
    assert!(!channel.to_string().contains(OAUTH2_REFRESH_TOKEN));
    let tickets = |server: &TestServer, count: usize| {
        eventually(&format!("{count} tickets"), || {
            (of_type(&pulled(server, &admin), "ticket_filed").len() == count).then_some(())
        })
    };
    mail.deliver(
        "From: chef@korn.de\nSubject: Drucker\nMessage-ID: <o1@korn.de>\n\nDruckt nicht.\n",
    );
    tickets(&server, 1);
    let asked = mail.oauth2_requests();
    assert_eq!(asked[0]["path"], "/token");
    assert_eq!(
        asked[0]["form"],
        json!({"grant_type": "refresh_token", "refresh_token": OAUTH2_REFRESH_TOKEN,
               "client_id": OAUTH2_CLIENT_ID, "client_secret": OAUTH2_CLIENT_SECRET})
    );
    assert_eq!(
        asked[1],
        json!({"path": "/introspect", "form": {"token": "access-1"}})
    );

    // The provider replaced the refresh token on use: signing in again after a restart takes
    // the new one (the first is spent).
    server.restart();
    mail.deliver("From: chef@korn.de\nSubject: Waage\nMessage-ID: <o2@korn.de>\n\nWiegt falsch.\n");
    tickets(&server, 2);
    let refreshed: Vec<Value> = mail
        .oauth2_requests()
        .into_iter()
        .filter(|r| r["path"] == "/token")
        .map(|r| r["form"]["refresh_token"].clone())
        .collect();
    assert_eq!(
        refreshed[..2],
        [json!(OAUTH2_REFRESH_TOKEN), json!("refresh-2")]
    );

    // A refresh token the provider does not know: the settings say so.
    let (status, _) = server.put_json("/v1/mail/mailboxes/support", &vendor, &oauth2("stolen"));
    assert_eq!(status, reqwest::StatusCode::OK);
    let error = eventually("the token endpoint's refusal", || {
        let (_, channel) = server.get("/v1/mail", Some(&vendor));
        channel["mailboxes"][0]["last_error"]
            .as_str()
            .filter(|e| e.contains("refused the refresh token"))
            .map(str::to_owned)
    });
    assert!(error.contains("invalid_grant"), "{error}");
    // Neither a password nor plain http elsewhere is taken beside OAuth 2.0.
    let mut both = oauth2("x");
    both["password"] = json!("y");
    let (status, _) = server.put_json("/v1/mail/mailboxes/support", &vendor, &both);
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    let mut plain = oauth2("x");
    plain["oauth2"]["token_url"] = json!("http://login.example.com/token");
    let (status, answer) = server.put_json("/v1/mail/mailboxes/support", &vendor, &plain);
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    assert!(answer["message"].as_str().unwrap().contains("https://"));
}

#[test]
fn another_shops_ticket_number_or_thread_never_lets_a_mail_into_its_ticket() {
    let shop = shop_with_mail();
    let weber = shop.server.shop("Blumen Weber");
    let weber_admin = shop
        .server
        .staff("chef@weber.de", "shop_admin", Some(&weber));
    shop.mail.deliver(
        "From: chef@korn.de\nSubject: Bondrucker\nMessage-ID: <k1@korn.de>\n\nDruckt nicht.\n",
    );
    let ticket: Uuid = eventually("Korn's ticket", || {
        of_type(&pulled(&shop.server, &shop.admin), "ticket_filed")
            .first()
            .map(|c| c["ticket"]["id"].as_str().unwrap().parse().unwrap())
    });
    assert_eq!(
        statuses(&shop.server.push(&shop.desk, &[comment(ticket)])),
        ["applied"]
    );
    let sent = eventually("the desk's reply", || shop.mail.sent().into_iter().next());
    let sent_id = header(&sent, "Message-ID").unwrap().to_owned();
    let number = format!("T-{}", ticket.simple().to_string()[26..].to_uppercase());
    // Weber's admin answers Korn's thread and names Korn's ticket: Weber gets a ticket of its
    // own, and Korn's ticket hears nothing of it.
    shop.mail.deliver(&format!(
        "From: chef@weber.de\nSubject: Re: Bondrucker [{number}]\nMessage-ID: <w1@weber.de>\nIn-Reply-To: {sent_id}\nReferences: {sent_id}\n\nBei uns auch.\n"
    ));
    taken_in(&shop, 2);
    let korn = pulled(&shop.server, &shop.admin);
    assert_eq!(
        texts(&korn, &ticket.to_string()).len(),
        2,
        "the mail and the reply only"
    );
    assert!(!korn.iter().any(|c| c.to_string().contains("Bei uns auch")));
    let weber_changes = pulled(&shop.server, &weber_admin);
    let filed = of_type(&weber_changes, "ticket_filed");
    assert_eq!(filed.len(), 1);
    let own = filed[0]["ticket"]["id"].as_str().unwrap();
    assert_ne!(own, ticket.to_string());
    assert_eq!(texts(&weber_changes, own), ["Bei uns auch."]);
    // Both shops' sync goes on.
    assert_eq!(
        statuses(&shop.server.push(&shop.admin, &[comment(ticket)])),
        ["applied"]
    );
    assert_eq!(
        texts(&pulled(&shop.server, &shop.admin), &ticket.to_string()).len(),
        3
    );
}
