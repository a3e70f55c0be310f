//! `stationdesk-cli`: the contract rules and the local store for scripts, cron jobs and tests.
//!
//! Every command prints a readable table, or with `--json` one JSON document on stdout whose
//! shape the README documents and keeps stable. Errors go to stderr (as `{"code", "message"}`
//! with `--json`) with exit code 1; a malformed command line exits with 2.

mod access;
mod compliance;
mod desk;
mod remote;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use access::{AccessCommand, AccountCommand};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use desk::DeskCommand;
use remote::RemoteCommand;
use serde::Serialize;

use rust_decimal::Decimal;
use stationdesk_core::domain::advisor::{self, Advice, OptionCallers};
use stationdesk_core::domain::contract_terms;
use stationdesk_core::domain::contracts::{ContractStatus, Party};
use stationdesk_core::domain::desk_queue::AssignedTo;
use stationdesk_core::domain::money::{Currency, Money, VatRate};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::domain::routing::Routing;
use stationdesk_core::domain::stations::{CoverageState, Station, StationCoverage};
use stationdesk_core::domain::support_hours::{Region, SupportCalendar};
use stationdesk_core::domain::tickets::{
    checklist, Category, Channel, NumberedTicket, Priority, Reproducible, RequestDetails, Ticket,
    TicketState,
};
use stationdesk_core::domain::DomainError;
use stationdesk_core::emergency::{self, EmergencyOutcome};
use stationdesk_core::paths;
use stationdesk_core::remote::RemoteTool;
use stationdesk_core::store::{
    Assignee, NewTicket, SessionsOf, Store, StoreError, TicketQuery, TicketSort, TicketView,
};
use stationdesk_core::sync;

#[derive(Parser)]
#[command(
    name = "stationdesk-cli",
    version,
    about = "stationdesk's support contracts and stations from the command line"
)]
struct Cli {
    /// Print one JSON document instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// The database file (default: stationdesk.sqlite in the data directory, or $STATIONDESK_DATA_DIR).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every sensible way to cover N stations with support contracts, cheapest first.
    Advise {
        #[arg(long, value_name = "N")]
        stations: u32,
        #[command(flatten)]
        catalog: CatalogArg,
        /// The VAT rate for the table's gross column, in percent.
        #[arg(long, value_name = "PERCENT", default_value = "19")]
        vat: Decimal,
    },
    /// Whether support is open at an instant, the holiday of that day, and when that changes.
    Hours {
        /// The instant (RFC 3339, default: now).
        #[arg(long, value_name = "RFC3339")]
        at: Option<DateTime<FixedOffset>>,
        /// The shop's German state (ISO 3166-2, e.g. DE-BY); default: holidays every state shares.
        #[arg(long, value_name = "DE-XX", value_parser = Region::from_str)]
        region: Option<Region>,
    },
    /// The plans on sale.
    Plans {
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// The emergency button: files (or adds to) this station's emergency ticket, then says whom
    /// to call and whether support is open.
    Emergency {
        /// The station's id or name.
        #[arg(long)]
        station: String,
    },
    #[command(subcommand)]
    Ticket(TicketCommand),
    /// Show the shop's contacts, or set them with any of the options.
    Contacts {
        /// The vendor's emergency number.
        #[arg(long)]
        hotline: Option<String>,
        #[arg(long)]
        admin_name: Option<String>,
        #[arg(long)]
        admin_phone: Option<String>,
    },
    #[command(subcommand)]
    Contract(ContractCommand),
    #[command(subcommand)]
    Station(StationCommand),
    /// Enrol this installation as a till of a shop with the shop admin's one-time code; the
    /// device token goes to the OS keyring.
    Enrol {
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        station_name: String,
        #[command(flatten)]
        ca: VendorCa,
    },
    /// On a server started with --first-run-setup and no accounts yet: create the first shop
    /// and its admin (password from standard input), enrol this installation as its first
    /// till and sign the admin in.
    Setup {
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        shop: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        station_name: String,
    },
    /// Sign a staff member (shop admin, support staff) in on this installation; the password is
    /// read from standard input (one line), and for an account with two factors the
    /// authenticator's code (the next line); the session token goes to the OS keyring.
    Login {
        #[arg(long, value_name = "URL")]
        server: String,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        ca: VendorCa,
    },
    /// Sign the staff member out (the server revokes the session); an enrolled till speaks for
    /// itself again.
    Logout,
    /// Send what is saved here to the central server, and show the sync state.
    Sync,
    /// Everything this shop's database holds, as one JSON document (the shop owns its data):
    /// stations, contracts, tickets with their whole history, remote sessions and consents.
    Export,
    /// Remote sessions: detect tools, connect, end, list, and the cashier's consent.
    #[command(subcommand)]
    Remote(RemoteCommand),
    /// Your own account: password and two-factor sign-in.
    #[command(subcommand)]
    Account(AccountCommand),
    /// An admin's view of access: tills, sessions, staff accounts, the two-factor rule and the
    /// security log.
    #[command(subcommand)]
    Access(AccessCommand),
    /// The support desk's queue across every shop (support staff and vendor admins).
    #[command(subcommand)]
    Desk(DeskCommand),
    /// The cash-register law: each till's TSE certificate and its warning, and each site's
    /// report to the tax office with its deadline.
    Compliance(compliance::ComplianceArgs),
}

#[derive(Args)]
struct VendorCa {
    /// The vendor's own CA certificate (PEM), when its server's certificate is not from a
    /// public authority: trusted for the server from now on, besides the system's roots.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
}

impl VendorCa {
    fn trust(&self, store: &mut Store) -> Result<(), CliError> {
        if let Some(path) = &self.ca {
            let pem = std::fs::read_to_string(path).map_err(|e| CliError::Read(path.clone(), e))?;
            sync::trust_vendor_ca(store, &pem)?;
        }
        Ok(())
    }
}

#[derive(Args)]
struct CatalogArg {
    /// A plan catalogue in JSON (default: the built-in one).
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
}

impl CatalogArg {
    fn load(&self) -> Result<Catalog, CliError> {
        match &self.catalog {
            None => Ok(Catalog::builtin()),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| CliError::Read(path.clone(), e))?;
                Ok(Catalog::from_json(&text)?)
            }
        }
    }
}

