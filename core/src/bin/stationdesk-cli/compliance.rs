//! `stationdesk-cli station compliance …` and `stationdesk-cli compliance …`: the cash-register
//! law's facts of each till, the TSE warnings, and the site's report for the tax office.

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use stationdesk_core::domain::compliance::{ComplianceRow, TillKind, TseKind, TseWarning};
use stationdesk_core::store::{ComplianceUpdate, Store};

use super::{table, CliError, Output};

/// The facts of one till; what is left out stays as it is, an empty text clears it.
#[derive(Args)]
pub(super) struct TillFacts {
    /// The station's id or name.
    #[arg(long)]
    station: String,
    /// The kind of till, as ELSTER asks: pc, tablet or register.
    #[arg(long)]
    kind: Option<TillKind>,
    #[arg(long)]
    make: Option<String>,
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    software: Option<String>,
    #[arg(long)]
    software_version: Option<String>,
    /// The till's serial number.
    #[arg(long)]
    serial: Option<String>,
    /// The site it stands in; a site named for the first time is created.
    #[arg(long)]
    site: Option<String>,
    /// The TSE's serial number; another than the present one swaps the TSE (the old one is
    /// kept on the record, retired).
    #[arg(long)]
    tse_serial: Option<String>,
    /// hardware or cloud.
    #[arg(long)]
    tse_kind: Option<TseKind>,
    /// The BSI's certification id, BSI-K-TR-nnnn-yyyy.
    #[arg(long)]
    tse_bsi_id: Option<String>,
    /// The last day the TSE's certificate is valid.
    #[arg(long, value_name = "DATE")]
    tse_valid_until: Option<NaiveDate>,
    /// When the TSE came into use (a new one: today when left out).
    #[arg(long, value_name = "DATE")]
    tse_in_use_from: Option<NaiveDate>,
    #[arg(long, value_name = "DATE")]
    purchased_on: Option<NaiveDate>,
    #[arg(long, value_name = "DATE")]
    in_service_from: Option<NaiveDate>,
    #[arg(long, value_name = "DATE")]
    out_of_service_from: Option<NaiveDate>,
}

#[derive(Args)]
pub(super) struct ComplianceArgs {
    /// The day to judge on (default: today in the shop's time zone).
    #[arg(long, value_name = "DATE")]
    on: Option<NaiveDate>,
    #[command(subcommand)]
    command: Option<ComplianceCommand>,
}

#[derive(Subcommand)]
enum ComplianceCommand {
    /// A site's report for the tax office (§146a (4) AO), with ELSTER's field names.
    Report {
        #[arg(long)]
        site: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
    },
    /// The site's report reached the tax office: when, and ELSTER's transfer ticket.
    Filed {
        #[arg(long)]
        site: String,
        #[arg(long, value_name = "DATE")]
        on: NaiveDate,
        #[arg(long, default_value = "")]
        transfer_ticket: String,
    },
    /// A till's TSE outages (from `ticket tse-failure` to `ticket tse-working`); with `--pdf`
    /// the log for a tax inspection is written to that file.
    Outages {
        #[arg(long)]
        station: String,
        #[arg(long, value_name = "FILE")]
        pdf: Option<std::path::PathBuf>,
    },
    /// A site's address, on every till of it.
    Site {
        #[arg(long)]
        site: String,
        #[arg(long, default_value = "")]
        street: String,
        #[arg(long, default_value = "")]
        postcode: String,
        #[arg(long, default_value = "")]
        city: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Csv,
    Json,
}

pub(super) fn set_facts(
    facts: &TillFacts,
    store: &mut Store,
    out: &Output,
) -> Result<(), CliError> {
    let update = ComplianceUpdate {
        kind: facts.kind,
        make: facts.make.clone(),
        model: facts.model.clone(),
        software: facts.software.clone(),
        software_version: facts.software_version.clone(),
        serial: facts.serial.clone(),
        site: facts.site.clone(),
        tse_serial: facts.tse_serial.clone(),
        tse_kind: facts.tse_kind,
        tse_bsi_id: facts.tse_bsi_id.clone(),
        tse_valid_until: facts.tse_valid_until,
        tse_in_use_from: facts.tse_in_use_from,
        purchased_on: facts.purchased_on,
        in_service_from: facts.in_service_from,
        out_of_service_from: facts.out_of_service_from,
    };
    let today = store.today()?;
    let station = store.set_compliance(&facts.station, update, today)?;
    let mut rows = store.compliance_on(today)?;
    rows.retain(|row| row.station_id == station.id);
    out.print(&rows.first(), || overview_table(&rows))
}

pub(super) fn compliance_command(
    args: &ComplianceArgs,
    store: impl Fn() -> Result<Store, CliError>,
    out: &Output,
) -> Result<(), CliError> {
    let mut store = store()?;
    match &args.command {
        None => {
            let on = args.on.map_or_else(|| store.today(), Ok)?;
            let rows = store.compliance_on(on)?;
            out.print(&rows, || overview_table(&rows))
        }
        Some(ComplianceCommand::Report { site, format }) => {
            let report = store.site_report(site)?;
            match format {
                ReportFormat::Csv => {
                    print!("{}", report.csv());
                    Ok(())
                }
                ReportFormat::Json => Output { json: true }.print(&report, String::new),
            }
        }
        Some(ComplianceCommand::Filed {
            site,
            on,
            transfer_ticket,
        }) => {
            store.record_report_filed(site, *on, transfer_ticket)?;
            let rows = store.compliance_on(store.today()?)?;
            out.print(&rows, || overview_table(&rows))
        }
        Some(ComplianceCommand::Outages { station, pdf }) => {
            if let Some(path) = pdf {
                let bytes = store.outage_log_pdf(station)?;
                std::fs::write(path, bytes).map_err(|e| CliError::Write(path.clone(), e))?;
            }
            let outages = store.tse_outages(station)?;
            out.print(&outages, || {
                let time =
                    |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M").to_string();
                let rows = outages
                    .iter()
                    .map(|o| {
                        vec![
                            o.number.clone(),
                            time(o.began_at),
                            o.ended_at.map_or_else(String::new, time),
                            o.cause.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(&["TICKET", "BEGAN (UTC)", "ENDED (UTC)", "CAUSE"], rows)
            })
        }
        Some(ComplianceCommand::Site {
            site,
            street,
            postcode,
            city,
        }) => {
            let site = store.set_site_address(site, street, postcode, city)?;
            out.print(&site, || {
                format!(
                    "{}: {}, {} {}",
                    site.name, site.street, site.postcode, site.city
                )
            })
        }
    }
}

fn overview_table(rows: &[ComplianceRow]) -> String {
    let date = |day: Option<NaiveDate>| day.map_or_else(String::new, |d| d.to_string());
    let lines = rows
        .iter()
        .map(|row| {
            vec![
                row.station.clone(),
                row.site.clone().unwrap_or_default(),
                row.tse_serial.clone().unwrap_or_default(),
                date(row.tse_valid_until),
                row.warning.map_or("", TseWarning::as_str).to_owned(),
                date(row.report_due_by),
                if row.report_overdue { "OVERDUE" } else { "" }.to_owned(),
            ]
        })
        .collect();
    table(
        &[
            "STATION",
            "SITE",
            "TSE",
            "VALID UNTIL",
            "WARNING",
            "REPORT DUE BY",
            "",
        ],
        lines,
    )
}
