//! Start-up and idle memory of the release app, against the smallest Tauri window of the same
//! Tauri version measured in the same run: from spawning the process to its first painted frame
//! (each window reports it in its log), then the proportional set size of the app and its WebKit
//! processes after a few idle seconds, and the size of each stripped binary.
//!
//!     cargo build --release -p stationdesk -p stationdesk-hello-window
//!     xvfb-run -a -s "-screen 0 1400x900x24" cargo bench -p stationdesk-e2e --bench window_startup

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use stationdesk_core::store::Store;

const ROUNDS: usize = 7;
/// Long enough for the first sync attempt, the checkpointer and WebKit's own start-up work to
/// have settled: the memory a till holds while nobody touches it.
const IDLE: Duration = Duration::from_secs(5);
const PATIENCE: Duration = Duration::from_secs(60);
/// WebKitGTK's switch between painting with Skia on the GPU and on the CPU.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

struct Scenario {
    name: &'static str,
    binary: PathBuf,
    /// WebKit's painting switch set for this window (`None`: whatever the window chooses).
    cpu_painting: Option<&'static str>,
    /// Prepares the data directory (stationdesk's database) before the start.
    prepare: fn(&Path),
}

struct Sample {
    painted: Duration,
    pss_kib: u64,
}

fn main() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no display: run the benchmark under xvfb-run"
    );
    let scenarios = [
        Scenario {
            name: "hello-window (baseline)",
            binary: release_binary("stationdesk-hello-window"),
            cpu_painting: None,
            prepare: |_| {},
        },
        // Where there is no GPU, stationdesk paints on the CPU (src-tauri/src/painting.rs) and
        // the hello window, like any Tauri app, does not: the same switch for the hello window
        // shows how much of the difference is that choice.
        Scenario {
            name: "hello-window, CPU painting",
            binary: release_binary("stationdesk-hello-window"),
            cpu_painting: Some("1"),
            prepare: |_| {},
        },
        Scenario {
            name: "stationdesk, first start",
            binary: release_binary("stationdesk"),
            cpu_painting: None,
            prepare: |_| {},
        },
        Scenario {
            name: "stationdesk, till screen",
            binary: release_binary("stationdesk"),
            cpu_painting: None,
            prepare: |dir| {
                let mut store = Store::open(&dir.join("stationdesk.sqlite")).unwrap();
                stationdesk_e2e::till_covered_by(Some("flat"), None)(&mut store);
            },
        },
    ];
    let mut samples: Vec<Vec<Sample>> = scenarios.iter().map(|_| Vec::new()).collect();
    // One start of each as a warm-up (the page cache), then the rounds, taking turns so that
    // a slow moment of the machine falls on all of them alike.
    for scenario in &scenarios {
        start_once(scenario);
    }
    for _ in 0..ROUNDS {
        for (scenario, kept) in scenarios.iter().zip(&mut samples) {
            kept.push(start_once(scenario));
        }
    }

    let baseline = summary(&samples[0]);
    let cpu_baseline = summary(&samples[1]);
    println!(
        "{:<28} {:>12} {:>8} {:>8} {:>14} {:>8} {:>8} {:>12} {:>8}",
        "window", "first frame", "ratio", "cpu", "idle PSS", "ratio", "cpu", "binary", "ratio"
    );
    let baseline_size = binary_size(&scenarios[0].binary);
    for (scenario, kept) in scenarios.iter().zip(&samples) {
        let (painted, pss) = summary(kept);
        let size = binary_size(&scenario.binary);
        println!(
            "{:<28} {:>9} ms {:>7.2}x {:>7.2}x {:>10.1} MiB {:>7.2}x {:>7.2}x {:>8.1} MiB {:>7.2}x",
            scenario.name,
            painted.as_millis(),
            painted.as_secs_f64() / baseline.0.as_secs_f64(),
            painted.as_secs_f64() / cpu_baseline.0.as_secs_f64(),
            pss as f64 / 1024.0,
            pss as f64 / baseline.1 as f64,
            pss as f64 / cpu_baseline.1 as f64,
            size as f64 / 1024.0 / 1024.0,
            size as f64 / baseline_size as f64,
        );
    }
    println!(
        "(medians of {ROUNDS} starts each; PSS of the app and its WebKit processes after {} s \
         idle; ratios to the hello window as Tauri makes it, and to it painting on the CPU)",
        IDLE.as_secs()
    );
}

fn release_binary(name: &str) -> PathBuf {
    let path = stationdesk_e2e::target_dir().join("release").join(name);
    assert!(
        path.exists(),
        "no {}; build it first: cargo build --release -p stationdesk -p stationdesk-hello-window",
        path.display()
    );
    path
}

fn binary_size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn summary(samples: &[Sample]) -> (Duration, u64) {
    let mut painted: Vec<Duration> = samples.iter().map(|s| s.painted).collect();
    let mut pss: Vec<u64> = samples.iter().map(|s| s.pss_kib).collect();
    painted.sort();
    pss.sort_unstable();
    (painted[painted.len() / 2], pss[pss.len() / 2])
}

fn start_once(scenario: &Scenario) -> Sample {
    let data = tempfile::tempdir().unwrap();
    (scenario.prepare)(data.path());
    let mut command = Command::new(&scenario.binary);
    command.env_remove(CPU_PAINTING);
    if let Some(value) = scenario.cpu_painting {
        command.env(CPU_PAINTING, value);
    }
    let began = Instant::now();
    let mut child = command
        .env(stationdesk_core::paths::DATA_DIR_ENV, data.path())
        .env("NO_AT_BRIDGE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", scenario.binary.display()));
    let (painted_tx, painted_rx) = mpsc::channel();
    let log = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in log.lines().map_while(Result::ok) {
            if line.contains("first frame painted") {
                let _ = painted_tx.send(began.elapsed());
            }
        }
    });
    let painted = painted_rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
        end(&mut child);
        panic!("{} painted no frame within {PATIENCE:?}", scenario.name)
    });
    std::thread::sleep(IDLE);
    let pss_kib = tree(child.id()).iter().map(|pid| pss_kib(*pid)).sum();
    end(&mut child);
    Sample { painted, pss_kib }
}

/// The process and everything it started (WebKit's web and network processes).
fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        found.extend(children.get(&found[next]).into_iter().flatten());
        next += 1;
    }
    found
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces; the parent follows the state.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

fn pss_kib(pid: u32) -> u64 {
    let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Ends WebKit's processes, then the app.
fn end(child: &mut Child) {
    for pid in tree(child.id()).into_iter().skip(1).rev() {
        let pid = libc::pid_t::try_from(pid).expect("pid fits");
        // SAFETY: kill(2) on a process our child started, found in /proc a moment ago.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    stationdesk_e2e::terminate(child);
}
