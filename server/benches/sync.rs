//! Sync, measured against a real server on loopback (the server's own router, served over TCP
//! in this process), each figure next to a baseline taken in the same run:
//!
//! 1. push: tickets per second from one till's outbox to the server, next to raw inserts of the
//!    same rows with the same durability and next to reading their JSON alone. Target >= 5,000
//!    tickets/s. Then two tills of two shops pushing at once.
//! 2. pull: a shop admin's first sync of the whole history (100k changes).
//! 3. no-op sync with 1k and with 1M changes of history: the ratio. Target <= 1.2. And with 1M,
//!    no-op syncs while 8 wrong-password sign-ins run at once: p99 next to the quiet one.
//! 4. the server under no-op syncs from 1,000 stations at once, next to an axum hello-world
//!    handler under the same load. Target >= 50 % of its requests/s, p99 < 50 ms.
//!
//! `-- --backend postgres` runs every part three times in the same run: on SQLite, on
//! PostgreSQL (one server, in this process as SQLite's is), and on PostgreSQL with two server
//! processes (this profile's `stationdesk-server` binary) sharing the database, the tills and
//! stations spread over both. It needs a cluster in `STATIONDESK_TEST_POSTGRES`:
//! `scripts/with-postgres.sh --durable` starts one that fsyncs as SQLite does here.
//!
//! Tokens live in the OS keyring, so run it under a Secret Service:
//! `dbus-run-session -- bash scripts/with-keyring.sh cargo bench -p stationdesk-server --bench sync`
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
use stationdesk_e2e::server::{new_postgres_database, TestServer};
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
/// The server's own default.
const POOL_SIZE: u32 = 16;

fn main() {
    println!(
        "sync benchmarks on {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // `cargo bench -p stationdesk-server --bench sync -- load` runs only that part; cargo adds
    // `--bench` of its own.
    let asked: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |part: &str| {
        !asked.iter().any(|a| PARTS.contains(&a.as_str())) || asked.iter().any(|a| a == part)
    };
    let setups = match asked
        .iter()
        .position(|a| a == "--backend")
        .map(|at| asked.get(at + 1).map(String::as_str))
    {
        None | Some(Some("sqlite")) => vec![Setup::Sqlite],
        Some(Some("postgres")) => {
            // The two-process setup runs the server binary built with this bench.
            if std::env::var_os("STATIONDESK_SERVER").is_none() {
                std::env::set_var(
                    "STATIONDESK_SERVER",
                    env!("CARGO_BIN_EXE_stationdesk-server"),
                );
            }
            vec![Setup::Sqlite, Setup::Postgres, Setup::PostgresTwoProcesses]
        }
        Some(other) => panic!("--backend is sqlite or postgres, not {other:?}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut figures: Vec<Figures> = Vec::new();
    for setup in setups {
        println!("\n== {} ==", setup.label());
        let mut these = Figures {
            setup,
            ..Figures::default()
        };
        if wanted("push") {
            push_and_pull(dir.path(), setup, &mut these);
        }
        if wanted("noop") {
            noop_sync(dir.path(), setup, &mut these);
        }
        if wanted("load") {
            load(dir.path(), setup, &mut these);
        }
        figures.push(these);
    }
    print_summary(&figures);
}

const PARTS: [&str; 3] = ["push", "noop", "load"];

/// Where the servers under measurement keep their tables, and how many serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Setup {
    #[default]
    Sqlite,
    Postgres,
    PostgresTwoProcesses,
}

impl Setup {
    fn label(self) -> &'static str {
        match self {
            Setup::Sqlite => "SQLite",
            Setup::Postgres => "PostgreSQL",
            Setup::PostgresTwoProcesses => "PostgreSQL, 2 processes",
        }
    }

    /// A new, empty database for one measurement.
    fn database(self, dir: &Path, name: &str) -> String {
        match self {
            Setup::Sqlite => dir.join(format!("{name}.sqlite")).display().to_string(),
            Setup::Postgres | Setup::PostgresTwoProcesses => new_postgres_database(),
        }
    }

    /// Where a till keeps its local store, apart from the other setups' tills.
    fn till_file(self, dir: &Path, name: &str) -> std::path::PathBuf {
        dir.join(format!("{self:?}-{name}.sqlite"))
    }
}

/// The servers one measurement talks to.
struct Servers {
    /// The bench's own handle on their database: it sets up shops and accounts, and times the
    /// server's pull without HTTP.
    storage: Arc<SqlStorage>,
    /// One address per serving process; clients are spread over them in turn.
    bases: Vec<String>,
    _processes: Vec<TestServer>,
}

impl Servers {
    fn start(setup: Setup, db: &str) -> Servers {
        let storage = Arc::new(SqlStorage::open(db, POOL_SIZE).unwrap());
        if setup == Setup::PostgresTwoProcesses {
            // Every station of the load comes from loopback: as from a load balancer.
            let first =
                TestServer::on_database(db, &["--connections-per-address", &STATIONS.to_string()]);
            let second = first.beside();
            return Servers {
                storage,
                bases: vec![first.base.clone(), second.base.clone()],
                _processes: vec![first, second],
            };
        }
        let base = serve(stationdesk_server::app(storage.clone()));
        Servers {
            storage,
            bases: vec![base],
            _processes: Vec::new(),
        }
    }

    /// The `n`th client's server.
    fn base(&self, n: usize) -> &str {
        &self.bases[n % self.bases.len()]
    }
}

/// What one setup measured, for the summary at the end.
#[derive(Default)]
struct Figures {
    setup: Setup,
    push: Option<f64>,
    pair_push: Option<f64>,
    pull: Option<f64>,
    noop_p99: Option<Duration>,
    load_most: Option<f64>,
    load_steady_p99: Option<Duration>,
}

fn print_summary(figures: &[Figures]) {
    println!("\nsummary (tickets/s, changes/s, requests/s; p99 in ms):");
    println!(
        "{:<25} {:>9} {:>14} {:>9} {:>17} {:>18} {:>16}",
        "", "push", "2 tills at once", "pull", "no-op p99, 1M", "1,000 stations", "steady p99"
    );
    let number = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.0}"));
    let ms = |v: Option<Duration>| {
        v.map_or("-".to_owned(), |v| {
            format!("{:.1}", v.as_secs_f64() * 1000.0)
        })
    };
    for f in figures {
        println!(
            "{:<25} {:>9} {:>14} {:>9} {:>17} {:>18} {:>16}",
            f.setup.label(),
            number(f.push),
            number(f.pair_push),
            number(f.pull),
            ms(f.noop_p99),
            number(f.load_most),
            ms(f.load_steady_p99)
        );
    }
}

