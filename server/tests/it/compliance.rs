//! The cash-register law through the real client and server: a TSE swap recorded by the shop
//! admin makes the site's report due and keeps the old TSE on the till's record at the till;
//! the ticket of a TSE whose certificate ends within 90 days is filed by both the admin's app
//! and the till, and the server keeps it once; a till cannot overwrite what the admin
//! recorded; malformed facts are refused at the door without stopping anyone's sync. A TSE
//! failure pressed at the till is ended by the admin with its cause, and both hold the same
//! outage log; an end without a cause, or a failure of no till, is refused.

use chrono::{Duration, Utc};
use serde_json::json;
use stationdesk_core::domain::compliance::{tse_ticket_id, TseWarning};
use stationdesk_core::domain::tickets::Category;
use stationdesk_core::store::{ComplianceUpdate, Store};
use stationdesk_core::sync;

use crate::common::{event, filed, spoiled, station, statuses, TestServer};
use crate::sync::{forget, signed_in, till};

fn kasse_1(store: &Store) -> uuid::Uuid {
    store.station("Kasse 1").unwrap().id
}

#[test]
fn a_tse_swap_makes_the_report_due_keeps_the_old_tse_and_the_ending_certificate_opens_one_ticket() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (_till_dir, mut till) = till();
    sync::enrol(&mut till, &server.base, &server.code(&korn), "Kasse 1").unwrap();
    sync::sync(&mut till).unwrap();
    let (_admin_dir, mut admin) =
        signed_in(&server, "chefin@korn.de", "shop_admin", Some(korn.as_str()));
    sync::sync(&mut admin).unwrap();
    let station_id = kasse_1(&admin);

    let today = admin.today().unwrap();
    admin
        .set_compliance(
            "Kasse 1",
            ComplianceUpdate {
                make: Some("Aures".into()),
                serial: Some("K-1".into()),
                site: Some("Filiale Mitte".into()),
                tse_serial: Some("A-1".into()),
                tse_valid_until: Some(today + Duration::days(120)),
                tse_in_use_from: Some(today - Duration::days(1700)),
                purchased_on: Some(today - Duration::days(1710)),
                ..ComplianceUpdate::default()
            },
            today,
        )
        .unwrap();
    admin
        .record_report_filed("Filiale Mitte", today - Duration::days(5), "et-4711")
        .unwrap();
    sync::sync(&mut admin).unwrap();
    sync::sync(&mut till).unwrap();
    let at_till = till.compliance_on(today).unwrap();
    assert_eq!(at_till.len(), 1);
    assert_eq!(at_till[0].tse_serial.as_deref(), Some("A-1"));
    assert_eq!(at_till[0].warning, Some(TseWarning::Within180));
    assert_eq!(at_till[0].report_due_by, None, "the report was filed");
    assert!(
        till.ticket(&tse_ticket_id(station_id, "A-1").to_string())
            .is_err(),
        "no ticket at 120 days"
    );

    // The desk sees it across shops, and beside the shop's tickets.
    let desk = server.staff("ben@vendor.de", "support_staff", None);
    let (status, listed) = server.get("/v1/desk/compliance", Some(&desk));
    assert_eq!(status, reqwest::StatusCode::OK, "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["shop_name"], "Bäckerei Korn");
    assert_eq!(listed[0]["warning"], "180");
    assert_eq!(listed[0]["days_left"], 120);
    let (_, shop) = server.get(&format!("/v1/desk/shops/{korn}"), Some(&desk));
    assert_eq!(shop["compliance"][0]["tse_serial"], "A-1", "{shop}");

    // Forty days on, 80 days are left: both the admin's app and the till notice, each before
    // hearing of the other's ticket, and the server keeps one.
    let later = today + Duration::days(40);
    assert_eq!(
        admin
            .open_tse_tickets(Some(station_id), later, Utc::now())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        till.open_tse_tickets(Some(station_id), later, Utc::now())
            .unwrap()
            .len(),
        1
    );
    let pushed_by_admin = sync::sync(&mut admin).unwrap().pushed;
    let pushed_by_till = sync::sync(&mut till).unwrap().pushed;
    assert_eq!(
        (pushed_by_admin.rejected, pushed_by_till.rejected),
        (0, 0),
        "the till's copy is taken as already applied, not refused"
    );
    sync::sync(&mut admin).unwrap();
    let ticket_id = tse_ticket_id(station_id, "A-1");
    let thread = admin.ticket(&ticket_id.to_string()).unwrap();
    assert_eq!(thread.ticket.category, Category::LegalChange);
    assert!(
        thread.ticket.title.contains("A-1"),
        "{}",
        thread.ticket.title
    );
    assert_eq!(
        thread
            .events
            .iter()
            .filter(|e| e.kind.as_str() == "created")
            .count(),
        1,
        "one history: {:?}",
        thread.events
    );
    assert!(
        admin
            .open_tse_tickets(Some(station_id), later, Utc::now())
            .unwrap()
            .is_empty(),
        "once per TSE"
    );

    // The swap: a new TSE from today; the old one stays on the record, retired, and the site's
    // report is due within a month.
    admin
        .set_compliance(
            "Kasse 1",
            ComplianceUpdate {
                tse_serial: Some("B-2".into()),
                tse_valid_until: Some(today + Duration::days(1800)),
                tse_in_use_from: Some(today),
                ..ComplianceUpdate::default()
            },
            today,
        )
        .unwrap();
    sync::sync(&mut admin).unwrap();
    sync::sync(&mut till).unwrap();
    let record = till.station("Kasse 1").unwrap().compliance.unwrap();
    assert_eq!(record.tse.as_ref().unwrap().serial, "B-2");
    assert_eq!(record.retired_tses.len(), 1);
    assert_eq!(record.retired_tses[0].serial, "A-1");
    assert_eq!(record.retired_tses[0].in_use_until, Some(today));
    let at_till = till.compliance_on(today).unwrap();
    assert_eq!(
        at_till[0].report_due_by,
        today.checked_add_months(chrono::Months::new(1))
    );
    assert_eq!(at_till[0].warning, None);
    let (_, listed) = server.get("/v1/desk/compliance", Some(&desk));
    assert_eq!(listed[0]["warning"], serde_json::Value::Null, "{listed}");
    assert_eq!(
        listed[0]["report_due_by"],
        json!(at_till[0].report_due_by),
        "the swap's report is due"
    );
    assert!(
        admin
            .open_tse_tickets(Some(station_id), later, Utc::now())
            .unwrap()
            .is_empty(),
        "the new TSE has years left"
    );

    // A till's own edit of its facts is not taken: the admin's record stands, and the till
    // gets it back.
    till.set_compliance(
        "Kasse 1",
        ComplianceUpdate {
            serial: Some("forged".into()),
            ..ComplianceUpdate::default()
        },
        today,
    )
    .unwrap();
    sync::sync(&mut till).unwrap();
    sync::sync(&mut admin).unwrap();
    let kept = |store: &Store| store.station("Kasse 1").unwrap().compliance.unwrap().serial;
    assert_eq!(kept(&admin), "K-1");
    sync::sync(&mut till).unwrap();
    assert_eq!(kept(&till), "K-1");
    forget(&till);
    forget(&admin);
}

