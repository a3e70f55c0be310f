//! What a contract is invoiced for, and when (seeds 000, 001 and 004).
//!
//! - A yearly plan is invoiced per term, in advance, on the term's first day, at the price it
//!   was sold at: exactly the terms of [`contract_terms`]. A contract ended by notice gets no
//!   invoice for a term after its end.
//! - A monthly plan is invoiced per month, in advance: month k begins k months after the paid
//!   start (clamped to month ends as terms are). The first month is invoiced on its first day,
//!   every later one on the last day of the month before, when the units in use are counted
//!   (seed 000: "opgøres ultimo hver måned og betales forud for den følgende måned").
//! - A trial is never invoiced; unless cancelled during it, the contract continues on the plan
//!   the trial converts to from the day after the trial (its paid start).

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contract_terms;
use super::contracts::Contract;
use super::money::{round_to_cents, vat_breakdown, Money, VatBreakdown, VatRate};
use super::plans::{Period, Plan, Pricing};
use super::DomainError;

/// One period a contract owes, and the day its invoice is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuePeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub issue_on: NaiveDate,
}

fn months_of(period: Period) -> u32 {
    12 / period.periods_per_year()
}

/// The plan that is invoiced: a trial's follow-on plan, or the plan itself.
pub fn billed_plan(contract: &Contract) -> Option<&Plan> {
    let snapshot = &contract.plan;
    if snapshot.plan.is_trial() {
        snapshot.after_trial.as_ref()
    } else {
        Some(&snapshot.plan)
    }
}

/// The first day that is paid for: the start, or the day after a trial.
pub fn paid_start(contract: &Contract) -> Result<NaiveDate, DomainError> {
    let trial = contract.plan.plan.trial_days.unwrap_or(0);
    contract
        .start
        .checked_add_days(Days::new(u64::from(trial)))
        .ok_or(DomainError::DateOutOfRange)
}

fn period_start(from: NaiveDate, months: u32, k: u32) -> Result<NaiveDate, DomainError> {
    k.checked_mul(months)
        .and_then(|total| from.checked_add_months(Months::new(total)))
        .ok_or(DomainError::DateOutOfRange)
}

/// The day a notice received on `received` ends the contract. Yearly plans follow the term
/// rules; a monthly plan ends with the month running when the notice arrives (seed 004:
/// "jederzeit zum Ende des Monats"); a trial cancelled during it ends with the trial.
pub fn cancellation_effective(
    contract: &Contract,
    received: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    if contract.plan.plan.period == Period::Year {
        return contract_terms::cancellation_effective(contract.start, received);
    }
    let paid = paid_start(contract)?;
    if contract.plan.plan.is_trial() && received < paid {
        return paid.pred_opt().ok_or(DomainError::DateOutOfRange);
    }
    let on = received.max(paid);
    let mut k = on.years_since(paid).unwrap_or(0).saturating_mul(12);
    while period_start(paid, 1, k + 1)? <= on {
        k += 1;
    }
    period_start(paid, 1, k + 1)?
        .pred_opt()
        .ok_or(DomainError::DateOutOfRange)
}

/// Every period the contract owes whose invoice is issued on or before `through`, oldest
/// first; nothing for a trial with no plan to continue on, nothing after the contract's end.
pub fn periods_due(contract: &Contract, through: NaiveDate) -> Result<Vec<DuePeriod>, DomainError> {
    let Some(plan) = billed_plan(contract) else {
        return Ok(Vec::new());
    };
    let months = months_of(plan.period);
    let from = paid_start(contract)?;
    let ends_on = contract.ends_on();
    let mut due = Vec::new();
    for k in 0.. {
        let start = period_start(from, months, k)?;
        if ends_on.is_some_and(|end| start > end) {
            break;
        }
        // Yearly terms are invoiced as they begin; months at the end of the month before.
        let issue_on = match (plan.period, k) {
            (Period::Month, 1..) => start.pred_opt().ok_or(DomainError::DateOutOfRange)?,
            _ => start,
        };
        if issue_on > through {
            break;
        }
        let end = period_start(from, months, k + 1)?
            .pred_opt()
            .ok_or(DomainError::DateOutOfRange)?;
        due.push(DuePeriod {
            start,
            end,
            issue_on,
        });
    }
    Ok(due)
}

/// One line of an invoice: net amounts per line in cents, as EN 16931 wants them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub net: Decimal,
}

impl InvoiceLine {
    fn new(description: String, quantity: u32, unit_price: Decimal) -> InvoiceLine {
        let quantity = Decimal::from(quantity);
        InvoiceLine {
            description,
            quantity,
            unit_price,
            net: round_to_cents(quantity * unit_price),
        }
    }
}

