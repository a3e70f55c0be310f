//! The server's own tables and the rules of keeping them, written once over the SQL layer
//! ([`crate::storage::sql`]) for SQLite and PostgreSQL alike: the history and its projection
//! (changes.rs), the vendor's books (billing.rs), accounts and sessions (account_book.rs), the
//! desk's queries (desk.rs), and here the [`Storage`] they make up, with what every backend
//! keeps in memory beside its database.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::store::DEFAULT_TIME_ZONE as VENDOR_TIME_ZONE;
use stationdesk_protocol::{
    BlobStatus, ChangeResult, NewShop, NewStaff, PullResponse, Role, Shop, StaffMember, MAX_BLOB,
};
use uuid::Uuid;

use super::memory::{Callers, Committed, HeadOf, Heads};
use super::sql::{Access, Database, Dialect, Elsewhere, PgDatabase, Sql, SqliteDatabase};
use super::{Caller, Pushed, Storage, StorageError, TokenState};
use crate::accounts::{self, hex_sha256, random_secret, secret_hash};
use crate::args;
use crate::blobs;
use crate::policy::{self, Reach};
use crate::quota::Usage;

mod account_book;
mod billing;
pub(crate) mod changes;
mod desk;
mod mail;

pub use changes::PULL_PAGE_BYTES;

/// The connections each server process keeps to PostgreSQL, unless `--pool-size` says more.
pub const DEFAULT_POOL_SIZE: u32 = 16;

pub struct SqlStorage {
    db: Box<dyn Database>,
    callers: Callers,
    heads: Heads,
    /// The history's bytes per shop and till, for the quotas.
    usage: Mutex<Usage>,
}

/// Reads back the newest revision in each reach.
fn load_heads(db: &dyn Sql, heads: &Heads) -> Result<(), StorageError> {
    let all: Option<i64> = db.one("SELECT max(revision) FROM changes", &[])?;
    heads.load_all(all.and_then(|r| u64::try_from(r).ok()).unwrap_or(0));
    for (sql, of) in [
        (
            "SELECT shop_id, max(shop_seq) FROM changes WHERE NOT staff_only GROUP BY shop_id",
            HeadOf::Shop,
        ),
        (
            "SELECT station_id, max(shop_seq) FROM changes WHERE station_id IS NOT NULL AND NOT staff_only GROUP BY station_id",
            HeadOf::Station,
        ),
        (
            "SELECT shop_id, max(shop_seq) FROM changes WHERE shared GROUP BY shop_id",
            HeadOf::Shared,
        ),
    ] {
        for (id, shop_seq) in db.all::<(Uuid, i64)>(sql, &[])? {
            heads.load(of, id, u64::try_from(shop_seq).unwrap_or(0));
        }
    }
    Ok(())
}

impl SqlStorage {
    /// The storage the `--db` argument names: a `postgres://` or `postgresql://` address, or
    /// the path of a SQLite file.
    pub fn open(db: &str, pool_size: u32) -> Result<SqlStorage, StorageError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            SqlStorage::over(Box::new(PgDatabase::open(db, pool_size)?))
        } else {
            SqlStorage::open_sqlite(Path::new(db))
        }
    }

    pub fn open_sqlite(path: &Path) -> Result<SqlStorage, StorageError> {
        SqlStorage::over(Box::new(SqliteDatabase::open(path)?))
    }

    fn over(db: Box<dyn Database>) -> Result<SqlStorage, StorageError> {
        let heads = Heads::default();
        let usage = {
            let tx = db.begin(Access::Read)?;
            load_heads(&*tx, &heads)?;
            changes::usage(&*tx)?
        };
        Ok(SqlStorage {
            db,
            callers: Callers::default(),
            heads,
            usage: Mutex::new(usage),
        })
    }

    /// Projects the whole history into the server's tables again (after a fix to how a
    /// change is projected); the number of changes replayed.
    pub fn rebuild_tables(&self) -> Result<usize, StorageError> {
        self.write(changes::rebuild_tables)
    }

    /// The server's tables as text, to compare two states.
    pub fn tables_digest(&self) -> Result<String, StorageError> {
        self.read(changes::tables_digest)
    }

    /// `work` in a transaction that only reads.
    fn read<T>(
        &self,
        work: impl FnOnce(&dyn Sql) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        work(&*self.db.begin(Access::Read)?)
    }

    /// `work` in a transaction that writes, committed when it succeeds.
    fn write<T>(
        &self,
        work: impl FnOnce(&dyn Sql) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        self.write_touching_callers(true, work)
    }

    /// [`SqlStorage::write`] for what leaves every remembered caller as it is (a token used, a
    /// session opened, a line in the security log): the other processes keep theirs, so the
    /// frequent writes of a busy server do not send every caller back to the database.
    fn write_leaving_callers<T>(
        &self,
        work: impl FnOnce(&dyn Sql) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        self.write_touching_callers(false, work)
    }

    fn write_touching_callers<T>(
        &self,
        callers: bool,
        work: impl FnOnce(&dyn Sql) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let tx = self.db.begin(Access::Write)?;
        if !callers {
            tx.leaves_callers();
        }
        let done = work(&*tx)?;
        tx.commit()?;
        Ok(done)
    }
}