#[test]
fn malformed_compliance_facts_are_refused_at_the_door_and_stop_nobody() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (till_token, till_station) = server.till(&korn, "Kasse 1");
    let admin = server.staff("chefin@korn.de", "shop_admin", Some(&korn));
    let good = station(till_station, "Kasse 1");
    let tse = |bsi: &str| json!({"kind": "hardware", "serial": "A-1", "bsi_id": bsi});
    let hostile = [
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"tse": tse("BSI-nope")}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"serial": "x".repeat(500)}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"tse": {"kind": "floppy", "serial": "A"}}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"site": {"name": "  "}}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"in_service_from": "2026-05-01", "out_of_service_from": "2026-04-01"}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"price": 1}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"serial": "K-1\nforged line"}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"tse": {"kind": "hardware", "serial": "A", "valid_until": "soon"}}),
        ),
        spoiled(
            good.clone(),
            &["station", "compliance"],
            json!({"retired_tses": vec![tse("BSI-K-TR-0412-2020"); 51]}),
        ),
        spoiled(good.clone(), &["station", "compliance"], json!("a string")),
    ];
    for change in &hostile {
        let results = server.push(&admin, std::slice::from_ref(change));
        assert_eq!(statuses(&results), ["rejected"], "{change}: {results:?}");
        assert!(
            results[0]["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{results:?}"
        );
    }
    let fine = spoiled(
        good,
        &["station", "compliance"],
        json!({"tse": tse("BSI-K-TR-0412-2020"), "site": {"name": "Filiale Mitte"}}),
    );
    assert_eq!(statuses(&server.push(&admin, &[fine])), ["applied"]);
    // Another shop's admin cannot record this till's facts.
    let linde = server.shop("Linde");
    let stranger = server.staff("chef@linde.de", "shop_admin", Some(&linde));
    let theirs = spoiled(
        station(till_station, "Kasse 1"),
        &["station", "compliance"],
        json!({"serial": "forged"}),
    );
    assert_eq!(statuses(&server.push(&stranger, &[theirs])), ["rejected"]);
    // The desk records a till's facts, and nothing else of it: not a new name.
    let desk = server.staff("ben@vendor.de", "support_staff", None);
    let from_desk = spoiled(
        spoiled(
            station(till_station, "Renamed by the desk"),
            &["station", "compliance"],
            json!({"tse": tse("BSI-K-TR-0412-2020"), "serial": "K-9"}),
        ),
        &["station", "location"],
        json!("elsewhere"),
    );
    assert_eq!(statuses(&server.push(&desk, &[from_desk])), ["applied"]);
    let unknown = station(uuid::Uuid::now_v7(), "Nobody's");
    assert_eq!(statuses(&server.push(&desk, &[unknown])), ["rejected"]);
    // The till pulls the shop's records, the good ones, and nothing else.
    let pulled = server.pull(&till_token, 0);
    let records: Vec<&serde_json::Value> = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"]["type"] == "station_recorded")
        .collect();
    assert_eq!(records.len(), 2, "{pulled}");
    assert_eq!(
        records[0]["change"]["station"]["compliance"]["tse"]["bsi_id"],
        "BSI-K-TR-0412-2020"
    );
    let by_desk = &records[1]["change"]["station"];
    assert_eq!(by_desk["compliance"]["serial"], "K-9");
    assert_eq!(
        (by_desk["name"].as_str(), by_desk["location"].as_str()),
        (Some("Kasse 1"), Some(""))
    );
}