#[derive(Subcommand)]
enum ContractCommand {
    /// The term facts of a contract started on --start, as of --on (no database needed).
    Terms {
        #[arg(long, value_name = "DATE")]
        start: NaiveDate,
        #[arg(long, value_name = "DATE")]
        on: NaiveDate,
        #[arg(long, value_name = "DATE")]
        notice_received: Option<NaiveDate>,
    },
    /// Make a contract for stations (ids or names, comma-separated).
    Create {
        #[arg(long)]
        plan: String,
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            value_name = "STATION,..."
        )]
        stations: Vec<String>,
        /// First day of cover (default: today in the shop's time zone).
        #[arg(long, value_name = "DATE")]
        start: Option<NaiveDate>,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Every contract with its current term, notice deadline and what a notice today would do.
    List {
        /// Look at the contracts as of this day (default: today).
        #[arg(long, value_name = "DATE")]
        on: Option<NaiveDate>,
    },
    /// Record a written notice received on a day; prints when the contract ends.
    Notice {
        #[arg(long, value_name = "CONTRACT_ID")]
        id: String,
        #[arg(long, value_name = "DATE")]
        received: NaiveDate,
        /// Who gave notice: customer (the shop) or vendor.
        #[arg(long, default_value = "customer", value_parser = Party::from_str)]
        by: Party,
    },
}

