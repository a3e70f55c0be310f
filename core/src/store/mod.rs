//! The local store: one SQLite file per installation, the only place that speaks SQL.
//!
//! The file lives in the platform's data directory (see [`crate::paths`]), runs in WAL mode so
//! the app and a `stationdesk-cli` call can use it at once, and is brought to the current schema
//! by versioned migrations on open. Every write is one IMMEDIATE transaction: a rule checked
//! against other rows (one contract per station) cannot race another writer, and a failed write
//! leaves nothing behind.

mod compliance;
mod desk;
mod error;
mod outage_log;
mod remote;
mod search;
mod sync;
mod tickets;
mod vendor;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use uuid::Uuid;

use crate::domain::advisor::{contract_sizes, CoverOption};
use crate::domain::contracts::{check_stations_free, Contract, ContractStatus, Notice, Party};
use crate::domain::plans::{Catalog, PlanSnapshot};
use crate::domain::stations::{clean_station_name, coverage_on, Station, StationCoverage};
use crate::domain::DomainError;
use crate::remote::ids::RemoteAddress;
use crate::wire::ChangeBody;
pub use compliance::{ComplianceUpdate, TseOutage};
pub use error::StoreError;
pub use remote::{Consent, EndReason, NewSession, RemoteSession, SessionsOf};
use stationdesk_protocol::ContractOrder;
pub use sync::{
    Applied, ArrivedEmergency, SetAside, Settled, Staff, SyncFailure, SyncState, SyncStatus,
};
pub use tickets::{
    Assignee, Attachment, CallbackAnswered, Comment, EventKind, NewTicket, PressedTicket, Quote,
    TicketDetail, TicketEvent, TicketQuery, TicketSort, TicketView,
};
pub use vendor::VendorCopy;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_stations_contracts.sql")),
        M::up(include_str!("migrations/0002_tickets.sql")),
        M::up(include_str!("migrations/0003_search_words.sql")),
        M::up(include_str!("migrations/0004_remote.sql")),
        M::up(include_str!("migrations/0005_station_newest.sql")),
        M::up(include_str!("migrations/0006_sync.sql")),
        M::up(include_str!("migrations/0007_staff.sql")),
        M::up(include_str!("migrations/0008_attachment_uploads.sql")),
        M::up_with_hook(
            include_str!("migrations/0009_typed_changes.sql"),
            sync::upgrade_legacy_outbox,
        ),
        M::up(include_str!("migrations/0010_search_inside_words.sql")),
        M::up(include_str!("migrations/0011_access_ended.sql")),
        M::up(include_str!("migrations/0012_desk_ownership_notes.sql")),
        M::up(include_str!("migrations/0013_desk_followed.sql")),
        M::up(include_str!("migrations/0014_till_compliance.sql")),
    ])
});

