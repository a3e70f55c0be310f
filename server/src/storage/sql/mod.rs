//! How the storage's logic speaks to a database, the same for SQLite and PostgreSQL, so each
//! rule about what the server keeps is written once: one statement text with numbered
//! placeholders (`?1`, which PostgreSQL reads as `$1`), arguments of a few kinds, rows read
//! into tuples. Where the two databases differ (full-text search, JSON), the logic asks
//! [`Sql::dialect`].

mod postgres;
mod sqlite;

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use uuid::Uuid;

pub use self::postgres::PgDatabase;
pub use self::sqlite::SqliteDatabase;

use super::memory::Committed;
use super::StorageError;

/// Which database a statement goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `column IN` the texts of the JSON array bound as `?parameter`, in this database's words:
    /// a list of any length in one statement.
    pub fn in_json_array(self, column: &str, parameter: u8) -> String {
        match self {
            Dialect::Sqlite => format!("{column} IN (SELECT value FROM json_each(?{parameter}))"),
            Dialect::Postgres => format!(
                "{column} IN (SELECT jsonb_array_elements_text(CAST(?{parameter} AS JSONB)))"
            ),
        }
    }
}

/// One argument of a statement. Times go as RFC 3339 text in UTC with milliseconds, which
/// sorts as it reads; ids as their hyphenated text.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(Cow<'a, str>),
    Bytes(&'a [u8]),
}

/// A time as the database keeps it.
pub fn utc_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<bool> for Arg<'_> {
    fn from(value: bool) -> Self {
        Arg::Bool(value)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(value))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(value))
    }
}

impl From<String> for Arg<'_> {
    fn from(value: String) -> Self {
        Arg::Text(Cow::Owned(value))
    }
}

impl From<Uuid> for Arg<'_> {
    fn from(value: Uuid) -> Self {
        Arg::Text(Cow::Owned(value.to_string()))
    }
}

impl From<DateTime<Utc>> for Arg<'_> {
    fn from(value: DateTime<Utc>) -> Self {
        Arg::Text(Cow::Owned(utc_text(value)))
    }
}

impl From<NaiveDate> for Arg<'_> {
    fn from(value: NaiveDate) -> Self {
        Arg::Text(Cow::Owned(value.to_string()))
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Arg::Bytes(value)
    }
}

impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(value: &'a Vec<u8>) -> Self {
        Arg::Bytes(value)
    }
}

impl<'a, T: Into<Arg<'a>>> From<Option<T>> for Arg<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Arg::Null, Into::into)
    }
}

/// The arguments of a statement, each converted as [`Arg`] says.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::storage::sql::Arg::from($arg)),*][..]
    };
}

/// One value read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

fn unexpected(value: &Value, wanted: &str) -> StorageError {
    StorageError::Backend(format!(
        "the database gave {value:?} where {wanted} was expected"
    ))
}

/// A Rust value from one column.
pub trait FromValue: Sized {
    fn from_value(value: Value) -> Result<Self, StorageError>;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        Ok(value)
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        match value {
            Value::Text(text) => Ok(text),
            other => Err(unexpected(&other, "text")),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        match value {
            Value::Int(number) => Ok(number),
            other => Err(unexpected(&other, "an integer")),
        }
    }
}

/// SQLite keeps a truth as 0 or 1; PostgreSQL as a boolean.
impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        match value {
            Value::Bool(truth) => Ok(truth),
            Value::Int(number) => Ok(number != 0),
            other => Err(unexpected(&other, "a truth value")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        match value {
            Value::Bytes(bytes) => Ok(bytes),
            other => Err(unexpected(&other, "bytes")),
        }
    }
}

impl FromValue for Uuid {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        let text = String::from_value(value)?;
        Uuid::parse_str(&text).map_err(|_| StorageError::Backend(format!("bad id {text:?}")))
    }
}

impl FromValue for DateTime<Utc> {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        let text = String::from_value(value)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| StorageError::Backend(format!("bad time {text:?}")))
    }
}

impl FromValue for NaiveDate {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        let text = String::from_value(value)?;
        text.parse()
            .map_err(|_| StorageError::Backend(format!("bad date {text:?}")))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, StorageError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_value(value).map(Some),
        }
    }
}

/// A Rust value from one row: one column's value, or a tuple of them.
pub trait FromRow: Sized {
    fn from_row(row: Vec<Value>) -> Result<Self, StorageError>;
}

