//! The client's sync (stationdesk-core) against the real server process: enrolment with the
//! token in a real Secret Service keyring, the outbox sent exactly once, and faults — the server
//! down during emergency presses, killed and restarted — each ending with an exact count.
//!
//! Needs a Secret Service on the session bus; `scripts/test.sh` runs the tests under
//! `dbus-run-session` with an unlocked gnome-keyring-daemon.

mod common;

use chrono::Utc;
use common::TestServer;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::emergency;
use stationdesk_core::secrets;
use stationdesk_core::store::Store;
use stationdesk_core::sync::{self, SyncError};

/// A till's own database with one station.
fn till() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("till.sqlite")).unwrap();
    store.add_station("Kasse 1", "").unwrap();
    (dir, store)
}

fn press(store: &mut Store, station: &str) {
    emergency::press(store, &SupportCalendar::default(), station, Utc::now()).unwrap();
}

/// Takes the test's token out of the keyring again.
fn forget(store: &Store) {
    let state = store.enrolment().unwrap().unwrap();
    secrets::forget_device_token(&state.server_url, state.station_id.unwrap()).unwrap();
}

/// Every change the server holds, as the vendor's support desk sees them.
fn changes_on_server(server: &TestServer) -> usize {
    let support = server.staff(
        &format!("support-{}@vendor.de", uuid::Uuid::now_v7()),
        "support_staff",
        None,
    );
    let mut count = 0;
    let mut cursor = 0;
    loop {
        let page = server.pull(&support, cursor);
        count += page["changes"].as_array().unwrap().len();
        cursor = page["cursor"].as_u64().unwrap();
        if page["more"] == false {
            return count;
        }
    }
}

#[test]
fn a_till_enrols_keeps_its_token_in_the_keyring_and_sends_its_outbox_once() {
    let server = TestServer::start();
    let shop = server.shop("Bäckerei Korn");
    let (dir, mut store) = till();
    let state = sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    assert_eq!(state.shop_id.to_string(), shop);

    let token = secrets::device_token(&server.base, state.station_id.unwrap())
        .unwrap()
        .expect("the token is in the keyring");
    let file = std::fs::read(dir.path().join("till.sqlite")).unwrap();
    assert!(
        !file
            .windows(token.expose().len())
            .any(|w| w == token.expose().as_bytes()),
        "never in the database"
    );

    press(&mut store, "Kasse 1");
    press(&mut store, "Kasse 1");
    let waiting = store.sync_status().unwrap().pending;
    assert!(waiting >= 2);
    // A copy taken before the push plays a client whose answer got lost on the way.
    let lost_answer = dir.path().join("before-push.sqlite");
    store.checkpoint().unwrap();
    std::fs::copy(dir.path().join("till.sqlite"), &lost_answer).unwrap();

    let pushed = sync::sync(&mut store).unwrap().pushed;
    assert_eq!(pushed.accepted as i64, waiting);
    let status = store.sync_status().unwrap();
    assert_eq!((status.pending, status.last_error), (0, None));
    assert!(status.last_success.is_some());
    assert_eq!(changes_on_server(&server) as i64, waiting);

    let mut retrying = Store::open(&lost_answer).unwrap();
    let again = sync::sync(&mut retrying).unwrap().pushed;
    assert_eq!(
        again.accepted as i64, waiting,
        "the server says: already applied"
    );
    assert_eq!(
        changes_on_server(&server) as i64,
        waiting,
        "a retried batch changes nothing"
    );
    forget(&store);
}

#[test]
fn presses_while_the_server_is_down_are_sent_when_it_is_back_and_nothing_is_lost() {
    let mut server = TestServer::start();
    let shop = server.shop("Laden");
    let (_dir, mut store) = till();
    sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    press(&mut store, "Kasse 1");
    sync::sync(&mut store).unwrap();
    let before = changes_on_server(&server);

    server.stop();
    store.add_station("Kasse 2", "").unwrap();
    for station in ["Kasse 1", "Kasse 2", "Kasse 1"] {
        press(&mut store, station);
    }
    let waiting = store.sync_status().unwrap().pending;
    let error = sync::sync(&mut store).unwrap_err();
    assert!(matches!(error, SyncError::Unreachable { .. }), "{error}");
    let status = store.sync_status().unwrap();
    assert_eq!(
        status.pending, waiting,
        "nothing lost while the server is down"
    );
    assert!(status
        .last_error
        .unwrap()
        .contains("changes stay saved here and are sent later"));

    server.restart();
    let pushed = sync::sync(&mut store).unwrap().pushed;
    assert_eq!(pushed.accepted as i64, waiting);
    assert_eq!(store.sync_status().unwrap().pending, 0);
    assert_eq!(
        changes_on_server(&server),
        before + usize::try_from(waiting).unwrap(),
        "every press arrived once"
    );
    forget(&store);
}