/// The shop's time zone until an admin sets another: dates ("today", a notice received today)
/// are the shop's dates, not UTC's.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Berlin;
const TIME_ZONE_KEY: &str = "time_zone";
/// The station this installation is the till of; unset on a back-office PC.
const TILL_STATION_KEY: &str = "till_station";
/// The Argon2 hash of the PIN that opens the admin screens from the till.
const ADMIN_PIN_KEY: &str = "admin_pin_hash";

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if need be) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::DataDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let open_error = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        // NORMAL is durable in WAL mode except for the last transactions on power loss; the
        // emergency button will ask for FULL on its own writes.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // A pulled page applies each change on a savepoint; its undo pages stay in memory
        // instead of a temporary file written for every change.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_error)?;
        // Checkpoints are the background checkpointer's job (see `checkpoint`); SQLite's own, run
        // inside whichever commit lets the WAL cross the line, stays as a safety net at 40 MB
        // instead of 4 MB, so that an emergency press does not copy the WAL into the database.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(open_error)?;
        MIGRATIONS
            .to_latest(&mut conn)
            .map_err(|source| StoreError::Migration {
                path: path.to_owned(),
                source,
            })?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// Copies what the WAL holds into the database file without blocking anyone (a passive
    /// checkpoint), and returns how many WAL frames are now in the file. Meant for a connection
    /// of its own, run often enough that SQLite's own checkpoint (after 10,000 pages, inside
    /// whichever commit crosses that line) never falls to an emergency press. The last
    /// connection to close checkpoints too, so a short-lived CLI run leaves no long WAL behind.
    pub fn checkpoint(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(2))?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    pub fn time_zone(&self) -> Result<Tz, StoreError> {
        match self.setting(TIME_ZONE_KEY)? {
            None => Ok(DEFAULT_TIME_ZONE),
            Some(name) => {
                Tz::from_str(&name).map_err(|_| StoreError::Corrupt(format!("time zone {name:?}")))
            }
        }
    }

    pub fn set_time_zone(&mut self, zone: Tz) -> Result<(), StoreError> {
        let tx = self.write()?;
        put_setting(&tx, TIME_ZONE_KEY, Some(zone.name()))?;
        Ok(tx.commit()?)
    }

    /// The station this PC is the till of, if it is one: the app then opens in till mode.
    pub fn till_station(&self) -> Result<Option<Station>, StoreError> {
        // A station removed since is no reason to refuse to start: back to the admin screens.
        Ok(self
            .setting(TILL_STATION_KEY)?
            .and_then(|id| find_station(&self.conn, &id).ok()))
    }

    pub fn set_till_station(
        &mut self,
        station: Option<&str>,
    ) -> Result<Option<Station>, StoreError> {
        let enrolled_as = self.enrolment()?.and_then(|state| state.station_id);
        let tx = self.write()?;
        let station = station.map(|r| find_station(&tx, r)).transpose()?;
        // The server knows this PC as one station: pressing here for another would file its
        // emergencies under a station whose till this is not.
        if let (Some(chosen), Some(own)) = (&station, enrolled_as) {
            if chosen.id != own {
                let own = find_station(&tx, &own.to_string()).map_or(own.to_string(), |s| s.name);
                return Err(StoreError::NotThisTill(own));
            }
        }
        put_setting(
            &tx,
            TILL_STATION_KEY,
            station.as_ref().map(|s| s.id.to_string()).as_deref(),
        )?;
        tx.commit()?;
        Ok(station)
    }

    /// Sets (or with `None` removes) the PIN a till asks for before it shows the admin screens.
    /// Only its Argon2 hash is stored.
    pub fn set_admin_pin(&mut self, pin: Option<&str>) -> Result<(), StoreError> {
        let hash = pin.map(hash_pin).transpose()?;
        let tx = self.write()?;
        put_setting(&tx, ADMIN_PIN_KEY, hash.as_deref())?;
        Ok(tx.commit()?)
    }

    pub fn has_admin_pin(&self) -> Result<bool, StoreError> {
        Ok(self.admin_pin_hash()?.is_some())
    }

    /// Whether `pin` opens the admin screens: always, when no PIN is set.
    pub fn check_admin_pin(&self, pin: &str) -> Result<bool, StoreError> {
        let Some(stored) = self.admin_pin_hash()? else {
            return Ok(true);
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| StoreError::Corrupt(format!("admin PIN hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(pin.trim().as_bytes(), &parsed)
            .is_ok())
    }

    fn admin_pin_hash(&self) -> Result<Option<String>, StoreError> {
        self.setting(ADMIN_PIN_KEY)
    }

    /// A setting as kept, `None` when it was never set.
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Today's date in the shop's time zone.
    pub fn today(&self) -> Result<NaiveDate, StoreError> {
        Ok(Utc::now().with_timezone(&self.time_zone()?).date_naive())
    }

    // ----- stations -----

    pub fn add_station(&mut self, name: &str, location: &str) -> Result<Station, StoreError> {
        let name = clean_station_name(name)?;
        let now = Utc::now();
        let station = Station {
            id: Uuid::now_v7(),
            name,
            location: location.trim().to_owned(),
            created_at: now,
            updated_at: now,
            remote: None,
            compliance: None,
        };
        let tx = self.write()?;
        insert_station(&tx, &station)?;
        tx.commit()?;
        Ok(station)
    }

    /// After enrolment: this PC is the till of `id`, the station the server knows it by. The
    /// record is made here when this PC did not have it (and sent, so the shop's admins see it
    /// with its details), and the PC opens in till mode on it.
    pub fn become_till_of(&mut self, id: Uuid, name: &str) -> Result<Station, StoreError> {
        let tx = self.write()?;
        let station = match find_station(&tx, &id.to_string()) {
            Ok(station) => station,
            Err(StoreError::NotFound { .. }) => {
                let now = Utc::now();
                let station = Station {
                    id,
                    name: clean_station_name(name)?,
                    location: String::new(),
                    created_at: now,
                    updated_at: now,
                    remote: None,
                    compliance: None,
                };
                insert_station(&tx, &station)?;
                station
            }
            Err(error) => return Err(error),
        };
        put_setting(&tx, TILL_STATION_KEY, Some(&id.to_string()))?;
        tx.commit()?;
        Ok(station)
    }

    pub fn rename_station(&mut self, reference: &str, name: &str) -> Result<Station, StoreError> {
        let name = clean_station_name(name)?;
        let tx = self.write()?;
        let mut station = find_station(&tx, reference)?;
        station.name = name;
        station.updated_at = Utc::now();
        tx.execute(
            "UPDATE stations SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![
                station.id.to_string(),
                station.name,
                utc_text(station.updated_at)
            ],
        )
        .map_err(|e| StoreError::from_name_clash(e, &station.name))?;
        tickets::enqueue(
            &tx,
            ChangeBody::StationRecorded {
                station: station.clone(),
            },
        )?;
        tx.commit()?;
        Ok(station)
    }

    pub fn stations(&self) -> Result<Vec<Station>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {STATION_COLUMNS} FROM stations ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([], station_row)?;
        rows.map(|r| r?).collect()
    }

    /// A station by its id or by its name (names are unique, ignoring case).
    pub fn station(&self, reference: &str) -> Result<Station, StoreError> {
        find_station(&self.conn, reference)
    }

    /// Every station with the contract covering it on `day`; uncovered ones included.
    pub fn coverage_on(&self, day: NaiveDate) -> Result<Vec<StationCoverage>, StoreError> {
        Ok(coverage_on(&self.stations()?, &self.contracts()?, day))
    }

    // ----- contracts -----

    /// Makes one contract of `plan` for the stations named (ids or names).
    pub fn create_contract(
        &mut self,
        plan: PlanSnapshot,
        start: NaiveDate,
        stations: &[String],
    ) -> Result<Contract, StoreError> {
        let tx = self.write()?;
        let ids = stations
            .iter()
            .map(|r| find_station(&tx, r).map(|s| s.id))
            .collect::<Result<Vec<_>, _>>()?;
        let contract = Contract::new(plan, start, ids, stored_now())?;
        insert_new_contract(&tx, &contract)?;
        tx.commit()?;
        Ok(contract)
    }

    /// Makes every contract of an advisor option at once, for the given stations in order: all
    /// of them or, if one breaks a rule, none.
    pub fn create_contracts_for_option(
        &mut self,
        catalog: &Catalog,
        option: &CoverOption,
        start: NaiveDate,
        stations: &[String],
    ) -> Result<Vec<Contract>, StoreError> {
        let needed: u32 = option.items.iter().map(|i| i.stations).sum();
        if usize::try_from(needed).ok() != Some(stations.len()) {
            return Err(StoreError::OptionDoesNotFit {
                option_covers: needed,
                chosen: stations.len(),
            });
        }
        let tx = self.write()?;
        let ids = stations
            .iter()
            .map(|r| find_station(&tx, r).map(|s| s.id))
            .collect::<Result<Vec<_>, _>>()?;
        let mut unassigned = ids.as_slice();
        let mut made = Vec::new();
        for item in &option.items {
            let plan = catalog.snapshot(&item.plan.0)?;
            for size in contract_sizes(&plan.plan.pricing, item.contracts, item.stations)? {
                let (these, rest) = unassigned.split_at(size as usize);
                unassigned = rest;
                let contract = Contract::new(plan.clone(), start, these.to_vec(), stored_now())?;
                insert_new_contract(&tx, &contract)?;
                made.push(contract);
            }
        }
        tx.commit()?;
        Ok(made)
    }

    pub fn give_notice(
        &mut self,
        contract_id: &str,
        received: NaiveDate,
        by: Party,
    ) -> Result<Contract, StoreError> {
        let id = parse_id(contract_id, "contract")?;
        let tx = self.write()?;
        let mut contract =
            load_contracts(&tx, Some(id))?
                .pop()
                .ok_or_else(|| StoreError::NotFound {
                    what: "contract",
                    reference: contract_id.to_owned(),
                })?;
        let Notice {
            received_on,
            by,
            effective_on,
        } = contract.give_notice(received, by)?.clone();
        tx.execute(
            "UPDATE contracts SET notice_received = ?2, notice_by = ?3, ends_on = ?4, updated_at = ?5 WHERE id = ?1",
            params![id.to_string(), received_on, by.as_str(), effective_on, utc_text(Utc::now())],
        )?;
        tx.execute(
            "UPDATE contracts SET awaiting_confirmation = 1 WHERE id = ?1",
            [id.to_string()],
        )?;
        tickets::enqueue(
            &tx,
            ChangeBody::ContractNoticeGiven {
                contract_id: contract.id,
            },
        )?;
        tx.commit()?;
        Ok(contract)
    }

    pub fn contracts(&self) -> Result<Vec<Contract>, StoreError> {
        load_contracts(&self.conn, None)
    }

    /// Every contract with its terms as of `today`, newest start first.
    pub fn contract_statuses(&self, today: NaiveDate) -> Result<Vec<ContractStatus>, StoreError> {
        let awaiting = self
            .conn
            .prepare_cached("SELECT id FROM contracts WHERE awaiting_confirmation")?
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|id| parse_uuid(id?))
            .collect::<Result<std::collections::HashSet<Uuid>, StoreError>>()?;
        let mut statuses = self
            .contracts()?
            .iter()
            .map(|c| {
                c.status_on(today).map(|status| ContractStatus {
                    awaiting_confirmation: awaiting.contains(&c.id),
                    ..status
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        statuses.sort_by(|a, b| {
            b.contract
                .start
                .cmp(&a.contract.start)
                .then(a.contract.id.cmp(&b.contract.id))
        });
        Ok(statuses)
    }
}

/// A new station, made here, on its way to the server.
fn insert_station(tx: &Transaction<'_>, station: &Station) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO stations (id, name, location, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            station.id.to_string(),
            station.name,
            station.location,
            utc_text(station.created_at),
            utc_text(station.updated_at)
        ],
    )
    .map_err(|e| StoreError::from_name_clash(e, &station.name))?;
    tickets::enqueue(
        tx,
        ChangeBody::StationRecorded {
            station: station.clone(),
        },
    )?;
    Ok(())
}

