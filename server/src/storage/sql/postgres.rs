//! [`Sql`] on PostgreSQL through rust-postgres's blocking client, its connections pooled by
//! r2d2; each pooled connection keeps the statements it prepared, as SQLite's does. The
//! [`Database`] is shared by several server processes: appends to the history take one
//! advisory lock, and what a process committed reaches the others by LISTEN/NOTIFY.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use bytes::BytesMut;
use postgres::config::Host;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, Config, NoTls, Row, Statement};
use uuid::Uuid;

use super::{Access, Arg, Database, Dialect, Elsewhere, Sql, Transaction, Value};
use crate::args;
use crate::storage::memory::HeadsMoved;
use crate::storage::StorageError;

impl From<postgres::Error> for StorageError {
    fn from(error: postgres::Error) -> Self {
        // The server's message (a constraint, a timeout) says more than the client's summary.
        match error.as_db_error() {
            // A second row with the same key is the caller's conflict, as in SQLite.
            Some(db) if *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION => {
                StorageError::Conflict(format!("PostgreSQL: {}", db.message()))
            }
            Some(db) => StorageError::Backend(format!("PostgreSQL: {}", db.message())),
            None => StorageError::Backend(format!("PostgreSQL: {error}")),
        }
    }
}

impl From<r2d2::Error> for StorageError {
    fn from(error: r2d2::Error) -> Self {
        StorageError::Backend(format!("no connection to PostgreSQL: {error}"))
    }
}

/// The statement text as PostgreSQL reads it: `?N` becomes `$N` wherever it is not inside a
/// quoted string or name.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote = None;
    for c in sql.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '?') => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// An argument goes as whatever type PostgreSQL inferred for its placeholder: an integer
/// column may be `integer` or `bigint`.
impl ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(number) => match *ty {
                Type::INT2 => i16::try_from(*number)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*number)?.to_sql(ty, out),
                _ => number.to_sql(ty, out),
            },
            Arg::Bool(truth) => truth.to_sql(ty, out),
            // JSONB's binary form is its text after a version byte.
            Arg::Text(text) if *ty == Type::JSONB => {
                out.extend_from_slice(&[1]);
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            Arg::Text(text) => text.as_ref().to_sql(ty, out),
            Arg::Bytes(bytes) => bytes.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn value_of(row: &Row, column: usize) -> Result<Value, StorageError> {
    fn read<'a, T: postgres::types::FromSql<'a>>(
        row: &'a Row,
        column: usize,
        into: impl FnOnce(T) -> Value,
    ) -> Result<Value, StorageError> {
        Ok(row
            .try_get::<_, Option<T>>(column)?
            .map_or(Value::Null, into))
    }
    match *row.columns()[column].type_() {
        Type::BOOL => read(row, column, Value::Bool),
        Type::INT2 => read(row, column, |n: i16| Value::Int(n.into())),
        Type::INT4 => read(row, column, |n: i32| Value::Int(n.into())),
        Type::INT8 => read(row, column, Value::Int),
        Type::FLOAT4 => read(row, column, |n: f32| Value::Real(n.into())),
        Type::FLOAT8 => read(row, column, Value::Real),
        Type::BYTEA => read(row, column, Value::Bytes),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            read(row, column, Value::Text)
        }
        ref other => Err(StorageError::Backend(format!(
            "column {} is of type {other}, which the storage does not read",
            row.columns()[column].name()
        ))),
    }
}

/// A pooled connection and the statements it prepared.
pub struct PgConnection {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// Opens connections for the pool.
#[derive(Debug)]
struct PgManager {
    config: Config,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.client.is_closed()
    }
}

/// The channel on which server processes tell each other what they committed.
const CHANNEL: &str = "stationdesk";
/// The advisory lock every append to the history takes (an arbitrary number, "SD" in ASCII).
const HISTORY_LOCK: i64 = 0x5344;

