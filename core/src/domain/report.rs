//! The vendor's monthly view of a shop: how many tickets it opened, how many were emergencies,
//! how often support met its targets, how long the first answer took, and how many of its
//! tills were under contract — whether a flat fee pays off.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::sla::SlaClock;
use super::support_hours::SupportCalendar;
use super::tickets::Priority;
use super::DomainError;

/// A month as the report names it (`2026-11`): its first day.
pub fn parse_month(text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
        .ok()
        .filter(|_| text.trim().len() == 7)
        .ok_or_else(|| DomainError::UnreadableMonth {
            given: text.chars().take(40).collect(),
        })
}

/// The first day after the month that begins on `first`.
pub fn month_end(first: NaiveDate) -> NaiveDate {
    first + Months::new(1)
}

/// One ticket filed in the month, with its clocks as they stand.
#[derive(Debug, Clone)]
pub struct FiledTicket {
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    pub first_response: SlaClock,
    pub resolution: SlaClock,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub tickets_opened: u32,
    pub emergencies: u32,
    /// Of the tickets whose first-response clock is decided (answered, or run out), the share
    /// answered in time, in percent with one decimal; none when none is decided.
    pub first_response_met_percent: Option<Decimal>,
    pub resolution_met_percent: Option<Decimal>,
    /// The median open time from filing to the first response, of those answered.
    pub median_first_response: Option<Duration>,
}

pub fn month_figures(calendar: &SupportCalendar, tickets: &[FiledTicket]) -> MonthFigures {
    let mut to_first_response: Vec<Duration> = tickets
        .iter()
        .filter_map(|ticket| {
            let answered = ticket.first_response.met_at?;
            Some(calendar.open_time_between(ticket.created_at, answered))
        })
        .collect();
    to_first_response.sort();
    MonthFigures {
        tickets_opened: count(tickets.len()),
        emergencies: count(
            tickets
                .iter()
                .filter(|t| t.priority == Priority::Emergency)
                .count(),
        ),
        first_response_met_percent: met_percent(tickets.iter().map(|t| &t.first_response)),
        resolution_met_percent: met_percent(tickets.iter().map(|t| &t.resolution)),
        median_first_response: median(&to_first_response),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A clock is decided once it was met, or ran out: met in time counts for, late or run out
/// against; one still running within its time, or paused, is left out.
fn met_percent<'a>(clocks: impl Iterator<Item = &'a SlaClock>) -> Option<Decimal> {
    let (mut met, mut decided) = (0u32, 0u32);
    for clock in clocks {
        if clock.met_at.is_some() || clock.overdue {
            decided += 1;
            met += u32::from(!clock.overdue);
        }
    }
    (decided > 0).then(|| {
        let mut share = Decimal::from(met) * Decimal::ONE_HUNDRED / Decimal::from(decided);
        // Always one decimal, so a column of shares reads alike: 50.0, 33.3.
        share.rescale(1);
        share
    })
}

/// The middle value of sorted durations; of an even count, the mean of the middle two.
fn median(sorted: &[Duration]) -> Option<Duration> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn clock(met_at: Option<&str>, overdue: bool) -> SlaClock {
        SlaClock {
            due: Some(utc("2026-11-02T09:00:00Z")),
            met_at: met_at.map(utc),
            overdue,
        }
    }

    #[test]
    fn a_month_counts_decided_clocks_and_the_median_in_open_time() {
        let calendar = SupportCalendar::default();
        // Filed Monday 09:00 CET; answered after 30 min, 2 h, and after the weekend.
        let filed = |answered: Option<&str>, overdue: bool, priority| FiledTicket {
            priority,
            created_at: utc("2026-11-02T08:00:00Z"),
            first_response: clock(answered, overdue),
            resolution: clock(None, false),
        };
        let tickets = [
            filed(Some("2026-11-02T08:30:00Z"), false, Priority::Emergency),
            filed(Some("2026-11-02T10:00:00Z"), true, Priority::High),
            filed(None, true, Priority::Normal),
            filed(None, false, Priority::Normal),
        ];
        let figures = month_figures(&calendar, &tickets);
        assert_eq!((figures.tickets_opened, figures.emergencies), (4, 1));
        // Decided: one in time, one late, one run out; the fourth still running.
        assert_eq!(
            figures.first_response_met_percent,
            Some(Decimal::new(333, 1))
        );
        assert_eq!(figures.resolution_met_percent, None);
        assert_eq!(figures.median_first_response, Some(Duration::minutes(75)));
    }

    #[test]
    fn months_are_read_as_year_and_month_only() {
        assert_eq!(
            parse_month("2026-11").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            month_end(parse_month("2026-12").unwrap()),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        for wrong in [
            "2026-13",
            "2026-1",
            "November",
            "2026-11-05",
            "",
            "2026-11; DROP",
        ] {
            assert!(parse_month(wrong).is_err(), "{wrong}");
        }
    }

    proptest! {
        /// A share is a percentage; the median lies between the quickest and the slowest answer.
        #[test]
        fn shares_are_percentages_and_the_median_lies_within(
            outcomes in proptest::collection::vec((proptest::option::of(0i64..2000), any::<bool>()), 0..40),
        ) {
            let calendar = SupportCalendar::default();
            let created = utc("2026-11-02T08:00:00Z");
            let tickets: Vec<FiledTicket> = outcomes.iter().map(|(minutes, overdue)| {
                let met_at = minutes.map(|m| created + Duration::minutes(m));
                let clock = SlaClock { due: None, met_at, overdue: *overdue };
                FiledTicket { priority: Priority::Normal, created_at: created, first_response: clock.clone(), resolution: clock }
            }).collect();
            let figures = month_figures(&calendar, &tickets);
            for share in [figures.first_response_met_percent, figures.resolution_met_percent].into_iter().flatten() {
                prop_assert!(share >= Decimal::ZERO && share <= Decimal::ONE_HUNDRED);
            }
            let answered: Vec<Duration> = tickets.iter().filter_map(|t| t.first_response.met_at)
                .map(|at| calendar.open_time_between(created, at)).collect();
            match figures.median_first_response {
                Some(median) => {
                    prop_assert!(answered.iter().min().is_some_and(|low| *low <= median));
                    prop_assert!(answered.iter().max().is_some_and(|high| median <= *high));
                }
                None => prop_assert!(answered.is_empty()),
            }
        }
    }
}