/// The lines for one period of `plan` covering `units` stations: the pricing's own shape, so
/// that a reader sees what was counted (seed 000: the base price, then each unit beyond the
/// included ones).
pub fn lines_for(plan: &Plan, units: u32) -> Result<Vec<InvoiceLine>, DomainError> {
    if !plan.pricing.accepts(units) {
        return Err(DomainError::WrongStationCount {
            plan: plan.name.clone(),
            range: format!(
                "{} to {}",
                plan.pricing.min_units(),
                plan.pricing
                    .max_units()
                    .map_or_else(|| "any number".to_owned(), |max| max.to_string())
            ),
            given: units as usize,
        });
    }
    let name = &plan.name;
    Ok(match &plan.pricing {
        Pricing::PerUnit { unit_price, .. } => {
            vec![InvoiceLine::new(
                format!("{name}, je Station"),
                units,
                *unit_price,
            )]
        }
        Pricing::Bundle { price, .. } => vec![InvoiceLine::new(
            format!("{name}, {units} Station(en)"),
            1,
            *price,
        )],
        Pricing::Tiered {
            base_price,
            included_units,
            overage_unit_price,
            ..
        } => {
            let mut lines = vec![InvoiceLine::new(
                format!("{name}, bis {included_units} Stationen"),
                1,
                *base_price,
            )];
            let over = units.saturating_sub(*included_units);
            if over > 0 {
                lines.push(InvoiceLine::new(
                    format!("{name}, jede weitere Station"),
                    over,
                    *overage_unit_price,
                ));
            }
            lines
        }
    })
}

/// An invoice's figures: its lines, then net, VAT and gross rounded per document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub lines: Vec<InvoiceLine>,
    pub totals: VatBreakdown,
}

