//! The shop admin's first screens in the real window: stations, the plan advisor, contracts,
//! language and keyboard. Each test starts the app on an empty data directory of its own.

use chrono::{NaiveDate, Utc};
use stationdesk_core::domain::contract_terms;
use stationdesk_core::store::Store;
use stationdesk_e2e::thirtyfour::prelude::*;
use stationdesk_e2e::App;

fn shop_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
}

fn en_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

async fn add_station(app: &App, name: &str, location: &str) {
    let before = app
        .attrs("#stations-table tbody tr", "data-station-id")
        .await
        .len();
    app.type_into("#station-name", name).await;
    app.type_into("#station-location", location).await;
    app.click("#add-station").await;
    app.eventually(&format!("{name} is listed"), || async {
        app.attrs("#stations-table tbody tr", "data-station-id")
            .await
            .len()
            == before + 1
    })
    .await;
}

async fn coverage_of_rows(app: &App) -> Vec<String> {
    app.attrs("#stations-table tbody tr", "data-coverage").await
}

#[tokio::test]
async fn six_stations_get_the_cheapest_cover_from_the_advisor() {
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    app.find("#nav-stations[aria-current='page']").await;

    for i in 1..=6 {
        add_station(&app, &format!("Kasse {i}"), "Markthalle").await;
    }
    assert_eq!(coverage_of_rows(&app).await, vec!["uncovered"; 6]);
    assert!(app.text("#stations-summary").await.contains("6 without"));
    app.screenshot("stations-uncovered").await;

    app.open("advisor").await;
    let count = app.find("#advisor-count").await;
    assert_eq!(
        count.value().await.unwrap().as_deref(),
        Some("6"),
        "the advisor starts with the stations without support"
    );
    let best_text = app.text("#advisor-results .option.best").await;
    assert!(best_text.contains("€899.00"), "{best_text}");
    // Dates are read and written as the app's language writes them: an impossible one is
    // refused before anything happens, a short one is understood.
    let today = Utc::now()
        .with_timezone(&stationdesk_core::store::DEFAULT_TIME_ZONE)
        .date_naive();
    assert_eq!(
        app.attrs("#advisor-start", "value").await,
        [today.format("%d/%m/%Y").to_string()]
    );
    app.type_into("#advisor-start", "31/02/2027").await;
    app.click("#advisor-results .option.best .apply-option")
        .await;
    let valid: bool = app
        .evaluate("return document.getElementById('advisor-start').validity.valid;")
        .await;
    assert!(!valid, "31 February is no date");
    assert!(app.all("#confirm-option-0").await.is_empty());
    app.type_into("#advisor-start", &today.format("%-d/%-m/%Y").to_string())
        .await;
    assert!(
        best_text.contains("€1,069.81 per year incl. 19 % VAT"),
        "{best_text}"
    );
    assert!(
        best_text.contains("1 × Second Level Support for 5 stations"),
        "{best_text}"
    );
    assert!(
        best_text.contains("1 × Support Flat for 1 station"),
        "{best_text}"
    );
    assert!(
        best_text.contains("at 1 of the stations every cashier may call support directly; at the other 5, cashiers turn to their admin first"),
        "{best_text}"
    );
    let totals = app
        .attrs("#advisor-results .option", "data-net-total")
        .await;
    assert_eq!(totals, vec!["899.00", "1300.00", "1494.00"]);
    app.screenshot("advisor").await;

    // Each option's button names it and its price; the first click only shows what would be
    // ordered, the second orders it.
    let buttons = app.texts("#advisor-results .apply-option").await;
    assert_eq!(
        buttons.first().map(String::as_str),
        Some("Set up option 1 — €899.00 a year"),
        "{buttons:?}"
    );
    assert_eq!(
        buttons
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        buttons.len(),
        "no two options share a button text: {buttons:?}"
    );
    app.click("#advisor-results .option.best .apply-option")
        .await;
    let confirm = app.text("#confirm-option-0").await;
    assert!(
        confirm.contains("These 2 contracts will be created")
            && confirm.contains("€899.00 net a year")
            && confirm.contains("€1,069.81"),
        "{confirm}"
    );
    assert!(
        Store::open(&app.database())
            .unwrap()
            .contracts()
            .unwrap()
            .is_empty(),
        "nothing is ordered before the confirmation"
    );
    app.screenshot("advisor-confirm").await;
    app.click("#confirm-option-0 .confirm-apply").await;
    app.find("main[data-view='stations']").await;
    app.eventually("every station is covered", || async {
        coverage_of_rows(&app).await == vec!["covered"; 6]
    })
    .await;
    let support = app.texts("#stations-table td.support").await;
    assert_eq!(
        support
            .iter()
            .filter(|s| s.contains("Second Level Support"))
            .count(),
        5,
        "{support:?}"
    );
    assert_eq!(
        support
            .iter()
            .filter(|s| s.contains("Support Flat"))
            .count(),
        1,
        "{support:?}"
    );
    app.screenshot("stations-covered").await;

    app.open("contracts").await;
    app.find("#contracts-table").await;
    let rows = app.texts("#contracts-table tbody tr").await;
    assert_eq!(rows.len(), 2);
    let today = shop_today();
    let deadline = en_date(contract_terms::notice_deadline(today, 0).unwrap());
    let term_end = en_date(contract_terms::term_end(today, 0).unwrap());
    for text in &rows {
        assert!(
            text.contains(&deadline),
            "notice deadline {deadline} in {text}"
        );
        assert!(text.contains(&term_end), "term end {term_end} in {text}");
        assert!(text.contains("Active"), "{text}");
    }
    let mut prices = app.texts("#contracts-table td.number").await;
    prices.sort();
    assert_eq!(prices, vec!["€249.00", "€650.00"]);
    app.screenshot("contracts").await;

    // A notice received today: the contract shows when it ends, as the rules say.
    app.click("#contracts-table tbody tr:nth-child(1) td.actions button")
        .await;
    app.find(".notice-form").await;
    app.screenshot("contracts-notice").await;
    app.click(".notice-form button[type='submit']").await;
    let ends = en_date(contract_terms::cancellation_effective(today, today).unwrap());
    app.eventually("the contract shows notice given", || async {
        app.attrs(
            "#contracts-table tr[data-state='notice_given']",
            "data-state",
        )
        .await
        .len()
            == 1
    })
    .await;
    let noticed = app
        .text("#contracts-table tr[data-state='notice_given']")
        .await;
    assert!(noticed.contains(&format!("Ends on {ends}")), "{noticed}");
    app.quit().await;
}

