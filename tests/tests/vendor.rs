//! The vendor's side in the real window. The vendor admin signs in, keeps the vendor profile
//! (its hotline reaches the app's own copy at once), sees the contract sold to a shop, runs the
//! invoices due today, saves the PDF into Downloads and records the payment; then the shop's
//! admin signs in on the same PC, sees the vendor's hotline, finds the invoice paid, saves its
//! e-invoice, and sees the shop's invoice address. The files saved are compared with what the
//! server keeps as issued.

use std::path::Path;

use stationdesk_e2e::server::TestServer;
use stationdesk_e2e::{off_runtime, App};

async fn shown(app: &App, css: &str) -> bool {
    app.find(css).await.is_displayed().await.unwrap()
}

/// The path the newest notice names after "Saved to ", once there is one ending in `extension`.
async fn saved_path(app: &App, extension: &str) -> String {
    let deadline = std::time::Instant::now() + stationdesk_e2e::PATIENCE;
    loop {
        let newest = app
            .texts("#toasts .toast > span:first-child")
            .await
            .into_iter()
            .rev()
            .find_map(|text| text.strip_prefix("Saved to ").map(str::to_owned));
        match newest {
            Some(path) if path.ends_with(extension) => return path,
            _ if std::time::Instant::now() > deadline => {
                panic!("no notice says where the {extension} file went")
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn the_vendor_admin_runs_the_invoices_and_the_shop_admin_finds_theirs() {
    let today = chrono::Utc::now()
        .with_timezone(&stationdesk_core::store::DEFAULT_TIME_ZONE)
        .date_naive();
    let (server, shop) = off_runtime(move || {
        let server = TestServer::start();
        let shop = server.shop("Bäckerei Korn");
        let (_, kasse) = server.till(&shop, "Kasse 1");
        server.bill(&shop, "Bäckerei Korn GmbH");
        server.sell(&shop, "flat", &[kasse], &today.to_string());
        for (email, role, of) in [
            ("vera@vendor.example", "vendor_admin", None),
            ("weber@korn.example", "shop_admin", Some(&shop)),
        ] {
            server.staff(email, role, of.map(String::as_str));
        }
        (server, shop)
    });
    let number = format!("{}-00001", today.format("%Y"));
    // Downloads go to the test's own home, never the machine's.
    let home = tempfile::tempdir().unwrap();
    let app = App::launch_with_env(
        |_| {},
        &[
            ("HOME", home.path().into()),
            ("XDG_CONFIG_HOME", home.path().join(".config").into()),
        ],
    )
    .await;
    app.click_and_wait_for_render("#lang-en").await;
    assert!(
        !shown(&app, "#nav-vendor").await && !shown(&app, "#nav-invoices").await,
        "no vendor pages before anyone signs in"
    );

    app.sign_in(&server.base, "vera@vendor.example").await;
    assert_eq!(app.attrs("#sync-card", "data-role").await, ["vendor_admin"]);
    assert!(shown(&app, "#nav-vendor").await && shown(&app, "#nav-invoices").await);
    app.open("vendor").await;
    assert!(app
        .text("#profile-form .warning")
        .await
        .contains("No vendor profile"));
    for (field, value) in [
        ("name", "Kassenservice Nord GmbH"),
        ("street", "Hafenstraße 12"),
        ("postcode", "20457"),
        ("city", "Hamburg"),
        ("vat_id", "DE123456789"),
        ("contact", "Anna Schmidt"),
        ("email", "rechnung@kassenservice.example"),
        ("phone", "+49 40 1234567"),
        ("iban", "DE89 3704 0044 0532 0130 00"),
        ("hotline", "+49 40 7654321"),
        ("support_hours", "Mo-Fr 09:00-18:00"),
    ] {
        app.type_into(&format!("#profile-{field}"), value).await;
    }
    app.click_and_wait_for_render("#profile-save").await;
    app.eventually("the profile is kept, IBAN without spaces", || async {
        app.attrs("#profile-iban", "value").await == ["DE89370400440532013000"]
    })
    .await;
    let contract = app.text("#vendor-contract-table tbody tr").await;
    assert!(
        contract.contains("Bäckerei Korn") && contract.contains("249.00"),
        "{contract}"
    );
    // A written notice the vendor received today ends the contract with its first term.
    let contract_id = app
        .attrs("#vendor-contract-table tbody tr", "data-contract")
        .await
        .remove(0);
    app.click(&format!("#notice-{contract_id}")).await;
    app.click_and_wait_for_render(&format!("#notice-save-{contract_id}"))
        .await;
    let ends = stationdesk_core::domain::contract_terms::cancellation_effective(today, today)
        .unwrap()
        .format("%d/%m/%Y")
        .to_string();
    let contract = app.text("#vendor-contract-table tbody tr").await;
    assert!(contract.contains(&format!("Ends {ends}")), "{contract}");
    let shop_row = app.text("#vendor-shop-table tbody tr").await;
    assert!(
        shop_row.contains("Bäckerei Korn GmbH") && shop_row.contains("weber@korn.example"),
        "the invoice address and the shop's admin: {shop_row}"
    );
    assert_eq!(
        app.texts("#vendor-staff-table tbody tr td:first-child")
            .await,
        ["vera@vendor.example"],
        "the vendor's own staff, not the shops' admins"
    );
    app.screenshot("vendor-desk").await;

    app.open("invoices").await;
    assert!(app
        .find("#invoices-empty")
        .await
        .is_displayed()
        .await
        .unwrap());
    app.click_and_wait_for_render("#run-submit").await;
    let row = format!("#invoice-table tr[data-number='{number}']");
    let issued = app.text(&row).await;
    assert!(
        issued.contains("Bäckerei Korn GmbH")
            && issued.contains("296.31")
            && issued.contains("Open"),
        "{issued}"
    );
    let fits: bool = app
        .evaluate(
            "const table = document.querySelector('#invoice-table'); \
             return table.getBoundingClientRect().right <= table.closest('.card').getBoundingClientRect().right;",
        )
        .await;
    assert!(
        fits,
        "an open invoice's row, payment form and all, fits beside the sidebar"
    );
    app.screenshot("vendor-invoice-issued").await;
    app.click(&format!("#pdf-{number}")).await;
    let pdf = saved_path(&app, ".pdf").await;
    assert_eq!(
        Path::new(&pdf),
        home.path().join("Downloads").join(format!("{number}.pdf"))
    );
    let kept = server.dir.path().join("kept.pdf");
    let args = [
        "invoice",
        "pdf",
        "--number",
        &number,
        "--to",
        kept.to_str().unwrap(),
    ];
    server.operator(&args, "");
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(&kept).unwrap(),
        "the PDF as issued"
    );
    app.click_and_wait_for_render(&format!("#paid-{number}"))
        .await;
    assert!(app
        .text(&format!("{row} .invoice-status"))
        .await
        .starts_with("Paid "));
    app.screenshot("vendor-invoices").await;
    app.click_and_wait_for_render("#invoices-overdue").await;
    assert!(app
        .text("#invoices-empty")
        .await
        .contains("Nothing is overdue"));
    app.click_and_wait_for_render("#invoices-all").await;

    // The shop's admin on the same PC: their shop's invoices, not the vendor's pages.
    app.sign_out().await;
    assert!(!shown(&app, "#nav-invoices").await, "signed out: no books");
    app.sign_in(&server.base, "weber@korn.example").await;
    assert_eq!(
        app.text("#vendor-hotline").await,
        "+49 40 7654321",
        "the hotline the vendor published, not a field to type it in"
    );
    assert!(shown(&app, "#nav-invoices").await && !shown(&app, "#nav-vendor").await);
    app.open("invoices").await;
    let mine = app.text(&row).await;
    assert!(mine.contains("296.31") && mine.contains("Paid "), "{mine}");
    assert!(
        app.all("#run-form").await.is_empty(),
        "no invoice run for a shop admin"
    );
    assert_eq!(
        app.attrs(&format!("#billing-{shop}-legal_name"), "value")
            .await,
        ["Bäckerei Korn GmbH"]
    );
    app.click(&format!("#xml-{number}")).await;
    let xml = std::fs::read_to_string(saved_path(&app, ".xml").await).unwrap();
    assert!(xml.contains("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"));
    assert!(xml.contains(&number));
    app.screenshot("shop-invoices").await;
    app.quit().await;
    drop(server);
}
