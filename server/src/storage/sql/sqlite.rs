//! [`Sql`] on a rusqlite connection (a transaction derefs to one). Statements are prepared
//! once per connection and kept (`prepare_cached`): the sync's hot paths run the same few.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params_from_iter, Connection, ToSql};

use super::{Arg, Dialect, Sql, Value};
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