/// The server's router on a loopback port, on a runtime of its own.
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

fn new_shop(storage: &SqlStorage, name: &str) -> Uuid {
    storage
        .create_shop(&NewShop {
            name: name.into(),
            second_level: false,
        })
        .unwrap()
}

/// A till of `shop` enrolled at `base`, with `tickets` phoned-in faults waiting in its outbox.
fn till_with_tickets(
    path: &Path,
    servers: &Servers,
    base: &str,
    shop: Uuid,
    tickets: usize,
) -> Store {
    let mut till = Store::open(path).unwrap();
    till.add_station("Kasse 1", "").unwrap();
    for n in 0..tickets {
        till.create_ticket(stationdesk_e2e::phoned_in_fault(
            "Kasse 1",
            "Frau Korn",
            &format!("Bon {n} wird nicht gedruckt"),
        ))
        .unwrap();
    }
    sync::enrol(&mut till, base, &code(&servers.storage, shop), "Kasse 1").unwrap();
    till
}

/// Takes a till's token out of the keyring again.
fn forget(till: &Store) {
    let state = till.enrolment().unwrap().unwrap();
    stationdesk_core::secrets::forget_token(
        &state.server_url,
        &stationdesk_core::secrets::Account::Device(state.station_id.unwrap()),
    )
    .unwrap();
}

