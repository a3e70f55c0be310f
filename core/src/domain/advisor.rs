//! The plan advisor: every sensible way to cover N stations, cheapest first.
//!
//! An option is a number of contracts per plan. For every set of plans (Flat only, Second Level
//! only, both, ...) the advisor finds the cheapest mix that uses each plan of the set, by a
//! dynamic programme over the stations covered; the sets differ in who may call support, which
//! is why each is worth showing.
//!
//! "Sensible" means no contract could be left out without the shop paying more: Second Level
//! plus a Flat for 3 stations is not shown, since Second Level alone covers the same 3 for less.
//! To decide that, a mix's stations are spread over its contracts greedily: each contract first
//! takes the stations it must cover (its minimum), then every further station goes where it
//! costs least, which is optimal because every pricing is convex (see [`Pricing::segments`]).
//!
//! The first option is the cheapest of all; a property test checks that, for every subset of a
//! random catalogue, against an exhaustive search over every split of the stations.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{round_to_cents, vat_breakdown, Currency, Money, VatBreakdown, VatRate};
use super::plans::{Catalog, Period, Plan, PlanId, Pricing, WhoMayCall};
use super::DomainError;

/// More stations than any one shop runs; beyond it the number of mixes grows past what is worth
/// listing in a desktop app.
pub const MAX_STATIONS: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    pub stations: u32,
    pub options: Vec<CoverOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverOption {
    pub items: Vec<OptionItem>,
    /// Net, per year, rounded to cents.
    pub net_total: Decimal,
    pub currency: Currency,
    pub period: Period,
    pub who_may_call: OptionCallers,
}

