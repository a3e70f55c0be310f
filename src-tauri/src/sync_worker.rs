//! Sync in the background, from database connections of its own: the window and the emergency
//! button never wait for the network. It syncs at start, soon after a local write, every 30
//! seconds while all is well, and after a failure again with backoff and jitter, which also
//! notices the network coming back without waiting for the next write. A second thread listens
//! to the server's event stream, so what others change (an emergency at another till, for the
//! support desk) arrives within moments, not at the next tick.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};

use stationdesk_core::store::Store;
use stationdesk_core::sync::{self, backoff, SyncError, Synced};
use uuid::Uuid;

/// Told about every sync: what it did, or `None` when it failed (the store has the error).
pub type Report = Box<dyn Fn(Option<&Synced>) + Send>;

pub struct SyncWorker {
    wake: Sender<()>,
    report: Arc<Mutex<Option<Report>>>,
}

impl SyncWorker {
    pub fn start(database: PathBuf) -> SyncWorker {
        let (wake, woken) = mpsc::channel();
        let report: Arc<Mutex<Option<Report>>> = Arc::default();
        let reporting = report.clone();
        let syncing = database.clone();
        std::thread::spawn(move || run(&syncing, &woken, &reporting));
        let listener_wake = wake.clone();
        std::thread::spawn(move || listen(&database, &listener_wake));
        SyncWorker { wake, report }
    }

    /// Syncs now rather than at the next tick: after a local write, or when asked.
    pub fn soon(&self) {
        let _ = self.wake.send(());
    }

    /// Who hears of every sync (the window, once it is there).
    pub fn report_to(&self, report: Report) {
        *self.report.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
    }
}

fn run(database: &Path, woken: &Receiver<()>, report: &Mutex<Option<Report>>) {
    let mut store = match Store::open(database) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("stationdesk: no background sync: {error}");
            return;
        }
    };
    let mut failures = 0;
    loop {
        if speaks_for_someone(&store) {
            let outcome = sync::sync(&mut store);
            match &outcome {
                Ok(_) => failures = 0,
                Err(error) => {
                    failures += 1;
                    eprintln!("stationdesk: sync failed, trying again: {error}");
                }
            }
            if let Some(report) = &*report.lock().unwrap_or_else(|p| p.into_inner()) {
                report(outcome.as_ref().ok());
            }
        }
        match woken.recv_timeout(backoff::next_try(failures, jitter())) {
            // Writes that came in a burst are sent together.
            Ok(()) | Err(RecvTimeoutError::Timeout) => while woken.try_recv().is_ok() {},
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Listens to the server's event stream and wakes the sync when it says there is news; when
/// the stream breaks (server down, not enrolled yet, signed out) it listens again after a pause
/// that grows with the failures, as the sync's own retries do.
fn listen(database: &Path, wake: &Sender<()>) {
    let Ok(mut store) = Store::open(database) else {
        return;
    };
    let mut failures = 0;
    loop {
        if !speaks_for_someone(&store) {
            // Not connected to a server (yet, or signed out of it): a cheap local look now and
            // then.
            std::thread::sleep(NOT_ENROLLED_LOOK);
            continue;
        }
        let started = std::time::Instant::now();
        let heard = sync::listen(&mut store, || {
            let _ = wake.send(());
        });
        // The server no longer takes this installation's token (a till disconnected, a session
        // ended): a sync now records it, so the window says so at once, not at the next tick.
        if matches!(heard, Err(SyncError::AccessEnded { .. })) {
            let _ = wake.send(());
        }
        // A stream that stayed up a while was fine; only quick failures back off further.
        failures = if started.elapsed() > backoff::next_try(0, 0.0) {
            1
        } else {
            failures + 1
        };
        std::thread::sleep(backoff::next_try(failures, jitter()));
    }
}

/// Whether this installation has anyone to sync as: an enrolled till or a signed-in staff
/// member (a staff member who signed out on a PC that is no till leaves neither).
fn speaks_for_someone(store: &Store) -> bool {
    matches!(store.enrolment(), Ok(Some(state)) if state.staff.is_some() || state.station_id.is_some())
}

const NOT_ENROLLED_LOOK: std::time::Duration = std::time::Duration::from_secs(3);

/// A number in [0, 1) from the random bits of a UUIDv7: enough to spread retries.
fn jitter() -> f64 {
    f64::from(u16::try_from(Uuid::now_v7().as_u128() & 0xffff).unwrap_or(0)) / 65536.0
}