fn push_and_pull(dir: &Path, setup: Setup, figures: &mut Figures) {
    let db = setup.database(dir, "push");
    let servers = Servers::start(setup, &db);
    let shop = new_shop(&servers.storage, "Laden");
    let mut till = till_with_tickets(
        &setup.till_file(dir, "till"),
        &servers,
        servers.base(0),
        shop,
        PUSH_TICKETS,
    );
    let outbox = till.outbox_batch(10 * PUSH_TICKETS).unwrap();

    let start = Instant::now();
    let pushed = sync::push(&mut till).unwrap();
    let push_time = start.elapsed();
    assert_eq!(pushed.accepted, outbox.len());
    let per_second = |time: Duration| PUSH_TICKETS as f64 / time.as_secs_f64();
    println!(
        "push: {PUSH_TICKETS} tickets ({} changes) in {:.2} s = {:.0} tickets/s (target >= 5000)",
        outbox.len(),
        push_time.as_secs_f64(),
        per_second(push_time)
    );
    figures.push = Some(per_second(push_time));
    let raw_time = match setup {
        Setup::Sqlite => raw_sqlite_inserts(&dir.join("raw.sqlite"), &outbox),
        Setup::Postgres | Setup::PostgresTwoProcesses => {
            raw_postgres_inserts(&new_postgres_database(), &outbox)
        }
    };
    println!(
        "      raw inserts of the same rows into the same database, same batches and durability: {:.0} tickets/s = {:.0} % of the push's time",
        per_second(raw_time),
        100.0 * raw_time.as_secs_f64() / push_time.as_secs_f64()
    );
    let start = Instant::now();
    for (_, body) in &outbox {
        stationdesk_server::door::read(body.get()).unwrap();
    }
    let json_time = start.elapsed();
    println!(
        "      reading the same changes' JSON into typed changes: {:.2} s = {:.0} % of the push's time",
        json_time.as_secs_f64(),
        100.0 * json_time.as_secs_f64() / push_time.as_secs_f64()
    );
    forget(&till);

    // Two shops' tills at once, each on its own server where there are two.
    let mut pair: Vec<Store> = (0..2)
        .map(|n| {
            let shop = new_shop(&servers.storage, &format!("Laden {n}"));
            till_with_tickets(
                &setup.till_file(dir, &format!("pair-{n}")),
                &servers,
                servers.base(n),
                shop,
                PUSH_TICKETS / 2,
            )
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for till in &mut pair {
            scope.spawn(move || sync::push(till).unwrap());
        }
    });
    let pair_time = start.elapsed();
    println!(
        "push, two tills of two shops at once ({} tickets each): {:.2} s = {:.0} tickets/s",
        PUSH_TICKETS / 2,
        pair_time.as_secs_f64(),
        per_second(pair_time)
    );
    figures.pair_push = Some(per_second(pair_time));
    pair.iter().for_each(forget);

    // The admin pulls from the last server: with two, not the one the history was pushed to.
    let pull_base = servers.base(servers.bases.len() - 1);
    servers
        .storage
        .create_user(&NewStaff {
            email: "chefin@laden.de".into(),
            name: "Chefin".into(),
            role: Role::ShopAdmin,
            shop_id: Some(shop),
            password: PASSWORD.into(),
            named_contact: false,
        })
        .unwrap();
    let mut admin = Store::open(&setup.till_file(dir, "admin")).unwrap();
    sync::login(&mut admin, pull_base, "chefin@laden.de", PASSWORD, None).unwrap();
    let start = Instant::now();
    let pulled = sync::sync(&mut admin).unwrap().pulled;
    let pull_time = start.elapsed();
    let changes = pulled.applied + pulled.skipped;
    println!(
        "pull: first sync of {changes} changes in {:.2} s = {:.0} changes/s",
        pull_time.as_secs_f64(),
        changes as f64 / pull_time.as_secs_f64()
    );
    figures.pull = Some(changes as f64 / pull_time.as_secs_f64());
    sync::logout(&mut admin).unwrap();
}