/// A PostgreSQL database that several server processes share: a pool of connections, and one
/// more that listens for what the others committed.
pub struct PgDatabase {
    pool: r2d2::Pool<PgManager>,
    listener: Mutex<Client>,
    /// This process, in what it tells the others: it skips its own news.
    me: Uuid,
    config: Config,
}

/// What a committing process tells the others.
#[derive(serde::Serialize, serde::Deserialize)]
struct News {
    from: Uuid,
    heads: HeadsMoved,
    callers: bool,
}

/// The migrations, in order; each runs once, in a transaction of its own.
const MIGRATIONS: [(i64, &str); 2] = [
    (
        1,
        include_str!("../../../migrations/postgres/0001_server.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/postgres/0002_mail.sql"),
    ),
];

impl PgDatabase {
    /// Connects (`postgres://user@host:port/database`, a password from `PGPASSWORD`, never
    /// on a command line) and brings the schema up to date; several processes starting at
    /// once migrate one after the other.
    pub fn open(url: &str, pool_size: u32) -> Result<PgDatabase, StorageError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StorageError::Invalid(format!("{url} is no PostgreSQL address: {e}")))?;
        if config.get_password().is_none() {
            if let Ok(password) = std::env::var("PGPASSWORD") {
                config.password(password);
            }
        }
        let mut listener = config.connect(NoTls)?;
        migrate(&mut listener)?;
        listener.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        // Connections open as work needs them, up to the pool's size: an operator command
        // or a quiet process keeps one, not sixteen.
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(PgManager {
                config: config.clone(),
            })?;
        Ok(PgDatabase {
            pool,
            listener: Mutex::new(listener),
            me: Uuid::now_v7(),
            config,
        })
    }
}

fn migrate(client: &mut Client) -> Result<(), StorageError> {
    let mut tx = client.transaction()?;
    // One process at a time, whichever starts first.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(HISTORY_LOCK + 1)])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")?;
    let done: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > done) {
        tx.batch_execute(sql)
            .map_err(|e| StorageError::Backend(format!("PostgreSQL migration {version}: {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )?;
    }
    Ok(tx.commit()?)
}

/// One transaction on a pooled connection, which it holds until it ends.
struct PgTransaction {
    conn: RefCell<r2d2::PooledConnection<PgManager>>,
    open: bool,
    writes: bool,
    moved: RefCell<Vec<crate::storage::memory::Committed>>,
    callers: Cell<bool>,
    me: Uuid,
}

impl PgTransaction {
    fn with<T>(
        &self,
        sql: &str,
        work: impl FnOnce(&mut Client, &Statement) -> Result<T, postgres::Error>,
    ) -> Result<T, StorageError> {
        let mut conn = self.conn.borrow_mut();
        let PgConnection { client, statements } = &mut **conn;
        let statement = match statements.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = client.prepare(&numbered_placeholders(sql))?;
                statements.insert(sql.to_owned(), statement.clone());
                statement
            }
        };
        Ok(work(client, &statement)?)
    }
}

fn as_params<'a>(args: &'a [Arg<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter().map(|arg| arg as &(dyn ToSql + Sync)).collect()
}

impl Sql for PgTransaction {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StorageError> {
        self.with(sql, |client, statement| {
            client.execute(statement, &as_params(args))
        })
    }

    fn values(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Value>>, StorageError> {
        let rows = self.with(sql, |client, statement| {
            client.query(statement, &as_params(args))
        })?;
        rows.iter()
            .map(|row| (0..row.len()).map(|column| value_of(row, column)).collect())
            .collect()
    }
}

impl Transaction for PgTransaction {
    fn commit(mut self: Box<Self>) -> Result<(), StorageError> {
        if self.writes {
            // Delivered to the other processes when, and only if, this commits.
            let heads = HeadsMoved::of(&self.moved.borrow());
            let news = serde_json::to_string(&News {
                from: self.me,
                heads,
                callers: self.callers.get(),
            })
            .expect("news serialises");
            self.run("SELECT pg_notify(?1, ?2)", args![CHANNEL, news])?;
        }
        self.conn.borrow_mut().client.batch_execute("COMMIT")?;
        self.open = false;
        Ok(())
    }

