//! The support desk's queue (`GET /v1/desk/tickets`) against the real server process: who may
//! read it, what each row says, the order, the filters, and paging that neither skips nor
//! repeats a ticket while new ones are filed.

use std::collections::HashSet;

use crate::common::{change, cli, order, statuses, ticket, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use stationdesk_core::domain::tickets::{Channel, Priority, TicketState};
use stationdesk_core::store::{Assignee, EventKind, TicketEvent};
use stationdesk_core::wire::ChangeBody;
use uuid::Uuid;

/// Files a ticket at the till `token` (station `station`) as if at `at`; returns its id.
fn filed_at(
    server: &TestServer,
    token: &str,
    station: Uuid,
    title: &str,
    priority: Priority,
    at: chrono::DateTime<chrono::Utc>,
) -> Uuid {
    let id = Uuid::now_v7();
    let mut filed = ticket(id, Some(station));
    (
        filed.title,
        filed.priority,
        filed.created_at,
        filed.updated_at,
    ) = (title.into(), priority, at, at);
    let results = server.push(token, &[change(ChangeBody::TicketFiled { ticket: filed })]);
    assert_eq!(statuses(&results), ["applied"], "{results:?}");
    id
}

/// Files a ticket at the till `token` (station `station`) and returns its id.
fn file(server: &TestServer, token: &str, station: Uuid, priority: Priority, title: &str) -> Uuid {
    let id = Uuid::now_v7();
    let mut filed = ticket(id, Some(station));
    filed.priority = priority;
    filed.channel = if priority == Priority::Emergency {
        Channel::EmergencyButton
    } else {
        Channel::Form
    };
    filed.title = title.into();
    let results = server.push(token, &[change(ChangeBody::TicketFiled { ticket: filed })]);
    assert_eq!(statuses(&results), ["applied"], "{results:?}");
    id
}

fn queue(server: &TestServer, token: &str, query: &str) -> Value {
    let (status, page) = server.get(&format!("/v1/desk/tickets{query}"), Some(token));
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page
}

fn titles(page: &Value) -> Vec<&str> {
    page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect()
}

#[test]
fn the_desk_sees_every_shops_tickets_with_shop_station_and_plan_emergencies_first() {
    let server = TestServer::start();
    let (korn, weber) = (server.shop("Bäckerei Korn"), server.shop("Blumen Weber"));
    let (till_korn, kasse_korn) = server.till(&korn, "Kasse 1");
    let (till_weber, kasse_weber) = server.till(&weber, "Kasse Eingang");
    let admin_korn = server.staff("chef@korn.de", "shop_admin", Some(&korn));
    assert_eq!(
        statuses(&server.push(&admin_korn, &[order("flat", &[kasse_korn])])),
        ["applied"]
    );
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let vendor = server.staff("vera@vendor.de", "vendor_admin", None);

    file(
        &server,
        &till_korn,
        kasse_korn,
        Priority::Normal,
        "Preise falsch",
    );
    file(
        &server,
        &till_weber,
        kasse_weber,
        Priority::High,
        "Kartenterminal offline",
    );
    file(
        &server,
        &till_korn,
        kasse_korn,
        Priority::Emergency,
        "Kasse startet nicht",
    );

    for token in [&support, &vendor] {
        let page = queue(&server, token, "");
        assert_eq!(
            titles(&page),
            [
                "Kasse startet nicht",
                "Kartenterminal offline",
                "Preise falsch"
            ]
        );
        assert!(page["next"].is_null(), "one page holds all three");
    }
    let page = queue(&server, &support, "");
    let first = &page["tickets"][0];
    assert_eq!(first["shop_name"], "Bäckerei Korn");
    assert_eq!(first["shop_id"], korn.as_str());
    assert_eq!(first["station_name"], "Kasse 1");
    assert_eq!(first["plan"], "flat");
    assert_eq!(first["who_may_call"], "anyone_at_station");
    assert_eq!(first["priority"], "emergency");
    assert!(first["number"].as_str().is_some_and(|n| !n.is_empty()));
    let second = &page["tickets"][1];
    assert_eq!(second["shop_name"], "Blumen Weber");
    assert_eq!(second["station_name"], "Kasse Eingang");
    assert!(
        second["plan"].is_null(),
        "Blumen Weber's till has no contract"
    );

    // Filters: a shop, a priority, a search, closed states.
    assert_eq!(
        titles(&queue(&server, &support, &format!("?shop_id={weber}"))),
        ["Kartenterminal offline"]
    );
    assert_eq!(
        titles(&queue(&server, &support, "?priority=normal")),
        ["Preise falsch"]
    );
    assert_eq!(
        titles(&queue(&server, &support, "?q=KASSE")),
        ["Kasse startet nicht"]
    );
    assert_eq!(
        titles(&queue(
            &server,
            &support,
            &format!("?station_id={kasse_weber}&channel=form")
        )),
        ["Kartenterminal offline"]
    );
    assert!(titles(&queue(&server, &support, "?state=resolved,closed")).is_empty());

    // Nobody outside the vendor's desk reads it.
    for (who, token) in [
        ("a till", Some(&till_korn)),
        ("a shop admin", Some(&admin_korn)),
    ] {
        let (status, answer) = server.get("/v1/desk/tickets", token.map(String::as_str));
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains("queue"));
    }
    let (status, _) = server.get("/v1/desk/tickets", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn paging_neither_skips_nor_repeats_while_tickets_arrive() {
    let server = TestServer::start();
    let shop = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&shop, "Kasse 1");
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let mut waiting: Vec<Uuid> = (0..25)
        .map(|n| {
            let priority = [Priority::Normal, Priority::High, Priority::Emergency][n % 3];
            file(&server, &till, kasse, priority, &format!("Störung {n}"))
        })
        .collect();

    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = queue(&server, &support, &format!("?limit=4{cursor}"));
        pages += 1;
        let ids = page["tickets"].as_array().unwrap().iter().map(|t| {
            (
                t["id"].as_str().unwrap().parse::<Uuid>().unwrap(),
                t["priority"].as_str().unwrap().to_owned(),
            )
        });
        seen.extend(ids);
        // A ticket filed between two pages, of each priority in turn.
        let arriving = [Priority::Emergency, Priority::Normal][pages % 2];
        waiting.push(file(
            &server,
            &till,
            kasse,
            arriving,
            "während des Blätterns",
        ));
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
        assert!(pages < 50, "the pages never end");
    }
    let ids: Vec<Uuid> = seen.iter().map(|(id, _)| *id).collect();
    let unique: HashSet<&Uuid> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no ticket twice");
    for id in &waiting[..25] {
        assert!(
            unique.contains(id),
            "every ticket there before paging began is listed"
        );
    }
    let urgency = |p: &str| ["emergency", "high", "normal"].iter().position(|u| *u == p);
    assert!(
        seen.windows(2)
            .all(|pair| urgency(&pair[0].1) <= urgency(&pair[1].1)),
        "emergencies first across pages"
    );
}

