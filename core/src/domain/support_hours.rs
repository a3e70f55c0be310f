//! When the vendor's support desk is open, and the SLA clock that counts only open time.
//!
//! Opening hours are local wall-clock times in the desk's time zone (seed 001: Mo-Fr
//! 09:00-18:00, Europe/Berlin), so they stay 09:00 across daylight-saving changes while their
//! UTC instants move. The desk is closed on the statutory public holidays of the shop's German
//! state (ISO 3166-2 codes such as DE-BY; without one, the holidays all 16 states share) and on
//! extra days the vendor configures (by default 24 and 31 December).
//!
//! The holiday rules come from the `holiday_de` crate, which tracks the states' laws, including
//! one-off days such as Berlin's 8 May 2025; the Sundays that Brandenburg's and Hesse's laws
//! name as holidays are added here.

use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc,
};
use chrono_tz::Tz;
use holiday_de::{GermanHoliday, GermanRegion};
use serde::{Deserialize, Serialize};

use super::DomainError;

/// Every German state with its ISO 3166-2 code.
const STATES: [(&str, GermanRegion); 16] = [
    ("DE-BW", GermanRegion::BadenWuerttemberg),
    ("DE-BY", GermanRegion::Bayern),
    ("DE-BE", GermanRegion::Berlin),
    ("DE-BB", GermanRegion::Brandenburg),
    ("DE-HB", GermanRegion::Bremen),
    ("DE-HH", GermanRegion::Hamburg),
    ("DE-HE", GermanRegion::Hessen),
    ("DE-MV", GermanRegion::MechlenburgVorpommern),
    ("DE-NI", GermanRegion::Niedersachsen),
    ("DE-NW", GermanRegion::NordrheinWestfalen),
    ("DE-RP", GermanRegion::RheinlandPfalz),
    ("DE-SL", GermanRegion::Saarland),
    ("DE-SN", GermanRegion::Sachsen),
    ("DE-ST", GermanRegion::SachsenAnhalt),
    ("DE-SH", GermanRegion::SchleswigHolstein),
    ("DE-TH", GermanRegion::Thueringen),
];

/// A German state, whose public holidays close the support desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(GermanRegion);

impl Region {
    pub fn code(self) -> &'static str {
        STATES
            .iter()
            .find(|(_, region)| *region == self.0)
            .map(|(code, _)| *code)
            .expect("every region is listed")
    }

    fn holiday(self, date: NaiveDate) -> Option<&'static str> {
        self.0
            .holiday_from_date(date)
            .or_else(|| self.sunday_holiday(date))
            .map(|h| h.description())
    }

    /// Easter Sunday and Whit Sunday, which Brandenburg's and Hesse's holiday laws name
    /// (Feiertagsgesetz Brandenburg § 2 (1), Hessisches Feiertagsgesetz § 1 (1)) and
    /// `holiday_de` leaves out because they always fall on a Sunday: the desk is closed then
    /// anyway, but the calendar says why.
    fn sunday_holiday(self, date: NaiveDate) -> Option<GermanHoliday> {
        if !matches!(self.0, GermanRegion::Brandenburg | GermanRegion::Hessen) {
            return None;
        }
        [GermanHoliday::Ostersonntag, GermanHoliday::Pfingstsonntag]
            .into_iter()
            .find(|holiday| holiday.date(date.year()) == Some(date))
    }
}

impl FromStr for Region {
    type Err = DomainError;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        STATES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(code.trim()))
            .map(|(_, region)| Region(*region))
            .ok_or_else(|| DomainError::UnknownRegion(code.to_owned()))
    }
}

