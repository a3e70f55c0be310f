//! A support contract: the plan as sold, the stations it covers, its terms and its end.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::billing;
use super::contract_terms::{self, TermFacts};
use super::money::Money;
use super::plans::PlanSnapshot;
use super::DomainError;

/// Who gave notice: the shop, or the vendor terminating (rare, e.g. after abusive behaviour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Customer,
    Vendor,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Customer => "customer",
            Party::Vendor => "vendor",
        }
    }
}

impl std::str::FromStr for Party {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "customer" => Ok(Party::Customer),
            "vendor" => Ok(Party::Vendor),
            other => Err(format!("{other:?} is neither \"customer\" nor \"vendor\"")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub received_on: NaiveDate,
    pub by: Party,
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractState {
    Active,
    /// The shop gave notice; the contract runs until the end of a term.
    NoticeGiven,
    /// The vendor terminated; the contract runs until the end of a term.
    TerminatedByVendor,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: Uuid,
    pub plan: PlanSnapshot,
    pub start: NaiveDate,
    pub station_ids: Vec<Uuid>,
    pub notice: Option<Notice>,
    pub created_at: DateTime<Utc>,
}

impl Contract {
    /// A new contract, checked against the plan's station limits. Whether the stations are free
    /// is the store's check ([`check_stations_free`]), since it needs every other contract.
    pub fn new(
        plan: PlanSnapshot,
        start: NaiveDate,
        station_ids: Vec<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Contract, DomainError> {
        let mut unique = station_ids.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != station_ids.len() {
            return Err(DomainError::DuplicateStation);
        }
        let pricing = &plan.plan.pricing;
        let count = u32::try_from(station_ids.len()).unwrap_or(u32::MAX);
        if !pricing.accepts(count) {
            let range = match pricing.max_units() {
                Some(max) if max == pricing.min_units() => max.to_string(),
                Some(max) => format!("{} to {max}", pricing.min_units()),
                None => format!("{} or more", pricing.min_units()),
            };
            return Err(DomainError::WrongStationCount {
                plan: plan.plan.name.clone(),
                range,
                given: station_ids.len(),
            });
        }
        // Terms far in the future must be computable, or every later view of it would fail.
        contract_terms::term_end(start, 1)?;
        Ok(Contract {
            id: Uuid::now_v7(),
            plan,
            start,
            station_ids,
            notice: None,
            created_at: now,
        })
    }

    /// The last day of the contract, once notice has been given.
    pub fn ends_on(&self) -> Option<NaiveDate> {
        self.notice.as_ref().map(|n| n.effective_on)
    }

    /// In force on `day` or on some day after it.
    pub fn in_force_from(&self, day: NaiveDate) -> bool {
        self.ends_on().is_none_or(|end| end >= day)
    }

    pub fn state_on(&self, today: NaiveDate) -> ContractState {
        match &self.notice {
            None => ContractState::Active,
            Some(n) if today > n.effective_on => ContractState::Ended,
            Some(Notice {
                by: Party::Customer,
                ..
            }) => ContractState::NoticeGiven,
            Some(Notice {
                by: Party::Vendor, ..
            }) => ContractState::TerminatedByVendor,
        }
    }

    pub fn give_notice(
        &mut self,
        received_on: NaiveDate,
        by: Party,
    ) -> Result<&Notice, DomainError> {
        if let Some(notice) = &self.notice {
            return Err(DomainError::NoticeAlreadyGiven {
                received: notice.received_on,
                ends_on: notice.effective_on,
            });
        }
        let effective_on = billing::cancellation_effective(self, received_on)?;
        Ok(self.notice.insert(Notice {
            received_on,
            by,
            effective_on,
        }))
    }

    /// The net yearly price as sold.
    pub fn yearly_price(&self) -> Option<Money> {
        let per_period = self
            .plan
            .price_for(u32::try_from(self.station_ids.len()).ok()?)?;
        Some(per_period.times(self.plan.plan.period.periods_per_year()))
    }

    /// What the contract table shows for `today`.
    pub fn status_on(&self, today: NaiveDate) -> Result<ContractStatus, DomainError> {
        // Before the start, the first term is the one that matters.
        let on = today.max(self.start);
        let terms = contract_terms::term_facts(self.start, on, None)?;
        let state = self.state_on(today);
        let notice_today_ends_on = match state {
            ContractState::Active => Some(billing::cancellation_effective(self, today)?),
            _ => None,
        };
        Ok(ContractStatus {
            contract: self.clone(),
            state,
            terms,
            notice_today_ends_on,
            yearly_price: self.yearly_price(),
            awaiting_confirmation: false,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractStatus {
    pub contract: Contract,
    pub state: ContractState,
    /// The term containing today (the first term, before the start).
    pub terms: TermFacts,
    /// "A notice received today ends the contract on ..."; `None` once notice was given.
    pub notice_today_ends_on: Option<NaiveDate>,
    pub yearly_price: Option<Money>,
    /// Made (or given notice) here and not yet confirmed by the server, which prices it from
    /// the vendor's catalogue.
    #[serde(default)]
    pub awaiting_confirmation: bool,
}

/// The contract in force for `station` on `day`, if any (at most one, by the rule below).
pub fn covering_contract(
    contracts: &[Contract],
    station: Uuid,
    day: NaiveDate,
) -> Option<&Contract> {
    contracts
        .iter()
        .find(|c| c.station_ids.contains(&station) && c.start <= day && c.in_force_from(day))
}

/// A station may be covered by one contract at a time. A new contract runs from its start with
/// no end, so it clashes with every other contract of the same station that is still in force
/// on or after that start.
pub fn check_stations_free(
    new: &Contract,
    existing: &[Contract],
    station_name: impl Fn(Uuid) -> String,
) -> Result<(), DomainError> {
    for station in &new.station_ids {
        if let Some(clash) = existing.iter().find(|c| {
            c.id != new.id && c.station_ids.contains(station) && c.in_force_from(new.start)
        }) {
            return Err(DomainError::StationAlreadyCovered {
                station: station_name(*station),
                contract: clash.id,
                until: clash
                    .ends_on()
                    .map_or_else(|| "further notice".to_owned(), |d| d.to_string()),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::Catalog;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn contract(plan: &str, start: &str, stations: &[Uuid]) -> Result<Contract, DomainError> {
        Contract::new(
            Catalog::builtin().snapshot(plan).unwrap(),
            d(start),
            stations.to_vec(),
            Utc::now(),
        )
    }

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn plans_limit_the_stations_a_contract_covers() {
        let six = ids(6);
        assert!(contract("flat", "2025-01-01", &six[..1]).is_ok());
        let err = contract("flat", "2025-01-01", &six[..2]).unwrap_err();
        assert!(err.to_string().contains("covers 1 station"), "{err}");
        assert!(contract("second_level", "2025-01-01", &six[..5]).is_ok());
        let err = contract("second_level", "2025-01-01", &six).unwrap_err();
        assert!(err.to_string().contains("1 to 5"), "{err}");
        assert!(contract("second_level", "2025-01-01", &[]).is_err());
        assert_eq!(
            contract("second_level", "2025-01-01", &[six[0], six[0]]).unwrap_err(),
            DomainError::DuplicateStation
        );
    }

    #[test]
    fn states_through_a_contracts_life() {
        let mut c = contract("flat", "2025-01-01", &ids(1)).unwrap();
        assert_eq!(c.state_on(d("2025-06-01")), ContractState::Active);
        let notice = c
            .give_notice(d("2025-12-18"), Party::Customer)
            .unwrap()
            .clone();
        assert_eq!(notice.effective_on, d("2026-12-31"));
        assert_eq!(c.state_on(d("2026-12-31")), ContractState::NoticeGiven);
        assert_eq!(c.state_on(d("2027-01-01")), ContractState::Ended);
        assert!(matches!(
            c.give_notice(d("2026-01-01"), Party::Vendor),
            Err(DomainError::NoticeAlreadyGiven { .. })
        ));

        let mut v = contract("flat", "2025-01-01", &ids(1)).unwrap();
        v.give_notice(d("2025-03-01"), Party::Vendor).unwrap();
        assert_eq!(
            v.state_on(d("2025-03-02")),
            ContractState::TerminatedByVendor
        );
        assert_eq!(v.state_on(d("2026-01-01")), ContractState::Ended);
    }

    #[test]
    fn status_tells_what_a_notice_today_would_do() {
        let c = contract("second_level", "2025-01-01", &ids(3)).unwrap();
        let status = c.status_on(d("2026-12-17")).unwrap();
        assert_eq!(status.terms.term_end, d("2026-12-31"));
        assert_eq!(status.terms.notice_deadline, d("2026-12-17"));
        assert_eq!(status.notice_today_ends_on, Some(d("2026-12-31")));
        assert_eq!(
            c.status_on(d("2026-12-18")).unwrap().notice_today_ends_on,
            Some(d("2027-12-31"))
        );
        assert_eq!(status.yearly_price.unwrap().to_string(), "650.00 EUR");
        // Before its start, a contract shows its first term.
        let before = c.status_on(d("2024-12-01")).unwrap();
        assert_eq!(before.terms.term_start, d("2025-01-01"));
    }

    #[test]
    fn a_station_has_one_contract_at_a_time() {
        let till = ids(1);
        let mut old = contract("flat", "2025-01-01", &till).unwrap();
        let name = |_| "Kasse 1".to_owned();
        let new = contract("second_level", "2026-06-01", &till).unwrap();
        let err = check_stations_free(&new, std::slice::from_ref(&old), name).unwrap_err();
        assert!(
            err.to_string().contains("Kasse 1") && err.to_string().contains("further notice"),
            "{err}"
        );

        // Notice ends the old contract on 2025-12-31: a new one may start the day after, not before.
        old.give_notice(d("2025-06-01"), Party::Customer).unwrap();
        let next = contract("second_level", "2026-01-01", &till).unwrap();
        assert!(check_stations_free(&next, std::slice::from_ref(&old), name).is_ok());
        let overlapping = contract("second_level", "2025-12-31", &till).unwrap();
        assert!(check_stations_free(&overlapping, std::slice::from_ref(&old), name).is_err());
        // A contract made earlier that starts later still clashes: the new one has no end.
        let later = contract("flat", "2027-01-01", &till).unwrap();
        let now = contract("flat", "2026-01-01", &till).unwrap();
        assert!(check_stations_free(&now, &[later], name).is_err());
    }
}
