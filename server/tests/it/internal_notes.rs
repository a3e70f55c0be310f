//! The support desk's internal notes never reach a shop: a real till and a real shop admin sync
//! with the server while an agent writes a note on the till's emergency. Neither pulls it
//! (through the app's sync or the raw endpoint), neither has it in the store or the export, and
//! neither event stream stirs for it; the reply written next reaches both, and the desk reads
//! the note.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use chrono::Utc;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::emergency;
use stationdesk_core::secrets::{self, Account};
use stationdesk_core::store::Store;
use stationdesk_core::sync;

use crate::common::{cli, TestServer};
use crate::sync::{forget, signed_in, till};

/// What nobody outside the vendor may read.
const SECRET: &str = "Kulanz intern: Kunde zahlt die Anfahrt nicht, GEHEIM-7731";
const REPLY: &str = "Bitte den Bondrucker aus- und wieder einschalten.";

/// The lines of `GET /v1/events?after=AFTER` for `token`, as they come.
fn event_lines(server: &TestServer, token: &str, after: u64) -> Receiver<String> {
    let response = server
        .http
        .get(format!("{}/v1/events?after={after}", server.base))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert!(response.status().is_success());
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(response).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// The next `event:` line within `wait`, if any.
fn next_event(lines: &Receiver<String>, wait: Duration) -> Option<String> {
    let until = std::time::Instant::now() + wait;
    while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with("event:") => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// Every change `token` can pull from the start, as text.
fn pulled_text(server: &TestServer, token: &str) -> String {
    server.pull(token, 0)["changes"].to_string()
}

/// `stationdesk-cli export` of the installation's database.
fn exported(store_dir: &tempfile::TempDir, file: &str) -> String {
    let output = cli(&store_dir.path().join(file), &["export"])
        .wait_with_output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn detail_text(store: &Store, ticket: &str) -> String {
    serde_json::to_string(&store.ticket(ticket).unwrap()).unwrap()
}

#[test]
fn an_internal_note_reaches_the_desk_and_never_a_till_or_shop_admin() {
    let server = TestServer::start();
    let shop = server.shop("Bäckerei Korn");
    let (till_dir, mut till) = till();
    sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    let station = till.station("Kasse 1").unwrap().id.to_string();
    let pressed =
        emergency::press(&mut till, &SupportCalendar::default(), &station, Utc::now()).unwrap();
    let ticket = pressed.ticket.id.to_string();
    sync::sync(&mut till).unwrap();
    let (admin_dir, mut admin) = signed_in(&server, "chef@korn.de", "shop_admin", Some(&shop));
    let (_desk_dir, mut desk) = signed_in(&server, "ben@vendor.de", "support_staff", None);
    let (_colleague_dir, mut colleague) =
        signed_in(&server, "lea@vendor.de", "support_staff", None);
    sync::sync(&mut admin).unwrap();
    for store in [&mut desk, &mut colleague] {
        sync::desk::open_ticket(store, pressed.ticket.id).unwrap();
    }
    assert_eq!(
        desk.ticket(&ticket).unwrap().ticket.title,
        pressed.ticket.title
    );

    // Raw observers beside the apps: the till's own device token, and a second session of the
    // shop admin, each listening from where it stands.
    let till_state = till.enrolment().unwrap().unwrap();
    let till_token = secrets::token(
        &till_state.server_url,
        &Account::Device(till_state.station_id.unwrap()),
    )
    .unwrap()
    .unwrap()
    .expose()
    .to_owned();
    let (_, login) = server.post(
        "/v1/login",
        None,
        &serde_json::json!({"email": "chef@korn.de", "password": crate::common::PASSWORD}),
    );
    let admin_token = login["token"].as_str().unwrap().to_owned();
    let head = |token: &str| server.pull(token, 0)["cursor"].as_u64().unwrap();
    let till_events = event_lines(&server, &till_token, head(&till_token));
    let admin_events = event_lines(&server, &admin_token, head(&admin_token));

    desk.add_internal_note(&ticket, "Ben", SECRET).unwrap();
    let pushed = sync::sync(&mut desk).unwrap();
    assert_eq!(pushed.pushed.accepted, 1, "{pushed:?}");
    for (who, events) in [("till", &till_events), ("shop admin", &admin_events)] {
        assert_eq!(
            next_event(events, Duration::from_millis(1500)),
            None,
            "the {who}'s event stream stays silent for an internal note"
        );
    }
    for store in [&mut till, &mut admin] {
        let synced = sync::sync(store).unwrap();
        assert_eq!(
            synced.pulled.applied, 0,
            "nothing new for the shop: {synced:?}"
        );
    }

    // The reply goes to everyone, and wakes both streams: they were listening all along.
    let me = desk.signed_in_agent().unwrap();
    desk.assign(&ticket, Some(me), "Ben").unwrap();
    desk.comment(&ticket, "Ben", REPLY).unwrap();
    sync::sync(&mut desk).unwrap();
    for (who, events) in [("till", &till_events), ("shop admin", &admin_events)] {
        assert_eq!(
            next_event(events, Duration::from_secs(5)).as_deref(),
            Some("event: changes"),
            "the {who} is told of the reply"
        );
    }
    for store in [&mut till, &mut admin] {
        sync::sync(store).unwrap();
    }

    for (who, store, dir, file, token) in [
        ("till", &till, &till_dir, "till.sqlite", &till_token),
        (
            "shop admin",
            &admin,
            &admin_dir,
            "staff.sqlite",
            &admin_token,
        ),
    ] {
        let detail = store.ticket(&ticket).unwrap();
        assert_eq!(
            detail
                .comments
                .iter()
                .map(|c| c.body.as_str())
                .collect::<Vec<_>>(),
            [REPLY],
            "the {who} reads the reply"
        );
        assert!(detail.notes.is_empty(), "the {who} holds no note");
        assert_eq!(
            detail.assignee.map(|a| a.name).as_deref(),
            Some("ben@vendor.de"),
            "the {who} sees who took the ticket"
        );
        for (place, text) in [
            ("ticket in the app", detail_text(store, &ticket)),
            ("export", exported(dir, file)),
            ("raw pull", pulled_text(&server, token)),
        ] {
            assert!(text.contains(REPLY), "the {who}'s {place} has the reply");
            assert!(
                !text.contains("GEHEIM-7731") && !text.contains("internal_note"),
                "the {who}'s {place} carries no internal note: {text}"
            );
        }
    }

    // The desk reads the note: the agent who wrote it, and a colleague who opened the ticket
    // before it was written, whose sync keeps it up to date.
    sync::sync(&mut colleague).unwrap();
    for store in [&desk, &colleague] {
        let notes: Vec<String> = store
            .ticket(&ticket)
            .unwrap()
            .notes
            .into_iter()
            .map(|n| format!("{}: {}", n.author, n.body))
            .collect();
        assert_eq!(notes, [format!("ben@vendor.de: {SECRET}")]);
    }
    let (_, vendor_view) = server.get(
        "/v1/sync/pull?after=0",
        Some(&server.staff("vera@vendor.de", "vendor_admin", None)),
    );
    assert!(
        vendor_view.to_string().contains("GEHEIM-7731"),
        "the vendor's staff pull the note"
    );

    for store in [&till, &admin, &desk, &colleague] {
        forget(store);
    }
}