#[derive(Subcommand)]
enum TicketCommand {
    /// File a ticket; prints it with the parts of a good request that are still missing.
    Create {
        #[arg(long)]
        title: String,
        #[arg(long)]
        station: Option<String>,
        #[arg(long, default_value = "admin")]
        reporter: String,
        #[arg(long, default_value = "fault", value_parser = Category::from_str)]
        category: Category,
        #[arg(long, default_value = "normal", value_parser = Priority::from_str)]
        priority: Priority,
        #[arg(long, default_value = "form", value_parser = Channel::from_str)]
        channel: Channel,
        /// What you were doing, and where in the system.
        #[arg(long, default_value = "")]
        doing: String,
        /// What should have happened.
        #[arg(long, default_value = "")]
        expected: String,
        /// The error message as shown.
        #[arg(long, default_value = "")]
        error: String,
        #[arg(long, value_parser = Reproducible::from_str)]
        reproducible: Option<Reproducible>,
        /// Whether it also happens on another station or for another user.
        #[arg(long)]
        elsewhere_too: Option<bool>,
        #[arg(long, value_delimiter = ',')]
        cc: Vec<String>,
    },
    /// Tickets by view, filtered and sorted.
    List {
        /// mine, cc, station or shop.
        #[arg(long, default_value = "shop")]
        view: String,
        /// The person for the mine and cc views.
        #[arg(long)]
        person: Option<String>,
        /// The station for the station view.
        #[arg(long)]
        station: Option<String>,
        #[arg(long, value_delimiter = ',', value_parser = TicketState::from_str)]
        state: Vec<TicketState>,
        #[arg(long, value_delimiter = ',', value_parser = Priority::from_str)]
        priority: Vec<Priority>,
        /// updated, newest or urgent.
        #[arg(long, default_value = "updated")]
        sort: String,
        #[arg(long, default_value = "100")]
        limit: u32,
    },
    /// Full-text search over titles, descriptions and comments.
    Search {
        text: String,
        #[arg(long, default_value = "50")]
        limit: u32,
    },
    /// One ticket with its history and comments (by id or number, e.g. T-1A2B3C).
    Show { ticket: String },
    Comment {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// An internal note of the support desk: only the vendor's staff ever read it.
    Note {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "support")]
        by: String,
    },
    /// Give a ticket to an agent of the support desk: `me` (take it), `none` (back to the
    /// queue) or a staff account's id.
    Assign {
        ticket: String,
        #[arg(long)]
        to: AssignedTo,
    },
    /// Attach a screenshot, PDF or text log (at most 10 MiB).
    Attach {
        ticket: String,
        #[arg(long, value_name = "PATH")]
        file: PathBuf,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// Pass a ticket on to the vendor's support (the Second Level admin's one action).
    Escalate {
        ticket: String,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// The emergency was the till's TSE failing: the till's outage log begins with the press.
    TseFailure {
        ticket: String,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// The TSE works again: the outage ends now, with its cause.
    TseWorking {
        ticket: String,
        #[arg(long)]
        cause: String,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// Leave a number for the callback service.
    Callback {
        ticket: String,
        #[arg(long)]
        phone: String,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// The callback service called the number back: what came of it, for the till to show.
    CalledBack {
        ticket: String,
        #[arg(long)]
        outcome: String,
        #[arg(long, default_value = "support")]
        by: String,
    },
    /// Mark a ticket out of scope with a paid quote (net) for the work.
    Quote {
        ticket: String,
        #[arg(long)]
        amount: Decimal,
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long)]
        description: String,
        #[arg(long, default_value = "support")]
        by: String,
    },
    /// The customer's answer to the open quote.
    Decide {
        ticket: String,
        #[arg(long, conflicts_with = "decline", required_unless_present = "decline")]
        accept: bool,
        #[arg(long)]
        decline: bool,
        #[arg(long, default_value = "admin")]
        by: String,
    },
    /// Move a ticket to another state (open, waiting_for_customer, resolved, closed).
    State {
        ticket: String,
        #[arg(long, value_parser = TicketState::from_str)]
        to: TicketState,
        #[arg(long, default_value = "admin")]
        by: String,
    },
}

#[derive(Subcommand)]
enum StationCommand {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        location: String,
    },
    /// Every station and the contract covering it; uncovered stations are marked.
    List {
        #[arg(long, value_name = "DATE")]
        on: Option<NaiveDate>,
    },
    Rename {
        /// The station's id or current name.
        #[arg(long)]
        station: String,
        #[arg(long)]
        name: String,
    },
    /// Record the till's facts for the cash-register law: make, serial number, site, its TSE
    /// and the dates the tax office is told.
    Compliance(compliance::TillFacts),
    /// Record the station's remote tool and its id there, or forget it with --clear.
    Remote {
        #[arg(long)]
        station: String,
        /// teamviewer, rustdesk, anydesk or vnc.
        #[arg(long, value_parser = RemoteTool::from_str, required_unless_present = "clear", requires = "id")]
        tool: Option<RemoteTool>,
        /// The station's id in the tool (VNC: host:port).
        #[arg(long)]
        id: Option<String>,
        #[arg(long, conflicts_with_all = ["tool", "id"])]
        clear: bool,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("cannot write {0}: {1}; check the folder exists and has room")]
    Write(PathBuf, std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Sync(#[from] sync::SyncError),
}

impl From<stationdesk_core::remote::RemoteError> for CliError {
    fn from(error: stationdesk_core::remote::RemoteError) -> Self {
        CliError::Store(error.into())
    }
}

impl CliError {
    fn code(&self) -> &'static str {
        match self {
            CliError::Domain(_) => "rule",
            CliError::Store(e) => e.code(),
            CliError::Read(..) | CliError::Write(..) => "io",
            CliError::Usage(_) => "usage",
            CliError::Sync(_) => "sync",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if cli.json {
                let body =
                    serde_json::json!({ "code": error.code(), "message": error.to_string() });
                eprintln!("{body}");
            } else {
                eprintln!("error: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

fn open_store(db: Option<&Path>) -> Result<Store, CliError> {
    let path = match db {
        Some(path) => path.to_owned(),
        None => paths::default_database()?,
    };
    Ok(Store::open(&path)?)
}

fn run(cli: &Cli) -> Result<(), CliError> {
    let out = Output { json: cli.json };
    let store = || open_store(cli.db.as_deref());
    match &cli.command {
        Command::Advise {
            stations,
            catalog,
            vat,
        } => {
            let catalog = catalog.load()?;
            out.advice(
                &catalog,
                &advisor::advise(&catalog, *stations)?,
                VatRate::from_percent(*vat)?,
            )
        }
        Command::Plans { catalog } => out.plans(&catalog.load()?),
        Command::Emergency { station } => {
            let outcome = emergency::press(
                &mut store()?,
                &SupportCalendar::default(),
                station,
                Utc::now(),
            )?;
            out.print(&outcome, || emergency_text(&outcome))
        }
        Command::Contacts {
            hotline,
            admin_name,
            admin_phone,
        } => {
            let mut store = store()?;
            let mut contacts = store.shop_contacts()?;
            let changes = [
                (hotline, &mut contacts.hotline),
                (admin_name, &mut contacts.admin_name),
                (admin_phone, &mut contacts.admin_phone),
            ];
            let mut changed = false;
            for (new, field) in changes {
                if let Some(new) = new {
                    *field = new.trim().to_owned();
                    changed = true;
                }
            }
            if changed {
                store.set_shop_contacts(&contacts)?;
            }
            out.print(&contacts, || {
                table(
                    &["", ""],
                    vec![
                        vec!["hotline".into(), contacts.hotline.clone()],
                        vec!["admin".into(), contacts.admin_name.clone()],
                        vec!["admin phone".into(), contacts.admin_phone.clone()],
                    ],
                )
            })
        }
        Command::Ticket(command) => ticket_command(command, &mut store()?, &out),
        Command::Hours { at, region } => {
            let at = at.map_or_else(Utc::now, |at| at.with_timezone(&Utc));
            let status = SupportCalendar::with_region(*region).status_at(at);
            out.print(&status, || {
                let when = |t: Option<DateTime<chrono_tz::Tz>>| {
                    t.map_or("-".into(), |t| t.format("%a %Y-%m-%d %H:%M %Z").to_string())
                };
                table(
                    &["", ""],
                    vec![
                        vec![
                            "support".into(),
                            if status.open { "OPEN" } else { "closed" }.into(),
                        ],
                        vec![
                            "holiday".into(),
                            status.holiday.clone().unwrap_or_else(|| "-".into()),
                        ],
                        vec!["opens".into(), when(status.next_open)],
                        vec!["closes".into(), when(status.next_close)],
                    ],
                )
            })
        }
        Command::Contract(ContractCommand::Terms {
            start,
            on,
            notice_received,
        }) => {
            let facts = contract_terms::term_facts(*start, *on, *notice_received)?;
            out.print(&facts, || {
                let row = |k: &str, v: Option<NaiveDate>| {
                    vec![k.to_owned(), v.map_or("-".into(), |d| d.to_string())]
                };
                table(
                    &["", ""],
                    vec![
                        row("term start", Some(facts.term_start)),
                        row("term end", Some(facts.term_end)),
                        row("notice deadline", Some(facts.notice_deadline)),
                        row("next renewal", Some(facts.next_renewal)),
                        row("cancellation effective", facts.cancellation_effective),
                    ],
                )
            })
        }
        Command::Contract(ContractCommand::Create {
            plan,
            stations,
            start,
            catalog,
        }) => {
            let plan = catalog.load()?.snapshot(plan)?;
            let mut store = store()?;
            let start = start.map_or_else(|| store.today(), Ok)?;
            let contract = store.create_contract(plan, start, stations)?;
            out.contracts(&[contract.status_on(store.today()?)?])
        }
        Command::Contract(ContractCommand::List { on }) => {
            let store = store()?;
            let day = on.map_or_else(|| store.today(), Ok)?;
            out.contracts(&store.contract_statuses(day)?)
        }
        Command::Contract(ContractCommand::Notice { id, received, by }) => {
            let mut store = store()?;
            let contract = store.give_notice(id, *received, *by)?;
            out.contracts(&[contract.status_on(store.today()?)?])
        }
        Command::Station(StationCommand::Add { name, location }) => {
            let mut store = store()?;
            out.station(&store.add_station(name, location)?)
        }
        Command::Station(StationCommand::Rename { station, name }) => {
            out.station(&store()?.rename_station(station, name)?)
        }
        Command::Station(StationCommand::Remote {
            station, tool, id, ..
        }) => {
            let address = remote::typed_address(*tool, id.as_deref())?;
            out.station(&store()?.set_station_remote(station, address.as_ref())?)
        }
        Command::Remote(command) => remote::remote_command(command, store, &out),
        Command::Account(command) => access::account_command(command, store, &out),
        Command::Access(command) => access::access_command(command, store, &out),
        Command::Desk(command) => desk::desk_command(command, store, &out),
        Command::Compliance(args) => compliance::compliance_command(args, store, &out),
        Command::Station(StationCommand::Compliance(facts)) => {
            compliance::set_facts(facts, &mut store()?, &out)
        }
        Command::Enrol {
            server,
            code,
            station_name,
            ca,
        } => {
            let mut store = store()?;
            ca.trust(&mut store)?;
            let state = sync::enrol(&mut store, server, code, station_name)?;
            let shop = state.shop_id.expect("an enrolled till has a shop");
            out.print(&state, || {
                format!(
                    "enrolled with {} as a till of shop {}",
                    state.server_url, shop
                )
            })
        }
        Command::Setup {
            server,
            shop,
            email,
            name,
            station_name,
        } => {
            let password = read_secret_line()?;
            let setup = sync::FirstRun {
                shop_name: shop,
                admin_name: name,
                admin_email: email,
                admin_password: &password,
                station_name,
            };
            let state = sync::first_run(&mut store()?, server, &setup)?;
            out.print(&state, || {
                format!(
                    "shop {shop} set up on {}; this installation is its till {station_name}, signed in as {name}",
                    state.server_url
                )
            })
        }
        Command::Login { server, email, ca } => {
            let password = read_secret_line()?;
            let mut store = store()?;
            ca.trust(&mut store)?;
            let state = match sync::login(&mut store, server, email, &password, None) {
                // The account has two factors: the next line is the authenticator's code
                // (or a recovery code).
                Err(sync::SyncError::TwoFactorRequired(message)) => {
                    eprintln!("{message}:");
                    let code = read_secret_line()?;
                    sync::login(&mut store, server, email, &password, Some(&code))?
                }
                signed_in => signed_in?,
            };
            out.print(&state, || {
                let staff = state.staff.as_ref().expect("signed in");
                format!(
                    "signed in with {} as {} ({})",
                    state.server_url,
                    staff.name,
                    staff.role.as_str()
                )
            })
        }
        Command::Logout => {
            let state = sync::logout(&mut store()?)?;
            out.print(&state, || format!("signed out of {}", state.server_url))
        }
        Command::Sync => {
            let mut store = store()?;
            let synced = sync::sync(&mut store);
            let status = store.sync_status()?;
            let synced = synced?;
            out.print(
                &serde_json::json!({ "synced": synced, "status": status }),
                || {
                    format!(
                        "sent {}, refused {}, received {}, set aside {}, waiting {}",
                        synced.pushed.accepted,
                        synced.pushed.rejected,
                        synced.pulled.applied,
                        synced.pulled.set_aside,
                        status.pending
                    )
                },
            )
        }
        Command::Export => {
            let store = store()?;
            let mut everything = TicketQuery::new(TicketView::Shop);
            everything.limit = u32::MAX;
            let tickets = store
                .tickets(&everything)?
                .iter()
                .map(|t| store.ticket(&t.id.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            let export = serde_json::json!({
                "stations": store.stations()?,
                "contracts": store.contracts()?,
                "tickets": tickets,
                "remote_sessions": store.remote_sessions(SessionsOf::Everything)?,
                "remote_consents": store.remote_consents()?,
            });
            // One document whatever the flag: an export is for machines and archives.
            let _ = writeln!(std::io::stdout().lock(), "{export:#}");
            Ok(())
        }
        Command::Station(StationCommand::List { on }) => {
            let store = store()?;
            let day = on.map_or_else(|| store.today(), Ok)?;
            out.coverage(&store.coverage_on(day)?)
        }
    }
}

fn ticket_command(
    command: &TicketCommand,
    store: &mut Store,
    out: &Output,
) -> Result<(), CliError> {
    match command {
        TicketCommand::Create {
            title,
            station,
            reporter,
            category,
            priority,
            channel,
            doing,
            expected,
            error,
            reproducible,
            elsewhere_too,
            cc,
        } => {
            let request = RequestDetails {
                doing: doing.clone(),
                expected: expected.clone(),
                error_message: error.clone(),
                reproducible: *reproducible,
                elsewhere_too: *elsewhere_too,
            };
            let missing = checklist(title, &request, *category);
            let ticket = store.create_ticket(NewTicket {
                station: station.clone(),
                reporter: reporter.clone(),
                title: title.clone(),
                category: *category,
                priority: *priority,
                channel: *channel,
                request,
                cc: cc.clone(),
            })?;
            let created = serde_json::json!({ "ticket": NumberedTicket::from(ticket.clone()), "missing": missing });
            out.print(&created, || {
                let mut text = format!("{} filed: {}", ticket.number(), ticket.title);
                if !missing.is_empty() {
                    let parts: Vec<String> = missing.iter().map(|m| format!("{m:?}")).collect();
                    text.push_str(&format!(
                        "\na good request would also say: {}",
                        parts.join(", ")
                    ));
                }
                text
            })
        }
        TicketCommand::List {
            view,
            person,
            station,
            state,
            priority,
            sort,
            limit,
        } => {
            let needs = |what: &Option<String>, flag: &str| {
                what.clone()
                    .ok_or_else(|| CliError::Usage(format!("--view {view} needs --{flag}")))
            };
            let view = match view.as_str() {
                "mine" => TicketView::Mine(needs(person, "person")?),
                "cc" => TicketView::Cc(needs(person, "person")?),
                "station" => TicketView::Station(needs(station, "station")?),
                "shop" => TicketView::Shop,
                other => {
                    return Err(CliError::Usage(format!(
                        "--view {other:?} is none of mine, cc, station, shop"
                    )))
                }
            };
            let sort = match sort.as_str() {
                "updated" => TicketSort::RecentlyUpdated,
                "newest" => TicketSort::Newest,
                "urgent" => TicketSort::MostUrgent,
                other => {
                    return Err(CliError::Usage(format!(
                        "--sort {other:?} is none of updated, newest, urgent"
                    )))
                }
            };
            let query = TicketQuery {
                view,
                states: state.clone(),
                priorities: priority.clone(),
                sort,
                limit: *limit,
            };
            out.tickets(store.tickets(&query)?)
        }
        TicketCommand::Search { text, limit } => out.tickets(store.search_tickets(text, *limit)?),
        TicketCommand::Show { ticket } => {
            let detail = store.ticket(ticket)?;
            out.print(&detail, || {
                let mut lines = vec![format!(
                    "{}  {}  [{} · {} · {}]",
                    detail.number,
                    detail.ticket.title,
                    detail.ticket.state,
                    detail.ticket.priority,
                    detail.ticket.channel
                )];
                lines.extend(detail.events.iter().map(|e| {
                    let change = e.to_state.map_or(String::new(), |to| {
                        format!(" {} -> {to}", e.from_state.map_or("", |f| f.as_str()))
                    });
                    format!(
                        "  {}  {}  {}{change}",
                        e.at.format("%Y-%m-%d %H:%M"),
                        e.actor,
                        e.kind
                    )
                }));
                lines.extend(
                    detail
                        .comments
                        .iter()
                        .map(|c| format!("  > {}: {}", c.author, c.body)),
                );
                lines.join("\n")
            })
        }
        TicketCommand::Comment { ticket, text, by } => {
            let comment = store.comment(ticket, by, text)?;
            out.print(&comment, || format!("comment added by {}", comment.author))
        }
        TicketCommand::Note { ticket, text, by } => {
            let note = store.add_internal_note(ticket, by, text)?;
            out.print(&note, || format!("internal note added by {}", note.author))
        }
        TicketCommand::Assign { ticket, to } => {
            let me = store.signed_in_agent();
            let by = me
                .as_ref()
                .map_or_else(|_| "support".to_owned(), |me| me.name.clone());
            let assignee = match to {
                AssignedTo::Me => Some(me?),
                AssignedTo::Nobody => None,
                // The server puts the colleague's name to the id.
                AssignedTo::Agent(id) => Some(Assignee {
                    id: *id,
                    name: String::new(),
                }),
            };
            out.tickets(vec![store.assign(ticket, assignee, &by)?])
        }
        TicketCommand::Attach { ticket, file, by } => {
            let bytes = std::fs::read(file).map_err(|e| CliError::Read(file.clone(), e))?;
            let name = file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let attachment = store.attach(ticket, &name, &bytes, by)?;
            out.print(&attachment, || {
                format!(
                    "attached {} ({}, {} bytes)",
                    attachment.file_name, attachment.content_type, attachment.size
                )
            })
        }
        TicketCommand::Escalate { ticket, by } => out.tickets(vec![store.escalate(ticket, by)?]),
        TicketCommand::TseFailure { ticket, by } => {
            out.tickets(vec![store.mark_tse_failure(ticket, by)?])
        }
        TicketCommand::TseWorking { ticket, cause, by } => {
            out.tickets(vec![store.record_tse_working(ticket, cause, by)?])
        }
        TicketCommand::Callback { ticket, phone, by } => {
            out.tickets(vec![store.request_callback(ticket, phone, by)?])
        }
        TicketCommand::CalledBack {
            ticket,
            outcome,
            by,
        } => {
            sync::desk::hold(store, ticket)?;
            out.tickets(vec![store.called_back(ticket, outcome, by)?])
        }
        TicketCommand::Quote {
            ticket,
            amount,
            currency,
            description,
            by,
        } => {
            let price = Money::new(*amount, Currency::new(currency)?);
            let quote = store.offer_quote(ticket, price, description, by)?;
            out.print(&quote, || {
                format!("quote of {} offered: {}", quote.price, quote.description)
            })
        }
        TicketCommand::Decide {
            ticket, accept, by, ..
        } => {
            let quote = store.decide_quote(ticket, *accept, by)?;
            out.print(&quote, || {
                format!("quote {}", quote.decision.clone().unwrap_or_default())
            })
        }
        TicketCommand::State { ticket, to, by } => {
            let ticket = store.change_ticket_state(ticket, *to, by)?;
            out.tickets(vec![ticket])
        }
    }
}

fn emergency_text(outcome: &EmergencyOutcome) -> String {
    let mut lines = vec![if outcome.joined_open_ticket {
        format!("Added to the open emergency ticket {}.", outcome.number)
    } else {
        format!("Emergency ticket {} saved.", outcome.number)
    }];
    lines.push(match &outcome.routing {
        Routing::Vendor { hotline } => format!("Call support: {hotline}"),
        Routing::ShopAdmin {
            admin_name,
            admin_phone,
        } => format!("Call your admin first: {admin_name} {admin_phone}"),
        Routing::NoContract => {
            "This station has no support contract; see `stationdesk-cli advise`.".to_owned()
        }
    });
    let support = &outcome.support;
    lines.push(match (support.open, support.next_open) {
        (true, _) => "Support is open now.".to_owned(),
        (false, Some(opens)) => format!(
            "Support is closed; it opens {}. Leave a callback request.",
            opens.format("%a %Y-%m-%d %H:%M")
        ),
        (false, None) => "Support is closed.".to_owned(),
    });
    lines.join("\n")
}

struct Output {
    json: bool,
}

impl Output {
    fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), CliError> {
        let text = if self.json {
            serde_json::to_string_pretty(value).expect("our types always serialise")
        } else {
            human()
        };
        // A closed pipe (`| head`) is not an error worth a message.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
        Ok(())
    }

    fn advice(&self, catalog: &Catalog, advice: &Advice, vat: VatRate) -> Result<(), CliError> {
        self.print(advice, || {
            let plan_name = |id: &str| catalog.plan(id).map_or(id.to_owned(), |p| p.name.clone());
            let rows = advice
                .options
                .iter()
                .map(|o| {
                    let items: Vec<String> = o
                        .items
                        .iter()
                        .map(|i| {
                            format!(
                                "{} x {} ({} stations)",
                                i.contracts,
                                plan_name(&i.plan.0),
                                i.stations
                            )
                        })
                        .collect();
                    let with_vat = o.vat(vat);
                    vec![
                        format!("{} {}/year", o.net_total, o.currency),
                        format!("{} ({} % VAT)", with_vat.gross, with_vat.vat_percent),
                        items.join(" + "),
                        callers_text(o.who_may_call).to_owned(),
                    ]
                })
                .collect();
            format!(
                "{} station(s), net prices without VAT:\n{}",
                advice.stations,
                table(
                    &["NET TOTAL", "GROSS", "CONTRACTS", "WHO MAY CALL SUPPORT"],
                    rows
                )
            )
        })
    }

    fn plans(&self, catalog: &Catalog) -> Result<(), CliError> {
        self.print(catalog, || {
            let rows = catalog
                .plans
                .iter()
                .map(|p| {
                    let range = match p.pricing.max_units() {
                        Some(max) => format!("{}-{max}", p.pricing.min_units()),
                        None => format!("{}+", p.pricing.min_units()),
                    };
                    vec![
                        p.id.0.clone(),
                        p.name.clone(),
                        range,
                        format!("{:?}", p.period).to_lowercase(),
                        callers_text(p.who_may_call.into()).to_owned(),
                    ]
                })
                .collect();
            table(
                &["ID", "NAME", "STATIONS", "PERIOD", "WHO MAY CALL SUPPORT"],
                rows,
            )
        })
    }

    fn contracts(&self, statuses: &[ContractStatus]) -> Result<(), CliError> {
        self.print(&statuses, || {
            let rows = statuses
                .iter()
                .map(|s| {
                    vec![
                        s.contract.id.to_string(),
                        s.contract.plan.plan.name.clone(),
                        s.contract.station_ids.len().to_string(),
                        format!("{:?}", s.state),
                        s.terms.term_end.to_string(),
                        s.terms.notice_deadline.to_string(),
                        s.notice_today_ends_on
                            .or(s.contract.ends_on())
                            .map_or("-".into(), |d| d.to_string()),
                    ]
                })
                .collect();
            table(
                &[
                    "ID",
                    "PLAN",
                    "STATIONS",
                    "STATE",
                    "TERM END",
                    "NOTICE BY",
                    "ENDS (IF NOTICE TODAY)",
                ],
                rows,
            )
        })
    }

    fn tickets(&self, tickets: Vec<Ticket>) -> Result<(), CliError> {
        let tickets: Vec<NumberedTicket> = tickets.into_iter().map(NumberedTicket::from).collect();
        self.print(&tickets, || {
            let rows = tickets
                .iter()
                .map(|t| {
                    vec![
                        t.number.clone(),
                        t.ticket.state.to_string(),
                        t.ticket.priority.to_string(),
                        t.ticket.reporter.clone(),
                        t.ticket.updated_at.format("%Y-%m-%d %H:%M").to_string(),
                        t.ticket.title.clone(),
                    ]
                })
                .collect();
            table(
                &[
                    "NUMBER",
                    "STATE",
                    "PRIORITY",
                    "REPORTER",
                    "UPDATED (UTC)",
                    "TITLE",
                ],
                rows,
            )
        })
    }

    fn station(&self, station: &Station) -> Result<(), CliError> {
        self.print(station, || {
            let row = vec![
                station.id.to_string(),
                station.name.clone(),
                station.location.clone(),
                remote_text(station),
            ];
            table(&["ID", "NAME", "LOCATION", "REMOTE"], vec![row])
        })
    }

    fn coverage(&self, coverage: &[StationCoverage]) -> Result<(), CliError> {
        self.print(&coverage, || {
            let rows = coverage
                .iter()
                .map(|c| {
                    let state = match c.coverage {
                        CoverageState::Covered => "covered",
                        CoverageState::Upcoming => "from a later date",
                        CoverageState::Uncovered => "NOT COVERED",
                    };
                    vec![
                        c.station.id.to_string(),
                        c.station.name.clone(),
                        c.station.location.clone(),
                        state.to_owned(),
                        c.plan.as_ref().map_or("-".into(), |p| p.0.clone()),
                        remote_text(&c.station),
                    ]
                })
                .collect();
            table(
                &["ID", "NAME", "LOCATION", "SUPPORT", "PLAN", "REMOTE"],
                rows,
            )
        })
    }
}

fn callers_text(callers: OptionCallers) -> &'static str {
    match callers {
        OptionCallers::AnyoneAtStation => "every cashier calls support directly",
        OptionCallers::NamedAdmins => "only the shop's named admins call support",
        OptionCallers::Mixed => "mixed: some stations call directly, the others via the admin",
    }
}

fn remote_text(station: &Station) -> String {
    station.remote.as_ref().map_or_else(
        || "-".to_owned(),
        |r| format!("{} {}", r.tool.label(), r.id),
    )
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = Vec::new();
    if headers.iter().any(|h| !h.is_empty()) {
        lines.push(line(headers.to_vec()));
    }
    if rows.is_empty() {
        lines.push("(none)".to_owned());
    }
    lines.extend(
        rows.iter()
            .map(|row| line(row.iter().map(String::as_str).collect())),
    );
    lines.join("\n")
}

/// One line of standard input, for a secret that must not be on the command line.
fn read_secret_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::Read("standard input".into(), e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