/// Keeps a setting, or with `None` removes it.
fn put_setting(tx: &Transaction<'_>, key: &str, value: Option<&str>) -> Result<(), StoreError> {
    match value {
        Some(value) => tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

fn hash_pin(pin: &str) -> Result<String, StoreError> {
    let pin = crate::domain::tickets::clean_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Corrupt(format!("cannot hash the PIN: {e}")))
}

fn utc_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Now, to the millisecond the database keeps, so that a record returned by a write equals the
/// same record read back.
fn stored_now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(3)
}

fn parse_id(text: &str, what: &'static str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text.trim()).map_err(|_| StoreError::NotFound {
        what,
        reference: text.to_owned(),
    })
}

fn station_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Station, StoreError>> {
    let (id, name, location): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    let (created_at, updated_at) = (row.get(3)?, row.get(4)?);
    let remote: Option<(String, String)> = match (row.get(5)?, row.get(6)?) {
        (Some(tool), Some(remote_id)) => Some((tool, remote_id)),
        _ => None,
    };
    let compliance: Option<String> = row.get(7)?;
    Ok((|| {
        Ok(Station {
            id: parse_uuid(id)?,
            name,
            location,
            created_at,
            updated_at,
            remote: remote
                .map(|(tool, remote_id)| {
                    RemoteAddress::parse(stored(&tool)?, &remote_id)
                        .map_err(|e| StoreError::Corrupt(format!("remote id of a station: {e}")))
                })
                .transpose()?,
            compliance: compliance
                .map(|json| {
                    serde_json::from_str(&json)
                        .map_err(|e| StoreError::Corrupt(format!("a till's compliance facts: {e}")))
                })
                .transpose()?,
        })
    })())
}

