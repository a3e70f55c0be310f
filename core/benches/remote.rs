//! "Connect" from click to tool process spawned: the station's address read, checked, the
//! launch plan built, the program started and the session record committed, p50/p99, next to
//! starting the same program bare (`Command::spawn`) in the same run. Target: p99 <= 20 ms.
//!
//! The tool is a stand-in script that exits at once; what is measured is our part.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stationdesk_core::remote::ids::RemoteAddress;
use stationdesk_core::remote::launch::Platform;
use stationdesk_core::remote::RemoteTool;
use stationdesk_core::sessions::{self, ConnectTo};
use stationdesk_core::store::Store;

const SAMPLES: usize = 500;

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
    )
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let tool = dir.path().join("rustdesk");
    std::fs::write(&tool, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = OsString::from(dir.path());
    let env = move |name: &str| (name == "PATH").then(|| path.clone());

    let mut store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    store.add_station("Kasse 1", "").unwrap();
    let address = RemoteAddress::parse(RemoteTool::RustDesk, "123456789").unwrap();
    store.set_station_remote("Kasse 1", Some(&address)).unwrap();

    let bare: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            let mut child = Command::new(&tool)
                .args(["--connect", "123456789"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let elapsed = start.elapsed();
            child.wait().unwrap();
            elapsed
        })
        .collect();

    let to = ConnectTo {
        station: Some("Kasse 1"),
        ..ConnectTo::default()
    };
    let connect: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            let mut connected =
                sessions::connect(&mut store, &to, None, "bench", Platform::current(), &env)
                    .unwrap();
            let elapsed = start.elapsed();
            connected.child.wait().unwrap();
            elapsed
        })
        .collect();

    let (bare_p50, bare_p99) = percentiles(bare);
    let (p50, p99) = percentiles(connect);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "bare Command::spawn of the tool      p50 {:>7.3} ms  p99 {:>7.3} ms",
        ms(bare_p50),
        ms(bare_p99)
    );
    println!(
        "connect: click to tool spawned       p50 {:>7.3} ms  p99 {:>7.3} ms  p50 = {:.1} x bare spawn  target p99 <= 20 ms: {}",
        ms(p50),
        ms(p99),
        p50.as_secs_f64() / bare_p50.as_secs_f64(),
        if p99 <= Duration::from_millis(20) { "met" } else { "MISSED" }
    );
    println!(
        "sessions recorded: {}",
        store
            .remote_sessions(stationdesk_core::store::SessionsOf::Station("Kasse 1"))
            .unwrap()
            .len()
    );
}
