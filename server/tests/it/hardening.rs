//! What the security review of the live server found, each point with its request (or its
//! typed equivalent), the refusal, and every other client's sync unaffected afterwards. The
//! points the door closes (dates, another till's station, the kind of a change, sizes) are in
//! [`crate::door`]'s table; these are the rest.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::common::{attachment, change, filed, put_blob, spoiled, statuses, TestServer, PASSWORD};
use stationdesk_core::wire::ChangeBody;

fn get_blob(server: &TestServer, token: &str, sha: &str) -> StatusCode {
    server
        .http
        .get(format!("{}/v1/blobs/{sha}", server.base))
        .bearer_auth(token)
        .send()
        .unwrap()
        .status()
}

/// An attachment of `content` on `ticket`, as its metadata change.
fn attached(ticket: Uuid, content: &[u8]) -> (String, Value) {
    let sha = format!("{:x}", Sha256::digest(content));
    let change = spoiled(
        spoiled(attachment(ticket), &["attachment", "sha256"], json!(sha)),
        &["attachment", "size"],
        json!(content.len()),
    );
    (sha, change)
}

#[test]
fn attachment_uploads_cannot_be_wedged_and_follow_the_documented_reach() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (till, station) = server.till(&shop, "Kasse 1");
    let (other_till, _) = server.till(&shop, "Kasse 2");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let ticket = Uuid::now_v7();
    let content = b"Drucker: Papierstau in Fach 2\n".repeat(3);
    let (sha, metadata) = attached(ticket, &content);
    assert_eq!(
        statuses(&server.push(&till, &[filed(ticket, Some(station)), metadata])),
        ["applied", "applied"]
    );

    // An empty part is refused, so it cannot take the place of the first bytes.
    let (status, body) = put_blob(&server, &admin, &sha, 0, content.len() as u64, b"");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Another till of the shop knows nothing of the content: its status, its upload and its
    // download are answered as for any content it has no attachment of.
    for status in [
        put_blob(&server, &other_till, &sha, 0, 5, b"12345").0,
        get_blob(&server, &other_till, &sha),
        server
            .http
            .get(format!("{}/v1/blobs/{sha}/status", server.base))
            .bearer_auth(&other_till)
            .send()
            .unwrap()
            .status(),
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // The admin begins an upload with a wrong size; the till's own upload is not wedged for
    // good: it is told to wait while the admin's moves, and the admin's is the admin's own.
    let (status, _) = put_blob(&server, &admin, &sha, 0, 10, b"12345");
    assert_eq!(status, StatusCode::OK);
    let (status, body) = put_blob(
        &server,
        &till,
        &sha,
        0,
        content.len() as u64,
        &content[..10],
    );
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("start it again"));
    // After ten minutes without progress the till starts it again (the clock moved on).
    server.database().execute(
        "UPDATE blobs SET updated_at = '2026-01-01T00:00:00.000Z' WHERE sha256 = ?1",
        &[&sha],
    );
    let (status, body) = put_blob(&server, &till, &sha, 0, content.len() as u64, &content);
    assert_eq!(
        (status, body["complete"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    assert_eq!(get_blob(&server, &admin, &sha), StatusCode::OK);
    assert_eq!(get_blob(&server, &support, &sha), StatusCode::OK);
    assert_eq!(get_blob(&server, &other_till, &sha), StatusCode::NOT_FOUND);

    // What the desk attaches to the shop's ticket is the shop's to read.
    let screenshot = b"Schritt 1: Einstellungen > Drucker\n".to_vec();
    let (desk_sha, desk_metadata) = attached(ticket, &screenshot);
    assert_eq!(
        statuses(&server.push(&support, &[desk_metadata])),
        ["applied"]
    );
    let (status, _) = put_blob(
        &server,
        &support,
        &desk_sha,
        0,
        screenshot.len() as u64,
        &screenshot,
    );
    assert_eq!(status, StatusCode::OK);
    for token in [&admin, &till] {
        assert_eq!(get_blob(&server, token, &desk_sha), StatusCode::OK);
    }
}

#[test]
fn unfinished_uploads_expire() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (till, station) = server.till(&shop, "Kasse 1");
    let ticket = Uuid::now_v7();
    let (old, old_metadata) = attached(ticket, &vec![b'a'; 4096]);
    let (new, new_metadata) = attached(ticket, &vec![b'b'; 4096]);
    server.push(
        &till,
        &[filed(ticket, Some(station)), old_metadata, new_metadata],
    );
    let (status, _) = put_blob(&server, &till, &old, 0, 4096, &[b'a'; 100]);
    assert_eq!(status, StatusCode::OK);
    server.database().execute(
        "UPDATE blobs SET updated_at = '2026-01-01T00:00:00.000Z' WHERE sha256 = ?1",
        &[&old],
    );
    // Any upload sweeps what was left unfinished for a day.
    put_blob(&server, &till, &new, 0, 4096, &[b'b'; 10]);
    let (_, status) = server.get(&format!("/v1/blobs/{old}/status"), Some(&till));
    assert_eq!(status["received"], 0, "{status}");
    let left = server.database().count(
        "SELECT count(*) FROM blob_chunks WHERE sha256 = ?1",
        &[&old],
    );
    assert_eq!(left, 0);
}

#[test]
fn a_pull_page_stays_under_its_byte_cap_whatever_was_pushed() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let till = server.station(&shop, "Kasse 1");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&shop));
    // 150 tickets of about 60 KiB each: 9 MiB in all, far more than one page may carry.
    let bulky: Vec<Value> = (0..150)
        .map(|_| {
            spoiled(
                filed(Uuid::now_v7(), None),
                &["ticket", "request", "doing"],
                json!("ä".repeat(2_500)),
            )
        })
        .map(|c| {
            spoiled(
                c,
                &["ticket", "request", "error_message"],
                json!("x".repeat(4_900)),
            )
        })
        .collect();
    for batch in bulky.chunks(50) {
        assert!(statuses(&server.push(&till, batch))
            .iter()
            .all(|s| *s == "applied"));
    }
    let (mut cursor, mut received) = (0, 0);
    loop {
        let response = server
            .http
            .get(format!("{}/v1/sync/pull?after={cursor}", server.base))
            .bearer_auth(&admin)
            .send()
            .unwrap();
        let bytes = response.bytes().unwrap();
        assert!(
            bytes.len() <= stationdesk_server::storage::tables::PULL_PAGE_BYTES + 64 * 1024,
            "a page of {} bytes",
            bytes.len()
        );
        let page: Value = serde_json::from_slice(&bytes).unwrap();
        received += page["changes"].as_array().unwrap().len();
        cursor = page["cursor"].as_u64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(received, 150, "every change arrives, page after page");
}

