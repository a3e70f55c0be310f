//! Updating to the typed change vocabulary loses nothing: a till's outbox written by the
//! earlier version is sent after the update, and a server's history written by the earlier
//! version is read into the vocabulary and into the server's tables. And what a client cannot
//! read of what it pulls is set aside without stopping the rest.

use chrono::Utc;
use rusqlite::{params, Connection};
use serde_json::json;
use stationdesk_core::store::Store;
use stationdesk_core::sync;
use stationdesk_protocol::Role;
use stationdesk_server::storage::tables::SqlStorage;
use stationdesk_server::storage::{Caller, Storage};
use uuid::Uuid;

use crate::common::{filed, statuses, ticket, TestServer};

/// A database at the schema `migrations` leave it in, as the earlier version made it.
fn database_of_earlier_version(path: &std::path::Path, migrations: &[&str]) -> Connection {
    let conn = Connection::open(path).unwrap();
    for sql in migrations {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", migrations.len() as i64)
        .unwrap();
    conn
}

const CLIENT_BEFORE: [&str; 8] = [
    include_str!("../../../core/src/store/migrations/0001_stations_contracts.sql"),
    include_str!("../../../core/src/store/migrations/0002_tickets.sql"),
    include_str!("../../../core/src/store/migrations/0003_search_words.sql"),
    include_str!("../../../core/src/store/migrations/0004_remote.sql"),
    include_str!("../../../core/src/store/migrations/0005_station_newest.sql"),
    include_str!("../../../core/src/store/migrations/0006_sync.sql"),
    include_str!("../../../core/src/store/migrations/0007_staff.sql"),
    include_str!("../../../core/src/store/migrations/0008_attachment_uploads.sql"),
];

const SERVER_BEFORE: [&str; 4] = [
    include_str!("../../migrations/0001_server.sql"),
    include_str!("../../migrations/0002_roles.sql"),
    include_str!("../../migrations/0003_blobs.sql"),
    include_str!("../../migrations/0004_shared.sql"),
];

fn legacy_outbox_row(conn: &Connection, entity: &str, entity_id: Uuid, kind: &str, payload: &str) {
    conn.execute(
        "INSERT INTO outbox (change_id, entity, entity_id, kind, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            Uuid::now_v7().to_string(),
            entity,
            entity_id.to_string(),
            kind,
            payload,
            "2026-11-30T09:00:00.000Z"
        ],
    )
    .unwrap();
}

