//! Remote help in the real window: the cashier's consent shows a banner until they end it, and
//! "Connect" on a ticket starts the station's tool and records the session. RustDesk and
//! AnyDesk are played by executables that record what they were started with.

use stationdesk_core::remote::ids::RemoteAddress;
use stationdesk_core::remote::RemoteTool;
use stationdesk_core::store::{EndReason, SessionsOf, Store};
use stationdesk_e2e::{App, FakeTool};

fn till_with_remote(tool: RemoteTool, id: &'static str, till: bool) -> impl FnOnce(&mut Store) {
    move |store: &mut Store| {
        store.add_station("Kasse 1", "Eingang").unwrap();
        store
            .set_shop_contacts(&stationdesk_e2e::shop_contacts())
            .unwrap();
        let address = RemoteAddress::parse(tool, id).unwrap();
        store.set_station_remote("Kasse 1", Some(&address)).unwrap();
        if till {
            store.set_till_station(Some("Kasse 1")).unwrap();
        }
    }
}

#[tokio::test]
async fn the_cashier_allows_remote_help_and_the_banner_stays_until_they_end_it() {
    let rustdesk = FakeTool::new("rustdesk");
    let app = App::launch_with_env(
        till_with_remote(RemoteTool::RustDesk, "123456789", true),
        &[("PATH", rustdesk.path_var())],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    assert!(app.attrs("#remote-banner", "id").await.is_empty());

    app.click_and_wait_for_render("#allow-remote-help").await;
    let banner = app.text("#remote-banner").await;
    assert!(
        banner.contains("Remote help is on: a support technician may be connected to this till."),
        "{banner}"
    );
    assert_eq!(
        rustdesk.started_with().await,
        Vec::<String>::new(),
        "the till's RustDesk is opened so that support can connect"
    );
    let consent = Store::open(&app.database())
        .unwrap()
        .remote_help_in_force("Kasse 1")
        .unwrap()
        .expect("the consent is recorded");
    assert_eq!(consent.given_by, "cashier");
    app.screenshot("till-remote-help").await;

    app.click_and_wait_for_render("#end-remote-help").await;
    app.find("#allow-remote-help").await;
    assert!(app.attrs("#remote-banner", "id").await.is_empty());
    assert_eq!(
        Store::open(&app.database())
            .unwrap()
            .remote_help_in_force("Kasse 1")
            .unwrap(),
        None
    );
    app.eventually("the till's RustDesk is closed again", || async {
        !rustdesk.running()
    })
    .await;
    app.quit().await;
}

#[tokio::test]
async fn connect_on_a_ticket_starts_the_tool_and_records_the_session() {
    let anydesk = FakeTool::new("anydesk");
    let app = App::launch_with_env(
        |store: &mut Store| {
            till_with_remote(RemoteTool::AnyDesk, "123456789", false)(store);
            store
                .create_ticket(stationdesk_e2e::phoned_in_fault(
                    "Kasse 1",
                    "Frau Weber",
                    "Kartenterminal verbindet nicht",
                ))
                .unwrap();
        },
        &[("PATH", anydesk.path_var())],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    app.open("tickets").await;
    app.click_and_wait_for_render(".ticket-item").await;
    assert!(app
        .text("#ticket-detail")
        .await
        .contains("No remote sessions yet."));

    app.click_and_wait_for_render("#ticket-detail .connect-remote")
        .await;
    assert_eq!(anydesk.started_with().await, ["123456789"]);
    let listed = app.text("#remote-sessions").await;
    assert!(
        listed.contains("AnyDesk 123456789") && listed.contains("running"),
        "{listed}"
    );
    app.screenshot("ticket-remote-session").await;

    app.click_and_wait_for_render("#remote-sessions .end-session")
        .await;
    assert!(app
        .text("#remote-sessions")
        .await
        .contains("ended by support"));
    let store = Store::open(&app.database()).unwrap();
    let sessions = store
        .remote_sessions(SessionsOf::Station("Kasse 1"))
        .unwrap();
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert!(session.ticket_id.is_some());
    assert_eq!(session.end_reason, Some(EndReason::EndedBySupport));
    assert!(session.ended_at.unwrap() >= session.started_at);

    // The support person closes the tool: the session ends with it.
    app.click_and_wait_for_render("#ticket-detail .connect-remote")
        .await;
    app.eventually("closing the tool ends the second session", || async {
        anydesk.stop();
        let sessions = Store::open(&app.database())
            .unwrap()
            .remote_sessions(SessionsOf::Station("Kasse 1"))
            .unwrap();
        sessions.len() == 2 && sessions[0].end_reason == Some(EndReason::ToolExited)
    })
    .await;
    app.quit().await;
}

#[tokio::test]
async fn the_admin_records_a_stations_remote_id_and_a_bad_one_is_explained() {
    let app = App::launch_with(|store: &mut Store| {
        store.add_station("Kasse 2", "Lager").unwrap();
    })
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    app.click(".edit-remote").await;
    app.select(".remote-form .remote-tool", "teamviewer").await;
    app.type_into(".remote-form .remote-id", "12 34").await;
    app.click(".remote-form button[type='submit']").await;
    app.eventually("the bad id is explained", || async {
        app.text("body")
            .await
            .contains("\"12 34\" is not a valid TeamViewer id: 8 to 12 digits, without spaces")
    })
    .await;

    app.find(".remote-form .remote-id")
        .await
        .clear()
        .await
        .unwrap();
    app.type_into(".remote-form .remote-id", "1234567890").await;
    app.click_and_wait_for_render(".remote-form button[type='submit']")
        .await;
    assert_eq!(
        app.texts("#stations-table td.remote").await,
        ["TeamViewer 1234567890"]
    );
    assert_eq!(
        app.texts("#stations-table .connect-remote").await,
        ["Connect"]
    );
    app.screenshot("stations-remote").await;
    let station = Store::open(&app.database())
        .unwrap()
        .station("Kasse 2")
        .unwrap();
    assert_eq!(
        station.remote,
        Some(RemoteAddress::parse(RemoteTool::TeamViewer, "1234567890").unwrap())
    );
    app.quit().await;
}
