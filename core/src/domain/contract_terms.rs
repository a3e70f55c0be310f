//! The term rules of a support contract (seed 001), to the day.
//!
//! - Term k (k = 0, 1, ...) begins on start + 12·k months, always counted from the ORIGINAL start
//!   and clamped to the month's end: a contract started on 29 February renews on 28 February in
//!   ordinary years and on 29 February again in leap years, instead of drifting to the 28th for
//!   good. A term ends the day before the next one begins; term 0 is the 12-month minimum.
//! - The notice deadline of a term is its last day minus 14 days: the last day a written notice
//!   may be received to end the contract with that term.
//! - A notice received on day R ends the contract on the last day E of the earliest term with
//!   R <= E - 14 days. The vendor's termination follows the same rule.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DomainError;

pub const NOTICE_PERIOD_DAYS: u64 = 14;
const MONTHS_PER_TERM: u32 = 12;

/// The first day of term `k`.
pub fn term_start(start: NaiveDate, k: u32) -> Result<NaiveDate, DomainError> {
    k.checked_mul(MONTHS_PER_TERM)
        .and_then(|months| start.checked_add_months(Months::new(months)))
        .ok_or(DomainError::DateOutOfRange)
}

/// The last day of term `k`.
pub fn term_end(start: NaiveDate, k: u32) -> Result<NaiveDate, DomainError> {
    let next = k.checked_add(1).ok_or(DomainError::DateOutOfRange)?;
    term_start(start, next)?
        .pred_opt()
        .ok_or(DomainError::DateOutOfRange)
}

pub fn notice_deadline(start: NaiveDate, k: u32) -> Result<NaiveDate, DomainError> {
    term_end(start, k)?
        .checked_sub_days(Days::new(NOTICE_PERIOD_DAYS))
        .ok_or(DomainError::DateOutOfRange)
}

/// The index of the term that contains `on`, or `None` before the contract starts.
pub fn term_index_on(start: NaiveDate, on: NaiveDate) -> Result<Option<u32>, DomainError> {
    if on < start {
        return Ok(None);
    }
    // Whole years between the two dates is right or one too many (a later day of the month, or
    // a clamped month end); correct it against the real term starts.
    let years = on.years_since(start).unwrap_or(0);
    let mut k = years;
    while term_start(start, k)? > on {
        k -= 1;
    }
    while term_start(start, k + 1)? <= on {
        k += 1;
    }
    Ok(Some(k))
}

/// The day a notice received on `received` takes effect: the end of the contract.
pub fn cancellation_effective(
    start: NaiveDate,
    received: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    // A notice before the start still ends the contract with its minimum term.
    let k = term_index_on(start, received)?.unwrap_or(0);
    if received <= notice_deadline(start, k)? {
        term_end(start, k)
    } else {
        term_end(start, k + 1)
    }
}

/// Everything a shop admin asks about a contract's term on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermFacts {
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub notice_deadline: NaiveDate,
    /// The day the next term begins, unless notice is given.
    pub next_renewal: NaiveDate,
    /// When a notice (if one was received) ends the contract.
    pub cancellation_effective: Option<NaiveDate>,
}

