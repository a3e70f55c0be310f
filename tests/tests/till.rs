//! The cashier's till screen in the real window: one press files an emergency ticket, and the
//! screen says whom to call by the station's contract (none, Support Flat, Second Level).

use chrono::Utc;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::domain::tickets::{Channel, Priority};
use stationdesk_core::store::{Store, TicketQuery, TicketView};
use stationdesk_e2e::App;

fn shop_with_till(plan: Option<&'static str>) -> impl FnOnce(&mut Store) {
    stationdesk_e2e::till_covered_by(plan, None)
}

/// Presses the button and returns the screen's words after the press.
async fn press(app: &App) -> String {
    app.click("#emergency-button").await;
    app.text("#press-result").await
}

async fn check_support_state(app: &App) {
    let open = SupportCalendar::default().is_open(Utc::now());
    let class = app.attrs("#support-state", "class").await.join(" ");
    assert!(
        class.contains(if open { "is-open" } else { "is-closed" }),
        "{class}"
    );
}

fn emergency_tickets(app: &App) -> Vec<(Priority, Channel, String)> {
    let store = Store::open(&app.database()).unwrap();
    store
        .tickets(&TicketQuery::new(TicketView::Station("Kasse 1".into())))
        .unwrap()
        .into_iter()
        .map(|t| (t.priority, t.channel, t.reporter))
        .collect()
}

#[tokio::test]
async fn a_till_without_contract_says_so_and_still_files_the_ticket() {
    let app = App::launch_with(shop_with_till(None)).await;
    app.click_and_wait_for_render("#lang-en").await;
    app.find("body[data-mode='till']").await;
    assert_eq!(
        app.attrs("#till-routing", "data-routing").await,
        ["no_contract"]
    );
    assert!(app
        .text("#till-routing")
        .await
        .contains("This till has no support contract."));
    check_support_state(&app).await;
    app.screenshot("till-no-contract").await;

    let result = press(&app).await;
    assert!(
        result.contains("Ticket T-") && result.contains("is saved"),
        "{result}"
    );
    assert_eq!(
        emergency_tickets(&app),
        vec![(
            Priority::Emergency,
            Channel::EmergencyButton,
            "Kasse 1".to_owned()
        )]
    );
    app.quit().await;
}

