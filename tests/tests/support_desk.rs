//! The vendor's support desk in the real window: signed in as support staff, it learns of the
//! emergencies already waiting in one summary, then sees a till's new emergency arrive in its
//! ticket list without anyone reloading (the server's event stream, well before the 30-second
//! sync tick) — even while a search narrows the list — with an alert in the window and a desktop
//! notification. `dbus-monitor` records the notification as it goes over the session bus.

use std::process::{Command, Stdio};
use std::time::Duration;

use stationdesk_core::store::Store;
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

/// A till of the shop enrolled on its own database; its cashier presses the emergency button
/// and the till syncs.
fn press_at(server: &TestServer, shop: &str, station: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut till = Store::open(&dir.path().join("kasse.sqlite")).unwrap();
    stationdesk_core::sync::enrol(&mut till, &server.base, &server.code(shop), station).unwrap();
    stationdesk_core::emergency::press(&mut till, &Default::default(), station, chrono::Utc::now())
        .unwrap();
    stationdesk_core::sync::sync(&mut till).unwrap();
    dir
}

/// The app in English, signed in as `email`.
async fn signed_in(server: &TestServer, email: &str) -> App {
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    app.sign_in(&server.base, email).await;
    app
}

#[tokio::test]
async fn the_desk_summarises_waiting_emergencies_and_a_new_one_shows_through_a_search() {
    let (server, shop, waiting) = off_runtime(|| {
        let server = TestServer::start();
        server.named_account("ben@vendor.de", "Ben", "support_staff", None);
        let shop = server.shop("Bäckerei Korn");
        let waiting = ["Kasse 1", "Kasse 2"].map(|station| press_at(&server, &shop, station));
        (server, shop, waiting)
    });
    let monitor_log = tempfile::NamedTempFile::new().unwrap();
    let mut monitor = Command::new("dbus-monitor")
        .arg("interface='org.freedesktop.Notifications',member='Notify'")
        .stdout(Stdio::from(monitor_log.reopen().unwrap()))
        .spawn()
        .expect("dbus-monitor (package dbus-bin) records desktop notifications");

    let app = signed_in(&server, "ben@vendor.de").await;
    assert_eq!(
        app.attrs("#sync-card", "data-role").await,
        ["support_staff"]
    );
    app.eventually("the waiting emergencies are summarised once", || async {
        app.texts("#toasts .toast-error > span:first-child").await == ["2 emergencies are waiting"]
    })
    .await;
    app.open("desk").await;
    app.eventually("both waiting emergencies are in the queue", || async {
        app.texts("#desk-queue .desk-title").await.len() == 2
    })
    .await;

    // A search that finds nothing narrows the queue. The syncs of the sign-in settle first, so
    // none of their redraws lands while the agent types.
    tokio::time::sleep(Duration::from_secs(4)).await;
    app.type_into("#desk-search", "Drucker").await;
    app.click_and_wait_for_render("#desk-apply").await;
    // A sync's redraw may land just before the search's own.
    app.eventually("the search narrows the queue to nothing", || async {
        app.texts("#desk-queue .desk-title").await.is_empty()
    })
    .await;
    // Let the app's event stream settle before the next till presses.
    tokio::time::sleep(Duration::from_secs(4)).await;

    let (server, _till) = off_runtime(move || {
        let till = press_at(&server, &shop, "Kasse 3");
        (server, till)
    });

    // Within the test's patience (15 s), well before the 30-second tick.
    app.eventually(
        "the new emergency appears in the desk's queue by itself, search or not",
        || async {
            app.texts("#desk-queue .desk-title")
                .await
                .iter()
                .any(|title| title.contains("Kasse 3"))
        },
    )
    .await;
    assert_eq!(
        app.attrs("#desk-search", "value").await,
        [""],
        "the search gave way"
    );
    assert_eq!(app.texts("#desk-queue .desk-title").await.len(), 3);
    assert!(
        app.all("#ticket-list").await.is_empty(),
        "the desk works from the server's queue, not a copy of every shop"
    );
    let alerts = app.texts("#toasts .toast-error > span:first-child").await;
    assert!(
        alerts.last().unwrap().starts_with("Emergency ")
            && alerts.last().unwrap().contains("Kasse 3"),
        "{alerts:?}"
    );
    app.screenshot("support-desk-emergency").await;
    app.eventually("a desktop notification went out for each", || async {
        let log = std::fs::read_to_string(monitor_log.path()).unwrap();
        log.contains("string \"stationdesk\"")
            && log.contains("2 emergencies are waiting")
            && log.contains("Emergency ")
    })
    .await;
    let _ = monitor.kill();
    let _ = monitor.wait();
    drop((server, waiting));
    app.quit().await;
}

