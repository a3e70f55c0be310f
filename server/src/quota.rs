//! How much of the server's history one till and one shop may fill, for every backend: a till
//! that pushes without end is refused with a clear reason before it fills the disk or the
//! memory of everyone who pulls its shop.

use std::collections::HashMap;

use uuid::Uuid;

use crate::policy::Owner;

/// One till's changes in the history, as JSON: years of a busy till's tickets.
pub const TILL_QUOTA: u64 = 256 * 1024 * 1024;
/// One shop's changes in the history, its tills' included.
pub const SHOP_QUOTA: u64 = 4 * 1024 * 1024 * 1024;

/// The bytes of history each shop and each till holds.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    shops: HashMap<Uuid, u64>,
    tills: HashMap<Uuid, u64>,
}

impl Usage {
    /// What a backend counted when it opened: bytes per shop, and per till.
    pub fn new(shops: HashMap<Uuid, u64>, tills: HashMap<Uuid, u64>) -> Usage {
        Usage { shops, tills }
    }

    /// Counts a change of `bytes` under `owner`, unless it would pass a quota; then the reason.
    pub fn take(&mut self, owner: Owner, bytes: u64) -> Result<(), String> {
        let shop = self.shops.get(&owner.shop).copied().unwrap_or(0);
        let till = owner
            .station
            .map_or(0, |t| self.tills.get(&t).copied().unwrap_or(0));
        if owner.station.is_some() && till + bytes > TILL_QUOTA {
            return Err(format!(
                "this till's history on the server is full ({} MiB); ask the vendor to look at what it sends",
                TILL_QUOTA / 1_048_576
            ));
        }
        if shop + bytes > SHOP_QUOTA {
            return Err(format!(
                "the shop's history on the server is full ({} GiB); ask the vendor to make room",
                SHOP_QUOTA / 1_073_741_824
            ));
        }
        *self.shops.entry(owner.shop).or_default() += bytes;
        if let Some(till) = owner.station {
            *self.tills.entry(till).or_default() += bytes;
        }
        Ok(())
    }

    /// Gives back what [`Usage::take`] counted, for changes whose transaction did not commit.
    pub fn give_back(&mut self, owner: Owner, bytes: u64) {
        if let Some(shop) = self.shops.get_mut(&owner.shop) {
            *shop = shop.saturating_sub(bytes);
        }
        if let Some(till) = owner.station.and_then(|t| self.tills.get_mut(&t)) {
            *till = till.saturating_sub(bytes);
        }
    }

    pub fn of_shop(&self, shop: Uuid) -> u64 {
        self.shops.get(&shop).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_till_and_a_shop_are_refused_past_their_quota_and_nothing_is_counted_then() {
        let (shop, till) = (Uuid::now_v7(), Uuid::now_v7());
        let owner = Owner {
            shop,
            station: Some(till),
        };
        let mut usage = Usage::new(
            HashMap::from([(shop, SHOP_QUOTA - 10)]),
            HashMap::from([(till, TILL_QUOTA - 100)]),
        );
        assert!(usage
            .take(owner, 100)
            .unwrap_err()
            .contains("shop's history"));
        let mut usage = Usage::new(HashMap::new(), HashMap::from([(till, TILL_QUOTA - 100)]));
        assert!(usage.take(owner, 100).is_ok());
        assert!(usage.take(owner, 1).unwrap_err().contains("till's history"));
        assert_eq!(usage.of_shop(shop), 100);
        // What the shop's admin makes counts for the shop only.
        let by_admin = Owner {
            shop,
            station: None,
        };
        assert!(usage.take(by_admin, 1_000).is_ok());
        assert_eq!(usage.of_shop(shop), 1_100);
    }
}
