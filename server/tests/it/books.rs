//! The vendor's side as the app reaches it (stationdesk-core's `sync::vendor`) against the real
//! server: every till keeps a copy of the vendor's hotline and catalogue from its sync, so the
//! cashier calls the number the vendor published and the advisor prices from the catalogue in
//! force; a shop admin reads their shop's invoices and saves each document exactly as issued,
//! never another shop's.

use chrono::{Days, Utc};
use stationdesk_core::domain::routing::ShopContacts;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::emergency;
use stationdesk_core::store::DEFAULT_TIME_ZONE;
use stationdesk_core::sync::vendor::{self, InvoiceDocument};
use stationdesk_core::sync::{self, SyncError};

use crate::common::TestServer;
use crate::sync::{forget, signed_in, till};

#[test]
fn a_till_calls_the_vendors_hotline_and_prices_from_the_catalogue_in_force() {
    let server = TestServer::start();
    let shop = server.shop("Bäckerei Korn");
    let (_dir, mut till) = till();
    till.set_shop_contacts(&ShopContacts {
        hotline: "+49 30 999999".into(),
        admin_name: "Frau Weber".into(),
        admin_phone: "+49 171 7654321".into(),
    })
    .unwrap();
    sync::enrol(&mut till, &server.base, &server.code(&shop), "Kasse 1").unwrap();
    // The till's station record reaches the server with its first sync; then it is sold a
    // contract, which the next sync brings back.
    sync::sync(&mut till).unwrap();
    let kasse_1 = till.station("Kasse 1").unwrap().id;
    let station = kasse_1.to_string();
    let today = Utc::now().with_timezone(&DEFAULT_TIME_ZONE).date_naive();
    server.sell(&shop, "flat", &[kasse_1], &today.to_string());

    // The serving process notices what the operator command wrote within a second.
    for _ in 0..50 {
        sync::sync(&mut till).unwrap();
        if !till.contracts().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        till.contracts().unwrap().len(),
        1,
        "the contract sold arrived"
    );

    // Before the vendor published anything, the shop's own number stands.
    let copy = till
        .vendor_copy()
        .unwrap()
        .expect("the first sync reads the vendor");
    assert_eq!(copy.contact, None);
    let pressed =
        emergency::press(&mut till, &SupportCalendar::default(), &station, Utc::now()).unwrap();
    assert_eq!(
        serde_json::to_value(&pressed.routing).unwrap()["hotline"],
        "+49 30 999999"
    );

    // The vendor publishes its hotline and a new price list from yesterday.
    server.set_up_vendor();
    let mut catalog: serde_json::Value = serde_json::from_str(include_str!(
        "../../../core/src/domain/default_catalog.json"
    ))
    .unwrap();
    catalog["plans"][0]["pricing"]["unit_price"] = "259.00".into();
    let file = server.dir.path().join("catalogue-2.json");
    std::fs::write(&file, catalog.to_string()).unwrap();
    let yesterday = today - Days::new(1);
    server.operator(
        &[
            "catalog",
            "add",
            "--valid-from",
            &yesterday.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
        "",
    );

    // A sync within ten minutes of the last reads nothing again; the next one after does.
    sync::sync(&mut till).unwrap();
    assert_eq!(till.vendor_copy().unwrap().unwrap(), copy, "still fresh");
    let copy = vendor::refresh_vendor_copy(&mut till).unwrap();
    assert_eq!(
        copy.contact.unwrap().hotline.as_deref(),
        Some("+49 40 7654321")
    );
    let pressed =
        emergency::press(&mut till, &SupportCalendar::default(), &station, Utc::now()).unwrap();
    assert_eq!(
        serde_json::to_value(&pressed.routing).unwrap(),
        serde_json::json!({"routing": "vendor", "hotline": "+49 40 7654321"}),
        "the cashier calls the number the vendor published"
    );
    let flat = till.catalog().unwrap().snapshot("flat").unwrap();
    assert_eq!(flat.price_for(1).unwrap().amount.to_string(), "259.00");
    assert_eq!(
        till.shop_contacts().unwrap().hotline,
        "+49 30 999999",
        "the shop's own entry is kept, for a till that never reached a server"
    );
    forget(&till);
}

#[test]
fn a_shop_admin_saves_their_invoices_as_issued_and_never_another_shops() {
    let server = TestServer::start();
    server.set_up_vendor();
    let today = Utc::now().with_timezone(&DEFAULT_TIME_ZONE).date_naive();
    let mut numbers = Vec::new();
    for (name, legal) in [
        ("Korn", "Bäckerei Korn GmbH"),
        ("Berger", "Blumen Berger KG"),
    ] {
        let shop = server.shop(name);
        let (_, station) = server.till(&shop, "Kasse 1");
        server.bill(&shop, legal);
        server.sell(&shop, "flat", &[station], &today.to_string());
        numbers.push(shop);
    }
    let issued = server.operator(&["invoice", "run", "--on", &today.to_string()], "");
    assert_eq!(issued.as_array().unwrap().len(), 2);
    let korn = &numbers[0];
    let (_dir, mut admin) = signed_in(&server, "weber@korn.example", "shop_admin", Some(korn));

    let invoices = vendor::invoices(&mut admin, None, None).unwrap();
    assert_eq!(invoices.len(), 1, "only the shop's own");
    let invoice = &invoices[0];
    assert_eq!(invoice.buyer.legal_name, "Bäckerei Korn GmbH");
    assert_eq!(invoice.gross.to_string(), "296.31");
    let overdue = vendor::invoices(&mut admin, None, Some(invoice.due_on + Days::new(1))).unwrap();
    assert_eq!(overdue.len(), 1, "unpaid past its due date");

    let downloads = tempfile::tempdir().unwrap();
    let pdf = vendor::save_invoice(
        &mut admin,
        &invoice.number,
        InvoiceDocument::Pdf,
        downloads.path(),
    )
    .unwrap();
    assert_eq!(
        pdf,
        downloads.path().join(format!("{}.pdf", invoice.number))
    );
    let from_operator = server.dir.path().join("operator.pdf");
    server.operator(
        &[
            "invoice",
            "pdf",
            "--number",
            &invoice.number,
            "--to",
            from_operator.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(&from_operator).unwrap(),
        "the PDF as issued"
    );
    let xml = vendor::save_invoice(
        &mut admin,
        &invoice.number,
        InvoiceDocument::Xml,
        downloads.path(),
    )
    .unwrap();
    let xml = std::fs::read_to_string(xml).unwrap();
    assert!(xml.contains(&invoice.number) && xml.contains("296.31"));

    // Another shop's invoice is not there for them, and nothing is written for it.
    let berger = issued
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .find(|n| *n != invoice.number)
        .unwrap();
    let error = vendor::save_invoice(&mut admin, berger, InvoiceDocument::Pdf, downloads.path())
        .unwrap_err();
    assert!(
        matches!(error, SyncError::Refused { status: 404, .. }),
        "{error}"
    );
    let error = vendor::save_invoice(
        &mut admin,
        "../../x",
        InvoiceDocument::Pdf,
        downloads.path(),
    )
    .unwrap_err();
    assert!(matches!(error, SyncError::NotAnInvoiceNumber(_)), "{error}");
    // A shop admin runs no invoices and marks none paid.
    assert!(matches!(
        vendor::run_invoices(&mut admin, today),
        Err(SyncError::Refused { status: 403, .. })
    ));
    assert!(matches!(
        vendor::mark_paid(&mut admin, &invoice.number, today),
        Err(SyncError::Refused { status: 403, .. })
    ));
    let mut saved: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    saved.sort();
    assert_eq!(
        saved,
        [
            format!("{}.pdf", invoice.number),
            format!("{}.xml", invoice.number)
        ],
        "no partial files left behind"
    );
    forget(&admin);
}