/// The station columns every query reads, in `station_row`'s order.
const STATION_COLUMNS: &str =
    "id, name, location, created_at, updated_at, remote_tool, remote_id, compliance";

/// A stored enum value; anything else means the file was changed behind our back.
pub(super) fn stored<T: std::str::FromStr<Err = DomainError>>(text: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|e: DomainError| StoreError::Corrupt(e.to_string()))
}

pub(super) fn parse_uuid(text: String) -> Result<Uuid, StoreError> {
    Uuid::parse_str(&text).map_err(|_| StoreError::Corrupt(format!("id {text:?}")))
}

pub(super) fn find_station(conn: &Connection, reference: &str) -> Result<Station, StoreError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {STATION_COLUMNS} FROM stations WHERE id = ?1 OR name = ?1 COLLATE NOCASE"
            ),
            [reference.trim()],
            station_row,
        )
        .optional()?;
    found.transpose()?.ok_or_else(|| StoreError::NotFound {
        what: "station",
        reference: reference.to_owned(),
    })
}

/// A contract made here: checked against the others, and sent to the server.
fn insert_new_contract(tx: &Transaction<'_>, contract: &Contract) -> Result<(), StoreError> {
    let existing = load_contracts(tx, None)?;
    check_stations_free(contract, &existing, |id| {
        find_station(tx, &id.to_string()).map_or_else(|_| id.to_string(), |s| s.name)
    })?;
    write_contract(tx, contract)?;
    tx.execute(
        "UPDATE contracts SET awaiting_confirmation = 1 WHERE id = ?1",
        [contract.id.to_string()],
    )?;
    tickets::enqueue(
        tx,
        ChangeBody::ContractOrdered {
            order: ContractOrder {
                contract_id: contract.id,
                plan_id: contract.plan.plan.id.0.clone(),
                start: contract.start,
                station_ids: contract.station_ids.clone(),
            },
        },
    )
}

