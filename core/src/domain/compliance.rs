//! Till compliance under the German cash-register law: each till's certified security device
//! (TSE) and its certificate's end, and the report of a site's tills to the tax office
//! (§146a (4) AO). The sources are named in the README ("The cash-register law").
//!
//! A till's facts travel inside its station record, so they sync, keep their history and reach
//! every till and admin of the shop as the station's name does. A TSE that is swapped out stays
//! on the record among the retired ones: its data must be kept for years.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::stations::Station;
use super::DomainError;

wire_enum!(
    /// "Art / Bauform der TSE": a device in the till (USB stick, SD card) or a cloud service.
    TseKind { Hardware = "hardware", Cloud = "cloud" }
);
wire_enum!(
    /// "Art des eAs", as ELSTER offers it.
    TillKind { Pc = "pc", Tablet = "tablet", Register = "register" }
);

impl TseKind {
    pub fn elster_name(self) -> &'static str {
        match self {
            TseKind::Hardware => "Hardware (USB-Stick, SD-Karte)",
            TseKind::Cloud => "Cloud",
        }
    }
}

impl TillKind {
    pub fn elster_name(self) -> &'static str {
        match self {
            TillKind::Pc => "Computergestützte/PC-Kassensysteme",
            TillKind::Tablet => "Tablet-/App-Kassensysteme",
            TillKind::Register => "Elektronische Registrierkasse",
        }
    }
}

/// What the tax office is told about one till, and its TSEs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TillCompliance {
    #[serde(default)]
    pub kind: Option<TillKind>,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub software: String,
    #[serde(default)]
    pub software_version: String,
    #[serde(default)]
    pub serial: String,
    /// The site (Betriebsstätte) the till stands in: one report covers all tills of a site.
    #[serde(default)]
    pub site: Option<Site>,
    #[serde(default)]
    pub tse: Option<Tse>,
    /// The TSEs this till used before, newest last.
    #[serde(default)]
    pub retired_tses: Vec<Tse>,
    #[serde(default)]
    pub purchased_on: Option<NaiveDate>,
    #[serde(default)]
    pub in_service_from: Option<NaiveDate>,
    #[serde(default)]
    pub out_of_service_from: Option<NaiveDate>,
    /// The site's report that last covered this till.
    #[serde(default)]
    pub last_report: Option<ReportFiled>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tse {
    pub kind: TseKind,
    pub serial: String,
    /// The BSI's certification id, "BSI-K-TR-nnnn-yyyy".
    #[serde(default)]
    pub bsi_id: String,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub in_use_from: Option<NaiveDate>,
    #[serde(default)]
    pub in_use_until: Option<NaiveDate>,
}

/// A report to the tax office: when it was sent, and ELSTER's transfer ticket for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFiled {
    pub filed_on: NaiveDate,
    #[serde(default)]
    pub transfer_ticket: String,
}

pub const MAX_FIELD: usize = 120;
/// The longest cause of a TSE outage.
pub const MAX_TSE_CAUSE: usize = 500;