#[test]
fn hostile_queue_requests_are_refused_or_taken_literally_and_everyone_syncs_on() {
    let server = TestServer::start();
    let (korn, weber) = (server.shop("Bäckerei Korn"), server.shop("Blumen Weber"));
    let (till_korn, kasse_korn) = server.till(&korn, "Kasse 1");
    let (till_weber, kasse_weber) = server.till(&weber, "Kasse 1");
    let admin_korn = server.staff("chef@korn.de", "shop_admin", Some(&korn));
    let support = server.staff("ben@vendor.de", "support_staff", None);
    file(
        &server,
        &till_korn,
        kasse_korn,
        Priority::High,
        "Waage zeigt falsch",
    );

    let long = "x".repeat(201);
    let huge_cursor = format!("?cursor={}", "1".repeat(10_000));
    for (query, says) in [
        ("?state=lost", "waiting_for_customer"),
        ("?state=OPEN", "waiting_for_customer"),
        ("?state=open,,new", "waiting_for_customer"),
        ("?priority=urgent", "emergency"),
        ("?priority=Emergency", "emergency"),
        ("?channel=fax", "email"),
        ("?limit=0", "200"),
        ("?limit=100000", "200"),
        ("?limit=-1", "limit"),
        ("?limit=1e3", "limit"),
        ("?shop_id=not-a-uuid", "shop_id"),
        ("?station_id=..%2F..%2Fetc", "station_id"),
        ("?cursor=2_nonsense_x", "first page"),
        ("?cursor=0_2026-12-02T09:15:00.000Z_%00", "first page"),
        (&huge_cursor as &str, "first page"),
        (&format!("?q={long}") as &str, "one line"),
        ("?q=Waage%0AKasse", "one line"),
        ("?assignee=ME", "use me, none"),
        ("?assignee=me,none", "use me, none"),
        ("?assignee=%27%20OR%201%3D1", "use me, none"),
        (
            &format!("?assignee={}", "a".repeat(10_000)) as &str,
            "use me, none",
        ),
    ] {
        let (status, answer) = server.get(&format!("/v1/desk/tickets{query}"), Some(&support));
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}: {answer}",
            &query[..query.len().min(40)]
        );
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains(says),
            "{}: {message}",
            &query[..query.len().min(40)]
        );
    }

    // Search text is text: wildcards and quotes match themselves, never everything.
    for literal in ["%25", "_", "%27%20OR%20%271%27%3D%271", "%22"] {
        assert!(
            titles(&queue(&server, &support, &format!("?q={literal}"))).is_empty(),
            "{literal}"
        );
    }
    // Another shop's till under one shop's filter finds nothing of either.
    assert!(titles(&queue(
        &server,
        &support,
        &format!("?shop_id={korn}&station_id={kasse_weber}")
    ))
    .is_empty());
    // A shop that does not exist is an empty queue, not an error.
    assert!(titles(&queue(
        &server,
        &support,
        &format!("?shop_id={}", Uuid::now_v7())
    ))
    .is_empty());

    // A ticket or shop named by no id, or by a path, is not found or refused; nothing else.
    for path in [
        "/v1/desk/tickets/not-a-uuid",
        "/v1/desk/shops/..%2F..%2Fetc%2Fpasswd",
        "/v1/desk/shops/%27%3B%20DROP%20TABLE%20shops",
    ] {
        let (status, answer) = server.get(path, Some(&support));
        assert!(
            matches!(status, StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND),
            "{path}: {status} {answer}"
        );
        assert!(answer["message"].as_str().is_some(), "{path}: {answer}");
    }

    // Everyone else goes on as before: tills push, the admin pulls, the desk lists.
    file(
        &server,
        &till_weber,
        kasse_weber,
        Priority::Emergency,
        "Kasse hängt",
    );
    let pulled = server.pull(&admin_korn, 0);
    assert!(pulled["changes"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(
        titles(&queue(&server, &support, "")),
        ["Kasse hängt", "Waage zeigt falsch"]
    );
}

/// Signs `email` in with the CLI on its own database and runs `desk queue ARGS --json` there.
fn cli_queue(server: &TestServer, email: &str, args: &[&str]) -> std::process::Output {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    let mut login = cli(&db, &["login", "--server", &server.base, "--email", email]);
    login
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(login.wait_with_output().unwrap().status.success());
    let queue = cli(&db, &[&["desk", "queue"], args].concat());
    queue.wait_with_output().unwrap()
}

#[test]
fn the_cli_prints_the_queue_as_json_for_the_desk_and_refuses_a_shop_admin() {
    let server = TestServer::start();
    let (korn, weber) = (server.shop("Bäckerei Korn"), server.shop("Blumen Weber"));
    let (till_korn, kasse_korn) = server.till(&korn, "Kasse 1");
    let (till_weber, kasse_weber) = server.till(&weber, "Kasse 1");
    file(
        &server,
        &till_korn,
        kasse_korn,
        Priority::High,
        "Waage zeigt falsch",
    );
    file(
        &server,
        &till_weber,
        kasse_weber,
        Priority::Emergency,
        "Kasse hängt",
    );
    server.account("ben@vendor.de", "support_staff", None);
    server.account("chef@korn.de", "shop_admin", Some(&korn));

    let everything = cli_queue(&server, "ben@vendor.de", &[]);
    assert!(everything.status.success(), "{everything:?}");
    let page: Value = serde_json::from_slice(&everything.stdout).unwrap();
    assert_eq!(titles(&page), ["Kasse hängt", "Waage zeigt falsch"]);
    assert_eq!(page["tickets"][0]["shop_name"], "Blumen Weber");
    assert!(page["next"].is_null());

    let one_shop = cli_queue(
        &server,
        "ben@vendor.de",
        &["--shop", &korn, "--state", "new,open"],
    );
    let page: Value = serde_json::from_slice(&one_shop.stdout).unwrap();
    assert_eq!(titles(&page), ["Waage zeigt falsch"]);

    let admin = cli_queue(&server, "chef@korn.de", &[]);
    assert!(!admin.status.success());
    let said = String::from_utf8_lossy(&admin.stderr);
    assert!(said.contains("queue"), "{said}");
}

/// A support staff account signed in: its id and its session token.
fn agent(server: &TestServer, email: &str) -> (String, String) {
    let id = server.account(email, "support_staff", None);
    let (status, login) = server.post(
        "/v1/login",
        None,
        &serde_json::json!({"email": email, "password": PASSWORD}),
    );
    assert_eq!(status, StatusCode::OK, "{login}");
    (id, login["token"].as_str().unwrap().to_owned())
}

/// `token` gives the ticket to the staff account `to` (none: back to the queue).
fn assign(server: &TestServer, token: &str, ticket_id: Uuid, to: Option<&str>) -> Value {
    let assignee = to.map(|id| Assignee {
        id: id.parse().unwrap(),
        name: "whoever the client says".into(),
    });
    let event = TicketEvent {
        id: Uuid::now_v7(),
        at: chrono::Utc::now(),
        actor: "someone".into(),
        kind: EventKind::Assigned,
        from_state: None,
        to_state: None,
        note: String::new(),
        assignee,
    };
    let results = server.push(
        token,
        &[change(ChangeBody::TicketEvent { ticket_id, event })],
    );
    results[0].clone()
}

#[test]
fn an_agent_takes_a_ticket_mine_and_unassigned_follow_and_only_the_desks_agents_own_tickets() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&korn, "Kasse 1");
    let admin = server.staff("chef@korn.de", "shop_admin", Some(&korn));
    let (ben_id, ben) = agent(&server, "ben@vendor.de");
    let (lea_id, lea) = agent(&server, "lea@vendor.de");
    let vera_id = server.account("vera@vendor.de", "vendor_admin", None);
    let printer = file(&server, &till, kasse, Priority::Emergency, "Bondrucker");
    file(&server, &till, kasse, Priority::High, "Waage");
    file(&server, &till, kasse, Priority::Normal, "Preise");

    assert_eq!(
        assign(&server, &ben, printer, Some(&ben_id))["status"],
        "applied"
    );
    let mine = queue(&server, &ben, "?assignee=me");
    assert_eq!(titles(&mine), ["Bondrucker"]);
    assert_eq!(mine["tickets"][0]["assignee_id"], ben_id.as_str());
    assert_eq!(
        mine["tickets"][0]["assignee_name"], "ben@vendor.de",
        "the server's name for the agent, not the client's"
    );
    assert_eq!(
        titles(&queue(&server, &ben, "?assignee=none")),
        ["Waage", "Preise"]
    );
    assert_eq!(
        titles(&queue(&server, &lea, "?assignee=me")),
        Vec::<&str>::new()
    );
    assert_eq!(
        titles(&queue(&server, &lea, &format!("?assignee={ben_id}"))),
        ["Bondrucker"]
    );

    // Ben hands it to Lea: it leaves his list for hers.
    assert_eq!(
        assign(&server, &ben, printer, Some(&lea_id))["status"],
        "applied"
    );
    assert_eq!(
        titles(&queue(&server, &ben, "?assignee=me")),
        Vec::<&str>::new()
    );
    assert_eq!(
        titles(&queue(&server, &lea, "?assignee=me")),
        ["Bondrucker"]
    );

    // Nobody else owns tickets, and nobody else hands them out.
    for (who, to) in [
        ("a vendor admin", vera_id.as_str()),
        ("a stranger", &Uuid::now_v7().to_string()),
    ] {
        let refused = assign(&server, &lea, printer, Some(to));
        assert_eq!(refused["status"], "rejected", "{who}: {refused}");
        assert!(
            refused["reason"]
                .as_str()
                .unwrap()
                .contains("not an active support staff account"),
            "{refused}"
        );
    }
    for token in [&admin, &till] {
        let refused = assign(&server, token, printer, Some(&ben_id));
        assert!(
            refused["reason"]
                .as_str()
                .unwrap()
                .contains("may not assign"),
            "{refused}"
        );
    }
    let (status, body) = server.get("/v1/desk/tickets?assignee=everyone", Some(&ben));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.to_string().contains("use me, none or a staff account"),
        "{body}"
    );

    // Given back, it waits with the others again; the shop reads each step in its history.
    assert_eq!(assign(&server, &lea, printer, None)["status"], "applied");
    assert_eq!(
        titles(&queue(&server, &ben, "?assignee=none")),
        ["Bondrucker", "Waage", "Preise"]
    );
    let history = server.pull(&admin, 0)["changes"].to_string();
    assert!(history.contains("\"assigned\"") && history.contains("lea@vendor.de"));
    assert!(!history.contains("whoever the client says"));
}

