//! The vendor's support desk in the real window: signed in as support staff, it sees a till's
//! emergency arrive in its ticket list without anyone reloading (the server's event stream, well
//! before the 30-second sync tick), with an alert in the window and a desktop notification.
//! `dbus-monitor` records the notification as it goes over the session bus.

use std::process::{Command, Stdio};
use std::time::Duration;

use stationdesk_core::store::Store;
use stationdesk_e2e::server::{TestServer, PASSWORD};
use stationdesk_e2e::{off_runtime, App};

#[tokio::test]
async fn an_emergency_at_a_till_reaches_the_support_desk_at_once_with_a_notification() {
    let server = off_runtime(|| {
        let server = TestServer::start();
        server.operator(
            &[
                "create-user",
                "--email",
                "ben@vendor.de",
                "--name",
                "Ben",
                "--role",
                "support_staff",
            ],
            &format!("{PASSWORD}\n"),
        );
        server
    });
    let monitor_log = tempfile::NamedTempFile::new().unwrap();
    let mut monitor = Command::new("dbus-monitor")
        .arg("interface='org.freedesktop.Notifications',member='Notify'")
        .stdout(Stdio::from(monitor_log.reopen().unwrap()))
        .spawn()
        .expect("dbus-monitor (package dbus-bin) records desktop notifications");

    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    app.click_and_wait_for_render("#nav-settings").await;
    app.type_into("#signin-server", &server.base).await;
    app.type_into("#signin-email", "ben@vendor.de").await;
    app.type_into("#signin-password", PASSWORD).await;
    app.click_and_wait_for_render("#signin-submit").await;
    assert_eq!(
        app.attrs("#sync-card", "data-role").await,
        ["support_staff"]
    );
    app.click_and_wait_for_render("#nav-tickets").await;
    assert!(app.texts("#ticket-list .ticket-title").await.is_empty());
    // Let the app's first sync and its event stream settle before the till presses.
    tokio::time::sleep(Duration::from_secs(4)).await;

    let (server, _till) = off_runtime(move || {
        let shop = server.shop("Bäckerei Korn");
        let dir = tempfile::tempdir().unwrap();
        let mut till = Store::open(&dir.path().join("kasse.sqlite")).unwrap();
        till.add_station("Kasse 1", "Eingang").unwrap();
        stationdesk_core::sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1")
            .unwrap();
        stationdesk_core::emergency::press(
            &mut till,
            &Default::default(),
            "Kasse 1",
            chrono::Utc::now(),
        )
        .unwrap();
        stationdesk_core::sync::sync(&mut till).unwrap();
        (server, dir)
    });

    // Within the test's patience (15 s), well before the 30-second tick.
    app.eventually(
        "the emergency appears in the desk's list by itself",
        || async {
            app.texts("#ticket-list .ticket-title")
                .await
                .iter()
                .any(|title| title.contains("Kasse 1"))
        },
    )
    .await;
    let alert = app.text("#toasts .toast-error").await;
    assert!(alert.starts_with("Emergency "), "{alert}");
    app.screenshot("support-desk-emergency").await;
    app.eventually("a desktop notification went out", || async {
        let log = std::fs::read_to_string(monitor_log.path()).unwrap();
        log.contains("string \"stationdesk\"") && log.contains("Emergency ")
    })
    .await;
    let _ = monitor.kill();
    let _ = monitor.wait();
    drop(server);
    app.quit().await;
}
