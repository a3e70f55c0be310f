//! The embedded default: [`Sql`] on a rusqlite connection (a transaction derefs to one), and
//! the [`Database`] of one SQLite file. Statements are prepared once per connection and kept
//! (`prepare_cached`): the sync's hot paths run the same few.

use std::path::Path;
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params_from_iter, Connection, ToSql, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use super::{Access, Arg, Database, Dialect, Elsewhere, Sql, Transaction, Value};
use crate::storage::tables::changes;
use crate::storage::StorageError;

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Arg::Int(number) => ToSqlOutput::Borrowed(ValueRef::Integer(*number)),
            Arg::Bool(truth) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*truth))),
            Arg::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Arg::Bytes(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

fn value_of(value: ValueRef<'_>) -> Result<Value, StorageError> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Int(number),
        ValueRef::Real(number) => Value::Real(number),
        ValueRef::Text(text) => Value::Text(
            std::str::from_utf8(text)
                .map_err(|_| StorageError::Backend("text in the database is not UTF-8".into()))?
                .to_owned(),
        ),
        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
    })
}

/// A second row with the same key is the caller's conflict, not the database's failure.
fn failed(error: rusqlite::Error) -> StorageError {
    match error.sqlite_error() {
        Some(code)
            if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StorageError::Conflict(error.to_string())
        }
        _ => error.into(),
    }
}

impl Sql for Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StorageError> {
        let changed = self
            .prepare_cached(sql)?
            .execute(params_from_iter(args))
            .map_err(failed)?;
        Ok(changed as u64)
    }

    fn values(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Value>>, StorageError> {
        let mut statement = self.prepare_cached(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(params_from_iter(args)).map_err(failed)?;
        let mut read = Vec::new();
        while let Some(row) = rows.next().map_err(failed)? {
            read.push(
                (0..columns)
                    .map(|column| value_of(row.get_ref(column)?))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(read)
    }
}

/// One SQLite file in WAL mode, migrated on open, behind one connection.
pub struct SqliteDatabase {
    conn: Mutex<Connection>,
    /// SQLite's count of commits by other connections, as last seen.
    data_version: Mutex<i64>,
}

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../../../migrations/0001_server.sql")),
        M::up(include_str!("../../../migrations/0002_roles.sql")),
        M::up(include_str!("../../../migrations/0003_blobs.sql")),
        M::up(include_str!("../../../migrations/0004_shared.sql")),
        M::up_with_hook(
            include_str!("../../../migrations/0005_typed_changes.sql"),
            changes::upgrade_legacy_history,
        ),
        M::up(include_str!("../../../migrations/0006_blob_uploads.sql")),
        M::up(include_str!("../../../migrations/0007_billing.sql")),
        M::up(include_str!("../../../migrations/0008_accounts.sql")),
        M::up(include_str!("../../../migrations/0009_desk_queue.sql")),
        M::up(include_str!(
            "../../../migrations/0010_desk_ownership_notes.sql"
        )),
        M::up(include_str!("../../../migrations/0011_desk_history.sql")),
        M::up(include_str!(
            "../../../migrations/0012_resolution_clock.sql"
        )),
        M::up(include_str!("../../../migrations/0013_desk_search.sql")),
        M::up(include_str!("../../../migrations/0014_staff_phone.sql")),
        M::up(include_str!("../../../migrations/0015_mail.sql")),
    ])
});

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        StorageError::Backend(error.to_string())
    }
}

fn data_version(conn: &Connection) -> Result<i64, StorageError> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

impl SqliteDatabase {
    pub fn open(path: &Path) -> Result<SqliteDatabase, StorageError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Every accepted push is durable before the client hears "applied" and drops it.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The desk's queue walks indexes of every shop's tickets; 64 MiB of pages in memory
        // (SQLite's default is 2 MiB) keeps a vendor's busy part of them there.
        conn.pragma_update(None, "cache_size", -64 * 1024)?;
        MIGRATIONS.to_latest(&mut conn).map_err(|e| {
            StorageError::Backend(format!("cannot migrate {}: {e}", path.display()))
        })?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        changes::project_upgraded_history(&tx)?;
        tx.commit()?;
        let data_version = data_version(&conn)?;
        Ok(SqliteDatabase {
            conn: Mutex::new(conn),
            data_version: Mutex::new(data_version),
        })
    }
}

/// A transaction on the one connection, which it holds until it ends.
struct SqliteTransaction<'a> {
    conn: MutexGuard<'a, Connection>,
    open: bool,
}

impl Sql for SqliteTransaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StorageError> {
        (*self.conn).run(sql, args)
    }

    fn values(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Value>>, StorageError> {
        (*self.conn).values(sql, args)
    }
}

impl Transaction for SqliteTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StorageError> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for SqliteTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of it stays; a connection that cannot even roll back fails its next BEGIN.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Database for SqliteDatabase {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn begin(&self, access: Access) -> Result<Box<dyn Transaction + '_>, StorageError> {
        // A panic mid-request left its transaction open, and dropping it rolled it back: the
        // connection is sound.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch(match access {
            Access::Read => "BEGIN",
            Access::Write => "BEGIN IMMEDIATE",
        })?;
        Ok(Box::new(SqliteTransaction { conn, open: true }))
    }

    fn elsewhere(&self) -> Result<Elsewhere, StorageError> {
        let now = data_version(&self.conn.lock().unwrap_or_else(|p| p.into_inner()))?;
        let mut seen = self.data_version.lock().unwrap_or_else(|p| p.into_inner());
        if *seen == now {
            return Ok(Elsewhere::Nothing);
        }
        *seen = now;
        Ok(Elsewhere::Unknown)
    }

    fn backup(&self, target: &Path) -> Result<(), StorageError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut copy = Connection::open(target)?;
        let backup = rusqlite::backup::Backup::new(&conn, &mut copy)?;
        backup.run_to_completion(256, Duration::from_millis(0), None)?;
        Ok(())
    }
}
