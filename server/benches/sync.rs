//! Sync, measured against a real server on loopback (the server's own router, served over TCP
//! in this process), each figure next to a baseline taken in the same run:
//!
//! 1. push: tickets per second from one till's outbox to the server, next to raw SQLite inserts
//!    of the same rows with the same durability. Target >= 5,000 tickets/s.
//! 2. pull: a shop admin's first sync of the whole history (100k changes).
//! 3. no-op sync with 1k and with 1M changes of history: the ratio. Target <= 1.2. And with 1M,
//!    no-op syncs while 8 wrong-password sign-ins run at once: p99 next to the quiet one.
//! 4. the server under no-op syncs from 1,000 stations at once, next to an axum hello-world
//!    handler under the same load. Target >= 50 % of its requests/s, p99 < 50 ms.
//!
//! Tokens live in the OS keyring, so run it under a Secret Service:
//! `dbus-run-session -- bash scripts/with-keyring.sh cargo bench -p stationdesk-server`
//! (on 2 cores: prefix `taskset -c 0,1`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use chrono::Utc;
use rusqlite::{params, Connection};
use stationdesk_core::store::Store;
use stationdesk_core::sync;
use stationdesk_protocol::{NewShop, NewStaff, Role};
use stationdesk_server::storage::tables::SqlStorage;
use stationdesk_server::storage::Storage;
use uuid::Uuid;

const PUSH_TICKETS: usize = 50_000;
const SMALL_HISTORY: usize = 1_000;
const LARGE_HISTORY: usize = 1_000_000;
const NOOP_SAMPLES: usize = 1_000;
const STATIONS: usize = 1_000;
const LOAD_FOR: Duration = Duration::from_secs(5);
/// Not counted: every station opens its connection in this second, all at once.
const WARM_UP: Duration = Duration::from_secs(1);
const PASSWORD: &str = "bench-password-123";

