//! Faults that need processes: the server killed with SIGKILL in the middle of a push, the
//! client (`stationdesk-cli`) killed in the middle of a pull, and clients whose clocks are an
//! hour off (the real CLI under libfaketime). Each ends with an exact count.
//!
//! Needs a Secret Service on the session bus (scripts/test.sh starts one), `faketime`, and
//! `stationdesk-cli` built (`cargo test --workspace` builds it).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{TestServer, PASSWORD};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use stationdesk_core::domain::tickets::TicketState;
use stationdesk_core::secrets::{self, Account};
use stationdesk_core::store::{Store, TicketQuery, TicketView};
use stationdesk_core::sync;
use stationdesk_e2e::server::ServerDatabase;

/// A till with `count` tickets (two changes each: the ticket and its first event).
pub(crate) fn busy_till(dir: &Path, count: usize) -> Store {
    let mut store = Store::open(&dir.join("till.sqlite")).unwrap();
    store.add_station("Kasse 1", "").unwrap();
    for n in 0..count {
        store
            .create_ticket(stationdesk_e2e::phoned_in_fault(
                "Kasse 1",
                "Frau Korn",
                &format!("Bon {n} wird nicht gedruckt"),
            ))
            .unwrap();
    }
    store
}

fn read_only(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    // The writer may hold the lock for a moment; a reader in WAL mode is not blocked for long.
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The server holds each change of a [`busy_till`] of 3,000 tickets (`waiting` with its
/// station) exactly once.
pub(crate) fn each_change_once(on_server: &mut ServerDatabase, waiting: i64) {
    assert_eq!(
        on_server.count("SELECT count(*) FROM changes", &[]),
        waiting,
        "every change once"
    );
    assert_eq!(
        on_server.count(
            "SELECT count(*) FROM changes WHERE kind = 'ticket_filed'",
            &[]
        ),
        3000
    );
}

pub(crate) fn forget_device(store: &Store) {
    let state = store.enrolment().unwrap().unwrap();
    secrets::forget_token(
        &state.server_url,
        &Account::Device(state.station_id.unwrap()),
    )
    .unwrap();
}

#[test]
fn the_server_killed_in_the_middle_of_a_push_loses_and_duplicates_nothing() {
    let mut server = TestServer::start();
    let shop = server.shop("Laden");
    let dir = tempfile::tempdir().unwrap();
    let mut store = busy_till(dir.path(), 3000);
    sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    let waiting = store.sync_status().unwrap().pending;
    assert_eq!(
        waiting,
        1 + 2 * 3000,
        "the station, and each ticket with its event"
    );

    let pushing = std::thread::spawn(move || {
        let outcome = sync::sync(&mut store);
        (store, outcome)
    });
    let mut on_server = server.database();
    let at_kill = loop {
        let applied = on_server.count("SELECT count(*) FROM changes", &[]);
        if applied >= 500 {
            server.stop();
            break applied;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let (mut store, outcome) = pushing.join().unwrap();
    assert!(
        at_kill < waiting,
        "killed with {at_kill} of {waiting} applied"
    );
    assert!(outcome.is_err(), "the push was cut off");
    // The batch being applied, or its answer, was lost with the process: it stays queued
    // here, however much of it the server had committed.
    let left = store.sync_status().unwrap().pending;
    assert!(left > 0 && left <= waiting, "{left} still queued");

    server.restart();
    assert!(
        server.database().count("SELECT count(*) FROM changes", &[]) >= at_kill,
        "what the server had committed survived the kill"
    );
    let synced = sync::sync(&mut store).unwrap();
    assert_eq!(store.sync_status().unwrap().pending, 0);
    assert_eq!(synced.pushed.accepted as i64, left);
    each_change_once(&mut server.database(), waiting);
    forget_device(&store);
}

/// `stationdesk-cli --db DB --json ARGS`, its clock shifted by `clock` (libfaketime,
/// e.g. "+1h") when given.
fn cli(db: &Path, args: &[&str], clock: Option<&str>) -> Command {
    let mut command = Command::new(stationdesk_e2e::cli_binary());
    if let Some(offset) = clock {
        command.envs(stationdesk_e2e::clock::shifted(offset));
    }
    command.arg("--db").arg(db).arg("--json").args(args);
    command
}

fn run(db: &Path, args: &[&str], stdin: &str, clock: Option<&str>) -> Value {
    stationdesk_e2e::server::json_of(&mut cli(db, args, clock), stdin)
}

/// The shop admin signs in with the real CLI, its clock shifted by `clock` when given.
fn sign_in_chefin(server: &TestServer, db: &Path, clock: Option<&str>) {
    run(
        db,
        &[
            "login",
            "--server",
            &server.base,
            "--email",
            "chefin@laden.de",
        ],
        &format!("{PASSWORD}\n"),
        clock,
    );
}

#[test]
fn the_client_killed_in_the_middle_of_a_pull_applies_whole_pages_and_goes_on() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let till_dir = tempfile::tempdir().unwrap();
    let mut till = busy_till(till_dir.path(), 3000);
    sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    sync::sync(&mut till).unwrap();
    let history: i64 = 1 + 2 * 3000;

    // The shop admin's PC reads the whole history with the real CLI, and is killed half-way.
    server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let admin_dir = tempfile::tempdir().unwrap();
    let admin_db = admin_dir.path().join("admin.sqlite");
    sign_in_chefin(&server, &admin_db, None);
    let mut pulling = cli(&admin_db, &["sync"], None)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let local = read_only(&admin_db);
    let cursor_at_kill = loop {
        let cursor = count(&local, "SELECT pull_cursor FROM sync_state");
        if cursor > 0 {
            pulling.kill().unwrap();
            pulling.wait().unwrap();
            break cursor;
        }
        assert!(
            pulling.try_wait().unwrap().is_none(),
            "the pull ended before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    // Whatever page was being applied is not there at all; every page before it is whole.
    let cursor = count(&local, "SELECT pull_cursor FROM sync_state");
    assert!(cursor >= cursor_at_kill && cursor < history, "{cursor}");
    let mut on_server = server.database();
    let tickets_up_to_cursor = on_server.count(
        &format!(
            "SELECT count(*) FROM changes WHERE kind = 'ticket_filed' AND shop_seq <= {cursor}"
        ),
        &[],
    );
    assert_eq!(
        count(&local, "SELECT count(*) FROM tickets"),
        tickets_up_to_cursor
    );
    assert_eq!(
        count(&local, "SELECT count(*) FROM ticket_events"),
        on_server.count(
            &format!(
                "SELECT count(*) FROM changes WHERE kind = 'ticket_event' AND shop_seq <= {cursor}"
            ),
            &[]
        )
    );

    let synced = run(&admin_db, &["sync"], "", None);
    assert_eq!(synced["status"]["pending"], 0);
    assert_eq!(count(&local, "SELECT count(*) FROM tickets"), 3000);
    assert_eq!(count(&local, "SELECT count(*) FROM ticket_events"), 3000);
    assert_eq!(
        count(&local, "SELECT pull_cursor FROM sync_state"),
        on_server.count("SELECT max(revision) FROM changes", &[])
    );
    run(&admin_db, &["logout"], "", None);
    forget_device(&till);
}

#[test]
fn clients_an_hour_off_converge_in_the_servers_order() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let dir = tempfile::tempdir().unwrap();
    let (ahead, behind) = (
        dir.path().join("ahead.sqlite"),
        dir.path().join("behind.sqlite"),
    );
    let ahead_clock = Some("+1h");
    let behind_clock = Some("-1h");

    // The till's clock is an hour ahead; the admin's an hour behind; the desk's is right.
    run(
        &ahead,
        &["station", "add", "--name", "Kasse 1"],
        "",
        ahead_clock,
    );
    let code = server.code(&shop);
    run(
        &ahead,
        &[
            "enrol",
            "--server",
            &server.base,
            "--code",
            &code,
            "--station-name",
            "Kasse 1",
        ],
        "",
        ahead_clock,
    );
    let pressed = run(
        &ahead,
        &["emergency", "--station", "Kasse 1"],
        "",
        ahead_clock,
    );
    let ticket = pressed["ticket"]["id"].as_str().unwrap().to_owned();
    let created =
        chrono::DateTime::parse_from_rfc3339(pressed["ticket"]["created_at"].as_str().unwrap())
            .unwrap();
    let skew = created.signed_duration_since(chrono::Utc::now());
    assert!(
        skew > chrono::Duration::minutes(55),
        "the till's clock really is ahead: {skew}"
    );
    run(&ahead, &["sync"], "", ahead_clock);
    sign_in_chefin(&server, &behind, behind_clock);
    run(&behind, &["sync"], "", behind_clock);
    let desk_dir = tempfile::tempdir().unwrap();
    server.staff("ben@vendor.de", "support_staff", None);
    let mut desk = Store::open(&desk_dir.path().join("desk.sqlite")).unwrap();
    sync::login(&mut desk, &server.base, "ben@vendor.de", PASSWORD, None).unwrap();
    sync::desk::open_ticket(&mut desk, ticket.parse().unwrap()).unwrap();

    // The till (an hour "later") opens it and comments; then the desk (an hour "earlier" by
    // the till's clock) asks the shop for details; then the admin comments.
    run(
        &ahead,
        &[
            "ticket", "state", &ticket, "--to", "open", "--by", "Kasse 1",
        ],
        "",
        ahead_clock,
    );
    run(
        &ahead,
        &[
            "ticket",
            "comment",
            &ticket,
            "--text",
            "Drucker neu gestartet",
            "--by",
            "Kasse 1",
        ],
        "",
        ahead_clock,
    );
    run(&ahead, &["sync"], "", ahead_clock);
    sync::sync(&mut desk).unwrap();
    desk.comment(&ticket, "Ben (Support)", "Welche Fehlermeldung?")
        .unwrap();
    desk.change_ticket_state(&ticket, TicketState::WaitingForCustomer, "Ben (Support)")
        .unwrap();
    sync::sync(&mut desk).unwrap();
    run(&behind, &["sync"], "", behind_clock);
    run(
        &behind,
        &[
            "ticket",
            "comment",
            &ticket,
            "--text",
            "Papier ist drin",
            "--by",
            "Chefin",
        ],
        "",
        behind_clock,
    );
    for _ in 0..2 {
        run(&behind, &["sync"], "", behind_clock);
        run(&ahead, &["sync"], "", ahead_clock);
        sync::sync(&mut desk).unwrap();
    }

    let shown = |json: &Value| {
        let mut events: Vec<String> = json["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        events.sort();
        let mut comments: Vec<String> = json["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect();
        comments.sort();
        (
            json["ticket"]["state"].as_str().unwrap().to_owned(),
            events,
            comments,
        )
    };
    let at_till = shown(&run(&ahead, &["ticket", "show", &ticket], "", ahead_clock));
    let at_admin = shown(&run(
        &behind,
        &["ticket", "show", &ticket],
        "",
        behind_clock,
    ));
    let at_desk = shown(&serde_json::to_value(desk.ticket(&ticket).unwrap()).unwrap());
    assert_eq!(
        at_till.0, "waiting_for_customer",
        "the desk's change reached the server last, whatever the till's clock says"
    );
    assert_eq!(
        at_till.2,
        [
            "Drucker neu gestartet",
            "Papier ist drin",
            "Welche Fehlermeldung?"
        ]
    );
    assert_eq!(at_admin, at_till);
    assert_eq!(at_desk, at_till);
    for db in [&ahead, &behind] {
        let status = run(db, &["sync"], "", None)["status"].clone();
        assert_eq!(
            (
                status["pending"].as_i64(),
                status["rejected"].as_array().map(Vec::len)
            ),
            (Some(0), Some(0))
        );
    }
    assert_eq!(
        desk.tickets(&TicketQuery::new(TicketView::Shop))
            .unwrap()
            .len(),
        1
    );
    run(&behind, &["logout"], "", behind_clock);
    sync::logout(&mut desk).unwrap();
    let state = Store::open(&ahead).unwrap().enrolment().unwrap().unwrap();
    secrets::forget_token(
        &state.server_url,
        &Account::Device(state.station_id.unwrap()),
    )
    .unwrap();
}