    fn lock_history(&self) -> Result<(), StorageError> {
        self.run("SELECT pg_advisory_xact_lock(?1)", args![HISTORY_LOCK])
            .map(drop)
    }

    fn leaves_callers(&self) {
        self.callers.set(false);
    }

    fn committed(&self, changes: &[crate::storage::memory::Committed]) {
        self.moved.borrow_mut().extend_from_slice(changes);
    }
}

impl Drop for PgTransaction {
    fn drop(&mut self) {
        if self.open {
            // A connection that cannot roll back is broken, and the pool drops it.
            let _ = self.conn.get_mut().client.batch_execute("ROLLBACK");
        }
    }
}

impl Database for PgDatabase {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn begin(&self, access: Access) -> Result<Box<dyn Transaction + '_>, StorageError> {
        let mut conn = self.pool.get()?;
        conn.client.batch_execute("BEGIN")?;
        Ok(Box::new(PgTransaction {
            conn: RefCell::new(conn),
            open: true,
            writes: access == Access::Write,
            moved: RefCell::default(),
            callers: Cell::new(true),
            me: self.me,
        }))
    }

    fn elsewhere(&self) -> Result<Elsewhere, StorageError> {
        let mut listener = self.listener.lock().unwrap_or_else(|p| p.into_inner());
        let mut heard = Elsewhere::Nothing;
        let mut notifications = listener.notifications();
        // A short wait, not none: the client reads the socket only while it waits.
        let mut pending = notifications.timeout_iter(Duration::from_millis(20));
        while let Some(notification) = pending.next()? {
            match serde_json::from_str::<News>(notification.payload()) {
                Ok(news) if news.from == self.me => {}
                Ok(news) => {
                    let (mut moved, callers) = match heard {
                        Elsewhere::Heads { moved, callers } => (moved, callers),
                        _ => (HeadsMoved::default(), false),
                    };
                    moved.extend(news.heads);
                    heard = Elsewhere::Heads {
                        moved,
                        callers: callers || news.callers,
                    };
                }
                // Someone else on the channel: whatever it was, read everything again.
                Err(_) => heard = Elsewhere::Unknown,
            }
            if heard == Elsewhere::Unknown {
                break;
            }
        }
        Ok(heard)
    }

    /// `pg_dump` in its custom format, one consistent snapshot taken while the server goes on;
    /// `pg_restore --dbname … FILE` brings it back. The password reaches it through its
    /// environment, never its command line.
    fn backup(&self, target: &Path) -> Result<(), StorageError> {
        let mut dump = Command::new("pg_dump");
        dump.arg("--format=custom").arg("--file").arg(target);
        match self.config.get_hosts().first() {
            Some(Host::Tcp(host)) => {
                dump.arg("--host").arg(host);
            }
            Some(Host::Unix(directory)) => {
                dump.arg("--host").arg(directory);
            }
            None => {}
        }
        if let Some(port) = self.config.get_ports().first() {
            dump.arg("--port").arg(port.to_string());
        }
        if let Some(user) = self.config.get_user() {
            dump.arg("--username").arg(user);
        }
        if let Some(password) = self.config.get_password() {
            dump.env("PGPASSWORD", String::from_utf8_lossy(password).as_ref());
        }
        dump.arg("--no-password")
            .arg(self.config.get_dbname().unwrap_or("postgres"));
        let done = dump
            .output()
            .map_err(|e| StorageError::Backend(format!("cannot run pg_dump: {e}")))?;
        if !done.status.success() {
            return Err(StorageError::Backend(format!(
                "pg_dump failed: {}",
                String::from_utf8_lossy(&done.stderr).trim()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_placeholders;

    #[test]
    fn placeholders_are_numbered_for_postgres_outside_quotes_only() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"d?\" = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"d?\" = $12"
        );
    }
}
