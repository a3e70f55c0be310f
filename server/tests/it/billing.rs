//! The vendor's side against the real server process: the profile, billing data, contracts the
//! vendor sells and the invoices it issues, every one of them checked by the official
//! e-invoice rules (`../shared/einvoice/validate.py`), with numbers that stay unbroken when runs
//! race or are killed.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};
use stationdesk_e2e::server::{server_binary, TestServer};

/// The official rules: `STATIONDESK_EINVOICE_RULES`, else `../shared/einvoice` beside the
/// checkout, else the workplace's shared folder.
fn validator() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/einvoice");
    let candidates = [
        std::env::var_os("STATIONDESK_EINVOICE_RULES").map(PathBuf::from),
        Some(beside),
        Some(PathBuf::from("/work/shared/einvoice")),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|dir| dir.join("validate.py"))
        .find(|script| script.exists())
        .expect("the e-invoice rules (validate.py): set STATIONDESK_EINVOICE_RULES to their folder")
}

/// Writes every invoice's XML from the server's own command and runs the official rules over
/// them: no `fatal` or `error` finding may be left.
fn assert_valid_e_invoices(server: &TestServer, numbers: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for number in numbers {
        let output = Command::new(server_binary())
            .arg("--db")
            .arg(server.db())
            .args(["invoice", "xml", "--number", number])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let file = dir.path().join(format!("{number}.xml"));
        std::fs::write(&file, &output.stdout).unwrap();
        files.push(file);
    }
    let output = Command::new("python3")
        .arg(validator())
        .arg("--json")
        .args(&files)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("validate.py: {}", String::from_utf8_lossy(&output.stderr)));
    let broken: Vec<&Value> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|file| file["valid"] != json!(true))
        .collect();
    assert!(broken.is_empty(), "invoices the rules refuse: {broken:#?}");
    assert_eq!(report.as_array().unwrap().len(), numbers.len());
    assert!(output.status.success());
}

fn numbers(invoices: &Value) -> Vec<String> {
    invoices
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect()
}

