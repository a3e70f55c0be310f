//! The storage's one SQL layer: the same statements, arguments and rows on SQLite and on a
//! real PostgreSQL, and a duplicate key is the caller's conflict on both.

use chrono::{DateTime, Utc};
use stationdesk_server::args;
use stationdesk_server::storage::sql::{Access, Database, Dialect, PgDatabase, Sql};
use stationdesk_server::storage::StorageError;
use uuid::Uuid;

use stationdesk_e2e::server::new_postgres_database;

fn round_trip(db: &dyn Sql) {
    let (integer, bytes, truth) = match db.dialect() {
        Dialect::Sqlite => ("INTEGER", "BLOB", "INTEGER"),
        Dialect::Postgres => ("BIGINT", "BYTEA", "BOOLEAN"),
    };
    db.run(
        &format!(
            "CREATE TABLE t (id TEXT PRIMARY KEY, n {integer}, flag {truth}, at TEXT,
                             data {bytes}, maybe TEXT, note TEXT)"
        ),
        &[],
    )
    .unwrap();
    let id = Uuid::now_v7();
    let at: DateTime<Utc> = "2026-12-03T10:00:00.125Z".parse().unwrap();
    let changed = db
        .run(
            // A question mark inside a quoted string is text, not a placeholder.
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'why?1')",
            args![id, 42_i64, true, at, &b"\x00\xff"[..], None::<&str>],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let row: (
        Uuid,
        i64,
        bool,
        DateTime<Utc>,
        Vec<u8>,
        Option<String>,
        String,
    ) = db
        .one("SELECT id, n, flag, at, data, maybe, note FROM t", &[])
        .unwrap();
    assert_eq!(
        row,
        (id, 42, true, at, vec![0, 255], None, "why?1".to_owned())
    );
    let counted: i64 = db
        .one(
            "SELECT count(*) FROM t WHERE CAST(?1 AS TEXT) IS NULL OR id = ?1",
            args![None::<Uuid>],
        )
        .unwrap();
    assert_eq!(counted, 1);
    let none: Option<i64> = db
        .row("SELECT n FROM t WHERE n > ?1", args![42_i64])
        .unwrap();
    assert_eq!(none, None);

    let error = db.one::<i64>("SELECT note FROM t", &[]).unwrap_err();
    assert!(error.to_string().contains("an integer"), "{error}");
    let error = db.one::<(i64, i64)>("SELECT n FROM t", &[]).unwrap_err();
    assert!(error.to_string().contains("fewer columns"), "{error}");

    // Last: PostgreSQL takes no further statement in a transaction after a failed one.
    let again = db.run("INSERT INTO t (id) VALUES (?1)", args![id]);
    assert!(matches!(again, Err(StorageError::Conflict(_))), "{again:?}");
}

#[test]
fn statements_arguments_and_rows_on_sqlite() {
    round_trip(&rusqlite::Connection::open_in_memory().unwrap());
}

#[test]
fn statements_arguments_and_rows_on_postgres() {
    let db = PgDatabase::open(&new_postgres_database(), 1).unwrap();
    round_trip(&*db.begin(Access::Write).unwrap());
}