/// The changes a push sends, inserted straight into SQLite as rows in the same batches (500,
/// one transaction each) and with the same durability (WAL, synchronous FULL): what storing
/// them costs at the least, before the door's checks and the server's tables.
fn raw_sqlite_inserts(
    path: &Path,
    changes: &[(Uuid, Box<serde_json::value::RawValue>)],
) -> Duration {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(RAW_TABLE).unwrap();
    let start = Instant::now();
    for batch in changes.chunks(stationdesk_protocol::MAX_PUSH_BATCH) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx.prepare_cached(RAW_INSERT).unwrap();
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

/// The same on PostgreSQL, with the cluster's own durability.
fn raw_postgres_inserts(
    db: &str,
    changes: &[(Uuid, Box<serde_json::value::RawValue>)],
) -> Duration {
    let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
    client
        .batch_execute(
            &RAW_TABLE.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"),
        )
        .unwrap();
    let insert = client.prepare(&RAW_INSERT.replace('?', "$")).unwrap();
    let start = Instant::now();
    for batch in changes.chunks(stationdesk_protocol::MAX_PUSH_BATCH) {
        let mut tx = client.transaction().unwrap();
        for (change_id, body) in batch {
            tx.execute(&insert, &[&change_id.to_string(), &body.get()])
                .unwrap();
        }
        tx.commit().unwrap();
    }
    start.elapsed()
}

const RAW_TABLE: &str = "CREATE TABLE changes (revision INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)";
const RAW_INSERT: &str = "INSERT INTO changes (change_id, body) VALUES (?1, ?2)";

/// Servers whose shop has `rows` changes of history (written straight into the database before
/// they start: setting up a million rows through the API would take longer than the
/// measurement).
fn servers_with_history(dir: &Path, setup: Setup, name: &str, rows: usize) -> (Servers, Uuid) {
    let db = setup.database(dir, name);
    let shop = new_shop(&SqlStorage::open(&db, 1).unwrap(), name);
    let rows = i64::try_from(rows).unwrap();
    if setup == Setup::Sqlite {
        Connection::open(&db)
            .unwrap()
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
                 INSERT INTO changes (change_id, shop_id, shop_seq, kind, subject_id, body, received_at)
                 SELECT printf('00000000-0000-7000-8000-%012d', i), ?1, i, 'consent_recorded',
                        printf('00000000-0000-7000-9000-%012d', i), '{}', '2026-11-23T10:00:00.000Z'
                 FROM n",
                params![shop.to_string(), rows],
            )
            .unwrap();
    } else {
        let mut client = postgres::Client::connect(&db, postgres::NoTls).unwrap();
        client
            .execute(
                "INSERT INTO changes (change_id, shop_id, shop_seq, kind, subject_id, body, received_at)
                 SELECT '00000000-0000-7000-8000-' || lpad(i::text, 12, '0'), $1, i, 'consent_recorded',
                        '00000000-0000-7000-9000-' || lpad(i::text, 12, '0'), '{}', '2026-11-23T10:00:00.000Z'
                 FROM generate_series(1, $2::bigint) AS i",
                &[&shop.to_string(), &rows],
            )
            .unwrap();
        // What autovacuum and the checkpointer would have done by the time a history is
        // this long, rather than during the measurement.
        client.batch_execute("VACUUM (ANALYZE) changes").unwrap();
        client.batch_execute("CHECKPOINT").unwrap();
    }
    (Servers::start(setup, &db), shop)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// No-op syncs of a shop admin whose cursor is at the head of the history: the client's whole
/// sync (keyring, one round trip, nothing to apply), and the server's pull on its own.
fn noop_sync(dir: &Path, setup: Setup, figures: &mut Figures) {
    let mut medians = Vec::new();
    for (name, rows) in [("small", SMALL_HISTORY), ("large", LARGE_HISTORY)] {
        let (servers, shop) = servers_with_history(dir, setup, name, rows);
        // With two processes, the admin syncs with the one the bench does not set up through.
        let base = servers.base(servers.bases.len() - 1);
        let email = format!("admin@{name}.de");
        servers
            .storage
            .create_user(&NewStaff {
                email: email.clone(),
                name: "Admin".into(),
                role: Role::ShopAdmin,
                shop_id: Some(shop),
                password: PASSWORD.into(),
                named_contact: false,
            })
            .unwrap();
        let mut admin = Store::open(&setup.till_file(dir, &format!("{name}-admin"))).unwrap();
        sync::login(&mut admin, base, &email, PASSWORD, None).unwrap();
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
            let page = servers.storage.pull(&caller, rows as u64, 500).unwrap();
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
            figures.noop_p99 = Some(percentile(&client, 99));
            if setup == Setup::PostgresTwoProcesses {
                // A server process sees the guesses' address and slows them after a few.
                println!("no-op sync during sign-ins: measured in this process's server only");
            } else {
                noop_while_signing_in(&mut admin, base, percentile(&client, 99));
            }
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
/// purpose): checking a password must not hold up everyone else's sync. Each guess names an
/// address of its own, which costs the server the same Argon2 work as a known one and stays
/// clear of the per-account back-off. The in-process server sees no client address, so its
/// per-address back-off does not slow the guesses either.
fn noop_while_signing_in(admin: &mut Store, base: &str, quiet_p99: Duration) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signers: Vec<_> = (0..8)
        .map(|signer| {
            let (stop, attempts) = (stop.clone(), attempts.clone());
            let url = format!("{base}/v1/login");
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let guess = attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let answer = http
                        .post(&url)
                        .json(&serde_json::json!({
                            "email": format!("guess-{signer}-{guess}@laden.de"),
                            "password": "wrong-wrong-wrong",
                        }))
                        .send()
                        .unwrap();
                    assert_eq!(answer.status().as_u16(), 401);
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

fn load(dir: &Path, setup: Setup, figures: &mut Figures) {
    let (servers, shop) = servers_with_history(dir, setup, "load", SMALL_HISTORY);
    let hello = serve(Router::new().route("/hello", get(|| async { "hello" })));
    let hello_requests: Vec<_> = (0..STATIONS)
        .map(|_| (format!("{hello}/hello"), None))
        .collect();
    let sync_requests: Vec<_> = (0..STATIONS)
        .map(|n| {
            let token = servers
                .storage
                .enrol(
                    &code(&servers.storage, shop),
                    &format!("Kasse {n}"),
                    None,
                    Utc::now(),
                )
                .unwrap()
                .2;
            (
                format!("{}/v1/sync/pull?after={SMALL_HISTORY}", servers.base(n)),
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
    figures.load_most = Some(sync_most.per_second);
    figures.load_steady_p99 = Some(sync_steady.p99);
}
