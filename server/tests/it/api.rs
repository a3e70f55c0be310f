//! The real `stationdesk-server` process on loopback, set up with its own operator commands and
//! driven over HTTP: enrolment, log-in, tokens, push and pull, tenancy, bad requests, backup.

use crate::common::{comment, filed, moved, statuses, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use stationdesk_core::domain::tickets::TicketState;
use stationdesk_e2e::server::Backend;
use uuid::Uuid;

#[test]
fn a_station_enrols_once_with_its_code_and_knows_who_it_is() {
    let server = TestServer::start();
    let (status, health) = server.get("/healthz", None);
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );

    let shop = server.shop("Bäckerei Korn");
    let code = server.code(&shop);
    let (status, enrolled) = server.post(
        "/v1/enrol",
        None,
        &json!({"code": code, "station_name": "Kasse 1"}),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(enrolled["shop_id"], Value::from(shop.clone()));
    let token = enrolled["device_token"].as_str().unwrap();
    let (status, me) = server.get("/v1/me", Some(token));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "station");
    assert_eq!(me["station_id"], enrolled["station_id"]);

    // One time only.
    let (status, again) = server.post(
        "/v1/enrol",
        None,
        &json!({"code": code, "station_name": "Kasse 2"}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(again["code"], "forbidden");
    assert!(again["message"]
        .as_str()
        .unwrap()
        .contains("ask the shop admin for a new one"));

    // Expired codes are refused too.
    let expired = server.operator(
        &["enrolment-code", "--shop", &shop, "--valid-hours", "0"],
        "",
    );
    let (status, _) = server.post(
        "/v1/enrol",
        None,
        &json!({"code": expired["code"], "station_name": "Kasse 3"}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The token and the code are never stored as they are.
    let stored = server.stored_bytes();
    for secret in [token, code.as_str()] {
        assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()));
    }
}

#[test]
fn bad_requests_get_a_4xx_that_says_what_is_wrong() {
    let server = TestServer::start();
    let (status, body) = server.get("/v1/me", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    let (status, _) = server.get("/v1/me", Some("not-a-token"));
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let response = server
        .http
        .post(format!("{}/v1/enrol", server.base))
        .header("content-type", "application/json")
        .body("{\"code\": 12")
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], "bad_request");

    let shop = server.shop("Laden");
    let token = server.station(&shop, "Kasse 1");
    let too_many: Vec<Value> = (0..501).map(|_| filed(Uuid::now_v7(), None)).collect();
    let (status, body) = server.post("/v1/sync/push", Some(&token), &json!({"changes": too_many}));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("at most 500 changes"));
    let (status, _) = server.get("/v1/sync/pull?after=minus-one", Some(&token));
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A revoked token is refused from then on.
    let admin = server.staff("admin@laden.de", "shop_admin", Some(&shop));
    let (status, _) = server.post("/v1/logout", Some(&admin), &json!({}));
    assert_eq!(status, StatusCode::OK);
    let (status, ended) = server.get("/v1/me", Some(&admin));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(ended["code"], "session_ended");
    assert_eq!(
        ended["message"],
        "this session was signed out; sign in again"
    );
    // A wrong password and an unknown address get one answer: nobody learns who has an account.
    let wrong_password = server.post(
        "/v1/login",
        None,
        &json!({"email": "admin@laden.de", "password": "falsch-falsch-falsch"}),
    );
    let unknown = server.post(
        "/v1/login",
        None,
        &json!({"email": "nobody@laden.de", "password": "falsch-falsch-falsch"}),
    );
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password, unknown);
    assert_eq!(
        wrong_password.1["message"],
        "wrong e-mail address or password"
    );
}