#[test]
fn an_outbox_of_the_earlier_version_is_sent_after_the_update() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.sqlite");
    let unsent = ticket(Uuid::now_v7(), None);
    {
        let conn = database_of_earlier_version(&path, &CLIENT_BEFORE);
        conn.execute(
            "INSERT INTO tickets (id, reporter, title, category, priority, urgency, channel, state,
                                  request, station_details, created_at, updated_at)
             VALUES (?1, 'Frau Korn', ?2, 'fault', 'emergency', 0, 'emergency_button', 'new', '{}', '{}', ?3, ?3)",
            params![unsent.id.to_string(), unsent.title, "2026-11-30T09:00:00.000Z"],
        )
        .unwrap();
        let event = json!({"id": Uuid::now_v7(), "at": "2026-11-30T09:00:00Z", "actor": "Kasse 1",
                           "kind": "created", "from_state": null, "to_state": null, "note": ""});
        legacy_outbox_row(
            &conn,
            "ticket",
            unsent.id,
            "created",
            &serde_json::to_string(&unsent).unwrap(),
        );
        legacy_outbox_row(
            &conn,
            "ticket_event",
            unsent.id,
            "created",
            &event.to_string(),
        );
        legacy_outbox_row(
            &conn,
            "ticket",
            Uuid::now_v7(),
            "created",
            r#"{"not": "a ticket"}"#,
        );
    }

    let mut store = Store::open(&path).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(status.pending, 2, "both readable changes wait to be sent");
    assert_eq!(status.rejected.len(), 1);
    assert!(
        status.rejected[0].1.contains("earlier version") && status.rejected[0].1.contains("ticket"),
        "{status:?}"
    );
    sync::enrol(&mut store, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    let pushed = sync::sync(&mut store).unwrap().pushed;
    // The two old ones, and the till's own station record from its enrolment.
    assert_eq!((pushed.accepted, pushed.rejected), (3, 0));
    let arrived = server.pull(&admin, 0)["changes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(arrived.len(), 3);
    assert_eq!(arrived[2]["change"]["type"], "station_recorded");
    assert_eq!(arrived[0]["change"]["type"], "ticket_filed");
    assert_eq!(arrived[0]["change"]["ticket"]["id"], unsent.id.to_string());
    assert_eq!(arrived[1]["change"]["event"]["kind"], "created");
    let state = store.enrolment().unwrap().unwrap();
    stationdesk_core::secrets::forget_token(
        &state.server_url,
        &stationdesk_core::secrets::Account::Device(state.station_id.unwrap()),
    )
    .unwrap();
}

#[test]
fn a_history_of_the_earlier_version_is_read_into_the_vocabulary_and_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite");
    let (shop, kept) = (Uuid::now_v7(), ticket(Uuid::now_v7(), None));
    {
        let conn = database_of_earlier_version(&path, &SERVER_BEFORE);
        conn.execute(
            "INSERT INTO shops (id, name, created_at) VALUES (?1, 'Laden', '2026-11-30T09:00:00.000Z')",
            [shop.to_string()],
        )
        .unwrap();
        let row = |entity: &str, id: Uuid, payload: &str| {
            conn.execute(
                "INSERT INTO changes (change_id, shop_id, entity, entity_id, kind, payload, created_at, received_at)
                 VALUES (?1, ?2, ?3, ?4, 'created', ?5, '2026-11-30T09:00:00.000Z', '2026-11-30T09:00:01.000Z')",
                params![Uuid::now_v7().to_string(), shop.to_string(), entity, id.to_string(), payload],
            )
            .unwrap();
            conn.execute(
                "INSERT OR IGNORE INTO entities (entity_id, shop_id) VALUES (?1, ?2)",
                [id.to_string(), shop.to_string()],
            )
            .unwrap();
        };
        row("ticket", kept.id, &serde_json::to_string(&kept).unwrap());
        // What a hostile till could push before: no client could ever read it.
        row("ticket", Uuid::now_v7(), r#"{"not": "a ticket"}"#);
    }

    let storage = SqlStorage::open_sqlite(&path).unwrap();
    let vendor = Caller {
        account: Uuid::nil(),
        role: Role::SupportStaff,
        shop_id: None,
        station_id: None,
        name: "Ben".into(),
        named_contact: false,
        last_used_at: chrono::Utc::now(),
        ends_by: None,
        setup_only: false,
    };
    let page = storage.pull(&vendor, 0, 100).unwrap();
    assert_eq!(
        page.changes.len(),
        1,
        "the poison is gone, the ticket stays"
    );
    let change = stationdesk_core::wire::read_pulled(page.changes[0].change.get()).unwrap();
    assert_eq!(
        change.body,
        stationdesk_core::wire::ChangeBody::TicketFiled {
            ticket: kept.clone()
        }
    );
    assert_eq!(
        page.changes[0].revision, 1,
        "revisions stay what clients' cursors know"
    );
    assert!(storage
        .tables_digest()
        .unwrap()
        .contains(&kept.id.to_string()));
}

#[test]
fn a_pulled_change_this_version_cannot_read_is_set_aside_and_the_rest_applies() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let till = server.station(&shop, "Kasse 1");
    let (before, after) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        statuses(&server.push(&till, &[filed(before, None)])),
        ["applied"]
    );
    // A change of a kind a newer server makes, between two this version reads.
    let (change, subject) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let body =
        json!({"change_id": Uuid::now_v7(), "created_at": Utc::now(), "type": "invoice_issued",
                      "invoice": {"number": "2026-0001"}})
        .to_string();
    server.database().execute(
        "INSERT INTO changes (change_id, shop_id, shop_seq, kind, subject_id, body, received_at)
         VALUES (?1, ?2, (SELECT max(shop_seq) + 1 FROM changes WHERE shop_id = ?2),
                 'invoice_issued', ?3, ?4, ?5)",
        &[&change, &shop, &subject, &body, "2026-12-01T10:00:00.000Z"],
    );
    assert_eq!(
        statuses(&server.push(&till, &[filed(after, None)])),
        ["applied"]
    );

    server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let dir = tempfile::tempdir().unwrap();
    let mut admin = Store::open(&dir.path().join("admin.sqlite")).unwrap();
    sync::login(
        &mut admin,
        &server.base,
        "chefin@laden.de",
        crate::common::PASSWORD,
        None,
    )
    .unwrap();
    let pulled = sync::sync(&mut admin).unwrap().pulled;
    assert_eq!((pulled.applied, pulled.set_aside), (2, 1));
    for id in [before, after] {
        assert!(admin.ticket(&id.to_string()).is_ok());
    }
    let status = admin.sync_status().unwrap();
    assert_eq!(status.set_aside.len(), 1);
    assert_eq!(status.set_aside[0].revision, 2);
    assert!(
        status.set_aside[0].reason.contains("invoice_issued"),
        "{status:?}"
    );
    assert!(status.last_error.is_none());
    assert_eq!(
        status.enrolled.unwrap().pull_cursor,
        3,
        "the cursor went past it"
    );
    let again = sync::sync(&mut admin).unwrap().pulled;
    assert_eq!((again.applied, again.set_aside), (0, 0));
    sync::logout(&mut admin).unwrap();
}
