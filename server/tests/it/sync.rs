//! The client's sync (stationdesk-core) against the real server process: enrolment with the
//! token in a real Secret Service keyring, the outbox sent exactly once, and faults — the server
//! down during emergency presses, killed and restarted — each ending with an exact count.
//!
//! Needs a Secret Service on the session bus; `scripts/test.sh` runs the tests under
//! `dbus-run-session` with an unlocked gnome-keyring-daemon.

use crate::common::{put_blob, TestServer};
use chrono::Utc;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::emergency;
use stationdesk_core::secrets::{self, Account};
use stationdesk_core::store::Store;
use stationdesk_core::sync::{self, SyncError};

/// A till's own database with one station.
pub(crate) fn till() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("till.sqlite")).unwrap();
    store.add_station("Kasse 1", "").unwrap();
    (dir, store)
}

fn press(store: &mut Store, station: &str) {
    emergency::press(store, &SupportCalendar::default(), station, Utc::now()).unwrap();
}

/// Takes the test's tokens out of the keyring again.
pub(crate) fn forget(store: &Store) {
    let state = store.enrolment().unwrap().unwrap();
    if let Some(station) = state.station_id {
        secrets::forget_token(&state.server_url, &Account::Device(station)).unwrap();
    }
    if let Some(staff) = state.staff {
        secrets::forget_token(&state.server_url, &Account::Staff(staff.email)).unwrap();
    }
}

/// An installation with its own database, where a staff member of `role` signs in.
pub(crate) fn signed_in(
    server: &TestServer,
    email: &str,
    role: &str,
    shop: Option<&str>,
) -> (tempfile::TempDir, Store) {
    server.staff(email, role, shop);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("staff.sqlite")).unwrap();
    sync::login(
        &mut store,
        &server.base,
        email,
        crate::common::PASSWORD,
        None,
    )
    .unwrap();
    (dir, store)
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
    assert_eq!(state.shop_id.unwrap().to_string(), shop);

    let token = secrets::token(&server.base, &Account::Device(state.station_id.unwrap()))
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
    let change_id = uuid::Uuid::now_v7().to_string();
    raw.execute(
        "INSERT INTO outbox (seq, change_id, kind, body) VALUES (0, ?1, 'loyalty_card_issued', ?2)",
        [
            &change_id,
            &format!(
                r#"{{"change_id":"{change_id}","created_at":"2026-11-23T08:00:00Z","type":"loyalty_card_issued"}}"#
            ),
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
        .contains("unknown variant `loyalty_card_issued`"));
    // Not sent again.
    let next = sync::sync(&mut store).unwrap().pushed;
    assert_eq!((next.accepted, next.rejected), (0, 0));
    forget(&store);
}

