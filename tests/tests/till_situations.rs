//! What the cashier reads after a press, in every situation of the till's table: Support Flat,
//! Second Level or no contract, with support open or closed, and the ticket sent, waiting for
//! the connection, or kept on a till that is not connected at all. The app runs under
//! libfaketime with its wall clock read from a file (the monotonic clock left alone), so each
//! window sees a Monday at 10:30 and then at 20:30 in Berlin, whatever the CI machine's hour.

use stationdesk_core::store::Store;
use stationdesk_e2e::clock::FakeClock;
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

/// Monday 7 December 2026, 10:30 and 20:30 in Berlin.
const OPEN: &str = "@2026-12-07 09:30:00";
const CLOSED: &str = "@2026-12-07 19:30:00";

/// Covered from 1 December 2026, before the clock's Monday whatever the machine's date.
fn till_of(plan: Option<&'static str>) -> impl FnOnce(&mut Store) {
    stationdesk_e2e::till_covered_by(plan, chrono::NaiveDate::from_ymd_opt(2026, 12, 1))
}

/// Presses (the first time, or again after the clock moved) and waits for the result.
async fn press(app: &App) -> String {
    app.click_and_wait_for_render("#emergency-button").await;
    app.text("#press-result").await
}

async fn situation(app: &App) -> (String, String) {
    (
        app.attrs("#press-result", "data-situation").await.join(""),
        app.attrs("#till-delivery", "data-delivery").await.join(""),
    )
}

/// The clock moves on to the evening; the screen is drawn anew, as the next render would.
async fn evening(app: &App, clock: &FakeClock) {
    clock.set(CLOSED);
    app.click_and_wait_for_render("#lang-en").await;
    app.eventually("support shows as closed", || async {
        app.attrs("#support-state", "class")
            .await
            .join(" ")
            .contains("is-closed")
    })
    .await;
}

#[tokio::test]
async fn a_flat_till_calls_support_by_day_and_leaves_a_number_at_night_sent_or_waiting() {
    let (server, code) = off_runtime(|| {
        let server = TestServer::start();
        let shop = server.shop("Bäckerei Korn");
        let code = server.code(&shop);
        (server, code)
    });
    let clock = FakeClock::at(OPEN);
    let app = App::launch_with_env(till_of(Some("flat")), &clock.env()).await;
    let (database, base) = (app.database(), server.base.clone());
    off_runtime(move || {
        let mut store = Store::open(&database).unwrap();
        stationdesk_core::sync::enrol(&mut store, &base, &code, "Kasse 1").unwrap();
    });
    app.click_and_wait_for_render("#lang-en").await;
    assert!(app
        .attrs("#support-state", "class")
        .await
        .join(" ")
        .contains("is-open"));

    let text = press(&app).await;
    assert!(text.contains("Call +49 30 1234567"), "{text}");
    assert!(
        app.all("#callback-form").await.is_empty(),
        "nothing to leave by day"
    );
    app.eventually("the ticket went out, and the till says so", || async {
        situation(&app).await == ("vendor-open".into(), "sent".into())
    })
    .await;
    assert_eq!(app.text("#till-delivery").await, "Sent to support.");
    app.screenshot("till-flat-open-sent").await;

    // Night, and the line to the server is down: the second press waits to be sent.
    let mut server = server;
    off_runtime(move || {
        server.stop();
        server
    });
    evening(&app, &clock).await;
    let text = press(&app).await;
    assert!(text.contains("callback service"), "{text}");
    assert_eq!(
        situation(&app).await,
        ("vendor-closed".into(), "waiting".into())
    );
    assert!(app
        .text("#till-delivery")
        .await
        .contains("will be sent to support as soon as the connection allows"));
    app.find("#callback-form").await;
    let hotline = app.text("#till-routing").await;
    assert!(
        hotline.contains("open again") && hotline.contains("+49 30 1234567"),
        "the hotline, with when it answers again: {hotline}"
    );
    app.screenshot("till-flat-closed-waiting").await;
    app.quit().await;
}

#[tokio::test]
async fn a_second_level_till_sends_the_cashier_to_the_admin_day_and_night() {
    let clock = FakeClock::at(OPEN);
    let app = App::launch_with_env(till_of(Some("second_level")), &clock.env()).await;
    app.click_and_wait_for_render("#lang-en").await;
    let text = press(&app).await;
    assert!(
        text.contains("Call your admin now") && text.contains("Frau Weber, +49 171 7654321"),
        "{text}"
    );
    assert_eq!(situation(&app).await, ("admin-open".into(), "local".into()));
    assert!(app
        .text("#till-delivery")
        .await
        .contains("not connected to support"));
    app.screenshot("till-second-level-open").await;

    evening(&app, &clock).await;
    let text = press(&app).await;
    assert!(
        text.contains("Tell your admin") && text.contains("Frau Weber"),
        "{text}"
    );
    assert_eq!(situation(&app).await.0, "admin-closed");
    assert!(
        app.all("#callback-form").await.is_empty(),
        "under Second Level the admin is the way to support, not the callback service"
    );
    assert!(!text.contains("callback"), "{text}");
    app.screenshot("till-second-level-closed").await;
    app.quit().await;
}

#[tokio::test]
async fn a_till_without_contract_or_remote_tool_says_what_it_cannot_do() {
    let clock = FakeClock::at(CLOSED);
    let app = App::launch_with_env(till_of(None), &clock.env()).await;
    app.click_and_wait_for_render("#lang-en").await;
    assert!(app
        .text("#remote-not-set-up")
        .await
        .contains("Remote help is not set up on this till"));
    assert!(app.all("#allow-remote-help").await.is_empty());
    let text = press(&app).await;
    assert!(text.contains("Your shop admin sees this ticket"), "{text}");
    assert_eq!(situation(&app).await, ("none".into(), "local".into()));
    assert!(app.all("#callback-form").await.is_empty());
    app.screenshot("till-no-contract-closed").await;
    app.quit().await;
}
