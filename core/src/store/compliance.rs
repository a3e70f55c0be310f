//! The cash-register law on this PC: each till's compliance facts kept on its station record,
//! the warnings and report deadlines read from them, the site's report for ELSTER, and the
//! ticket a TSE's ending certificate opens by itself.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::outage_log;
use super::sync::write_station;
use super::tickets::{enqueue_as, record_created_once, write_ticket_row};
use super::{find_station, Store, StoreError};
use crate::domain::compliance::{
    overview, tse_ticket_change_id, tse_ticket_id, tse_warning, ComplianceRow, ElsterReport,
    ReportFiled, Site, TillCompliance, TillKind, Tse, TseKind, TseWarning,
};
use crate::domain::stations::Station;
use crate::domain::tickets::{
    ticket_number, Category, Channel, Priority, RequestDetails, StationDetails, Ticket, TicketState,
};
use crate::domain::DomainError;
use crate::wire::ChangeBody;

/// What an admin changes of a till's facts; what is left out stays as it is, an empty text
/// clears a field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceUpdate {
    pub kind: Option<TillKind>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    pub software_version: Option<String>,
    pub serial: Option<String>,
    /// The site by its name; one named for the first time is created.
    pub site: Option<String>,
    /// A serial other than the present TSE's swaps the TSE: the old one is retired.
    pub tse_serial: Option<String>,
    pub tse_kind: Option<TseKind>,
    pub tse_bsi_id: Option<String>,
    pub tse_valid_until: Option<NaiveDate>,
    pub tse_in_use_from: Option<NaiveDate>,
    pub purchased_on: Option<NaiveDate>,
    pub in_service_from: Option<NaiveDate>,
    pub out_of_service_from: Option<NaiveDate>,
}

/// One TSE outage of a till: from the emergency press to the TSE recorded working again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TseOutage {
    pub ticket_id: Uuid,
    pub number: String,
    pub began_at: DateTime<Utc>,
    /// `None` while the TSE is still out.
    pub ended_at: Option<DateTime<Utc>>,
    pub cause: Option<String>,
    pub ended_by: Option<String>,
}

impl Store {
    /// Changes a till's compliance facts and sends its record on.
    pub fn set_compliance(
        &mut self,
        reference: &str,
        update: ComplianceUpdate,
        today: NaiveDate,
    ) -> Result<Station, StoreError> {
        let tx = self.write()?;
        let mut station = find_station(&tx, reference)?;
        let mut facts = station.compliance.take().unwrap_or_default();
        let texts = [
            (&mut facts.make, &update.make),
            (&mut facts.model, &update.model),
            (&mut facts.software, &update.software),
            (&mut facts.software_version, &update.software_version),
            (&mut facts.serial, &update.serial),
        ];
        for (field, given) in texts {
            if let Some(given) = given {
                field.clone_from(given);
            }
        }
        facts.kind = update.kind.or(facts.kind);
        set_dates(&mut facts, &update);
        if let Some(name) = &update.site {
            facts.site = known_site(&tx, name.trim())?;
        }
        change_tse(&mut facts, &update, today)?;
        station.compliance = Some(facts);
        save(&tx, station).and_then(|station| {
            tx.commit()?;
            Ok(station)
        })
    }

    /// A site's address, on every till of it.
    pub fn set_site_address(
        &mut self,
        name: &str,
        street: &str,
        postcode: &str,
        city: &str,
    ) -> Result<Site, StoreError> {
        let tx = self.write()?;
        let mut changed = None;
        for mut station in at_site(&tx, name.trim())? {
            if let Some(site) = station.compliance.as_mut().and_then(|f| f.site.as_mut()) {
                // The site keeps its name as first written, whatever the case typed now.
                site.street = street.to_owned();
                site.postcode = postcode.to_owned();
                site.city = city.to_owned();
            }
            changed = save(&tx, station)?.compliance.and_then(|facts| facts.site);
        }
        let site = changed.ok_or_else(|| no_site(name))?;
        tx.commit()?;
        Ok(site)
    }