fn operator_fails(server: &TestServer, args: &[&str]) -> String {
    let output = Command::new(server_binary())
        .arg("--db")
        .arg(server.db())
        .args(args)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_example_shop_over_three_years_invoiced_cancelled_paid_and_exported() {
    let server = TestServer::start();
    let shop = server.shop("Bäckerei Müller");
    let (_, till_1) = server.till(&shop, "Kasse 1");
    let (_, till_2) = server.till(&shop, "Kasse 2");
    let (_, till_3) = server.till(&shop, "Kasse 3");
    // No invoice without the vendor's own particulars.
    let flat = server.sell(&shop, "flat", &[till_1], "2027-01-01");
    assert_eq!(flat["yearly_price"]["amount"], "249.00");
    let missing = operator_fails(&server, &["invoice", "run", "--on", "2027-01-01"]);
    assert!(missing.contains("vendor set"), "{missing}");
    server.set_up_vendor();
    server.bill(&shop, "Bäckerei Müller GmbH");
    let second = server.sell(&shop, "second_level", &[till_2, till_3], "2027-03-31");

    let run = server.operator(&["invoice", "run", "--on", "2027-01-01"], "");
    assert_eq!(numbers(&run), ["2027-00001"]);
    let first = &run[0];
    assert_eq!(
        (
            first["net"].as_str(),
            first["vat"].as_str(),
            first["gross"].as_str()
        ),
        (Some("249.00"), Some("47.31"), Some("296.31"))
    );
    assert_eq!(first["period_start"], "2027-01-01");
    assert_eq!(first["period_end"], "2027-12-31");
    assert_eq!(first["kind"], "invoice");
    assert_eq!(first["currency"], "EUR");
    assert_eq!(first["due_on"], "2027-01-15");
    // A second run for the same day issues nothing.
    assert_eq!(
        server.operator(&["invoice", "run", "--on", "2027-01-01"], ""),
        json!([])
    );

    let run = server.operator(&["invoice", "run", "--on", "2027-03-31"], "");
    assert_eq!(numbers(&run), ["2027-00002"]);
    assert_eq!(
        (run[0]["vat"].as_str(), run[0]["gross"].as_str()),
        (Some("123.50"), Some("773.50"))
    );

    // The wrong address on the second: a credit note of its own number, then a new invoice.
    let note = server.operator(
        &[
            "invoice",
            "cancel",
            "--number",
            "2027-00002",
            "--reason",
            "falsche Anschrift",
            "--on",
            "2027-04-02",
        ],
        "",
    );
    assert_eq!(
        (note["number"].as_str(), note["kind"].as_str()),
        (Some("2027-00003"), Some("credit_note"))
    );
    assert_eq!(note["refers_to"], "2027-00002");
    server.bill(&shop, "Bäckerei Müller & Söhne GmbH");
    let run = server.operator(&["invoice", "run", "--on", "2027-04-02"], "");
    assert_eq!(numbers(&run), ["2027-00004"]);
    assert_eq!(
        run[0]["buyer"]["legal_name"],
        "Bäckerei Müller & Söhne GmbH"
    );
    assert_eq!(run[0]["period_start"], "2027-03-31");
    // The invoice as issued is kept unchanged: the old name stays on the cancelled one.
    let cancelled = server.operator(&["invoice", "show", "--number", "2027-00002"], "");
    assert_eq!(cancelled["buyer"]["legal_name"], "Bäckerei Müller GmbH");
    assert_eq!(cancelled["cancelled_by"], "2027-00003");
    let again = operator_fails(
        &server,
        &[
            "invoice",
            "cancel",
            "--number",
            "2027-00002",
            "--reason",
            "x",
        ],
    );
    assert!(again.contains("cancelled already"), "{again}");

    // Notice on the Flat within its deadline of the second term: 2028 invoiced, 2029 not.
    let flat_id = flat["contract"]["id"].as_str().unwrap();
    let ended = server.operator(
        &[
            "contract",
            "notice",
            "--id",
            flat_id,
            "--received",
            "2028-12-17",
        ],
        "",
    );
    assert_eq!(ended["contract"]["notice"]["effective_on"], "2028-12-31");
    // Late notice on the Second Level: the term after the deadline is still invoiced.
    let second_id = second["contract"]["id"].as_str().unwrap();
    let late = server.operator(
        &[
            "contract",
            "notice",
            "--id",
            second_id,
            "--received",
            "2028-03-20",
        ],
        "",
    );
    assert_eq!(late["contract"]["notice"]["effective_on"], "2029-03-30");
    let mut issued = Vec::new();
    for day in [
        "2028-01-01",
        "2028-03-31",
        "2029-01-01",
        "2029-03-31",
        "2030-01-01",
        "2030-03-31",
    ] {
        issued.extend(numbers(
            &server.operator(&["invoice", "run", "--on", day], ""),
        ));
    }
    // The Flat's 2029 term and the Second Level's third term are never invoiced.
    assert_eq!(issued, ["2028-00001", "2028-00002"]);

    // Paid and overdue.
    let unpaid = server.operator(&["invoice", "list", "--overdue-on", "2029-06-01"], "");
    assert_eq!(
        numbers(&unpaid),
        ["2027-00001", "2027-00004", "2028-00001", "2028-00002"]
    );
    server.operator(
        &[
            "invoice",
            "paid",
            "--number",
            "2027-00001",
            "--on",
            "2027-01-10",
        ],
        "",
    );
    let unpaid = server.operator(&["invoice", "list", "--overdue-on", "2029-06-01"], "");
    assert!(!numbers(&unpaid).contains(&"2027-00001".to_owned()));

    let all = server.operator(&["invoice", "list", "--shop", &shop], "");
    let all = numbers(&all);
    assert_eq!(all.len(), 6);
    assert_valid_e_invoices(&server, &all);

    // The bookkeeper's export: one row per document, the credit note negative.
    let export = Command::new(server_binary())
        .arg("--db")
        .arg(server.db())
        .args(["invoice", "export"])
        .output()
        .unwrap();
    let export = String::from_utf8(export.stdout).unwrap();
    let rows: Vec<&str> = export.lines().collect();
    assert_eq!(rows.len(), 7, "{export}");
    assert!(rows[0].starts_with("number,kind,issued_on"), "{export}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("2027-00003,credit_note") && r.contains("-773.50")),
        "{export}"
    );
    assert!(
        rows[1].contains("Bäckerei Müller") && rows[1].ends_with("2027-01-10"),
        "{export}"
    );

    // The PDF renders, and holds the number and the gross amount.
    let pdf = server.dir.path().join("2027-00004.pdf");
    server.operator(
        &[
            "invoice",
            "pdf",
            "--number",
            "2027-00004",
            "--to",
            pdf.to_str().unwrap(),
        ],
        "",
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        text.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Rechnung 2027-00004",
        "773,50 EUR",
        "123,50 EUR",
        "Umsatzsteuer 19 %",
        "DE123456789",
        "Bäckerei Müller & Söhne GmbH",
        "31.03.2027 – 30.03.2028",
        "IBAN DE89 3704 0044 0532 0130 00",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF:\n{text}"
        );
    }
    let png = server.dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .unwrap();
    assert!(rendered.success());
    let screenshots = stationdesk_e2e::screenshot_dir();
    std::fs::create_dir_all(&screenshots).unwrap();
    std::fs::copy(
        png.with_extension("png"),
        screenshots.join("invoice-2027-00004.png"),
    )
    .unwrap();
}