impl<T: FromValue> FromRow for T {
    fn from_row(row: Vec<Value>) -> Result<Self, StorageError> {
        let value = row
            .into_iter()
            .next()
            .ok_or_else(|| StorageError::Backend("a row without columns".into()))?;
        T::from_value(value)
    }
}

macro_rules! tuple_from_row {
    ($($name:ident),+) => {
        impl<$($name: FromValue),+> FromRow for ($($name,)+) {
            fn from_row(row: Vec<Value>) -> Result<Self, StorageError> {
                let mut columns = row.into_iter();
                Ok(($($name::from_value(columns.next().ok_or_else(|| {
                    StorageError::Backend("a row with fewer columns than read".into())
                })?)?,)+))
            }
        }
    };
}

tuple_from_row!(A, B);
tuple_from_row!(A, B, C);
tuple_from_row!(A, B, C, D);
tuple_from_row!(A, B, C, D, E);
tuple_from_row!(A, B, C, D, E, F);
tuple_from_row!(A, B, C, D, E, F, G);
tuple_from_row!(A, B, C, D, E, F, G, H);
tuple_from_row!(A, B, C, D, E, F, G, H, I);
tuple_from_row!(A, B, C, D, E, F, G, H, I, J);
tuple_from_row!(A, B, C, D, E, F, G, H, I, J, K);
tuple_from_row!(A, B, C, D, E, F, G, H, I, J, K, L);
tuple_from_row!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);

/// A connection or a transaction, of either database.
pub trait Sql {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the rows it changed.
    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StorageError>;
    /// Every row a query gives, each as its columns' values.
    fn values(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Value>>, StorageError>;
}

impl dyn Sql + '_ {
    /// Every row, read as `T`.
    pub fn all<T: FromRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StorageError> {
        self.values(sql, args)?
            .into_iter()
            .map(T::from_row)
            .collect()
    }

    /// The first row, if any.
    pub fn row<T: FromRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>, StorageError> {
        self.values(sql, args)?
            .into_iter()
            .next()
            .map(T::from_row)
            .transpose()
    }

    /// The row a query always gives (an aggregate, say).
    pub fn one<T: FromRow>(&self, sql: &str, args: &[Arg<'_>]) -> Result<T, StorageError> {
        self.row(sql, args)?
            .ok_or_else(|| StorageError::Backend(format!("no row from {sql}")))
    }
}

/// Whether a transaction will write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// SQLite takes its write lock at the start: two writers that had each read first would
    /// otherwise wait on each other.
    Write,
}

/// One transaction: rolled back when dropped without [`Transaction::commit`].
pub trait Transaction: Sql {
    fn commit(self: Box<Self>) -> Result<(), StorageError>;
    /// Appending to the history waits for whoever appends now, so revisions commit in the
    /// order they were taken and no reader skips one that commits late (a no-op on SQLite,
    /// where a writing transaction holds the one write lock already).
    fn lock_history(&self) -> Result<(), StorageError> {
        Ok(())
    }
    /// Changes this transaction appended, for other server processes on the same database
    /// to hear of when it commits (nothing to tell on SQLite, whose other processes read its
    /// commit counter).
    fn committed(&self, _changes: &[Committed]) {}
    /// This transaction changes nothing that a process's remembered callers rest on (a token
    /// used, a session opened, a change appended), so the other processes may keep theirs.
    fn leaves_callers(&self) {}
}

/// What other processes wrote to the same database since the last look.
#[derive(Debug, Default, PartialEq)]
pub enum Elsewhere {
    #[default]
    Nothing,
    /// Something, unknown what: read the heads again, forget the callers.
    Unknown,
    /// These heads moved; `callers`: tokens or accounts may have changed too, so the callers
    /// remembered are forgotten.
    Heads {
        moved: super::memory::HeadsMoved,
        callers: bool,
    },
}

/// Where the storage keeps its tables: one SQLite file, or a PostgreSQL database that several
/// server processes share.
pub trait Database: Send + Sync + 'static {
    /// The database's kind, as an answer to anyone may name it.
    fn name(&self) -> &'static str;
    fn begin(&self, access: Access) -> Result<Box<dyn Transaction + '_>, StorageError>;
    /// What other processes wrote since the last call.
    fn elsewhere(&self) -> Result<Elsewhere, StorageError>;
    /// A consistent copy of everything into `target`, while the server keeps serving.
    fn backup(&self, target: &std::path::Path) -> Result<(), StorageError>;
}
