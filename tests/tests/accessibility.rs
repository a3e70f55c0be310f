//! Every main screen in the real WebKit window, checked with axe-core's WCAG 2.1 A and AA rules:
//! the till before and after a press, each of a signed-in shop admin's pages, the vendor
//! admin's own and the support desk's queue, report, settings and ticket. A serious or critical
//! violation fails the test; lesser ones are printed for the reviewer.

use stationdesk_core::store::Store;
use stationdesk_e2e::accessibility::Violation;
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

async fn check(app: &App, screen: &str, serious: &mut Vec<String>) {
    let found: Vec<Violation> = app.accessibility_violations().await;
    println!("{screen}: {} violations", found.len());
    for violation in &found {
        let line = format!(
            "{screen}: {} ({}): {} at {:?}",
            violation.id,
            violation.impact.as_deref().unwrap_or("?"),
            violation.help,
            violation.targets
        );
        println!("{line}");
        if violation.is_serious() {
            serious.push(line);
        }
    }
}

#[tokio::test]
async fn the_till_and_every_admin_page_pass_axe_without_a_serious_violation() {
    let (server, _waiting) = off_runtime(|| {
        let server = TestServer::start();
        let shop = server.shop("Bäckerei Korn");
        server.account("chefin@korn.de", "shop_admin", Some(&shop));
        server.account("vera@vendor.de", "vendor_admin", None);
        server.account("ben@vendor.de", "support_staff", None);
        // An emergency waiting at another till of the shop, for the desk's screens.
        let dir = tempfile::tempdir().unwrap();
        let mut till = Store::open(&dir.path().join("kasse.sqlite")).unwrap();
        stationdesk_core::sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 2")
            .unwrap();
        stationdesk_core::emergency::press(
            &mut till,
            &Default::default(),
            "Kasse 2",
            chrono::Utc::now(),
        )
        .unwrap();
        stationdesk_core::sync::sync(&mut till).unwrap();
        (server, dir)
    });
    let app = App::launch_with(|store| {
        stationdesk_e2e::till_covered_by(Some("flat"), None)(store);
        store
            .create_ticket(stationdesk_e2e::phoned_in_fault(
                "Kasse 1",
                "Frau Korn",
                "Waage zeigt 0,000 kg",
            ))
            .unwrap();
    })
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    let mut serious = Vec::new();
    check(&app, "till", &mut serious).await;
    app.click_and_wait_for_render("#emergency-button").await;
    app.find("#press-result").await;
    check(&app, "till after a press", &mut serious).await;

    app.click_and_wait_for_render("#to-admin").await;
    app.sign_in(&server.base, "chefin@korn.de").await;
    check(&app, "settings", &mut serious).await;
    for view in [
        "stations",
        "tickets",
        "contracts",
        "advisor",
        "invoices",
        "access",
    ] {
        app.open(view).await;
        check(&app, view, &mut serious).await;
    }
    app.open("stations").await;
    app.click("#stations-table .edit-facts").await;
    app.find("#facts-form").await;
    check(&app, "a till's facts", &mut serious).await;
    app.open("tickets").await;
    app.click("#ticket-list .ticket-title").await;
    app.find("#ticket-detail").await;
    check(&app, "a ticket", &mut serious).await;

    app.sign_out().await;
    app.sign_in(&server.base, "vera@vendor.de").await;
    for view in ["vendor", "access", "invoices", "desk", "report", "mail"] {
        app.open(view).await;
        check(&app, &format!("{view} (vendor admin)"), &mut serious).await;
    }

    // The support desk: its queue and a ticket with the shop beside it, and none of a shop's
    // own pages in its sidebar.
    app.sign_out().await;
    app.sign_in(&server.base, "ben@vendor.de").await;
    assert_eq!(
        app.attrs("#nav [data-view]:not([hidden]):not(#nav-till)", "data-view")
            .await,
        ["desk", "report", "mail", "tickets", "settings"]
    );
    for view in ["desk", "report", "mail", "settings"] {
        app.open(view).await;
        check(&app, &format!("{view} (support staff)"), &mut serious).await;
    }
    app.open("desk").await;
    app.click("#desk-queue .desk-open").await;
    app.find("#ticket-context").await;
    check(&app, "a ticket (support staff)", &mut serious).await;
    assert!(
        serious.is_empty(),
        "serious violations:\n{}",
        serious.join("\n")
    );
    drop(server);
    app.quit().await;
}
