//! The desk's app keeps only the tickets an agent opens, not every shop's history: signed in,
//! it holds nothing and is alerted to waiting emergencies once; an opened ticket comes with its
//! history and its till's record, and stays up to date when the event stream wakes the desk;
//! a reply typed while the server is down waits in the outbox and arrives.

use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::emergency;
use stationdesk_core::store::Store;
use stationdesk_core::sync;
use uuid::Uuid;

use crate::common::{comment, filed, TestServer};
use crate::sync::{forget, signed_in, till};

#[test]
fn the_desk_keeps_only_what_it_opens_and_keeps_that_up_to_date() {
    let mut server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (_till_dir, mut till) = till();
    sync::enrol(&mut till, &server.base, &server.code(&korn), "Kasse 1").unwrap();
    let pressed = emergency::press(
        &mut till,
        &SupportCalendar::default(),
        "Kasse 1",
        chrono::Utc::now(),
    )
    .unwrap();
    let pressed_id = pressed.ticket.id.to_string();
    sync::sync(&mut till).unwrap();
    let linde = server.shop("Linde");
    let (linde_till, linde_station) = server.till(&linde, "Kasse A");
    let elsewhere = Uuid::now_v7();
    server.push(&linde_till, &[filed(elsewhere, Some(linde_station))]);

    let (desk_dir, mut desk) = signed_in(&server, "ben@vendor.de", "support_staff", None);
    let pulled = sync::sync(&mut desk).unwrap().pulled;
    assert_eq!(pulled.applied, 0, "no shop's history is copied: {pulled:?}");
    let mut announced: Vec<Uuid> = pulled.emergencies.iter().map(|e| e.id).collect();
    announced.sort();
    assert_eq!(
        announced,
        [pressed.ticket.id, elsewhere],
        "the waiting emergencies of both shops are announced"
    );
    assert!(desk.ticket(&pressed_id).is_err());
    assert!(desk.stations().unwrap().is_empty());
    assert!(
        sync::sync(&mut desk).unwrap().pulled.emergencies.is_empty(),
        "once"
    );

    let opened = sync::desk::open_ticket(&mut desk, pressed.ticket.id).unwrap();
    assert_eq!(opened.ticket.shop_name, "Bäckerei Korn");
    assert!(
        opened.history.len() >= 3,
        "filed, its event, the till's record"
    );
    assert_eq!(
        desk.ticket(&pressed_id).unwrap().ticket.title,
        pressed.ticket.title
    );
    assert_eq!(
        desk.stations()
            .unwrap()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Kasse 1"],
        "the till's record, to connect to it"
    );
    assert!(desk.ticket(&elsewhere.to_string()).is_err());

    // The event stream wakes the desk for a reply at the till; its sync brings the reply.
    let (heard, hearing) = mpsc::channel();
    let listening_at = desk_dir.path().join("staff.sqlite");
    std::thread::spawn(move || {
        let mut store = Store::open(&listening_at).unwrap();
        let _ = sync::listen(&mut store, || {
            let _ = heard.send(());
        });
    });
    till.comment(&pressed_id, "Kasse 1", "Bondrucker piept dreimal")
        .unwrap();
    sync::sync(&mut till).unwrap();
    hearing
        .recv_timeout(Duration::from_secs(10))
        .expect("the desk hears of it");
    let pulled = sync::sync(&mut desk).unwrap().pulled;
    assert!(pulled.applied >= 1, "{pulled:?}");
    assert_eq!(
        desk.ticket(&pressed_id).unwrap().comments[0].body,
        "Bondrucker piept dreimal"
    );

    // What happens on a ticket nobody opened here stays on the server.
    server.push(&linde_till, &[comment(elsewhere)]);
    assert_eq!(sync::sync(&mut desk).unwrap().pulled.applied, 0);
    assert!(desk.ticket(&elsewhere.to_string()).is_err());

    // A reply typed while the server is down waits here and reaches the till.
    server.stop();
    desk.desk_reply(&pressed_id, "Ben (Support)", "Wir schalten uns auf")
        .unwrap();
    assert!(sync::sync(&mut desk).is_err());
    assert_eq!(
        desk.ticket(&pressed_id).unwrap().comments.len(),
        2,
        "kept here"
    );
    server.restart();
    let pushed = sync::sync(&mut desk).unwrap().pushed;
    assert!(pushed.accepted >= 1 && pushed.rejected == 0, "{pushed:?}");
    assert_eq!(desk.sync_status().unwrap().pending, 0);
    sync::sync(&mut till).unwrap();
    let at_the_till = till.ticket(&pressed_id).unwrap();
    assert!(at_the_till
        .comments
        .iter()
        .any(|c| c.body == "Wir schalten uns auf"));
    assert_eq!(
        at_the_till.ticket.state,
        stationdesk_core::domain::tickets::TicketState::Open,
        "the desk's reply is the first response: the ticket is open"
    );
    forget(&till);
    forget(&desk);
}

#[test]
fn following_is_for_the_desk_and_bounded() {
    let server = TestServer::start();
    let shop = server.shop("Laden");
    let (till, station) = server.till(&shop, "Kasse 1");
    let ticket = Uuid::now_v7();
    server.push(&till, &[filed(ticket, Some(station))]);
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let followed = |tickets: Vec<serde_json::Value>| {
        server.post(
            "/v1/desk/followed",
            Some(&support),
            &json!({ "tickets": tickets }),
        )
    };

    let (status, answer) = followed(vec![json!({"id": ticket, "after": 0})]);
    assert_eq!(status, StatusCode::OK, "{answer}");
    let revisions: Vec<u64> = answer["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["revision"].as_u64().unwrap())
        .collect();
    assert!(!revisions.is_empty() && revisions.windows(2).all(|w| w[0] < w[1]));
    let cursor = answer["cursor"].as_u64().unwrap();
    assert!(revisions.iter().all(|r| *r <= cursor));
    let (_, again) = followed(vec![json!({"id": ticket, "after": cursor})]);
    assert_eq!(again["changes"], json!([]), "nothing new after the cursor");
    let (_, unknown) = followed(vec![json!({"id": Uuid::now_v7(), "after": 0})]);
    assert_eq!(unknown["changes"], json!([]));

    let many = (0..201)
        .map(|_| json!({"id": Uuid::now_v7(), "after": 0}))
        .collect();
    let (status, refused) = followed(many);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused["message"].as_str().unwrap().contains("at most 200"),
        "{refused}"
    );
    for body in [
        json!({"tickets": "all"}),
        json!({"tickets": [{"id": "T-1", "after": 0}]}),
        json!({"tickets": [{"id": ticket, "after": -1}]}),
        json!({}),
    ] {
        let (status, _) = server.post("/v1/desk/followed", Some(&support), &body);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let admin = server.staff("chef@laden.de", "shop_admin", Some(&shop));
    for token in [&admin, &till] {
        let (status, _) = server.post(
            "/v1/desk/followed",
            Some(token),
            &json!({"tickets": [{"id": ticket, "after": 0}]}),
        );
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // None of it stopped anyone: the till files on, and the desk follows it.
    let next = Uuid::now_v7();
    assert_eq!(
        crate::common::statuses(&server.push(&till, &[filed(next, Some(station))])),
        ["applied"]
    );
    let (status, answer) = followed(vec![json!({"id": next, "after": 0})]);
    assert_eq!(status, StatusCode::OK);
    assert!(!answer["changes"].as_array().unwrap().is_empty());
}
