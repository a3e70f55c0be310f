use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

fn cli(db: &Path, args: &[&str]) -> Output {
    cli_command(db, args)
        .output()
        .expect("stationdesk-cli runs")
}

/// The CLI on a database, ready for a test to add environment or standard input.
pub(crate) fn cli_command(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stationdesk-cli"));
    command.arg("--db").arg(db).args(args);
    command
}

pub(crate) fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) struct Db(tempfile::TempDir);

impl Db {
    pub(crate) fn new() -> Db {
        Db(tempfile::tempdir().unwrap())
    }
    pub(crate) fn path(&self) -> std::path::PathBuf {
        self.0.path().join("stationdesk.sqlite")
    }
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        cli(&self.path(), args)
    }
}

#[test]
fn advise_prints_the_documented_json() {
    let db = Db::new();
    let advice = json_of(&db.run(&["advise", "--stations", "6", "--json"]));
    assert_eq!(
        advice,
        json!({"stations": 6, "options": [
            {"items": [{"plan": "second_level", "contracts": 1, "stations": 5},
                       {"plan": "flat", "contracts": 1, "stations": 1}],
             "net_total": "899.00", "currency": "EUR", "period": "year", "who_may_call": "mixed"},
            {"items": [{"plan": "second_level", "contracts": 2, "stations": 6}],
             "net_total": "1300.00", "currency": "EUR", "period": "year", "who_may_call": "named_admins"},
            {"items": [{"plan": "flat", "contracts": 6, "stations": 6}],
             "net_total": "1494.00", "currency": "EUR", "period": "year", "who_may_call": "anyone_at_station"}
        ]})
    );
    assert!(
        !db.path().exists(),
        "advise needs no database and creates none"
    );
}

#[test]
fn advise_reads_a_catalogue_file_and_its_table_names_plans() {
    let db = Db::new();
    let catalog = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/leanpoint_catalog.json"
    );
    let advice = json_of(&db.run(&["advise", "--stations", "12", "--catalog", catalog, "--json"]));
    assert_eq!(advice["options"][0]["net_total"], "14820.00");
    assert_eq!(advice["options"][0]["currency"], "DKK");

    let table = db.run(&["advise", "--stations", "3"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("650.00 EUR/year") && text.contains("Second Level Support"),
        "{text}"
    );
}

#[test]
fn contract_terms_prints_the_documented_json() {
    let db = Db::new();
    let facts = json_of(&db.run(&[
        "contract",
        "terms",
        "--start",
        "2024-02-29",
        "--on",
        "2025-03-01",
        "--json",
    ]));
    assert_eq!(
        facts,
        json!({"term_start": "2025-02-28", "term_end": "2026-02-27", "notice_deadline": "2026-02-13",
               "next_renewal": "2026-02-28", "cancellation_effective": null})
    );
    let ends_after_notice_on = |received: &str| {
        json_of(&db.run(&[
            "contract",
            "terms",
            "--start",
            "2025-01-01",
            "--on",
            "2025-06-01",
            "--notice-received",
            received,
            "--json",
        ]))["cancellation_effective"]
            .clone()
    };
    assert_eq!(
        ends_after_notice_on("2025-12-17"),
        "2025-12-31",
        "on the deadline"
    );
    assert_eq!(
        ends_after_notice_on("2025-12-18"),
        "2026-12-31",
        "a day late"
    );
}

#[test]
fn hours_prints_the_documented_json() {
    let db = Db::new();
    let open = json_of(&db.run(&["hours", "--at", "2026-11-23T10:00:00Z", "--json"]));
    assert_eq!(
        open,
        json!({"open": true, "holiday": null, "next_open": null, "next_close": "2026-11-23T18:00:00+01:00"})
    );
    let epiphany = json_of(&db.run(&[
        "hours",
        "--at",
        "2026-01-06T10:00:00+01:00",
        "--region",
        "DE-BY",
        "--json",
    ]));
    assert_eq!(
        epiphany,
        json!({"open": false, "holiday": "Heilige Drei Könige", "next_open": "2026-01-07T09:00:00+01:00", "next_close": null})
    );
    let berlin = json_of(&db.run(&[
        "hours",
        "--at",
        "2026-01-06T10:00:00+01:00",
        "--region",
        "DE-BE",
        "--json",
    ]));
    assert_eq!(berlin["open"], true);
    assert!(
        !db.path().exists(),
        "hours needs no database and creates none"
    );
}

