//! The plan catalogue: what the vendor sells, as data.
//!
//! Prices are not constants in code: the vendor changes them (later the central server serves
//! the catalogue), and a contract keeps a snapshot of the plan it was sold with. Three pricing
//! shapes cover every plan we know of:
//! - per unit (Support Flat: 249.00 EUR per station and year, one station per contract),
//! - bundle (Second Level: 650.00 EUR a year for 1 to 5 stations),
//! - tiered with included units and overage (seed 000's PREMIUM: DKK 1,125 a month for up to 10
//!   users, DKK 55 for each one more).
//!
//! A plan may be a trial (free for a number of days); the advisor does not offer trials, since
//! they cover nothing once they run out.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money};
use super::DomainError;

/// A plan's stable identifier, e.g. `flat` or `second_level`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanId(pub String);

impl std::fmt::Display for PlanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Year,
}

impl Period {
    pub fn periods_per_year(self) -> u32 {
        match self {
            Period::Month => 12,
            Period::Year => 1,
        }
    }
}

wire_enum!(
    /// Who may contact the vendor's support under a plan: the heart of the Flat / Second Level
    /// difference (seed 001). Under `AnyoneAtStation` whoever works the till, temp or head
    /// cashier, calls support directly; under `NamedAdmins` only the shop's named admins do,
    /// and cashiers go to their admin first.
    WhoMayCall { AnyoneAtStation = "anyone_at_station", NamedAdmins = "named_admins" }
);

/// The price of ONE contract as a function of the units (stations) it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pricing {
    PerUnit {
        unit_price: Decimal,
        /// The most units one contract may cover; `None` for no limit.
        #[serde(default)]
        max_units: Option<u32>,
    },
    Bundle {
        price: Decimal,
        #[serde(default = "one")]
        min_units: u32,
        max_units: u32,
    },
    Tiered {
        base_price: Decimal,
        included_units: u32,
        overage_unit_price: Decimal,
        #[serde(default)]
        max_units: Option<u32>,
    },
}

fn one() -> u32 {
    1
}

/// A stretch of units that each cost the same to add to a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PriceSegment {
    pub unit_price: Decimal,
    /// `None`: without end.
    pub units: Option<u32>,
}

impl Pricing {
    pub fn min_units(&self) -> u32 {
        match self {
            Pricing::Bundle { min_units, .. } => *min_units,
            Pricing::PerUnit { .. } | Pricing::Tiered { .. } => 1,
        }
    }

    pub fn max_units(&self) -> Option<u32> {
        match self {
            Pricing::PerUnit { max_units, .. } | Pricing::Tiered { max_units, .. } => *max_units,
            Pricing::Bundle { max_units, .. } => Some(*max_units),
        }
    }

    pub fn accepts(&self, units: u32) -> bool {
        units >= self.min_units() && self.max_units().is_none_or(|max| units <= max)
    }

    /// The price per period of one contract covering `units`, or `None` if the plan cannot
    /// cover that many (or that few).
    pub fn price_for(&self, units: u32) -> Option<Decimal> {
        if !self.accepts(units) {
            return None;
        }
        Some(match self {
            Pricing::PerUnit { unit_price, .. } => *unit_price * Decimal::from(units),
            Pricing::Bundle { price, .. } => *price,
            Pricing::Tiered {
                base_price,
                included_units,
                overage_unit_price,
                ..
            } => {
                *base_price
                    + *overage_unit_price * Decimal::from(units.saturating_sub(*included_units))
            }
        })
    }

    /// The price at `min_units`, then the segments of units above it in the order they are
    /// added. Every pricing is convex (the price of one more unit never falls), which is what
    /// lets the advisor fill contracts greedily, cheapest unit first.
    pub(crate) fn segments(&self) -> (Decimal, Vec<PriceSegment>) {
        let min = self.min_units();
        let base = self.price_for(min).unwrap_or(Decimal::ZERO);
        let above_min = |max: Option<u32>| max.map(|max| max - min);
        let segments = match self {
            Pricing::PerUnit {
                unit_price,
                max_units,
            } => vec![PriceSegment {
                unit_price: *unit_price,
                units: above_min(*max_units),
            }],
            Pricing::Bundle { max_units, .. } => vec![PriceSegment {
                unit_price: Decimal::ZERO,
                units: above_min(Some(*max_units)),
            }],
            Pricing::Tiered {
                included_units,
                overage_unit_price,
                max_units,
                ..
            } => {
                let free = included_units.saturating_sub(min);
                let free = max_units.map_or(free, |max| free.min(max - min));
                let paid = max_units.map(|max| max - min - free);
                vec![
                    PriceSegment {
                        unit_price: Decimal::ZERO,
                        units: Some(free),
                    },
                    PriceSegment {
                        unit_price: *overage_unit_price,
                        units: paid,
                    },
                ]
            }
        };
        (base, segments)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub period: Period,
    pub pricing: Pricing,
    pub who_may_call: WhoMayCall,
    /// A trial is free for this many days and is never offered by the advisor.
    #[serde(default)]
    pub trial_days: Option<u32>,
    /// The plan a trial continues on when it ends without notice (seed 000: TRIAL, then BASIC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converts_to: Option<PlanId>,
}

impl Plan {
    pub fn is_trial(&self) -> bool {
        self.trial_days.is_some()
    }
}

/// A plan as it was sold: the price a contract keeps whatever the catalogue says later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSnapshot {
    pub plan: Plan,
    pub currency: Currency,
    /// For a trial, the plan it continues on, at the price of the day it was sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_trial: Option<Plan>,
}