fn role_of(text: &str) -> Result<Role, StorageError> {
    Role::parse(text)
        .ok_or_else(|| StorageError::Backend(format!("unknown role {text:?} in the database")))
}

impl Storage for SqlStorage {
    fn desk_queue(
        &self,
        query: &crate::desk::DeskQuery,
        me: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<stationdesk_protocol::DeskPage, StorageError> {
        self.read(|db| desk::queue(db, query, me, now, calendar))
    }

    fn desk_ticket(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Option<stationdesk_protocol::DeskTicket>, StorageError> {
        self.read(|db| desk::ticket(db, id, now, calendar))
    }

    fn desk_shop(
        &self,
        shop: Uuid,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Option<stationdesk_protocol::DeskShop>, StorageError> {
        self.read(|db| desk::shop(db, shop, now, calendar))
    }

    fn desk_compliance(
        &self,
        shop: Option<Uuid>,
        on: chrono::NaiveDate,
    ) -> Result<Vec<stationdesk_protocol::DeskCompliance>, StorageError> {
        self.read(|db| desk::compliance(db, shop, on))
    }

    fn desk_callbacks(
        &self,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<Vec<stationdesk_protocol::DeskTicket>, StorageError> {
        self.read(|db| desk::callbacks(db, now, calendar))
    }

    fn desk_report(
        &self,
        month: chrono::NaiveDate,
        now: DateTime<Utc>,
        calendar: &SupportCalendar,
    ) -> Result<stationdesk_protocol::DeskReport, StorageError> {
        self.read(|db| desk::report(db, month, now, calendar))
    }

    fn desk_history(
        &self,
        tickets: &[stationdesk_protocol::FollowedTicket],
    ) -> Result<stationdesk_protocol::DeskChanges, StorageError> {
        self.read(|db| desk::history(db, tickets))
    }

    fn follow_other_writers(&self) -> Result<bool, StorageError> {
        let (heads, callers) = match self.db.elsewhere()? {
            Elsewhere::Nothing => (false, false),
            Elsewhere::Unknown => {
                self.read(|db| load_heads(db, &self.heads))?;
                (true, true)
            }
            Elsewhere::Heads { moved, callers } => {
                self.heads.merge(&moved);
                (moved.moves_any(), callers)
            }
        };
        // Another process (an operator's command, another server) may have ended tokens or
        // deactivated someone.
        if callers {
            self.callers.clear();
        }
        Ok(heads)
    }

    fn create_shop(&self, shop: &NewShop) -> Result<Uuid, StorageError> {
        self.write(|db| insert_shop(db, shop))
    }

    fn first_run(&self, shop: &NewShop, admin: &NewStaff) -> Result<Uuid, StorageError> {
        let admin = NewStaff {
            shop_id: Some(Uuid::nil()),
            ..admin.clone()
        };
        let hash = accounts::new_staff_hash(&admin)?;
        // One transaction: two set-ups at once cannot both find the server empty, and a shop
        // never stays behind without its admin.
        self.write(|db| {
            // Two processes on one PostgreSQL: the second waits here, then finds an account.
            // (SQLite's writing transaction holds its one write lock already.)
            if db.dialect() == Dialect::Postgres {
                db.run("LOCK TABLE users IN EXCLUSIVE MODE", &[])?;
            }
            let accounts: i64 = db.one("SELECT count(*) FROM users", &[])?;
            if accounts > 0 {
                return Err(StorageError::Conflict(
                    "this server is set up already; sign in, or ask its operator for an enrolment code"
                        .into(),
                ));
            }
            let id = insert_shop(db, shop)?;
            insert_user(
                db,
                &NewStaff {
                    shop_id: Some(id),
                    ..admin
                },
                &hash,
            )?;
            Ok(id)
        })
    }

    fn shops(&self, only: Option<Uuid>) -> Result<Vec<Shop>, StorageError> {
        let rows: Vec<(Uuid, String, bool)> = self.read(|db| {
            db.all(
                "SELECT id, name, second_level FROM shops
             WHERE CAST(?1 AS TEXT) IS NULL OR id = ?1 ORDER BY name",
                args![only],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, second_level)| Shop {
                id,
                name,
                second_level,
            })
            .collect())
    }

    fn create_user(&self, staff: &NewStaff) -> Result<Uuid, StorageError> {
        let hash = accounts::new_staff_hash(staff)?;
        self.write(|db| insert_user(db, staff, &hash))
    }

    fn staff(&self, shop: Option<Uuid>) -> Result<Vec<StaffMember>, StorageError> {
        type StaffRow = (
            Uuid,
            String,
            String,
            String,
            Option<Uuid>,
            bool,
            bool,
            bool,
            Option<String>,
        );
        let rows: Vec<StaffRow> = self.read(|db| {
            db.all(
                "SELECT id, email, name, role, shop_id, named_contact, active,
                    totp_secret IS NOT NULL, phone
             FROM users WHERE CAST(?1 AS TEXT) IS NULL OR shop_id = ?1 ORDER BY name, email",
                args![shop],
            )
        })?;
        rows.into_iter()
            .map(
                |(id, email, name, role, shop_id, named_contact, active, two_factor, phone)| {
                    Ok(StaffMember {
                        id,
                        email,
                        name,
                        role: role_of(&role)?,
                        shop_id,
                        named_contact,
                        active,
                        two_factor,
                        phone,
                    })
                },
            )
            .collect()
    }

    fn set_phone(&self, account: Uuid, phone: Option<&str>) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE users SET phone = ?2 WHERE id = ?1",
                args![account, phone],
            )
        })
        .map(drop)
    }