#[test]
fn a_retried_push_changes_nothing_and_a_rejected_change_does_not_block_the_rest() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let token = server.station(&shop, "Kasse 1");
    let ticket = Uuid::now_v7();
    let mut unknown = filed(Uuid::now_v7(), None);
    unknown["type"] = "no_such_thing".into();
    let batch = vec![
        filed(ticket, None),
        unknown,
        moved(ticket, TicketState::Open),
    ];
    let first = server.push(&token, &batch);
    assert_eq!(statuses(&first), ["applied", "rejected", "applied"]);
    assert!(
        first[1]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown variant `no_such_thing`"),
        "{}",
        first[1]
    );

    let again = server.push(&token, &batch);
    assert_eq!(
        statuses(&again),
        ["already_applied", "rejected", "already_applied"]
    );
    assert_eq!(again[0]["revision"], first[0]["revision"]);
    assert_eq!(again[2]["revision"], first[2]["revision"]);

    let page = server.pull(&token, 0);
    let pulled: Vec<&Value> = page["changes"].as_array().unwrap().iter().collect();
    assert_eq!(
        pulled.len(),
        2,
        "nothing duplicated, nothing rejected stored"
    );
    assert_eq!(pulled[0]["change"]["change_id"], batch[0]["change_id"]);
    assert_eq!(pulled[1]["change"]["change_id"], batch[2]["change_id"]);
    assert_eq!(pulled[1]["change"], batch[2], "kept as it was sent");
    assert_eq!(page["more"], false);
    let cursor = page["cursor"].as_u64().unwrap();
    let nothing_new = server.pull(&token, cursor);
    assert_eq!(nothing_new["changes"], json!([]));
    assert_eq!(nothing_new["cursor"].as_u64(), Some(cursor));
}