#[test]
fn a_tse_failure_pressed_at_the_till_is_ended_by_the_admin_and_both_keep_the_outage_log() {
    let server = TestServer::start();
    let korn = server.shop("Bäckerei Korn");
    let (_till_dir, mut till) = till();
    sync::enrol(&mut till, &server.base, &server.code(&korn), "Kasse 1").unwrap();
    let pressed = stationdesk_core::emergency::press(
        &mut till,
        &stationdesk_core::domain::support_hours::SupportCalendar::default(),
        "Kasse 1",
        Utc::now(),
    )
    .unwrap();
    let number = pressed.number.clone();
    till.mark_tse_failure(&number, "Kasse 1").unwrap();
    sync::sync(&mut till).unwrap();
    let (_admin_dir, mut admin) =
        signed_in(&server, "chefin@korn.de", "shop_admin", Some(korn.as_str()));
    sync::sync(&mut admin).unwrap();
    let running = admin.tse_outages("Kasse 1").unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].ended_at, None);
    assert_eq!(
        running[0].began_at.timestamp_millis(),
        pressed.ticket.created_at.timestamp_millis(),
        "it began with the press"
    );

    admin
        .record_tse_working(&number, "TSE-Stick defekt, getauscht", "Chefin")
        .unwrap();
    sync::sync(&mut admin).unwrap();
    sync::sync(&mut till).unwrap();
    for store in [&admin, &till] {
        let log = store.tse_outages("Kasse 1").unwrap();
        assert_eq!(log.len(), 1);
        assert!(log[0].ended_at.is_some());
        assert_eq!(log[0].cause.as_deref(), Some("TSE-Stick defekt, getauscht"));
    }
    let pdf = till.outage_log_pdf("Kasse 1").unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    // At the door: an end names its cause; a failure belongs to a till's ticket.
    let (till_token, till_station) = server.till(&korn, "Kasse 2");
    let admin_token = server.staff("weber@korn.de", "shop_admin", Some(&korn));
    let ticket = uuid::Uuid::now_v7();
    let shop_ticket = uuid::Uuid::now_v7();
    assert_eq!(
        statuses(&server.push(&till_token, &[filed(ticket, Some(till_station))])),
        ["applied"]
    );
    assert_eq!(
        statuses(&server.push(&admin_token, &[filed(shop_ticket, None)])),
        ["applied"]
    );
    let kind = stationdesk_core::store::EventKind::TseFailed;
    assert_eq!(
        statuses(&server.push(&admin_token, &[event(shop_ticket, kind, None)])),
        ["rejected"],
        "no till, no TSE"
    );
    assert_eq!(
        statuses(&server.push(&till_token, &[event(ticket, kind, None)])),
        ["applied"]
    );
    let restored = stationdesk_core::store::EventKind::TseRestored;
    let blank = event(ticket, restored, None);
    let results = server.push(&admin_token, std::slice::from_ref(&blank));
    assert_eq!(statuses(&results), ["rejected"]);
    assert!(
        results[0]["reason"].as_str().unwrap().contains("cause"),
        "{results:?}"
    );
    let long = spoiled(blank, &["event", "note"], json!("x".repeat(501)));
    assert_eq!(statuses(&server.push(&admin_token, &[long])), ["rejected"]);
    let with_cause = spoiled(
        event(ticket, restored, None),
        &["event", "note"],
        json!("Kabel lose"),
    );
    assert_eq!(
        statuses(&server.push(&admin_token, &[with_cause])),
        ["applied"]
    );
    forget(&till);
    forget(&admin);
}
