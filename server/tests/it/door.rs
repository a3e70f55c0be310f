//! The door: hostile and broken changes, per role, each refused with a reason that says what is
//! wrong, nothing of them stored or sent to anyone, and every other client's sync going on as
//! before (a real emergency pressed afterwards reaches the shop admin and the desk, with exact
//! counts). Contract orders priced from the vendor's catalogue whatever the client thought; who
//! wrote something is who signed in; the server's tables are what replaying its history gives.

use chrono::Utc;
use serde_json::{json, Value};
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::tickets::TicketState;
use stationdesk_core::store::EventKind;
use stationdesk_server::storage::tables::SqlStorage;
use uuid::Uuid;

use crate::common::{
    attachment, comment, consent, event, filed, internal_note, moved, offered, order, session,
    spoiled, station, statuses, TestServer,
};

struct Shop {
    till: String,
    station: Uuid,
    other_till: String,
    other_station: Uuid,
    admin: String,
}

fn shop(server: &TestServer, name: &str, admin: &str) -> Shop {
    let id = server.shop(name);
    let (till, station) = server.till(&id, "Kasse 1");
    let (other_till, other_station) = server.till(&id, "Kasse 2");
    Shop {
        till,
        station,
        other_till,
        other_station,
        admin: server.staff(admin, "shop_admin", Some(&id)),
    }
}