impl CoverOption {
    /// What the shop pays a year with VAT, as an invoice would show it.
    pub fn vat(&self, rate: VatRate) -> VatBreakdown {
        vat_breakdown(&Money::new(self.net_total, self.currency.clone()), rate)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionItem {
    pub plan: PlanId,
    pub contracts: u32,
    pub stations: u32,
}

/// Who may call support under an option as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionCallers {
    AnyoneAtStation,
    NamedAdmins,
    /// Some stations' cashiers may call, the others go through the admin.
    Mixed,
}

impl From<WhoMayCall> for OptionCallers {
    fn from(who: WhoMayCall) -> Self {
        match who {
            WhoMayCall::AnyoneAtStation => OptionCallers::AnyoneAtStation,
            WhoMayCall::NamedAdmins => OptionCallers::NamedAdmins,
        }
    }
}

pub fn advise(catalog: &Catalog, stations: u32) -> Result<Advice, DomainError> {
    if stations == 0 || stations > MAX_STATIONS {
        return Err(DomainError::StationCountOutOfRange {
            given: stations,
            max: MAX_STATIONS,
        });
    }
    let plans: Vec<&Plan> = catalog.plans.iter().filter(|p| !p.is_trial()).collect();
    if plans.is_empty() {
        return Err(DomainError::InvalidCatalog(
            "it has no plan but trials to advise".into(),
        ));
    }
    if plans.len() > MAX_PLANS {
        return Err(DomainError::InvalidCatalog(format!(
            "the advisor compares at most {MAX_PLANS} plans, this catalogue has {}",
            plans.len()
        )));
    }

    let mut sensible: Vec<Mix> = cheapest_count_per_plan_set(&plans, stations)
        .into_iter()
        .filter_map(|counts| cheapest_allocation(&plans, &counts, stations))
        .filter(|mix| !can_drop_a_contract(&plans, stations, mix))
        .collect();
    sensible.sort_by(|a, b| a.cmp_for_listing(b));

    let options = sensible
        .into_iter()
        .map(|mix| mix.into_option(&plans, &catalog.currency))
        .collect();
    Ok(Advice { stations, options })
}

/// Every set of plans is one candidate, so the work grows with 2 to the power of this.
const MAX_PLANS: usize = 6;

/// For every non-empty set of plans, the number of contracts per plan of the cheapest way to
/// cover exactly `stations` using each plan of the set at least once (fewest contracts among
/// equally cheap ways). A dynamic programme over (stations covered, plans used).
fn cheapest_count_per_plan_set(plans: &[&Plan], stations: u32) -> Vec<Vec<u32>> {
    let n = stations as usize;
    let sets = 1usize << plans.len();
    let yearly_price: Vec<Vec<Option<Decimal>>> = plans
        .iter()
        .map(|plan| {
            let per_year = Decimal::from(plan.period.periods_per_year());
            (0..=stations)
                .map(|units| plan.pricing.price_for(units).map(|p| p * per_year))
                .collect()
        })
        .collect();

    // best[covered * sets + set]: (cost, contracts) and the last contract added (plan, size,
    // set before it).
    type Step = (usize, usize, usize);
    let mut best: Vec<Option<((Decimal, u32), Step)>> = vec![None; (n + 1) * sets];
    best[0] = Some(((Decimal::ZERO, 0), (0, 0, 0)));
    for covered in 1..=n {
        for set in 1..sets {
            let mut here: Option<((Decimal, u32), Step)> = None;
            for (plan, prices) in yearly_price
                .iter()
                .enumerate()
                .filter(|(p, _)| set & (1 << p) != 0)
            {
                for (size, price) in prices.iter().enumerate().take(covered + 1).skip(1) {
                    let Some(price) = price else { continue };
                    for before in [set, set & !(1 << plan)] {
                        let Some(((cost, contracts), _)) = best[(covered - size) * sets + before]
                        else {
                            continue;
                        };
                        let candidate = (cost + price, contracts + 1);
                        if here.as_ref().is_none_or(|(known, _)| candidate < *known) {
                            here = Some((candidate, (plan, size, before)));
                        }
                    }
                }
            }
            best[covered * sets + set] = here;
        }
    }

    (1..sets)
        .filter_map(|set| {
            let mut counts = vec![0u32; plans.len()];
            let (mut covered, mut at) = (n, set);
            while covered > 0 {
                let (_, (plan, size, before)) = best[covered * sets + at]?;
                counts[plan] += 1;
                covered -= size;
                at = before;
            }
            Some(counts)
        })
        .collect()
}

/// A number of contracts per plan (indexed like the advisor's plan list) and its best cost.
#[derive(Debug, Clone)]
struct Mix {
    counts: Vec<u32>,
    stations_per_plan: Vec<u32>,
    yearly_cost: Decimal,
}

impl Mix {
    fn contracts(&self) -> u32 {
        self.counts.iter().sum()
    }

    fn cmp_for_listing(&self, other: &Mix) -> Ordering {
        self.yearly_cost
            .cmp(&other.yearly_cost)
            .then(self.contracts().cmp(&other.contracts()))
            .then_with(|| other.counts.cmp(&self.counts))
    }

    fn into_option(self, plans: &[&Plan], currency: &Currency) -> CoverOption {
        let mut used: Vec<(&Plan, u32, u32)> = plans
            .iter()
            .zip(self.counts.iter().zip(&self.stations_per_plan))
            .filter(|(_, (count, _))| **count > 0)
            .map(|(plan, (count, stations))| (*plan, *count, *stations))
            .collect();
        // The plan that covers most of the shop first: "Second Level for 5, Flat for 1".
        used.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.id.cmp(&b.0.id)));
        let first_rule = OptionCallers::from(used[0].0.who_may_call);
        let who_may_call = if used
            .iter()
            .all(|(p, _, _)| OptionCallers::from(p.who_may_call) == first_rule)
        {
            first_rule
        } else {
            OptionCallers::Mixed
        };
        CoverOption {
            items: used
                .iter()
                .map(|(plan, contracts, stations)| OptionItem {
                    plan: plan.id.clone(),
                    contracts: *contracts,
                    stations: *stations,
                })
                .collect(),
            net_total: round_to_cents(self.yearly_cost),
            currency: currency.clone(),
            period: Period::Year,
            who_may_call,
        }
    }
}

