//! Remote sessions through the real CLI, with TeamViewer, RustDesk and AnyDesk played by small
//! executables first on PATH that record exactly what they were given (argv and stdin): those
//! tools cannot be installed here, and what they receive is the part we own.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::{cli_command, json_of, stderr, Db};

/// A folder of fake tools; each writes its arguments (one per line) and its standard input to
/// `<tool>.argv` and `<tool>.stdin` beside itself, atomically, then exits.
pub(crate) struct FakeTools {
    dir: tempfile::TempDir,
}

impl FakeTools {
    pub(crate) fn new() -> FakeTools {
        let dir = tempfile::tempdir().unwrap();
        for (tool, id) in [
            ("teamviewer", ""),
            ("rustdesk", "123456789"),
            ("anydesk", "kasse-1@ad"),
        ] {
            let record = dir.path().join(tool);
            let script = format!(
                "#!/bin/sh\n\
                 if [ \"$1\" = --get-id ]; then echo '{id}'; exit 0; fi\n\
                 for arg in \"$@\"; do printf '%s\\n' \"$arg\"; done > '{record}.argv.tmp'\n\
                 cat > '{record}.stdin.tmp'\n\
                 mv '{record}.stdin.tmp' '{record}.stdin'\n\
                 mv '{record}.argv.tmp' '{record}.argv'\n",
                record = record.display()
            );
            std::fs::write(&record, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeTools { dir }
    }

    /// PATH with the fake tools first.
    pub(crate) fn path_var(&self) -> String {
        format!(
            "{}:{}",
            self.dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// What the tool received: its arguments and its standard input. The tool is started
    /// without waiting for it, so this waits (up to 10 s) for its record to appear.
    pub(crate) fn received(&self, tool: &str) -> (Vec<String>, String) {
        let argv = self.file(tool, "argv");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !argv.exists() {
            assert!(Instant::now() < deadline, "{tool} was not started");
            std::thread::sleep(Duration::from_millis(10));
        }
        let args = std::fs::read_to_string(&argv).unwrap();
        let stdin = std::fs::read_to_string(self.file(tool, "stdin")).unwrap();
        (args.lines().map(str::to_owned).collect(), stdin)
    }

    fn started(&self, tool: &str) -> bool {
        self.file(tool, "argv").exists()
    }

    fn file(&self, tool: &str, what: &str) -> PathBuf {
        self.dir.path().join(format!("{tool}.{what}"))
    }
}

fn run_with(db: &Path, tools: &FakeTools, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = cli_command(db, args);
    command
        .env("PATH", tools.path_var())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn sessions(db: &Db) -> Vec<Value> {
    json_of(&db.run(&["remote", "sessions", "--json"]))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn each_tool_receives_exactly_its_arguments_and_passwords_stay_off_anydesks_command_line() {
    let db = Db::new();
    let tools = FakeTools::new();
    let connect = |tool: &str, id: &str| {
        run_with(
            &db.path(),
            &tools,
            &[
                "remote",
                "connect",
                "--tool",
                tool,
                "--id",
                id,
                "--password-stdin",
                "--json",
            ],
            Some("geheim\n"),
        )
    };

    let shown = json_of(&connect("anydesk", "123456789"));
    assert_eq!(
        shown["args"],
        serde_json::json!(["123456789", "--with-password"])
    );
    assert_eq!(shown["stdin"], true);
    let (args, stdin) = tools.received("anydesk");
    assert_eq!(args, ["123456789", "--with-password"]);
    assert_eq!(stdin, "geheim\n");

    let shown = json_of(&connect("teamviewer", "987654321"));
    assert_eq!(
        shown["args"],
        serde_json::json!(["-i", "987654321", "--PasswordB64", "***"])
    );
    assert_eq!(
        tools.received("teamviewer").0,
        ["-i", "987654321", "--PasswordB64", "Z2VoZWlt"]
    );

    let shown = json_of(&connect("rustdesk", "Kasse_01"));
    assert_eq!(
        shown["args"],
        serde_json::json!(["--connect", "Kasse_01", "--password", "***"])
    );
    assert_eq!(
        tools.received("rustdesk"),
        (
            vec![
                "--connect".into(),
                "Kasse_01".into(),
                "--password".into(),
                "geheim".into()
            ],
            String::new()
        )
    );

    let recorded = sessions(&db);
    assert_eq!(recorded.len(), 3);
    let stored = std::fs::read(db.path()).unwrap();
    let everything_printed = serde_json::to_string(&recorded).unwrap();
    assert!(!everything_printed.contains("geheim"));
    assert!(
        !stored.windows(6).any(|w| w == b"geheim"),
        "no password in the database file"
    );
}

#[test]
fn a_dry_run_shows_the_password_as_stars_and_starts_nothing() {
    let db = Db::new();
    let tools = FakeTools::new();
    let output = run_with(
        &db.path(),
        &tools,
        &[
            "remote",
            "connect",
            "--tool",
            "rustdesk",
            "--id",
            "123456789",
            "--password-stdin",
            "--dry-run",
            "--json",
        ],
        Some("geheim\n"),
    );
    let shown = json_of(&output);
    assert_eq!(
        shown,
        serde_json::json!({
            "program": format!("{}/rustdesk", tools.dir.path().display()),
            "args": ["--connect", "123456789", "--password", "***"],
            "url": null,
            "stdin": false
        })
    );
    assert!(!tools.started("rustdesk"));
    assert!(sessions(&db).is_empty());
}

#[test]
fn hostile_ids_are_refused_before_anything_starts() {
    let db = Db::new();
    let tools = FakeTools::new();
    for id in [
        "--id=--play",
        "--id=123456789 --play",
        "--id=12345;reboot",
        "--id=\\\\host\\share",
    ] {
        let output = run_with(
            &db.path(),
            &tools,
            &["--json", "remote", "connect", "--tool", "anydesk", id],
            None,
        );
        assert_eq!(output.status.code(), Some(1), "{id}");
        let error: Value = serde_json::from_slice(&output.stderr).unwrap();
        assert_eq!(error["code"], "rule", "{id}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("is not a valid AnyDesk id"),
            "{error}"
        );
    }
    assert!(!tools.started("anydesk"));
    assert!(sessions(&db).is_empty());
}

#[test]
fn a_missing_tool_is_a_clear_message_and_no_record() {
    let db = Db::new();
    let output = cli_command(
        &db.path(),
        &[
            "remote",
            "connect",
            "--tool",
            "rustdesk",
            "--id",
            "123456789",
        ],
    )
    .env("PATH", "/nonexistent")
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim(),
        "error: RustDesk is not installed on this computer; install it (from rustdesk.com) and try again"
    );
    assert!(sessions(&db).is_empty());
}

#[test]
fn detect_finds_the_tools_on_path_and_reads_their_ids() {
    let db = Db::new();
    let tools = FakeTools::new();
    let found = json_of(&run_with(
        &db.path(),
        &tools,
        &["remote", "detect", "--json"],
        None,
    ));
    let found: Vec<(String, Value)> = found["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tool"].as_str().unwrap().to_owned(), t["id"].clone()))
        .filter(|(tool, _)| tool != "vnc")
        .collect();
    assert_eq!(
        found,
        [
            ("teamviewer".to_owned(), Value::Null),
            ("rustdesk".to_owned(), Value::from("123456789")),
            ("anydesk".to_owned(), Value::from("kasse-1@ad")),
        ]
    );
}

#[test]
fn the_cashiers_consent_is_recorded_and_referenced_by_the_session() {
    let db = Db::new();
    let tools = FakeTools::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 1", "--json"]));
    let station = json_of(&db.run(&[
        "station",
        "remote",
        "--station",
        "Kasse 1",
        "--tool",
        "rustdesk",
        "--id",
        "123456789",
        "--json",
    ]));
    assert_eq!(
        station["remote"],
        serde_json::json!({"tool": "rustdesk", "id": "123456789"})
    );

    let allowed = json_of(&run_with(
        &db.path(),
        &tools,
        &["remote", "allow", "--station", "Kasse 1", "--json"],
        None,
    ));
    assert_eq!(allowed["tool_started"], true);
    assert_eq!(
        tools.received("rustdesk").0,
        Vec::<String>::new(),
        "the station's tool opens with no arguments"
    );
    let consent = allowed["consent"]["id"].clone();

    let first = json_of(&run_with(
        &db.path(),
        &tools,
        &[
            "remote",
            "connect",
            "--station",
            "Kasse 1",
            "--by",
            "Frau Support",
            "--json",
        ],
        None,
    ));
    assert_eq!(first["session"]["consent_id"], consent);
    assert_eq!(first["session"]["started_by"], "Frau Support");

    let ended = json_of(&db.run(&["remote", "end-help", "--station", "Kasse 1", "--json"]));
    assert!(ended["ended_at"].is_string());
    let second = json_of(&run_with(
        &db.path(),
        &tools,
        &["remote", "connect", "--station", "Kasse 1", "--json"],
        None,
    ));
    assert_eq!(second["session"]["consent_id"], Value::Null);

    let session = first["session"]["id"].as_str().unwrap();
    let closed = json_of(&db.run(&[
        "remote",
        "end",
        "--session",
        session,
        "--note",
        "Bondrucker neu eingerichtet",
        "--json",
    ]));
    assert_eq!(closed["end_reason"], "ended_by_support");
    assert_eq!(closed["note"], "Bondrucker neu eingerichtet");
    let again = json_of(&db.run(&["remote", "end", "--session", session, "--json"]));
    assert_eq!(
        again["ended_at"], closed["ended_at"],
        "the first end counts"
    );
    let listed = json_of(&db.run(&["remote", "sessions", "--station", "Kasse 1", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[test]
fn the_shops_export_carries_the_session_records_and_consents() {
    let db = Db::new();
    let tools = FakeTools::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 2", "--json"]));
    json_of(&db.run(&[
        "station",
        "remote",
        "--station",
        "Kasse 2",
        "--tool",
        "teamviewer",
        "--id",
        "987654321",
        "--json",
    ]));
    json_of(&db.run(&[
        "ticket",
        "create",
        "--title",
        "Waage zeigt falsch",
        "--station",
        "Kasse 2",
        "--json",
    ]));
    json_of(&run_with(
        &db.path(),
        &tools,
        &["remote", "allow", "--station", "Kasse 2", "--json"],
        None,
    ));
    let started = json_of(&run_with(
        &db.path(),
        &tools,
        &["remote", "connect", "--station", "Kasse 2", "--json"],
        None,
    ));

    let export = json_of(&db.run(&["export"]));
    assert_eq!(export["stations"][0]["remote"]["id"], "987654321");
    assert_eq!(
        export["tickets"][0]["ticket"]["title"],
        "Waage zeigt falsch"
    );
    assert_eq!(export["remote_sessions"][0]["id"], started["session"]["id"]);
    assert_eq!(
        export["remote_consents"][0]["id"],
        started["session"]["consent_id"]
    );
}
