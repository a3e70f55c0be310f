//! Sync in the background, from a database connection of its own: the window and the emergency
//! button never wait for the network. It syncs at start, soon after a local write, every 30
//! seconds while all is well, and after a failure again with backoff and jitter, which also
//! notices the network coming back without waiting for the next write.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};

use stationdesk_core::store::Store;
use stationdesk_core::sync::{self, backoff};
use uuid::Uuid;

pub struct SyncWorker {
    wake: Sender<()>,
}

impl SyncWorker {
    pub fn start(database: PathBuf) -> SyncWorker {
        let (wake, woken) = mpsc::channel();
        std::thread::spawn(move || run(&database, &woken));
        SyncWorker { wake }
    }

    /// Syncs now rather than at the next tick: after a local write, or when asked.
    pub fn soon(&self) {
        let _ = self.wake.send(());
    }
}

fn run(database: &std::path::Path, woken: &Receiver<()>) {
    let mut store = match Store::open(database) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("stationdesk: no background sync: {error}");
            return;
        }
    };
    let mut failures = 0;
    loop {
        if matches!(store.enrolment(), Ok(Some(_))) {
            match sync::sync(&mut store) {
                Ok(_) => failures = 0,
                Err(error) => {
                    failures += 1;
                    eprintln!("stationdesk: sync failed, trying again: {error}");
                }
            }
        }
        match woken.recv_timeout(backoff::next_try(failures, jitter())) {
            // Writes that came in a burst are sent together.
            Ok(()) | Err(RecvTimeoutError::Timeout) => while woken.try_recv().is_ok() {},
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// A number in [0, 1) from the random bits of a UUIDv7: enough to spread retries.
fn jitter() -> f64 {
    f64::from(u16::try_from(Uuid::now_v7().as_u128() & 0xffff).unwrap_or(0)) / 65536.0
}
