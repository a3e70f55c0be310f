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
        assert!(
            Path::new(LIBFAKETIME).exists(),
            "libfaketime is installed (package faketime)"
        );
        vec![
            ("LD_PRELOAD", LIBFAKETIME.into()),
            ("FAKETIME_TIMESTAMP_FILE", self.0.path().into()),
            ("FAKETIME_NO_CACHE", "1".into()),
            ("DONT_FAKE_MONOTONIC", "1".into()),
            ("TZ", "UTC".into()),
        ]
    }
}