pub fn term_facts(
    start: NaiveDate,
    on: NaiveDate,
    notice_received: Option<NaiveDate>,
) -> Result<TermFacts, DomainError> {
    let k = term_index_on(start, on)?.ok_or(DomainError::BeforeContractStart { start, on })?;
    let term_end = term_end(start, k)?;
    Ok(TermFacts {
        term_start: term_start(start, k)?,
        term_end,
        notice_deadline: notice_deadline(start, k)?,
        next_renewal: term_start(start, k + 1)?,
        cancellation_effective: notice_received
            .map(|received| cancellation_effective(start, received))
            .transpose()?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_29_february_start_is_clamped_per_term_and_comes_back_in_leap_years() {
        let start = d("2024-02-29");
        assert_eq!(term_start(start, 1).unwrap(), d("2025-02-28"));
        assert_eq!(term_start(start, 2).unwrap(), d("2026-02-28"));
        assert_eq!(term_start(start, 4).unwrap(), d("2028-02-29"));
        assert_eq!(term_end(start, 0).unwrap(), d("2025-02-27"));
        assert_eq!(term_end(start, 3).unwrap(), d("2028-02-28"));
        assert_eq!(notice_deadline(start, 0).unwrap(), d("2025-02-13"));
    }

    #[test]
    fn month_end_starts() {
        let start = d("2023-01-31");
        assert_eq!(term_end(start, 0).unwrap(), d("2024-01-30"));
        assert_eq!(notice_deadline(start, 0).unwrap(), d("2024-01-16"));
        let start = d("2023-03-01");
        // The day before 1 March is 29 February in a leap year.
        assert_eq!(term_end(start, 0).unwrap(), d("2024-02-29"));
        assert_eq!(notice_deadline(start, 0).unwrap(), d("2024-02-15"));
        assert_eq!(term_end(start, 1).unwrap(), d("2025-02-28"));
        assert_eq!(notice_deadline(start, 1).unwrap(), d("2025-02-14"));
    }

    #[test]
    fn a_notice_exactly_on_the_deadline_ends_this_term_one_day_later_the_next() {
        let start = d("2025-01-01");
        assert_eq!(notice_deadline(start, 0).unwrap(), d("2025-12-17"));
        assert_eq!(
            cancellation_effective(start, d("2025-12-17")).unwrap(),
            d("2025-12-31")
        );
        assert_eq!(
            cancellation_effective(start, d("2025-12-18")).unwrap(),
            d("2026-12-31")
        );
        // Within the minimum term, on its first day, and before the start.
        assert_eq!(
            cancellation_effective(start, d("2025-01-01")).unwrap(),
            d("2025-12-31")
        );
        assert_eq!(
            cancellation_effective(start, d("2024-11-01")).unwrap(),
            d("2025-12-31")
        );
        // On the last day of a term the notice is late for it.
        assert_eq!(
            cancellation_effective(start, d("2025-12-31")).unwrap(),
            d("2026-12-31")
        );
    }

    #[test]
    fn long_running_contracts() {
        let start = d("2024-02-29");
        assert_eq!(term_start(start, 30).unwrap(), d("2054-02-28"));
        assert_eq!(term_start(start, 32).unwrap(), d("2056-02-29"));
        let facts = term_facts(start, d("2056-03-10"), Some(d("2057-02-14"))).unwrap();
        assert_eq!(facts.term_start, d("2056-02-29"));
        assert_eq!(facts.term_end, d("2057-02-27"));
        assert_eq!(facts.notice_deadline, d("2057-02-13"));
        assert_eq!(facts.next_renewal, d("2057-02-28"));
        // One day after this term's deadline: the contract runs one more term.
        assert_eq!(facts.cancellation_effective, Some(d("2058-02-27")));
        assert_eq!(term_index_on(start, d("2124-02-29")).unwrap(), Some(100));
    }

    #[test]
    fn term_facts_before_the_start_is_an_error() {
        let err = term_facts(d("2025-05-01"), d("2025-04-30"), None).unwrap_err();
        assert!(err.to_string().contains("2025-05-01"), "{err}");
    }

    #[test]
    fn dates_past_chronos_range_are_an_error_not_a_panic() {
        let start = NaiveDate::MAX.checked_sub_days(Days::new(400)).unwrap();
        assert!(matches!(
            term_end(start, 5),
            Err(DomainError::DateOutOfRange)
        ));
        assert!(term_start(start, u32::MAX).is_err());
    }

    /// A day between 1990 and 2099. Days past a month's end fall back to its last day, so month
    /// ends (and 29 February) are drawn often.
    pub(crate) fn date() -> impl Strategy<Value = NaiveDate> {
        (1990i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, day)| {
            (1..=day)
                .rev()
                .find_map(|d| NaiveDate::from_ymd_opt(y, m, d))
                .unwrap()
        })
    }

    proptest! {
        /// Terms tile the calendar: each begins the day after the previous one ends, lasts one
        /// year of 365 or 366 days give or take a clamped month end, and falls on the start's
        /// day of the month or the month's last day.
        #[test]
        fn terms_tile_the_calendar(start in date(), k in 0u32..60) {
            let begins = term_start(start, k).unwrap();
            let ends = term_end(start, k).unwrap();
            prop_assert_eq!(ends.succ_opt().unwrap(), term_start(start, k + 1).unwrap());
            let days = (ends - begins).num_days() + 1;
            prop_assert!((364..=367).contains(&days), "{} days", days);
            let month_end = begins.succ_opt().unwrap().month0() != begins.month0();
            prop_assert!(begins.day0() == start.day0() || (month_end && begins.day0() < start.day0()));
            prop_assert_eq!(begins.month(), start.month());
        }

        /// The term found for a day contains it.
        #[test]
        fn the_term_of_a_day_contains_it(start in date(), offset in 0u64..40_000) {
            let on = start.checked_add_days(Days::new(offset)).unwrap();
            let facts = term_facts(start, on, None).unwrap();
            prop_assert!(facts.term_start <= on && on <= facts.term_end);
            prop_assert_eq!(facts.next_renewal, facts.term_end.succ_opt().unwrap());
        }

        /// A notice ends the contract on a term's last day at least 14 days after it was
        /// received, and on the earliest such day: the term before would have needed it earlier.
        #[test]
        fn a_notice_takes_effect_at_the_earliest_allowed_term_end(start in date(), offset in 0u64..40_000) {
            let received = start.checked_add_days(Days::new(offset)).unwrap();
            let effective = cancellation_effective(start, received).unwrap();
            let k = term_index_on(start, effective).unwrap().unwrap();
            prop_assert_eq!(term_end(start, k).unwrap(), effective);
            prop_assert!(received <= notice_deadline(start, k).unwrap());
            prop_assert!(k == 0 || received > notice_deadline(start, k - 1).unwrap());
        }
    }
}
