//! The e-mail channel in the real window, against real mail servers (Dovecot, aiosmtpd): the
//! vendor admin connects the support mailbox and the outgoing server on the Mail page, which
//! then shows the mailbox working and what it took in; a message from a sender nobody knows
//! arrives; the support agent finds it on the Mail page and attaches it to the shop, which
//! then has it as an e-mail ticket.

use stationdesk_e2e::mail::{MailServers, MAILBOX_PASSWORD, MAILBOX_USER};
use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

async fn displayed(app: &App, css: &str) -> bool {
    app.find(css).await.is_displayed().await.unwrap()
}

/// Pastes `text` into a text area, as an admin pastes a certificate (typed, WebDriver's keys
/// would drop its line breaks).
async fn paste(app: &App, css: &str, text: &str) {
    app.find(css).await;
    let script = format!(
        "document.querySelector({}).value = {}; return true;",
        serde_json::to_string(css).unwrap(),
        serde_json::to_string(text).unwrap()
    );
    assert!(app.evaluate::<bool>(&script).await);
}

#[tokio::test]
async fn the_vendor_admin_connects_the_mailbox_and_the_desk_attaches_an_unknown_senders_mail() {
    let (server, mail, shop) = off_runtime(|| {
        let mail = MailServers::start();
        let options = mail.serve_options();
        let server =
            TestServer::start_with(&options.iter().map(String::as_str).collect::<Vec<_>>());
        let shop = server.shop("Bäckerei Korn");
        server.account("vera@vendor.de", "vendor_admin", None);
        server.account("ben@vendor.de", "support_staff", None);
        server.account("chef@korn.de", "shop_admin", Some(&shop));
        (server, mail, shop)
    });
    let app = App::launch().await;
    app.click_and_wait_for_render("#lang-en").await;
    app.sign_in(&server.base, "vera@vendor.de").await;
    app.open("mail").await;
    assert!(app.text("#mail-mailboxes").await.contains("No mailbox"));
    for (field, value) in [
        ("host", "localhost".to_owned()),
        ("port", mail.imap_port.to_string()),
        ("user", MAILBOX_USER.to_owned()),
        ("password", MAILBOX_PASSWORD.to_owned()),
    ] {
        app.type_into(&format!("#mailbox-{field}"), &value).await;
    }
    paste(&app, "#mailbox-ca", &mail.ca_pem).await;
    app.click_and_wait_for_render("#mailbox-save").await;
    for (field, value) in [
        ("host", "localhost".to_owned()),
        ("port", mail.smtp_port.to_string()),
        ("from-address", "support@vendor.de".to_owned()),
        ("from-name", "Vendor Support".to_owned()),
    ] {
        app.type_into(&format!("#outgoing-{field}"), &value).await;
    }
    paste(&app, "#outgoing-ca", &mail.ca_pem).await;
    app.click_and_wait_for_render("#outgoing-save").await;
    mail.deliver(
        "From: Filiale Nord <kasse@filiale-nord.de>\nSubject: Waage zeigt falsches Gewicht\nMessage-ID: <n1@filiale-nord.de>\n\nSeit dem Update zeigt die Waage 20 g zu viel.\n",
    );
    app.eventually("the mailbox has taken the message in", || async {
        app.open("mail").await;
        let row = app.text("#mailbox-table tbody tr").await;
        row.contains("support · localhost")
            && row.contains("working")
            && app.text("#mailbox-table tbody tr td:nth-child(5)").await == "1"
    })
    .await;
    assert!(
        app.attrs("#mailbox-password", "placeholder").await[0].contains("kept"),
        "the password is kept, never shown"
    );
    app.screenshot("mail-vendor-admin").await;
    // For a provider that takes no password, the form asks for OAuth 2.0 instead.
    app.select("#mailbox-sign-in", "oauth2").await;
    assert!(displayed(&app, "#mailbox-token-url").await);
    assert!(!displayed(&app, "#mailbox-password").await);
    app.screenshot("mail-vendor-admin-oauth2").await;
    app.select("#mailbox-sign-in", "password").await;
    assert!(displayed(&app, "#mailbox-password").await);

    app.sign_out().await;
    app.sign_in(&server.base, "ben@vendor.de").await;
    app.open("mail").await;
    let id = app
        .attrs("#mail-unknown .unknown-mail", "data-mail")
        .await
        .remove(0);
    assert!(app
        .text("#mail-unknown .unknown-mail")
        .await
        .contains("Waage zeigt falsches Gewicht"));
    app.screenshot("mail-desk-unknown-sender").await;
    app.select(&format!("#attach-shop-{id}"), &shop).await;
    app.click(&format!("#attach-remember-{id}")).await;
    app.click_and_wait_for_render(&format!("[data-mail=\"{id}\"] button[type=submit]"))
        .await;
    app.eventually("the message is attached", || async {
        app.first_contains("#toasts .toast > span:first-child", "Attached: ticket T-")
            .await
            && app.text("#mail-unknown").await.contains("Nothing waits")
    })
    .await;
    // The shop's admin asks to hear of answers and invoices by mail, in Settings.
    app.sign_out().await;
    app.sign_in(&server.base, "chef@korn.de").await;
    app.open("settings").await;
    app.click("#notice-answers").await;
    app.click("#notice-invoices").await;
    app.click("#notices-submit").await;
    app.eventually("the choice is saved", || async {
        app.first_contains(
            "#toasts .toast:last-child > span:first-child",
            "Settings saved",
        )
        .await
    })
    .await;
    // Shown as chosen when the page is opened again.
    app.open("tickets").await;
    app.open("settings").await;
    let checked = |css: &'static str| {
        let app = &app;
        async move {
            app.evaluate::<bool>(&format!("return document.querySelector('{css}').checked;"))
                .await
        }
    };
    app.eventually("the choice shown again", || async {
        checked("#notice-answers").await
            && checked("#notice-invoices").await
            && !checked("#notice-quotes").await
    })
    .await;
    app.screenshot("settings-mail-notices").await;
    let ticket = off_runtime(move || {
        let (_, signed_in) = server.post(
            "/v1/login",
            None,
            &serde_json::json!({"email": "chef@korn.de", "password": stationdesk_e2e::server::PASSWORD}),
        );
        let token = signed_in["token"].as_str().unwrap().to_owned();
        let (_, notices) = server.get("/v1/me/mail-notices", Some(&token));
        assert_eq!(
            notices,
            serde_json::json!({"answers": true, "quotes": false, "invoices": true})
        );
        let pulled = server.pull(&token, 0);
        let filed = pulled["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["change"]["type"] == "ticket_filed")
            .map(|c| c["change"]["ticket"].clone());
        (server, filed)
    });
    let (server, filed) = ticket;
    let filed = filed.expect("the shop has the ticket");
    assert_eq!(filed["channel"], "email");
    assert_eq!(filed["title"], "Waage zeigt falsches Gewicht");
    drop(server);
    drop(mail);
    app.quit().await;
}