#[test]
fn seed_000_monthly_plans_bill_the_units_beyond_the_included_ones_and_trials_bill_nothing() {
    let server = TestServer::start();
    server.set_up_vendor();
    let catalog =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/leanpoint_catalog.json");
    server.operator(
        &[
            "catalog",
            "add",
            "--valid-from",
            "2026-01-01",
            "--file",
            catalog.to_str().unwrap(),
        ],
        "",
    );
    let shop = server.shop("Café Hygge");
    server.bill(&shop, "Café Hygge ApS");
    let tills: Vec<uuid::Uuid> = (1..=12)
        .map(|n| server.till(&shop, &format!("Kasse {n}")).1)
        .collect();
    let premium = server.sell(&shop, "premium", &tills, "2027-02-01");
    assert_eq!(premium["contract"]["plan"]["currency"], "DKK");
    let shop_2 = server.shop("Smørrebrød");
    server.bill(&shop_2, "Smørrebrød ApS");
    let trial_tills: Vec<uuid::Uuid> = (1..=3)
        .map(|n| server.till(&shop_2, &format!("Kasse {n}")).1)
        .collect();
    server.sell(&shop_2, "trial", &trial_tills, "2027-02-01");

    let run = server.operator(&["invoice", "run", "--on", "2027-02-01"], "");
    assert_eq!(numbers(&run).len(), 1, "the trial bills nothing: {run}");
    let lines = run[0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (
            lines[0]["net"].as_str(),
            lines[1]["quantity"].as_str(),
            lines[1]["net"].as_str()
        ),
        (Some("1125.00"), Some("2"), Some("110.00"))
    );
    assert_eq!(run[0]["net"], "1235.00");
    // At the end of the month, the next month in advance.
    let run = server.operator(&["invoice", "run", "--on", "2027-02-28"], "");
    assert_eq!(run[0]["period_start"], "2027-03-01");
    assert_eq!(run[0]["period_end"], "2027-03-31");
    // 90 days after 1 February the trial continues on BASIC: 340 DKK a month.
    let run = server.operator(&["invoice", "run", "--on", "2027-05-02"], "");
    let basic: Vec<&Value> = run
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["shop_id"] == json!(shop_2))
        .collect();
    assert_eq!(basic.len(), 1, "{run}");
    assert_eq!(
        (basic[0]["period_start"].as_str(), basic[0]["net"].as_str()),
        (Some("2027-05-02"), Some("340.00"))
    );
    let all = numbers(&server.operator(&["invoice", "list"], ""));
    assert_valid_e_invoices(&server, &all);
}

