//! The emergency press survives the process being killed right after it reported success.
//!
//! The test runs this very test binary again as the child (`child_presses_and_waits_to_be_killed`,
//! only active when the environment names a database): the child presses, prints the ticket id,
//! and waits with its database still open; the parent kills it with SIGKILL and looks.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::Utc;
use stationdesk_core::store::Store;

const CHILD_DB: &str = "STATIONDESK_CRASH_TEST_DB";

#[test]
#[ignore = "the child half of a_killed_process_keeps_its_emergency_ticket; run by it"]
fn child_presses_and_waits_to_be_killed() {
    let Some(path) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let pressed = store.press_emergency("Kasse 1", Utc::now()).unwrap();
    println!("PRESSED {}", pressed.ticket.id);
    // Killed long before this; bounded so a broken parent can never hang the suite.
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn a_killed_process_keeps_its_emergency_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stationdesk.sqlite");
    Store::open(&path)
        .unwrap()
        .add_station("Kasse 1", "")
        .unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_presses_and_waits_to_be_killed",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let id = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        // libtest prints "test <name> ... " before the child's own output on the same line.
        .find_map(|line| {
            line.split_once("PRESSED ")
                .map(|(_, id)| id.trim().to_owned())
        })
        .expect("the child reports the press");
    child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint, no goodbye.
    child.wait().unwrap();

    let store = Store::open(&path).unwrap();
    let detail = store.ticket(&id).expect("the ticket is in the database");
    assert_eq!(detail.events.len(), 1);
    assert_eq!(
        store.pending_changes().unwrap(),
        3,
        "the station, the ticket and its event wait in the outbox"
    );
}