#[test]
fn pulls_come_in_pages_and_the_cursor_never_skips() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let token = server.station(&shop, "Kasse 1");
    let mut sent = Vec::new();
    for _ in 0..3 {
        let batch: Vec<Value> = (0..400).map(|_| filed(Uuid::now_v7(), None)).collect();
        assert!(statuses(&server.push(&token, &batch))
            .iter()
            .all(|s| *s == "applied"));
        sent.extend(batch.into_iter().map(|c| c["change_id"].clone()));
    }
    let mut received = Vec::new();
    let mut cursor = 0;
    let mut pages = Vec::new();
    loop {
        let page = server.pull(&token, cursor);
        received.extend(
            page["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["change"]["change_id"].clone()),
        );
        pages.push(page["changes"].as_array().unwrap().len());
        cursor = page["cursor"].as_u64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(pages, [500, 500, 200]);
    assert_eq!(received, sent);
}

#[test]
fn one_shop_never_reads_or_writes_another_shops_data() {
    let server = TestServer::start();
    let (shop_a, shop_b) = (server.shop("Laden A"), server.shop("Laden B"));
    let till_a = server.station(&shop_a, "Kasse A1");
    let till_b = server.station(&shop_b, "Kasse B1");
    let admin_b = server.staff("chef@b.de", "shop_admin", Some(&shop_b));
    let support = server.staff("support@vendor.de", "support_staff", None);

    let ticket_a = Uuid::now_v7();
    let created = filed(ticket_a, None);
    assert_eq!(
        statuses(&server.push(&till_a, std::slice::from_ref(&created))),
        ["applied"]
    );

    // B writes to A's ticket, or replays A's change id: refused.
    for (token, attempt) in [
        (&till_b, comment(ticket_a)),
        (&admin_b, moved(ticket_a, TicketState::Open)),
        (&till_b, created.clone()),
    ] {
        let results = server.push(token, &[attempt]);
        assert_eq!(statuses(&results), ["rejected"], "{results:?}");
    }
    // B reads nothing of A's.
    for token in [&till_b, &admin_b] {
        assert_eq!(server.pull(token, 0)["changes"], json!([]));
    }

    // The vendor's support desk adds to A's ticket and sees every shop; A sees the addition.
    let answer = comment(ticket_a);
    assert_eq!(
        statuses(&server.push(&support, std::slice::from_ref(&answer))),
        ["applied"]
    );
    let everything = server.pull(&support, 0);
    assert_eq!(everything["changes"].as_array().unwrap().len(), 2);
    let seen_by_a = server.pull(&till_a, 0);
    let ids: Vec<&Value> = seen_by_a["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["change"]["change_id"])
        .collect();
    assert_eq!(ids, [&created["change_id"], &answer["change_id"]]);
    assert!(seen_by_a["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["shop_id"] == shop_a.as_str()));
    // A new ticket must come from a shop.
    let orphan = server.push(&support, &[filed(Uuid::now_v7(), None)]);
    assert_eq!(statuses(&orphan), ["rejected"]);
}

/// The health check asks the database, so a load balancer takes a server process whose
/// database is gone out of its rotation.
#[test]
fn the_health_check_says_whether_the_database_answers() {
    let server = TestServer::start();
    let (status, health) = server.get("/healthz", None);
    assert_eq!(
        (status, health["database"].as_str()),
        (StatusCode::OK, Some("ok")),
        "{health}"
    );
    // Only a database on its own server can go away under a running process: SQLite's file
    // stays open.
    if Backend::chosen() == Backend::Postgres {
        server.drop_postgres_database();
        let (status, health) = server.get("/healthz", None);
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
        assert_eq!(health["status"], "unavailable");
        assert!(
            health["database"].as_str().unwrap().contains("PostgreSQL"),
            "{health}"
        );
    }
}

#[test]
fn a_backup_is_taken_while_the_server_serves() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let token = server.station(&shop, "Kasse 1");
    server.push(&token, &[filed(Uuid::now_v7(), None)]);
    let target = server.dir.path().join("backup");
    server.operator(&["backup", "--to", target.to_str().unwrap()], "");
    assert_eq!(changes_in(&server.restored(&target)), 1);
    // Still serving.
    assert_eq!(server.get("/healthz", None).0, StatusCode::OK);
}

/// Counts the changes in a restored backup, opened as the server opens its database.
fn changes_in(db: &str) -> usize {
    use stationdesk_server::storage::{Caller, Storage};
    let storage = stationdesk_server::storage::tables::SqlStorage::open(db, 1).unwrap();
    let vendor = Caller {
        account: Uuid::nil(),
        role: stationdesk_protocol::Role::VendorAdmin,
        shop_id: None,
        station_id: None,
        name: "backup check".into(),
        named_contact: false,
        last_used_at: chrono::Utc::now(),
        ends_by: None,
        setup_only: false,
    };
    storage.pull(&vendor, 0, 100).unwrap().changes.len()
}

#[test]
fn an_event_stream_tells_of_changes_and_ends_when_its_token_is_revoked() {
    use std::io::{BufRead, BufReader};
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let till = server.station(&shop, "Kasse 1");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let response = server
        .http
        .get(format!("{}/v1/events", server.base))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut lines = BufReader::new(response).lines();

    server.push(&till, &[filed(Uuid::now_v7(), None)]);
    let event = lines.next().unwrap().unwrap();
    assert_eq!(event, "event: changes");
    let data = lines.next().unwrap().unwrap();
    assert_eq!(data, r#"data: {"revision":1}"#);

    let (status, _) = server.post("/v1/logout", Some(&admin), &json!({}));
    assert_eq!(status, StatusCode::OK);
    server.push(&till, &[filed(Uuid::now_v7(), None)]);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(
        !rest.iter().any(|line| line.starts_with("event:")),
        "nothing more for a revoked token: {rest:?}"
    );
}

#[test]
fn the_same_change_twice_in_one_batch_is_stored_once_and_an_event_may_follow_its_ticket() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (token, station) = server.till(&shop, "Kasse 1");
    let ticket = Uuid::now_v7();
    let filing = filed(ticket, Some(station));
    let answers = server.push(
        &token,
        &[
            filing.clone(),
            filing,
            moved(ticket, TicketState::WaitingForCustomer),
        ],
    );
    assert_eq!(
        statuses(&answers),
        ["applied", "already_applied", "applied"]
    );
    assert_eq!(answers[0]["revision"], answers[1]["revision"]);
    assert_eq!(
        server.pull(&token, 0)["changes"].as_array().unwrap().len(),
        2
    );
}