#[test]
fn a_refused_change_is_marked_and_does_not_hold_up_the_others() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (dir, mut store) = till();
    sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    press(&mut store, "Kasse 1");
    // A change of a kind this server does not know (from a newer client, say), first in line.
    let raw = rusqlite::Connection::open(dir.path().join("till.sqlite")).unwrap();
    raw.execute(
        "INSERT INTO outbox (seq, change_id, entity, entity_id, kind, payload, created_at)
         VALUES (0, ?1, 'loyalty_card', ?2, 'created', '{}', '2026-11-23T08:00:00.000Z')",
        [
            uuid::Uuid::now_v7().to_string(),
            uuid::Uuid::now_v7().to_string(),
        ],
    )
    .unwrap();
    let waiting = store.sync_status().unwrap().pending;

    let pushed = sync::sync(&mut store).unwrap().pushed;
    assert_eq!((pushed.accepted as i64, pushed.rejected), (waiting - 1, 1));
    let status = store.sync_status().unwrap();
    assert_eq!(status.pending, 0);
    assert_eq!(status.rejected.len(), 1);
    assert!(status.rejected[0]
        .1
        .contains("unknown entity \"loyalty_card\""));
    // Not sent again.
    let next = sync::sync(&mut store).unwrap().pushed;
    assert_eq!((next.accepted, next.rejected), (0, 0));
    forget(&store);
}

#[test]
fn two_tills_converge_on_the_same_ticket_history_after_concurrent_changes() {
    use stationdesk_core::domain::tickets::TicketState;
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_a_dir, mut a) = till();
    let (_b_dir, mut b) = till();
    sync::enrol(&mut a, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    sync::enrol(&mut b, &server.base, &server.code(&shop), "Kasse 2").unwrap();

    press(&mut a, "Kasse 1");
    let ticket = a.sync_status().map(|_| ()).and_then(|()| {
        a.tickets(&stationdesk_core::store::TicketQuery::new(
            stationdesk_core::store::TicketView::Shop,
        ))
    });
    let ticket = ticket.unwrap()[0].id.to_string();
    sync::sync(&mut a).unwrap();
    let pulled = sync::sync(&mut b).unwrap().pulled;
    assert!(
        pulled.applied >= 2,
        "the ticket and its first event arrive: {pulled:?}"
    );
    assert_eq!(
        b.ticket(&ticket).unwrap().ticket.title,
        a.ticket(&ticket).unwrap().ticket.title
    );

    // Both work on it at the same time, offline from each other.
    a.comment(&ticket, "Kasse 1", "Drucker neu gestartet")
        .unwrap();
    a.change_ticket_state(&ticket, TicketState::Open, "Kasse 1")
        .unwrap();
    b.comment(&ticket, "Chefin", "Papier ist nachgefüllt")
        .unwrap();
    b.change_ticket_state(&ticket, TicketState::WaitingForCustomer, "Chefin")
        .unwrap();
    for _ in 0..2 {
        sync::sync(&mut a).unwrap();
        sync::sync(&mut b).unwrap();
    }

    let (left, right) = (a.ticket(&ticket).unwrap(), b.ticket(&ticket).unwrap());
    let ids = |events: &[stationdesk_core::store::TicketEvent]| {
        let mut ids: Vec<_> = events.iter().map(|e| e.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&left.events), ids(&right.events), "the same history");
    let mut comments_a: Vec<_> = left.comments.iter().map(|c| c.body.clone()).collect();
    let mut comments_b: Vec<_> = right.comments.iter().map(|c| c.body.clone()).collect();
    comments_a.sort();
    comments_b.sort();
    assert_eq!(
        comments_a,
        ["Drucker neu gestartet", "Papier ist nachgefüllt"]
    );
    assert_eq!(comments_a, comments_b);
    assert_eq!(
        left.ticket.state, right.ticket.state,
        "the server's order decides"
    );
    assert_eq!(
        left.ticket.state,
        TicketState::WaitingForCustomer,
        "B's change reached the server last"
    );
    assert_eq!(
        (
            a.sync_status().unwrap().pending,
            b.sync_status().unwrap().pending
        ),
        (0, 0)
    );
    let names: Vec<String> = b.stations().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(
        names.len(),
        2,
        "both tills called \"Kasse 1\" are kept: {names:?}"
    );
    forget(&a);
    forget(&b);
}

#[test]
fn a_server_that_fails_answers_garbage_or_is_cut_off_loses_and_duplicates_nothing() {
    use common::proxy::{Mode, Proxy};
    let server = TestServer::start();
    let proxy = Proxy::start(&server.base);
    let shop = server.shop("Laden");
    let (_dir, mut store) = till();
    sync::enrol(&mut store, &proxy.base, &server.code(&shop), "Kasse 1").unwrap();
    press(&mut store, "Kasse 1");
    let waiting = store.sync_status().unwrap().pending;

    proxy.set(Mode::Fail500);
    let error = sync::sync(&mut store).unwrap_err();
    assert!(
        matches!(error, SyncError::ServerFailed { status: 500, .. }),
        "{error}"
    );
    proxy.set(Mode::Garbage);
    let error = sync::sync(&mut store).unwrap_err();
    assert!(matches!(error, SyncError::Garbage(_)), "{error}");
    assert_eq!(
        store.sync_status().unwrap().pending,
        waiting,
        "all still queued"
    );
    assert_eq!(changes_on_server(&server), 0);

    // The server applies the batch, but its answer is cut off half-way.
    proxy.set(Mode::CutMidResponse);
    assert!(sync::sync(&mut store).is_err());
    assert_eq!(
        store.sync_status().unwrap().pending,
        waiting,
        "kept for the retry"
    );
    assert_eq!(
        changes_on_server(&server) as i64,
        waiting,
        "the server has it once"
    );

    proxy.set(Mode::Pass);
    let pushed = sync::sync(&mut store).unwrap().pushed;
    assert_eq!(pushed.accepted as i64, waiting, "already applied: accepted");
    assert_eq!(store.sync_status().unwrap().pending, 0);
    assert_eq!(changes_on_server(&server) as i64, waiting, "and still once");
    forget(&store);
}
