//! The shop admin disconnects a till in the real window; the till's own window, open at the
//! same time, says within moments that it was disconnected and how to enrol again, and still
//! takes an emergency press.

use stationdesk_core::store::Store;
use stationdesk_e2e::server::{TestServer, PASSWORD};
use stationdesk_e2e::{off_runtime, App};

#[tokio::test]
async fn the_shop_admin_disconnects_a_till_and_the_till_says_so() {
    let (server, shop, code) = off_runtime(|| {
        let server = TestServer::start();
        let shop = server.shop("Bäckerei Korn");
        let code = server.code(&shop);
        server.operator(
            &[
                "create-user",
                "--email",
                "chefin@korn.de",
                "--name",
                "Frau Korn",
                "--role",
                "shop_admin",
                "--shop",
                &shop,
            ],
            &format!("{PASSWORD}\n"),
        );
        (server, shop, code)
    });
    let till = App::launch_with(stationdesk_e2e::till_covered_by(
        Some("flat"),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
    ))
    .await;
    let (database, base) = (till.database(), server.base.clone());
    let station = off_runtime(move || {
        let mut store = Store::open(&database).unwrap();
        stationdesk_core::sync::enrol(&mut store, &base, &code, "Kasse 1").unwrap();
        stationdesk_core::sync::sync(&mut store).unwrap();
        store.enrolment().unwrap().unwrap().station_id.unwrap()
    });
    till.click_and_wait_for_render("#lang-en").await;
    assert!(till.all("#access-banner:not([hidden])").await.is_empty());

    let admin = App::launch().await;
    admin.click_and_wait_for_render("#lang-en").await;
    admin.sign_in(&server.base, "chefin@korn.de").await;
    admin.find("#account-card").await;
    admin.open("access").await;
    let row = format!("#tills tr[data-station='{station}']");
    assert_eq!(admin.attrs(&row, "data-revoked").await, ["false"]);
    assert!(admin.text(&row).await.contains("Kasse 1"));
    admin.click(&format!("#revoke-till-{station}")).await;
    admin
        .click_and_wait_for_render(&format!("#revoke-till-{station}-confirm"))
        .await;
    assert_eq!(admin.attrs(&row, "data-revoked").await, ["true"]);
    assert!(admin
        .texts("#toasts .toast > span:first-child")
        .await
        .contains(&"Kasse 1 is disconnected.".to_owned()));
    admin.screenshot("access-till-disconnected").await;
    admin.quit().await;

    till.eventually("the till says it was disconnected", || async {
        till.texts("#access-banner:not([hidden]) #access-banner-text")
            .await
            .first()
            .is_some_and(|text| text.contains("disconnected") && text.contains("enrol"))
    })
    .await;
    till.screenshot("till-disconnected").await;
    // The cashier's button still works: the ticket is saved here.
    till.click_and_wait_for_render("#emergency-button").await;
    till.find("#press-result").await;
    let (till_db, shop_id) = (till.database(), shop.clone());
    let on_server = off_runtime(move || {
        let kept = Store::open(&till_db).unwrap().sync_status().unwrap();
        let support = server.staff("it@vendor.de", "support_staff", None);
        let titles = server.pull(&support, 0)["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["shop_id"] == shop_id.as_str() && c["change"]["type"] == "ticket_filed")
            .count();
        (kept, titles)
    });
    assert!(on_server.0.access_ended);
    assert!(on_server.0.pending > 0, "the press waits here");
    assert_eq!(
        on_server.1, 0,
        "nothing reached the server after the revocation"
    );
    till.quit().await;
}

/// The authenticator app's code for `secret` (base32) at `offset` seconds from now.
fn authenticator_code(secret: &str, offset: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let at = chrono::Utc::now().timestamp() + offset;
    totp.generate(u64::try_from(at).unwrap()).to_string()
}

#[tokio::test]
async fn support_staff_turn_on_two_factors_in_settings_with_the_qr_code_and_get_recovery_codes() {
    let server = off_runtime(|| {
        let server = TestServer::start();
        server.named_account("ben@vendor.de", "Ben Support", "support_staff", None);
        server
    });
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    app.sign_in(&server.base, "ben@vendor.de").await;
    assert_eq!(
        app.attrs("#two-factor-area", "data-two-factor").await,
        ["false"]
    );
    app.click("#two-factor-on").await;
    app.find("#two-factor-area .qr-code svg").await;
    let secret = app.text("#two-factor-secret").await;
    app.screenshot("two-factor-qr").await;
    app.type_into("#two-factor-code", &authenticator_code(&secret, 0))
        .await;
    app.click("#two-factor-confirm").await;
    app.eventually("the recovery codes are shown once", || async {
        app.texts("#recovery-codes li").await.len() == 10
    })
    .await;
    app.screenshot("two-factor-recovery-codes").await;
    app.click_and_wait_for_render("#recovery-saved").await;
    assert_eq!(
        app.attrs("#two-factor-area", "data-two-factor").await,
        ["true"]
    );

    drop(server);
    app.quit().await;
}