#[test]
fn only_the_vendor_names_a_shops_contacts() {
    let server = TestServer::start();
    let shop = server.shop("Filiale");
    let admin = server.staff("chefin@filiale.de", "shop_admin", Some(&shop));
    let named = json!({"email": "neu@filiale.de", "name": "Neu", "role": "shop_admin",
                       "shop_id": shop, "password": PASSWORD, "named_contact": true});
    let (status, body) = server.post("/v1/staff", Some(&admin), &named);
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("vendor's decision"));
    let vendor = server.staff("admin@vendor.de", "vendor_admin", None);
    let (status, _) = server.post("/v1/staff", Some(&vendor), &named);
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn another_shops_change_id_is_refused_without_saying_whose_it_is() {
    let server = TestServer::start();
    let (a, b) = (server.shop("Laden A"), server.shop("Laden B"));
    let (till_a, till_b) = (server.station(&a, "Kasse 1"), server.station(&b, "Kasse 1"));
    let change = filed(Uuid::now_v7(), None);
    assert_eq!(
        statuses(&server.push(&till_a, std::slice::from_ref(&change))),
        ["applied"]
    );
    let mut replay = filed(Uuid::now_v7(), None);
    replay["change_id"] = change["change_id"].clone();
    // Beside a change of shop B's own, in one batch (a push looks its ids up all at once).
    let own = filed(Uuid::now_v7(), None);
    let answer = server.push(&till_b, &[replay, own.clone()]);
    assert_eq!(statuses(&answer), ["rejected", "applied"]);
    let reason = answer[0]["reason"].as_str().unwrap();
    assert!(!reason.contains("shop"), "{reason}");
    let pulled = server.pull(&till_b, 0);
    let pulled: Vec<&Value> = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["change"]["change_id"])
        .collect();
    assert_eq!(
        pulled,
        [&own["change_id"]],
        "shop B sees its own change only"
    );
    // Shop A's till goes on: its change answered as before, a new one applied.
    let again = server.push(&till_a, &[change, filed(Uuid::now_v7(), None)]);
    assert_eq!(statuses(&again), ["already_applied", "applied"]);
    assert_eq!(
        server.pull(&till_a, 0)["changes"].as_array().unwrap().len(),
        2
    );
}