#[test]
fn a_till_an_admin_and_the_support_desk_converge_on_the_same_ticket_history() {
    use stationdesk_core::domain::tickets::TicketState;
    use stationdesk_core::store::{TicketQuery, TicketView};
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_till_dir, mut till_a) = till();
    let (_other_dir, mut till_b) = till();
    sync::enrol(&mut till_a, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    sync::enrol(&mut till_b, &server.base, &server.code(&shop), "Kasse 2").unwrap();
    let (_admin_dir, mut admin) = signed_in(&server, "chefin@laden.de", "shop_admin", Some(&shop));
    let (_desk_dir, mut desk) = signed_in(&server, "ben@vendor.de", "support_staff", None);

    press(&mut till_a, "Kasse 1");
    let ticket = till_a.tickets(&TicketQuery::new(TicketView::Shop)).unwrap()[0]
        .id
        .to_string();
    sync::sync(&mut till_a).unwrap();
    let pulled = sync::sync(&mut admin).unwrap().pulled;
    assert!(
        pulled.applied >= 2,
        "the ticket and its first event arrive: {pulled:?}"
    );
    let pulled = sync::sync(&mut desk).unwrap().pulled;
    assert_eq!(
        (pulled.applied, pulled.emergencies.len()),
        (0, 1),
        "the desk keeps no shop's history, and is alerted to the emergency: {pulled:?}"
    );
    assert!(desk.ticket(&ticket).is_err());
    sync::desk::open_ticket(&mut desk, ticket.parse().unwrap()).unwrap();
    assert_eq!(
        desk.ticket(&ticket).unwrap().events.len(),
        1,
        "opened, it is kept"
    );
    sync::sync(&mut till_b).unwrap();
    assert!(
        till_b.ticket(&ticket).is_err(),
        "another till of the shop does not read Kasse 1's tickets"
    );

    // All three work on it at the same time, offline from each other.
    till_a
        .comment(&ticket, "Kasse 1", "Drucker neu gestartet")
        .unwrap();
    till_a
        .change_ticket_state(&ticket, TicketState::Open, "Kasse 1")
        .unwrap();
    admin
        .comment(&ticket, "Chefin", "Papier ist nachgefüllt")
        .unwrap();
    desk.comment(&ticket, "Ben (Support)", "Treiber wird aktualisiert")
        .unwrap();
    desk.change_ticket_state(&ticket, TicketState::WaitingForCustomer, "Ben (Support)")
        .unwrap();
    for _ in 0..2 {
        for store in [&mut till_a, &mut admin, &mut desk] {
            sync::sync(store).unwrap();
        }
    }

    let views: Vec<_> = [&till_a, &admin, &desk]
        .iter()
        .map(|store| store.ticket(&ticket).unwrap())
        .collect();
    let history = |detail: &stationdesk_core::store::TicketDetail| {
        let mut events: Vec<_> = detail.events.iter().map(|e| e.id).collect();
        events.sort();
        let mut comments: Vec<_> = detail.comments.iter().map(|c| c.body.clone()).collect();
        comments.sort();
        (events, comments, detail.ticket.state)
    };
    let (_, comments, state) = history(&views[0]);
    assert_eq!(
        comments,
        [
            "Drucker neu gestartet",
            "Papier ist nachgefüllt",
            "Treiber wird aktualisiert"
        ]
    );
    assert_eq!(
        state,
        TicketState::WaitingForCustomer,
        "the desk's change reached the server last"
    );
    for view in &views[1..] {
        assert_eq!(
            history(view),
            history(&views[0]),
            "the same history everywhere"
        );
    }
    for store in [&till_a, &admin, &desk] {
        let status = store.sync_status().unwrap();
        assert_eq!(
            (status.pending, status.rejected.len()),
            (0, 0),
            "{status:?}"
        );
    }
    for store in [&till_a, &till_b, &admin, &desk] {
        forget(store);
    }
}