#[test]
fn bad_input_is_a_clear_message_and_a_failing_exit() {
    let db = Db::new();
    let broken = db.0.path().join("broken.json");
    std::fs::write(&broken, r#"{"currency": "EUR", "plans": [{"id": "flat"}]}"#).unwrap();
    let broken = broken.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["advise", "--stations", "0"],
            1,
            "between 1 and 500 stations, not 0",
        ),
        (&["advise", "--stations", "-3"], 2, "--stations"),
        (&["advise", "--stations", "six"], 2, "invalid value 'six'"),
        (
            &[
                "contract",
                "terms",
                "--start",
                "2025-02-30",
                "--on",
                "2025-03-01",
            ],
            2,
            "invalid value '2025-02-30'",
        ),
        (
            &[
                "contract",
                "terms",
                "--start",
                "01.03.2025",
                "--on",
                "2025-03-01",
            ],
            2,
            "--start",
        ),
        (
            &[
                "contract",
                "terms",
                "--start",
                "2025-03-01",
                "--on",
                "2025-02-01",
            ],
            1,
            "starts on 2025-03-01",
        ),
        (
            &[
                "contract",
                "create",
                "--plan",
                "gold",
                "--stations",
                "Kasse 1",
            ],
            1,
            "no plan \"gold\"; the catalogue has: flat, second_level",
        ),
        (
            &["advise", "--stations", "3", "--catalog", broken],
            1,
            "catalogue is broken",
        ),
        (
            &[
                "advise",
                "--stations",
                "3",
                "--catalog",
                "/nonexistent/catalog.json",
            ],
            1,
            "cannot read /nonexistent/catalog.json",
        ),
        (
            &[
                "contract",
                "create",
                "--plan",
                "flat",
                "--stations",
                "Kasse 9",
            ],
            1,
            "no station \"Kasse 9\"",
        ),
        (&["station", "add", "--name", "   "], 1, "needs a name"),
        (
            &["advise", "--stations", "3", "--vat", "150"],
            1,
            "VAT rate of 150 % is impossible",
        ),
    ];
    for (args, code, message) in cases {
        let output = db.run(args);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    }
}

#[test]
fn errors_are_json_on_stderr_with_json() {
    let db = Db::new();
    let output = db.run(&["advise", "--stations", "0", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["code"], "rule");
    assert!(error["message"].as_str().unwrap().contains("not 0"));
}

#[test]
fn stations_and_contracts_from_the_command_line() {
    let db = Db::new();
    for i in 1..=6 {
        json_of(&db.run(&[
            "station",
            "add",
            "--name",
            &format!("Kasse {i}"),
            "--location",
            "Markt",
            "--json",
        ]));
    }
    let listed = json_of(&db.run(&["station", "list", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), 6);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["coverage"] == "uncovered"));

    let made = json_of(&db.run(&[
        "contract",
        "create",
        "--plan",
        "second_level",
        "--stations",
        "Kasse 1,Kasse 2,Kasse 3,Kasse 4,Kasse 5",
        "--start",
        "2026-01-01",
        "--json",
    ]));
    assert_eq!(
        made[0]["contract"]["station_ids"].as_array().unwrap().len(),
        5
    );
    let flat = json_of(&db.run(&[
        "contract",
        "create",
        "--plan",
        "flat",
        "--stations",
        "Kasse 6",
        "--start",
        "2026-01-01",
        "--json",
    ]));
    let flat_id = flat[0]["contract"]["id"].as_str().unwrap().to_owned();

    let refused = db.run(&[
        "contract",
        "create",
        "--plan",
        "flat",
        "--stations",
        "Kasse 6",
        "--start",
        "2026-02-01",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("already covered"),
        "{}",
        stderr(&refused)
    );

    let listed = json_of(&db.run(&["station", "list", "--on", "2026-06-01", "--json"]));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["coverage"] == "covered"),
        "{listed}"
    );

    let contracts = json_of(&db.run(&["contract", "list", "--on", "2026-06-01", "--json"]));
    assert_eq!(contracts.as_array().unwrap().len(), 2);
    assert!(contracts
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["terms"]["notice_deadline"] == "2026-12-17"
            && c["notice_today_ends_on"] == "2026-12-31"));

    let noticed = json_of(&db.run(&[
        "contract",
        "notice",
        "--id",
        &flat_id,
        "--received",
        "2026-12-18",
        "--json",
    ]));
    assert_eq!(
        noticed[0]["contract"]["notice"]["effective_on"],
        "2027-12-31"
    );

    let renamed = json_of(&db.run(&[
        "station",
        "rename",
        "--station",
        "Kasse 6",
        "--name",
        "Kasse Café",
        "--json",
    ]));
    assert_eq!(renamed["name"], "Kasse Café");
    let table =
        String::from_utf8(db.run(&["station", "list", "--on", "2026-06-01"]).stdout).unwrap();
    assert!(
        table.contains("Kasse Café") && table.contains("covered"),
        "{table}"
    );
}