    fn issue_enrolment_code(
        &self,
        shop: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        let code = random_secret();
        self.write(|db| {
            shop_exists(db, shop)?;
            db.run(
                "INSERT INTO enrolment_codes (code_hash, shop_id, expires_at) VALUES (?1, ?2, ?3)",
                args![secret_hash(&code), shop, expires_at],
            )
        })?;
        Ok(code)
    }

    fn enrol(
        &self,
        code: &str,
        station_name: &str,
        wanted: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Uuid, Uuid, String), StorageError> {
        // The same rule as a station record the door admits: no empty, oversized or
        // multi-line names reach the shop's lists.
        let station_name = stationdesk_core::domain::stations::clean_station_name(station_name)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let station_name = station_name.as_str();
        let tx = self.db.begin(Access::Write)?;
        let db: &dyn Sql = &*tx;
        let shop: Uuid = db
            .row(
                "UPDATE enrolment_codes SET used_at = ?2
                 WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2
                 RETURNING shop_id",
                args![secret_hash(code), now],
            )?
            .ok_or(StorageError::BadEnrolmentCode)?;
        let station = match enrolled_station(db, shop, station_name, wanted)? {
            Some(station) => station,
            None => {
                let station = wanted.unwrap_or_else(Uuid::now_v7);
                db.run(
                    "INSERT INTO stations (id, shop_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                    args![station, shop, station_name, now],
                )?;
                station
            }
        };
        let token = random_secret();
        db.run(
            "INSERT INTO tokens (token_hash, role, shop_id, station_id, name, created_at, last_used_at)
             VALUES (?1, 'station', ?2, ?3, ?4, ?5, ?5)",
            args![secret_hash(&token), shop, station, station_name, now],
        )?;
        tx.commit()?;
        Ok((shop, station, token))
    }

    fn ping(&self) -> Result<(), StorageError> {
        // `/healthz` answers anyone: the cause (a host, a database's name) goes to the log.
        self.read(|db| db.one::<i64>("SELECT 1", &[]))
            .map(drop)
            .map_err(|error| {
                tracing::warn!(%error, "the database does not answer");
                StorageError::Backend(format!("{} does not answer", self.db.name()))
            })
    }

    fn known_caller(&self, token: &str) -> Option<Caller> {
        self.callers.get(token)
    }

    fn known_head(&self, caller: &Caller) -> Option<u64> {
        Some(self.heads.of(&policy::reach(caller)))
    }

