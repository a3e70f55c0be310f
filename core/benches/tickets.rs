//! `cargo bench -p stationdesk-core --bench tickets`: the ticket store with 100,000 tickets.
//!
//! Prints p50/p99 of an emergency press until it is committed and durable (WAL, synchronous
//! FULL), of the list views and of full-text search, next to a raw rusqlite single-row
//! insert-and-commit with the same settings, measured in the same run on the same disk.
//! Targets: press p99 <= 5 ms; views and search (inside compound words too) p99 <= 10 ms.

use std::time::{Duration, Instant};

use chrono::Utc;
use stationdesk_core::domain::tickets::{Category, Channel, Priority, RequestDetails, TicketState};
use stationdesk_core::store::{NewTicket, Store, TicketQuery, TicketSort, TicketView};

const TICKETS: usize = 100_000;
const STATIONS: usize = 40;
const SAMPLES: usize = 500;
const WORDS: &[&str] = &[
    "Bondrucker",
    "Kartenterminal",
    "Waage",
    "Kassenschublade",
    "TSE",
    "Z-Bon",
    "Tagesabschluss",
    "Rabatt",
    "Gutschein",
    "Storno",
    "Netzwerk",
    "Scanner",
    "Preisänderung",
    "Inventur",
    "Kundendisplay",
    "Update",
];

