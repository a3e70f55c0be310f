//! What a backend keeps in memory beside its database, for every backend alike: callers by
//! token, once looked up, and the newest revision in each reach, so a caller who has it already
//! is answered without reading the database (a no-op sync costs the same however long the
//! history is).

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use stationdesk_protocol::{ChangeBody, Records};

use super::Caller;
use crate::accounts::secret_hash;
use crate::policy::{Owner, Reach};

/// Callers by token hash. Ending tokens through this process drops their entries at once;
/// what another process wrote empties the whole map ([`Callers::clear`]), so nothing ended
/// elsewhere is served from memory for longer than the backend takes to notice.
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

    pub fn touch(&self, token: &str, now: DateTime<Utc>) {
        let mut callers = self.0.write().unwrap_or_else(|p| p.into_inner());
        if let Some(caller) = callers.get_mut(&secret_hash(token)) {
            caller.last_used_at = now;
        }
    }

    /// Drops the callers whose token hash and caller `ended` picks.
    pub fn forget_where(&self, ended: impl Fn(&str, &Caller) -> bool) {
        let mut callers = self.0.write().unwrap_or_else(|p| p.into_inner());
        callers.retain(|hash, caller| !ended(hash, caller));
    }

    pub fn clear(&self) {
        self.0.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Who reads an applied change: its shop, the till it belongs to, or every till of the shop;
/// or the vendor's staff alone.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub shop: Uuid,
    pub station: Option<Uuid>,
    pub shared: bool,
    pub staff_only: bool,
}

impl Scope {
    pub fn of<R: Records>(body: &ChangeBody<R>, owner: Owner) -> Scope {
        Scope {
            shop: owner.shop,
            station: owner.station,
            shared: body.subject().0.is_shared_in_shop(),
            staff_only: body.is_staff_only(),
        }
    }

    /// Whose history the change is stored in: a shared change is the shop's, not one till's.
    pub fn as_stored(self) -> Owner {
        Owner {
            shop: self.shop,
            station: self.station.filter(|_| !self.shared),
        }
    }
}

/// A change just committed: its place in the whole history, in its shop's, and who reads it.
#[derive(Clone, Copy, Debug)]
pub struct Committed {
    pub revision: u64,
    pub shop_seq: u64,
    pub scope: Scope,
}

/// Which head a backend reads back when it opens.
#[derive(Clone, Copy, Debug)]
pub enum HeadOf {
    Shop,
    Station,
    /// A shop's changes that every till of it reads.
    Shared,
}

/// The newest revision in each reach: in the whole history for the vendor's staff, in the
/// shop's own sequence for a shop's people.
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
    /// The newest revision of the whole history, as the backend found it.
    pub fn load_all(&self, revision: u64) {
        let mut heads = self.0.write().unwrap_or_else(|p| p.into_inner());
        heads.all = heads.all.max(revision);
    }

    /// A shop's, a till's or a shop's shared head (in the shop's sequence), as found.
    pub fn load(&self, of: HeadOf, id: Uuid, shop_seq: u64) {
        let mut heads = self.0.write().unwrap_or_else(|p| p.into_inner());
        let map = match of {
            HeadOf::Shop => &mut heads.shops,
            HeadOf::Station => &mut heads.stations,
            HeadOf::Shared => &mut heads.shared,
        };
        let head = map.entry(id).or_default();
        *head = (*head).max(shop_seq);
    }

    /// Changes just committed.
    pub fn record(&self, committed: &[Committed]) {
        let mut heads = self.0.write().unwrap_or_else(|p| p.into_inner());
        for &Committed {
            revision,
            shop_seq,
            scope,
        } in committed
        {
            heads.all = heads.all.max(revision);
            if scope.staff_only {
                continue;
            }
            heads.shops.insert(scope.shop, shop_seq);
            match scope.station {
                _ if scope.shared => {
                    heads.shared.insert(scope.shop, shop_seq);
                }
                Some(station) => {
                    heads.stations.insert(station, shop_seq);
                }
                None => {}
            }
        }
    }

    /// Heads another process moved.
    pub fn merge(&self, moved: &HeadsMoved) {
        let mut guard = self.0.write().unwrap_or_else(|p| p.into_inner());
        let heads = &mut *guard;
        heads.all = heads.all.max(moved.all);
        for (map, moved) in [
            (&mut heads.shops, &moved.shops),
            (&mut heads.stations, &moved.stations),
            (&mut heads.shared, &moved.shared),
        ] {
            for &(id, shop_seq) in moved {
                let head = map.entry(id).or_default();
                *head = (*head).max(shop_seq);
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

/// The heads some committed changes moved, each once at its newest: small enough to tell
/// another server process in one notification, however many changes a push applied.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HeadsMoved {
    all: u64,
    shops: Vec<(Uuid, u64)>,
    stations: Vec<(Uuid, u64)>,
    shared: Vec<(Uuid, u64)>,
}

impl HeadsMoved {
    pub fn of(committed: &[Committed]) -> HeadsMoved {
        let heads = Heads::default();
        heads.record(committed);
        let heads = heads.0.into_inner().unwrap_or_else(|p| p.into_inner());
        HeadsMoved {
            all: heads.all,
            shops: heads.shops.into_iter().collect(),
            stations: heads.stations.into_iter().collect(),
            shared: heads.shared.into_iter().collect(),
        }
    }

    pub fn moves_any(&self) -> bool {
        self.all > 0
    }

    /// What another notification moved too.
    pub fn extend(&mut self, other: HeadsMoved) {
        self.all = self.all.max(other.all);
        self.shops.extend(other.shops);
        self.stations.extend(other.stations);
        self.shared.extend(other.shared);
    }
}
