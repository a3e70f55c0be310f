//! What a backend keeps in memory beside its database, for every backend alike: callers by
//! token, once looked up, and the newest revision in each reach, so a caller who has it already
//! is answered without reading the database (a no-op sync costs the same however long the
//! history is).

use std::collections::HashMap;
use std::sync::RwLock;

use uuid::Uuid;

use super::Caller;
use crate::accounts::secret_hash;
use crate::policy::{Owner, Reach};

/// Callers by token hash. A revoke through this process drops its entry (tokens are revoked
/// only through the API).
#[derive(Default)]
pub struct Callers(RwLock<HashMap<String, Caller>>);

impl Callers {
    pub fn get(&self, token: &str) -> Option<Caller> {
        let callers = self.0.read().unwrap_or_else(|p| p.into_inner());
        callers.get(&secret_hash(token)).cloned()
    }

    pub fn remember(&self, token: &str, caller: Caller) {
        let mut callers = self.0.write().unwrap_or_else(|p| p.into_inner());
        callers.insert(secret_hash(token), caller);
    }

    pub fn forget(&self, token: &str) {
        let mut callers = self.0.write().unwrap_or_else(|p| p.into_inner());
        callers.remove(&secret_hash(token));
    }
}

/// Who reads an applied change: its shop, the till it belongs to, or every till of the shop.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub shop: Uuid,
    pub station: Option<Uuid>,
    pub shared: bool,
}

impl Scope {
    /// Whose history the change is stored in: a shared change is the shop's, not one till's.
    pub fn as_stored(self) -> Owner {
        Owner {
            shop: self.shop,
            station: self.station.filter(|_| !self.shared),
        }
    }
}

/// Which head a backend reads back when it opens.
#[derive(Clone, Copy, Debug)]
pub enum HeadOf {
    Shop,
    Station,
    /// A shop's changes that every till of it reads.
    Shared,
}

/// The newest revision in each reach.
#[derive(Default)]
pub struct Heads(RwLock<HeadsByReach>);

#[derive(Default)]
struct HeadsByReach {
    all: u64,
    shops: HashMap<Uuid, u64>,
    stations: HashMap<Uuid, u64>,
    shared: HashMap<Uuid, u64>,
}

impl Heads {
    /// A head as the backend found it in its history.
    pub fn load(&self, of: HeadOf, id: Uuid, revision: u64) {
        let mut heads = self.0.write().unwrap_or_else(|p| p.into_inner());
        heads.all = heads.all.max(revision);
        let map = match of {
            HeadOf::Shop => &mut heads.shops,
            HeadOf::Station => &mut heads.stations,
            HeadOf::Shared => &mut heads.shared,
        };
        let head = map.entry(id).or_default();
        *head = (*head).max(revision);
    }

    /// Changes just committed.
    pub fn record(&self, applied: &[(u64, Scope)]) {
        let mut heads = self.0.write().unwrap_or_else(|p| p.into_inner());
        for &(revision, scope) in applied {
            heads.all = heads.all.max(revision);
            heads.shops.insert(scope.shop, revision);
            match scope.station {
                _ if scope.shared => {
                    heads.shared.insert(scope.shop, revision);
                }
                Some(station) => {
                    heads.stations.insert(station, revision);
                }
                None => {}
            }
        }
    }

    pub fn of(&self, reach: &Reach) -> u64 {
        let heads = self.0.read().unwrap_or_else(|p| p.into_inner());
        let head = |map: &HashMap<Uuid, u64>, id| map.get(id).copied().unwrap_or(0);
        match reach {
            Reach::Station { shop, station } => {
                head(&heads.stations, station).max(head(&heads.shared, shop))
            }
            Reach::Shop(shop) => head(&heads.shops, shop),
            Reach::Everything => heads.all,
        }
    }
}