fn main() {
    println!(
        "sync benchmarks on {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // `cargo bench -p stationdesk-server --bench sync -- load` runs only that part.
    let asked: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |part: &str| {
        !asked.iter().any(|a| PARTS.contains(&a.as_str())) || asked.iter().any(|a| a == part)
    };
    let dir = tempfile::tempdir().unwrap();
    if wanted("push") {
        push_and_pull(dir.path());
    }
    if wanted("noop") {
        noop_sync(dir.path());
    }
    if wanted("load") {
        load(dir.path());
    }
}

const PARTS: [&str; 3] = ["push", "noop", "load"];

/// The server's router on a loopback port, on a runtime of its own.
fn server(db: &Path) -> (Arc<SqlStorage>, String) {
    let storage = Arc::new(SqlStorage::open_sqlite(db).unwrap());
    let base = serve(stationdesk_server::app(storage.clone()));
    (storage, base)
}

fn serve(router: Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    base
}

fn code(storage: &SqlStorage, shop: Uuid) -> String {
    storage
        .issue_enrolment_code(shop, Utc::now() + chrono::Duration::hours(1))
        .unwrap()
}

fn push_and_pull(dir: &Path) {
    let (storage, base) = server(&dir.join("server.sqlite"));
    let (storage, base) = (&storage, base.as_str());
    let shop = storage
        .create_shop(&NewShop {
            name: "Laden".into(),
            second_level: false,
        })
        .unwrap();
    let mut till = Store::open(&dir.join("till.sqlite")).unwrap();
    till.add_station("Kasse 1", "").unwrap();
    for n in 0..PUSH_TICKETS {
        till.create_ticket(stationdesk_e2e::phoned_in_fault(
            "Kasse 1",
            "Frau Korn",
            &format!("Bon {n} wird nicht gedruckt"),
        ))
        .unwrap();
    }
    sync::enrol(&mut till, base, &code(storage, shop), "Kasse 1").unwrap();
    let outbox = till.outbox_batch(10 * PUSH_TICKETS).unwrap();

    let start = Instant::now();
    let pushed = sync::push(&mut till).unwrap();
    let push_time = start.elapsed();
    assert_eq!(pushed.accepted, outbox.len());
    let raw_time = raw_inserts(&dir.join("raw.sqlite"), &outbox);
    let per_second = |time: Duration| PUSH_TICKETS as f64 / time.as_secs_f64();
    println!(
        "push: {PUSH_TICKETS} tickets ({} changes) in {:.2} s = {:.0} tickets/s (target >= 5000)",
        outbox.len(),
        push_time.as_secs_f64(),
        per_second(push_time)
    );
    println!(
        "      raw SQLite inserts of the same rows, same batches and durability: {:.0} tickets/s; push is {:.2} of it",
        per_second(raw_time),
        raw_time.as_secs_f64() / push_time.as_secs_f64()
    );

    storage
        .create_user(&NewStaff {
            email: "chefin@laden.de".into(),
            name: "Chefin".into(),
            role: Role::ShopAdmin,
            shop_id: Some(shop),
            password: PASSWORD.into(),
            named_contact: false,
        })
        .unwrap();
    let mut admin = Store::open(&dir.join("admin.sqlite")).unwrap();
    sync::login(&mut admin, base, "chefin@laden.de", PASSWORD, None).unwrap();
    let start = Instant::now();
    let pulled = sync::sync(&mut admin).unwrap().pulled;
    let pull_time = start.elapsed();
    let changes = pulled.applied + pulled.skipped;
    println!(
        "pull: first sync of {changes} changes in {:.2} s = {:.0} changes/s",
        pull_time.as_secs_f64(),
        changes as f64 / pull_time.as_secs_f64()
    );
    sync::logout(&mut admin).unwrap();
    let state = till.enrolment().unwrap().unwrap();
    stationdesk_core::secrets::forget_token(
        base,
        &stationdesk_core::secrets::Account::Device(state.station_id.unwrap()),
    )
    .unwrap();
}

/// The changes a push sends, inserted straight into SQLite as rows in the same batches (500,
/// one transaction each) and with the same durability (WAL, synchronous FULL): what storing
/// them costs at the least, before the door's checks and the server's tables.
fn raw_inserts(path: &Path, changes: &[(Uuid, Box<serde_json::value::RawValue>)]) -> Duration {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE changes (revision INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE,
             body TEXT NOT NULL)",
    )
    .unwrap();
    let start = Instant::now();
    for batch in changes.chunks(stationdesk_protocol::MAX_PUSH_BATCH) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO changes (change_id, body) VALUES (?1, ?2)")
                .unwrap();
            for (change_id, body) in batch {
                insert
                    .execute(params![change_id.to_string(), body.get()])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    start.elapsed()
}

/// A server whose shop has `rows` changes of history (written straight into its database:
/// setting up a million rows through the API would take longer than the measurement).
fn server_with_history(dir: &Path, name: &str, rows: usize) -> (Arc<SqlStorage>, String, Uuid) {
    let path = dir.join(format!("{name}.sqlite"));
    let (storage, base) = server(&path);
    let shop = storage
        .create_shop(&NewShop {
            name: name.into(),
            second_level: false,
        })
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO changes (change_id, shop_id, shop_seq, kind, subject_id, body, received_at)
         SELECT printf('00000000-0000-7000-8000-%012d', i), ?1, i, 'consent_recorded',
                printf('00000000-0000-7000-9000-%012d', i), '{}', '2026-11-23T10:00:00.000Z'
         FROM n",
        params![shop.to_string(), i64::try_from(rows).unwrap()],
    )
    .unwrap();
    (storage, base, shop)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// No-op syncs of a shop admin whose cursor is at the head of the history: the client's whole
/// sync (keyring, one round trip, nothing to apply), and the server's pull on its own.
fn noop_sync(dir: &Path) {
    let mut medians = Vec::new();
    for (name, rows) in [("small", SMALL_HISTORY), ("large", LARGE_HISTORY)] {
        let (storage, base, shop) = server_with_history(dir, name, rows);
        let email = format!("admin@{name}.de");
        storage
            .create_user(&NewStaff {
                email: email.clone(),
                name: "Admin".into(),
                role: Role::ShopAdmin,
                shop_id: Some(shop),
                password: PASSWORD.into(),
                named_contact: false,
            })
            .unwrap();
        let mut admin = Store::open(&dir.join(format!("{name}-admin.sqlite"))).unwrap();
        sync::login(&mut admin, &base, &email, PASSWORD, None).unwrap();
        admin.apply_pulled(&[], rows as u64).unwrap();
        let caller = stationdesk_server::storage::Caller {
            account: Uuid::nil(),
            role: Role::ShopAdmin,
            shop_id: Some(shop),
            station_id: None,
            name: "Admin".into(),
            named_contact: false,
            last_used_at: chrono::Utc::now(),
            ends_by: None,
            setup_only: false,
        };
        let mut client = Vec::with_capacity(NOOP_SAMPLES);
        let mut server_side = Vec::with_capacity(NOOP_SAMPLES);
        for _ in 0..NOOP_SAMPLES {
            let start = Instant::now();
            let synced = sync::sync(&mut admin).unwrap();
            client.push(start.elapsed());
            assert_eq!(synced.pulled.applied + synced.pulled.skipped, 0);
            let start = Instant::now();
            let page = storage.pull(&caller, rows as u64, 500).unwrap();
            server_side.push(start.elapsed());
            assert!(page.changes.is_empty());
        }
        client.sort();
        server_side.sort();
        println!(
            "no-op sync, {rows} changes of history: client p50 {:?} p99 {:?}; server's pull p50 {:?} p99 {:?}",
            percentile(&client, 50),
            percentile(&client, 99),
            percentile(&server_side, 50),
            percentile(&server_side, 99)
        );
        medians.push((percentile(&client, 50), percentile(&server_side, 50)));
        if rows == LARGE_HISTORY {
            noop_while_signing_in(&mut admin, &base, &email, percentile(&client, 99));
        }
        sync::logout(&mut admin).unwrap();
    }
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    println!(
        "no-op sync, 1M vs 1k history: client {:.2}, server's pull {:.2} (target <= 1.2)",
        ratio(medians[0].0, medians[1].0),
        ratio(medians[0].1, medians[1].1)
    );
}

/// No-op syncs while 8 sign-ins with a wrong password run back to back (Argon2 is slow on
/// purpose): checking a password must not hold up everyone else's sync.
fn noop_while_signing_in(admin: &mut Store, base: &str, email: &str, quiet_p99: Duration) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signers: Vec<_> = (0..8)
        .map(|_| {
            let (stop, attempts) = (stop.clone(), attempts.clone());
            let (url, email) = (format!("{base}/v1/login"), email.to_owned());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let answer = http
                        .post(&url)
                        .json(&serde_json::json!({"email": email, "password": "wrong-wrong-wrong"}))
                        .send()
                        .unwrap();
                    assert_eq!(answer.status().as_u16(), 403);
                    attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(NOOP_SAMPLES);
    let start = Instant::now();
    for _ in 0..NOOP_SAMPLES {
        let begun = Instant::now();
        sync::sync(admin).unwrap();
        samples.push(begun.elapsed());
    }
    let took = start.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for signer in signers {
        signer.join().unwrap();
    }
    samples.sort();
    let p99 = percentile(&samples, 99);
    println!(
        "no-op sync during 8 sign-ins at once ({:.0} wrong passwords/s): p50 {:?} p99 {:?} vs {:?} quiet = {:.2}x (target p99 < 50 ms)",
        attempts.load(std::sync::atomic::Ordering::Relaxed) as f64 / took.as_secs_f64(),
        percentile(&samples, 50),
        p99,
        quiet_p99,
        p99.as_secs_f64() / quiet_p99.as_secs_f64()
    );
}

/// What a load run measured.
struct Measured {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    failed: usize,
}

impl std::fmt::Display for Measured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} failed)",
            self.per_second,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.failed
        )
    }
}