#[test]
fn the_callback_list_orders_numbers_left_at_tills_and_an_answered_one_reaches_the_till() {
    use stationdesk_core::sync;

    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till_dir, mut till) = crate::sync::till();
    sync::enrol(&mut till, &server.base, &server.code(&korn), "Kasse 1").unwrap();
    let first = till
        .create_ticket(stationdesk_e2e::phoned_in_fault(
            "Kasse 1",
            "Frau Korn",
            "Waage zeigt falsch",
        ))
        .unwrap();
    let second = till
        .create_ticket(stationdesk_e2e::phoned_in_fault(
            "Kasse 1",
            "Frau Korn",
            "Bon fehlt",
        ))
        .unwrap();
    till.request_callback(&first.id.to_string(), " +49 (30) 123-4567 ", "Kasse 1")
        .unwrap();
    till.request_callback(&second.id.to_string(), "0171 555 0101", "Kasse 1")
        .unwrap();
    sync::sync(&mut till).unwrap();
    let (_desk_dir, mut desk) =
        crate::sync::signed_in(&server, "ben@vendor.de", "support_staff", None);
    let admin = server.staff("chef@korn.de", "shop_admin", Some(&korn));

    let (status, callbacks) = server.get(
        "/v1/desk/callbacks",
        Some(&server.staff("lea@vendor.de", "support_staff", None)),
    );
    assert_eq!(status, StatusCode::OK, "{callbacks}");
    let listed: Vec<(&str, &str)> = callbacks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["title"].as_str().unwrap(),
                t["callback"]["phone"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Waage zeigt falsch", "+49 (30) 123-4567"),
            ("Bon fehlt", "0171 555 0101")
        ],
        "the longest waiting first, the number as the door cleaned it"
    );
    assert!(callbacks[0]["callback"]["due_from"].as_str().is_some());
    assert_eq!(callbacks[0]["shop_name"], "Bäckerei Korn");
    let (status, _) = server.get("/v1/desk/callbacks", Some(&admin));
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nobody but the desk answers a callback, and an answer says what came of it.
    let till_token = {
        let state = till.enrolment().unwrap().unwrap();
        stationdesk_core::secrets::token(
            &state.server_url,
            &stationdesk_core::secrets::Account::Device(state.station_id.unwrap()),
        )
        .unwrap()
        .unwrap()
        .expose()
        .to_owned()
    };
    let mut answered = TicketEvent {
        id: Uuid::now_v7(),
        at: chrono::Utc::now(),
        actor: "x".into(),
        kind: EventKind::CalledBack,
        from_state: None,
        to_state: None,
        note: "erledigt".into(),
        assignee: None,
    };
    let refused = server.push(
        &till_token,
        &[change(ChangeBody::TicketEvent {
            ticket_id: first.id,
            event: answered.clone(),
        })],
    );
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("may not answer callbacks"),
        "{refused:?}"
    );
    answered.note = "   ".into();
    let refused = server.push(
        &server.staff("max@vendor.de", "support_staff", None),
        &[change(ChangeBody::TicketEvent {
            ticket_id: first.id,
            event: answered,
        })],
    );
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("what came of the callback"),
        "{refused:?}"
    );
    let refused = server.push(
        &till_token,
        &[crate::common::event(
            first.id,
            EventKind::CallbackRequested,
            None,
        )],
    );
    assert!(
        refused[0]["reason"].as_str().unwrap().contains("phone"),
        "an empty number: {refused:?}"
    );

    sync::desk::open_ticket(&mut desk, first.id).unwrap();
    desk.called_back(
        &first.id.to_string(),
        "Waage neu kalibriert, läuft wieder",
        "Ben",
    )
    .unwrap();
    sync::sync(&mut desk).unwrap();
    let (_, callbacks) = server.get(
        "/v1/desk/callbacks",
        Some(&server.staff("mia@vendor.de", "support_staff", None)),
    );
    assert_eq!(
        titles(&serde_json::json!({ "tickets": callbacks })),
        ["Bon fehlt"]
    );

    sync::sync(&mut till).unwrap();
    let shown = till.callbacks_answered("Kasse 1").unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].number, first.number());
    assert_eq!(shown[0].outcome, "Waage neu kalibriert, läuft wieder");
    assert_eq!(shown[0].by, "ben@vendor.de");
    drop(till_dir);
    for store in [&till, &desk] {
        crate::sync::forget(store);
    }
}