#[test]
fn a_server_that_fails_answers_garbage_or_is_cut_off_loses_and_duplicates_nothing() {
    use crate::common::proxy::{Mode, Proxy};
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

#[test]
fn the_desk_hears_of_an_emergency_at_once_and_another_shop_hears_nothing() {
    use std::sync::mpsc;
    use std::time::Duration;
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let other_shop = server.shop("Anderer Laden");
    let (desk_dir, mut desk) = signed_in(&server, "ben@vendor.de", "support_staff", None);
    let (other_dir, other) = signed_in(&server, "chef@anders.de", "shop_admin", Some(&other_shop));
    let (heard, hearing) = mpsc::channel();
    for (who, dir, file) in [
        ("desk", desk_dir.path().to_owned(), "staff.sqlite"),
        ("other shop", other_dir.path().to_owned(), "staff.sqlite"),
    ] {
        let heard = heard.clone();
        std::thread::spawn(move || {
            // Its own connection, as the app's listener has.
            let mut store = Store::open(&dir.join(file)).unwrap();
            let _ = sync::listen(&mut store, || {
                let _ = heard.send(who);
            });
        });
    }

    let (_till_dir, mut till) = till();
    sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    press(&mut till, "Kasse 1");
    sync::sync(&mut till).unwrap();
    assert_eq!(
        hearing.recv_timeout(Duration::from_secs(10)),
        Ok("desk"),
        "the desk hears of it without asking"
    );
    let pulled = sync::sync(&mut desk).unwrap().pulled;
    assert_eq!(pulled.emergencies.len(), 1, "{pulled:?}");
    assert!(
        pulled.emergencies[0].title.contains("Kasse 1"),
        "{pulled:?}"
    );
    assert_eq!(
        hearing.recv_timeout(Duration::from_millis(500)),
        Err(mpsc::RecvTimeoutError::Timeout),
        "another shop's admin hears nothing"
    );
    // Pulled once, it is no news the next time.
    assert!(sync::sync(&mut desk).unwrap().pulled.emergencies.is_empty());
    forget(&till);
    forget(&desk);
    forget(&other);
}

#[test]
fn an_attachment_upload_cut_off_goes_on_where_it_stopped_and_arrives_whole() {
    use stationdesk_core::store::{TicketQuery, TicketView};
    use stationdesk_protocol::BLOB_CHUNK;
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_dir, mut store) = till();
    let state = sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    press(&mut store, "Kasse 1");
    let ticket = store.tickets(&TicketQuery::new(TicketView::Shop)).unwrap()[0]
        .id
        .to_string();
    let log: Vec<u8> = (0..)
        .flat_map(|n| format!("{n:08} Bondrucker meldet Papierende\n").into_bytes())
        .take(2 * BLOB_CHUNK + 123_456)
        .collect();
    let attachment = store.attach(&ticket, "kasse.log", &log, "Kasse 1").unwrap();

    // An earlier sync sent the changes and was cut off after the first part of the content:
    // the server has that much of it.
    sync::push(&mut store).unwrap();
    let token = secrets::token(&server.base, &Account::Device(state.station_id.unwrap()))
        .unwrap()
        .unwrap();
    let (status, _) = put_blob(
        &server,
        token.expose(),
        &attachment.sha256,
        0,
        log.len() as u64,
        &log[..BLOB_CHUNK],
    );
    assert!(status.is_success());

    let synced = sync::sync(&mut store).unwrap();
    assert_eq!(
        (synced.contents.uploaded, synced.contents.uploaded_bytes),
        (1, (log.len() - BLOB_CHUNK) as u64),
        "only the rest was sent"
    );
    assert_eq!(
        sync::sync(&mut store).unwrap().contents.uploaded,
        0,
        "and only once"
    );

    // The shop admin's PC gets the attachment and its content, checked against its hash.
    let (_admin_dir, mut admin) = signed_in(&server, "chefin@laden.de", "shop_admin", Some(&shop));
    let synced = sync::sync(&mut admin).unwrap();
    assert_eq!(synced.contents.downloaded, 1);
    assert_eq!(
        admin.ticket(&ticket).unwrap().attachments,
        std::slice::from_ref(&attachment)
    );
    assert_eq!(
        std::fs::read(admin.attachment_path(&attachment.sha256)).unwrap(),
        log
    );

    // Another shop does not get it, whatever hash it knows.
    let other = server.staff("chef@anders.de", "shop_admin", Some(&server.shop("Anders")));
    let (status, _) = server.get(&format!("/v1/blobs/{}", attachment.sha256), Some(&other));
    assert_eq!(status.as_u16(), 404);
    // Content that is not what its hash says is refused and not kept.
    let wrong = "0".repeat(64);
    let claimed = crate::common::spoiled(
        crate::common::attachment(ticket.parse().unwrap()),
        &["attachment", "sha256"],
        serde_json::json!(wrong),
    );
    server.push(token.expose(), &[claimed]);
    let (refused, body) = put_blob(&server, token.expose(), &wrong, 0, 5, b"hallo");
    assert_eq!(refused.as_u16(), 400);
    assert!(
        body["message"].as_str().unwrap().contains("does not match"),
        "{body}"
    );
    let (_, status) = server.get(&format!("/v1/blobs/{wrong}/status"), Some(token.expose()));
    assert_eq!(status["received"], 0);
    forget(&store);
    forget(&admin);
}