    fn caller(&self, token: &str) -> Result<TokenState, StorageError> {
        let state = self.read(|db| account_book::token_state(db, &secret_hash(token)))?;
        if let TokenState::Active(caller) = &state {
            self.callers.remember(token, caller.clone());
        }
        Ok(state)
    }

    fn push(
        &self,
        caller: &Caller,
        changes: &[Pushed],
        now: DateTime<Utc>,
    ) -> Result<Vec<ChangeResult>, StorageError> {
        let today = now.with_timezone(&VENDOR_TIME_ZONE).date_naive();
        let tx = self.db.begin(Access::Write)?;
        tx.lock_history()?;
        tx.leaves_callers();
        let mut results = Vec::with_capacity(changes.len());
        let mut applied = Vec::new();
        let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
        let catalog = billing::catalog_on(&*tx, today)?;
        let mut push = changes::Push {
            caller,
            catalog: &catalog,
            today,
            now,
            usage: &mut usage,
            taken: Vec::new(),
        };
        let (mut known, read) = changes::Known::of(&*tx, changes.iter().map(|p| &*p.raw))?;
        let outcome = changes.iter().zip(read).try_for_each(|(pushed, read)| {
            let (outcome, stored) = changes::apply(&mut known, &mut push, read)?;
            if let Some((stored, scope)) = stored {
                applied.push(Committed {
                    revision: u64::try_from(stored.revision).unwrap_or(0),
                    shop_seq: u64::try_from(stored.shop_seq).unwrap_or(0),
                    scope,
                });
            }
            results.push(ChangeResult {
                change_id: pushed.change_id,
                outcome,
            });
            Ok::<(), StorageError>(())
        });
        tx.committed(&applied);
        if let Err(error) = outcome.and_then(|()| tx.commit()) {
            for (owner, bytes) in push.taken {
                push.usage.give_back(owner, bytes);
            }
            return Err(error);
        }
        drop(usage);
        self.heads.record(&applied);
        Ok(results)
    }

    fn pull(
        &self,
        caller: &Caller,
        after: u64,
        limit: usize,
    ) -> Result<PullResponse, StorageError> {
        self.read(|db| changes::pull(db, policy::reach(caller), after, limit))
    }

    fn blob_status(&self, caller: &Caller, sha256: &str) -> Result<BlobStatus, StorageError> {
        let sha256 = checked_hash(sha256)?;
        self.read(|db| {
            let shop = content_shop(db, caller, &sha256)?;
            Ok(own_blob(db, &shop, &sha256)?.unwrap_or(BlobStatus {
                sha256,
                received: 0,
                size: None,
                complete: false,
            }))
        })
    }