/// A contract's rows as given, replacing what was here: contracts are the server's to decide,
/// so a pulled one is taken as it is.
fn write_contract(tx: &Connection, contract: &Contract) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM contract_stations WHERE contract_id = ?1",
        [contract.id.to_string()],
    )?;
    tx.execute(
        "DELETE FROM contracts WHERE id = ?1",
        [contract.id.to_string()],
    )?;
    let snapshot =
        serde_json::to_string(&contract.plan).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = utc_text(contract.created_at);
    let notice = contract.notice.as_ref();
    tx.execute(
        "INSERT INTO contracts (id, plan_id, plan_snapshot, start_date, notice_received, notice_by,
                                ends_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            contract.id.to_string(),
            contract.plan.plan.id.0,
            snapshot,
            contract.start,
            notice.map(|n| n.received_on),
            notice.map(|n| n.by.as_str()),
            notice.map(|n| n.effective_on),
            now
        ],
    )?;
    let mut link = tx.prepare_cached(
        "INSERT INTO contract_stations (contract_id, station_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, station) in contract.station_ids.iter().enumerate() {
        link.execute(params![
            contract.id.to_string(),
            station.to_string(),
            position as i64
        ])?;
    }
    Ok(())
}

fn load_contracts(conn: &Connection, only: Option<Uuid>) -> Result<Vec<Contract>, StoreError> {
    let only = only.map(|id| id.to_string());
    let mut links: HashMap<String, Vec<Uuid>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT contract_id, station_id FROM contract_stations
         WHERE ?1 IS NULL OR contract_id = ?1 ORDER BY contract_id, position",
    )?;
    let mut rows = stmt.query([&only])?;
    while let Some(row) = rows.next()? {
        let station: String = row.get(1)?;
        let station = Uuid::parse_str(&station)
            .map_err(|_| StoreError::Corrupt(format!("station id {station:?}")))?;
        links.entry(row.get(0)?).or_default().push(station);
    }

    let mut stmt = conn.prepare_cached(
        "SELECT id, plan_snapshot, start_date, notice_received, notice_by, ends_on, created_at
         FROM contracts WHERE ?1 IS NULL OR id = ?1 ORDER BY start_date, id",
    )?;
    let mut rows = stmt.query([&only])?;
    let mut contracts = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let snapshot: String = row.get(1)?;
        let notice_by: Option<String> = row.get(4)?;
        let notice = match (
            row.get::<_, Option<NaiveDate>>(3)?,
            notice_by,
            row.get::<_, Option<NaiveDate>>(5)?,
        ) {
            (Some(received_on), Some(by), Some(effective_on)) => Some(Notice {
                received_on,
                by: Party::from_str(&by).map_err(StoreError::Corrupt)?,
                effective_on,
            }),
            _ => None,
        };
        contracts.push(Contract {
            id: Uuid::parse_str(&id)
                .map_err(|_| StoreError::Corrupt(format!("contract id {id:?}")))?,
            plan: serde_json::from_str(&snapshot)
                .map_err(|e| StoreError::Corrupt(format!("plan of contract {id}: {e}")))?,
            start: row.get(2)?,
            station_ids: links.remove(&id).unwrap_or_default(),
            notice,
            created_at: row.get(6)?,
        });
    }
    Ok(contracts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk is simulated by capping the file's pages: SQLite then fails exactly as it
    /// does on ENOSPC, with SQLITE_FULL.
    #[test]
    fn a_full_disk_is_a_clear_error_and_loses_nothing_already_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("full.sqlite")).unwrap();
        store.add_station("Kasse 1", "").unwrap();
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();

        let long_location = "x".repeat(3000);
        let mut error = None;
        for n in 2..200 {
            if let Err(e) = store.add_station(&format!("Kasse {n}"), &long_location) {
                error = Some(e);
                break;
            }
        }
        let error = error.expect("the capped database filled up");
        assert!(matches!(error, StoreError::DiskFull), "{error:?}");
        assert!(error.to_string().contains("disk is full"), "{error}");
        assert!(store
            .stations()
            .unwrap()
            .iter()
            .any(|s| s.name == "Kasse 1"));
    }
}