impl PlanSnapshot {
    /// The net price per period of one contract of this plan covering `units`.
    pub fn price_for(&self, units: u32) -> Option<Money> {
        self.plan
            .pricing
            .price_for(units)
            .map(|amount| Money::new(amount, self.currency.clone()))
    }
}

/// One currency per catalogue, so that every option the advisor compares is in the same money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub currency: Currency,
    pub plans: Vec<Plan>,
}

/// The default catalogue (seed 001), used until the central server provides one.
const DEFAULT_CATALOG_JSON: &str = include_str!("default_catalog.json");

impl Catalog {
    pub fn builtin() -> Catalog {
        Catalog::from_json(DEFAULT_CATALOG_JSON).expect("the built-in catalogue is valid")
    }

    pub fn from_json(text: &str) -> Result<Catalog, DomainError> {
        let catalog: Catalog =
            serde_json::from_str(text).map_err(|e| DomainError::InvalidCatalog(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), DomainError> {
        let bad = |why: String| Err(DomainError::InvalidCatalog(why));
        if self.plans.is_empty() {
            return bad("it lists no plans".into());
        }
        let mut seen = HashSet::new();
        for plan in &self.plans {
            let id = &plan.id.0;
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return bad(format!(
                    "plan id {id:?} must be lower-case letters, digits and '_'"
                ));
            }
            if !seen.insert(id) {
                return bad(format!("plan id {id:?} appears twice"));
            }
            if plan.name.trim().is_empty() {
                return bad(format!("plan {id:?} has no name"));
            }
            let prices = match &plan.pricing {
                Pricing::PerUnit { unit_price, .. } => vec![*unit_price],
                Pricing::Bundle { price, .. } => vec![*price],
                Pricing::Tiered {
                    base_price,
                    overage_unit_price,
                    ..
                } => vec![*base_price, *overage_unit_price],
            };
            if prices.iter().any(|p| p.is_sign_negative()) {
                return bad(format!("plan {id:?} has a negative price"));
            }
            let min = plan.pricing.min_units();
            match plan.pricing.max_units() {
                _ if min == 0 => return bad(format!("plan {id:?} must cover at least 1 station")),
                Some(max) if max < min => {
                    return bad(format!(
                        "plan {id:?} covers at most {max} but at least {min} stations"
                    ))
                }
                _ => {}
            }
            if plan.trial_days == Some(0) {
                return bad(format!("plan {id:?} is a trial of 0 days"));
            }
            if plan.is_trial() && plan.period != Period::Month {
                return bad(format!("trial {id:?} must run monthly"));
            }
            if let Some(next) = &plan.converts_to {
                match self.plans.iter().find(|p| p.id == *next) {
                    _ if !plan.is_trial() => {
                        return bad(format!("plan {id:?} is no trial and converts to nothing"))
                    }
                    Some(next) if !next.is_trial() && next.period == plan.period => {}
                    _ => {
                        return bad(format!(
                            "trial {id:?} converts to {next:?}, which is not a paid plan of the same period here"
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    pub fn plan(&self, id: &str) -> Result<&Plan, DomainError> {
        self.plans
            .iter()
            .find(|p| p.id.0 == id)
            .ok_or_else(|| DomainError::UnknownPlan {
                id: id.to_owned(),
                known: self.plans.iter().map(|p| p.id.0.clone()).collect(),
            })
    }

    pub fn snapshot(&self, id: &str) -> Result<PlanSnapshot, DomainError> {
        let plan = self.plan(id)?.clone();
        let after_trial = match &plan.converts_to {
            Some(next) => Some(self.plan(&next.0)?.clone()),
            None => None,
        };
        Ok(PlanSnapshot {
            plan,
            currency: self.currency.clone(),
            after_trial,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn builtin_catalog_has_the_two_seed_001_plans() {
        let catalog = Catalog::builtin();
        let flat = catalog.plan("flat").unwrap();
        assert_eq!(flat.pricing.price_for(1), Some(dec("249.00")));
        assert_eq!(
            flat.pricing.price_for(2),
            None,
            "a Flat contract covers exactly one station"
        );
        assert_eq!(flat.who_may_call, WhoMayCall::AnyoneAtStation);
        let second = catalog.plan("second_level").unwrap();
        for stations in 1..=5 {
            assert_eq!(second.pricing.price_for(stations), Some(dec("650.00")));
        }
        assert_eq!(second.pricing.price_for(6), None);
        assert_eq!(second.who_may_call, WhoMayCall::NamedAdmins);
        assert_eq!(catalog.currency.code(), "EUR");
    }

    #[test]
    fn seed_000_plans_are_expressible() {
        let catalog =
            Catalog::from_json(include_str!("../../tests/data/leanpoint_catalog.json")).unwrap();
        let premium = &catalog.plan("premium").unwrap().pricing;
        assert_eq!(premium.price_for(10), Some(dec("1125")));
        assert_eq!(premium.price_for(11), Some(dec("1180")));
        assert_eq!(premium.price_for(14), Some(dec("1345")));
        let basic = &catalog.plan("basic").unwrap().pricing;
        assert_eq!(basic.price_for(3), Some(dec("340")));
        assert_eq!(basic.price_for(4), None);
        let trial = catalog.plan("trial").unwrap();
        assert_eq!(trial.trial_days, Some(90));
        assert_eq!(trial.pricing.price_for(3), Some(Decimal::ZERO));
        assert_eq!(catalog.plan("basic").unwrap().period, Period::Month);
    }

    #[test]
    fn unknown_plan_names_the_known_ones() {
        let err = Catalog::builtin().plan("gold").unwrap_err().to_string();
        assert!(
            err.contains("gold") && err.contains("flat") && err.contains("second_level"),
            "{err}"
        );
    }

    #[test]
    fn broken_catalogs_are_refused_with_the_reason() {
        let cases = [
            ("not json", "expected"),
            (r#"{"currency":"EUR","plans":[]}"#, "no plans"),
            (r#"{"currency":"euro","plans":[]}"#, "currency"),
            (
                r#"{"currency":"EUR","plans":[{"id":"a","name":"A","period":"year","who_may_call":"named_admins",
                    "pricing":{"kind":"bundle","price":"-1","max_units":5}}]}"#,
                "negative",
            ),
            (
                r#"{"currency":"EUR","plans":[{"id":"a","name":"A","period":"year","who_may_call":"named_admins",
                    "pricing":{"kind":"bundle","price":"1","min_units":6,"max_units":5}}]}"#,
                "at most 5",
            ),
            (
                r#"{"currency":"EUR","plans":[{"id":"a","name":"A","period":"year","who_may_call":"named_admins",
                    "pricing":{"kind":"per_unit","unit_price":"1"}},{"id":"a","name":"B","period":"year",
                    "who_may_call":"named_admins","pricing":{"kind":"per_unit","unit_price":"1"}}]}"#,
                "twice",
            ),
            (
                r#"{"currency":"EUR","plans":[{"id":"A b","name":"A","period":"year","who_may_call":"named_admins",
                    "pricing":{"kind":"per_unit","unit_price":"1"}}]}"#,
                "lower-case",
            ),
            (
                r#"{"currency":"EUR","plans":[{"id":"a","name":"A","period":"week","who_may_call":"named_admins",
                    "pricing":{"kind":"per_unit","unit_price":"1"}}]}"#,
                "week",
            ),
        ];
        for (json, why) in cases {
            let err = Catalog::from_json(json).unwrap_err().to_string();
            assert!(err.contains(why), "{json}: {err}");
        }
    }

    #[test]
    fn segments_rebuild_the_price_of_every_size() {
        let catalog =
            Catalog::from_json(include_str!("../../tests/data/leanpoint_catalog.json")).unwrap();
        for plan in catalog.plans.iter().chain(Catalog::builtin().plans.iter()) {
            let (base, segments) = plan.pricing.segments();
            let mut price = base;
            let mut units = plan.pricing.min_units();
            assert_eq!(plan.pricing.price_for(units), Some(price));
            'fill: for segment in segments {
                for _ in 0..segment.units.unwrap_or(30) {
                    units += 1;
                    price += segment.unit_price;
                    assert_eq!(
                        plan.pricing.price_for(units),
                        Some(price),
                        "{} at {units}",
                        plan.id
                    );
                    if units > 40 {
                        break 'fill;
                    }
                }
            }
            assert!(
                plan.pricing.max_units().is_none_or(|max| max == units),
                "{}",
                plan.id
            );
        }
    }
}
