//! A new user on one computer: scripts/run.sh starts a server of its own next to the app; the
//! app opens on the first-run screen, the user sets up the shop, and sync works from then on.

use stationdesk_core::store::Store;
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

#[tokio::test]
async fn the_first_run_screen_sets_up_the_shop_and_this_pc_syncs_with_the_local_server() {
    let server = off_runtime(|| TestServer::start_with(&["--first-run-setup"]));
    let app = App::launch_with_env(
        |store: &mut Store| {
            store.add_station("Kasse 1", "Theke").unwrap();
            store
                .create_ticket(stationdesk_e2e::phoned_in_fault(
                    "Kasse 1",
                    "Frau Korn",
                    "Kassenschublade klemmt",
                ))
                .unwrap();
        },
        &[("STATIONDESK_LOCAL_SERVER", server.base.clone().into())],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    assert_eq!(
        app.attrs("#main", "data-view").await,
        ["settings"],
        "opens on the first-run screen"
    );
    app.type_into("#setup-shop", "Bäckerei Korn").await;
    app.type_into("#setup-name", "Anna Korn").await;
    app.type_into("#setup-email", "anna@korn.de").await;
    app.type_into("#setup-password", "sauerteig-2026").await;
    app.screenshot("first-run").await;
    app.click("#setup-submit").await;
    app.wait_until_signed_in_as("anna@korn.de").await;
    assert_eq!(app.attrs("#sync-card", "data-role").await, ["shop_admin"]);
    app.eventually("what was saved before reached the local server", || async {
        Store::open(&app.database())
            .unwrap()
            .sync_status()
            .unwrap()
            .pending
            == 0
    })
    .await;
    app.eventually("the sync card says so by itself", || async {
        app.attrs("#sync-card", "data-pending").await == ["0"]
    })
    .await;
    app.screenshot("first-run-done").await;

    let titles = off_runtime(move || {
        let (status, again) = server.post(
            "/v1/setup",
            None,
            &serde_json::json!({"shop": {"name": "Fremd"}, "admin": {"email": "x@y.de", "name": "X",
                "role": "shop_admin", "password": "lang-genug-123"}}),
        );
        assert_eq!(status.as_u16(), 409, "set up once only: {again}");
        let support = server.staff("ben@vendor.de", "support_staff", None);
        let page = server.pull(&support, 0);
        page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["change"]["type"] == "ticket_filed")
            .map(|c| c["change"]["ticket"]["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    });
    assert_eq!(titles, ["Kassenschublade klemmt"]);
    app.quit().await;
}

/// A PC with nothing on it yet: the till it was set up as is in its station list and it is that
/// station's till, with the till screen one click away (and the screen it opens on next time).
#[tokio::test]
async fn a_fresh_pc_set_up_at_first_run_is_its_shops_first_till() {
    let server = off_runtime(|| TestServer::start_with(&["--first-run-setup"]));
    let app = App::launch_with_env(
        |_| {},
        &[("STATIONDESK_LOCAL_SERVER", server.base.clone().into())],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    app.type_into("#setup-shop", "Blumen Berger").await;
    app.type_into("#setup-name", "Bernd Berger").await;
    app.type_into("#setup-email", "bernd@berger.de").await;
    app.type_into("#setup-password", "tulpen-und-rosen").await;
    app.type_into("#setup-station", "Kasse Eingang").await;
    app.click("#setup-submit").await;
    app.wait_until_signed_in_as("bernd@berger.de").await;
    assert_eq!(app.attrs("#sync-card", "data-role").await, ["shop_admin"]);
    // Read in one go inside the page: the background sync may draw Settings anew meanwhile.
    app.eventually("Settings names this PC's till", || async {
        app.texts("#till-station option:checked").await == ["Kasse Eingang"]
    })
    .await;
    app.open("stations").await;
    assert!(
        app.text("#main").await.contains("Kasse Eingang"),
        "the till is in the station list"
    );
    app.open("till").await;
    assert_eq!(app.text("#main h1").await, "Kasse Eingang");
    app.screenshot("first-run-till").await;
    let store = Store::open(&app.database()).unwrap();
    let enrolled = store.enrolment().unwrap().unwrap().station_id.unwrap();
    assert_eq!(store.till_station().unwrap().unwrap().id, enrolled);
    app.quit().await;
    drop(server);
}