#[test]
fn each_queued_ticket_carries_its_first_response_and_resolution_clocks_in_support_hours() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&korn, "Kasse 1");
    let support = server.staff("ben@vendor.de", "support_staff", None);
    // Filed on a Monday at 09:00 in Berlin, weeks ago.
    let monday = "2026-11-02T08:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap();
    let file_at =
        |title: &str, priority: Priority, at| filed_at(&server, &till, kasse, title, priority, at);
    file_at("nobody answered", Priority::Emergency, monday);
    let answered = file_at("answered in time", Priority::Emergency, monday);
    let waiting = file_at("waiting for the shop", Priority::High, monday);
    file_at("just filed", Priority::Normal, chrono::Utc::now());
    let at = |minutes: i64, to: TicketState| {
        let mut moved = crate::common::moved(answered, to);
        moved["event"]["at"] = serde_json::json!(monday + chrono::Duration::minutes(minutes));
        moved
    };
    assert_eq!(
        statuses(&server.push(&support, &[at(30, TicketState::Open)])),
        ["applied"]
    );
    let mut paused = crate::common::moved(waiting, TicketState::WaitingForCustomer);
    paused["event"]["at"] = serde_json::json!(monday + chrono::Duration::minutes(10));
    assert_eq!(statuses(&server.push(&support, &[paused])), ["applied"]);

    let page = queue(&server, &support, "");
    let clock = |title: &str| {
        page["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == title)
            .unwrap()["first_response"]
            .clone()
    };
    let late = clock("nobody answered");
    assert_eq!(
        late["due"], "2026-11-02T09:00:00Z",
        "one support hour after filing"
    );
    assert_eq!(late["overdue"], true);
    assert!(late["responded_at"].is_null());
    let in_time = clock("answered in time");
    assert_eq!(in_time["responded_at"], "2026-11-02T08:30:00Z");
    assert_eq!(in_time["overdue"], false);
    let stopped = clock("waiting for the shop");
    assert!(
        stopped["due"].is_null(),
        "the clock stands while the shop has the ball: {stopped}"
    );
    let fresh = clock("just filed");
    assert_eq!(fresh["overdue"], false);
    assert!(fresh["due"]
        .as_str()
        .is_some_and(|due| due > chrono::Utc::now().to_rfc3339().as_str()));

    // Resolution: four support hours for an emergency, an hour's wait for the shop not counted;
    // reopened, the ticket is not resolved any more and its clock is late.
    for (minutes, to) in [
        (60, TicketState::WaitingForCustomer),
        (120, TicketState::Open),
        (200, TicketState::Resolved),
    ] {
        assert_eq!(
            statuses(&server.push(&support, &[at(minutes, to)])),
            ["applied"]
        );
    }
    let resolution = |state: &str, title: &str| {
        queue(&server, &support, &format!("?state={state}"))["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == title)
            .unwrap()["resolution"]
            .clone()
    };
    let resolved = resolution("resolved", "answered in time");
    assert_eq!(resolved["due"], "2026-11-02T13:00:00Z", "{resolved}");
    assert_eq!(resolved["resolved_at"], "2026-11-02T11:20:00Z");
    assert_eq!(resolved["overdue"], false);
    let unresolved = resolution("new", "nobody answered");
    assert_eq!(unresolved["due"], "2026-11-02T12:00:00Z");
    assert_eq!(unresolved["overdue"], true);
    assert_eq!(
        statuses(&server.push(&support, &[at(300, TicketState::Open)])),
        ["applied"]
    );
    let reopened = resolution("open", "answered in time");
    assert!(reopened["resolved_at"].is_null(), "{reopened}");
    assert_eq!(reopened["due"], "2026-11-02T13:00:00Z");
    assert_eq!(reopened["overdue"], true);
}

#[test]
fn beside_a_ticket_the_desk_reads_its_shop_and_nobody_else_does() {
    let server = TestServer::start();
    let korn = server.operator(
        &["create-shop", "--name", "Bäckerei Korn", "--second-level"],
        "",
    )["shop_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (till, kasse_1) = server.till(&korn, "Kasse 1");
    server.till(&korn, "Kasse 2");
    server.operator(
        &[
            "create-user",
            "--email",
            "chef@korn.de",
            "--name",
            "Frau Korn",
            "--role",
            "shop_admin",
            "--shop",
            &korn,
            "--named-contact",
        ],
        &format!("{PASSWORD}\n"),
    );
    let admin = server.staff("vertretung@korn.de", "shop_admin", Some(&korn));
    let today = chrono::Utc::now().date_naive().to_string();
    server.sell(&korn, "second_level", &[kasse_1], &today);
    let printer = file(&server, &till, kasse_1, Priority::Emergency, "Bondrucker");
    file(&server, &till, kasse_1, Priority::Normal, "Preise");
    let support = server.staff("ben@vendor.de", "support_staff", None);

    let (status, context) = server.get(&format!("/v1/desk/tickets/{printer}"), Some(&support));
    assert_eq!(status, StatusCode::OK, "{context}");
    assert_eq!(context["ticket"]["title"], "Bondrucker");
    assert_eq!(context["ticket"]["who_may_call"], "named_admins");
    let shop = &context["shop"];
    assert_eq!(shop["name"], "Bäckerei Korn");
    assert_eq!(shop["second_level"], true);
    assert_eq!(
        shop["named_admins"],
        serde_json::json!([{"name": "Frau Korn", "email": "chef@korn.de", "phone": null}]),
        "only the named admin, not the deputy"
    );

    // The named admin gives her number; the desk calls her on it.
    let (_, login) = server.post(
        "/v1/login",
        None,
        &serde_json::json!({"email": "chef@korn.de", "password": PASSWORD}),
    );
    let chef = login["token"].as_str().unwrap().to_owned();
    for hostile in [
        "030 1234; rm -rf /",
        "call me",
        "+49 30 1234\n567",
        &"1".repeat(200),
    ] {
        let (status, said) = server.put_json(
            "/v1/me/phone",
            &chef,
            &serde_json::json!({"phone": hostile}),
        );
        assert_eq!(status, StatusCode::BAD_REQUEST, "{hostile}: {said}");
    }
    for wrong_shape in [
        serde_json::json!({"phone": 301234567}),
        serde_json::json!({"phone": ["030 1234567"]}),
        serde_json::json!("030 1234567"),
    ] {
        let (status, said) = server.put_json("/v1/me/phone", &chef, &wrong_shape);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong_shape}: {said}");
    }
    // Nothing of it stopped the till: it files and reads on.
    let after = file(&server, &till, kasse_1, Priority::Normal, "Waage");
    assert!(server.pull(&till, 0)["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["change"]["ticket"]["id"] == after.to_string()));
    let (status, _) = server.put_json(
        "/v1/me/phone",
        &till,
        &serde_json::json!({"phone": "030 1"}),
    );
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a till has no phone of its own"
    );
    let (status, kept) = server.put_json(
        "/v1/me/phone",
        &chef,
        &serde_json::json!({"phone": " +49 30 1234-567 "}),
    );
    assert_eq!(status, StatusCode::OK, "{kept}");
    let number = kept["phone"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with("+49") && number.ends_with("567"),
        "{number}"
    );
    let (_, again) = server.get(&format!("/v1/desk/tickets/{printer}"), Some(&support));
    assert_eq!(again["shop"]["named_admins"][0]["phone"], number.as_str());
    let stations: Vec<(&str, Option<&str>, bool)> = shop["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["plan"].as_str(),
                s["last_seen_at"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        stations,
        [
            ("Kasse 1", Some("second_level"), true),
            ("Kasse 2", None, true)
        ]
    );
    assert_eq!(shop["contracts"][0]["plan"], "second_level");
    assert!(shop["contracts"][0]["term_end"].is_string());
    assert_eq!(
        titles(&serde_json::json!({"tickets": shop["open_tickets"]})),
        ["Bondrucker", "Preise"]
    );

    let (status, by_shop) = server.get(&format!("/v1/desk/shops/{korn}"), Some(&support));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_shop, again["shop"]);
    for missing in [
        format!("/v1/desk/tickets/{}", Uuid::now_v7()),
        format!("/v1/desk/shops/{}", Uuid::now_v7()),
    ] {
        let (status, body) = server.get(&missing, Some(&support));
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
    }
    for token in [&admin, &till] {
        for path in [
            format!("/v1/desk/tickets/{printer}"),
            format!("/v1/desk/shops/{korn}"),
        ] {
            let (status, _) = server.get(&path, Some(token));
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
}

#[test]
fn an_agent_is_warned_once_of_clocks_running_out_on_their_own_and_untaken_tickets() {
    use stationdesk_core::store::Store;
    use stationdesk_core::sync::{self, desk::due_soon};
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&korn, "Kasse 1");
    let (ben_id, ben) = agent(&server, "ben@vendor.de");
    let (max_id, max) = agent(&server, "max@vendor.de");
    let weeks_ago = "2026-11-02T08:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap();
    let file_at =
        |title: &str, priority: Priority, at| filed_at(&server, &till, kasse, title, priority, at);
    let untaken = file_at("nobody took it", Priority::High, weeks_ago);
    let bens = file_at("Ben answered, never fixed", Priority::High, weeks_ago);
    let maxs = file_at("Max's", Priority::High, weeks_ago);
    file_at("just filed", Priority::Normal, chrono::Utc::now());
    assert_eq!(
        assign(&server, &ben, bens, Some(&ben_id))["status"],
        "applied"
    );
    let mut answered = crate::common::moved(bens, TicketState::Open);
    answered["event"]["at"] = serde_json::json!(weeks_ago + chrono::Duration::minutes(30));
    assert_eq!(statuses(&server.push(&ben, &[answered])), ["applied"]);
    assert_eq!(
        assign(&server, &max, maxs, Some(&max_id))["status"],
        "applied"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut desk = Store::open(&dir.path().join("desk.sqlite")).unwrap();
    sync::login(&mut desk, &server.base, "ben@vendor.de", PASSWORD, None).unwrap();
    let now = chrono::Utc::now();
    let warned: Vec<(Uuid, &str)> = due_soon(&mut desk, now, false)
        .unwrap()
        .iter()
        .map(|due| (due.id, due.clock))
        .collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned.contains(&(untaken, "first_response")), "{warned:?}");
    assert!(warned.contains(&(bens, "resolution")), "{warned:?}");
    assert!(
        due_soon(&mut desk, now, false).unwrap().is_empty(),
        "each clock is told once"
    );
    assert_eq!(due_soon(&mut desk, now, true).unwrap().len(), 2);

    // Answered now, the untaken ticket's first-response warning is done with; its resolution
    // clock, long run out too, is told next.
    let mut answered = crate::common::moved(untaken, TicketState::Open);
    answered["event"]["at"] = serde_json::json!(now);
    assert_eq!(statuses(&server.push(&ben, &[answered])), ["applied"]);
    let next = due_soon(&mut desk, now, false).unwrap();
    assert_eq!(
        next.iter().map(|d| (d.id, d.clock)).collect::<Vec<_>>(),
        [(untaken, "resolution")]
    );

    for minutes in [0, 541, -5] {
        let refused = desk.set_sla_warning(minutes).unwrap_err().to_string();
        assert!(refused.contains("between 1 and 540"), "{refused}");
    }
    desk.set_sla_warning(90).unwrap();
    assert_eq!(desk.sla_warning().unwrap().num_minutes(), 90);
    crate::sync::forget(&desk);
}

#[test]
fn the_monthly_report_counts_each_shops_month_in_its_time_zone_and_downloads_as_csv() {
    let server = TestServer::start();
    server.set_up_vendor();
    let korn = server.shop("Bäckerei Korn");
    let weber = server.shop("Blumen Weber");
    let (till_korn, kasse_korn) = server.till(&korn, "Kasse 1");
    let (till_weber, kasse_weber) = server.till(&weber, "Kasse 1");
    server.sell(&korn, "flat", &[kasse_korn], "2026-10-01");
    let (_, ben) = agent(&server, "ben@vendor.de");
    let file_at = |till: &str, kasse: Uuid, priority: Priority, at: &str| {
        filed_at(
            &server,
            till,
            kasse,
            "Bondrucker druckt nicht",
            priority,
            at.parse().unwrap(),
        )
    };
    let moved_at = |ticket: Uuid, to: TicketState, at: &str| {
        let mut moved = crate::common::moved(ticket, to);
        moved["event"]["at"] = serde_json::json!(at);
        assert_eq!(statuses(&server.push(&ben, &[moved])), ["applied"]);
    };
    // Monday 2 November, 09:00 in Berlin: an emergency answered in 30 minutes and resolved in
    // two hours; a high-priority ticket answered after five hours (one too many), never resolved.
    let emergency = file_at(
        &till_korn,
        kasse_korn,
        Priority::Emergency,
        "2026-11-02T08:00:00Z",
    );
    moved_at(emergency, TicketState::Open, "2026-11-02T08:30:00Z");
    moved_at(emergency, TicketState::Resolved, "2026-11-02T10:00:00Z");
    let high = file_at(
        &till_korn,
        kasse_korn,
        Priority::High,
        "2026-11-02T08:00:00Z",
    );
    moved_at(high, TicketState::Open, "2026-11-02T13:00:00Z");
    // Weber's month ends at midnight in Berlin: 23:30 on the 30th is November, 00:30 is not.
    file_at(
        &till_weber,
        kasse_weber,
        Priority::Normal,
        "2026-11-30T22:30:00Z",
    );
    file_at(
        &till_weber,
        kasse_weber,
        Priority::Normal,
        "2026-11-30T23:30:00Z",
    );
    file_at(
        &till_weber,
        kasse_weber,
        Priority::Normal,
        "2026-10-31T22:30:00Z",
    );

    let (status, report) = server.get("/v1/desk/report?month=2026-11", Some(&ben));
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["month"], "2026-11");
    let shops = report["shops"].as_array().unwrap();
    assert_eq!(shops.len(), 2, "{report}");
    let korn_month = &shops[0];
    assert_eq!(korn_month["shop_name"], "Bäckerei Korn");
    assert_eq!(korn_month["tickets_opened"], 2);
    assert_eq!(korn_month["emergencies"], 1);
    assert_eq!(korn_month["first_response_met_percent"], "50.0");
    assert_eq!(korn_month["resolution_met_percent"], "50.0");
    assert_eq!(korn_month["median_first_response_minutes"], 165);
    assert_eq!(korn_month["stations_under_contract"], 1);
    let weber_month = &shops[1];
    assert_eq!(weber_month["shop_name"], "Blumen Weber");
    assert_eq!(weber_month["tickets_opened"], 1, "{weber_month}");
    assert_eq!(weber_month["stations_under_contract"], 0);
    assert!(weber_month["median_first_response_minutes"].is_null());

    let csv = server
        .http
        .get(format!("{}/v1/desk/report.csv?month=2026-11", server.base))
        .bearer_auth(&ben)
        .send()
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "month,shop_id,shop,tickets_opened,emergencies,first_response_met_percent,resolution_met_percent,median_first_response_minutes,stations_under_contract");
    assert_eq!(
        lines[1],
        format!("2026-11,{korn},Bäckerei Korn,2,1,50.0,50.0,165,1")
    );
    assert!(
        lines[2].starts_with(&format!("2026-11,{weber},Blumen Weber,1,0,")),
        "{text}"
    );

    // The app saves the same CSV whole into a folder of the user's.
    let (_store_dir, mut lea) =
        crate::sync::signed_in(&server, "lea@vendor.de", "support_staff", None);
    let downloads = tempfile::tempdir().unwrap();
    let saved =
        stationdesk_core::sync::desk::save_report(&mut lea, "2026-11", downloads.path()).unwrap();
    assert_eq!(
        saved,
        downloads.path().join("stationdesk-report-2026-11.csv")
    );
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), text);
    assert!(
        stationdesk_core::sync::desk::save_report(&mut lea, "11/2026", downloads.path())
            .unwrap_err()
            .to_string()
            .contains("2026-11"),
        "refused before anything is asked or written"
    );
    assert_eq!(std::fs::read_dir(downloads.path()).unwrap().count(), 1);
    crate::sync::forget(&lea);

    let (_, october) = server.get("/v1/desk/report?month=2026-10", Some(&ben));
    assert_eq!(
        october["shops"][0]["shop_name"], "Blumen Weber",
        "{october}"
    );
    assert_eq!(october["shops"][0]["tickets_opened"], 1, "{october}");
    for wrong in ["2026-13", "November", "2026-11-01", "2026-11%27%3B"] {
        let (status, said) = server.get(&format!("/v1/desk/report?month={wrong}"), Some(&ben));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}: {said}");
        assert!(
            said["message"].as_str().unwrap().contains("2026-11"),
            "{said}"
        );
    }
    let admin = server.staff("chef@korn.de", "shop_admin", Some(&korn));
    for token in [&admin, &till_korn] {
        for path in ["/v1/desk/report", "/v1/desk/report.csv"] {
            let (status, _) = server.get(path, Some(token));
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
}

#[test]
fn the_queue_search_finds_words_in_titles_requests_replies_and_notes_inside_longer_words() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&korn, "Kasse 1");
    let (_, ben) = agent(&server, "ben@vendor.de");
    let printer = file(
        &server,
        &till,
        kasse,
        Priority::High,
        "Bondrucker druckt nicht",
    );
    let scale = file(
        &server,
        &till,
        kasse,
        Priority::Normal,
        "Waage zeigt falsch",
    );
    let drawer = file(&server, &till, kasse, Priority::Normal, "Lade klemmt");
    assert_eq!(
        statuses(&server.push(&till, &[crate::common::comment(scale)])),
        ["applied"]
    );
    assert_eq!(
        statuses(&server.push(&ben, &[crate::common::internal_note(drawer)])),
        ["applied"]
    );
    let found = |q: &str| {
        let page = queue(&server, &ben, &format!("?q={}", urlencoding(q)));
        let mut ids: Vec<Uuid> = page["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().parse().unwrap())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        found("ONDRUCK"),
        [printer],
        "inside a longer word, any case"
    );
    let mut both = vec![printer, scale];
    both.sort();
    assert_eq!(found("drucker"), both, "a title's and a reply's word");
    assert_eq!(found("blinkt rot"), [scale], "words of a reply");
    assert_eq!(found("stammkunde"), [drawer], "a word of an internal note");
    assert_eq!(found("drucker blinkt"), [scale], "every word must occur");
    assert_eq!(found("bondrucker blinkt"), Vec::<Uuid>::new());
    assert_eq!(found("La"), [drawer], "too short for the index: the titles");
    for literal in [
        "\"x*\"",
        "drucker OR waage",
        "NEAR(drucker waage)",
        "*",
        "-drucker",
    ] {
        assert!(
            found(literal).len() <= 1,
            "{literal:?} is text, not a query language"
        );
    }
}