#[test]
fn an_account_keeps_only_a_few_event_streams_open() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let till = server.station(&shop, "Kasse 1");
    let open = |token: &str| {
        server
            .http
            .get(format!("{}/v1/events", server.base))
            .bearer_auth(token)
            .send()
            .unwrap()
    };
    let streams: Vec<_> = (0..stationdesk_server::api::sync::STREAMS_PER_ACCOUNT)
        .map(|_| open(&till))
        .collect();
    assert!(streams.iter().all(|s| s.status().is_success()));
    let refused = open(&till);
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account is not held up, and a stream closed gives its place back.
    let other = server.station(&shop, "Kasse 2");
    assert!(open(&other).status().is_success());
    drop(streams);
    let deadline = Instant::now() + Duration::from_secs(10);
    while open(&till).status() == StatusCode::TOO_MANY_REQUESTS {
        assert!(Instant::now() < deadline, "closed streams are given back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_connection_trickling_its_headers_is_closed() {
    let server = TestServer::start();
    let mut stream = TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 256];
    // One header line every second, never the blank line that ends them.
    let closed = loop {
        if stream.write_all(b"X-Slow: 1\r\n").is_err() {
            break true;
        }
        match stream
            .set_nonblocking(true)
            .and_then(|()| stream.read(&mut buffer))
        {
            Ok(0) => break true,
            Ok(_) => break true,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break true,
        }
        stream.set_nonblocking(false).unwrap();
        if started.elapsed() > Duration::from_secs(25) {
            break false;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    assert!(closed, "still open after {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // And the server goes on serving.
    assert_eq!(server.get("/healthz", None).0, StatusCode::OK);
}

/// A request over `stream`, kept open afterwards: whether it was answered.
fn answered_on(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let asked = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut buffer = [0u8; 512];
    asked.is_ok()
        && matches!(stream.read(&mut buffer), Ok(n) if buffer[..n].starts_with(b"HTTP/1.1 200"))
}

#[test]
fn one_address_holds_only_so_many_connections_and_the_cap_is_the_operators() {
    let server = TestServer::start_with(&["--connections-per-address", "3"]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut held: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    assert!(held.iter_mut().all(answered_on));
    let mut fourth = TcpStream::connect(&address).unwrap();
    assert!(
        !answered_on(&mut fourth),
        "a fourth connection is closed unanswered"
    );
    // A connection closed gives its place back.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answered_on(&mut TcpStream::connect(&address).unwrap()) {
        assert!(
            Instant::now() < deadline,
            "a closed connection is given back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn first_run_set_up_answers_only_on_this_computer() {
    let server = TestServer::start_with(&["--first-run-setup"]);
    let setup = json!({
        "shop": {"name": "Laden"},
        "admin": {"email": "chefin@laden.de", "name": "Chefin", "role": "shop_admin", "password": PASSWORD}
    });
    let rebound = server
        .http
        .post(format!("{}/v1/setup", server.base))
        .header("host", "stationdesk.attacker.example")
        .json(&setup)
        .send()
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::FORBIDDEN);
    let (status, body) = server.post("/v1/setup", None, &setup);
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[test]
fn a_change_of_the_right_shape_but_a_wrong_type_is_refused_alone() {
    let server = TestServer::start();
    let till = server.station(&server.shop("Laden"), "Kasse 1");
    let wrong_shape = server.post("/v1/sync/push", Some(&till), &json!({"changes": {"a": 1}}));
    assert_eq!(wrong_shape.0, StatusCode::BAD_REQUEST);
    let nameless = server.post("/v1/sync/push", Some(&till), &json!({"changes": [[1, 2]]}));
    assert_eq!(nameless.0, StatusCode::BAD_REQUEST);
    assert!(nameless.1["message"]
        .as_str()
        .unwrap()
        .contains("change_id"));
    let good = change(ChangeBody::TicketFiled {
        ticket: crate::common::ticket(Uuid::now_v7(), None),
    });
    let mixed = json!({"change_id": Uuid::now_v7(), "type": "ticket_filed", "ticket": []});
    assert_eq!(
        statuses(&server.push(&till, &[mixed, good])),
        ["rejected", "applied"]
    );
}

#[test]
fn revisions_as_a_shop_sees_them_reveal_nothing_of_other_shops() {
    let server = TestServer::start();
    let (a, b) = (server.shop("Laden A"), server.shop("Laden B"));
    let (till_a, till_b) = (server.station(&a, "Kasse 1"), server.station(&b, "Kasse 1"));
    let admin_b = server.staff("chef@b.de", "shop_admin", Some(&b));
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let revisions = |answers: &[Value]| -> Vec<u64> {
        answers
            .iter()
            .map(|a| a["revision"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        revisions(&server.push(&till_b, &[filed(Uuid::now_v7(), None)])),
        [1]
    );
    // Shop A is busy in between.
    let busy: Vec<Value> = (0..5).map(|_| filed(Uuid::now_v7(), None)).collect();
    assert_eq!(revisions(&server.push(&till_a, &busy)), [1, 2, 3, 4, 5]);
    assert_eq!(
        revisions(&server.push(&till_b, &[filed(Uuid::now_v7(), None)])),
        [2]
    );
    let page = server.pull(&admin_b, 0);
    let seen: Vec<u64> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(seen, [1, 2], "no gap where shop A pushed");
    assert_eq!(page["cursor"], 2);
    assert!(server.pull(&admin_b, 2)["changes"]
        .as_array()
        .unwrap()
        .is_empty());
    // The vendor's desk reads every shop in the one order of the whole history.
    let all = server.pull(&support, 0);
    let order: Vec<u64> = all["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(order, [1, 2, 3, 4, 5, 6, 7]);
}