impl TillCompliance {
    /// Every text trimmed and of sane length, the BSI id of its shape, the dates in order.
    pub fn checked(mut self) -> Result<TillCompliance, DomainError> {
        for (field, text) in [
            ("make", &mut self.make),
            ("model", &mut self.model),
            ("software", &mut self.software),
            ("software version", &mut self.software_version),
            ("serial number", &mut self.serial),
        ] {
            *text = clean_field(field, text)?;
        }
        if let Some(site) = &mut self.site {
            site.name = clean_field("site", &site.name)?;
            if site.name.is_empty() {
                return Err(DomainError::ComplianceField {
                    field: "site",
                    why: "name the site".into(),
                });
            }
            for (field, text) in [
                ("street", &mut site.street),
                ("postcode", &mut site.postcode),
                ("city", &mut site.city),
            ] {
                *text = clean_field(field, text)?;
            }
        }
        for tse in self.tse.iter_mut().chain(self.retired_tses.iter_mut()) {
            tse.serial = clean_field("TSE serial number", &tse.serial)?;
            tse.bsi_id = clean_field("BSI certification id", &tse.bsi_id)?;
            if !tse.bsi_id.is_empty() && !is_bsi_id(&tse.bsi_id) {
                return Err(DomainError::ComplianceField {
                    field: "BSI certification id",
                    why: "write it like BSI-K-TR-0412-2020".into(),
                });
            }
            if let (Some(from), Some(until)) = (tse.in_use_from, tse.in_use_until) {
                in_order("the TSE", from, until)?;
            }
        }
        if let (Some(from), Some(until)) = (self.in_service_from, self.out_of_service_from) {
            in_order("the till", from, until)?;
        }
        if self.retired_tses.len() > MAX_RETIRED_TSES {
            return Err(DomainError::ComplianceField {
                field: "retired TSEs",
                why: format!("at most {MAX_RETIRED_TSES} are kept on a till's record"),
            });
        }
        if let Some(report) = &mut self.last_report {
            report.transfer_ticket = clean_field("transfer ticket", &report.transfer_ticket)?;
        }
        Ok(self)
    }

    /// Puts `tse` in; the one it replaces, if another, is retired from the day the new one
    /// came into use (or `today`).
    pub fn swap_tse(&mut self, tse: Tse, today: NaiveDate) {
        if let Some(mut old) = self.tse.take().filter(|old| old.serial != tse.serial) {
            old.in_use_until = old.in_use_until.or(tse.in_use_from).or(Some(today));
            self.retired_tses.push(old);
        }
        self.tse = Some(tse);
    }

    pub fn in_service_on(&self, day: NaiveDate) -> bool {
        self.out_of_service_from.is_none_or(|until| day < until)
    }

    /// The days a report of this till's site must follow: its purchase (or, not known, its
    /// going into service), each TSE's coming into use, its going out of service.
    fn reportable_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let out = self
            .out_of_service_from
            // Tills taken out before July 2025 are reported only if their purchase was
            // (BMF, 28 June 2024); a till taken out after it, always.
            .filter(|day| *day >= FIRST_MONTHLY_DAY);
        self.purchased_on
            .or(self.in_service_from)
            .into_iter()
            .chain(
                self.tse
                    .iter()
                    .chain(&self.retired_tses)
                    .filter_map(|tse| tse.in_use_from),
            )
            .chain(out)
    }

    /// When the site's report must reach the tax office for what changed on this till since
    /// its last report, if anything did.
    pub fn report_due_by(&self) -> Option<NaiveDate> {
        let filed = self.last_report.as_ref().map(|r| r.filed_on);
        self.reportable_days()
            .filter(|day| filed.is_none_or(|filed| *day > filed))
            .map(report_deadline)
            .min()
    }
}

const MAX_RETIRED_TSES: usize = 50;

/// From this day on a change is reported within a month; what came before it, by 31 July 2025.
const FIRST_MONTHLY_DAY: NaiveDate = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
const FIRST_DEADLINE: NaiveDate = NaiveDate::from_ymd_opt(2025, 7, 31).unwrap();

/// The last day to report a change made on `day`: one calendar month later (a change on
/// 31 January is due by the end of February), for changes before July 2025 the end of July
/// 2025.
pub fn report_deadline(day: NaiveDate) -> NaiveDate {
    if day < FIRST_MONTHLY_DAY {
        return FIRST_DEADLINE;
    }
    day.checked_add_months(Months::new(1)).unwrap_or(day)
}

/// How close a TSE certificate's end is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TseWarning {
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "30")]
    Within30,
    #[serde(rename = "90")]
    Within90,
    #[serde(rename = "180")]
    Within180,
}

