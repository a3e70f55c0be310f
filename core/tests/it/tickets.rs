use chrono::{Duration, Utc};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::domain::routing::{Routing, ShopContacts};
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::domain::tickets::{Category, Channel, Priority, RequestDetails, TicketState};
use stationdesk_core::emergency;
use stationdesk_core::store::{NewTicket, Store, StoreError, TicketQuery, TicketSort, TicketView};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("stationdesk.sqlite")).unwrap();
    for name in ["Kasse 1", "Kasse 2", "Kasse 3"] {
        store.add_station(name, "").unwrap();
    }
    (dir, store)
}

fn form_ticket(title: &str, reporter: &str) -> NewTicket {
    NewTicket {
        station: Some("Kasse 1".into()),
        reporter: reporter.into(),
        title: title.into(),
        category: Category::Fault,
        priority: Priority::Normal,
        channel: Channel::Form,
        request: RequestDetails {
            doing: "Tagesabschluss an der Kasse".into(),
            error_message: "TSE-Fehler E-42".into(),
            ..RequestDetails::default()
        },
        cc: vec!["Frau Weber".into(), " frau weber ".into(), "".into()],
    }
}

#[test]
fn every_change_is_an_event_and_an_outbox_row_in_the_same_transaction() {
    let (_dir, mut store) = store();
    // Adding the stations queued theirs; what follows counts only the tickets' changes.
    let before = store.pending_changes().unwrap();
    let ticket = store
        .create_ticket(form_ticket("Z-Bon wird nicht gedruckt", "Herr Yilmaz"))
        .unwrap();
    assert_eq!(ticket.state, TicketState::New);
    assert_eq!(
        ticket.cc,
        vec!["Frau Weber"],
        "cc is trimmed and de-duplicated"
    );
    assert_eq!(ticket.station_details.station_name, "Kasse 1");
    assert!(ticket
        .station_details
        .software_version
        .starts_with("stationdesk "));
    // The ticket and its "created" event.
    assert_eq!(store.pending_changes().unwrap(), before + 2);

    store
        .change_ticket_state(&ticket.id.to_string(), TicketState::Open, "Support Müller")
        .unwrap();
    store
        .comment(
            &ticket.number(),
            "Support Müller",
            "Bitte Kasse neu starten",
        )
        .unwrap();
    store
        .change_ticket_state(&ticket.number(), TicketState::Resolved, "Support Müller")
        .unwrap();
    // state change: 1 event; comment: the comment and its event; state change: 1 event.
    assert_eq!(store.pending_changes().unwrap(), before + 6);

    let detail = store.ticket(&ticket.number()).unwrap();
    let trail: Vec<(String, Option<TicketState>, Option<TicketState>)> = detail
        .events
        .iter()
        .map(|e| (e.kind.to_string(), e.from_state, e.to_state))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("created".into(), None, None),
            (
                "state_changed".into(),
                Some(TicketState::New),
                Some(TicketState::Open)
            ),
            ("commented".into(), None, None),
            (
                "state_changed".into(),
                Some(TicketState::Open),
                Some(TicketState::Resolved)
            ),
        ]
    );
    assert_eq!(detail.events[1].actor, "Support Müller");
    assert_eq!(detail.comments.len(), 1);
}