#[test]
fn a_common_word_is_found_by_walking_the_queue_a_page_at_a_time() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till, kasse) = server.till(&korn, "Kasse 1");
    let (_, ben) = agent(&server, "ben@vendor.de");
    // More tickets with the word than the index hands over for one page.
    let batches: Vec<Vec<serde_json::Value>> = (0..2100)
        .map(|n| {
            let mut filed = ticket(Uuid::now_v7(), Some(kasse));
            filed.title = format!("Kassenlade {n} klemmt");
            change(ChangeBody::TicketFiled { ticket: filed })
        })
        .collect::<Vec<_>>()
        .chunks(500)
        .map(<[_]>::to_vec)
        .collect();
    for batch in &batches {
        assert!(statuses(&server.push(&till, batch))
            .iter()
            .all(|s| *s == "applied"));
    }
    file(
        &server,
        &till,
        kasse,
        Priority::Emergency,
        "Waage zeigt falsch",
    );
    for q in ["kassenlade", "KASSENLADE klemmt"] {
        let page = queue(&server, &ben, &format!("?q={}", urlencoding(q)));
        let listed = titles(&page);
        assert_eq!(listed.len(), 50, "{q}: a full page");
        assert!(listed.iter().all(|t| t.starts_with("Kassenlade")), "{q}");
        assert!(page["next"].is_string(), "{q}: more behind it");
    }
    let page = queue(&server, &ben, "?q=kassenlade%20waage");
    assert!(titles(&page).is_empty(), "every word must occur");
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
