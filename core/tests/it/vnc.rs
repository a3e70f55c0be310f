//! A real remote session on Linux: Xvfb gives a display, x11vnc serves it on 127.0.0.1, and
//! `stationdesk-cli remote connect --tool vnc` hands `vnc://127.0.0.1:PORT` to the system's
//! handler (`gio open`, which starts Remmina). The test waits until x11vnc reports the
//! client's connection, then ends the session and checks the audit record.
//!
//! Needs Xvfb, x11vnc, remmina with remmina-plugin-vnc and desktop-file-utils (so that GLib
//! knows Remmina handles `vnc:`); `scripts/setup.sh test` installs them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::cli::{cli_command, json_of, Db};

/// Kills what the test started, even when an assertion fails half-way.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn needs(program: &str) {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is missing: install xvfb x11vnc remmina remmina-plugin-vnc desktop-file-utils (scripts/setup.sh test does)"
    );
}

/// Lines a child writes to `stream`, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn wait_for_line(lines: &mpsc::Receiver<String>, what: &str, needle: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => continue,
            Err(_) => panic!("{what}: no line with {needle:?} within 40 s"),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn connecting_to_a_vnc_station_opens_the_system_viewer_and_the_server_sees_it() {
    for program in ["Xvfb", "x11vnc", "remmina", "gio"] {
        needs(program);
    }
    let home = tempfile::tempdir().unwrap();
    let mut running = Running(Vec::new());

    // Xvfb picks a free display itself and writes its number to the given descriptor.
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "1024x768x24",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let display_lines = lines_of(xvfb.stdout.take().unwrap());
    running.0.push(xvfb);
    let display = format!(":{}", wait_for_line(&display_lines, "Xvfb", "").trim());

    let port = free_port();
    let mut x11vnc = Command::new("x11vnc")
        .args([
            "-display",
            &display,
            "-rfbport",
            &port.to_string(),
            "-localhost",
            "-nopw",
            "-forever",
            "-shared",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = lines_of(x11vnc.stdout.take().unwrap());
    let log = lines_of(x11vnc.stderr.take().unwrap());
    running.0.push(x11vnc);
    wait_for_line(&ready, "x11vnc", &format!("PORT={port}"));

    let db = Db::new();
    json_of(&db.run(&["station", "add", "--name", "Kasse 3", "--json"]));
    let address = format!("127.0.0.1:{port}");
    json_of(&db.run(&[
        "station",
        "remote",
        "--station",
        "Kasse 3",
        "--tool",
        "vnc",
        "--id",
        &address,
        "--json",
    ]));

    let connected = json_of(
        &cli_command(
            &db.path(),
            &[
                "remote",
                "connect",
                "--station",
                "Kasse 3",
                "--by",
                "Herr Support",
                "--json",
            ],
        )
        .env("DISPLAY", &display)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .output()
        .unwrap(),
    );
    let url = format!("vnc://{address}");
    assert_eq!(connected["program"], "gio");
    assert_eq!(connected["args"], serde_json::json!(["open", url]));
    assert_eq!(connected["url"], Value::from(url));

    let seen = wait_for_line(&log, "x11vnc", "Got connection from client");
    assert!(seen.contains("127.0.0.1"), "{seen}");

    let session = connected["session"]["id"].as_str().unwrap();
    let ended = json_of(&db.run(&["remote", "end", "--session", session, "--json"]));
    let started_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(connected["session"]["started_at"].clone()).unwrap();
    let ended_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(ended["ended_at"].clone()).unwrap();
    assert!(ended_at >= started_at);
    assert_eq!(ended["end_reason"], "ended_by_support");
    assert_eq!(ended["tool"], "vnc");
    assert_eq!(ended["started_by"], "Herr Support");
}