    fn blob_append(
        &self,
        caller: &Caller,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobStatus, StorageError> {
        let sha256 = checked_hash(sha256)?;
        if total == 0 || total > MAX_BLOB {
            return Err(StorageError::Invalid(format!(
                "an attachment has 1 byte to {} MiB, not {total} bytes",
                MAX_BLOB / 1_048_576
            )));
        }
        if bytes.is_empty() {
            return Err(StorageError::Invalid(
                "an upload part carries at least one byte".into(),
            ));
        }
        let now = Utc::now();
        let me = caller.account.to_string();
        let tx = self.db.begin(Access::Write)?;
        let db: &dyn Sql = &*tx;
        db.run(
            "DELETE FROM blobs WHERE NOT complete AND updated_at < ?1",
            args![now - blobs::UNFINISHED_KEPT],
        )?;
        let shop = content_shop(db, caller, &sha256)?;
        let begun = own_blob(db, &shop, &sha256)?;
        let uploader: Option<(String, DateTime<Utc>)> = db.row(
            "SELECT uploader, updated_at FROM blobs WHERE sha256 = ?1 AND owner = ?2",
            args![&sha256, &shop],
        )?;
        let status = match (begun, uploader) {
            (Some(status), _) if status.complete => return Ok(status),
            (Some(status), Some((uploader, moved))) => {
                match blobs::may_go_on(&uploader, &me, moved, now) {
                    blobs::Upload::Refused(reason) => return Err(StorageError::Conflict(reason)),
                    blobs::Upload::GoOn
                        if status.size == Some(total) && !(offset == 0 && status.received > 0) =>
                    {
                        status
                    }
                    // Its uploader starts again, with another size, or takes over a stalled one.
                    _ => {
                        db.run(
                            "DELETE FROM blobs WHERE sha256 = ?1 AND owner = ?2",
                            args![&sha256, &shop],
                        )?;
                        begin_blob(db, &shop, &sha256, total, &me, now)?
                    }
                }
            }
            _ => begin_blob(db, &shop, &sha256, total, &me, now)?,
        };
        if offset != status.received {
            return Err(StorageError::Conflict(format!(
                "the upload is at byte {}, not {offset}; send from there",
                status.received
            )));
        }
        let received = offset + bytes.len() as u64;
        if received > total {
            return Err(StorageError::Invalid(format!(
                "{received} bytes are more than the {total} announced"
            )));
        }
        db.run(
            "INSERT INTO blob_chunks (sha256, owner, \"offset\", bytes) VALUES (?1, ?2, ?3, ?4)",
            args![
                &sha256,
                &shop,
                i64::try_from(offset).unwrap_or(i64::MAX),
                bytes
            ],
        )?;
        let complete = received == total;
        if complete && hex_sha256(&read_chunks(db, &shop, &sha256)?) != sha256 {
            db.run(
                "DELETE FROM blobs WHERE sha256 = ?1 AND owner = ?2",
                args![&sha256, &shop],
            )?;
            tx.commit()?;
            return Err(StorageError::Invalid(
                "the content does not match its SHA-256 and was not kept; upload it again from the start".into(),
            ));
        }
        db.run(
            "UPDATE blobs SET received = ?3, complete = ?4, updated_at = ?5 WHERE sha256 = ?1 AND owner = ?2",
            args![
                &sha256,
                &shop,
                i64::try_from(received).unwrap_or(i64::MAX),
                complete,
                now
            ],
        )?;
        tx.commit()?;
        Ok(BlobStatus {
            received,
            complete,
            ..status
        })
    }

    fn blob(&self, caller: &Caller, sha256: &str) -> Result<Vec<u8>, StorageError> {
        let sha256 = checked_hash(sha256)?;
        self.read(|db| {
            let shop = content_shop(db, caller, &sha256)?;
            match own_blob(db, &shop, &sha256)? {
                Some(status) if status.complete => read_chunks(db, &shop, &sha256),
                _ => Err(StorageError::NotFound(format!(
                    "no attachment content {sha256} here (yet)"
                ))),
            }
        })
    }

    fn backup(&self, target: &Path) -> Result<(), StorageError> {
        self.db.backup(target)
    }
}

fn insert_shop(db: &dyn Sql, shop: &NewShop) -> Result<Uuid, StorageError> {
    let name = shop.name.trim();
    if name.is_empty() {
        return Err(StorageError::Invalid("a shop needs a name".into()));
    }
    let id = Uuid::now_v7();
    db.run(
        "INSERT INTO shops (id, name, second_level, created_at) VALUES (?1, ?2, ?3, ?4)",
        args![id, name, shop.second_level, Utc::now()],
    )?;
    Ok(id)
}

/// The existing record a till enrolling into `shop` becomes, if there is one: the station it
/// asked for by id, else the shop's station of that name that no till holds yet. A station of
/// another shop, or one a till holds already, is refused (and the code stays unused).
fn enrolled_station(
    db: &dyn Sql,
    shop: Uuid,
    name: &str,
    wanted: Option<Uuid>,
) -> Result<Option<Uuid>, StorageError> {
    let free =
        "NOT EXISTS (SELECT 1 FROM tokens t WHERE t.station_id = s.id AND t.revoked_at IS NULL)";
    if let Some(wanted) = wanted {
        let found: Option<(Uuid, bool)> = db.row(
            &format!("SELECT s.shop_id, {free} FROM stations s WHERE s.id = ?1"),
            args![wanted],
        )?;
        return match found {
            None => Ok(None),
            Some((of, true)) if of == shop => Ok(Some(wanted)),
            Some(_) => Err(StorageError::Conflict(
                "that station has its till already; enrol this PC under another name".into(),
            )),
        };
    }
    db.row(
        &format!(
            "SELECT s.id FROM stations s WHERE s.shop_id = ?1 AND s.name = ?2 AND {free}
             ORDER BY s.created_at LIMIT 1"
        ),
        args![shop, name],
    )
}

/// A staff member whose account [`accounts::new_staff_hash`] checked and hashed.
fn insert_user(db: &dyn Sql, staff: &NewStaff, hash: &str) -> Result<Uuid, StorageError> {
    let id = Uuid::now_v7();
    if let Some(shop) = staff.shop_id {
        shop_exists(db, shop)?;
    }
    let email = staff.email.trim();
    db.run(
        "INSERT INTO users (id, email, name, role, shop_id, password_hash, named_contact, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![
            id,
            email,
            staff.name.trim(),
            staff.role.as_str(),
            staff.shop_id,
            hash,
            staff.named_contact,
            Utc::now()
        ],
    )
    // The address is unique whatever its case, as sign-in finds it.
    .map_err(|error| match error {
        StorageError::Conflict(_) => {
            StorageError::Conflict(format!("{email} has an account already"))
        }
        other => other,
    })?;
    Ok(id)
}

