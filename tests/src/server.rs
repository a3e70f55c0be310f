//! A real `stationdesk-server` process for tests: on a port of its own, set up with its own
//! operator commands, driven over HTTP. Used by the end-to-end scenarios and the server's own
//! tests.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::clock::FakeClock;

/// The server binary: `STATIONDESK_SERVER`, or the workspace's debug build.
pub fn server_binary() -> PathBuf {
    crate::built_binary(
        "stationdesk-server",
        "STATIONDESK_SERVER",
        "stationdesk-server",
    )
}

/// The password of every staff account [`TestServer::staff`] makes.
pub const PASSWORD: &str = "richtig-geheim-123";

/// A server process on a port of its own; dropping it stops the process and removes the files.
pub struct TestServer {
    process: Child,
    pub base: String,
    pub dir: tempfile::TempDir,
    /// The `--db` argument: a SQLite file in `dir`, or a PostgreSQL database of its own.
    db: String,
    pub http: Client,
    options: Vec<String>,
    env: Vec<(&'static str, std::ffi::OsString)>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_with(&[])
    }

    /// A server started with extra `serve` options (`--first-run-setup`).
    pub fn start_with(options: &[&str]) -> TestServer {
        TestServer::start_on(options, None)
    }

    /// A server whose wall clock is `clock`'s.
    pub fn start_on(options: &[&str], clock: Option<&FakeClock>) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let options: Vec<String> = options.iter().map(|o| (*o).to_owned()).collect();
        let env = clock.map(FakeClock::env).unwrap_or_default();
        let db = match Backend::chosen() {
            Backend::Sqlite => dir.path().join("server.sqlite").display().to_string(),
            Backend::Postgres => new_postgres_database(),
        };
        TestServer::serving(db, dir, options, env)
    }

    /// A server on a database made elsewhere (a benchmark's), started with `options`, with its
    /// log in a directory of its own.
    pub fn on_database(db: &str, options: &[&str]) -> TestServer {
        TestServer::serving(
            db.to_owned(),
            tempfile::tempdir().unwrap(),
            options.iter().map(|o| (*o).to_owned()).collect(),
            Vec::new(),
        )
    }

    fn serving(
        db: String,
        dir: tempfile::TempDir,
        options: Vec<String>,
        env: Vec<(&'static str, std::ffi::OsString)>,
    ) -> TestServer {
        let log = dir.path().join("server.log");
        let (process, base) = spawn(&db, &log, "127.0.0.1:0", &options, &env);
        TestServer {
            process,
            base,
            dir,
            db,
            http: Client::new(),
            options,
            env,
        }
    }

    /// Another server process on the same database, as a vendor runs several behind a load
    /// balancer; it leaves the database to this one.
    pub fn beside(&self) -> TestServer {
        TestServer::serving(
            self.db.clone(),
            tempfile::tempdir().unwrap(),
            self.options.clone(),
            self.env.clone(),
        )
    }

    /// Kills the process (as a crash would) and starts it again on the same address and file.
    pub fn restart(&mut self) {
        self.stop();
        let listen = self.base.trim_start_matches("http://").to_owned();
        let log = self.dir.path().join("server.log");
        let (process, base) = spawn(&self.db, &log, &listen, &self.options, &self.env);
        assert_eq!(base, self.base, "the server came back on its address");
        self.process = process;
    }

    /// Kills the process, as a crash or a pulled plug would.
    pub fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// The server's database as `--db` names it.
    pub fn db(&self) -> String {
        self.db.clone()
    }

    /// Everything the database holds, as bytes: the SQLite file, or PostgreSQL's plain dump.
    pub fn stored_bytes(&self) -> Vec<u8> {
        match Backend::chosen() {
            Backend::Sqlite => std::fs::read(&self.db).unwrap(),
            Backend::Postgres => {
                let dump = Command::new("pg_dump")
                    .arg("--dbname")
                    .arg(&self.db)
                    .output()
                    .unwrap();
                assert!(
                    dump.status.success(),
                    "{}",
                    String::from_utf8_lossy(&dump.stderr)
                );
                dump.stdout
            }
        }
    }

    /// The `--db` argument of a copy restored from `backup` (what `backup --to` wrote): the
    /// SQLite file itself, or a new PostgreSQL database `pg_restore` filled.
    pub fn restored(&self, backup: &std::path::Path) -> String {
        match Backend::chosen() {
            Backend::Sqlite => backup.display().to_string(),
            Backend::Postgres => {
                let copy = new_postgres_database();
                let restore = Command::new("pg_restore")
                    .arg("--dbname")
                    .arg(&copy)
                    .arg(backup)
                    .output()
                    .unwrap();
                assert!(
                    restore.status.success(),
                    "{}",
                    String::from_utf8_lossy(&restore.stderr)
                );
                copy
            }
        }
    }

    /// Takes the server's PostgreSQL database away under it, as a database server that went
    /// down would.
    pub fn drop_postgres_database(&self) {
        let cluster = std::env::var("STATIONDESK_TEST_POSTGRES").unwrap();
        let (_, name) = self.db.rsplit_once('/').unwrap();
        postgres::Client::connect(&cluster, postgres::NoTls)
            .unwrap()
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
    }

    /// The server's database itself, for what a test does behind the server's back.
    pub fn database(&self) -> ServerDatabase {
        match Backend::chosen() {
            Backend::Sqlite => {
                let conn = rusqlite::Connection::open(&self.db).unwrap();
                // The server may hold the write lock for a moment.
                conn.busy_timeout(std::time::Duration::from_secs(5))
                    .unwrap();
                ServerDatabase::Sqlite(conn)
            }
            Backend::Postgres => ServerDatabase::Postgres(
                postgres::Client::connect(&self.db, postgres::NoTls).unwrap(),
            ),
        }
    }

    /// An operator command against the same database, with `stdin` as its input.
    pub fn operator(&self, args: &[&str], stdin: &str) -> Value {
        json_of(
            Command::new(server_binary())
                .arg("--db")
                .arg(self.db())
                .arg("--json")
                .args(args),
            stdin,
        )
    }

    pub fn shop(&self, name: &str) -> String {
        self.operator(&["create-shop", "--name", name], "")["shop_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn code(&self, shop: &str) -> String {
        self.operator(&["enrolment-code", "--shop", shop], "")["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Enrols a till of `shop` and returns its device token.
    pub fn station(&self, shop: &str, name: &str) -> String {
        self.till(shop, name).0
    }

    /// Enrols a till of `shop`: its device token and its station id.
    pub fn till(&self, shop: &str, name: &str) -> (String, uuid::Uuid) {
        let (status, body) = self.post(
            "/v1/enrol",
            None,
            &json!({"code": self.code(shop), "station_name": name}),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["device_token"].as_str().unwrap().to_owned(),
            body["station_id"].as_str().unwrap().parse().unwrap(),
        )
    }

    /// A staff account with the tests' password, not signed in, named by its e-mail: its id.
    pub fn account(&self, email: &str, role: &str, shop: Option<&str>) -> String {
        self.named_account(email, email, role, shop)
    }

    /// A staff account with a name of its own and the tests' password, not signed in: its id.
    pub fn named_account(&self, email: &str, name: &str, role: &str, shop: Option<&str>) -> String {
        let mut args = vec![
            "create-user",
            "--email",
            email,
            "--name",
            name,
            "--role",
            role,
        ];
        if let Some(shop) = shop {
            args.extend(["--shop", shop]);
        }
        self.operator(&args, &format!("{PASSWORD}\n"))["user_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A staff account, signed in: its session token.
    pub fn staff(&self, email: &str, role: &str, shop: Option<&str>) -> String {
        self.account(email, role, shop);
        let (status, body) = self.post(
            "/v1/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// The vendor profile of the test vendor (Hamburg), hotline +49 40 7654321.
    pub fn set_up_vendor(&self) {
        self.operator(
            &[
                "vendor",
                "set",
                "--name",
                "Kassenservice Nord GmbH",
                "--street",
                "Hafenstraße 12",
                "--postcode",
                "20457",
                "--city",
                "Hamburg",
                "--vat-id",
                "DE123456789",
                "--contact",
                "Anna Schmidt",
                "--email",
                "rechnung@kassenservice.example",
                "--phone",
                "+49 40 1234567",
                "--iban",
                "DE89 3704 0044 0532 0130 00",
                "--bic",
                "COBADEFFXXX",
                "--hotline",
                "+49 40 7654321",
            ],
            "",
        );
    }

    /// Billing data for `shop`, made out to `name` in Munich.
    pub fn bill(&self, shop: &str, name: &str) {
        self.operator(
            &[
                "shop",
                "billing",
                "--shop",
                shop,
                "--legal-name",
                name,
                "--street",
                "Marktplatz 3",
                "--postcode",
                "80331",
                "--city",
                "München",
                "--email",
                "buchhaltung@shop.example",
                "--vat-id",
                "DE987654321",
            ],
            "",
        );
    }

    /// A contract the vendor sells `shop` (`contract create`), as the operator command answers.
    pub fn sell(&self, shop: &str, plan: &str, stations: &[uuid::Uuid], start: &str) -> Value {
        let stations: Vec<String> = stations.iter().map(ToString::to_string).collect();
        self.operator(
            &[
                "contract",
                "create",
                "--shop",
                shop,
                "--plan",
                plan,
                "--stations",
                &stations.join(","),
                "--start",
                start,
            ],
            "",
        )
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        (response.status(), response.json().unwrap())
    }

    pub fn put_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .unwrap();
        (response.status(), response.json().unwrap())
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        (response.status(), response.json().unwrap())
    }

    pub fn push(&self, token: &str, changes: &[Value]) -> Vec<Value> {
        let (status, body) = self.post("/v1/sync/push", Some(token), &json!({"changes": changes}));
        assert_eq!(status, StatusCode::OK, "{body}");
        body["results"].as_array().unwrap().clone()
    }

    pub fn pull(&self, token: &str, after: u64) -> Value {
        let (status, body) = self.get(&format!("/v1/sync/pull?after={after}"), Some(token));
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// Runs `command` with `stdin` as its input; it must succeed and print one JSON document.
pub fn json_of(command: &mut Command, stdin: &str) -> Value {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Starts the server and waits for the line that says where it listens: no sleeps.
fn spawn(
    db: &str,
    log: &std::path::Path,
    listen: &str,
    options: &[String],
    env: &[(&'static str, std::ffi::OsString)],
) -> (Child, String) {
    let mut process = Command::new(server_binary())
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", listen])
        .args(options)
        // The mail passwords' key in the server's own directory, on PostgreSQL as on SQLite
        // (where it would default to beside the database file).
        .arg("--secrets-key")
        .arg(log.with_file_name("secrets.key"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = BufReader::new(process.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    // Its warnings go on to a file beside its database, for a failing test to be read by.
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    std::thread::spawn(move || std::io::copy(&mut out, &mut log));
    (process, base)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        // A failing test shows what the server said.
        if std::thread::panicking() {
            if let Ok(log) = std::fs::read_to_string(self.dir.path().join("server.log")) {
                eprintln!("the server's log:\n{log}");
            }
        }
    }
}

/// Which database the test servers keep their tables in: SQLite unless
/// `STATIONDESK_TEST_BACKEND=postgres`, which takes the cluster `STATIONDESK_TEST_POSTGRES`
/// names (`scripts/with-postgres.sh` starts a throwaway one). The server's integration suite
/// runs once with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn chosen() -> Backend {
        match std::env::var("STATIONDESK_TEST_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            Ok("sqlite") | Err(_) => Backend::Sqlite,
            Ok(other) => panic!("STATIONDESK_TEST_BACKEND is sqlite or postgres, not {other:?}"),
        }
    }
}

/// A new, empty database on the test cluster: its address.
pub fn new_postgres_database() -> String {
    let cluster = std::env::var("STATIONDESK_TEST_POSTGRES").expect(
        "STATIONDESK_TEST_POSTGRES names no PostgreSQL cluster: run the tests under scripts/with-postgres.sh",
    );
    let mut admin = postgres::Client::connect(&cluster, postgres::NoTls)
        .unwrap_or_else(|e| panic!("the test cluster at {cluster}: {e}"));
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (server, _) = cluster
        .rsplit_once('/')
        .expect("the cluster's address ends in a database");
    format!("{server}/{name}")
}

/// A test's own connection to a server's database. Statements number their text arguments
/// `?1`, `?2`, … on either.
pub enum ServerDatabase {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl ServerDatabase {
    pub fn execute(&mut self, sql: &str, args: &[&str]) -> u64 {
        match self {
            ServerDatabase::Sqlite(conn) => {
                conn.execute(sql, rusqlite::params_from_iter(args)).unwrap() as u64
            }
            ServerDatabase::Postgres(client) => {
                client.execute(&numbered(sql), &text_params(args)).unwrap()
            }
        }
    }

    pub fn count(&mut self, sql: &str, args: &[&str]) -> i64 {
        match self {
            ServerDatabase::Sqlite(conn) => conn
                .query_row(sql, rusqlite::params_from_iter(args), |r| r.get(0))
                .unwrap(),
            ServerDatabase::Postgres(client) => client
                .query_one(&numbered(sql), &text_params(args))
                .unwrap()
                .get(0),
        }
    }
}

fn numbered(sql: &str) -> String {
    sql.replace('?', "$")
}

fn text_params<'a>(args: &'a [&'a str]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|arg| arg as &(dyn postgres::types::ToSql + Sync))
        .collect()
}