/// Every change a caller reads, as the server has them.
fn pulled(server: &TestServer, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = 0;
    loop {
        let page = server.pull(token, cursor);
        all.extend(
            page["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["change"].clone()),
        );
        cursor = page["cursor"].as_u64().unwrap();
        if page["more"] == false {
            return all;
        }
    }
}

#[test]
fn hostile_changes_are_refused_with_their_reason_and_stop_nobody() {
    let server = TestServer::start();
    let a = shop(&server, "Laden A", "chef@a.de");
    let b = shop(&server, "Laden B", "chef@b.de");
    let support = server.staff("ben@vendor.de", "support_staff", None);

    let ticket = Uuid::now_v7();
    let closed = Uuid::now_v7();
    let setup = server.push(
        &a.till,
        &[
            filed(ticket, Some(a.station)),
            filed(closed, Some(a.station)),
            moved(closed, TicketState::Closed),
        ],
    );
    assert_eq!(statuses(&setup), ["applied"; 3]);
    let first_order = order("flat", &[a.station]);
    let contract_a = first_order["order"]["contract_id"].clone();
    assert_eq!(
        statuses(&server.push(&a.admin, &[first_order])),
        ["applied"]
    );

    let long = "x".repeat(20_001);
    let too_big = "y".repeat(70 * 1024);
    let far_past = "-0001-01-01T00:00:00Z";
    let far_future = "+10000-01-01T00:00:00Z";
    // who, their token, the change, what the reason says
    let table: Vec<(&str, &str, Value, &str)> = vec![
        (
            "till, a ticket that is no ticket",
            &a.till,
            json!({"change_id": Uuid::now_v7(), "created_at": Utc::now(), "type": "ticket_filed",
                   "ticket": {"not": "a ticket"}}),
            "missing field",
        ),
        (
            "till, a ticket without a title",
            &a.till,
            spoiled(
                filed(Uuid::now_v7(), None),
                &["ticket", "title"],
                json!("  "),
            ),
            "needs a title",
        ),
        (
            "till, no type at all",
            &a.till,
            json!({"change_id": Uuid::now_v7(), "created_at": Utc::now()}),
            "missing field `type`",
        ),
        (
            "till, a comment too long",
            &a.till,
            spoiled(comment(ticket), &["comment", "body"], json!(long)),
            "more than 20000 characters",
        ),
        (
            "till, a change too large",
            &a.till,
            spoiled(
                filed(Uuid::now_v7(), None),
                &["ticket", "request", "error_message"],
                json!(too_big),
            ),
            "at most 64 KiB",
        ),
        (
            "till, a comment from year -1",
            &a.till,
            spoiled(comment(ticket), &["comment", "created_at"], json!(far_past)),
            "between the years 2000 and 2099",
        ),
        (
            "till, a comment from year 10000",
            &a.till,
            spoiled(comment(ticket), &["created_at"], json!(far_future)),
            "",
        ),
        (
            "till, a change from 1970",
            &a.till,
            spoiled(
                comment(ticket),
                &["created_at"],
                json!("1970-01-01T00:00:00+14:00"),
            ),
            "between the years 2000 and 2099",
        ),
        (
            "other shop's admin, a comment",
            &b.admin,
            comment(ticket),
            "no such record",
        ),
        (
            "other shop's till, a comment",
            &b.till,
            comment(ticket),
            "no such record",
        ),
        (
            "another till, a comment",
            &a.other_till,
            comment(ticket),
            "another till of the shop",
        ),
        (
            "till, renaming another till's station",
            &a.till,
            station(a.other_station, "Kasse 1 (gehackt)"),
            "another till of the shop",
        ),
        (
            "till, a ticket at another shop's station",
            &a.till,
            filed(Uuid::now_v7(), Some(b.station)),
            "no station",
        ),
        (
            "till, a ticket filed as closed",
            &a.till,
            spoiled(
                filed(Uuid::now_v7(), None),
                &["ticket", "state"],
                json!("closed"),
            ),
            "filed as new",
        ),
        (
            "till, a ticket id taken",
            &a.till,
            filed(ticket, Some(a.station)),
            "exists already",
        ),
        (
            "till, a closed ticket resolved",
            &a.till,
            moved(closed, TicketState::Resolved),
            "cannot become resolved",
        ),
        (
            "till, a comment on a closed ticket",
            &a.till,
            comment(closed),
            "reopen it",
        ),
        (
            "till, a state change without a state",
            &a.till,
            event(ticket, EventKind::StateChanged, None),
            "to_state",
        ),
        (
            "till, an escalation that moves the state",
            &a.till,
            event(ticket, EventKind::Escalated, Some(TicketState::Closed)),
            "changes no state",
        ),
        (
            "till, a comment on a ticket that does not exist",
            &a.till,
            comment(Uuid::now_v7()),
            "no ticket",
        ),
        (
            "till, a program as an attachment",
            &a.till,
            spoiled(
                attachment(ticket),
                &["attachment", "content_type"],
                json!("application/x-msdownload"),
            ),
            "not taken",
        ),
        (
            "admin, a contract with a price",
            &a.admin,
            spoiled(
                order("flat", &[a.other_station]),
                &["order", "price"],
                json!("0.01"),
            ),
            "unknown field `price`",
        ),
        (
            "admin, a plan that does not exist",
            &a.admin,
            order("platinum", &[a.other_station]),
            "no plan \"platinum\"",
        ),
        (
            "admin, one station listed twice",
            &a.admin,
            order("second_level", &[a.other_station, a.other_station]),
            "twice",
        ),
        (
            "admin, a taken station",
            &a.admin,
            order("flat", &[a.station]),
            "already covered",
        ),
        (
            "admin, another shop's station",
            &a.admin,
            order("flat", &[b.station]),
            "no station",
        ),
        (
            "admin, a contract confirmed by itself",
            &a.admin,
            json!({"change_id": Uuid::now_v7(), "created_at": Utc::now(), "type": "contract_confirmed",
                   "contract": {"id": Uuid::now_v7()}}),
            "",
        ),
        (
            "support, a session for another shop's unknown ticket",
            &support,
            session(Some(Uuid::now_v7()), None),
            "no ticket",
        ),
        (
            "support, a ticket for no station",
            &support,
            filed(Uuid::now_v7(), None),
            "name its station_id",
        ),
        (
            "support, a quote below zero",
            &support,
            spoiled(
                offered(ticket, Uuid::now_v7()),
                &["quote", "price", "amount"],
                json!("-180"),
            ),
            "above zero",
        ),
        (
            "support, a quote offered as accepted",
            &support,
            spoiled(
                offered(ticket, Uuid::now_v7()),
                &["quote", "decision"],
                json!("accepted"),
            ),
            "undecided",
        ),
        (
            "admin, a quote offered by the shop",
            &a.admin,
            event(ticket, EventKind::QuoteOffered, None),
            "may not offer quotes",
        ),
        (
            "other shop's admin, notice on a contract",
            &b.admin,
            json!({"change_id": Uuid::now_v7(), "created_at": Utc::now(),
                   "type": "contract_notice_given", "contract_id": contract_a}),
            "no such record",
        ),
        (
            "till, consent at another shop's station",
            &a.till,
            consent(b.station),
            "no station",
        ),
        (
            "till, an attachment named by no SHA-256",
            &a.till,
            spoiled(attachment(ticket), &["attachment", "sha256"], json!("ABC")),
            "SHA-256",
        ),
        (
            "till, a ticket with 21 people in copy",
            &a.till,
            spoiled(
                filed(Uuid::now_v7(), None),
                &["ticket", "cc"],
                json!(vec!["x@y.de"; 21]),
            ),
            "in copy",
        ),
        (
            "admin, an internal note",
            &a.admin,
            internal_note(ticket),
            "may not write internal notes",
        ),
        (
            "support, an internal note too long",
            &support,
            spoiled(internal_note(ticket), &["note", "body"], json!(long)),
            "more than 20000 characters",
        ),
        (
            "support, an empty internal note",
            &support,
            spoiled(internal_note(ticket), &["note", "body"], json!(" \n ")),
            "needs some text",
        ),
        (
            "support, an internal note on no ticket",
            &support,
            internal_note(Uuid::now_v7()),
            "no ticket",
        ),
        (
            "till, taking its own ticket",
            &a.till,
            spoiled(
                event(ticket, EventKind::Assigned, None),
                &["event", "assignee"],
                json!({"id": Uuid::now_v7(), "name": "Kasse 1"}),
            ),
            "may not assign",
        ),
        (
            "support, assigning to no staff account",
            &support,
            spoiled(
                event(ticket, EventKind::Assigned, None),
                &["event", "assignee"],
                json!({"id": Uuid::now_v7(), "name": "Ben"}),
            ),
            "not an active support staff account",
        ),
        (
            "support, an assignee of the wrong shape",
            &support,
            spoiled(
                event(ticket, EventKind::Assigned, None),
                &["event", "assignee"],
                json!("ben@vendor.de"),
            ),
            "not a change this server knows",
        ),
        (
            "till, an assignee smuggled onto an escalation",
            &a.till,
            spoiled(
                event(ticket, EventKind::Escalated, None),
                &["event", "assignee"],
                json!({"id": Uuid::now_v7(), "name": "Ben"}),
            ),
            "only an assigned event",
        ),
        (
            "support, assigning a closed ticket",
            &support,
            event(closed, EventKind::Assigned, None),
            "reopen it",
        ),
        (
            "till, a callback number that is no number",
            &a.till,
            spoiled(
                event(ticket, EventKind::CallbackRequested, None),
                &["event", "note"],
                json!("+49 30 1234567; rm -rf /"),
            ),
            "phone",
        ),
        (
            "till, answering its own callback",
            &a.till,
            spoiled(
                event(ticket, EventKind::CalledBack, None),
                &["event", "note"],
                json!("erledigt"),
            ),
            "may not answer callbacks",
        ),
        (
            "support, a callback outcome too long",
            &support,
            spoiled(
                event(ticket, EventKind::CalledBack, None),
                &["event", "note"],
                json!("z".repeat(501)),
            ),
            "what came of the callback",
        ),
        (
            "till, its station with a remote id the tool would not take",
            &a.till,
            spoiled(
                station(a.station, "Kasse 1"),
                &["station", "remote"],
                json!({"tool": "teamviewer", "id": "--help; rm"}),
            ),
            "not a change this server knows",
        ),
    ];
    let mut wrong = Vec::new();
    for (who, token, change, reason) in &table {
        let answer = server.push(token, std::slice::from_ref(change));
        let said = answer[0]["reason"].as_str().unwrap_or_default();
        if answer[0]["status"] != "rejected" || !said.contains(reason) || said.len() < 10 {
            wrong.push(format!("{who}: {}", answer[0]));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The same mistakes in one batch with a good change: only the good one is kept.
    let mut batch: Vec<Value> = table
        .iter()
        .filter(|(_, token, ..)| *token == a.till.as_str())
        .map(|(_, _, change, _)| spoiled(change.clone(), &["change_id"], json!(Uuid::now_v7())))
        .collect();
    let good = comment(ticket);
    batch.insert(3, good.clone());
    let answers = server.push(&a.till, &batch);
    assert_eq!(
        statuses(&answers)
            .iter()
            .filter(|s| **s == "applied")
            .count(),
        1
    );
    assert_eq!(answers[3]["status"], "applied");

    // Nothing refused was stored: each reads exactly what was let in.
    let kept = 3 + 1 + 1; // the till's set-up, the admin's contract, the good comment
    assert_eq!(pulled(&server, &support).len(), kept);
    assert_eq!(pulled(&server, &a.admin).len(), kept);
    assert_eq!(pulled(&server, &b.admin).len(), 0);
    // And sync goes on for everyone: an emergency pressed now reaches the admin and the desk.
    let emergency = Uuid::now_v7();
    assert_eq!(
        statuses(&server.push(&a.till, &[filed(emergency, Some(a.station))])),
        ["applied"]
    );
    for token in [&a.admin, &support] {
        let all = pulled(&server, token);
        assert_eq!(all.len(), kept + 1);
        assert_eq!(all.last().unwrap()["ticket"]["id"], emergency.to_string());
    }
    assert_eq!(
        pulled(&server, &a.other_till).len(),
        1,
        "only the shop's contract"
    );
}

#[test]
fn an_order_is_priced_from_the_catalogue_and_whoever_signed_in_is_who_wrote() {
    let server = TestServer::start();
    let id = server.shop("Laden");
    let admin = server.staff("chefin@laden.de", "shop_admin", Some(&id));
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let stations: Vec<Uuid> = (1..=6)
        .map(|n| server.till(&id, &format!("Kasse {n}")).1)
        .collect();

    let refused = server.push(&admin, &[order("second_level", &stations)]);
    assert_eq!(statuses(&refused), ["rejected"]);
    assert!(
        refused[0]["reason"].as_str().unwrap().contains("1 to 5"),
        "{refused:?}"
    );
    let confirmed = server.push(
        &admin,
        &[
            order("second_level", &stations[..5]),
            order("flat", &stations[5..]),
        ],
    );
    assert_eq!(statuses(&confirmed), ["applied", "applied"]);
    let contracts: Vec<Value> = pulled(&server, &admin)
        .into_iter()
        .filter(|c| c["type"] == "contract_confirmed")
        .collect();
    let prices: Vec<String> = contracts
        .iter()
        .map(|c| {
            let contract: Contract = serde_json::from_value(c["contract"].clone()).unwrap();
            format!(
                "{} {}",
                contract.plan.plan.id,
                contract.yearly_price().unwrap()
            )
        })
        .collect();
    assert_eq!(prices, ["second_level 650.00 EUR", "flat 249.00 EUR"]);

    // Whatever name a change claims, it carries who signed in.
    let ticket = Uuid::now_v7();
    let pushed = server.push(&admin, &[filed(ticket, Some(stations[0]))]);
    assert_eq!(statuses(&pushed), ["applied"]);
    let claimed = comment(ticket);
    assert_eq!(claimed["comment"]["author"], "Frau Korn");
    let remote = session(Some(ticket), None);
    assert_eq!(
        statuses(&server.push(&support, &[claimed, remote])),
        ["applied", "applied"]
    );
    let seen = pulled(&server, &admin);
    let author = seen.iter().find(|c| c["type"] == "comment_added").unwrap();
    assert_eq!(author["comment"]["author"], "ben@vendor.de");
    let started = seen
        .iter()
        .find(|c| c["type"] == "remote_session_recorded")
        .unwrap();
    assert_eq!(started["session"]["started_by"], "ben@vendor.de");
}

#[test]
fn replaying_the_history_rebuilds_the_servers_tables() {
    let mut server = TestServer::start();
    let a = shop(&server, "Laden", "chef@laden.de");
    let support = server.staff("ben@vendor.de", "support_staff", None);
    let ticket = Uuid::now_v7();
    let pushed = server.push(
        &a.till,
        &[
            station(a.station, "Kasse 1"),
            filed(ticket, Some(a.station)),
            comment(ticket),
            attachment(ticket),
            moved(ticket, TicketState::Open),
        ],
    );
    assert_eq!(statuses(&pushed), ["applied"; 5]);
    let pushed = server.push(
        &support,
        &[
            comment(ticket),
            moved(ticket, TicketState::Resolved),
            session(None, Some(a.station)),
        ],
    );
    assert_eq!(statuses(&pushed), ["applied"; 3]);
    assert_eq!(
        statuses(&server.push(&a.admin, &[order("flat", &[a.station, a.other_station])])),
        ["rejected"],
        "Support Flat covers one station"
    );
    assert_eq!(
        statuses(&server.push(
            &a.admin,
            &[order("second_level", &[a.station, a.other_station])]
        )),
        ["applied"]
    );
    server.stop();

    let storage = SqlStorage::open(&server.db(), 1).unwrap();
    let before = storage.tables_digest().unwrap();
    assert!(
        before.contains("\"resolved\""),
        "the ticket's state is kept: {before}"
    );
    assert_eq!(storage.rebuild_tables().unwrap(), 9);
    assert_eq!(storage.tables_digest().unwrap(), before);
}
