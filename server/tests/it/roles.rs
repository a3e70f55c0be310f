//! Every endpoint, asked by every role, about its own shop and another: a table of who gets
//! what, against the real server process. Pushes are judged per change (applied or rejected);
//! every other endpoint by its status.

use crate::common::{
    comment, consent, decided, event, filed, internal_note, moved, offered, order, session,
    station, statuses, TestServer, PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use stationdesk_core::domain::tickets::TicketState;
use stationdesk_core::store::EventKind;
use uuid::Uuid;

/// The callers of the table: nobody, the two tills of shop A, A's admin, B's admin, the
/// vendor's support desk and admin.
struct Callers {
    till_a1: String,
    till_a2: String,
    /// Till A1's station id.
    station_a1: Uuid,
    admin_a: String,
    admin_b: String,
    support: String,
    vendor: String,
}

struct World {
    server: TestServer,
    shop_a: String,
    shop_b: String,
    callers: Callers,
    /// A ticket made by till A1.
    ticket_a1: Uuid,
}

fn world() -> World {
    let server = TestServer::start();
    let (shop_a, shop_b) = (server.shop("Laden A"), server.shop("Laden B"));
    let (till_a1, station_a1) = server.till(&shop_a, "Kasse A1");
    let callers = Callers {
        till_a1,
        station_a1,
        till_a2: server.station(&shop_a, "Kasse A2"),
        admin_a: server.staff("chef@a.de", "shop_admin", Some(&shop_a)),
        admin_b: server.staff("chef@b.de", "shop_admin", Some(&shop_b)),
        support: server.staff("support@vendor.de", "support_staff", None),
        vendor: server.staff("admin@vendor.de", "vendor_admin", None),
    };
    let ticket_a1 = Uuid::now_v7();
    let created = server.push(
        &callers.till_a1,
        &[filed(ticket_a1, Some(callers.station_a1))],
    );
    assert_eq!(statuses(&created), ["applied"]);
    World {
        server,
        shop_a,
        shop_b,
        callers,
        ticket_a1,
    }
}

fn status(server: &TestServer, method: &str, path: &str, token: Option<&str>, body: &Value) -> u16 {
    let (status, answer) = match method {
        "GET" => server.get(path, token),
        "POST" => server.post(path, token, body),
        _ => {
            let mut request = server.http.request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", server.base),
            );
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if !body.is_null() {
                request = request.json(body);
            }
            let response = request.send().unwrap();
            (response.status(), response.json().unwrap())
        }
    };
    if !status.is_success() {
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: a refusal says why: {answer}"
        );
    }
    status.as_u16()
}