fn checked_hash(sha256: &str) -> Result<String, StorageError> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha256)
    } else {
        Err(StorageError::Invalid(format!(
            "{sha256:?} is not a SHA-256 in hex (64 characters 0-9, a-f)"
        )))
    }
}

/// Whose copy of a content the caller moves: the shop of a ticket within the caller's reach
/// that has an attachment with this content (a till: one of its own tickets). What support
/// staff upload for a shop's ticket is that shop's, so the shop reads it.
fn content_shop(db: &dyn Sql, caller: &Caller, sha256: &str) -> Result<String, StorageError> {
    let (shop, station) = match policy::reach(caller) {
        Reach::Station { shop, station } => (Some(shop), Some(station)),
        Reach::Shop(shop) => (Some(shop), None),
        Reach::Everything => (None, None),
    };
    db.row(
        "SELECT t.shop_id FROM ticket_attachments a
         JOIN tickets t ON t.id = a.ticket_id
         JOIN entities e ON e.entity_id = t.id
         WHERE a.sha256 = ?1 AND (CAST(?2 AS TEXT) IS NULL OR t.shop_id = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR e.station_id = ?3)
         LIMIT 1",
        args![sha256, shop, station],
    )?
    .ok_or_else(|| {
        StorageError::NotFound(format!(
            "no attachment with the content {sha256} on a ticket of yours; send its ticket's changes first"
        ))
    })
}

fn begin_blob(
    db: &dyn Sql,
    shop: &str,
    sha256: &str,
    total: u64,
    uploader: &str,
    now: DateTime<Utc>,
) -> Result<BlobStatus, StorageError> {
    let held: i64 = db.one(
        "SELECT CAST(coalesce(sum(size), 0) AS BIGINT) FROM blobs WHERE owner = ?1",
        args![shop],
    )?;
    blobs::within_quota(u64::try_from(held).unwrap_or(0), total).map_err(StorageError::TooLarge)?;
    db.run(
        "INSERT INTO blobs (sha256, owner, size, created_at, uploader, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
        args![
            sha256,
            shop,
            i64::try_from(total).unwrap_or(i64::MAX),
            now,
            uploader
        ],
    )?;
    Ok(BlobStatus {
        sha256: sha256.to_owned(),
        received: 0,
        size: Some(total),
        complete: false,
    })
}

/// The upload of `owner`'s copy of a content, if begun.
fn own_blob(db: &dyn Sql, owner: &str, sha256: &str) -> Result<Option<BlobStatus>, StorageError> {
    let found: Option<(i64, i64, bool)> = db.row(
        "SELECT size, received, complete FROM blobs WHERE sha256 = ?1 AND owner = ?2",
        args![sha256, owner],
    )?;
    Ok(found.map(|(size, received, complete)| BlobStatus {
        sha256: sha256.to_owned(),
        received: u64::try_from(received).unwrap_or(0),
        size: u64::try_from(size).ok(),
        complete,
    }))
}

fn read_chunks(db: &dyn Sql, owner: &str, sha256: &str) -> Result<Vec<u8>, StorageError> {
    let chunks: Vec<Vec<u8>> = db.all(
        "SELECT bytes FROM blob_chunks WHERE sha256 = ?1 AND owner = ?2 ORDER BY \"offset\"",
        args![sha256, owner],
    )?;
    Ok(chunks.concat())
}

fn shop_exists(db: &dyn Sql, shop: Uuid) -> Result<(), StorageError> {
    db.row::<i64>("SELECT 1 FROM shops WHERE id = ?1", args![shop])?
        .map(drop)
        .ok_or_else(|| StorageError::NotFound(format!("no shop {shop}")))
}