#[tokio::test]
async fn the_window_speaks_german_and_remembers_it() {
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-de").await;
    app.eventually("the sidebar is German", || async {
        app.text("#nav-stations").await == "Stationen"
    })
    .await;
    add_station(&app, "Kasse 1", "Eingang").await;
    assert!(app
        .text("#stations-table")
        .await
        .contains("Kein Supportvertrag"));
    app.open("advisor").await;
    let text = app.text("#advisor-results .option.best").await;
    // German writes a no-break space between the amount and the euro sign.
    assert!(text.contains("249,00\u{a0}€"), "{text}");
    let today = Utc::now()
        .with_timezone(&stationdesk_core::store::DEFAULT_TIME_ZONE)
        .date_naive();
    assert_eq!(
        app.attrs("#advisor-start", "value").await,
        [today.format("%d.%m.%Y").to_string()],
        "German dates in a German window"
    );
    assert!(
        text.contains("Jede Person an diesen Kassen darf den Support direkt anrufen"),
        "{text}"
    );
    app.screenshot("advisor-de").await;

    app.driver.refresh().await.unwrap();
    app.find("body[data-ready='true']").await;
    assert_eq!(app.text("#nav-contracts").await, "Verträge");
    assert_eq!(
        app.find("#lang-de")
            .await
            .attr("aria-pressed")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    app.quit().await;
}

#[tokio::test]
async fn stations_are_managed_from_the_keyboard_and_mistakes_are_explained() {
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    // Name, Tab, location, Enter: no mouse needed.
    let name = app.find("#station-name").await;
    name.send_keys("Kasse 1").await.unwrap();
    name.send_keys(Key::Tab).await.unwrap();
    let focused = app.driver.active_element().await.unwrap();
    assert_eq!(
        focused.id().await.unwrap().as_deref(),
        Some("station-location")
    );
    focused.send_keys("Eingang").await.unwrap();
    focused.send_keys(Key::Enter).await.unwrap();
    app.eventually("the station is listed", || async {
        app.texts("#stations-table td.station-name").await == ["Kasse 1"]
    })
    .await;

    // The same name again is refused with a message that says what to do.
    app.type_into("#station-name", "kasse 1").await;
    app.click("#add-station").await;
    let toast = app.find(".toast-error").await.text().await.unwrap();
    assert!(
        toast.contains("exists already") && toast.contains("choose another name"),
        "{toast}"
    );
    assert_eq!(
        app.texts("#stations-table td.station-name").await,
        ["Kasse 1"]
    );

    // Rename in place, saved with Enter.
    app.click("#stations-table td.actions button").await;
    let input = app.find(".rename-input").await;
    input.clear().await.unwrap();
    input.send_keys("Kasse Vorne").await.unwrap();
    input.send_keys(Key::Enter).await.unwrap();
    app.eventually("the new name shows", || async {
        app.text("#stations-table td.station-name").await == "Kasse Vorne"
    })
    .await;

    // A Flat contract covers exactly one station: two selected cannot be submitted.
    add_station(&app, "Kasse 2", "").await;
    app.click("#stations-table tbody tr:nth-child(1) .select-station")
        .await;
    app.click("#stations-table tbody tr:nth-child(2) .select-station")
        .await;
    let hint = app.text("#contract-plan-hint").await;
    assert!(
        hint.contains("Support Flat covers 1 station(s); 2 selected"),
        "{hint}"
    );
    assert!(!app
        .find("#create-contract")
        .await
        .is_enabled()
        .await
        .unwrap());
    app.screenshot("stations-selection").await;

    // Behind the window: what the screen shows is what the database holds.
    let store = stationdesk_core::store::Store::open(&app.database()).unwrap();
    let names: Vec<String> = store
        .stations()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["Kasse 2", "Kasse Vorne"]);
    assert!(store.contracts().unwrap().is_empty());
    app.quit().await;
}

/// The seeds' vendors work in Danish and Finnish too: the window speaks both, with their dates
/// and money.
#[tokio::test]
async fn the_window_speaks_danish_and_finnish() {
    let app = App::launch().await;
    add_station(&app, "Kasse 1", "Indgang").await;
    let today = shop_today().format("%d.%m.%Y").to_string();
    for (language, stations, flat) in [("da", "Stationer", "249,00"), ("fi", "Kassat", "249,00")] {
        app.click_and_wait_for_render(&format!("#lang-{language}"))
            .await;
        app.open("advisor").await;
        assert_eq!(app.text("#nav-stations").await, stations);
        let best = app.text("#advisor-results .option.best").await;
        assert!(
            best.contains(flat) && best.contains('€'),
            "{language}: {best}"
        );
        assert_eq!(
            app.attrs("#advisor-start", "value").await,
            std::slice::from_ref(&today),
            "{language} writes dates with dots"
        );
        app.screenshot(&format!("advisor-{language}")).await;
    }
    app.quit().await;
}