#[test]
fn every_endpoint_by_every_role_for_its_own_shop_and_another() {
    let w = world();
    let c = &w.callers;
    let staff = |email: &str, shop: &str| {
        json!({"email": email, "name": "Neu", "role": "shop_admin", "shop_id": shop,
               "password": PASSWORD})
    };
    let code = |shop: &str| json!({ "shop_id": shop });
    let shop = json!({"name": "Laden C"});
    // who, their token, method, path, body, expected status
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, Value, u16);
    let mut table: Vec<Row> = vec![
        ("nobody", None, "GET", "/v1/me", json!(null), 401),
        ("till", Some(&c.till_a1), "GET", "/v1/me", json!(null), 200),
        ("admin", Some(&c.admin_a), "GET", "/v1/me", json!(null), 200),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/me",
            json!(null),
            200,
        ),
        ("vendor", Some(&c.vendor), "GET", "/v1/me", json!(null), 200),
        // The desk's queue: the vendor's support staff and admins only.
        ("nobody", None, "GET", "/v1/desk/tickets", json!(null), 401),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/desk/tickets",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/desk/tickets",
            json!(null),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/desk/tickets",
            json!(null),
            200,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "GET",
            "/v1/desk/tickets",
            json!(null),
            200,
        ),
        (
            "nobody",
            None,
            "GET",
            "/v1/desk/callbacks",
            json!(null),
            401,
        ),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/desk/callbacks",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/desk/callbacks",
            json!(null),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/desk/callbacks",
            json!(null),
            200,
        ),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/desk/compliance",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/desk/compliance",
            json!(null),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/desk/compliance",
            json!(null),
            200,
        ),
        // Shops: the vendor admin creates them; a till does not even list them.
        ("nobody", None, "GET", "/v1/shops", json!(null), 401),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/shops",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/shops",
            json!(null),
            200,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/shops",
            json!(null),
            200,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "GET",
            "/v1/shops",
            json!(null),
            200,
        ),
        ("nobody", None, "POST", "/v1/shops", shop.clone(), 401),
        (
            "till",
            Some(&c.till_a1),
            "POST",
            "/v1/shops",
            shop.clone(),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "POST",
            "/v1/shops",
            shop.clone(),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "POST",
            "/v1/shops",
            shop.clone(),
            403,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "POST",
            "/v1/shops",
            shop.clone(),
            200,
        ),
        // Billing data for the vendor's list: the books' roles only (what each sees, below).
        ("nobody", None, "GET", "/v1/billing", json!(null), 401),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/billing",
            json!(null),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/billing",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/billing",
            json!(null),
            200,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "GET",
            "/v1/billing",
            json!(null),
            200,
        ),
        // Staff: a till sees none; everyone else the staff they may (checked below).
        ("nobody", None, "GET", "/v1/staff", json!(null), 401),
        (
            "till",
            Some(&c.till_a1),
            "GET",
            "/v1/staff",
            json!(null),
            403,
        ),
        (
            "admin",
            Some(&c.admin_a),
            "GET",
            "/v1/staff",
            json!(null),
            200,
        ),
        (
            "support",
            Some(&c.support),
            "GET",
            "/v1/staff",
            json!(null),
            200,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "GET",
            "/v1/staff",
            json!(null),
            200,
        ),
        // Staff: a shop admin adds admins to their own shop only.
        (
            "nobody",
            None,
            "POST",
            "/v1/staff",
            staff("n1@a.de", &w.shop_a),
            401,
        ),
        (
            "till",
            Some(&c.till_a1),
            "POST",
            "/v1/staff",
            staff("n2@a.de", &w.shop_a),
            403,
        ),
        (
            "admin own",
            Some(&c.admin_a),
            "POST",
            "/v1/staff",
            staff("n3@a.de", &w.shop_a),
            200,
        ),
        (
            "admin other",
            Some(&c.admin_a),
            "POST",
            "/v1/staff",
            staff("n4@b.de", &w.shop_b),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "POST",
            "/v1/staff",
            staff("n5@a.de", &w.shop_a),
            403,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "POST",
            "/v1/staff",
            staff("n6@b.de", &w.shop_b),
            200,
        ),
        // Enrolment codes: the shop's admin for their own shop, the vendor admin for any.
        (
            "nobody",
            None,
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_a),
            401,
        ),
        (
            "till",
            Some(&c.till_a1),
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_a),
            403,
        ),
        (
            "admin own",
            Some(&c.admin_a),
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_a),
            200,
        ),
        (
            "admin other",
            Some(&c.admin_a),
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_b),
            403,
        ),
        (
            "support",
            Some(&c.support),
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_a),
            403,
        ),
        (
            "vendor",
            Some(&c.vendor),
            "POST",
            "/v1/enrolment-codes",
            code(&w.shop_b),
            200,
        ),
        // Sync: everyone signed in may ask; what they get is the next tests' matter.
        ("nobody", None, "GET", "/v1/sync/pull", json!(null), 401),
        (
            "nobody",
            None,
            "POST",
            "/v1/sync/push",
            json!({"changes": []}),
            401,
        ),
        ("nobody", None, "POST", "/v1/logout", json!(null), 401),
    ];
    let mut wrong = Vec::new();
    // The e-mail channel: its settings are the vendor admin's, its state the vendor's staff's,
    // unknown senders the desk's (no such message: 404), e-mail notices a shop admin's own.
    let attach = format!("/v1/desk/mail/unknown/{}/attach", uuid::Uuid::nil());
    let mail_rows = [
        ("GET", "/v1/mail", json!(null), [403, 403, 200, 200]),
        (
            "PUT",
            "/v1/mail/mailboxes/support",
            json!({"host": "localhost", "port": 1, "user": "u", "password": "p"}),
            [403, 403, 403, 200],
        ),
        (
            "PUT",
            "/v1/mail/outgoing",
            json!({"host": "localhost", "from_address": "s@vendor.de", "from_name": "S"}),
            [403, 403, 403, 200],
        ),
        (
            "DELETE",
            "/v1/mail/mailboxes/nonesuch",
            json!(null),
            [403, 403, 403, 404],
        ),
        (
            "GET",
            "/v1/desk/mail/unknown",
            json!(null),
            [403, 403, 200, 403],
        ),
        (
            "POST",
            attach.as_str(),
            json!({"shop_id": w.shop_a}),
            [403, 403, 404, 403],
        ),
        (
            "GET",
            "/v1/me/mail-notices",
            json!(null),
            [403, 200, 403, 403],
        ),
        (
            "PUT",
            "/v1/me/mail-notices",
            json!({"answers": true, "quotes": false, "invoices": true}),
            [403, 200, 403, 403],
        ),
    ];
    for (method, path, body, expected) in mail_rows {
        table.push(("nobody", None, method, path, body.clone(), 401));
        for ((who, token), expected) in [
            ("till", &c.till_a1),
            ("admin", &c.admin_a),
            ("support", &c.support),
            ("vendor", &c.vendor),
        ]
        .into_iter()
        .zip(expected)
        {
            table.push((who, Some(token), method, path, body.clone(), expected));
        }
    }
    for (who, token, method, path, body, expected) in &table {
        let got = status(&w.server, method, path, *token, body);
        if got != *expected {
            wrong.push(format!("{who} {method} {path}: {got}, not {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // What a listing shows depends on who asks.
    let (_, own) = w.server.get("/v1/shops", Some(&c.admin_a));
    assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
    assert_eq!(own[0]["id"], w.shop_a.as_str());
    let (_, all) = w.server.get("/v1/shops", Some(&c.support));
    assert_eq!(
        all.as_array().unwrap().len(),
        3,
        "A, B and the vendor's new C: {all}"
    );
    let (_, billed) = w.server.get("/v1/billing", Some(&c.admin_a));
    assert_eq!(
        billed.as_array().unwrap().len(),
        1,
        "a shop admin's own shop only: {billed}"
    );
    assert_eq!(billed[0]["id"], w.shop_a.as_str());
    let (_, billed) = w.server.get("/v1/billing", Some(&c.vendor));
    assert_eq!(billed.as_array().unwrap().len(), 3, "every shop: {billed}");
    let (_, own) = w.server.get("/v1/staff", Some(&c.admin_a));
    let own = own.as_array().unwrap();
    assert!(
        own.iter().all(|m| m["shop_id"] == w.shop_a.as_str()) && own.len() >= 2,
        "their shop's admins only, the new one among them: {own:?}"
    );
    assert!(own.iter().all(|m| m.get("password").is_none()));
    let (_, everyone) = w.server.get("/v1/staff", Some(&c.vendor));
    let roles: std::collections::BTreeSet<&str> = everyone
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["shop_admin", "support_staff", "vendor_admin"].into(),
        "the vendor admin sees every account"
    );
    // A code the admin issued enrols a till of the admin's shop.
    let (_, issued) = w
        .server
        .post("/v1/enrolment-codes", Some(&c.admin_a), &json!({}));
    let (status, enrolled) = w.server.post(
        "/v1/enrol",
        None,
        &json!({"code": issued["code"], "station_name": "Kasse A3"}),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(enrolled["shop_id"], w.shop_a.as_str());
    // A shop admin cannot make the vendor's staff.
    let (status, _) = w.server.post(
        "/v1/staff",
        Some(&c.admin_a),
        &json!({"email": "x@a.de", "name": "X", "role": "support_staff", "password": PASSWORD}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[test]
fn each_role_pushes_what_is_its_own_and_reads_what_it_may() {
    let w = world();
    let c = &w.callers;
    let t = w.ticket_a1;
    let q = Uuid::now_v7();
    // (who, token, change, expected outcome), pushed in this order: the ticket moves new ->
    // open -> waiting -> open on the way.
    let table: Vec<(&str, &str, Value, &str)> = vec![
        ("till that made it", &c.till_a1, comment(t), "applied"),
        (
            "another till of the shop",
            &c.till_a2,
            comment(t),
            "rejected",
        ),
        ("admin of the shop", &c.admin_a, comment(t), "applied"),
        ("admin of another shop", &c.admin_b, comment(t), "rejected"),
        ("support", &c.support, comment(t), "applied"),
        ("vendor admin", &c.vendor, comment(t), "rejected"),
        // Internal notes: the desk's alone.
        ("till notes", &c.till_a1, internal_note(t), "rejected"),
        ("admin notes", &c.admin_a, internal_note(t), "rejected"),
        ("support notes", &c.support, internal_note(t), "applied"),
        (
            "vendor admin notes",
            &c.vendor,
            internal_note(t),
            "rejected",
        ),
        ("till", &c.till_a1, moved(t, TicketState::Open), "applied"),
        (
            "admin of another shop",
            &c.admin_b,
            moved(t, TicketState::WaitingForCustomer),
            "rejected",
        ),
        (
            "support",
            &c.support,
            moved(t, TicketState::WaitingForCustomer),
            "applied",
        ),
        ("admin", &c.admin_a, moved(t, TicketState::Open), "applied"),
        // Quotes: the desk offers, the shop's admin decides.
        (
            "admin offers",
            &c.admin_a,
            offered(t, Uuid::now_v7()),
            "rejected",
        ),
        (
            "till offers",
            &c.till_a1,
            offered(t, Uuid::now_v7()),
            "rejected",
        ),
        ("support offers", &c.support, offered(t, q), "applied"),
        (
            "support accepts",
            &c.support,
            decided(t, q, "accepted"),
            "rejected",
        ),
        (
            "till accepts",
            &c.till_a1,
            decided(t, q, "accepted"),
            "rejected",
        ),
        (
            "admin accepts",
            &c.admin_a,
            decided(t, q, "accepted"),
            "applied",
        ),
        (
            "admin again",
            &c.admin_a,
            decided(t, q, "declined"),
            "rejected",
        ),
        // Remote sessions are the desk's; the consent is the till's.
        ("support", &c.support, session(Some(t), None), "applied"),
        ("till", &c.till_a1, session(Some(t), None), "rejected"),
        ("admin", &c.admin_a, session(Some(t), None), "rejected"),
        ("till", &c.till_a1, consent(c.station_a1), "applied"),
        ("support", &c.support, consent(c.station_a1), "rejected"),
        (
            "vendor admin",
            &c.vendor,
            filed(Uuid::now_v7(), None),
            "rejected",
        ),
        // Contracts are ordered by the shop admin (and confirmed by the server), not by a till
        // or the desk.
        (
            "till",
            &c.till_a1,
            order("flat", &[c.station_a1]),
            "rejected",
        ),
        (
            "support",
            &c.support,
            order("flat", &[c.station_a1]),
            "rejected",
        ),
        (
            "admin",
            &c.admin_a,
            order("flat", &[c.station_a1]),
            "applied",
        ),
    ];
    let mut wrong = Vec::new();
    for (who, token, pushed, expected) in &table {
        let results = w.server.push(token, std::slice::from_ref(pushed));
        let got = results[0]["status"].as_str().unwrap();
        if got != *expected {
            wrong.push(format!(
                "{who}: {} was {got}, not {expected}: {}",
                pushed["type"], results[0]
            ));
        }
        if got == "rejected" {
            assert!(results[0]["reason"].as_str().is_some_and(|r| r.len() > 10));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // Reads: A1 sees its ticket with everything the admin and the desk added but the desk's
    // internal note; A2 and shop B see none of it; the desk and the vendor see it all.
    let on_ticket = |change: &Value| {
        change["ticket_id"] == t.to_string().as_str()
            || change["ticket"]["id"] == t.to_string().as_str()
            || change["session"]["ticket_id"] == t.to_string().as_str()
    };
    let ticket_changes = |token: &str| {
        w.server.pull(token, 0)["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| on_ticket(&c["change"]))
            .count()
    };
    let applied_on_ticket = 1 // filed
        + table
            .iter()
            .filter(|(_, _, pushed, expected)| *expected == "applied" && on_ticket(pushed))
            .count();
    let internal_notes = 1;
    assert_eq!(
        ticket_changes(&c.till_a1),
        applied_on_ticket - internal_notes
    );
    assert_eq!(
        ticket_changes(&c.admin_a),
        applied_on_ticket - internal_notes
    );
    assert_eq!(ticket_changes(&c.support), applied_on_ticket);
    assert_eq!(ticket_changes(&c.vendor), applied_on_ticket);
    assert_eq!(ticket_changes(&c.till_a2), 0);
    assert_eq!(ticket_changes(&c.admin_b), 0);
}

#[test]
fn under_second_level_support_only_named_admins_bring_a_ticket_to_the_vendor() {
    let server = TestServer::start();
    let shop = server.operator(&["create-shop", "--name", "Filiale", "--second-level"], "")
        ["shop_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (till, station_1) = server.till(&shop, "Kasse 1");
    let admin = server.staff("vertretung@filiale.de", "shop_admin", Some(&shop));
    server.operator(
        &[
            "create-user",
            "--email",
            "it@filiale.de",
            "--name",
            "IT",
            "--role",
            "shop_admin",
            "--shop",
            &shop,
            "--named-contact",
        ],
        &format!("{PASSWORD}\n"),
    );
    let (_, login) = server.post(
        "/v1/login",
        None,
        &json!({"email": "it@filiale.de", "password": PASSWORD}),
    );
    let named = login["token"].as_str().unwrap();

    let ticket = Uuid::now_v7();
    assert_eq!(
        statuses(&server.push(&till, &[filed(ticket, Some(station_1))])),
        ["applied"],
        "the till's ticket goes to the shop's own admins"
    );
    let escalate = || event(ticket, EventKind::Escalated, None);
    let refused = server.push(&till, &[escalate()]);
    assert_eq!(statuses(&refused), ["rejected"]);
    assert!(refused[0]["reason"]
        .as_str()
        .unwrap()
        .contains("named admins"));
    assert_eq!(statuses(&server.push(&admin, &[escalate()])), ["rejected"]);
    assert_eq!(statuses(&server.push(named, &[escalate()])), ["applied"]);

    // Without Second Level, a till escalates itself (Support Flat: the vendor is the hotline).
    let flat = server.shop("Laden");
    let (flat_till, flat_station) = server.till(&flat, "Kasse 1");
    let flat_ticket = Uuid::now_v7();
    let pushed = server.push(
        &flat_till,
        &[
            filed(flat_ticket, Some(flat_station)),
            event(flat_ticket, EventKind::Escalated, None),
        ],
    );
    assert_eq!(statuses(&pushed), ["applied", "applied"]);

    // The contract decides, not the shop's flag: a till of the Second Level shop covered by
    // Support Flat calls the vendor itself; one under Second Level goes through a named admin.
    let (till_2, station_2) = server.till(&shop, "Kasse 2");
    let ordered = server.push(
        named,
        &[
            station(station_1, "Kasse 1"),
            station(station_2, "Kasse 2"),
            order("second_level", &[station_1]),
            order("flat", &[station_2]),
        ],
    );
    assert_eq!(statuses(&ordered), ["applied"; 4], "{ordered:?}");
    let covered_by_flat = Uuid::now_v7();
    let pushed = server.push(
        &till_2,
        &[
            filed(covered_by_flat, Some(station_2)),
            event(covered_by_flat, EventKind::Escalated, None),
        ],
    );
    assert_eq!(statuses(&pushed), ["applied", "applied"], "{pushed:?}");
    let under_second_level = Uuid::now_v7();
    let pushed = server.push(
        &till,
        &[
            filed(under_second_level, Some(station_1)),
            event(under_second_level, EventKind::Escalated, None),
        ],
    );
    assert_eq!(statuses(&pushed), ["applied", "rejected"]);
}
