//! The shop admin connects the app to a real central server with an enrolment code, in the real
//! window; what was saved offline before reaches the server, and the token sits in the keyring
//! (the test runs under a Secret Service: scripts/test.sh starts GNOME Keyring).

use stationdesk_core::store::Store;
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

#[tokio::test]
async fn the_admin_enrols_this_pc_and_what_was_saved_offline_reaches_the_server() {
    let (server, code) = off_runtime(|| {
        let server = TestServer::start();
        let shop = server.shop("Bäckerei Korn");
        let code = server.code(&shop);
        (server, code)
    });
    let app = App::launch_with(|store: &mut Store| {
        store.add_station("Kasse 1", "Eingang").unwrap();
        store
            .create_ticket(stationdesk_e2e::phoned_in_fault(
                "Kasse 1",
                "Frau Korn",
                "Waage zeigt 0,000 kg",
            ))
            .unwrap();
    })
    .await;
    let waiting = Store::open(&app.database())
        .unwrap()
        .sync_status()
        .unwrap()
        .pending;
    assert!(waiting >= 3, "the station, the ticket and its event wait");

    app.click_and_wait_for_render("#lang-en").await;
    app.open("settings").await;
    app.type_into("#enrol-server", &server.base).await;
    app.type_into("#enrol-code", &code).await;
    app.type_into("#enrol-name", "Kasse 1").await;
    app.click_and_wait_for_render("#enrol-submit").await;
    app.find("#sync-card").await;

    app.eventually("everything saved here reached the server", || async {
        Store::open(&app.database())
            .unwrap()
            .sync_status()
            .unwrap()
            .pending
            == 0
    })
    .await;
    app.open("stations").await;
    app.open("settings").await;
    assert_eq!(app.attrs("#sync-card", "data-pending").await, ["0"]);
    app.screenshot("settings-sync").await;

    let (server, on_server) = off_runtime(move || {
        let support = server.staff("support@vendor.de", "support_staff", None);
        let page = server.pull(&support, 0);
        let titles: Vec<String> = page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["change"]["type"] == "ticket_filed")
            .map(|c| c["change"]["ticket"]["title"].as_str().unwrap().to_owned())
            .collect();
        (server, (page["changes"].as_array().unwrap().len(), titles))
    });
    assert_eq!(on_server.0 as i64, waiting, "each change once");
    assert_eq!(on_server.1, ["Waage zeigt 0,000 kg"]);

    // Another till of the shop presses its button; the shop admin signs in here, and that
    // ticket arrives (as a till, this PC reads only its own).
    let (server, _other_till) = off_runtime(move || {
        let shop = server.pull(&server.staff("it@vendor.de", "support_staff", None), 0)["changes"]
            [0]["shop_id"]
            .as_str()
            .unwrap()
            .to_owned();
        server.staff("chefin@korn.de", "shop_admin", Some(&shop));
        let dir = tempfile::tempdir().unwrap();
        let mut other = Store::open(&dir.path().join("kasse2.sqlite")).unwrap();
        other.add_station("Kasse 2", "Theke").unwrap();
        stationdesk_core::sync::enrol(&mut other, &server.base, &server.code(&shop), "Kasse 2")
            .unwrap();
        stationdesk_core::emergency::press(
            &mut other,
            &Default::default(),
            "Kasse 2",
            chrono::Utc::now(),
        )
        .unwrap();
        stationdesk_core::sync::sync(&mut other).unwrap();
        // A change of a kind a newer server makes (an invoice), which this app cannot read.
        rusqlite::Connection::open(server.db())
            .unwrap()
            .execute(
                "INSERT INTO changes (change_id, shop_id, shop_seq, kind, subject_id, body, received_at)
                 VALUES (?1, ?2, (SELECT max(shop_seq) + 1 FROM changes WHERE shop_id = ?2),
                         'invoice_issued', ?3, ?4, '2026-12-01T10:00:00.000Z')",
                [
                    uuid::Uuid::now_v7().to_string(),
                    shop.clone(),
                    uuid::Uuid::now_v7().to_string(),
                    serde_json::json!({"change_id": uuid::Uuid::now_v7(), "created_at": chrono::Utc::now(),
                                       "type": "invoice_issued", "invoice": {"number": "2026-0001"}})
                    .to_string(),
                ],
            )
            .unwrap();
        (server, dir)
    });
    app.type_into("#signin-email", "chefin@korn.de").await;
    app.type_into("#signin-password", stationdesk_e2e::server::PASSWORD)
        .await;
    app.submit_sign_in("chefin@korn.de").await;
    assert_eq!(app.attrs("#sync-card", "data-role").await, ["shop_admin"]);
    app.eventually("Kasse 2's ticket reaches the admin", || async {
        Store::open(&app.database())
            .unwrap()
            .tickets(&stationdesk_core::store::TicketQuery::new(
                stationdesk_core::store::TicketView::Shop,
            ))
            .unwrap()
            .len()
            == 2
    })
    .await;
    app.open("settings").await;
    app.eventually(
        "Settings says what was set aside, and the rest arrived",
        || async {
            app.texts("#sync-set-aside")
                .await
                .first()
                .is_some_and(|text| {
                    text.contains("invoice_issued") && text.contains("everything else arrived")
                })
        },
    )
    .await;
    app.screenshot("settings-signed-in").await;
    app.open("tickets").await;
    app.eventually("the list shows both tills' tickets", || async {
        app.texts("#ticket-list .ticket-title").await.len() == 2
    })
    .await;

    app.sign_out().await;
    assert_eq!(app.attrs("#sync-card", "data-role").await, ["station"]);
    app.find("#signin-form").await;
    drop(server);
    app.quit().await;
}
