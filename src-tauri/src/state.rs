use std::process::Child;
use std::sync::{Mutex, MutexGuard};

use stationdesk_core::domain::money::VatRate;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::paths;
use stationdesk_core::store::Store;

use crate::error::UiError;
use crate::sync_worker::SyncWorker;

pub struct AppState {
    store: Mutex<Store>,
    /// The rate documents show VAT at: Germany's standard rate until shops elsewhere need another.
    pub vat_rate: VatRate,
    /// The vendor's support hours (seed 001) until the central server provides them.
    pub calendar: SupportCalendar,
    /// The remote tool started at the till when the cashier allowed remote help, closed again
    /// when they end it.
    remote_tool: Mutex<Option<Child>>,
    pub sync: SyncWorker,
    /// When the app began, for the start-up time it reports once the window has painted.
    pub started: std::time::Instant,
    pub painted: std::sync::Once,
}

impl AppState {
    pub fn open() -> Result<AppState, UiError> {
        let started = std::time::Instant::now();
        let path = paths::default_database()?;
        let store = Store::open(&path)?;
        start_checkpointer(Store::open(&path)?);
        Ok(AppState {
            store: Mutex::new(store),
            vat_rate: VatRate::DE_STANDARD,
            calendar: SupportCalendar::default(),
            remote_tool: Mutex::new(None),
            sync: SyncWorker::start(path),
            started,
            painted: std::sync::Once::new(),
        })
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A command that panicked while holding the lock left no transaction open (rusqlite
        // rolls back on drop), so the store is still sound to use.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl AppState {
    pub fn keep_remote_tool(&self, tool: Child) {
        let previous = self.remote_tool().replace(tool);
        if let Some(previous) = previous {
            close(previous);
        }
    }

    pub fn stop_remote_tool(&self) {
        if let Some(tool) = self.remote_tool().take() {
            close(tool);
        }
    }

    fn remote_tool(&self) -> MutexGuard<'_, Option<Child>> {
        self.remote_tool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ends a tool we started (it may have exited already) and reaps it.
fn close(mut tool: Child) {
    let _ = tool.kill();
    let _ = tool.wait();
}

/// Keeps the WAL short from a connection of its own, so that an emergency press seldom pays
/// for a checkpoint. A passive checkpoint blocks nobody; a failed one is tried again next time.
fn start_checkpointer(store: Store) {
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(15));
        if let Err(error) = store.checkpoint() {
            eprintln!("stationdesk: checkpoint failed, will try again: {error}");
        }
    });
}
