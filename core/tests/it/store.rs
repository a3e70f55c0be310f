use chrono::NaiveDate;
use stationdesk_core::domain::advisor::advise;
use stationdesk_core::domain::contracts::{ContractState, Party};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::domain::stations::CoverageState;
use stationdesk_core::domain::DomainError;
use stationdesk_core::store::{Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct TempStore {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
}

fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("stationdesk.sqlite");
    let store = Store::open(&path).unwrap();
    TempStore {
        _dir: dir,
        path,
        store,
    }
}

fn add_tills(store: &mut Store, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            store
                .add_station(&format!("Kasse {i}"), "Laden")
                .unwrap()
                .name
        })
        .collect()
}

#[test]
fn stations_are_added_renamed_and_found_by_id_or_name() {
    let mut t = temp_store();
    let till = t.store.add_station("  Kasse 1 ", "Eingang").unwrap();
    assert_eq!(till.name, "Kasse 1");
    assert_eq!(t.store.station("kasse 1").unwrap().id, till.id);
    assert_eq!(
        t.store.station(&till.id.to_string()).unwrap().name,
        "Kasse 1"
    );

    let renamed = t.store.rename_station("Kasse 1", "Kasse Vorne").unwrap();
    assert_eq!(renamed.id, till.id);
    assert!(renamed.updated_at >= till.updated_at);
    assert_eq!(t.store.stations().unwrap()[0].name, "Kasse Vorne");

    assert!(matches!(
        t.store.station("Kasse 1"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        t.store.rename_station("nope", "x"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn station_names_are_unique_ignoring_case() {
    let mut t = temp_store();
    t.store.add_station("Kasse 1", "").unwrap();
    let other = t.store.add_station("Kasse 2", "").unwrap();
    let err = t.store.add_station("KASSE 1", "").unwrap_err();
    assert!(matches!(err, StoreError::StationNameTaken(_)), "{err:?}");
    assert!(err.to_string().contains("exists already"));
    let err = t
        .store
        .rename_station(&other.id.to_string(), "kasse 1")
        .unwrap_err();
    assert!(matches!(err, StoreError::StationNameTaken(_)), "{err:?}");
    assert_eq!(t.store.stations().unwrap().len(), 2);
    assert!(matches!(
        t.store.add_station(" ", ""),
        Err(StoreError::Domain(DomainError::InvalidStationName { .. }))
    ));
}

#[test]
fn a_contract_covers_its_stations_and_uncovered_ones_are_reported() {
    let mut t = temp_store();
    let tills = add_tills(&mut t.store, 3);
    let plan = Catalog::builtin().snapshot("second_level").unwrap();
    t.store
        .create_contract(plan, d("2026-01-01"), &tills[..2])
        .unwrap();

    let coverage = t.store.coverage_on(d("2026-06-01")).unwrap();
    let state = |name: &str| {
        coverage
            .iter()
            .find(|c| c.station.name == name)
            .unwrap()
            .coverage
    };
    assert_eq!(state("Kasse 1"), CoverageState::Covered);
    assert_eq!(state("Kasse 2"), CoverageState::Covered);
    assert_eq!(state("Kasse 3"), CoverageState::Uncovered);
    // Before the start the same contract is upcoming.
    let early = t.store.coverage_on(d("2025-12-01")).unwrap();
    assert!(
        early
            .iter()
            .filter(|c| c.coverage == CoverageState::Upcoming)
            .count()
            == 2
    );
}

#[test]
fn a_second_contract_for_a_covered_station_is_refused_and_writes_nothing() {
    let mut t = temp_store();
    let tills = add_tills(&mut t.store, 2);
    let catalog = Catalog::builtin();
    t.store
        .create_contract(
            catalog.snapshot("flat").unwrap(),
            d("2026-01-01"),
            &tills[1..2],
        )
        .unwrap();
    let err = t
        .store
        .create_contract(
            catalog.snapshot("second_level").unwrap(),
            d("2026-03-01"),
            &tills,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("Kasse 2") && err.to_string().contains("already covered"),
        "{err}"
    );
    assert_eq!(t.store.contracts().unwrap().len(), 1);
    assert_eq!(
        t.store.coverage_on(d("2026-03-01")).unwrap()[0].coverage,
        CoverageState::Uncovered,
        "Kasse 1 was not covered by the refused contract"
    );
}

#[test]
fn an_advisor_option_becomes_its_contracts_all_or_none() {
    let mut t = temp_store();
    let tills = add_tills(&mut t.store, 6);
    let catalog = Catalog::builtin();
    let cheapest = advise(&catalog, 6).unwrap().options.remove(0);
    assert_eq!(cheapest.net_total.to_string(), "899.00");

    // One till is already covered: the option cannot be set up, and nothing is half made.
    let mut other = temp_store();
    let other_tills = add_tills(&mut other.store, 6);
    other
        .store
        .create_contract(
            catalog.snapshot("flat").unwrap(),
            d("2026-01-01"),
            &other_tills[5..],
        )
        .unwrap();
    assert!(other
        .store
        .create_contracts_for_option(&catalog, &cheapest, d("2026-01-01"), &other_tills)
        .is_err());
    assert_eq!(other.store.contracts().unwrap().len(), 1);
    let err = other
        .store
        .create_contracts_for_option(&catalog, &cheapest, d("2026-01-01"), &other_tills[..5])
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::OptionDoesNotFit {
                option_covers: 6,
                chosen: 5
            }
        ),
        "{err:?}"
    );

    let made = t
        .store
        .create_contracts_for_option(&catalog, &cheapest, d("2026-01-01"), &tills)
        .unwrap();
    let mut sizes: Vec<(String, usize)> = made
        .iter()
        .map(|c| (c.plan.plan.id.0.clone(), c.station_ids.len()))
        .collect();
    sizes.sort();
    assert_eq!(sizes, vec![("flat".into(), 1), ("second_level".into(), 5)]);
    let coverage = t.store.coverage_on(d("2026-01-01")).unwrap();
    assert!(coverage
        .iter()
        .all(|c| c.coverage == CoverageState::Covered));
    let total: rust_decimal::Decimal = t
        .store
        .contract_statuses(d("2026-01-01"))
        .unwrap()
        .iter()
        .map(|s| s.yearly_price.as_ref().unwrap().amount)
        .sum();
    assert_eq!(total.to_string(), "899.00");
}

#[test]
fn notice_ends_the_contract_and_frees_the_stations_afterwards() {
    let mut t = temp_store();
    let tills = add_tills(&mut t.store, 1);
    let catalog = Catalog::builtin();
    let contract = t
        .store
        .create_contract(catalog.snapshot("flat").unwrap(), d("2025-01-01"), &tills)
        .unwrap();
    let ended = t
        .store
        .give_notice(&contract.id.to_string(), d("2025-12-18"), Party::Customer)
        .unwrap();
    assert_eq!(ended.ends_on(), Some(d("2026-12-31")));

    let statuses = t.store.contract_statuses(d("2026-06-01")).unwrap();
    assert_eq!(statuses[0].state, ContractState::NoticeGiven);
    assert_eq!(statuses[0].notice_today_ends_on, None);
    let coverage = t.store.coverage_on(d("2026-06-01")).unwrap();
    assert_eq!(coverage[0].covered_until, Some(d("2026-12-31")));
    assert_eq!(
        t.store.coverage_on(d("2027-01-01")).unwrap()[0].coverage,
        CoverageState::Uncovered
    );

    let again = t
        .store
        .give_notice(&contract.id.to_string(), d("2026-01-01"), Party::Vendor)
        .unwrap_err();
    assert!(
        again.to_string().contains("already received on 2025-12-18"),
        "{again}"
    );
    // The station may get a new contract from the day after the old one ends.
    t.store
        .create_contract(
            catalog.snapshot("second_level").unwrap(),
            d("2027-01-01"),
            &tills,
        )
        .unwrap();
    assert!(matches!(
        t.store
            .give_notice("not-an-id", d("2026-01-01"), Party::Customer),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_contract_keeps_the_price_it_was_sold_at() {
    let mut t = temp_store();
    let tills = add_tills(&mut t.store, 2);
    let old = Catalog::builtin();
    let new = Catalog::from_json(
        &include_str!("../../src/domain/default_catalog.json").replace("249.00", "299.00"),
    )
    .unwrap();
    t.store
        .create_contract(old.snapshot("flat").unwrap(), d("2025-01-01"), &tills[..1])
        .unwrap();
    t.store
        .create_contract(new.snapshot("flat").unwrap(), d("2026-01-01"), &tills[1..])
        .unwrap();
    let reopened = Store::open(&t.path).unwrap();
    let mut prices: Vec<String> = reopened
        .contract_statuses(d("2026-06-01"))
        .unwrap()
        .iter()
        .map(|s| s.yearly_price.as_ref().unwrap().to_string())
        .collect();
    prices.sort();
    assert_eq!(prices, vec!["249.00 EUR", "299.00 EUR"]);
}

#[test]
fn data_survives_reopening_and_the_time_zone_is_the_shops() {
    let mut t = temp_store();
    add_tills(&mut t.store, 2);
    assert_eq!(t.store.time_zone().unwrap(), chrono_tz::Europe::Berlin);
    t.store.set_time_zone(chrono_tz::Europe::Vienna).unwrap();
    drop(t.store);
    let store = Store::open(&t.path).unwrap();
    assert_eq!(store.stations().unwrap().len(), 2);
    assert_eq!(store.time_zone().unwrap(), chrono_tz::Europe::Vienna);
    let mode: String = rusqlite::Connection::open(&t.path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let t = temp_store();
    drop(t.store);
    let conn = rusqlite::Connection::open(&t.path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&t.path).err().expect("refused");
    assert!(matches!(err, StoreError::Migration { .. }), "{err:?}");
    assert!(err.to_string().contains("newer stationdesk"), "{err}");
    let version: i64 = rusqlite::Connection::open(&t.path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stationdesk.sqlite");
    std::fs::write(
        &path,
        "this is a shopping list, not a database\n".repeat(200),
    )
    .unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_second_connection_checkpoints_without_losing_anything() {
    let mut t = temp_store();
    add_tills(&mut t.store, 3);
    let checkpointer = Store::open(&t.path).unwrap();
    assert!(
        checkpointer.checkpoint().unwrap() > 0,
        "the writes waited in the WAL"
    );
    t.store.add_station("Kasse 4", "").unwrap();
    assert_eq!(
        checkpointer.stations().unwrap().len(),
        4,
        "the other connection sees every write"
    );
    drop(t.store);
    drop(checkpointer);
    assert_eq!(Store::open(&t.path).unwrap().stations().unwrap().len(), 4);
}

#[test]
fn the_admin_pin_is_kept_only_as_a_hash() {
    let mut t = temp_store();
    assert!(!t.store.has_admin_pin().unwrap());
    assert!(
        t.store.check_admin_pin("").unwrap(),
        "no PIN set: the admin screens are open"
    );
    assert!(t.store.set_admin_pin(Some("12a4")).is_err());
    assert!(t.store.set_admin_pin(Some("123")).is_err());
    t.store.set_admin_pin(Some("4711")).unwrap();
    assert!(t.store.check_admin_pin("4711").unwrap());
    assert!(t.store.check_admin_pin(" 4711 ").unwrap());
    assert!(!t.store.check_admin_pin("4712").unwrap());
    let raw: String = rusqlite::Connection::open(&t.path)
        .unwrap()
        .query_row("SELECT group_concat(value, '|') FROM settings", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!raw.contains("4711") && raw.contains("$argon2"), "{raw}");
    t.store.set_admin_pin(None).unwrap();
    assert!(t.store.check_admin_pin("0000").unwrap());
}
