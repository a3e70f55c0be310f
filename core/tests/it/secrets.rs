//! Without a reachable keyring, enrolment stops before it spends the one-time code, says how to
//! fix it, and leaves nothing behind: no token in a file, no half enrolment.

use crate::cli::{cli_command, stderr, Db};

#[test]
fn without_a_keyring_enrolment_says_how_to_fix_it_and_keeps_nothing() {
    let db = Db::new();
    let output = cli_command(
        &db.path(),
        &[
            "--json",
            "enrol",
            "--server",
            "http://127.0.0.1:9",
            "--code",
            "0123abcd",
            "--station-name",
            "Kasse 1",
        ],
    )
    .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("no keyring is reachable"), "{message}");
    assert!(
        message.contains("start and unlock your desktop's keyring"),
        "{message}"
    );
    // The keyring was checked before the server was asked (which is not there at all).
    assert!(!message.contains("cannot be reached"), "{message}");
    let sync = db.run(&["--json", "sync"]);
    assert_eq!(sync.status.code(), Some(1));
    assert!(stderr(&sync).contains("not enrolled"), "{}", stderr(&sync));
}