#[test]
fn emergency_and_tickets_from_the_command_line() {
    let db = Db::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 1", "--json"]));
    json_of(&db.run(&["contacts", "--hotline", "+49 30 1234567", "--json"]));
    json_of(&db.run(&[
        "contract",
        "create",
        "--plan",
        "flat",
        "--stations",
        "Kasse 1",
        "--json",
    ]));

    let pressed = json_of(&db.run(&["emergency", "--station", "Kasse 1", "--json"]));
    assert_eq!(pressed["routing"], "vendor");
    assert_eq!(pressed["hotline"], "+49 30 1234567");
    assert_eq!(pressed["joined_open_ticket"], false);
    assert_eq!(pressed["ticket"]["priority"], "emergency");
    assert_eq!(pressed["ticket"]["channel"], "emergency_button");
    assert!(pressed["support"]["open"].is_boolean());
    let again = json_of(&db.run(&["emergency", "--station", "Kasse 1", "--json"]));
    assert_eq!(again["joined_open_ticket"], true);
    assert_eq!(again["number"], pressed["number"]);

    let created = json_of(&db.run(&[
        "ticket",
        "create",
        "--title",
        "Kartenterminal offline",
        "--station",
        "Kasse 1",
        "--doing",
        "Kartenzahlung",
        "--json",
    ]));
    assert_eq!(
        created["missing"],
        json!([
            "what_should_have_happened",
            "error_message",
            "reproducible",
            "elsewhere_too"
        ])
    );
    let number = created["ticket"]["number"].as_str().unwrap().to_owned();
    let found = json_of(&db.run(&["ticket", "search", "karten", "--json"]));
    assert_eq!(found[0]["number"], number.as_str());
    json_of(&db.run(&[
        "ticket",
        "comment",
        &number,
        "--text",
        "Router neu gestartet",
        "--json",
    ]));
    let resolved = json_of(&db.run(&["ticket", "state", &number, "--to", "resolved", "--json"]));
    assert_eq!(resolved[0]["state"], "resolved");
    let urgent = json_of(&db.run(&["ticket", "list", "--sort", "urgent", "--json"]));
    assert_eq!(urgent[0]["priority"], "emergency");
    let shown = json_of(&db.run(&["ticket", "show", &number, "--json"]));
    assert_eq!(shown["events"].as_array().unwrap().len(), 3);

    let refused = db.run(&["ticket", "state", &number, "--to", "resolved"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("cannot become resolved"),
        "{}",
        stderr(&refused)
    );
    let bad_state = db.run(&["ticket", "state", &number, "--to", "done"]);
    assert_eq!(bad_state.status.code(), Some(2));
    assert!(
        stderr(&bad_state).contains("not a TicketState"),
        "{}",
        stderr(&bad_state)
    );
    let bad_view = db.run(&["ticket", "list", "--view", "mine"]);
    assert_eq!(bad_view.status.code(), Some(1));
    assert!(
        stderr(&bad_view).contains("--view mine needs --person"),
        "{}",
        stderr(&bad_view)
    );
    let unknown = db.run(&["emergency", "--station", "Kasse 9"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no station \"Kasse 9\""),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn quotes_callbacks_and_escalation_from_the_command_line() {
    let db = Db::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 1", "--json"]));
    let pressed = json_of(&db.run(&["emergency", "--station", "Kasse 1", "--json"]));
    let number = pressed["number"].as_str().unwrap().to_owned();
    json_of(&db.run(&["ticket", "escalate", &number, "--json"]));
    json_of(&db.run(&[
        "ticket",
        "callback",
        &number,
        "--phone",
        "+49 171 1234567",
        "--json",
    ]));
    let quote = json_of(&db.run(&[
        "ticket",
        "quote",
        &number,
        "--amount",
        "180.50",
        "--description",
        "Netzwerk einrichten",
        "--json",
    ]));
    assert_eq!(
        quote["price"],
        json!({"amount": "180.50", "currency": "EUR"})
    );
    let decided = json_of(&db.run(&["ticket", "decide", &number, "--accept", "--json"]));
    assert_eq!(decided["decision"], "accepted");
    let neither = db.run(&["ticket", "decide", &number]);
    assert_eq!(neither.status.code(), Some(2));
    let bad_amount = db.run(&[
        "ticket",
        "quote",
        &number,
        "--amount",
        "1,50",
        "--description",
        "x",
    ]);
    assert_eq!(bad_amount.status.code(), Some(2));
    let shown = json_of(&db.run(&["ticket", "show", &number, "--json"]));
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "escalated",
            "callback_requested",
            "quote_offered",
            "quote_accepted"
        ]
    );
}

/// The cash-register law's commands print the documented JSON: a till's facts, the overview
/// with its warning and the site's deadline, the report for ELSTER, a filing, and the outage
/// log from a TSE failure to its cause, with its PDF.
#[test]
fn compliance_commands_print_the_documented_json() {
    let db = Db::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 1", "--json"]));
    let set = json_of(&db.run(&[
        "station",
        "compliance",
        "--station",
        "Kasse 1",
        "--kind",
        "pc",
        "--serial",
        "K-1",
        "--site",
        "Filiale Mitte",
        "--tse-serial",
        "A-1",
        "--tse-valid-until",
        "2026-03-31",
        "--tse-in-use-from",
        "2025-08-01",
        "--purchased-on",
        "2025-07-20",
        "--json",
    ]));
    assert_eq!(set["tse_serial"], "A-1");

    let rows = json_of(&db.run(&["compliance", "--on", "2026-01-31", "--json"]));
    let row = &rows[0];
    let mut keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "days_left",
            "out_of_service",
            "report_due_by",
            "report_overdue",
            "site",
            "station",
            "station_id",
            "tse_serial",
            "tse_valid_until",
            "warning"
        ]
    );
    assert_eq!(
        (&row["days_left"], &row["warning"], &row["site"]),
        (&json!(59), &json!("90"), &json!("Filiale Mitte"))
    );
    // Bought on 20 July 2025: due a month later, overdue by the end of January 2026.
    assert_eq!(row["report_due_by"], "2025-08-20");
    assert_eq!(row["report_overdue"], true);

    let csv = db.run(&[
        "compliance",
        "report",
        "--site",
        "filiale mitte",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("Bezeichnung der Betriebsstätte;"), "{csv}");
    assert!(
        csv.contains(";K-1;") && csv.contains(";20.07.2025;"),
        "{csv}"
    );
    let report = json_of(&db.run(&["compliance", "report", "--site", "Filiale Mitte"]));
    assert_eq!(report["Betriebsstätte"]["Anzahl der zugeordneten eAs"], 1);

    let filed = json_of(&db.run(&[
        "compliance",
        "filed",
        "--site",
        "Filiale Mitte",
        "--on",
        "2025-08-15",
        "--transfer-ticket",
        "et-1",
        "--json",
    ]));
    assert_eq!(filed[0]["report_due_by"], Value::Null);
    let unknown = db.run(&[
        "compliance",
        "filed",
        "--site",
        "Nirgendwo",
        "--on",
        "2025-08-15",
        "--json",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("not_found"),
        "{}",
        stderr(&unknown)
    );

    let pressed = json_of(&db.run(&["emergency", "--station", "Kasse 1", "--json"]));
    let number = pressed["number"].as_str().unwrap();
    json_of(&db.run(&["ticket", "tse-failure", number, "--json"]));
    let no_cause = db.run(&["ticket", "tse-working", number, "--cause", " ", "--json"]);
    assert_eq!(no_cause.status.code(), Some(1));
    json_of(&db.run(&[
        "ticket",
        "tse-working",
        number,
        "--cause",
        "Stick getauscht",
        "--json",
    ]));
    let pdf = db.0.path().join("outages.pdf");
    let outages = json_of(&db.run(&[
        "compliance",
        "outages",
        "--station",
        "Kasse 1",
        "--pdf",
        pdf.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(outages.as_array().unwrap().len(), 1);
    assert_eq!(outages[0]["number"], number);
    assert_eq!(outages[0]["cause"], "Stick getauscht");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}