/// A vendor's day of invoicing, by the API: the vendor admin runs it, a shop admin sees and
/// downloads only their own shop's, and a till sees none.
#[test]
fn invoices_over_the_api_by_role() {
    let server = TestServer::start();
    server.set_up_vendor();
    let shop = server.shop("Kiosk am Eck");
    let other = server.shop("Blumen Berger");
    let (till_token, till) = server.till(&shop, "Kasse 1");
    let (_, other_till) = server.till(&other, "Kasse 1");
    let vendor = server.staff("chef@vendor.example", "vendor_admin", None);
    let admin = server.staff("admin@kiosk.example", "shop_admin", Some(&shop));
    let (status, body) = server.put_json(
        &format!("/v1/shops/{shop}/billing"),
        &admin,
        &json!({
        "legal_name": "Kiosk am Eck e.K.", "street": "Eckweg 1", "postcode": "50667",
        "city": "Köln", "country": "DE", "email": "kiosk@example.org"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = server.put_json(&format!("/v1/shops/{other}/billing"), &admin, &json!({
        "legal_name": "x", "street": "x", "postcode": "1", "city": "x", "country": "DE", "email": "a@b.de"}));
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.bill(&other, "Blumen Berger GmbH");

    let (status, made) = server.post(
        "/v1/contracts",
        Some(&vendor),
        &json!({
        "shop_id": shop, "plan_id": "flat", "station_ids": [till], "start": "2027-01-01"}),
    );
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(
        (made["price"].as_str(), made["notice_deadline"].as_str()),
        (Some("249.00"), Some("2027-12-17"))
    );
    let (status, refused) = server.post(
        "/v1/contracts",
        Some(&vendor),
        &json!({
        "shop_id": shop, "plan_id": "flat", "station_ids": [other_till], "start": "2027-01-01"}),
    );
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "another shop's till: {refused}"
    );
    let (status, _) = server.post(
        "/v1/contracts",
        Some(&vendor),
        &json!({
        "shop_id": other, "plan_id": "flat", "station_ids": [other_till], "start": "2027-01-01"}),
    );
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.post(
        "/v1/contracts",
        Some(&admin),
        &json!({
        "shop_id": shop, "plan_id": "flat", "station_ids": [till], "start": "2027-01-01"}),
    );
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a shop admin orders through the sync, priced by the server"
    );

    // The shop's till hears of the contract the vendor made.
    let pulled = server.pull(&till_token, 0);
    assert!(
        pulled["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["change"]["type"] == "contract_confirmed"),
        "{pulled}"
    );
    let (status, contact) = server.get("/v1/vendor", Some(&till_token));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(contact["hotline"], "+49 40 7654321");

    let (status, _) = server.post(
        "/v1/invoices/run",
        Some(&admin),
        &json!({"on": "2027-01-01"}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, run) = server.post(
        "/v1/invoices/run",
        Some(&vendor),
        &json!({"on": "2027-01-01"}),
    );
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run.as_array().unwrap().len(), 2);
    let (_, mine) = server.get("/v1/invoices", Some(&admin));
    let mine = numbers(&mine);
    assert_eq!(mine.len(), 1);
    let (_, theirs) = server.get(&format!("/v1/invoices?shop_id={other}"), Some(&vendor));
    let theirs = numbers(&theirs);
    let (status, _) = server.get(&format!("/v1/invoices/{}", theirs[0]), Some(&admin));
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another shop's invoice is not there"
    );
    let (status, _) = server.get("/v1/invoices", Some(&till_token));
    assert_eq!(status, StatusCode::FORBIDDEN);
    let pdf = server
        .http
        .get(format!("{}/v1/invoices/{}/pdf", server.base, mine[0]))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().unwrap().starts_with(b"%PDF-"));
    let xml = server
        .http
        .get(format!("{}/v1/invoices/{}/xml", server.base, mine[0]))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert!(xml
        .text()
        .unwrap()
        .contains("urn:xeinkauf.de:kosit:xrechnung_3.0"));
    let (status, paid) = server.post(
        &format!("/v1/invoices/{}/paid", mine[0]),
        Some(&vendor),
        &json!({"on": "2027-01-09"}),
    );
    assert_eq!(
        (status, paid["paid_on"].as_str()),
        (StatusCode::OK, Some("2027-01-09"))
    );
    // A bad profile is refused with what is wrong, and the kept one stays.
    let (status, bad) = server.put_json(
        "/v1/vendor/profile",
        &vendor,
        &json!({
        "name": "x", "street": "x", "postcode": "1", "city": "x", "country": "DE", "vat_id": "DE1",
        "contact": "x", "email": "a@b.de", "phone": "1", "iban": "DE00 0000"}),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["message"].as_str().unwrap().contains("IBAN"), "{bad}");
    let (_, kept) = server.get("/v1/vendor/profile", Some(&vendor));
    assert_eq!(kept["name"], "Kassenservice Nord GmbH");
    assert_valid_e_invoices(&server, &[mine, theirs].concat());
}

