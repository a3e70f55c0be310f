//! [`Sql`] on PostgreSQL through rust-postgres's blocking client, its connections pooled by
//! r2d2. Each pooled connection keeps the statements it prepared, as SQLite's does.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, Config, NoTls, Row, Statement, Transaction};

use super::{Arg, Dialect, Sql, Value};
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
                Type::FLOAT8 => (*number as f64).to_sql(ty, out),
                _ => number.to_sql(ty, out),
            },
            Arg::Bool(truth) => truth.to_sql(ty, out),
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

impl PgConnection {
    /// A transaction, as [`Sql`].
    pub fn transaction(&mut self) -> Result<PgTransaction<'_>, StorageError> {
        Ok(PgTransaction {
            tx: RefCell::new(Some(self.client.transaction()?)),
            statements: RefCell::new(&mut self.statements),
        })
    }

    /// The client itself, for what [`Sql`] does not say: LISTEN, COPY.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// Opens connections for the pool.
#[derive(Debug)]
pub struct PgManager {
    config: Config,
}

impl PgManager {
    pub fn new(config: Config) -> PgManager {
        PgManager { config }
    }
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

/// One transaction on a pooled connection; dropped without [`PgTransaction::commit`], it is
/// rolled back.
pub struct PgTransaction<'a> {
    tx: RefCell<Option<Transaction<'a>>>,
    statements: RefCell<&'a mut HashMap<String, Statement>>,
}

impl PgTransaction<'_> {
    pub fn commit(self) -> Result<(), StorageError> {
        match self.tx.into_inner() {
            Some(tx) => Ok(tx.commit()?),
            None => Ok(()),
        }
    }

    fn with<T>(
        &self,
        sql: &str,
        work: impl FnOnce(&mut Transaction<'_>, &Statement) -> Result<T, postgres::Error>,
    ) -> Result<T, StorageError> {
        let mut tx = self.tx.borrow_mut();
        let tx = tx.as_mut().expect("a transaction until it is committed");
        let mut statements = self.statements.borrow_mut();
        let statement = match statements.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = tx.prepare(&numbered_placeholders(sql))?;
                statements.insert(sql.to_owned(), statement.clone());
                statement
            }
        };
        Ok(work(tx, &statement)?)
    }
}

fn as_params<'a>(args: &'a [Arg<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter().map(|arg| arg as &(dyn ToSql + Sync)).collect()
}

impl Sql for PgTransaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StorageError> {
        self.with(sql, |tx, statement| tx.execute(statement, &as_params(args)))
    }

    fn values(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Value>>, StorageError> {
        let rows = self.with(sql, |tx, statement| tx.query(statement, &as_params(args)))?;
        rows.iter()
            .map(|row| (0..row.len()).map(|column| value_of(row, column)).collect())
            .collect()
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