/// The warning for a certificate valid until `valid_until` (its last valid day), on `on`.
pub fn tse_warning(valid_until: NaiveDate, on: NaiveDate) -> Option<TseWarning> {
    match (valid_until - on).num_days() {
        ..0 => Some(TseWarning::Expired),
        0..=30 => Some(TseWarning::Within30),
        31..=90 => Some(TseWarning::Within90),
        91..=180 => Some(TseWarning::Within180),
        _ => None,
    }
}

impl TseWarning {
    pub fn as_str(self) -> &'static str {
        match self {
            TseWarning::Expired => "expired",
            TseWarning::Within30 => "30",
            TseWarning::Within90 => "90",
            TseWarning::Within180 => "180",
        }
    }

    /// Support plans the swap from here on: a ticket is opened for the shop.
    pub fn needs_ticket(self) -> bool {
        self <= TseWarning::Within90
    }
}

/// The ticket opened for a TSE whose certificate ends within 90 days: its id comes from the
/// till and the TSE, so every app of the shop that notices opens the same one, and the server
/// keeps it once.
pub fn tse_ticket_id(station_id: Uuid, tse_serial: &str) -> Uuid {
    Uuid::new_v5(
        &TSE_TICKETS,
        format!("{station_id}/{tse_serial}").as_bytes(),
    )
}

/// The change that files it, likewise one for all who notice.
pub fn tse_ticket_change_id(station_id: Uuid, tse_serial: &str) -> Uuid {
    Uuid::new_v5(
        &TSE_TICKETS,
        tse_ticket_id(station_id, tse_serial).as_bytes(),
    )
}

const TSE_TICKETS: Uuid = Uuid::from_u128(0x6f1d_1f4c_52a9_4e0b_9a57_3c1e_7e0d_5a11);

/// One till in the compliance overview (`stationdesk-cli compliance --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceRow {
    pub station_id: Uuid,
    pub station: String,
    pub site: Option<String>,
    pub tse_serial: Option<String>,
    pub tse_valid_until: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub warning: Option<TseWarning>,
    /// When the site's report must reach the tax office, for this till or another of its site.
    pub report_due_by: Option<NaiveDate>,
    pub report_overdue: bool,
    pub out_of_service: bool,
}

/// The overview: each till's TSE warning, and its site's earliest report deadline.
pub fn overview(stations: &[Station], on: NaiveDate) -> Vec<ComplianceRow> {
    let site_of = |s: &Station| {
        s.compliance
            .as_ref()
            .and_then(|c| c.site.as_ref())
            .map(|site| site.name.to_lowercase())
    };
    // One report covers the site: its deadline is its earliest till's.
    let mut site_deadlines: HashMap<String, NaiveDate> = HashMap::new();
    for station in stations {
        let due = station
            .compliance
            .as_ref()
            .and_then(TillCompliance::report_due_by);
        if let (Some(site), Some(due)) = (site_of(station), due) {
            site_deadlines
                .entry(site)
                .and_modify(|earliest| *earliest = (*earliest).min(due))
                .or_insert(due);
        }
    }
    stations
        .iter()
        .map(|station| {
            let facts = station.compliance.as_ref();
            let tse = facts.and_then(|f| f.tse.as_ref());
            let valid_until = tse.and_then(|t| t.valid_until);
            let in_service = facts.is_none_or(|f| f.in_service_on(on));
            let report_due_by = match site_of(station) {
                Some(site) => site_deadlines.get(&site).copied(),
                None => facts.and_then(TillCompliance::report_due_by),
            };
            ComplianceRow {
                station_id: station.id,
                station: station.name.clone(),
                site: facts.and_then(|f| f.site.as_ref()).map(|s| s.name.clone()),
                tse_serial: tse.map(|t| t.serial.clone()),
                tse_valid_until: valid_until,
                days_left: valid_until.map(|until| (until - on).num_days()),
                warning: valid_until
                    .filter(|_| in_service)
                    .and_then(|until| tse_warning(until, on)),
                report_due_by,
                report_overdue: report_due_by.is_some_and(|due| on > due),
                out_of_service: !in_service,
            }
        })
        .collect()
}