#[test]
fn refused_changes_write_nothing() {
    let (_dir, mut store) = store();
    let ticket = store
        .create_ticket(form_ticket("Drucker", "Herr Yilmaz"))
        .unwrap();
    store
        .change_ticket_state(&ticket.number(), TicketState::Closed, "admin")
        .unwrap();
    let before = store.pending_changes().unwrap();

    let err = store
        .change_ticket_state(&ticket.number(), TicketState::Resolved, "admin")
        .unwrap_err();
    assert!(err.to_string().contains("reopen it first"), "{err}");
    let err = store
        .comment(&ticket.number(), "admin", "noch etwas")
        .unwrap_err();
    assert!(err.to_string().contains("reopen it before adding"), "{err}");
    assert!(matches!(
        store.comment(&ticket.number(), "admin", "  "),
        Err(StoreError::EmptyComment)
    ));
    assert!(store.create_ticket(form_ticket("   ", "x")).is_err());
    assert_eq!(store.pending_changes().unwrap(), before);
    assert_eq!(store.ticket(&ticket.number()).unwrap().comments.len(), 0);

    // Reopened, it takes comments again.
    store
        .change_ticket_state(&ticket.number(), TicketState::Open, "admin")
        .unwrap();
    store
        .comment(&ticket.number(), "admin", "noch etwas")
        .unwrap();
    assert!(matches!(
        store.ticket("T-000000"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn views_filters_and_sorting() {
    let (_dir, mut store) = store();
    let mine = store
        .create_ticket(form_ticket("Kartenzahlung bricht ab", "Herr Yilmaz"))
        .unwrap();
    let mut other = form_ticket("Neue Steuersätze einspielen", "Frau Weber");
    other.category = Category::LegalChange;
    other.priority = Priority::High;
    other.cc = vec!["Herr Yilmaz".into()];
    other.station = Some("Kasse 2".into());
    let other = store.create_ticket(other).unwrap();
    let emergency = store.press_emergency("Kasse 3", Utc::now()).unwrap().ticket;

    fn numbers(store: &Store, query: TicketQuery) -> Vec<String> {
        store
            .tickets(&query)
            .unwrap()
            .iter()
            .map(|t| t.number())
            .collect()
    }
    assert_eq!(
        numbers(
            &store,
            TicketQuery::new(TicketView::Mine("herr yilmaz".into()))
        ),
        vec![mine.number()]
    );
    assert_eq!(
        numbers(
            &store,
            TicketQuery::new(TicketView::Cc("Herr Yilmaz".into()))
        ),
        vec![other.number()]
    );
    assert_eq!(
        numbers(
            &store,
            TicketQuery::new(TicketView::Station("Kasse 3".into()))
        ),
        vec![emergency.number()]
    );
    let mut urgent = TicketQuery::new(TicketView::Shop);
    urgent.sort = TicketSort::MostUrgent;
    assert_eq!(
        numbers(&store, urgent.clone()),
        vec![emergency.number(), other.number(), mine.number()]
    );
    urgent.priorities = vec![Priority::High, Priority::Normal];
    assert_eq!(
        numbers(&store, urgent.clone()),
        vec![other.number(), mine.number()]
    );
    store
        .change_ticket_state(&mine.number(), TicketState::WaitingForCustomer, "support")
        .unwrap();
    urgent.states = vec![TicketState::WaitingForCustomer];
    assert_eq!(numbers(&store, urgent.clone()), vec![mine.number()]);
    urgent.limit = 0;
    assert!(numbers(&store, urgent).is_empty());
}

#[test]
fn full_text_search_over_titles_descriptions_and_comments() {
    let (_dir, mut store) = store();
    let printer = store
        .create_ticket(form_ticket("Bondrucker druckt nicht", "Herr Yilmaz"))
        .unwrap();
    let card = store
        .create_ticket(form_ticket("Kartenterminal offline", "Herr Yilmaz"))
        .unwrap();
    store
        .comment(&card.number(), "support", "Router im Büro neu gestartet")
        .unwrap();
    let drawer = store
        .create_ticket(form_ticket("Kassenschublade klemmt", "Frau Korn"))
        .unwrap();

    let found = |text: &str| -> Vec<String> {
        store
            .search_tickets(text, 10)
            .unwrap()
            .iter()
            .map(|t| t.number())
            .collect()
    };
    assert_eq!(
        found("bondr"),
        vec![printer.number()],
        "words match as prefixes"
    );
    assert_eq!(
        found("Drucker"),
        vec![printer.number()],
        "a word finds the compound it is inside"
    );
    assert_eq!(found("terminal"), vec![card.number()]);
    assert_eq!(found("Terminal offline"), vec![card.number()]);
    assert_eq!(found("Schublade"), vec![drawer.number()]);
    assert_eq!(found("kasse").first(), Some(&drawer.number()));
    assert_eq!(found("büro"), vec![card.number()], "comments are searched");
    assert_eq!(
        found("buro"),
        vec![card.number()],
        "umlauts match without them"
    );
    assert_eq!(
        found("tagesabschluss").len(),
        3,
        "the request's text is searched"
    );
    assert_eq!(found("TSE E-42").len(), 3);
    assert!(
        found("E-4").is_empty(),
        "numbers match exactly, not as a prefix"
    );
    assert!(found("Waage").is_empty());
    // Input that would be FTS5 syntax is taken literally and never an error.
    for hostile in [
        "\"",
        "AND",
        "NEAR(",
        "drucker OR",
        "*",
        "a:b",
        "-",
        "()",
        "\u{0}",
    ] {
        assert!(store.search_tickets(hostile, 10).is_ok(), "{hostile:?}");
    }
    assert!(found("   ").is_empty());
}

#[test]
fn repeated_emergency_presses_join_the_open_ticket() {
    let (_dir, mut store) = store();
    // Presses earlier today, so that the state change made now comes after them.
    let now = Utc::now() - Duration::hours(6);
    let first = store.press_emergency("Kasse 1", now).unwrap();
    assert!(!first.joined_open_ticket);
    assert_eq!(first.ticket.priority, Priority::Emergency);
    assert_eq!(first.ticket.channel, Channel::EmergencyButton);
    let again = store
        .press_emergency("kasse 1", now + Duration::minutes(2))
        .unwrap();
    assert!(again.joined_open_ticket);
    assert_eq!(again.ticket.id, first.ticket.id);
    // The window counts from the last press.
    let third = store
        .press_emergency("Kasse 1", now + Duration::minutes(31))
        .unwrap();
    assert_eq!(third.ticket.id, first.ticket.id);
    // Another station has its own ticket.
    assert_ne!(
        store.press_emergency("Kasse 2", now).unwrap().ticket.id,
        first.ticket.id
    );
    // Once resolved, the next press is a new emergency.
    store
        .change_ticket_state(&first.number, TicketState::Resolved, "support")
        .unwrap();
    let after = store
        .press_emergency("Kasse 1", now + Duration::minutes(33))
        .unwrap();
    assert!(!after.joined_open_ticket);
    // Long after the last press, a new ticket too.
    let much_later = store
        .press_emergency("Kasse 1", now + Duration::hours(5))
        .unwrap();
    assert_ne!(much_later.ticket.id, after.ticket.id);

    let kinds: Vec<String> = store
        .ticket(&first.number)
        .unwrap()
        .events
        .iter()
        .map(|e| e.kind.to_string())
        .collect();
    assert_eq!(
        kinds,
        vec!["created", "pressed_again", "pressed_again", "state_changed"]
    );
    assert!(matches!(
        store.press_emergency("Kasse 9", now),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn the_emergency_button_routes_by_the_stations_contract() {
    let (_dir, mut store) = store();
    store
        .set_shop_contacts(&ShopContacts {
            hotline: "+49 30 1234567".into(),
            admin_name: "Frau Weber".into(),
            admin_phone: "+49 171 7654321".into(),
        })
        .unwrap();
    let catalog = Catalog::builtin();
    let today = store.today().unwrap();
    store
        .create_contract(
            catalog.snapshot("flat").unwrap(),
            today,
            &["Kasse 1".into()],
        )
        .unwrap();
    store
        .create_contract(
            catalog.snapshot("second_level").unwrap(),
            today,
            &["Kasse 2".into()],
        )
        .unwrap();
    let calendar = SupportCalendar::default();
    let press = |store: &mut Store, station: &str| {
        emergency::press(store, &calendar, station, Utc::now()).unwrap()
    };

    assert_eq!(
        press(&mut store, "Kasse 1").routing,
        Routing::Vendor {
            hotline: "+49 30 1234567".into()
        }
    );
    assert_eq!(
        press(&mut store, "Kasse 2").routing,
        Routing::ShopAdmin {
            admin_name: "Frau Weber".into(),
            admin_phone: "+49 171 7654321".into()
        }
    );
    let uncovered = press(&mut store, "Kasse 3");
    assert_eq!(uncovered.routing, Routing::NoContract);
    assert_eq!(
        uncovered.support,
        calendar.status_at(uncovered.ticket.created_at)
    );
    let json = serde_json::to_value(&uncovered).unwrap();
    assert_eq!(json["routing"], "no_contract");
    assert_eq!(json["number"], uncovered.number);
}

#[test]
fn escalation_callbacks_and_quotes_are_recorded() {
    use rust_decimal::Decimal;
    use stationdesk_core::domain::money::{Currency, Money};

    let (_dir, mut store) = store();
    let pressed = store.press_emergency("Kasse 1", Utc::now()).unwrap();
    store.escalate(&pressed.number, "Frau Weber").unwrap();
    let err = store
        .request_callback(&pressed.number, "ruf mich an", "Kasse 1")
        .unwrap_err();
    assert!(err.to_string().contains("not a phone number"), "{err}");
    store
        .request_callback(&pressed.number, "+49 171 1234567", "Kasse 1")
        .unwrap();

    let euros = |amount: i64| Money::new(Decimal::from(amount), Currency::eur());
    assert!(store
        .offer_quote(&pressed.number, euros(0), "Netzwerk einrichten", "Support")
        .is_err());
    assert!(store
        .offer_quote(&pressed.number, euros(180), "  ", "Support")
        .is_err());
    assert!(matches!(
        store.decide_quote(&pressed.number, true, "Frau Weber"),
        Err(StoreError::Domain(
            stationdesk_core::domain::DomainError::NoOpenQuote
        ))
    ));
    store
        .offer_quote(
            &pressed.number,
            euros(180),
            "Netzwerkdrucker einrichten",
            "Support",
        )
        .unwrap();
    let decided = store
        .decide_quote(&pressed.number, false, "Frau Weber")
        .unwrap();
    assert_eq!(decided.decision.as_deref(), Some("declined"));
    assert!(
        store
            .decide_quote(&pressed.number, true, "Frau Weber")
            .is_err(),
        "decided once"
    );

    let detail = store.ticket(&pressed.number).unwrap();
    assert_eq!(detail.ticket.category, Category::OutOfScope);
    assert_eq!(detail.quotes.len(), 1);
    assert_eq!(detail.quotes[0].price.to_string(), "180.00 EUR");
    let trail: Vec<(String, String)> = detail
        .events
        .iter()
        .map(|e| (e.kind.to_string(), e.note.clone()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("created".into(), "".into()),
            ("escalated".into(), "".into()),
            ("callback_requested".into(), "+49 171 1234567".into()),
            ("quote_offered".into(), "180.00 EUR".into()),
            ("quote_declined".into(), "".into()),
        ]
    );
    store
        .change_ticket_state(&pressed.number, TicketState::Closed, "Support")
        .unwrap();
    assert!(
        store.escalate(&pressed.number, "Frau Weber").is_err(),
        "a closed ticket is reopened first"
    );
}

#[test]
fn attachments_are_stored_once_by_content_and_checked() {
    let (dir, mut store) = store();
    let ticket = store
        .create_ticket(form_ticket("Bondrucker", "Herr Yilmaz"))
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR screenshot".to_vec();
    let first = store
        .attach(&ticket.number(), "C:\\Bilder\\bon.png", &png, "Herr Yilmaz")
        .unwrap();
    assert_eq!(first.file_name, "bon.png");
    assert_eq!(first.content_type, "image/png");
    assert_eq!(
        std::fs::read(store.attachment_path(&first.sha256)).unwrap(),
        png
    );
    // The same content under another name is stored once.
    let again = store
        .attach(&ticket.number(), "bon-kopie.png", &png, "Herr Yilmaz")
        .unwrap();
    assert_eq!(again.sha256, first.sha256);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("attachments"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1, "one file, no leftovers");
    store
        .attach(
            &ticket.number(),
            "kasse.log",
            b"09:01 TSE Fehler E-42\n",
            "Herr Yilmaz",
        )
        .unwrap();

    let before = store.pending_changes().unwrap();
    let err = store
        .attach(
            &ticket.number(),
            "tool.exe",
            b"MZ\x90\0\x03\0\0\0\x04\0",
            "x",
        )
        .unwrap_err();
    assert!(err.to_string().contains("not accepted"), "{err}");
    assert_eq!(
        store.pending_changes().unwrap(),
        before,
        "a refused file writes nothing"
    );

    let detail = store.ticket(&ticket.number()).unwrap();
    let names: Vec<&str> = detail
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, ["bon.png", "bon-kopie.png", "kasse.log"]);
    store
        .change_ticket_state(&ticket.number(), TicketState::Closed, "support")
        .unwrap();
    assert!(
        store
            .attach(&ticket.number(), "spaet.log", b"text", "x")
            .is_err(),
        "closed tickets take nothing"
    );
}