#[tokio::test]
async fn a_flat_till_calls_the_vendor_and_a_second_press_joins_the_ticket() {
    let app = App::launch_with(shop_with_till(Some("flat"))).await;
    app.click_and_wait_for_render("#lang-en").await;
    assert_eq!(app.attrs("#till-routing", "data-routing").await, ["vendor"]);
    let routing = app.text("#till-routing").await;
    assert!(routing.contains("+49 30 1234567"), "{routing}");

    // The language switch comes after the emergency button, at the foot of the screen.
    let after: bool = app
        .evaluate(
            "return Boolean(document.getElementById('emergency-button')
                 .compareDocumentPosition(document.getElementById('language-group'))
                 & Node.DOCUMENT_POSITION_FOLLOWING)
               && document.getElementById('language-group').closest('main') !== null;",
        )
        .await;
    assert!(after, "the language switch is out of the cashier's way");
    // Every target a finger may need is at least 44 px square.
    let small: Vec<String> = app.evaluate("return [...document.querySelectorAll('main button, main input, #toasts button')]
                 .filter((e) => e.offsetParent !== null)
                 .filter((e) => { const r = e.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
                 .map((e) => e.id || e.textContent.trim());").await;
    assert!(
        small.is_empty(),
        "targets under 44 px on the till: {small:?}"
    );
    let emergency_height: f64 = app
        .evaluate(
            "return document.getElementById('emergency-button').getBoundingClientRect().height;",
        )
        .await;
    assert!(
        emergency_height > 150.0,
        "the emergency button stays large: {emergency_height}"
    );
    app.driver
        .execute(
            "document.getElementById('to-admin').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    app.screenshot("till-foot").await;

    let first = press(&app).await;
    let number = first
        .split_whitespace()
        .find(|w| w.starts_with("T-"))
        .unwrap()
        .to_owned();
    // Outside support hours the cashier leaves a number for the callback; inside, there is
    // nothing to leave.
    if SupportCalendar::default().is_open(Utc::now()) {
        assert!(app.attrs("#callback-form", "id").await.is_empty());
    } else {
        app.type_into("#callback-phone", "0171 1234567").await;
        app.click_and_wait_for_render("#callback-submit").await;
        assert!(app.text("#callback-done").await.contains("0171 1234567"));
        let store = Store::open(&app.database()).unwrap();
        let events = store.ticket(&number).unwrap().events;
        assert_eq!(events.last().unwrap().kind.as_str(), "callback_requested");
        assert_eq!(events.last().unwrap().note, "0171 1234567");
    }
    app.eventually("the open ticket is listed", || async {
        app.text("#till-tickets").await.contains(&number)
    })
    .await;
    app.screenshot("till-flat-pressed").await;
    let again = {
        app.click_and_wait_for_render("#emergency-button").await;
        app.text("#press-result").await
    };
    assert!(
        again.contains(&format!("Added to your open ticket {number}")),
        "{again}"
    );
    assert_eq!(
        emergency_tickets(&app).len(),
        1,
        "a second press is no duplicate"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_second_level_till_calls_the_shop_admin_first() {
    let app = App::launch_with(|store: &mut Store| {
        shop_with_till(Some("second_level"))(store);
        store.set_admin_pin(Some("4711")).unwrap();
    })
    .await;
    app.click_and_wait_for_render("#lang-de").await;
    assert_eq!(
        app.attrs("#till-routing", "data-routing").await,
        ["shop_admin"]
    );
    let routing = app.text("#till-routing").await;
    assert!(
        routing.contains("Rufen Sie zuerst Ihren Admin an:")
            && routing.contains("Frau Weber · +49 171 7654321"),
        "{routing}"
    );
    app.screenshot("till-second-level").await;
    let result = press(&app).await;
    assert!(result.contains("ist gespeichert"), "{result}");

    // The admin pages are one press away, and the till screen one press back.
    // The admin screens need the admin's PIN.
    app.click("#to-admin").await;
    app.type_into("#admin-pin", "0000").await;
    app.click("#admin-pin-submit").await;
    app.eventually("a wrong PIN is refused", || async {
        !app.text("#admin-pin-error").await.is_empty()
    })
    .await;
    assert!(app.attrs("body[data-mode='till']", "data-mode").await.len() == 1);
    app.type_into("#admin-pin", "4711").await;
    app.click_and_wait_for_render("#admin-pin-submit").await;
    app.find("body[data-mode='admin'] #nav-stations[aria-current='page']")
        .await;
    app.open("till").await;
    app.find("body[data-mode='till'] #emergency-button").await;
    app.quit().await;
}

/// A till PC starts stationdesk when its user logs in, once the admin ticks the box in Settings:
/// an XDG autostart entry that starts this very binary, gone again when the box is cleared.
#[tokio::test]
async fn the_admin_makes_the_till_start_at_login_and_takes_it_back() {
    let home = tempfile::tempdir().unwrap();
    let app = App::launch_with_env(
        stationdesk_e2e::till_covered_by(Some("flat"), None),
        &[("HOME", home.path().into())],
    )
    .await;
    let entry = home.path().join(".config/autostart/stationdesk.desktop");
    app.click_and_wait_for_render("#lang-en").await;
    app.click_and_wait_for_render("#to-admin").await;
    app.open("settings").await;
    assert!(!app.find("#autostart").await.is_selected().await.unwrap());
    app.click("#autostart").await;
    app.eventually("the autostart entry is written", || async {
        entry.exists()
    })
    .await;
    let desktop = std::fs::read_to_string(&entry).unwrap();
    assert!(desktop.contains("[Desktop Entry]"), "{desktop}");
    let exec = desktop
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .unwrap()
        .trim();
    assert!(
        exec.ends_with("/stationdesk") && std::path::Path::new(exec).exists(),
        "{exec}"
    );
    app.open("stations").await;
    app.open("settings").await;
    assert!(app.find("#autostart").await.is_selected().await.unwrap());
    app.click("#autostart").await;
    app.eventually("the autostart entry is gone", || async { !entry.exists() })
        .await;
    app.quit().await;
}

/// Support called back the number the cashier left: the till says so, with what came of it,
/// above its open tickets.
#[tokio::test]
async fn the_till_shows_what_came_of_a_callback() {
    let app = App::launch_with(|store: &mut Store| {
        shop_with_till(Some("flat"))(store);
        let pressed = store.press_emergency("Kasse 1", Utc::now()).unwrap();
        let ticket = pressed.ticket.id.to_string();
        store
            .request_callback(&ticket, "030 1234567", "Kasse 1")
            .unwrap();
        // As the desk's event arrives by sync; written here, it reads the same.
        store
            .called_back(&ticket, "Drucker neu verbunden, läuft wieder", "Ben Berger")
            .unwrap();
    })
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    let shown = app.text("#till-callbacks").await;
    assert!(
        shown.starts_with("Support called back about T-")
            && shown.contains("Drucker neu verbunden, läuft wieder"),
        "{shown}"
    );
    app.screenshot("till-callback-answered").await;
    app.quit().await;
}
