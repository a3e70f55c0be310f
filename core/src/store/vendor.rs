//! What this installation knows of its support vendor, as last read from the central server:
//! whom the tills call and the catalogue the advisor prices with. Kept here so that both work
//! offline, and so that a shop admin no longer types the vendor's hotline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stationdesk_protocol::VendorContact;

use super::{put_setting, Store, StoreError};
use crate::domain::plans::Catalog;
use crate::domain::routing::ShopContacts;

const VENDOR_KEY: &str = "vendor";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorCopy {
    /// `None` while the vendor has not set its profile.
    pub contact: Option<VendorContact>,
    /// The catalogue in force on the server when it was read, checked as it arrived.
    pub catalog: Catalog,
    pub read_at: DateTime<Utc>,
}

impl Store {
    pub fn vendor_copy(&self) -> Result<Option<VendorCopy>, StoreError> {
        self.setting(VENDOR_KEY)?
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("the vendor's copy: {e}")))
            })
            .transpose()
    }

    pub fn keep_vendor_copy(&mut self, copy: &VendorCopy) -> Result<(), StoreError> {
        let json = serde_json::to_string(copy).expect("the vendor's copy serialises");
        let tx = self.write()?;
        put_setting(&tx, VENDOR_KEY, Some(&json))?;
        Ok(tx.commit()?)
    }

    /// The catalogue to price with: the vendor's as last read, else the built-in one (seed
    /// 001) until this installation has talked to a server.
    pub fn catalog(&self) -> Result<Catalog, StoreError> {
        Ok(self
            .vendor_copy()?
            .map_or_else(Catalog::builtin, |copy| copy.catalog))
    }

    /// Whom the till's cashier calls: the vendor's hotline where the vendor published one,
    /// else the number the shop typed in before it synced with a server.
    pub fn till_contacts(&self) -> Result<ShopContacts, StoreError> {
        let mut contacts = self.shop_contacts()?;
        let published = self
            .vendor_copy()?
            .and_then(|copy| copy.contact)
            .and_then(|contact| contact.hotline)
            .filter(|hotline| !hotline.trim().is_empty());
        if let Some(hotline) = published {
            contacts.hotline = hotline;
        }
        Ok(contacts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(hotline: Option<&str>) -> VendorContact {
        VendorContact {
            name: "Kassensysteme Nord GmbH".into(),
            hotline: hotline.map(str::to_owned),
            email: "support@kassen-nord.de".into(),
            support_hours: Some("Mo-Fr 09:00-18:00".into()),
        }
    }

    #[test]
    fn the_vendors_hotline_replaces_the_typed_one_and_its_catalogue_the_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .set_shop_contacts(&ShopContacts {
                hotline: "+49 30 999".into(),
                admin_name: "Frau Weber".into(),
                admin_phone: "+49 171 1".into(),
            })
            .unwrap();
        assert_eq!(store.till_contacts().unwrap().hotline, "+49 30 999");
        assert_eq!(store.catalog().unwrap(), Catalog::builtin());

        let mut catalog = Catalog::builtin();
        catalog.plans.truncate(1);
        let copy = VendorCopy {
            contact: Some(contact(Some("+49 40 5550100"))),
            catalog: catalog.clone(),
            read_at: Utc::now(),
        };
        store.keep_vendor_copy(&copy).unwrap();
        let contacts = store.till_contacts().unwrap();
        assert_eq!(contacts.hotline, "+49 40 5550100");
        assert_eq!(
            contacts.admin_name, "Frau Weber",
            "the shop's own admin stays"
        );
        assert_eq!(store.catalog().unwrap(), catalog);

        // A vendor without a published hotline leaves the shop's number in place.
        store
            .keep_vendor_copy(&VendorCopy {
                contact: Some(contact(Some("  "))),
                ..copy
            })
            .unwrap();
        assert_eq!(store.till_contacts().unwrap().hotline, "+49 30 999");
    }
}
