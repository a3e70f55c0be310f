//! Several server processes on one database, as a vendor runs them behind a load balancer:
//! tills and agents spread across three; each change applied once whichever process a retry
//! reaches; what one process applies or revokes heard by the others within a second;
//! a pull through one never skips what the others commit meanwhile. Runs on both backends
//! (SQLite's file is shared by processes too), for PostgreSQL above all.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use stationdesk_core::sync;

use crate::common::proxy::Proxy;
use crate::common::{filed, statuses, TestServer};
use crate::faults::{busy_till, each_change_once, forget_device};

fn ids(changes: &[Value]) -> Vec<String> {
    changes
        .iter()
        .map(|change| change["change_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_same_batch_through_two_processes_at_once_is_applied_once() {
    let first = TestServer::start();
    let (second, third) = (first.beside(), first.beside());
    let shop = first.shop("Laden");
    let till = second.station(&shop, "Kasse 1");
    let batch: Vec<Value> = (0..60).map(|_| filed(Uuid::now_v7(), None)).collect();
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| second.push(&till, &batch));
        let b = scope.spawn(|| third.push(&till, &batch));
        (a.join().unwrap(), b.join().unwrap())
    });
    for (one, other) in statuses(&a).into_iter().zip(statuses(&b)) {
        let mut pair = [one, other];
        pair.sort_unstable();
        assert_eq!(pair, ["already_applied", "applied"]);
    }
    assert_eq!(
        first.database().count(
            "SELECT count(*) FROM changes WHERE kind = 'ticket_filed'",
            &[]
        ),
        60
    );
}

#[test]
fn a_push_through_one_process_wakes_a_listener_on_another_and_a_revoked_till_is_refused_by_all() {
    let first = TestServer::start();
    let (second, third) = (first.beside(), first.beside());
    let shop = first.shop("Laden");
    let (till, station) = first.till(&shop, "Kasse 1");
    let admin = second.staff("chefin@laden.de", "shop_admin", Some(&shop));
    let agent = second.staff("ben@vendor.de", "support_staff", None);
    // The support desk listens through the third process.
    let stream = third
        .http
        .get(format!("{}/v1/events?after=0", third.base))
        .bearer_auth(&agent)
        .send()
        .unwrap();
    assert!(stream.status().is_success());
    let (heard, news) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line.starts_with("event: changes") {
                let _ = heard.send(Instant::now());
            }
        }
    });
    // An emergency from the till, through the first process.
    first.push(&till, &[filed(Uuid::now_v7(), Some(station))]);
    let committed_at = Instant::now();
    let heard_at = news
        .recv_timeout(Duration::from_secs(5))
        .expect("the push through the first process reached the stream on the third");
    let took = heard_at.saturating_duration_since(committed_at);
    assert!(took < Duration::from_secs(1), "heard after {took:?}");

    // Revoked through the second process: the others refuse the till too.
    let (status, _) = second.post(
        &format!("/v1/tills/{station}/revoke"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(status, StatusCode::OK);
    let refused_everywhere = Instant::now() + Duration::from_secs(1);
    for server in [&first, &third] {
        loop {
            let (status, _) = server.get("/v1/sync/pull?after=0", Some(&till));
            if status == StatusCode::UNAUTHORIZED {
                break;
            }
            assert!(
                Instant::now() < refused_everywhere,
                "{} still serves the revoked till",
                server.base
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn pulls_through_one_process_never_skip_what_the_others_commit_meanwhile() {
    let first = TestServer::start();
    let (second, third) = (first.beside(), first.beside());
    let shop = first.shop("Laden");
    let tills = [
        second.station(&shop, "Kasse 1"),
        third.station(&shop, "Kasse 2"),
    ];
    let admin = first.staff("chefin@laden.de", "shop_admin", Some(&shop));
    const BATCHES: usize = 15;
    const PER_BATCH: usize = 100;
    let total = 2 * BATCHES * PER_BATCH;
    let pull = |cursor: u64, seen: &mut HashSet<String>| -> (u64, bool) {
        let (status, page) = first.get(&format!("/v1/sync/pull?after={cursor}"), Some(&admin));
        assert_eq!(status, StatusCode::OK, "{page}");
        for change in page["changes"].as_array().unwrap() {
            assert!(
                seen.insert(change["change"]["change_id"].as_str().unwrap().to_owned()),
                "a change came twice"
            );
        }
        (
            page["cursor"].as_u64().unwrap(),
            page["more"].as_bool().unwrap(),
        )
    };
    let (pushed, (mut seen, mut cursor)) = std::thread::scope(|scope| {
        let pushing: Vec<_> = [(&second, &tills[0]), (&third, &tills[1])]
            .into_iter()
            .map(|(server, till)| {
                scope.spawn(move || {
                    let mut sent = Vec::new();
                    for _ in 0..BATCHES {
                        let batch: Vec<Value> = (0..PER_BATCH)
                            .map(|_| filed(Uuid::now_v7(), None))
                            .collect();
                        assert!(statuses(&server.push(till, &batch))
                            .iter()
                            .all(|s| *s == "applied"));
                        sent.extend(ids(&batch));
                    }
                    sent
                })
            })
            .collect();
        // Meanwhile the admin pulls through the first process, each time from its cursor.
        let pulling = scope.spawn(|| {
            let mut seen = HashSet::new();
            let mut cursor = 0;
            let until = Instant::now() + Duration::from_secs(60);
            while seen.len() < total && Instant::now() < until {
                cursor = pull(cursor, &mut seen).0;
            }
            (seen, cursor)
        });
        let pushed: Vec<String> = pushing
            .into_iter()
            .flat_map(|pusher| pusher.join().unwrap())
            .collect();
        (pushed, pulling.join().unwrap())
    });
    // Whatever is left after the pushes, from the same cursor: a change the cursor passed
    // while it was not yet committed would never come.
    loop {
        let (next, more) = pull(cursor, &mut seen);
        cursor = next;
        if !more {
            break;
        }
    }
    let missing: Vec<&String> = pushed.iter().filter(|id| !seen.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} never pulled",
        missing.len(),
        pushed.len()
    );
}

/// A till pushes through a load balancer to two processes; one is killed in the middle of the
/// push; the till's retry reaches the other, and every change is on the server once.
#[test]
fn a_process_killed_mid_push_leaves_exact_counts_when_the_till_retries_through_another() {
    let mut first = TestServer::start();
    let second = first.beside();
    let balancer = Proxy::balancing(&[&first.base, &second.base]);
    let shop = first.shop("Laden");
    let dir = tempfile::tempdir().unwrap();
    let mut store = busy_till(dir.path(), 3000);
    sync::enrol(&mut store, &balancer.base, &first.code(&shop), "Kasse 1").unwrap();
    let waiting = store.sync_status().unwrap().pending;
    let pushing = std::thread::spawn(move || {
        let outcome = sync::sync(&mut store);
        (store, outcome)
    });
    let mut on_server = second.database();
    loop {
        if on_server.count("SELECT count(*) FROM changes", &[]) >= 500 {
            first.stop();
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (mut store, _) = pushing.join().unwrap();
    // Whatever the kill cut off is retried, and reaches the process still running.
    let until = Instant::now() + Duration::from_secs(60);
    while store.sync_status().unwrap().pending > 0 {
        assert!(Instant::now() < until, "the till never got its changes in");
        let _ = sync::sync(&mut store);
    }
    each_change_once(&mut on_server, waiting);
    forget_device(&store);
}