    /// The site's report reached the tax office on `filed_on`: it covers every till of the
    /// site as it was then.
    pub fn record_report_filed(
        &mut self,
        site: &str,
        filed_on: NaiveDate,
        transfer_ticket: &str,
    ) -> Result<(), StoreError> {
        let tx = self.write()?;
        let stations = at_site(&tx, site.trim())?;
        if stations.is_empty() {
            return Err(no_site(site));
        }
        for mut station in stations {
            if let Some(facts) = station.compliance.as_mut() {
                facts.last_report = Some(ReportFiled {
                    filed_on,
                    transfer_ticket: transfer_ticket.to_owned(),
                });
            }
            save(&tx, station)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every till with its TSE's warning and its site's report deadline on `on`.
    pub fn compliance_on(&self, on: NaiveDate) -> Result<Vec<ComplianceRow>, StoreError> {
        let stations = self.stations()?;
        Ok(overview(&stations, on))
    }

    /// A site's report for the tax office, with every till of the site.
    pub fn site_report(&self, site: &str) -> Result<ElsterReport, StoreError> {
        let stations = at_site(&self.conn, site.trim())?;
        let tills: Vec<&TillCompliance> = stations
            .iter()
            .filter_map(|s| s.compliance.as_ref())
            .collect();
        let found = tills
            .first()
            .and_then(|c| c.site.as_ref())
            .ok_or_else(|| no_site(site))?;
        Ok(ElsterReport::of(found, &tills))
    }

    /// Opens the ticket for each TSE whose certificate ends within 90 days (of one till, or of
    /// every till here), if this PC has not got it yet. Every app of the shop that notices
    /// files the same ticket under the same change ids, so the server keeps one. Runs at each
    /// sync: it reads first and takes the write lock only when there is a ticket to file.
    /// Returns the tickets opened here.
    pub fn open_tse_tickets(
        &mut self,
        only: Option<Uuid>,
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ticket>, StoreError> {
        let mut due = Vec::new();
        for station in self.stations()? {
            if only.is_some_and(|id| id != station.id) {
                continue;
            }
            let Some(facts) = &station.compliance else {
                continue;
            };
            let Some(tse) = facts.tse.clone() else {
                continue;
            };
            let ending = tse
                .valid_until
                .and_then(|until| tse_warning(until, on))
                .is_some_and(TseWarning::needs_ticket);
            if !ending || !facts.in_service_on(on) || tse.serial.is_empty() {
                continue;
            }
            let id = tse_ticket_id(station.id, &tse.serial);
            let held = self
                .conn
                .query_row(
                    "SELECT 1 FROM tickets WHERE id = ?1",
                    [id.to_string()],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !held {
                let change_id = tse_ticket_change_id(station.id, &tse.serial);
                due.push((change_id, tse_ticket(id, &station, &tse, now)));
            }
        }
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.write()?;
        for (change_id, ticket) in &due {
            write_ticket_row(&tx, ticket)?;
            enqueue_as(
                &tx,
                *change_id,
                ChangeBody::TicketFiled {
                    ticket: ticket.clone(),
                },
            )?;
            record_created_once(&tx, ticket)?;
            super::search::index_ticket(&tx, ticket.id)?;
        }
        tx.commit()?;
        Ok(due.into_iter().map(|(_, ticket)| ticket).collect())
    }
}

impl Store {
    /// The till's TSE outages, the earliest first.
    pub fn tse_outages(&self, station: &str) -> Result<Vec<TseOutage>, StoreError> {
        self.outages_of(&find_station(&self.conn, station)?)
    }

    fn outages_of(&self, station: &Station) -> Result<Vec<TseOutage>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.created_at, r.at, r.note, r.actor
             FROM tickets t
             JOIN ticket_events f ON f.ticket_id = t.id AND f.kind = 'tse_failed'
             LEFT JOIN ticket_events r ON r.ticket_id = t.id AND r.kind = 'tse_restored'
             WHERE t.station_id = ?1
             GROUP BY t.id
             ORDER BY t.created_at",
        )?;
        let rows = stmt.query_map([station.id.to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, DateTime<Utc>>(1)?,
                row.get::<_, Option<DateTime<Utc>>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, began_at, ended_at, cause, ended_by) = row?;
            let ticket_id = super::parse_uuid(id)?;
            Ok(TseOutage {
                ticket_id,
                number: ticket_number(ticket_id),
                began_at,
                ended_at,
                cause,
                ended_by,
            })
        })
        .collect()
    }

    /// The till's outage log as a PDF for a tax inspection (Kassen-Nachschau): the till, its
    /// TSEs, and each outage with its start, end and cause, in the shop's time zone.
    pub fn outage_log_pdf(&self, station: &str) -> Result<Vec<u8>, StoreError> {
        let till = find_station(&self.conn, station)?;
        let outages = self.outages_of(&till)?;
        Ok(outage_log::render(
            &till,
            &outages,
            self.time_zone()?,
            Utc::now(),
        ))
    }
}

fn set_dates(facts: &mut TillCompliance, update: &ComplianceUpdate) {
    for (field, given) in [
        (&mut facts.purchased_on, update.purchased_on),
        (&mut facts.in_service_from, update.in_service_from),
        (&mut facts.out_of_service_from, update.out_of_service_from),
    ] {
        if given.is_some() {
            *field = given;
        }
    }
}

/// A new serial swaps the TSE; the other TSE fields edit the present one.
fn change_tse(
    facts: &mut TillCompliance,
    update: &ComplianceUpdate,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let serial = update.tse_serial.as_deref().map(str::trim);
    let swapped = match (&facts.tse, serial) {
        (_, None | Some("")) => None,
        (Some(present), Some(serial)) if present.serial == serial => None,
        (_, Some(serial)) => Some(Tse {
            kind: TseKind::Hardware,
            serial: serial.to_owned(),
            bsi_id: String::new(),
            valid_until: None,
            in_use_from: Some(update.tse_in_use_from.unwrap_or(today)),
            in_use_until: None,
        }),
    };
    if let Some(tse) = swapped {
        facts.swap_tse(tse, today);
    }
    let edits = update.tse_kind.is_some()
        || update.tse_bsi_id.is_some()
        || update.tse_valid_until.is_some()
        || update.tse_in_use_from.is_some();
    let Some(tse) = facts.tse.as_mut() else {
        if edits {
            return Err(DomainError::ComplianceField {
                field: "TSE",
                why: "name its serial number first (--tse-serial)".into(),
            }
            .into());
        }
        return Ok(());
    };
    tse.kind = update.tse_kind.unwrap_or(tse.kind);
    if let Some(bsi_id) = &update.tse_bsi_id {
        tse.bsi_id.clone_from(bsi_id);
    }
    tse.valid_until = update.tse_valid_until.or(tse.valid_until);
    tse.in_use_from = update.tse_in_use_from.or(tse.in_use_from);
    Ok(())
}

/// Checks the facts, keeps the record and puts it in the outbox.
fn save(tx: &Transaction<'_>, mut station: Station) -> Result<Station, StoreError> {
    station.compliance = station
        .compliance
        .map(TillCompliance::checked)
        .transpose()?;
    station.updated_at = Utc::now();
    write_station(tx, &station)?;
    super::tickets::enqueue(
        tx,
        ChangeBody::StationRecorded {
            station: station.clone(),
        },
    )?;
    Ok(station)
}

/// The site of that name as another till has it, or a new one.
fn known_site(tx: &Transaction<'_>, name: &str) -> Result<Option<Site>, StoreError> {
    if name.is_empty() {
        return Ok(None);
    }
    let known = at_site(tx, name)?
        .into_iter()
        .find_map(|s| s.compliance.and_then(|c| c.site));
    Ok(Some(known.unwrap_or_else(|| Site {
        name: name.to_owned(),
        ..Site::default()
    })))
}

fn at_site(conn: &rusqlite::Connection, name: &str) -> Result<Vec<Station>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM stations
         WHERE lower(json_extract(compliance, '$.site.name')) = lower(?1)
         ORDER BY name COLLATE NOCASE",
        super::STATION_COLUMNS
    ))?;
    let rows = stmt.query_map([name], super::station_row)?;
    rows.map(|r| r?).collect()
}

fn no_site(name: &str) -> StoreError {
    StoreError::NotFound {
        what: "site",
        reference: name.trim().to_owned(),
    }
}

fn tse_ticket(id: Uuid, station: &Station, tse: &Tse, now: DateTime<Utc>) -> Ticket {
    let until = tse
        .valid_until
        .map_or_else(String::new, |until| until.to_string());
    Ticket {
        id,
        station_id: Some(station.id),
        reporter: "stationdesk".into(),
        title: format!(
            "TSE {} of {}: its certificate ends on {until}",
            tse.serial, station.name
        ),
        category: Category::LegalChange,
        priority: Priority::Normal,
        channel: Channel::Form,
        state: TicketState::New,
        request: RequestDetails {
            doing: format!(
                "The TSE's certificate ends on {until}. After it, the till may not record sales \
                 with it: plan the swap, and report the new TSE to the tax office within a month."
            ),
            ..RequestDetails::default()
        },
        station_details: StationDetails {
            station_name: station.name.clone(),
            ..StationDetails::default()
        },
        cc: Vec::new(),
        created_at: now,
        updated_at: now,
    }
}