fn can_drop_a_contract(plans: &[&Plan], stations: u32, mix: &Mix) -> bool {
    (0..mix.counts.len())
        .filter(|i| mix.counts[*i] > 0)
        .any(|i| {
            let mut fewer = mix.counts.clone();
            fewer[i] -= 1;
            fewer.iter().any(|c| *c > 0)
                && cheapest_allocation(plans, &fewer, stations)
                    .is_some_and(|m| m.yearly_cost <= mix.yearly_cost)
        })
}

/// Spreads `stations` over the mix's contracts at the least cost, or `None` if they cannot hold
/// them all.
fn cheapest_allocation(plans: &[&Plan], counts: &[u32], stations: u32) -> Option<Mix> {
    let minimums: u32 = plans
        .iter()
        .zip(counts)
        .map(|(p, c)| p.pricing.min_units() * c)
        .sum();
    let mut unplaced = stations.checked_sub(minimums)?;
    let mut yearly_cost = Decimal::ZERO;
    let mut stations_per_plan: Vec<u32> = plans
        .iter()
        .zip(counts)
        .map(|(p, c)| p.pricing.min_units() * c)
        .collect();

    // (yearly price of one more station, how many at that price, plan index)
    let mut segments: Vec<(Decimal, Option<u32>, usize)> = Vec::new();
    for (index, (plan, count)) in plans
        .iter()
        .zip(counts)
        .enumerate()
        .filter(|(_, (_, c))| **c > 0)
    {
        let per_year = Decimal::from(plan.period.periods_per_year());
        let (base, plan_segments) = plan.pricing.segments();
        yearly_cost += base * per_year * Decimal::from(*count);
        segments.extend(
            plan_segments
                .into_iter()
                .map(|s| (s.unit_price * per_year, s.units.map(|u| u * count), index)),
        );
    }
    // A stable sort keeps each plan's own segments in order where prices tie.
    segments.sort_by_key(|segment| segment.0);
    for (price, units, index) in segments {
        if unplaced == 0 {
            break;
        }
        let placed = units.map_or(unplaced, |u| u.min(unplaced));
        unplaced -= placed;
        stations_per_plan[index] += placed;
        yearly_cost += price * Decimal::from(placed);
    }
    (unplaced == 0).then(|| Mix {
        counts: counts.to_vec(),
        stations_per_plan,
        yearly_cost,
    })
}

