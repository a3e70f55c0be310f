//! Whom a cashier should turn to after pressing the emergency button, by the station's contract
//! (seed 001): under Support Flat anyone at the till calls the vendor's hotline; under Second
//! Level the shop admin is the first contact and escalates; with no contract the screen says so
//! and points to the plan advisor.

use serde::{Deserialize, Serialize};

use super::plans::WhoMayCall;

/// Contact details a shop keeps in its settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopContacts {
    /// The vendor's emergency number for cashiers (Flat) or admins (Second Level).
    pub hotline: String,
    pub admin_name: String,
    pub admin_phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "routing", rename_all = "snake_case")]
pub enum Routing {
    /// Straight to the vendor's support queue; the cashier may call the hotline.
    Vendor { hotline: String },
    /// To the shop admin first, who escalates to the vendor.
    ShopAdmin {
        admin_name: String,
        admin_phone: String,
    },
    /// No active contract covers the station.
    NoContract,
}

/// `covering`: who may call under the contract covering the station today, if one does.
pub fn route(covering: Option<WhoMayCall>, contacts: &ShopContacts) -> Routing {
    match covering {
        Some(WhoMayCall::AnyoneAtStation) => Routing::Vendor {
            hotline: contacts.hotline.clone(),
        },
        Some(WhoMayCall::NamedAdmins) => Routing::ShopAdmin {
            admin_name: contacts.admin_name.clone(),
            admin_phone: contacts.admin_phone.clone(),
        },
        None => Routing::NoContract,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts() -> ShopContacts {
        ShopContacts {
            hotline: "+49 30 1234567".into(),
            admin_name: "Frau Weber".into(),
            admin_phone: "+49 171 7654321".into(),
        }
    }

    #[test]
    fn each_contract_case_routes_the_cashier() {
        assert_eq!(
            route(Some(WhoMayCall::AnyoneAtStation), &contacts()),
            Routing::Vendor {
                hotline: "+49 30 1234567".into()
            }
        );
        assert_eq!(
            route(Some(WhoMayCall::NamedAdmins), &contacts()),
            Routing::ShopAdmin {
                admin_name: "Frau Weber".into(),
                admin_phone: "+49 171 7654321".into()
            }
        );
        assert_eq!(route(None, &contacts()), Routing::NoContract);
    }

    #[test]
    fn routing_serialises_with_its_kind() {
        let json =
            serde_json::to_value(route(Some(WhoMayCall::AnyoneAtStation), &contacts())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"routing": "vendor", "hotline": "+49 30 1234567"})
        );
        assert_eq!(
            serde_json::to_value(Routing::NoContract).unwrap(),
            serde_json::json!({"routing": "no_contract"})
        );
    }
}