#[test]
fn what_the_admin_makes_elsewhere_reaches_the_tills_it_concerns() {
    use stationdesk_core::domain::plans::Catalog;
    use stationdesk_core::domain::routing::Routing;
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_a_dir, mut till_a) = till();
    let (_b_dir, mut till_b) = till();
    sync::enrol(&mut till_a, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    sync::enrol(&mut till_b, &server.base, &server.code(&shop), "Kasse 2").unwrap();
    sync::sync(&mut till_a).unwrap();
    let (_admin_dir, mut admin) = signed_in(&server, "chefin@laden.de", "shop_admin", Some(&shop));
    sync::sync(&mut admin).unwrap();
    let kasse_1 = till_a.stations().unwrap()[0].id.to_string();
    assert!(
        admin
            .stations()
            .unwrap()
            .iter()
            .any(|s| s.id.to_string() == kasse_1),
        "the admin knows the till's station record"
    );

    let plan = Catalog::builtin().snapshot("second_level").unwrap();
    let start = Utc::now().date_naive() - chrono::Duration::days(1);
    admin
        .create_contract(plan.clone(), start, std::slice::from_ref(&kasse_1))
        .unwrap();
    let today = Utc::now().date_naive();
    assert!(admin.contract_statuses(today).unwrap()[0].awaiting_confirmation);
    sync::sync(&mut admin).unwrap();
    let confirmed = admin.contract_statuses(today).unwrap();
    assert!(
        !confirmed[0].awaiting_confirmation,
        "the server's copy arrived"
    );
    assert_eq!(
        confirmed[0].yearly_price.as_ref().unwrap().to_string(),
        "650.00 EUR"
    );
    let contract = confirmed[0].contract.clone();
    for store in [&mut till_a, &mut till_b] {
        sync::sync(store).unwrap();
        assert_eq!(
            store.contracts().unwrap(),
            std::slice::from_ref(&contract),
            "every till has it"
        );
    }
    let pressed = stationdesk_core::emergency::press(
        &mut till_a,
        &SupportCalendar::default(),
        &kasse_1,
        Utc::now(),
    )
    .unwrap();
    assert!(
        matches!(pressed.routing, Routing::ShopAdmin { .. }),
        "Second Level: the till calls its admin, {:?}",
        pressed.routing
    );

    // A ticket the admin files for Kasse 1 on the back-office PC reaches Kasse 1 only.
    let filed = admin
        .create_ticket(stationdesk_e2e::phoned_in_fault(
            &kasse_1,
            "Chefin",
            "Kartenterminal koppelt nicht",
        ))
        .unwrap()
        .id
        .to_string();
    sync::sync(&mut admin).unwrap();
    sync::sync(&mut till_a).unwrap();
    sync::sync(&mut till_b).unwrap();
    assert_eq!(
        till_a.ticket(&filed).unwrap().ticket.title,
        "Kartenterminal koppelt nicht"
    );
    assert!(
        till_b.ticket(&filed).is_err(),
        "not another till's business"
    );

    // A till does not make contracts: the server refuses, and says why.
    till_b
        .create_contract(plan, start, &["Kasse 1".to_owned()])
        .unwrap();
    let pushed = sync::sync(&mut till_b).unwrap().pushed;
    assert_eq!(pushed.rejected, 1);
    let status = till_b.sync_status().unwrap();
    assert!(status.rejected[0].1.contains("shop admin"), "{status:?}");
    for store in [&till_a, &till_b, &admin] {
        forget(store);
    }
}