impl TryFrom<String> for Region {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Region> for String {
    fn from(region: Region) -> Self {
        region.code().to_owned()
    }
}

/// The holiday on `date` in every German state, if there is one.
fn nationwide_holiday(date: NaiveDate) -> Option<&'static str> {
    let first = Region(STATES[0].1).holiday(date)?;
    STATES[1..]
        .iter()
        .all(|(_, region)| region.is_holiday(date))
        .then_some(first)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A day the vendor closes the desk beyond the public holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClosedDay {
    EveryYear { month: u32, day: u32, name: String },
    Once { date: NaiveDate, name: String },
}

impl ClosedDay {
    fn name_on(&self, date: NaiveDate) -> Option<&str> {
        match self {
            ClosedDay::EveryYear { month, day, name } => {
                (date.month() == *month && date.day() == *day).then_some(name)
            }
            ClosedDay::Once { date: closed, name } => (date == *closed).then_some(name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportCalendar {
    pub time_zone: Tz,
    /// Monday first; `None` is a closed weekday.
    pub week: [Option<OpeningHours>; 7],
    /// The shop's state; `None` closes only on the holidays every state shares.
    pub region: Option<Region>,
    pub closed_days: Vec<ClosedDay>,
}

impl Default for SupportCalendar {
    /// Seed 001: Monday to Friday 09:00-18:00, Europe/Berlin, closed on 24 and 31 December.
    fn default() -> Self {
        let day = Some(OpeningHours {
            opens: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
            closes: NaiveTime::from_hms_opt(18, 0, 0).expect("valid time"),
        });
        SupportCalendar {
            time_zone: chrono_tz::Europe::Berlin,
            week: [day, day, day, day, day, None, None],
            region: None,
            closed_days: vec![
                ClosedDay::EveryYear {
                    month: 12,
                    day: 24,
                    name: "Heiligabend".into(),
                },
                ClosedDay::EveryYear {
                    month: 12,
                    day: 31,
                    name: "Silvester".into(),
                },
            ],
        }
    }
}

/// Whether support is open at an instant, and when that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportStatus {
    pub open: bool,
    /// The public holiday or vendor closed day of that local date, if any.
    pub holiday: Option<String>,
    /// When closed: when support opens next.
    pub next_open: Option<DateTime<Tz>>,
    /// When open: when support closes.
    pub next_close: Option<DateTime<Tz>>,
}

/// Far enough ahead to find the next opening whatever the holidays; a calendar with no open day
/// at all answers `None` instead of searching for ever.
const SEARCH_DAYS: u64 = 400;
/// The SLA clock gives up after this long (a calendar open one hour a year would otherwise
/// search for a decade).
const SLA_SEARCH_DAYS: u64 = 3 * 366;

impl SupportCalendar {
    pub fn with_region(region: Option<Region>) -> Self {
        SupportCalendar {
            region,
            ..SupportCalendar::default()
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        if self.week.iter().flatten().any(|h| h.opens >= h.closes) {
            return Err(DomainError::InvalidOpeningHours);
        }
        Ok(())
    }

    /// Why the desk is closed all day on `date` (a local date), if it is: a holiday or a vendor
    /// closed day.
    pub fn closed_reason(&self, date: NaiveDate) -> Option<String> {
        let holiday = match self.region {
            Some(region) => region.holiday(date),
            None => nationwide_holiday(date),
        };
        holiday.map(str::to_owned).or_else(|| {
            self.closed_days
                .iter()
                .find_map(|c| c.name_on(date))
                .map(str::to_owned)
        })
    }

    /// The open interval of a local date in UTC, or `None` when the desk stays closed that day.
    pub fn hours_on(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.week[date.weekday().num_days_from_monday() as usize]?;
        if self.closed_reason(date).is_some() {
            return None;
        }
        Some((
            self.instant(date.and_time(hours.opens)),
            self.instant(date.and_time(hours.closes)),
        ))
    }

    /// A local wall-clock time as an instant. A time the clocks skip (spring forward) is read
    /// as the moment after the gap; a time they pass twice (fall back), as the first.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
            // Gaps are at most a few hours long; the first whole minute after one is when the
            // clocks resume.
            LocalResult::None => (1..=4 * 60)
                .find_map(|minutes| {
                    self.time_zone
                        .from_local_datetime(&(local + Duration::minutes(minutes)))
                        .earliest()
                })
                .map(|at| at.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
        }
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    fn days_from(&self, at: DateTime<Utc>, days: u64) -> impl Iterator<Item = NaiveDate> {
        let first = self.local_date(at);
        (0..days).filter_map(move |n| first.checked_add_days(Days::new(n)))
    }

    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.hours_on(self.local_date(at))
            .is_some_and(|(opens, closes)| opens <= at && at < closes)
    }

    pub fn status_at(&self, at: DateTime<Utc>) -> SupportStatus {
        let holiday = self.closed_reason(self.local_date(at));
        let local = |t: DateTime<Utc>| t.with_timezone(&self.time_zone);
        match self
            .hours_on(self.local_date(at))
            .filter(|(o, c)| *o <= at && at < *c)
        {
            Some((_, closes)) => SupportStatus {
                open: true,
                holiday,
                next_open: None,
                next_close: Some(local(closes)),
            },
            None => SupportStatus {
                open: false,
                holiday,
                next_open: self
                    .days_from(at, SEARCH_DAYS)
                    .filter_map(|d| self.hours_on(d))
                    .map(|(opens, _)| opens)
                    .find(|opens| *opens > at)
                    .map(local),
                next_close: None,
            },
        }
    }

    /// From when support is open for something asked at `at`: then, if open, or the next
    /// opening; `None` when the calendar opens no more.
    pub fn open_from(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let status = self.status_at(at);
        if status.open {
            Some(at)
        } else {
            status.next_open.map(|opens| opens.to_utc())
        }
    }

    /// When `budget` of open time has passed since `start`, not counting the `paused` spans
    /// (while a ticket waits for the customer). `None` if that is more than three years away.
    pub fn sla_due(
        &self,
        start: DateTime<Utc>,
        budget: Duration,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Option<DateTime<Utc>> {
        let mut left = budget;
        for (opens, closes) in self
            .days_from(start, SLA_SEARCH_DAYS)
            .filter_map(|d| self.hours_on(d))
        {
            for (from, to) in counting_spans(opens.max(start), closes, paused) {
                if to - from >= left {
                    return Some(from + left);
                }
                left -= to - from;
            }
        }
        None
    }
}

impl SupportCalendar {
    /// The open time between `from` and `to`: how long support had for something, in the
    /// hours it works.
    pub fn open_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let days = u64::try_from((to - from).num_days() + 2).unwrap_or(0);
        self.days_from(from, days)
            .filter_map(|d| self.hours_on(d))
            .map(|(opens, closes)| (opens.max(from), closes.min(to)))
            .filter(|(a, b)| a < b)
            .map(|(a, b)| b - a)
            .sum()
    }
}

/// The parts of `[from, to)` outside every paused span, in order.
fn counting_spans(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    paused: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans: Vec<_> = [(from, to)].into_iter().filter(|(a, b)| a < b).collect();
    for (pause_from, pause_to) in paused {
        spans = spans
            .into_iter()
            .flat_map(|(a, b)| [(a, b.min(*pause_from)), (a.max(*pause_to), b)])
            .filter(|(a, b)| a < b)
            .collect();
    }
    spans.sort();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn region(code: &str) -> Option<Region> {
        Some(code.parse().unwrap())
    }

    #[test]
    fn every_state_code_round_trips_and_unknown_codes_are_refused() {
        for (code, _) in STATES {
            assert_eq!(code.parse::<Region>().unwrap().code(), code);
        }
        assert_eq!("de-by".parse::<Region>().unwrap().code(), "DE-BY");
        let err = "DE-XX".parse::<Region>().unwrap_err().to_string();
        assert!(err.contains("DE-XX") && err.contains("DE-BY"), "{err}");
    }

    #[test]
    fn known_holidays_by_state() {
        let by = SupportCalendar::with_region(region("DE-BY"));
        let be = SupportCalendar::with_region(region("DE-BE"));
        let nationwide = SupportCalendar::default();
        // Epiphany: Bavaria closes, Berlin does not.
        assert_eq!(
            by.closed_reason(d("2026-01-06")).as_deref(),
            Some("Heilige Drei Könige")
        );
        assert_eq!(be.closed_reason(d("2026-01-06")), None);
        assert!(be.hours_on(d("2026-01-06")).is_some());
        // Easter 2026 is on 5 April.
        assert_eq!(
            nationwide.closed_reason(d("2026-04-03")).as_deref(),
            Some("Karfreitag")
        );
        assert_eq!(
            nationwide.closed_reason(d("2026-04-06")).as_deref(),
            Some("Ostermontag")
        );
        // Berlin's one-off 8 May 2025, and its Women's Day.
        assert_eq!(
            be.closed_reason(d("2025-05-08")).as_deref(),
            Some("Tag der Befreiung")
        );
        assert_eq!(
            be.closed_reason(d("2026-03-08")).as_deref(),
            Some("Frauentag")
        );
        assert_eq!(by.closed_reason(d("2025-05-08")), None);
        // Saxony's Day of Repentance, a Wednesday in November.
        let sn = SupportCalendar::with_region(region("DE-SN"));
        assert_eq!(
            sn.closed_reason(d("2026-11-18")).as_deref(),
            Some("Buß- und Bettag")
        );
        assert_eq!(nationwide.closed_reason(d("2026-11-18")), None);
        // Reformation Day is not a holiday everywhere, so not a nationwide one.
        assert_eq!(nationwide.closed_reason(d("2026-10-31")), None);
        assert_eq!(
            nationwide.closed_reason(d("2026-10-03")).as_deref(),
            Some("Tag der Deutschen Einheit")
        );
        // Brandenburg and Hesse keep Easter Sunday and Whit Sunday (closed as Sundays anyway,
        // but named); Bavaria and the nationwide calendar do not.
        for code in ["DE-BB", "DE-HE"] {
            let state = SupportCalendar::with_region(region(code));
            assert_eq!(
                state.closed_reason(d("2026-04-05")).as_deref(),
                Some("Ostersonntag"),
                "{code}"
            );
            assert_eq!(
                state.closed_reason(d("2026-05-24")).as_deref(),
                Some("Pfingstsonntag"),
                "{code}"
            );
            assert_eq!(
                state.closed_reason(d("2027-05-16")).as_deref(),
                Some("Pfingstsonntag"),
                "{code}"
            );
            assert_eq!(
                state.closed_reason(d("2026-04-12")),
                None,
                "{code}: an ordinary Sunday"
            );
        }
        assert_eq!(by.closed_reason(d("2026-04-05")), None);
        assert_eq!(nationwide.closed_reason(d("2026-05-24")), None);
        // Newer state laws: Women's Day in Mecklenburg-Western Pomerania since 2023, World
        // Children's Day in Thuringia since 2019.
        let mv = SupportCalendar::with_region(region("DE-MV"));
        assert_eq!(
            mv.closed_reason(d("2027-03-08")).as_deref(),
            Some("Frauentag")
        );
        assert_eq!(mv.closed_reason(d("2022-03-08")), None);
        let th = SupportCalendar::with_region(region("DE-TH"));
        assert_eq!(
            th.closed_reason(d("2027-09-20")).as_deref(),
            Some("Weltkindertag")
        );
        // The vendor's own closed days.
        assert_eq!(
            nationwide.closed_reason(d("2026-12-24")).as_deref(),
            Some("Heiligabend")
        );
    }

    #[test]
    fn a_holiday_on_a_weekend_closes_nothing_more() {
        // 3 October 2026 is a Saturday: closed anyway, named all the same.
        let calendar = SupportCalendar::default();
        assert_eq!(
            calendar.closed_reason(d("2026-10-03")).as_deref(),
            Some("Tag der Deutschen Einheit")
        );
        let status = calendar.status_at(utc("2026-10-02T17:30:00Z"));
        assert!(!status.open);
        assert_eq!(
            status.next_open.unwrap().to_rfc3339(),
            "2026-10-05T09:00:00+02:00"
        );
    }

    #[test]
    fn open_hours_stay_local_across_daylight_saving() {
        let calendar = SupportCalendar::default();
        // Friday before the spring change: 09:00 CET is 08:00 UTC ...
        assert!(!calendar.is_open(utc("2026-03-27T07:59:00Z")));
        assert!(calendar.is_open(utc("2026-03-27T08:00:00Z")));
        // ... Monday after: 09:00 CEST is 07:00 UTC.
        let status = calendar.status_at(utc("2026-03-28T12:00:00Z"));
        assert_eq!(
            status.next_open.unwrap().with_timezone(&Utc),
            utc("2026-03-30T07:00:00Z")
        );
        assert!(calendar.is_open(utc("2026-03-30T07:00:00Z")));
        assert!(
            !calendar.is_open(utc("2026-03-30T16:00:00Z")),
            "18:00 CEST is 16:00 UTC"
        );
    }

    #[test]
    fn local_times_the_clocks_skip_or_repeat() {
        let mut calendar = SupportCalendar::default();
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        calendar.week[6] = Some(OpeningHours {
            opens: at(2, 30),
            closes: at(4, 0),
        });
        // 29 March 2026: 02:30 does not exist in Berlin; the desk opens when the clocks resume.
        let (opens, closes) = calendar.hours_on(d("2026-03-29")).unwrap();
        assert_eq!(opens, utc("2026-03-29T01:00:00Z"));
        assert_eq!(closes, utc("2026-03-29T02:00:00Z"));
        // 25 October 2026: 02:30 happens twice; the first one counts.
        let (opens, _) = calendar.hours_on(d("2026-10-25")).unwrap();
        assert_eq!(opens, utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn status_when_open_and_when_closed() {
        let calendar = SupportCalendar::default();
        let open = calendar.status_at(utc("2026-11-23T10:00:00Z"));
        assert!(open.open && open.next_open.is_none() && open.holiday.is_none());
        assert_eq!(
            open.next_close.unwrap().to_rfc3339(),
            "2026-11-23T18:00:00+01:00"
        );
        let christmas = calendar.status_at(utc("2026-12-23T17:30:00Z"));
        assert!(!christmas.open);
        // 24th closed by the vendor, 25th and 26th holidays, 27th a Sunday.
        assert_eq!(
            christmas.next_open.unwrap().to_rfc3339(),
            "2026-12-28T09:00:00+01:00"
        );
        let on_the_day = calendar.status_at(utc("2026-12-25T10:00:00Z"));
        assert_eq!(
            on_the_day.holiday.as_deref(),
            Some("Erster Weihnachtsfeiertag")
        );
    }

    #[test]
    fn a_calendar_without_open_days_has_no_next_opening() {
        let calendar = SupportCalendar {
            week: [None; 7],
            ..SupportCalendar::default()
        };
        assert_eq!(
            calendar.status_at(utc("2026-11-23T10:00:00Z")).next_open,
            None
        );
        assert_eq!(
            calendar.sla_due(utc("2026-11-23T10:00:00Z"), Duration::hours(1), &[]),
            None
        );
    }

    #[test]
    fn closing_before_opening_is_refused() {
        let mut calendar = SupportCalendar::default();
        calendar.week[0] = Some(OpeningHours {
            opens: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            closes: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        });
        assert_eq!(calendar.validate(), Err(DomainError::InvalidOpeningHours));
        assert!(SupportCalendar::default().validate().is_ok());
    }

    #[test]
    fn the_sla_clock_runs_only_while_support_is_open() {
        let calendar = SupportCalendar::default();
        // Friday 17:00 CET plus 2 open hours: one on Friday, one on Monday.
        let due = calendar.sla_due(utc("2026-11-27T16:00:00Z"), Duration::hours(2), &[]);
        assert_eq!(due, Some(utc("2026-11-30T09:00:00Z")));
        // Over Christmas: half an hour on the 23rd, then nothing until Monday the 28th.
        let due = calendar.sla_due(utc("2026-12-23T16:30:00Z"), Duration::hours(1), &[]);
        assert_eq!(due, Some(utc("2026-12-28T08:30:00Z")));
        // Started on a Sunday: the clock starts at Monday's opening.
        let due = calendar.sla_due(utc("2026-11-22T12:00:00Z"), Duration::minutes(30), &[]);
        assert_eq!(due, Some(utc("2026-11-23T08:30:00Z")));
    }

    #[test]
    fn the_sla_clock_pauses_while_waiting_for_the_customer() {
        let calendar = SupportCalendar::default();
        let start = utc("2026-11-23T08:00:00Z");
        // Waiting for the customer from 10:00 to 15:00 local time: five hours do not count.
        let paused = [(utc("2026-11-23T09:00:00Z"), utc("2026-11-23T14:00:00Z"))];
        assert_eq!(
            calendar.sla_due(start, Duration::hours(4), &[]),
            Some(utc("2026-11-23T12:00:00Z"))
        );
        assert_eq!(
            calendar.sla_due(start, Duration::hours(4), &paused),
            Some(utc("2026-11-23T17:00:00Z"))
        );
        // A pause past closing time pushes the rest to the next day.
        assert_eq!(
            calendar.sla_due(start, Duration::hours(8), &paused),
            Some(utc("2026-11-24T12:00:00Z"))
        );
    }

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // Whole minutes from 2024 to 2030.
        (0i64..7 * 366 * 24 * 60).prop_map(|m| utc("2024-01-01T00:00:00Z") + Duration::minutes(m))
    }

    fn any_region() -> impl Strategy<Value = Option<Region>> {
        proptest::option::of((0usize..16).prop_map(|i| Region(STATES[i].1)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Next open and next close are real edges: open from that minute on, closed the
        /// minute before (or the other way round).
        #[test]
        fn status_edges_are_real(at in instant(), region in any_region()) {
            let calendar = SupportCalendar::with_region(region);
            let status = calendar.status_at(at);
            prop_assert_eq!(status.open, calendar.is_open(at));
            let minute = Duration::minutes(1);
            if let Some(opens) = status.next_open.map(|t| t.with_timezone(&Utc)) {
                prop_assert!(opens > at && calendar.is_open(opens) && !calendar.is_open(opens - minute));
                prop_assert!((opens - at) < Duration::days(12), "a desk open on weekdays is never shut that long");
            }
            if let Some(closes) = status.next_close.map(|t| t.with_timezone(&Utc)) {
                prop_assert!(closes > at && !calendar.is_open(closes) && calendar.is_open(closes - minute));
            }
            prop_assert!(status.open == status.next_close.is_some() && status.open != status.next_open.is_some());
        }

        /// Counted minute by minute, the open and unpaused time from the start to the due time
        /// is exactly the budget.
        #[test]
        fn sla_due_counts_exactly_the_budget(
            start in instant(),
            budget_minutes in 0i64..(20 * 60),
            pause_offset in 0i64..(3 * 24 * 60),
            pause_minutes in 0i64..(24 * 60),
            region in any_region(),
        ) {
            let calendar = SupportCalendar::with_region(region);
            let pause_from = start + Duration::minutes(pause_offset);
            let paused = [(pause_from, pause_from + Duration::minutes(pause_minutes))];
            let due = calendar.sla_due(start, Duration::minutes(budget_minutes), &paused).unwrap();
            let counted = (0..)
                .map(|m| start + Duration::minutes(m))
                .take_while(|t| *t < due)
                .filter(|t| calendar.is_open(*t) && !(paused[0].0 <= *t && *t < paused[0].1))
                .count();
            prop_assert_eq!(counted as i64, budget_minutes);
            let unpaused = calendar.sla_due(start, Duration::minutes(budget_minutes), &[]).unwrap();
            prop_assert!(unpaused <= due);
        }

        /// The open time up to a due time is the budget it was due after, and open time only
        /// grows with the end.
        #[test]
        fn open_time_up_to_the_due_time_is_the_budget(
            start in instant(),
            budget_minutes in 0i64..(40 * 60),
            more_minutes in 0i64..(5 * 24 * 60),
            region in any_region(),
        ) {
            let calendar = SupportCalendar::with_region(region);
            let budget = Duration::minutes(budget_minutes);
            let due = calendar.sla_due(start, budget, &[]).unwrap();
            prop_assert_eq!(calendar.open_time_between(start, due), budget);
            let later = due + Duration::minutes(more_minutes);
            prop_assert!(calendar.open_time_between(start, later) >= budget);
            prop_assert_eq!(calendar.open_time_between(later, start), Duration::zero());
        }
    }
}
