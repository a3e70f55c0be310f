//! The shop admin files a ticket with the checklist's help, finds it by search, comments on it
//! and resolves it, in the real window.

use stationdesk_core::domain::tickets::TicketState;
use stationdesk_core::store::Store;
use stationdesk_e2e::App;

fn shop(store: &mut Store) {
    store.add_station("Kasse 1", "Eingang").unwrap();
    store
        .set_shop_contacts(&stationdesk_e2e::shop_contacts())
        .unwrap();
}

#[tokio::test]
async fn an_admin_files_searches_comments_and_resolves_a_ticket() {
    let app = App::launch_with(shop).await;
    app.click_and_wait_for_render("#lang-en").await;
    app.open("tickets").await;
    app.click_and_wait_for_render("#new-ticket").await;

    // An empty form: the checklist lists everything a good request carries.
    let missing = app.attrs("#ticket-checklist li", "data-missing").await;
    assert_eq!(
        missing,
        [
            "descriptive_title",
            "what_i_was_doing",
            "what_should_have_happened",
            "error_message",
            "reproducible",
            "elsewhere_too"
        ]
    );
    app.type_into("#ticket-title", "Bondrucker stoppt nach Kartenzahlung")
        .await;
    app.select(
        "#ticket-station",
        &app.attrs("#ticket-station option:nth-child(2)", "value")
            .await[0],
    )
    .await;
    app.type_into("#ticket-doing", "Kartenzahlung an Kasse 1 abschließen")
        .await;
    app.type_into("#ticket-expected", "Der Bon wird gedruckt")
        .await;
    app.eventually("the checklist shrinks while typing", || async {
        app.attrs("#ticket-checklist li", "data-missing").await
            == ["error_message", "reproducible", "elsewhere_too"]
    })
    .await;
    app.screenshot("ticket-form").await;
    app.type_into("#ticket-error", "Drucker offline (E-42)")
        .await;
    app.select("#ticket-reproducible", "sometimes").await;
    app.select("#ticket-elsewhere", "false").await;
    app.eventually("the checklist is satisfied", || async {
        app.texts("#ticket-checklist li").await == ["Everything support needs is there."]
    })
    .await;
    app.click("#ticket-submit").await;
    let detail = app.text("#ticket-detail").await;
    assert!(
        detail.contains("Bondrucker stoppt nach Kartenzahlung")
            && detail.contains("Drucker offline (E-42)"),
        "{detail}"
    );
    let number = detail
        .split_whitespace()
        .find(|w| w.starts_with("T-"))
        .unwrap()
        .to_owned();

    // The priority filter: not among the emergencies, there among the normal ones.
    app.select("#tickets-priority", "emergency").await;
    app.eventually("no emergencies listed", || async {
        app.texts("#ticket-list .ticket-title").await.is_empty()
    })
    .await;
    app.select("#tickets-priority", "normal").await;
    app.eventually("the normal ticket is listed", || async {
        app.texts("#ticket-list .ticket-title").await == ["Bondrucker stoppt nach Kartenzahlung"]
    })
    .await;

    // Found again by a word's beginning.
    app.type_into("#tickets-search", "bondr").await;
    app.click_and_wait_for_render("#tickets-search-run").await;
    assert_eq!(
        app.texts("#ticket-list .ticket-title").await,
        ["Bondrucker stoppt nach Kartenzahlung"]
    );

    let sla = app.text("#ticket-sla").await;
    assert!(sla.starts_with("First response due by"), "{sla}");
    app.click_and_wait_for_render("#escalate").await;
    assert!(
        app.attrs("#escalate", "id").await.is_empty(),
        "escalated once"
    );

    // A log file through the real file picker.
    let log = tempfile::Builder::new()
        .prefix("kasse")
        .suffix(".log")
        .tempfile()
        .unwrap();
    std::fs::write(log.path(), "09:01 TSE Fehler E-42\n").unwrap();
    app.find("#attach-file")
        .await
        .send_keys(log.path().to_str().unwrap())
        .await
        .unwrap();
    app.eventually("the attachment is listed", || async {
        app.text("#ticket-detail .attachments")
            .await
            .contains("text/plain")
    })
    .await;

    app.type_into("#comment-body", "Papierrolle gewechselt, Fehler bleibt")
        .await;
    app.click_and_wait_for_render("#comment-submit").await;
    assert!(app
        .text("#ticket-thread")
        .await
        .contains("Papierrolle gewechselt, Fehler bleibt"));
    let said = app.texts("#toasts .toast span:first-child").await;
    assert!(
        said.contains(&format!("Comment added to {number}.")),
        "{said:?}"
    );
    app.click_and_wait_for_render("#ticket-detail button[data-to='resolved']")
        .await;
    app.find("#ticket-detail[data-state='resolved']").await;
    let said = app.texts("#toasts .toast span:first-child").await;
    assert!(
        said.contains(&format!("{number} is now “resolved”.")),
        "{said:?}"
    );
    assert!(app
        .text("#ticket-detail")
        .await
        .contains("Reopen it to add to it."));
    app.screenshot("ticket-detail").await;

    let store = Store::open(&app.database()).unwrap();
    let saved = store.ticket(&number).unwrap();
    assert_eq!(saved.ticket.state, TicketState::Resolved);
    assert_eq!(saved.ticket.reporter, "Frau Weber");
    let kinds: Vec<&str> = saved.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "escalated",
            "attached",
            "commented",
            "state_changed"
        ]
    );
    assert_eq!(saved.attachments.len(), 1);
    app.quit().await;
}