#[test]
fn an_enrolled_pc_has_its_station_record_and_is_its_till() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_admin_dir, mut admin) = signed_in(&server, "chefin@laden.de", "shop_admin", Some(&shop));

    // A new PC: the station the server made for it is here, and this PC is its till.
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = Store::open(&dir.path().join("neu.sqlite")).unwrap();
    let state = sync::enrol(&mut fresh, &server.base, &server.code(&shop), " Kasse 1 ").unwrap();
    let kasse_1 = state.station_id.unwrap();
    let stations = fresh.stations().unwrap();
    assert_eq!(
        stations
            .iter()
            .map(|s| (s.id, s.name.as_str()))
            .collect::<Vec<_>>(),
        [(kasse_1, "Kasse 1")]
    );
    assert_eq!(fresh.till_station().unwrap().unwrap().id, kasse_1);
    press(&mut fresh, "Kasse 1");
    assert_eq!(sync::sync(&mut fresh).unwrap().pushed.rejected, 0);
    sync::sync(&mut admin).unwrap();
    assert!(
        admin.station(&kasse_1.to_string()).is_ok(),
        "the shop's admin sees the till's station"
    );
    // It is the till of its own station only.
    fresh.add_station("Kasse 9", "").unwrap();
    let error = fresh.set_till_station(Some("Kasse 9")).unwrap_err();
    assert!(error.to_string().contains("till of Kasse 1"), "{error}");
    assert!(fresh.set_till_station(None).unwrap().is_none());

    // A station made on this PC before it was enrolled keeps its id: one record, not two.
    let (_dir, mut made_before) = till();
    let before = made_before.station("Kasse 1").unwrap().id;
    let code = server.code(&shop);
    let state = sync::enrol(&mut made_before, &server.base, &code, "Kasse 1").unwrap();
    assert_eq!(state.station_id, Some(before));
    assert_eq!(made_before.stations().unwrap().len(), 1);

    // A station the admin set up first is taken by the till enrolled under its name.
    let planned = admin.add_station("Kasse 3", "Hinten").unwrap().id;
    sync::sync(&mut admin).unwrap();
    let dir_3 = tempfile::tempdir().unwrap();
    let mut kasse_3 = Store::open(&dir_3.path().join("k3.sqlite")).unwrap();
    let state = sync::enrol(&mut kasse_3, &server.base, &server.code(&shop), "Kasse 3").unwrap();
    assert_eq!(state.station_id, Some(planned));

    // Asking for a station another till holds is refused, and the code stays good; so are a
    // station id that is none, another shop's station, and names no shop list can show.
    let other_shop = server.shop("Anderer Laden");
    let (_, foreign) = server.till(&other_shop, "Kasse X");
    let code = server.code(&shop);
    for (hostile, status) in [
        (
            serde_json::json!({"code": code, "station_name": "Kasse 5", "station_id": "nicht-eine-id"}),
            400,
        ),
        (
            serde_json::json!({"code": code, "station_name": "Kasse 5", "station_id": 42}),
            400,
        ),
        (
            serde_json::json!({"code": code, "station_name": "Kasse X", "station_id": foreign}),
            409,
        ),
        (
            serde_json::json!({"code": code, "station_name": "K".repeat(10_000)}),
            400,
        ),
        (
            serde_json::json!({"code": code, "station_name": "Kasse\n5"}),
            400,
        ),
        (
            serde_json::json!({"code": code, "station_name": "   "}),
            400,
        ),
    ] {
        let (got, body) = server.post("/v1/enrol", None, &hostile);
        assert_eq!(got.as_u16(), status, "{hostile}: {body}");
    }
    let (status, refused) = server.post(
        "/v1/enrol",
        None,
        &serde_json::json!({"code": code, "station_name": "Kasse 1", "station_id": kasse_1}),
    );
    assert_eq!(status.as_u16(), 409, "{refused}");
    let (status, _) = server.post(
        "/v1/enrol",
        None,
        &serde_json::json!({"code": code, "station_name": "Kasse 4"}),
    );
    assert_eq!(
        status.as_u16(),
        200,
        "the refused attempts did not use the code"
    );
    // Everyone else syncs on.
    press(&mut fresh, "Kasse 1");
    assert_eq!(sync::sync(&mut fresh).unwrap().pushed.rejected, 0);
    assert!(sync::sync(&mut admin).is_ok());
    for store in [&fresh, &made_before, &kasse_3, &admin] {
        forget(store);
    }
}

#[test]
fn a_session_ended_by_an_admin_keeps_the_outbox_until_the_same_person_signs_in_again() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (_dir, mut desk) = signed_in(&server, "chefin@laden.de", "shop_admin", Some(&shop));
    let vendor = server.staff("admin@vendor.de", "vendor_admin", None);
    sync::sync(&mut desk).unwrap();
    let (_, sessions) = server.get("/v1/sessions", Some(&vendor));
    let chefin = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "chefin@laden.de")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = server.post(
        &format!("/v1/sessions/{chefin}/revoke"),
        Some(&vendor),
        &serde_json::json!({}),
    );
    assert_eq!(status, reqwest::StatusCode::OK);

    // Written after the session ended: kept, and the status says why nothing goes out.
    desk.add_station("Kasse 9", "Lager").unwrap();
    let refused = sync::sync(&mut desk).unwrap_err();
    assert!(
        matches!(&refused, SyncError::AccessEnded { message } if message.contains("an admin ended this session")),
        "{refused:?}"
    );
    let status = desk.sync_status().unwrap();
    assert!(status.access_ended);
    assert_eq!(status.pending, 1);

    sync::login(
        &mut desk,
        &server.base,
        "chefin@laden.de",
        crate::common::PASSWORD,
        None,
    )
    .unwrap();
    assert!(!desk.sync_status().unwrap().access_ended, "signed in again");
    sync::sync(&mut desk).unwrap();
    let status = desk.sync_status().unwrap();
    assert_eq!((status.pending, status.access_ended), (0, false));
    let (_, stations) = server.get("/v1/tills", Some(&vendor));
    assert!(
        stations.as_array().unwrap().is_empty(),
        "a station record is no till"
    );
    forget(&desk);
}