/// A site's report as ELSTER's form "Mitteilung über elektronische Aufzeichnungssysteme
/// (§ 146a Absatz 4 AO)" asks for it, with its field names: ready to type in or to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElsterReport {
    #[serde(rename = "Betriebsstätte")]
    pub site: ElsterSite,
    #[serde(rename = "Elektronische Aufzeichnungssysteme")]
    pub tills: Vec<ElsterTill>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElsterSite {
    #[serde(rename = "Bezeichnung der Betriebsstätte")]
    pub name: String,
    #[serde(rename = "Straße und Hausnummer")]
    pub street: String,
    #[serde(rename = "Postleitzahl")]
    pub postcode: String,
    #[serde(rename = "Ort")]
    pub city: String,
    #[serde(rename = "Anzahl der zugeordneten eAs")]
    pub tills: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElsterTill {
    #[serde(rename = "Art des eAs")]
    pub kind: String,
    #[serde(rename = "Software des eAs")]
    pub software: String,
    #[serde(rename = "Software-Version des eAs")]
    pub software_version: String,
    #[serde(rename = "Seriennummer des eAs")]
    pub serial: String,
    #[serde(rename = "Hersteller des eAs")]
    pub make: String,
    #[serde(rename = "Modell des eAs")]
    pub model: String,
    #[serde(rename = "Anschaffung des eAs")]
    pub purchased_on: Option<NaiveDate>,
    #[serde(rename = "Inbetriebnahme des eAs")]
    pub in_service_from: Option<NaiveDate>,
    #[serde(rename = "Außerbetriebnahme des eAs")]
    pub out_of_service_from: Option<NaiveDate>,
    /// The present TSE first, then the retired ones: a swap is reported with both.
    #[serde(rename = "Technische Sicherheitseinrichtungen")]
    pub tses: Vec<ElsterTse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElsterTse {
    #[serde(rename = "Art / Bauform der TSE")]
    pub kind: String,
    #[serde(rename = "Seriennummer der TSE")]
    pub serial: String,
    #[serde(rename = "BSI-Zertifizierungs-ID")]
    pub bsi_id: String,
    #[serde(rename = "Inbetriebnahme der TSE")]
    pub in_use_from: Option<NaiveDate>,
    #[serde(rename = "Außerbetriebnahme der TSE")]
    pub in_use_until: Option<NaiveDate>,
}

impl ElsterReport {
    pub fn of(site: &Site, tills: &[&TillCompliance]) -> ElsterReport {
        ElsterReport {
            site: ElsterSite {
                name: site.name.clone(),
                street: site.street.clone(),
                postcode: site.postcode.clone(),
                city: site.city.clone(),
                tills: tills.len(),
            },
            tills: tills
                .iter()
                .map(|till| ElsterTill {
                    kind: till.kind.map_or("", TillKind::elster_name).to_owned(),
                    software: till.software.clone(),
                    software_version: till.software_version.clone(),
                    serial: till.serial.clone(),
                    make: till.make.clone(),
                    model: till.model.clone(),
                    purchased_on: till.purchased_on,
                    in_service_from: till.in_service_from,
                    out_of_service_from: till.out_of_service_from,
                    tses: till
                        .tse
                        .iter()
                        .chain(till.retired_tses.iter().rev())
                        .map(|tse| ElsterTse {
                            kind: tse.kind.elster_name().to_owned(),
                            serial: tse.serial.clone(),
                            bsi_id: tse.bsi_id.clone(),
                            in_use_from: tse.in_use_from,
                            in_use_until: tse.in_use_until,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// One line per till and TSE, the site's fields repeated, dates as ELSTER's form takes
    /// them (TT.MM.JJJJ).
    pub fn csv(&self) -> String {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let date = |day: Option<NaiveDate>| {
            day.map_or_else(String::new, |d| d.format("%d.%m.%Y").to_string())
        };
        let header = [
            "Bezeichnung der Betriebsstätte",
            "Straße und Hausnummer",
            "Postleitzahl",
            "Ort",
            "Art des eAs",
            "Software des eAs",
            "Software-Version des eAs",
            "Seriennummer des eAs",
            "Hersteller des eAs",
            "Modell des eAs",
            "Anschaffung des eAs",
            "Inbetriebnahme des eAs",
            "Außerbetriebnahme des eAs",
            "Art / Bauform der TSE",
            "Seriennummer der TSE",
            "BSI-Zertifizierungs-ID",
            "Inbetriebnahme der TSE",
            "Außerbetriebnahme der TSE",
        ];
        let mut lines = vec![header.map(str::to_owned).to_vec()];
        for till in &self.tills {
            let no_tse = [ElsterTse {
                kind: String::new(),
                serial: String::new(),
                bsi_id: String::new(),
                in_use_from: None,
                in_use_until: None,
            }];
            let tses = if till.tses.is_empty() {
                &no_tse[..]
            } else {
                &till.tses[..]
            };
            for tse in tses {
                lines.push(vec![
                    self.site.name.clone(),
                    self.site.street.clone(),
                    self.site.postcode.clone(),
                    self.site.city.clone(),
                    till.kind.clone(),
                    till.software.clone(),
                    till.software_version.clone(),
                    till.serial.clone(),
                    till.make.clone(),
                    till.model.clone(),
                    date(till.purchased_on),
                    date(till.in_service_from),
                    date(till.out_of_service_from),
                    tse.kind.clone(),
                    tse.serial.clone(),
                    tse.bsi_id.clone(),
                    date(tse.in_use_from),
                    date(tse.in_use_until),
                ]);
            }
        }
        for line in lines {
            out.write_record(&line).expect("writing to memory");
        }
        String::from_utf8(out.into_inner().expect("writing to memory"))
            .expect("the fields are text")
    }
}

fn is_bsi_id(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("BSI-K-TR-") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('-').collect();
    matches!(parts.as_slice(), [number, year]
        if number.len() == 4 && year.len() == 4
            && number.chars().chain(year.chars()).all(|c| c.is_ascii_digit()))
}

fn clean_field(field: &'static str, text: &str) -> Result<String, DomainError> {
    let text = text.trim();
    if text.chars().count() > MAX_FIELD || text.chars().any(char::is_control) {
        return Err(DomainError::ComplianceField {
            field,
            why: format!("at most {MAX_FIELD} characters on one line"),
        });
    }
    Ok(text.to_owned())
}

fn in_order(what: &'static str, from: NaiveDate, until: NaiveDate) -> Result<(), DomainError> {
    if until < from {
        return Err(DomainError::ComplianceField {
            field: what,
            why: format!("it cannot go out of service ({until}) before it went in ({from})"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn tse(serial: &str, from: &str) -> Tse {
        Tse {
            kind: TseKind::Hardware,
            serial: serial.into(),
            bsi_id: "BSI-K-TR-0412-2020".into(),
            valid_until: Some(day("2027-01-31")),
            in_use_from: Some(day(from)),
            in_use_until: None,
        }
    }

    #[test]
    fn warnings_step_at_180_90_30_days_and_the_day_after_the_last_valid_one() {
        let end = day("2027-06-30");
        let on = |days: i64| end - chrono::Duration::days(days);
        assert_eq!(tse_warning(end, on(181)), None);
        assert_eq!(tse_warning(end, on(180)), Some(TseWarning::Within180));
        assert_eq!(tse_warning(end, on(91)), Some(TseWarning::Within180));
        assert_eq!(tse_warning(end, on(90)), Some(TseWarning::Within90));
        assert_eq!(tse_warning(end, on(31)), Some(TseWarning::Within90));
        assert_eq!(tse_warning(end, on(30)), Some(TseWarning::Within30));
        // Its last day is still valid.
        assert_eq!(tse_warning(end, end), Some(TseWarning::Within30));
        assert_eq!(tse_warning(end, on(-1)), Some(TseWarning::Expired));
        assert!(TseWarning::Within90.needs_ticket() && TseWarning::Expired.needs_ticket());
        assert!(!TseWarning::Within180.needs_ticket());
    }

    #[test]
    fn a_change_is_due_a_calendar_month_later_clamped_to_the_months_end() {
        assert_eq!(report_deadline(day("2027-01-31")), day("2027-02-28"));
        assert_eq!(report_deadline(day("2028-01-31")), day("2028-02-29"));
        assert_eq!(report_deadline(day("2026-03-31")), day("2026-04-30"));
        assert_eq!(report_deadline(day("2026-12-15")), day("2027-01-15"));
        assert_eq!(report_deadline(day("2025-07-01")), day("2025-08-01"));
        // Before July 2025, everything was due by the end of July 2025.
        assert_eq!(report_deadline(day("2019-12-20")), day("2025-07-31"));
        assert_eq!(report_deadline(day("2025-06-30")), day("2025-07-31"));
    }

    #[test]
    fn a_swap_retires_the_old_tse_and_makes_the_report_due_again() {
        let mut till = TillCompliance {
            purchased_on: Some(day("2021-03-01")),
            in_service_from: Some(day("2021-03-02")),
            tse: Some(tse("A-1", "2021-03-02")),
            last_report: Some(ReportFiled {
                filed_on: day("2025-05-10"),
                transfer_ticket: "ab12".into(),
            }),
            ..TillCompliance::default()
        };
        assert_eq!(till.report_due_by(), None);
        till.swap_tse(tse("B-2", "2026-11-30"), day("2026-12-01"));
        assert_eq!(till.tse.as_ref().unwrap().serial, "B-2");
        assert_eq!(till.retired_tses.len(), 1);
        assert_eq!(till.retired_tses[0].serial, "A-1");
        assert_eq!(till.retired_tses[0].in_use_until, Some(day("2026-11-30")));
        assert_eq!(till.report_due_by(), Some(day("2026-12-30")));
        // The same TSE again is an edit, not a swap.
        till.swap_tse(tse("B-2", "2026-11-30"), day("2026-12-02"));
        assert_eq!(till.retired_tses.len(), 1);
        // Filed: nothing more is due until the next change.
        till.last_report = Some(ReportFiled {
            filed_on: day("2026-12-10"),
            transfer_ticket: String::new(),
        });
        assert_eq!(till.report_due_by(), None);
        till.out_of_service_from = Some(day("2027-01-31"));
        assert_eq!(till.report_due_by(), Some(day("2027-02-28")));
    }

    #[test]
    fn a_till_never_reported_was_due_by_july_2025() {
        let till = TillCompliance {
            purchased_on: Some(day("2020-01-15")),
            ..TillCompliance::default()
        };
        assert_eq!(till.report_due_by(), Some(day("2025-07-31")));
        // One taken out before July 2025 without its purchase reported needs no report of it.
        let gone = TillCompliance {
            out_of_service_from: Some(day("2025-03-01")),
            ..TillCompliance::default()
        };
        assert_eq!(gone.report_due_by(), None);
    }

    #[test]
    fn fields_are_checked() {
        let good = TillCompliance {
            serial: "  K-77 ".into(),
            tse: Some(tse("A-1", "2021-03-02")),
            ..TillCompliance::default()
        };
        assert_eq!(good.clone().checked().unwrap().serial, "K-77");
        let mut bad_bsi = good.clone();
        bad_bsi.tse.as_mut().unwrap().bsi_id = "BSI-0412".into();
        assert!(bad_bsi.checked().is_err());
        let mut backwards = good.clone();
        backwards.in_service_from = Some(day("2026-05-01"));
        backwards.out_of_service_from = Some(day("2026-04-01"));
        assert!(backwards.checked().is_err());
        let mut long = good.clone();
        long.make = "x".repeat(MAX_FIELD + 1);
        assert!(long.checked().is_err());
        let mut nameless = good;
        nameless.site = Some(Site::default());
        assert!(nameless.checked().is_err());
    }

    #[test]
    fn the_tse_ticket_is_one_per_till_and_tse() {
        let till = Uuid::now_v7();
        assert_eq!(tse_ticket_id(till, "A-1"), tse_ticket_id(till, "A-1"));
        assert_ne!(tse_ticket_id(till, "A-1"), tse_ticket_id(till, "B-2"));
        assert_ne!(
            tse_ticket_id(till, "A-1"),
            tse_ticket_id(Uuid::now_v7(), "A-1")
        );
        assert_ne!(
            tse_ticket_id(till, "A-1"),
            tse_ticket_change_id(till, "A-1")
        );
    }

    #[test]
    fn the_elster_report_lists_each_till_with_its_present_and_retired_tses() {
        let mut till = TillCompliance {
            kind: Some(TillKind::Pc),
            serial: "K-1".into(),
            purchased_on: Some(day("2021-03-01")),
            tse: Some(tse("A-1", "2021-03-02")),
            ..TillCompliance::default()
        };
        till.swap_tse(tse("B-2", "2026-11-30"), day("2026-11-30"));
        let bare = TillCompliance::default();
        let site = Site {
            name: "Filiale Mitte".into(),
            street: "Marktplatz 1; Hof".into(),
            postcode: "10115".into(),
            city: "Berlin".into(),
        };
        let report = ElsterReport::of(&site, &[&till, &bare]);
        assert_eq!(report.site.tills, 2);
        let serials: Vec<&str> = report.tills[0]
            .tses
            .iter()
            .map(|t| t.serial.as_str())
            .collect();
        assert_eq!(serials, ["B-2", "A-1"]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["Elektronische Aufzeichnungssysteme"][0]["Art des eAs"],
            "Computergestützte/PC-Kassensysteme"
        );
        let csv = report.csv();
        let lines: Vec<&str> = csv.lines().collect();
        // A header, two TSE lines for the first till, one line for the bare one.
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[0].starts_with("Bezeichnung der Betriebsstätte;"));
        // The separator inside a field is quoted, the dates are German.
        assert!(lines[1].contains("\"Marktplatz 1; Hof\""), "{csv}");
        assert!(lines[1].contains(";01.03.2021;"), "{csv}");
        assert!(
            lines[2].contains(";A-1;") && lines[2].ends_with(";02.03.2021;30.11.2026"),
            "{csv}"
        );
    }

    proptest! {
        /// The deadline is never before the change, at most a month and a bit after it (from
        /// July 2025), and never later for an earlier change.
        #[test]
        fn deadlines_follow_the_change(days in 0i64..5000, later in 0i64..400) {
            let first = day("2024-01-01") + chrono::Duration::days(days);
            let second = first + chrono::Duration::days(later);
            let due = report_deadline(first);
            prop_assert!(due >= first);
            prop_assert!(report_deadline(second) >= due);
            if first >= FIRST_MONTHLY_DAY {
                prop_assert!((due - first).num_days() >= 28 && (due - first).num_days() <= 31);
                prop_assert!(due.day0() <= first.day0());
            }
        }

        /// The warning only ever grows as the end comes closer.
        #[test]
        fn warnings_never_ease_as_time_passes(days in -400i64..400, step in 0i64..200) {
            let end = day("2027-06-30");
            let on = end - chrono::Duration::days(days);
            let later = on + chrono::Duration::days(step);
            let rank = |w: Option<TseWarning>| w.map_or(4, |w| w as u8);
            prop_assert!(rank(tse_warning(end, later)) <= rank(tse_warning(end, on)));
        }
    }
}
