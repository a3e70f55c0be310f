//! The cash-register law in the real window: the stations screen warns of a TSE certificate
//! that ends soon and of one that has ended, the shop admin swaps a TSE in the till's facts
//! (the old one stays on the record) and the site's report becomes due, then is recorded as
//! filed; the report for ELSTER is saved as CSV. A cashier marks an emergency as a TSE
//! failure, the admin records the TSE working again with the cause, and the till's outage log
//! prints.

use chrono::{Duration, NaiveDate, Utc};
use stationdesk_core::store::{ComplianceUpdate, Store};
use stationdesk_e2e::App;

fn shop_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&stationdesk_core::store::DEFAULT_TIME_ZONE)
        .date_naive()
}

fn tills_with_tses(store: &mut Store) {
    let today = shop_today();
    for (name, days_left, serial) in [("Kasse 1", 60, "TSE-A1"), ("Kasse 2", -3, "TSE-B7")] {
        store.add_station(name, "Laden").unwrap();
        store
            .set_compliance(
                name,
                ComplianceUpdate {
                    site: Some("Filiale Mitte".into()),
                    serial: Some(format!("SN-{name}")),
                    tse_serial: Some(serial.into()),
                    tse_valid_until: Some(today + Duration::days(days_left)),
                    tse_in_use_from: Some(today - Duration::days(1800)),
                    purchased_on: Some(today - Duration::days(1810)),
                    ..ComplianceUpdate::default()
                },
                today,
            )
            .unwrap();
    }
    store
        .record_report_filed("Filiale Mitte", today - Duration::days(30), "et-4711")
        .unwrap();
    store.add_station("Kasse 3", "Lager").unwrap();
}

#[tokio::test]
async fn the_stations_screen_warns_of_ending_certificates_and_a_tse_swap_makes_the_report_due() {
    // Downloads go to the test's own home, never the machine's.
    let home = tempfile::tempdir().unwrap();
    let app = App::launch_with_env(
        tills_with_tses,
        &[
            ("HOME", home.path().into()),
            ("XDG_CONFIG_HOME", home.path().join(".config").into()),
        ],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    app.find("#nav-stations[aria-current='page']").await;

    assert_eq!(
        app.attrs("#stations-table [data-tse-warning]", "data-tse-warning")
            .await,
        ["90", "expired"]
    );
    let cells = app.texts("#stations-table td.tse").await;
    assert!(
        cells[0].contains("Ends in 60 days") && cells[0].contains("TSE-A1"),
        "{cells:?}"
    );
    assert!(cells[1].contains("Ended on"), "{cells:?}");
    assert_eq!(cells[2], "—", "a till without facts: {cells:?}");
    let summary = app.text("#compliance-summary").await;
    assert!(summary.contains("2 TSE certificate(s)"), "{summary}");
    assert_eq!(
        app.attrs("#sites-table [data-report]", "data-report").await,
        ["filed"]
    );
    app.screenshot("stations-tse-warnings").await;

    // Kasse 2 gets a new TSE: the old one is retired, and the site's report is due.
    app.click("#stations-table tbody tr:nth-child(2) .edit-facts")
        .await;
    app.find("#facts-form").await;
    app.screenshot("stations-till-facts").await;
    app.type_into("#facts-tse-serial", "TSE-C9").await;
    let valid_until = shop_today() + Duration::days(1800);
    app.type_into(
        "#facts-tse-valid-until",
        &valid_until.format("%d/%m/%Y").to_string(),
    )
    .await;
    app.type_into(
        "#facts-tse-in-use",
        &shop_today().format("%d/%m/%Y").to_string(),
    )
    .await;
    app.click_and_wait_for_render("#facts-save").await;
    app.eventually("the site's report is due", || async {
        app.attrs("#sites-table [data-report]", "data-report").await == ["due"]
    })
    .await;
    assert_eq!(
        app.attrs("#stations-table [data-tse-warning]", "data-tse-warning")
            .await,
        ["90"]
    );
    let record = Store::open(&app.database())
        .unwrap()
        .station("Kasse 2")
        .unwrap()
        .compliance
        .unwrap();
    assert_eq!(record.tse.unwrap().serial, "TSE-C9");
    assert_eq!(record.retired_tses.len(), 1);
    assert_eq!(record.retired_tses[0].serial, "TSE-B7");
    app.screenshot("stations-report-due").await;

    app.click("#sites-table .edit-address").await;
    app.type_into(
        "#sites-table .address-form input:first-child",
        "Marktplatz 1",
    )
    .await;
    app.click("#sites-table .address-form button").await;
    app.eventually("the site's address is shown", || async {
        app.first_contains("#sites-table .site-address", "Marktplatz 1")
            .await
    })
    .await;

    app.click("#sites-table .filed-form button").await;
    app.eventually("the report is recorded as filed", || async {
        app.attrs("#sites-table [data-report]", "data-report").await == ["filed"]
    })
    .await;

    app.dismiss_messages().await;
    app.click("#sites-table button.save-csv").await;
    let saved = home
        .path()
        .join("Downloads")
        .join("stationdesk-146a-Filiale-Mitte.csv");
    app.eventually("the report is saved", || async { saved.exists() })
        .await;
    let csv = std::fs::read_to_string(&saved).unwrap();
    assert!(csv.starts_with("Bezeichnung der Betriebsstätte;"), "{csv}");
    assert!(
        csv.contains(";TSE-C9;") && csv.contains(";TSE-B7;"),
        "{csv}"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_tse_failure_pressed_at_the_till_ends_with_its_cause_and_the_outage_log_prints() {
    let home = tempfile::tempdir().unwrap();
    let app = App::launch_with_env(
        |store: &mut Store| {
            tills_with_tses(store);
            store.set_till_station(Some("Kasse 1")).unwrap();
        },
        &[
            ("HOME", home.path().into()),
            ("XDG_CONFIG_HOME", home.path().join(".config").into()),
        ],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    app.click_and_wait_for_render("#emergency-button").await;
    app.click_and_wait_for_render("#tse-failed").await;
    let recorded = app.text("#tse-failure-recorded").await;
    assert!(recorded.contains("TSE failure"), "{recorded}");
    app.screenshot("till-tse-failure").await;

    app.click_and_wait_for_render("#to-admin").await;
    app.open("tickets").await;
    app.click("#ticket-list .ticket-title").await;
    app.find("#tse-outage[data-outage='running']").await;
    app.type_into("#tse-cause", "TSE-Stick defekt, getauscht")
        .await;
    app.click("#tse-working").await;
    app.find("#tse-outage[data-outage='ended']").await;
    assert!(app.text("#tse-outage").await.contains("TSE-Stick defekt"));

    app.open("stations").await;
    app.click("#stations-table tbody tr:first-child .edit-facts")
        .await;
    app.click("#save-outage-log").await;
    let saved = home
        .path()
        .join("Downloads")
        .join("stationdesk-tse-outages-Kasse-1.pdf");
    app.eventually("the outage log is saved", || async { saved.exists() })
        .await;
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", &saved.display().to_string(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Protokoll der TSE-Ausfälle: Kasse 1"),
        "{text}"
    );
    assert!(
        text.contains("TSE-A1") && text.contains("TSE-Stick defekt, getauscht"),
        "{text}"
    );
    app.quit().await;
}
