//! Stations (tills) and which contract covers each.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::compliance::TillCompliance;
use super::contracts::Contract;
use super::plans::PlanId;
use super::DomainError;
use crate::remote::ids::RemoteAddress;

pub const MAX_STATION_NAME: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Station {
    pub id: Uuid,
    pub name: String,
    pub location: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The station's remote tool and its id there, for support to connect.
    pub remote: Option<RemoteAddress>,
    /// What the cash-register law asks of this till, once someone recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<TillCompliance>,
}

/// A station's name as typed, trimmed; empty or overlong names are refused.
pub fn clean_station_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_STATION_NAME
        || name.chars().any(char::is_control)
    {
        return Err(DomainError::InvalidStationName {
            max: MAX_STATION_NAME,
        });
    }
    Ok(name.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageState {
    /// A contract is in force today.
    Covered,
    /// A contract has been made but starts later.
    Upcoming,
    Uncovered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationCoverage {
    pub station: Station,
    pub coverage: CoverageState,
    pub contract_id: Option<Uuid>,
    pub plan: Option<PlanId>,
    /// The first day of cover (for an upcoming contract) or `None`.
    pub covered_from: Option<NaiveDate>,
    /// The day cover ends, where notice has been given.
    pub covered_until: Option<NaiveDate>,
}

/// Each station with the contract that covers it today or will cover it; uncovered stations are
/// listed too, so an admin sees at once which till has no support.
pub fn coverage_on(
    stations: &[Station],
    contracts: &[Contract],
    today: NaiveDate,
) -> Vec<StationCoverage> {
    stations
        .iter()
        .map(|station| {
            let contract = contracts
                .iter()
                .filter(|c| c.station_ids.contains(&station.id) && c.in_force_from(today))
                .min_by_key(|c| c.start);
            let coverage = match contract {
                None => CoverageState::Uncovered,
                Some(c) if c.start > today => CoverageState::Upcoming,
                Some(_) => CoverageState::Covered,
            };
            StationCoverage {
                station: station.clone(),
                coverage,
                contract_id: contract.map(|c| c.id),
                plan: contract.map(|c| c.plan.plan.id.clone()),
                covered_from: contract.filter(|c| c.start > today).map(|c| c.start),
                covered_until: contract.and_then(Contract::ends_on),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(clean_station_name("  Kasse 1 ").unwrap(), "Kasse 1");
        assert!(clean_station_name("   ").is_err());
        assert!(clean_station_name("Kasse\n1").is_err());
        assert!(clean_station_name(&"x".repeat(MAX_STATION_NAME + 1)).is_err());
        assert!(clean_station_name(&"ä".repeat(MAX_STATION_NAME)).is_ok());
    }
}
