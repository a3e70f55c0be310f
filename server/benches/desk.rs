//! The support desk's queue on a vendor's whole history: 5,000 shops, 15,000 stations and
//! 1,000,000 tickets (each with an event, every other one with a comment), 5 % of them still
//! to be worked on, two in three assigned to one of 20 agents. Each kind of queue page, p50 and p99 over many runs, next to a plain
//! indexed `SELECT` of one page from the same table in the same run (target: p99 <= 20 ms);
//! and how long a new agent waits from signing in to the first page over HTTP (target <= 2 s).
//!
//! `cargo bench -p stationdesk-server --bench desk`

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta, Utc};
use rusqlite::{params, Connection};
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::plans::Catalog;
use stationdesk_protocol::{NewStaff, Role};
use stationdesk_server::desk::{DeskQuery, RawDeskQuery};
use stationdesk_server::storage::tables::SqlStorage;
use stationdesk_server::storage::Storage;
use uuid::Uuid;

const SHOPS: usize = 5_000;
const STATIONS_PER_SHOP: usize = 3;
const TICKETS: usize = 1_000_000;
/// One ticket in twenty is still new, open or waiting for the customer.
const ACTIVE_EVERY: usize = 20;
const SAMPLES: usize = 200;
const AGENTS: usize = 20;
const PASSWORD: &str = "bench-password-123";
const TITLES: [&str; 6] = [
    "Bondrucker druckt nicht",
    "Kasse startet nicht",
    "Waage zeigt falsches Gewicht",
    "Kartenterminal offline",
    "Preise nach Update falsch",
    "Schublade klemmt",
];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    drop(SqlStorage::open_sqlite(&db).unwrap());
    let seeding = Instant::now();
    let (shops, agents) = seed(&db);
    println!(
        "seeded {SHOPS} shops, {} stations, {TICKETS} tickets with events and comments in {:.1} s",
        SHOPS * STATIONS_PER_SHOP,
        seeding.elapsed().as_secs_f64()
    );
    let storage = Arc::new(SqlStorage::open_sqlite(&db).unwrap());
    let now = Utc::now();
    let me = agents[0];
    let calendar = Arc::new(stationdesk_core::domain::support_hours::SupportCalendar::default());
    let page = |raw: RawDeskQuery<'_>| {
        let query = DeskQuery::parse(raw).unwrap();
        let (storage, calendar) = (storage.clone(), calendar.clone());
        move || {
            let page = storage.desk_queue(&query, me, now, &calendar).unwrap();
            assert!(!page.tickets.is_empty());
        }
    };

    let plain = Connection::open(&db).unwrap();
    let shop = shops[SHOPS / 2].to_string();
    let baseline = measure(|| {
        let mut select = plain
            .prepare_cached(
                "SELECT id, title, state, priority, created_at FROM tickets
                 WHERE shop_id = ?1 ORDER BY updated_at DESC LIMIT 50",
            )
            .unwrap();
        let rows = select
            .query_map([&shop], |r| r.get::<_, String>(0))
            .unwrap()
            .count();
        assert!(rows > 0);
    });
    println!(
        "{:<44} {:>9} {:>9} {:>14}",
        "", "p50", "p99", "p99 / baseline"
    );
    report(
        "plain indexed SELECT of one page (baseline)",
        baseline,
        baseline,
    );
    let shop_id = Some(shops[SHOPS / 2]);
    for (name, run) in [
        (
            "first page: active, emergencies first",
            Box::new(page(RawDeskQuery::default())) as Box<dyn Fn()>,
        ),
        (
            "one shop's tickets",
            Box::new(page(RawDeskQuery {
                shop: shop_id,
                ..Default::default()
            })),
        ),
        (
            "one shop's, every state",
            Box::new(page(RawDeskQuery {
                shop: shop_id,
                state: Some("new,open,waiting_for_customer,resolved,closed"),
                ..Default::default()
            })),
        ),
        (
            "assignee = me",
            Box::new(page(RawDeskQuery {
                assignee: Some("me"),
                ..Default::default()
            })),
        ),
        (
            "unassigned",
            Box::new(page(RawDeskQuery {
                assignee: Some("none"),
                ..Default::default()
            })),
        ),
        (
            "emergencies only",
            Box::new(page(RawDeskQuery {
                priority: Some("emergency"),
                ..Default::default()
            })),
        ),
        (
            "a common word (1 in 6)",
            Box::new(page(RawDeskQuery {
                text: Some("Waage"),
                ..Default::default()
            })),
        ),
        (
            "a specific word (1 in 5,000)",
            Box::new(page(RawDeskQuery {
                text: Some("E4700"),
                ..Default::default()
            })),
        ),
    ] {
        report(name, measure(run), baseline);
    }

    let (_runtime, base) = serve(storage.clone());
    storage
        .create_user(&NewStaff {
            email: "ben@vendor.de".into(),
            name: "Ben".into(),
            role: Role::SupportStaff,
            shop_id: None,
            password: PASSWORD.into(),
            named_contact: false,
        })
        .unwrap();
    let http = reqwest::blocking::Client::new();
    let signing_in = Instant::now();
    let login: serde_json::Value = http
        .post(format!("{base}/v1/login"))
        .json(&serde_json::json!({"email": "ben@vendor.de", "password": PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let first: serde_json::Value = http
        .get(format!("{base}/v1/desk/tickets"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let waited = signing_in.elapsed();
    assert_eq!(first["tickets"].as_array().unwrap().len(), 50);
    println!(
        "a new agent, from signing in to the first page of the queue over HTTP: {} ms (target <= 2000 ms)",
        waited.as_millis()
    );
}

/// Every shop with its stations and a Flat contract on the last one; the desk's agents; the
/// tickets spread over three years and all shops, each with an event, every other one with a
/// comment, two in three assigned.
fn seed(db: &Path) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut conn = Connection::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    let now = Utc::now();
    let text = |at: chrono::DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut shops = Vec::with_capacity(SHOPS);
    let mut stations = Vec::with_capacity(SHOPS * STATIONS_PER_SHOP);
    let mut agents = Vec::with_capacity(AGENTS);
    {
        let mut shop = tx
            .prepare("INSERT INTO shops (id, name, created_at) VALUES (?1, ?2, ?3)")
            .unwrap();
        let mut station = tx
            .prepare("INSERT INTO stations (id, shop_id, name, created_at) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        let mut contract = tx.prepare("INSERT INTO contracts (id, shop_id, plan_id, start_date, ends_on, record) VALUES (?1, ?2, 'flat', '2024-01-01', NULL, ?3)").unwrap();
        let flat = Catalog::builtin().snapshot("flat").unwrap();
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        for n in 0..SHOPS {
            let id = Uuid::now_v7();
            shop.execute(params![id.to_string(), format!("Laden {n}"), text(now)])
                .unwrap();
            for k in 0..STATIONS_PER_SHOP {
                let station_id = Uuid::now_v7();
                station
                    .execute(params![
                        station_id.to_string(),
                        id.to_string(),
                        format!("Kasse {}", k + 1),
                        text(now)
                    ])
                    .unwrap();
                stations.push((id, station_id));
            }
            let covered = stations.last().unwrap().1;
            let record = Contract::new(flat.clone(), start, vec![covered], now).unwrap();
            contract
                .execute(params![
                    record.id.to_string(),
                    id.to_string(),
                    serde_json::to_string(&record).unwrap()
                ])
                .unwrap();
            shops.push(id);
        }
        let mut agent = tx.prepare("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?1, ?2, ?3, 'support_staff', 'not-a-hash', ?4)").unwrap();
        for n in 0..AGENTS {
            let id = Uuid::now_v7();
            agent
                .execute(params![
                    id.to_string(),
                    format!("agent{n}@vendor.de"),
                    format!("Agent {n}"),
                    text(now)
                ])
                .unwrap();
            agents.push(id);
        }
        let mut ticket = tx.prepare("INSERT INTO tickets (id, shop_id, station_id, state, priority, channel, title, created_at, updated_at, revision, assignee_id, search_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)").unwrap();
        let mut event = tx.prepare("INSERT INTO ticket_events (id, ticket_id, kind, actor, at, revision) VALUES (?1, ?2, 'state_changed', 'Ben', ?3, ?4)").unwrap();
        let mut comment = tx.prepare("INSERT INTO ticket_comments (id, ticket_id, author, created_at, revision) VALUES (?1, ?2, 'Frau Korn', ?3, ?4)").unwrap();
        let span = TimeDelta::days(3 * 365).num_seconds();
        for n in 0..TICKETS {
            let id = Uuid::now_v7();
            let (shop, station) = stations[(n * 7919) % stations.len()];
            let at = now - TimeDelta::seconds(span - (n as i64 * span / TICKETS as i64));
            let state = if n % ACTIVE_EVERY == 0 {
                ["new", "open", "waiting_for_customer"][n % 3]
            } else {
                ["resolved", "closed"][n % 2]
            };
            let priority = [
                "normal",
                "normal",
                "high",
                "normal",
                "emergency",
                "normal",
                "high",
            ][n % 7];
            let channel = if priority == "emergency" {
                "emergency_button"
            } else {
                "form"
            };
            let title = format!("{} ({n})", TITLES[n % TITLES.len()]);
            // Every agent has some of the active tickets (one in twenty) and of the rest.
            let assignee = (n % 3 != 0).then(|| agents[(n / ACTIVE_EVERY) % AGENTS].to_string());
            let revision = n as i64 + 1;
            // What the search reads: the title, and the reply below (an error code that about
            // two hundred tickets share).
            let reply = (n % 2 == 0).then(|| format!("Fehlercode E{} am Display", n % 5000));
            let search_text = format!("{title} {}", reply.unwrap_or_default());
            ticket
                .execute(params![
                    id.to_string(),
                    shop.to_string(),
                    station.to_string(),
                    state,
                    priority,
                    channel,
                    title,
                    text(at),
                    revision,
                    assignee,
                    search_text
                ])
                .unwrap();
            // Its history: an event, and on every other ticket a comment.
            let add_to_history = |statement: &mut rusqlite::Statement<'_>| {
                statement
                    .execute(params![
                        Uuid::now_v7().to_string(),
                        id.to_string(),
                        text(at),
                        revision
                    ])
                    .unwrap();
            };
            add_to_history(&mut event);
            if n % 2 == 0 {
                add_to_history(&mut comment);
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
    (shops, agents)
}

fn measure(run: impl Fn()) -> (Duration, Duration) {
    run();
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[SAMPLES / 2], times[SAMPLES * 99 / 100])
}

fn report(name: &str, (p50, p99): (Duration, Duration), (_, baseline): (Duration, Duration)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} {:>6.2} ms {:>6.2} ms {:>13.1}x{}",
        ms(p50),
        ms(p99),
        ms(p99) / ms(baseline),
        if ms(p99) <= 20.0 {
            ""
        } else {
            "  (over the 20 ms target)"
        }
    );
}

/// The server's router on a loopback port, on a runtime of its own (kept alive by the caller).
fn serve(storage: Arc<SqlStorage>) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move {
        axum::serve(
            listener,
            stationdesk_server::app(storage as Arc<dyn Storage>),
        )
        .await
        .unwrap();
    });
    (runtime, base)
}