/// The desk's queue, answered by the server: every shop's tickets with the shop's name, the till
/// and who may call under its contract; one click narrows the queue to a shop and back, an
/// emergency arriving elsewhere shows through the narrowing, another click opens the ticket.
#[tokio::test]
async fn the_queue_shows_every_shops_tickets_with_shop_till_and_who_may_call() {
    let (server, korn, tills) = off_runtime(|| {
        let server = TestServer::start();
        server.account("ben@vendor.de", "support_staff", None);
        let (korn, weber) = (server.shop("Bäckerei Korn"), server.shop("Blumen Weber"));
        let korn_till = press_at(&server, &korn, "Kasse 1");
        let station = Store::open(&korn_till.path().join("kasse.sqlite"))
            .unwrap()
            .enrolment()
            .unwrap()
            .and_then(|enrolled| enrolled.station_id)
            .unwrap();
        let today = chrono::Utc::now().date_naive().to_string();
        server.sell(&korn, "second_level", &[station], &today);
        let weber_till = press_at(&server, &weber, "Kasse Eingang");
        (server, korn, vec![korn_till, weber_till])
    });

    let app = signed_in(&server, "ben@vendor.de").await;
    app.open("desk").await;
    // Both are emergencies: the one waiting longest first.
    assert_eq!(
        app.texts("#desk-queue .desk-shop").await,
        ["Bäckerei Korn", "Blumen Weber"]
    );
    let rows = app.texts("#desk-queue tbody tr").await;
    assert!(
        rows[0].contains("Kasse 1")
            && rows[0].contains("Second Level Support")
            && rows[0].contains("named admins only"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("Kasse Eingang") && rows[1].contains("no contract"),
        "{rows:?}"
    );
    app.screenshot("desk-queue").await;

    app.click_and_wait_for_render("#desk-queue tbody tr:nth-child(2) .desk-shop button")
        .await;
    assert_eq!(app.texts("#desk-queue .desk-shop").await, ["Blumen Weber"]);
    assert!(app
        .text("#desk-shop-applied")
        .await
        .contains("Showing only Blumen Weber"));
    app.click_and_wait_for_render("#desk-all-shops").await;
    assert_eq!(app.texts("#desk-queue .desk-shop").await.len(), 2);

    // Narrowed to one shop, the queue still shows an emergency arriving at another, by itself.
    app.click_and_wait_for_render("#desk-queue tbody tr:nth-child(2) .desk-shop button")
        .await;
    let (server, tills) = off_runtime(move || {
        let mut tills = tills;
        tills.push(press_at(&server, &korn, "Kasse 2"));
        (server, tills)
    });
    app.eventually(
        "the new emergency shows in the queue, narrowed or not",
        || async {
            app.texts("#desk-queue tbody tr")
                .await
                .iter()
                .any(|row| row.contains("Kasse 2"))
        },
    )
    .await;
    assert!(
        app.all("#desk-shop-applied").await.is_empty(),
        "the narrowing gave way"
    );
    assert_eq!(app.texts("#desk-queue .desk-shop").await.len(), 3);

    app.click("#desk-queue tbody tr:first-child .desk-open")
        .await;
    app.eventually("the ticket opens beside the list", || async {
        app.first_contains("#ticket-detail h2", "Kasse 1").await
    })
    .await;
    drop((server, tills));
    app.quit().await;
}

/// A queue longer than a page: the first 50 tickets, then "Show more" adds the rest below them
/// and goes away on the last page.
#[tokio::test]
async fn show_more_reads_the_next_page_of_the_queue() {
    let (server, till) = off_runtime(|| {
        let server = TestServer::start();
        server.account("ben@vendor.de", "support_staff", None);
        let shop = server.shop("Bäckerei Korn");
        let dir = tempfile::tempdir().unwrap();
        let mut till = Store::open(&dir.path().join("kasse.sqlite")).unwrap();
        stationdesk_core::sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1")
            .unwrap();
        for n in 0..55 {
            till.create_ticket(stationdesk_e2e::phoned_in_fault(
                "Kasse 1",
                "Frau Korn",
                &format!("Bon {n} fehlt"),
            ))
            .unwrap();
        }
        stationdesk_core::sync::sync(&mut till).unwrap();
        (server, dir)
    });
    let app = signed_in(&server, "ben@vendor.de").await;
    app.open("desk").await;
    assert_eq!(app.texts("#desk-queue tbody tr").await.len(), 50);
    app.click("#desk-more").await;
    app.eventually("the next page is added below the first", || async {
        app.texts("#desk-queue tbody tr").await.len() == 55
    })
    .await;
    let titles = app.texts("#desk-queue .desk-title").await;
    assert_eq!(titles.first().map(String::as_str), Some("Bon 0 fehlt"));
    assert_eq!(titles.last().map(String::as_str), Some("Bon 54 fehlt"));
    assert!(
        app.all("#desk-more:not([hidden])").await.is_empty(),
        "no more pages"
    );
    app.screenshot("desk-queue-more").await;
    drop((server, till));
    app.quit().await;
}

/// A support agent's Monday morning: make the callback a till asked for (the till reads what
/// came of it); take a ticket from the queue, write an internal note and a reply, offer a quote
/// for work outside the contract; the queue then lists it as the agent's. The shop admin's own app shows the reply, the agent and the quote to decide, and
/// nowhere the note.
#[tokio::test]
async fn the_agent_takes_notes_replies_and_quotes_and_the_shop_admin_never_sees_the_note() {
    const NOTE: &str = "Kulanz intern: Anfahrt nicht berechnen";
    const REPLY: &str = "Bitte starten Sie die Kasse einmal neu.";
    let (server, weber, tills) = off_runtime(|| {
        let server = TestServer::start();
        server.named_account("ben@vendor.de", "Ben Berger", "support_staff", None);
        let (korn, weber) = (server.shop("Bäckerei Korn"), server.shop("Blumen Weber"));
        server.account("chef@korn.de", "shop_admin", Some(&korn));
        let tills = vec![
            press_at(&server, &korn, "Kasse 1"),
            press_at(&server, &weber, "Kasse Eingang"),
        ];
        // Blumen Weber's cashier left a number outside support hours.
        let mut weber_till = Store::open(&tills[1].path().join("kasse.sqlite")).unwrap();
        let pressed = weber_till
            .tickets(&stationdesk_core::store::TicketQuery::new(
                stationdesk_core::store::TicketView::Shop,
            ))
            .unwrap();
        weber_till
            .request_callback(&pressed[0].id.to_string(), "030 1234567", "Kasse Eingang")
            .unwrap();
        stationdesk_core::sync::sync(&mut weber_till).unwrap();
        (server, weber, tills)
    });

    let desk = signed_in(&server, "ben@vendor.de").await;
    desk.open("desk").await;
    assert_eq!(
        desk.texts("#desk-queue .desk-shop").await,
        ["Bäckerei Korn", "Blumen Weber"]
    );
    let callbacks = desk.texts("#desk-callbacks li").await;
    assert!(
        callbacks.len() == 1
            && callbacks[0].contains("030 1234567")
            && callbacks[0].contains("Blumen Weber"),
        "{callbacks:?}"
    );
    desk.screenshot("desk-callbacks").await;
    desk.type_into(
        "#desk-callbacks .callback-outcome",
        "Kartenleser neu verbunden",
    )
    .await;
    desk.click_and_wait_for_render("#desk-callbacks .callback-done")
        .await;
    desk.eventually("the callback made leaves the list", || async {
        desk.all("#desk-callbacks").await.is_empty()
    })
    .await;
    desk.click("#desk-queue tbody tr:first-child .desk-open")
        .await;
    desk.eventually("Bäckerei Korn's ticket opens, not yet taken", || async {
        desk.first_contains("#ticket-assignee", "Nobody has taken")
            .await
    })
    .await;

    desk.click_and_wait_for_render("#ticket-take").await;
    desk.eventually("the ticket is the agent's", || async {
        desk.first_contains("#ticket-assignee", "Assigned to Ben Berger")
            .await
    })
    .await;
    desk.type_into("#comment-body", NOTE).await;
    desk.click_and_wait_for_render("#note-submit").await;
    desk.type_into("#comment-body", REPLY).await;
    desk.click_and_wait_for_render("#comment-submit").await;
    desk.eventually(
        "the note and the reply are in the thread, the note marked",
        || async {
            let notes = desk.texts("#ticket-thread li.note").await;
            let all = desk.texts("#ticket-thread li").await;
            notes.len() == 1
                && notes[0].contains(NOTE)
                && notes[0].to_lowercase().contains("only the support desk")
                && all.len() == 2
                && all[1].contains(REPLY)
        },
    )
    .await;
    desk.click("#quote-offer summary").await;
    desk.type_into("#quote-amount", "180,50").await;
    desk.type_into(
        "#quote-description",
        "Artikelstamm für den Kunden einpflegen",
    )
    .await;
    desk.click_and_wait_for_render("#quote-send").await;
    desk.eventually("the quote waits for the shop", || async {
        desk.first_contains(".quote", "180.50").await
            && desk
                .first_contains(".quote", "Waiting for the shop's decision")
                .await
    })
    .await;
    let context = desk.text("#ticket-context").await;
    assert!(
        context.contains("About Bäckerei Korn")
            && context.contains("Kasse 1")
            && context.contains("last heard of")
            && !context.contains("Blumen Weber"),
        "{context}"
    );
    assert!(
        desk.text("#ticket-resolution")
            .await
            .contains("Resolution due by"),
        "the resolution clock runs beside the first response"
    );
    desk.screenshot("desk-ticket-taken-noted-quoted").await;

    desk.open("desk").await;
    desk.select("#desk-assignee", "me").await;
    desk.click_and_wait_for_render("#desk-apply").await;
    desk.eventually("'Mine' lists the ticket taken, with the agent", || async {
        desk.texts("#desk-queue .desk-shop").await == ["Bäckerei Korn"]
            && desk.texts("#desk-queue .desk-agent").await == ["Ben Berger"]
    })
    .await;
    assert!(
        desk.text("#desk-queue .desk-resolution")
            .await
            .contains("Fix:"),
        "each row shows its resolution clock"
    );
    desk.screenshot("desk-queue-mine").await;

    // The month so far, per shop: Bäckerei Korn's and Blumen Weber's tickets.
    desk.open("report").await;
    desk.eventually("the report lists both shops' month", || async {
        let shops = desk.texts("#report-table tbody td:first-child").await;
        shops.len() == 2 && shops.contains(&"Bäckerei Korn".to_owned())
    })
    .await;
    desk.screenshot("desk-report").await;
    desk.open("desk").await;

    // A call from Blumen Weber, logged at the desk for its till.
    desk.click_and_wait_for_render("#desk-log").await;
    desk.select("#log-shop", &weber).await;
    desk.eventually("the shop's tills are offered", || async {
        desk.texts("#log-station option").await == ["Kasse Eingang"]
    })
    .await;
    desk.type_into("#log-reporter", "Herr Weber").await;
    desk.type_into("#ticket-title", "Kartenterminal verbindet nicht")
        .await;
    desk.screenshot("desk-log-call").await;
    desk.click("#desk-log-send").await;
    desk.eventually("the logged ticket opens", || async {
        desk.first_contains("#ticket-detail h2", "Kartenterminal verbindet nicht")
            .await
    })
    .await;
    assert!(desk
        .text("#ticket-context")
        .await
        .contains("About Blumen Weber"));

    let shop = signed_in(&server, "chef@korn.de").await;
    shop.open("tickets").await;
    shop.eventually("the shop's ticket has synced", || async {
        !shop.all("#ticket-list li button").await.is_empty()
    })
    .await;
    shop.click_and_wait_for_render("#ticket-list li button")
        .await;
    shop.eventually(
        "the shop admin reads the reply, the agent and the quote",
        || async {
            shop.texts("#ticket-thread li")
                .await
                .iter()
                .any(|c| c.contains(REPLY))
                && shop.first_contains("#ticket-assignee", "Ben Berger").await
                && shop.first_contains(".quote", "Accept quote").await
        },
    )
    .await;
    let page = shop.text("main").await;
    assert!(
        !page.contains(NOTE) && !page.contains("Internal note"),
        "{page}"
    );
    assert!(shop.all("#ticket-thread li.note").await.is_empty());
    assert!(shop
        .all("#note-submit, #ticket-take, #quote-offer")
        .await
        .is_empty());
    shop.screenshot("shop-admin-sees-reply-and-quote").await;

    // The Weber till reads what came of its callback.
    let tills = off_runtime(move || {
        let mut weber_till = Store::open(&tills[1].path().join("kasse.sqlite")).unwrap();
        stationdesk_core::sync::sync(&mut weber_till).unwrap();
        let answered = weber_till.callbacks_answered("Kasse Eingang").unwrap();
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0].outcome, "Kartenleser neu verbunden");
        assert_eq!(answered[0].by, "Ben Berger");
        tills
    });
    drop((server, tills));
    shop.quit().await;
    desk.quit().await;
}