fn text(seed: usize, words: usize) -> String {
    (0..words)
        .map(|i| WORDS[(seed * 7 + i * 13) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
    )
}

fn report(name: &str, samples: Vec<Duration>, baseline_p50: Duration, target: Option<Duration>) {
    let (p50, p99) = percentiles(samples);
    let verdict = target.map_or(String::new(), |t| {
        format!(
            "  target p99 <= {:.1} ms: {}",
            t.as_secs_f64() * 1e3,
            if p99 <= t { "met" } else { "MISSED" }
        )
    });
    println!(
        "{name:<34} p50 {:>7.3} ms  p99 {:>7.3} ms  p50 = {:>5.1} x raw insert{verdict}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        p50.as_secs_f64() / baseline_p50.as_secs_f64(),
    );
}

fn timed<T>(mut run: impl FnMut(usize) -> T) -> Vec<Duration> {
    (0..SAMPLES)
        .map(|i| {
            let start = Instant::now();
            std::hint::black_box(run(i));
            start.elapsed()
        })
        .collect()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    let stations: Vec<String> = (0..STATIONS)
        .map(|i| store.add_station(&format!("Kasse {i}"), "").unwrap().name)
        .collect();

    // As in the app, a connection of its own checkpoints the WAL in the background from the
    // start (here every 200 ms, as the loops below write far faster than any shop).
    let checkpointer = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let running = stop.clone();
    let background = std::thread::spawn(move || {
        let mut runs = 0;
        while !running.load(std::sync::atomic::Ordering::Relaxed) {
            checkpointer.checkpoint().unwrap();
            runs += 1;
            std::thread::sleep(Duration::from_millis(200));
        }
        runs
    });

    let seeding = Instant::now();
    for i in 0..TICKETS {
        let ticket = store
            .create_ticket(NewTicket {
                station: Some(stations[i % STATIONS].clone()),
                reporter: format!("Kassierer {}", i % 60),
                title: format!("{} Artikel {}", text(i, 2), i % 5000),
                category: Category::Fault,
                priority: [Priority::Normal, Priority::High, Priority::Emergency][i % 3],
                channel: Channel::Form,
                request: RequestDetails {
                    doing: text(i + 1, 8),
                    error_message: format!("E-{}", i % 997),
                    ..RequestDetails::default()
                },
                cc: if i % 10 == 0 {
                    vec!["Frau Weber".into()]
                } else {
                    Vec::new()
                },
            })
            .unwrap();
        if i % 4 == 0 {
            store
                .comment(&ticket.id.to_string(), "Support", &text(i + 2, 6))
                .unwrap();
        }
        if i % 3 == 0 {
            store
                .change_ticket_state(&ticket.id.to_string(), TicketState::Resolved, "Support")
                .unwrap();
        }
    }
    println!(
        "seeded {TICKETS} tickets ({} outbox rows) in {:.1} s",
        store.pending_changes().unwrap(),
        seeding.elapsed().as_secs_f64()
    );

    // The baseline: one row, one transaction, committed with the store's own settings.
    let raw = rusqlite::Connection::open(dir.path().join("raw.sqlite")).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "FULL").unwrap();
    raw.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        [],
    )
    .unwrap();
    let baseline = timed(|i| {
        raw.execute("BEGIN IMMEDIATE", []).unwrap();
        raw.execute("INSERT INTO t (body) VALUES (?1)", [text(i, 5)])
            .unwrap();
        raw.execute("COMMIT", []).unwrap();
    });
    let (baseline_p50, _) = percentiles(baseline.clone());
    let ms = |m: u64| Some(Duration::from_millis(m));
    report(
        "raw rusqlite insert + commit",
        baseline.clone(),
        baseline_p50,
        None,
    );

    // Each press is on a station without an open emergency, so each files a new ticket; the
    // station is made outside the timed part.
    let now = Utc::now();
    let mut press_only = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let name = store
            .add_station(&format!("Letzte Kasse {i}"), "")
            .unwrap()
            .name;
        let start = Instant::now();
        store.press_emergency(&name, now).unwrap();
        press_only.push(start.elapsed());
    }
    report(
        "emergency press, new ticket",
        press_only,
        baseline_p50,
        ms(5),
    );
    report(
        "emergency press again (joins)",
        timed(|i| store.press_emergency(&stations[i % STATIONS], now).unwrap()),
        baseline_p50,
        ms(5),
    );

    let view = |view: TicketView, sort: TicketSort, states: Vec<TicketState>| TicketQuery {
        view,
        states,
        priorities: Vec::new(),
        sort,
        limit: 50,
    };
    let queries = [
        (
            "view: shop, recently updated",
            view(TicketView::Shop, TicketSort::RecentlyUpdated, Vec::new()),
        ),
        (
            "view: shop, open, most urgent",
            view(
                TicketView::Shop,
                TicketSort::MostUrgent,
                vec![TicketState::New, TicketState::Open],
            ),
        ),
        (
            "view: mine",
            view(
                TicketView::Mine("Kassierer 7".into()),
                TicketSort::RecentlyUpdated,
                Vec::new(),
            ),
        ),
        (
            "view: cc",
            view(
                TicketView::Cc("Frau Weber".into()),
                TicketSort::RecentlyUpdated,
                Vec::new(),
            ),
        ),
        (
            "view: one station",
            view(
                TicketView::Station("Kasse 3".into()),
                TicketSort::Newest,
                Vec::new(),
            ),
        ),
    ];
    for (name, query) in &queries {
        report(
            name,
            timed(|_| store.tickets(query).unwrap()),
            baseline_p50,
            ms(10),
        );
    }
    // Every ticket here uses the same 16 words, so a single one of them matches a fifth of all
    // tickets: the worst case. Real searches name an article, an error code, two words.
    report(
        "search: one very common word",
        timed(|i| store.search_tickets(WORDS[i % WORDS.len()], 50).unwrap()),
        baseline_p50,
        ms(10),
    );
    let specific = [
        "E-42",
        "Artikel 4711",
        "TSE Z-Bon Artikel 12",
        "bondrucker E-9",
        "gutschein storno artikel 300",
    ];
    report(
        "search: specific terms",
        timed(|i| {
            store
                .search_tickets(specific[i % specific.len()], 50)
                .unwrap()
        }),
        baseline_p50,
        ms(10),
    );
    // Parts of compounds ("Drucker" in "Bondrucker"): looked up in the word list's trigrams.
    let inside = ["drucker", "schublade", "display", "abschluss", "änderung"];
    report(
        "search: inside compound words",
        timed(|i| store.search_tickets(inside[i % inside.len()], 50).unwrap()),
        baseline_p50,
        ms(10),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    println!("background checkpoints run: {}", background.join().unwrap());
}