/// One worker per station for `LOAD_FOR` after `WARM_UP`. Without `every`, each sends its next
/// request when the last is answered (the most the server can do); with it, each sends one
/// request per `every`, its first at its own offset (a steady load, for latency).
fn hammer(requests: Vec<(String, Option<String>)>, every: Option<Duration>) -> Measured {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stations = u32::try_from(requests.len()).unwrap();
    runtime.block_on(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(requests.len())
            .build()
            .unwrap();
        let begin = Instant::now();
        let from = begin + WARM_UP;
        let until = from + LOAD_FOR;
        let workers: Vec<_> = requests
            .into_iter()
            .zip(0..)
            .map(|((url, token), n)| {
                let http = http.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut failures = 0;
                    let mut next = begin + every.map_or(Duration::ZERO, |e| e * n / stations);
                    while Instant::now() < until {
                        if let Some(every) = every {
                            tokio::time::sleep_until(next.into()).await;
                            next += every;
                        }
                        let mut request = http.get(&url);
                        if let Some(token) = &token {
                            request = request.bearer_auth(token);
                        }
                        let start = Instant::now();
                        match request.send().await {
                            Ok(response) if response.status().is_success() => {
                                let _ = response.bytes().await;
                                if start >= from {
                                    latencies.push(start.elapsed());
                                }
                            }
                            _ => failures += 1,
                        }
                    }
                    (latencies, failures)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut failed = 0;
        for worker in workers {
            let (latencies, failures) = worker.await.unwrap();
            all.extend(latencies);
            failed += failures;
        }
        all.sort();
        Measured {
            per_second: all.len() as f64 / LOAD_FOR.as_secs_f64(),
            p50: percentile(&all, 50),
            p99: percentile(&all, 99),
            failed,
        }
    })
}

fn load(dir: &Path) {
    let (storage, base, shop) = server_with_history(dir, "load", SMALL_HISTORY);
    let tokens: Vec<String> = (0..STATIONS)
        .map(|n| {
            storage
                .enrol(
                    &code(&storage, shop),
                    &format!("Kasse {n}"),
                    None,
                    Utc::now(),
                )
                .unwrap()
                .2
        })
        .collect();
    let hello = serve(Router::new().route("/hello", get(|| async { "hello" })));
    let hello_requests: Vec<_> = (0..STATIONS)
        .map(|_| (format!("{hello}/hello"), None))
        .collect();
    let sync_requests: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            (
                format!("{base}/v1/sync/pull?after={SMALL_HISTORY}"),
                Some(token),
            )
        })
        .collect();
    let hello_most = hammer(hello_requests.clone(), None);
    let sync_most = hammer(sync_requests.clone(), None);
    println!("server, {STATIONS} stations, each asking again as soon as answered:");
    println!("        hello world {hello_most}");
    println!(
        "        no-op sync  {sync_most} = {:.0} % of hello world (target >= 50 %)",
        100.0 * sync_most.per_second / hello_most.per_second
    );
    // A steady load of half what hello world managed, spread over the stations.
    let every = Duration::from_secs_f64(2.0 * STATIONS as f64 / hello_most.per_second);
    let hello_steady = hammer(hello_requests, Some(every));
    let sync_steady = hammer(sync_requests, Some(every));
    println!(
        "server, {STATIONS} stations, each asking every {:.0} ms (half hello world's most):",
        every.as_secs_f64() * 1000.0
    );
    println!("        hello world {hello_steady}");
    println!("        no-op sync  {sync_steady} (target p99 < 50 ms)");
}