/// How many stations each of `contracts` contracts of one plan covers when together they cover
/// `stations`, spread the way the advisor priced them (minimums first, then the cheapest units).
pub fn contract_sizes(
    pricing: &Pricing,
    contracts: u32,
    stations: u32,
) -> Result<Vec<u32>, DomainError> {
    let mut sizes = vec![pricing.min_units(); contracts as usize];
    let mut unplaced = stations.checked_sub(pricing.min_units() * contracts);
    let (_, segments) = pricing.segments();
    for segment in segments {
        for size in sizes.iter_mut() {
            let Some(left) = unplaced.filter(|l| *l > 0) else {
                break;
            };
            let placed = segment.units.map_or(left, |u| u.min(left));
            *size += placed;
            unplaced = Some(left - placed);
        }
    }
    match unplaced {
        Some(0) => Ok(sizes),
        _ => Err(DomainError::PlanCannotCover {
            contracts,
            stations,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::prelude::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn summary(advice: &Advice) -> Vec<(String, String)> {
        advice
            .options
            .iter()
            .map(|o| {
                let items: Vec<String> = o
                    .items
                    .iter()
                    .map(|i| format!("{}x{}={}", i.contracts, i.plan, i.stations))
                    .collect();
                (items.join("+"), o.net_total.to_string())
            })
            .collect()
    }

    #[test]
    fn six_stations_as_in_the_design() {
        let advice = advise(&Catalog::builtin(), 6).unwrap();
        assert_eq!(
            summary(&advice),
            vec![
                (
                    "1xsecond_level=5+1xflat=1".to_string(),
                    "899.00".to_string()
                ),
                ("2xsecond_level=6".to_string(), "1300.00".to_string()),
                ("6xflat=6".to_string(), "1494.00".to_string()),
            ]
        );
        assert_eq!(advice.options[0].who_may_call, OptionCallers::Mixed);
        assert_eq!(advice.options[1].who_may_call, OptionCallers::NamedAdmins);
        assert_eq!(
            advice.options[2].who_may_call,
            OptionCallers::AnyoneAtStation
        );
    }

    #[test]
    fn small_shops() {
        let catalog = Catalog::builtin();
        assert_eq!(
            summary(&advise(&catalog, 1).unwrap()),
            vec![
                ("1xflat=1".into(), "249.00".into()),
                ("1xsecond_level=1".into(), "650.00".into())
            ]
        );
        assert_eq!(
            summary(&advise(&catalog, 2).unwrap()),
            vec![
                ("2xflat=2".into(), "498.00".into()),
                ("1xsecond_level=2".into(), "650.00".into())
            ]
        );
        // From three stations on, Second Level is cheaper: 650 < 3 x 249 = 747.
        assert_eq!(
            summary(&advise(&catalog, 3).unwrap()),
            vec![
                ("1xsecond_level=3".into(), "650.00".into()),
                ("3xflat=3".into(), "747.00".into())
            ]
        );
    }

    #[test]
    fn zero_and_too_many_stations_are_refused() {
        let catalog = Catalog::builtin();
        assert!(matches!(
            advise(&catalog, 0),
            Err(DomainError::StationCountOutOfRange { .. })
        ));
        assert!(advise(&catalog, MAX_STATIONS).is_ok());
        assert!(advise(&catalog, MAX_STATIONS + 1).is_err());
    }

    #[test]
    fn monthly_tiered_plans_are_compared_per_year_and_trials_are_not_offered() {
        let catalog =
            Catalog::from_json(include_str!("../../tests/data/leanpoint_catalog.json")).unwrap();
        let advice = advise(&catalog, 12).unwrap();
        assert!(advice
            .options
            .iter()
            .all(|o| o.items.iter().all(|i| i.plan.0 != "trial")));
        // PREMIUM alone: (1125 + 2 x 55) x 12 = 14820; BASIC x 4: 4 x 340 x 12 = 16320;
        // PREMIUM for 9 + BASIC for 3 would be 1125 x 12 + 340 x 12 = 17580, more than PREMIUM alone.
        assert_eq!(
            summary(&advice)[..2],
            [
                ("1xpremium=12".into(), "14820.00".into()),
                ("4xbasic=12".into(), "16320.00".into())
            ]
        );
    }

    #[test]
    fn contract_sizes_fill_free_places_before_paid_ones() {
        let catalog = Catalog::builtin();
        let second = &catalog.plan("second_level").unwrap().pricing;
        assert_eq!(contract_sizes(second, 2, 6).unwrap(), vec![5, 1]);
        assert!(contract_sizes(second, 2, 11).is_err());
        assert!(
            contract_sizes(second, 2, 1).is_err(),
            "each contract covers at least one"
        );
        let tiered = Pricing::Tiered {
            base_price: dec("100"),
            included_units: 10,
            overage_unit_price: dec("5"),
            max_units: None,
        };
        assert_eq!(contract_sizes(&tiered, 2, 22).unwrap(), vec![12, 10]);
    }

    /// The cheapest cost of covering `n` stations by trying every split of them into contracts.
    fn brute_force_cheapest(plans: &[Plan], n: u32) -> Option<Decimal> {
        let mut best: Vec<Option<Decimal>> = vec![None; n as usize + 1];
        best[0] = Some(Decimal::ZERO);
        for covered in 1..=n {
            let mut cheapest: Option<Decimal> = None;
            for plan in plans {
                let per_year = Decimal::from(plan.period.periods_per_year());
                for units in 1..=covered {
                    let (Some(price), Some(rest)) = (
                        plan.pricing.price_for(units),
                        best[(covered - units) as usize],
                    ) else {
                        continue;
                    };
                    let total = price * per_year + rest;
                    cheapest = Some(cheapest.map_or(total, |c: Decimal| c.min(total)));
                }
            }
            best[covered as usize] = cheapest;
        }
        best[n as usize]
    }

    fn money() -> impl Strategy<Value = Decimal> {
        (0i64..200_000).prop_map(|cents| Decimal::new(cents, 2))
    }

    fn pricing() -> impl Strategy<Value = Pricing> {
        prop_oneof![
            (money(), proptest::option::of(1u32..8)).prop_map(|(unit_price, max_units)| {
                Pricing::PerUnit {
                    unit_price,
                    max_units,
                }
            }),
            (money(), 1u32..4, 0u32..8).prop_map(|(price, min_units, extra)| Pricing::Bundle {
                price,
                min_units,
                max_units: min_units + extra,
            }),
            (money(), 0u32..8, money(), proptest::option::of(1u32..16)).prop_map(
                |(base_price, included_units, overage_unit_price, max_units)| Pricing::Tiered {
                    base_price,
                    included_units,
                    overage_unit_price,
                    max_units,
                }
            ),
        ]
    }

    fn catalog() -> impl Strategy<Value = Catalog> {
        proptest::collection::vec(
            (
                pricing(),
                prop_oneof![Just(Period::Year), Just(Period::Month)],
                any::<bool>(),
            ),
            1..5,
        )
        .prop_map(|plans| Catalog {
            currency: Currency::eur(),
            plans: plans
                .into_iter()
                .enumerate()
                .map(|(i, (pricing, period, admins))| Plan {
                    id: PlanId(format!("p{i}")),
                    name: format!("Plan {i}"),
                    period,
                    pricing,
                    who_may_call: if admins {
                        WhoMayCall::NamedAdmins
                    } else {
                        WhoMayCall::AnyoneAtStation
                    },
                    trial_days: None,
                    converts_to: None,
                })
                .collect(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The first option is the cheapest way there is, for any catalogue and N = 1..60. More:
        /// for every subset of the plans, the cheapest option that uses only those plans is the
        /// cheapest way to cover N with them, so no plan mix worth knowing is left out. The
        /// options are sorted, each really covers N, and its stated total is its real price.
        #[test]
        fn options_are_optimal_for_every_subset_of_plans(catalog in catalog()) {
            for n in 1..=60u32 {
                let advice = advise(&catalog, n).unwrap();
                for subset in 1usize..(1 << catalog.plans.len()) {
                    let plans: Vec<Plan> = catalog.plans.iter().enumerate()
                        .filter(|(i, _)| subset & (1 << i) != 0).map(|(_, p)| p.clone()).collect();
                    let listed = advice.options.iter()
                        .filter(|o| o.items.iter().all(|i| plans.iter().any(|p| p.id == i.plan)))
                        .map(|o| o.net_total)
                        .min();
                    prop_assert_eq!(listed, brute_force_cheapest(&plans, n).map(round_to_cents), "N={} subset {:b}", n, subset);
                }
                for pair in advice.options.windows(2) {
                    prop_assert!(pair[0].net_total <= pair[1].net_total);
                }
                for option in &advice.options {
                    let mut total = Decimal::ZERO;
                    let mut covered = 0;
                    for item in &option.items {
                        let plan = catalog.plan(&item.plan.0).unwrap();
                        let sizes = contract_sizes(&plan.pricing, item.contracts, item.stations).unwrap();
                        prop_assert_eq!(sizes.len() as u32, item.contracts);
                        for size in sizes {
                            total += plan.pricing.price_for(size).unwrap() * Decimal::from(plan.period.periods_per_year());
                            covered += size;
                        }
                    }
                    prop_assert_eq!(covered, n);
                    prop_assert_eq!(round_to_cents(total), option.net_total);
                }
            }
        }
    }
}
