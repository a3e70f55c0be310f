//! A wall clock a test sets: libfaketime preloaded into the process under test reads the time
//! from a file on every call, and the monotonic clock is left alone, so timers and timeouts
//! keep real time while dates and hours are the test's.

use std::ffi::OsString;
use std::path::Path;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

pub struct FakeClock(tempfile::NamedTempFile);

impl FakeClock {
    /// A clock showing `time` (libfaketime's absolute form, `@2026-12-07 09:30:00`, in UTC).
    pub fn at(time: &str) -> FakeClock {
        let clock = FakeClock(tempfile::NamedTempFile::new().unwrap());
        clock.set(time);
        clock
    }

    pub fn set(&self, time: &str) {
        std::fs::write(self.0.path(), time).unwrap();
    }

    /// The environment a process runs on this clock with.
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        preloaded([
            ("FAKETIME_TIMESTAMP_FILE", self.0.path().into()),
            ("FAKETIME_NO_CACHE", "1".into()),
        ])
    }
}

/// The environment a process runs with its wall clock `offset` from the real one (libfaketime's
/// relative form, `+1h`). Preloaded directly: the `faketime` wrapper's named semaphores, left
/// behind by a killed process, can clash with a later process of the same PID.
pub fn shifted(offset: &str) -> Vec<(&'static str, OsString)> {
    preloaded([
        ("FAKETIME", offset.into()),
        ("FAKETIME_NO_CACHE", "1".into()),
    ])
}

fn preloaded(settings: [(&'static str, OsString); 2]) -> Vec<(&'static str, OsString)> {
    assert!(
        Path::new(LIBFAKETIME).exists(),
        "libfaketime is installed (package faketime)"
    );
    let mut env = vec![
        ("LD_PRELOAD", LIBFAKETIME.into()),
        ("DONT_FAKE_MONOTONIC", "1".into()),
        ("TZ", "UTC".into()),
    ];
    env.extend(settings);
    env
}