pub fn figures(
    contract: &Contract,
    units: u32,
    rate: VatRate,
) -> Result<Option<Figures>, DomainError> {
    let Some(plan) = billed_plan(contract) else {
        return Ok(None);
    };
    let lines = lines_for(plan, units)?;
    let net: Decimal = lines.iter().map(|line| line.net).sum();
    let totals = vat_breakdown(&Money::new(net, contract.plan.currency.clone()), rate);
    Ok(Some(Figures { lines, totals }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contract_terms::tests::date;
    use crate::domain::contracts::Party;
    use crate::domain::plans::Catalog;
    use chrono::{Datelike, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn leanpoint() -> Catalog {
        Catalog::from_json(include_str!("../../tests/data/leanpoint_catalog.json")).unwrap()
    }

    fn contract(catalog: &Catalog, plan: &str, start: &str, stations: usize) -> Contract {
        Contract::new(
            catalog.snapshot(plan).unwrap(),
            d(start),
            (0..stations).map(|_| Uuid::now_v7()).collect(),
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn yearly_terms_are_invoiced_as_they_begin_and_not_after_the_end() {
        let mut c = contract(&Catalog::builtin(), "flat", "2024-02-29", 1);
        let due = periods_due(&c, d("2027-02-27")).unwrap();
        let starts: Vec<_> = due.iter().map(|p| p.start.to_string()).collect();
        assert_eq!(starts, ["2024-02-29", "2025-02-28", "2026-02-28"]);
        assert_eq!(due[0].end, d("2025-02-27"));
        assert_eq!(due[2].issue_on, d("2026-02-28"));
        // Notice on the deadline of the third term: no invoice for the fourth.
        c.give_notice(d("2027-02-13"), Party::Customer).unwrap();
        assert_eq!(periods_due(&c, d("2035-01-01")).unwrap().len(), 3);
        // One day late: the fourth term is owed and invoiced, the fifth is not.
        let mut late = contract(&Catalog::builtin(), "flat", "2024-02-29", 1);
        late.give_notice(d("2027-02-14"), Party::Customer).unwrap();
        let due = periods_due(&late, d("2035-01-01")).unwrap();
        assert_eq!(due.len(), 4);
        assert_eq!(due[3].end, d("2028-02-28"));
    }

    #[test]
    fn the_seed_001_prices_with_19_percent_vat() {
        let rate = VatRate::from_percent(Decimal::from(19)).unwrap();
        let flat = contract(&Catalog::builtin(), "flat", "2027-01-01", 1);
        let f = figures(&flat, 1, rate).unwrap().unwrap();
        assert_eq!(
            (
                f.totals.net.amount.to_string(),
                f.totals.vat.amount.to_string()
            ),
            ("249.00".into(), "47.31".into())
        );
        assert_eq!(f.totals.gross.amount.to_string(), "296.31");
        let second = contract(&Catalog::builtin(), "second_level", "2027-01-01", 4);
        let f = figures(&second, 4, rate).unwrap().unwrap();
        assert_eq!(f.totals.vat.amount.to_string(), "123.50");
        assert_eq!(f.totals.gross.amount.to_string(), "773.50");
    }

    #[test]
    fn seed_000_premium_bills_the_units_beyond_the_included_ones() {
        let rate = VatRate::from_percent(Decimal::from(25)).unwrap();
        let premium = contract(&leanpoint(), "premium", "2027-03-01", 12);
        let f = figures(&premium, 12, rate).unwrap().unwrap();
        let nets: Vec<_> = f.lines.iter().map(|l| l.net.to_string()).collect();
        assert_eq!(nets, ["1125.00", "110.00"]);
        assert_eq!(f.lines[1].quantity, Decimal::from(2));
        assert_eq!(f.totals.net.to_string(), "1235.00 DKK");
        // Months are invoiced at the end of the month before.
        let due = periods_due(&premium, d("2027-05-31")).unwrap();
        let issued: Vec<_> = due.iter().map(|p| p.issue_on.to_string()).collect();
        assert_eq!(
            issued,
            ["2027-03-01", "2027-03-31", "2027-04-30", "2027-05-31"]
        );
        assert_eq!(due[3].start, d("2027-06-01"));
    }

    #[test]
    fn a_trial_bills_nothing_then_continues_on_its_plan() {
        let trial = contract(&leanpoint(), "trial", "2027-01-10", 3);
        assert!(periods_due(&trial, d("2027-04-08")).unwrap().is_empty());
        let due = periods_due(&trial, d("2027-04-10")).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].start, due[0].end),
            (d("2027-04-10"), d("2027-05-09"))
        );
        let rate = VatRate::DE_STANDARD;
        let f = figures(&trial, 3, rate).unwrap().unwrap();
        assert_eq!(f.totals.net.to_string(), "340.00 DKK");

        let mut cancelled = contract(&leanpoint(), "trial", "2027-01-10", 3);
        let notice = cancelled
            .give_notice(d("2027-03-01"), Party::Customer)
            .unwrap();
        assert_eq!(notice.effective_on, d("2027-04-09"));
        assert!(periods_due(&cancelled, d("2030-01-01")).unwrap().is_empty());
    }

    #[test]
    fn a_monthly_notice_ends_the_running_month() {
        let mut basic = contract(&leanpoint(), "basic", "2027-01-31", 2);
        let notice = basic.give_notice(d("2027-03-15"), Party::Customer).unwrap();
        // Months from 31 January: 28 February to 30 March, so the notice ends on 30 March.
        assert_eq!(notice.effective_on, d("2027-03-30"));
        let due = periods_due(&basic, d("2030-01-01")).unwrap();
        assert_eq!(due.last().unwrap().end, d("2027-03-30"));
    }

    proptest! {
        /// Over ten years the invoiced periods tile the contract's paid life: the first begins
        /// on the paid start, each begins the day after the one before ends, none is issued
        /// after it begins, and with notice the last ends exactly on the contract's end.
        #[test]
        fn invoiced_periods_tile_the_contracts_life(
            start in date().prop_filter("contracts start from 2000", |d| d.year() >= 2000),
            plan in prop::sample::select(vec!["flat", "second_level", "trial", "basic", "premium"]),
            notice_after in prop::option::of(0u64..3_650),
            deadline_shift in -2i64..=2,
        ) {
            let catalog = if matches!(plan, "flat" | "second_level") { Catalog::builtin() } else { leanpoint() };
            let mut c = contract(&catalog, plan, &start.to_string(), 1);
            if let Some(after) = notice_after {
                // Around a term's notice deadline, where the rules turn.
                let received = start.checked_add_days(Days::new(after)).unwrap();
                let k = contract_terms::term_index_on(start, received).unwrap().unwrap();
                let deadline = contract_terms::notice_deadline(start, k).unwrap();
                let near = deadline + chrono::Duration::days(deadline_shift);
                c.give_notice(near.max(start), Party::Customer).unwrap();
            }
            let horizon = start.with_year(start.year() + 10).unwrap_or(start + chrono::Duration::days(3652));
            let due = periods_due(&c, horizon).unwrap();
            let paid = paid_start(&c).unwrap();
            if let Some(first) = due.first() {
                prop_assert_eq!(first.start, paid);
            }
            for pair in due.windows(2) {
                prop_assert_eq!(pair[0].end.succ_opt().unwrap(), pair[1].start);
            }
            for period in &due {
                prop_assert!(period.issue_on <= period.start && period.issue_on <= horizon);
                prop_assert!(period.start <= period.end);
                if let Some(end) = c.ends_on() {
                    prop_assert!(period.end <= end, "{:?} after the end {}", period, end);
                }
            }
            match c.ends_on() {
                Some(end) if end < horizon && end >= paid => {
                    prop_assert_eq!(due.last().map(|p| p.end), Some(end));
                }
                None => {
                    let last = due.last().unwrap();
                    prop_assert!(last.end >= horizon, "the last period {:?} leaves {} unbilled", last, horizon);
                }
                _ => {}
            }
        }
    }
}