fn run_process(db: &str, on: &str) -> std::process::Child {
    Command::new(server_binary())
        .arg("--db")
        .arg(db)
        .args(["--json", "invoice", "run", "--on", on])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn issued(db: &mut stationdesk_e2e::server::ServerDatabase) -> i64 {
    db.count("SELECT count(*) FROM invoices", &[])
}

#[test]
fn numbers_stay_unbroken_when_runs_race_and_when_one_is_killed_half_way() {
    let server = TestServer::start();
    server.set_up_vendor();
    let shop = server.shop("Filialkette Süd");
    server.bill(&shop, "Filialkette Süd AG");
    const TILLS: usize = 40;
    for n in 0..TILLS {
        let (_, till) = server.till(&shop, &format!("Kasse {n}"));
        server.sell(&shop, "flat", &[till], "2016-01-01");
    }
    let db = server.db();
    // Two runs at once: between them every term up to mid-2021 once, numbers 1..n of 2021.
    let (a, b) = (
        run_process(&db, "2021-06-01"),
        run_process(&db, "2021-06-01"),
    );
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let raced: usize = [a, b]
        .iter()
        .map(|o| {
            serde_json::from_slice::<Value>(&o.stdout)
                .unwrap()
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(
        raced,
        TILLS * 6,
        "2016..2021 for each contract, issued once between both runs"
    );

    // A run killed once it is under way, then started again.
    let mut killed = run_process(&db, "2026-12-01");
    while issued(&mut server.database()) <= (TILLS * 6) as i64 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    killed.kill().unwrap();
    killed.wait().unwrap();
    let after_kill = issued(&mut server.database()) as usize;
    assert!(
        after_kill < TILLS * 11,
        "the run was killed half-way ({after_kill} issued)"
    );
    let again = run_process(&db, "2026-12-01").wait_with_output().unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let all = server.operator(&["invoice", "list"], "");
    let all = all.as_array().unwrap();
    assert_eq!(
        all.len(),
        TILLS * 11,
        "2016..2026, each term of each contract"
    );
    let mut per_year: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut periods = HashSet::new();
    for invoice in all {
        let (year, seq) = invoice["number"].as_str().unwrap().split_once('-').unwrap();
        per_year
            .entry(year.to_owned())
            .or_default()
            .push(seq.parse().unwrap());
        assert!(
            periods.insert((
                invoice["contract_id"].clone(),
                invoice["period_start"].clone()
            )),
            "twice: {invoice}"
        );
    }
    assert_eq!(per_year.keys().collect::<Vec<_>>(), ["2021", "2026"]);
    for (year, mut seqs) in per_year {
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u32).collect::<Vec<_>>(),
            "the numbers of {year}"
        );
    }
    let numbers: Vec<String> = all
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect();
    assert_valid_e_invoices(&server, &numbers);
}

/// Hostile values in every new field are refused with a reason, nothing is kept, and the
/// shops' tills go on syncing.
#[test]
fn hostile_vendor_requests_are_refused_and_everyone_else_syncs_on() {
    let server = TestServer::start();
    server.set_up_vendor();
    let shop = server.shop("Kiosk");
    let (till_token, till) = server.till(&shop, "Kasse 1");
    let vendor = server.staff("chef@vendor.example", "vendor_admin", None);
    let admin = server.staff("admin@kiosk.example", "shop_admin", Some(&shop));
    let good_billing = json!({"legal_name": "Kiosk e.K.", "street": "Weg 1", "postcode": "50667",
        "city": "Köln", "country": "DE", "email": "k@example.org"});
    let mut cases: Vec<(&str, Value)> = Vec::new();
    for (field, value) in [
        ("country", json!("Germany")),
        ("email", json!("no-at-sign")),
        ("legal_name", json!("x".repeat(10_000))),
        ("legal_name", json!("line\nbreak")),
        ("postcode", json!(50667)),
        ("smuggled", json!("field")),
    ] {
        let mut body = good_billing.clone();
        body[field] = value;
        cases.push(("billing", body));
    }
    for (kind, body) in &cases {
        let (status, answer) = server.put_json(&format!("/v1/shops/{shop}/billing"), &admin, body);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{kind} {body}: {answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let (_, kept) = server.get(&format!("/v1/shops/{shop}/billing"), Some(&admin));
    assert_eq!(kept, Value::Null, "nothing refused was kept");
    for body in [
        json!({"shop_id": shop, "plan_id": "flat", "station_ids": [till], "start": "1999-12-31"}),
        json!({"shop_id": shop, "plan_id": "gold", "station_ids": [till], "start": "2027-01-01"}),
        json!({"shop_id": shop, "plan_id": "flat", "station_ids": [till, till], "start": "2027-01-01"}),
        json!({"shop_id": shop, "plan_id": "flat", "station_ids": [uuid::Uuid::now_v7()], "start": "2027-01-01"}),
        json!({"shop_id": shop, "plan_id": "flat", "station_ids": "all", "start": "2027-01-01"}),
    ] {
        let (status, answer) = server.post("/v1/contracts", Some(&vendor), &body);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    }
    let (status, _) = server.post("/v1/contracts", Some(&vendor), &json!({
        "shop_id": uuid::Uuid::now_v7(), "plan_id": "flat", "station_ids": [till], "start": "2027-01-01"}));
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (path, body) in [
        ("/v1/invoices/run", json!({"on": "tomorrow"})),
        ("/v1/invoices/2027-00001/cancel", json!({"reason": ""})),
        ("/v1/invoices/2027-00001/paid", json!({"on": 20270101})),
        (
            "/v1/catalog/versions",
            json!({"valid_from": "2027-01-01", "catalog": {"currency": "EUR", "plans": []}}),
        ),
        (
            "/v1/contracts/not-a-uuid/notice",
            json!({"received": "2027-01-01"}),
        ),
    ] {
        let (status, answer) = server.post(path, Some(&vendor), &body);
        assert!(status.is_client_error(), "{path} {body}: {status} {answer}");
    }
    let (status, _) = server.get("/v1/invoices/..%2F..%2Fetc", Some(&vendor));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.operator(&["invoice", "list"], ""), json!([]));
    // The till's own sync is untouched by all of it.
    let results = server.push(
        &till_token,
        &[crate::common::filed(uuid::Uuid::now_v7(), Some(till))],
    );
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    assert!(!server.pull(&till_token, 0)["changes"]
        .as_array()
        .unwrap()
        .is_empty());
}
