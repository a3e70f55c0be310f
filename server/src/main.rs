//! `stationdesk-server`: serves the API, and the operator's commands around it. Passwords are
//! read from standard input, never from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use std::io::Write;

use chrono::{Duration, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use rust_decimal::Decimal;
use stationdesk_core::domain::contracts::Party;
use stationdesk_protocol::{
    Invoice, NewContract, NewShop, NewStaff, Role, ShopBilling, VendorProfile,
};
use stationdesk_server::accounts::SessionLimits;
use stationdesk_server::billing::vendor_today;
use stationdesk_server::mail::SecretsKey;
use stationdesk_server::serve::Tls;
use stationdesk_server::storage::tables::SqlStorage;
use stationdesk_server::storage::{
    AccountBook, Document, MailBook, Storage, StorageError, VendorBooks,
};
use uuid::Uuid;

#[derive(Parser)]
#[command(
    name = "stationdesk-server",
    version,
    about = "stationdesk's central server"
)]
struct Cli {
    /// The server's database: the path of a SQLite file, or
    /// postgres://USER@HOST:PORT/DATABASE (its password from PGPASSWORD).
    #[arg(
        long,
        global = true,
        env = "STATIONDESK_DB",
        default_value = "stationdesk-server.sqlite"
    )]
    db: String,
    /// Connections this process keeps to PostgreSQL.
    #[arg(long, global = true, env = "STATIONDESK_POOL_SIZE", default_value_t = stationdesk_server::storage::tables::DEFAULT_POOL_SIZE, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pool_size: u32,
    /// The key that seals the mail passwords, kept outside the database (made on first use,
    /// readable by this user only); by default beside a SQLite database. Every server process
    /// of one PostgreSQL database needs the same file.
    #[arg(
        long,
        global = true,
        env = "STATIONDESK_SECRETS_KEY",
        value_name = "FILE"
    )]
    secrets_key: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API until Ctrl-C or SIGTERM.
    Serve {
        #[arg(long, env = "STATIONDESK_LISTEN", default_value = "127.0.0.1:8750")]
        listen: SocketAddr,
        /// Let the first caller create the first shop and its admin (POST /v1/setup) while the
        /// server has no accounts: for one computer running everything, as scripts/run.sh
        /// does; never on a network.
        #[arg(long)]
        first_run_setup: bool,
        /// A staff session ends after this many minutes without a request.
        #[arg(long, env = "STATIONDESK_SESSION_IDLE_MINUTES", default_value_t = 12 * 60, value_parser = clap::value_parser!(i64).range(1..=60 * 24 * 30))]
        session_idle_minutes: i64,
        /// A staff session ends this many hours after sign-in, however busy it is.
        #[arg(long, env = "STATIONDESK_SESSION_LIFETIME_HOURS", default_value_t = 7 * 24, value_parser = clap::value_parser!(i64).range(1..=24 * 90))]
        session_lifetime_hours: i64,
        /// Serve HTTPS with this certificate chain (PEM, the server's certificate first).
        #[arg(
            long,
            env = "STATIONDESK_TLS_CERT",
            requires = "tls_key",
            value_name = "FILE"
        )]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(
            long,
            env = "STATIONDESK_TLS_KEY",
            requires = "tls_cert",
            value_name = "FILE"
        )]
        tls_key: Option<PathBuf>,
        /// Connections one client address may hold open. Behind a load balancer or reverse
        /// proxy every connection comes from its address: raise this to what it opens.
        #[arg(long, env = "STATIONDESK_CONNECTIONS_PER_ADDRESS", default_value_t = stationdesk_server::serve::Limits::default().per_address as u64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        connections_per_address: u64,
        /// A reverse proxy or load balancer whose X-Forwarded-For names the client (the
        /// sign-in back-off and the security log go by the client's address); repeat it or
        /// separate addresses with commas. Any other peer's X-Forwarded-For is ignored.
        #[arg(
            long,
            env = "STATIONDESK_TRUSTED_PROXIES",
            value_delimiter = ',',
            value_name = "ADDRESS"
        )]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// How often a support mailbox without IMAP IDLE is looked at, and how soon a changed
        /// mailbox setting is picked up.
        #[arg(long, env = "STATIONDESK_MAIL_POLL_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        mail_poll_seconds: u64,
    },
    /// The security log, newest first: sign-ins, failures, throttling, revocations, enrolments,
    /// password and two-factor changes.
    SecurityLog {
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Entries older than this id.
        #[arg(long)]
        before: Option<i64>,
    },
    /// Create a shop.
    CreateShop {
        #[arg(long)]
        name: String,
        /// Under Second Level Support: only the shop's named admins open tickets with the vendor.
        #[arg(long)]
        second_level: bool,
    },
    /// Create a staff account; the password is read from standard input (one line).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// shop_admin, support_staff or vendor_admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The shop of a shop admin.
        #[arg(long)]
        shop: Option<Uuid>,
        /// A shop admin named in the shop's Second Level contract.
        #[arg(long)]
        named_contact: bool,
    },
    /// A one-time code a till of the shop enrols with.
    EnrolmentCode {
        #[arg(long)]
        shop: Uuid,
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
    },
    /// A consistent copy of the database while the server keeps serving.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// The vendor's profile: who issues the invoices and answers the hotline.
    Vendor {
        #[command(subcommand)]
        command: VendorCommand,
    },
    /// The catalogue's versions.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// A shop's billing data.
    Shop {
        #[command(subcommand)]
        command: ShopCommand,
    },
    /// Contracts the vendor sells.
    Contract {
        #[command(subcommand)]
        command: ContractCommand,
    },
    /// Invoices and credit notes.
    Invoice {
        #[command(subcommand)]
        command: InvoiceCommand,
    },
    /// The e-mail channel: support mailboxes and the outgoing server.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Adds or changes a support mailbox (IMAP over TLS); its password is read from standard
    /// input (one line; an empty line keeps the one kept). With --oauth2-token-url it signs in
    /// with OAuth 2.0 instead: standard input gives the client secret (an empty line for a
    /// public client), then the refresh token (an empty line keeps both kept).
    Mailbox {
        #[arg(long)]
        name: String,
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 993)]
        port: u16,
        #[arg(long)]
        user: String,
        /// The provider's OAuth 2.0 token endpoint (https://).
        #[arg(long, requires = "oauth2_client_id", value_name = "URL")]
        oauth2_token_url: Option<String>,
        #[arg(long, requires = "oauth2_token_url", value_name = "ID")]
        oauth2_client_id: Option<String>,
        /// The vendor's own CA certificate (PEM), when the mail server's is not from a public one.
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
        /// Keep the settings but do not fetch.
        #[arg(long)]
        disabled: bool,
    },
    RemoveMailbox {
        #[arg(long)]
        name: String,
    },
    /// Sets the server that sends the desk's replies (SMTP submission); with --user, its
    /// password is read from standard input (an empty line keeps the one kept).
    Outgoing {
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 587)]
        port: u16,
        /// starttls (port 587) or tls (port 465).
        #[arg(long, default_value = "starttls", value_parser = parse_security)]
        security: stationdesk_protocol::SmtpSecurity,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
        /// The support mailbox's address: replies come back to it.
        #[arg(long)]
        from_address: String,
        #[arg(long)]
        from_name: String,
    },
    /// The mailboxes, the outgoing server and the replies waiting to be sent.
    Show,
}

fn parse_security(text: &str) -> Result<stationdesk_protocol::SmtpSecurity, String> {
    match text {
        "starttls" => Ok(stationdesk_protocol::SmtpSecurity::Starttls),
        "tls" => Ok(stationdesk_protocol::SmtpSecurity::Tls),
        _ => Err("use starttls or tls".to_owned()),
    }
}

// Parsed once per process: the size of the profile's fields does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum VendorCommand {
    Set {
        #[arg(long)]
        name: String,
        #[arg(long)]
        street: String,
        #[arg(long)]
        postcode: String,
        #[arg(long)]
        city: String,
        #[arg(long, default_value = "DE")]
        country: String,
        #[arg(long)]
        vat_id: String,
        #[arg(long)]
        contact: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        phone: String,
        #[arg(long)]
        iban: String,
        #[arg(long)]
        bic: Option<String>,
        #[arg(long, default_value_t = 14)]
        payment_days: u32,
        #[arg(long)]
        hotline: Option<String>,
        #[arg(long)]
        support_hours: Option<String>,
        #[arg(long, default_value = "19")]
        vat_percent: Decimal,
    },
    Show,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Adds a version (the catalogue's JSON, as in core's default_catalog.json).
    Add {
        #[arg(long)]
        valid_from: NaiveDate,
        #[arg(long)]
        file: PathBuf,
    },
    List,
}

#[derive(Subcommand)]
enum ShopCommand {
    Billing {
        #[arg(long)]
        shop: Uuid,
        #[arg(long)]
        legal_name: String,
        #[arg(long)]
        street: String,
        #[arg(long)]
        postcode: String,
        #[arg(long)]
        city: String,
        #[arg(long, default_value = "DE")]
        country: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        vat_id: Option<String>,
        /// A Leitweg-ID for public buyers; the customer number when left out.
        #[arg(long)]
        buyer_reference: Option<String>,
    },
}

#[derive(Subcommand)]
enum ContractCommand {
    Create {
        #[arg(long)]
        shop: Uuid,
        #[arg(long)]
        plan: String,
        #[arg(long, value_delimiter = ',')]
        stations: Vec<Uuid>,
        #[arg(long)]
        start: NaiveDate,
    },
    Notice {
        #[arg(long)]
        id: Uuid,
        #[arg(long)]
        received: NaiveDate,
        #[arg(long, default_value = "customer")]
        by: Party,
    },
    /// Every contract with its term, notice deadline and what a notice today would do.
    List {
        #[arg(long)]
        shop: Option<Uuid>,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum InvoiceCommand {
    /// Issues what is due on or before the day; prints only the invoices this run issued.
    Run {
        #[arg(long)]
        on: NaiveDate,
    },
    List {
        #[arg(long)]
        shop: Option<Uuid>,
        /// Only the unpaid invoices past their due date on this day.
        #[arg(long)]
        overdue_on: Option<NaiveDate>,
    },
    Show {
        #[arg(long)]
        number: String,
    },
    /// The e-invoice (XRechnung, CII) on standard output.
    Xml {
        #[arg(long)]
        number: String,
    },
    Pdf {
        #[arg(long)]
        number: String,
        #[arg(long)]
        to: PathBuf,
    },
    /// Issues the credit note that cancels the invoice.
    Cancel {
        #[arg(long)]
        number: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    Paid {
        #[arg(long)]
        number: String,
        #[arg(long)]
        on: NaiveDate,
    },
    /// Invoices and credit notes as CSV for the bookkeeper.
    Export,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "use shop_admin, support_staff or vendor_admin".to_owned())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if cli.json {
                eprintln!("{}", serde_json::json!({ "message": error }));
            } else {
                eprintln!("error: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let open = || SqlStorage::open(&cli.db, cli.pool_size).map_err(|e| e.to_string());
    let secrets = || -> Result<Option<SecretsKey>, String> {
        cli.secrets_key
            .clone()
            .or_else(|| SecretsKey::default_path(&cli.db))
            .map(|path| SecretsKey::load_or_create(&path).map_err(|e| e.to_string()))
            .transpose()
    };
    let print = |value: serde_json::Value, human: String| {
        println!("{}", if cli.json { value.to_string() } else { human });
    };
    match &cli.command {
        Command::Serve {
            listen,
            first_run_setup,
            session_idle_minutes,
            session_lifetime_hours,
            tls_cert,
            tls_key,
            connections_per_address,
            trusted_proxy,
            mail_poll_seconds,
        } => serve(
            Arc::new(open()?),
            std::time::Duration::from_secs(*mail_poll_seconds),
            *listen,
            match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(Tls::from_pem_files(cert, key)?),
                _ => None,
            },
            stationdesk_server::serve::Limits {
                per_address: usize::try_from(*connections_per_address).unwrap_or(usize::MAX),
                ..stationdesk_server::serve::Limits::default()
            },
            stationdesk_server::serve::TrustedProxies::new(trusted_proxy.clone()),
            stationdesk_server::Options {
                first_run_setup: *first_run_setup,
                sessions: SessionLimits {
                    idle: Duration::minutes(*session_idle_minutes),
                    lifetime: Duration::hours(*session_lifetime_hours),
                },
                secrets: secrets()?.map(Arc::new),
            },
        ),
        Command::SecurityLog { limit, before } => {
            let entries = open()?.security_log(*before, *limit).map_err(failed)?;
            let human = entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {} {}{}",
                        e.at.format("%Y-%m-%d %H:%M:%S"),
                        e.kind,
                        e.subject,
                        e.address.as_deref().unwrap_or("-"),
                        e.actor
                            .as_ref()
                            .map(|a| format!(" by {a}"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(
                serde_json::to_value(&entries).map_err(|e| e.to_string())?,
                human,
            );
            Ok(())
        }
        Command::CreateShop { name, second_level } => {
            let id = open()?
                .create_shop(&NewShop {
                    name: name.clone(),
                    second_level: *second_level,
                })
                .map_err(failed)?;
            print(serde_json::json!({ "shop_id": id }), format!("shop {id}"));
            Ok(())
        }
        Command::CreateUser {
            email,
            name,
            role,
            shop,
            named_contact,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let staff = NewStaff {
                email: email.clone(),
                name: name.clone(),
                role: *role,
                shop_id: *shop,
                password: password.trim_end_matches(['\r', '\n']).to_owned(),
                named_contact: *named_contact,
            };
            let id = open()?.create_user(&staff).map_err(failed)?;
            print(serde_json::json!({ "user_id": id }), format!("user {id}"));
            Ok(())
        }
        Command::EnrolmentCode { shop, valid_hours } => {
            let expires_at = Utc::now() + Duration::hours(*valid_hours);
            let code = open()?
                .issue_enrolment_code(*shop, expires_at)
                .map_err(failed)?;
            print(
                serde_json::json!({ "code": code, "expires_at": expires_at }),
                format!("{code}\nvalid until {expires_at}"),
            );
            Ok(())
        }
        Command::Vendor { command } => vendor(&open()?, command, &print),
        Command::Mail { command } => mail(&open()?, secrets, command, &print),
        Command::Catalog { command } => catalog(&open()?, command, &print),
        Command::Shop {
            command:
                ShopCommand::Billing {
                    shop,
                    legal_name,
                    street,
                    postcode,
                    city,
                    country,
                    email,
                    vat_id,
                    buyer_reference,
                },
        } => {
            let billing = open()?
                .set_shop_billing(
                    *shop,
                    ShopBilling {
                        legal_name: legal_name.clone(),
                        street: street.clone(),
                        postcode: postcode.clone(),
                        city: city.clone(),
                        country: country.clone(),
                        email: email.clone(),
                        vat_id: vat_id.clone(),
                        buyer_reference: buyer_reference.clone(),
                    },
                )
                .map_err(failed)?;
            print(json(&billing), format!("billing data of shop {shop} kept"));
            Ok(())
        }
        Command::Contract { command } => contract(&open()?, command, &print),
        Command::Invoice { command } => invoice(&open()?, command, &print),
        Command::Backup { to } => {
            open()?.backup(to).map_err(failed)?;
            print(
                serde_json::json!({ "backup": to }),
                format!("backed up to {}", to.display()),
            );
            Ok(())
        }
    }
}

type Print<'a> = dyn Fn(serde_json::Value, String) + 'a;

fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("records serialise")
}

fn failed(error: StorageError) -> String {
    error.to_string()
}

fn vendor(storage: &SqlStorage, command: &VendorCommand, print: &Print<'_>) -> Result<(), String> {
    let profile = match command {
        VendorCommand::Show => storage
            .vendor_profile()
            .map_err(failed)?
            .ok_or("no vendor profile yet; set it with `vendor set`")?,
        VendorCommand::Set {
            name,
            street,
            postcode,
            city,
            country,
            vat_id,
            contact,
            email,
            phone,
            iban,
            bic,
            payment_days,
            hotline,
            support_hours,
            vat_percent,
        } => storage
            .set_vendor_profile(VendorProfile {
                name: name.clone(),
                street: street.clone(),
                postcode: postcode.clone(),
                city: city.clone(),
                country: country.clone(),
                vat_id: vat_id.clone(),
                contact: contact.clone(),
                email: email.clone(),
                phone: phone.clone(),
                iban: iban.clone(),
                bic: bic.clone(),
                payment_days: *payment_days,
                hotline: hotline.clone(),
                support_hours: support_hours.clone(),
                vat_percent: *vat_percent,
            })
            .map_err(failed)?,
    };
    let human = format!(
        "{}, {} {} {}\nVAT ID {} · IBAN {} · payment {} days · hotline {}",
        profile.name,
        profile.street,
        profile.postcode,
        profile.city,
        profile.vat_id,
        profile.iban,
        profile.payment_days,
        profile.hotline.as_deref().unwrap_or("-")
    );
    print(json(&profile), human);
    Ok(())
}

fn catalog(
    storage: &SqlStorage,
    command: &CatalogCommand,
    print: &Print<'_>,
) -> Result<(), String> {
    if let CatalogCommand::Add { valid_from, file } = command {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let catalog: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
        storage
            .add_catalog_version(*valid_from, &catalog)
            .map_err(failed)?;
    }
    let versions = storage.catalog_versions().map_err(failed)?;
    let human = versions
        .iter()
        .map(|v| format!("valid from {}", v.valid_from))
        .collect::<Vec<_>>()
        .join("\n");
    print(json(&versions), human);
    Ok(())
}

fn contract(
    storage: &SqlStorage,
    command: &ContractCommand,
    print: &Print<'_>,
) -> Result<(), String> {
    let made = match command {
        ContractCommand::Create {
            shop,
            plan,
            stations,
            start,
        } => storage
            .create_contract(
                &NewContract {
                    shop_id: *shop,
                    plan_id: plan.clone(),
                    station_ids: stations.clone(),
                    start: *start,
                },
                vendor_today(),
                Utc::now(),
            )
            .map_err(failed)?,
        ContractCommand::Notice { id, received, by } => storage
            .give_notice(*id, *received, *by, Utc::now())
            .map_err(failed)?,
        ContractCommand::List { shop, on } => {
            let overview = storage
                .contracts_overview(*shop, on.unwrap_or_else(vendor_today))
                .map_err(failed)?;
            let human = overview
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {} ({} stations) {} term {}..{} notice by {}",
                        c.shop_name,
                        c.contract_id,
                        c.plan_name,
                        c.stations,
                        c.state,
                        c.term_start,
                        c.term_end,
                        c.notice_deadline
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            print(json(&overview), human);
            return Ok(());
        }
    };
    let status = made.status_on(vendor_today()).map_err(|e| e.to_string())?;
    let human = format!(
        "contract {} ({}, {} stations) from {}{}",
        made.id,
        made.plan.plan.name,
        made.station_ids.len(),
        made.start,
        made.ends_on()
            .map(|end| format!(", ends on {end}"))
            .unwrap_or_default()
    );
    print(json(&status), human);
    Ok(())
}

fn invoice_line(invoice: &Invoice) -> String {
    format!(
        "{} {} {} {}..{} net {} VAT {} gross {} {}{}",
        invoice.number,
        invoice.issued_on,
        invoice.buyer.legal_name,
        invoice.period_start,
        invoice.period_end,
        invoice.net,
        invoice.vat,
        invoice.gross,
        invoice.currency,
        invoice
            .paid_on
            .map(|d| format!(", paid {d}"))
            .unwrap_or_default()
    )
}

fn invoice(
    storage: &SqlStorage,
    command: &InvoiceCommand,
    print: &Print<'_>,
) -> Result<(), String> {
    let list = |invoices: Vec<Invoice>| {
        let human = invoices
            .iter()
            .map(invoice_line)
            .collect::<Vec<_>>()
            .join("\n");
        print(json(&invoices), human);
    };
    let one = |invoice: Invoice| print(json(&invoice), invoice_line(&invoice));
    match command {
        InvoiceCommand::Run { on } => list(storage.invoice_run(*on).map_err(failed)?),
        InvoiceCommand::List { shop, overdue_on } => {
            list(storage.invoices(*shop, *overdue_on).map_err(failed)?)
        }
        InvoiceCommand::Show { number } => one(storage.invoice(number).map_err(failed)?),
        InvoiceCommand::Xml { number } => {
            let xml = storage
                .invoice_document(number, Document::Xml)
                .map_err(failed)?;
            std::io::stdout()
                .write_all(&xml)
                .map_err(|e| format!("cannot write the XML: {e}"))?;
        }
        InvoiceCommand::Pdf { number, to } => {
            let pdf = storage
                .invoice_document(number, Document::Pdf)
                .map_err(failed)?;
            std::fs::write(to, pdf).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
            print(
                serde_json::json!({ "number": number, "pdf": to }),
                format!("{number} written to {}", to.display()),
            );
        }
        InvoiceCommand::Cancel { number, reason, on } => one(storage
            .cancel_invoice(number, reason, on.unwrap_or_else(vendor_today))
            .map_err(failed)?),
        InvoiceCommand::Paid { number, on } => {
            one(storage.mark_paid(number, *on).map_err(failed)?)
        }
        InvoiceCommand::Export => print!("{}", storage.invoices_csv().map_err(failed)?),
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// A secret from standard input, one line; `None` for an empty line.
fn secret_from_stdin() -> Result<Option<String>, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let line = line.trim_end_matches(['\r', '\n']);
    Ok((!line.is_empty()).then(|| line.to_owned()))
}

fn read_ca(path: Option<&PathBuf>) -> Result<Option<String>, String> {
    path.map(|path| {
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the CA certificate {}: {e}", path.display()))
    })
    .transpose()
}

fn mail(
    storage: &SqlStorage,
    secrets: impl Fn() -> Result<Option<SecretsKey>, String>,
    command: &MailCommand,
    print: &dyn Fn(serde_json::Value, String),
) -> Result<(), String> {
    let key = || {
        secrets()?.ok_or_else(|| {
            "a PostgreSQL deployment names its secrets key: give --secrets-key FILE".to_owned()
        })
    };
    match command {
        MailCommand::Mailbox {
            name,
            host,
            port,
            user,
            oauth2_token_url,
            oauth2_client_id,
            ca,
            disabled,
        } => {
            let (password, oauth2) = match (oauth2_token_url, oauth2_client_id) {
                (Some(token_url), Some(client_id)) => {
                    let client_secret = secret_from_stdin()?;
                    let refresh_token = secret_from_stdin()?;
                    (
                        None,
                        Some(stationdesk_protocol::OAuth2Settings {
                            token_url: token_url.clone(),
                            client_id: client_id.clone(),
                            client_secret,
                            refresh_token,
                        }),
                    )
                }
                _ => (secret_from_stdin()?, None),
            };
            let settings = stationdesk_protocol::MailboxSettings {
                host: host.clone(),
                port: *port,
                user: user.clone(),
                password,
                oauth2,
                ca_pem: read_ca(ca.as_ref())?,
                enabled: !disabled,
            };
            stationdesk_server::mail::put_mailbox(storage, &key()?, name, &settings)
                .map_err(failed)?;
        }
        MailCommand::RemoveMailbox { name } => storage.remove_mailbox(name).map_err(failed)?,
        MailCommand::Outgoing {
            host,
            port,
            security,
            user,
            ca,
            from_address,
            from_name,
        } => {
            let settings = stationdesk_protocol::OutgoingMailSettings {
                host: host.clone(),
                port: *port,
                security: *security,
                user: user.clone(),
                password: if user.is_some() {
                    secret_from_stdin()?
                } else {
                    None
                },
                ca_pem: read_ca(ca.as_ref())?,
                from_address: from_address.clone(),
                from_name: from_name.clone(),
            };
            stationdesk_server::mail::put_outgoing(storage, &key()?, &settings).map_err(failed)?;
        }
        MailCommand::Show => {}
    }
    let channel = stationdesk_server::mail::channel(storage).map_err(failed)?;
    let human = channel
        .mailboxes
        .iter()
        .map(|m| {
            format!(
                "mailbox {} {}@{}:{} {} imported {}{}",
                m.name,
                m.user,
                m.host,
                m.port,
                if m.enabled { "on" } else { "off" },
                m.imported,
                m.last_error
                    .as_ref()
                    .map(|e| format!(" error: {e}"))
                    .unwrap_or_default()
            )
        })
        .chain(channel.outgoing.iter().map(|o| {
            format!(
                "outgoing {}:{} from {} <{}>",
                o.host, o.port, o.from_name, o.from_address
            )
        }))
        .chain(std::iter::once(format!(
            "{} replies waiting",
            channel.queued.len()
        )))
        .collect::<Vec<_>>()
        .join("\n");
    print(json(&channel), human);
    Ok(())
}

fn serve(
    storage: Arc<dyn Storage>,
    mail_poll: std::time::Duration,
    listen: SocketAddr,
    tls: Option<Tls>,
    limits: stationdesk_server::serve::Limits,
    proxies: stationdesk_server::serve::TrustedProxies,
    options: stationdesk_server::Options,
) -> Result<(), String> {
    tracing_subscriber::fmt()
        // Colours for a terminal only: under systemd the log goes to the journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        // Tests and scripts read this line to learn the port when they asked for port 0.
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("listening on {scheme}://{address}");
        let follower = Arc::clone(&storage);
        let pushes = stationdesk_server::Pushes::default();
        let announcer = pushes.clone();
        tokio::spawn(async move {
            // Four times a second: a revoked token is refused by every process, and a push
            // through another wakes this one's streams, within well under a second.
            let mut every = tokio::time::interval(std::time::Duration::from_millis(250));
            loop {
                every.tick().await;
                let storage = Arc::clone(&follower);
                match tokio::task::spawn_blocking(move || storage.follow_other_writers()).await {
                    Ok(Ok(true)) => announcer.announce(),
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "cannot read what other processes wrote");
                    }
                    Ok(Ok(false)) | Err(_) => {}
                }
            }
        });
        match &options.secrets {
            Some(key) => {
                let (storage, key, pushes) =
                    (Arc::clone(&storage), Arc::clone(key), pushes.clone());
                tokio::spawn(stationdesk_server::mail::inbound::run(
                    Arc::clone(&storage),
                    Arc::clone(&key),
                    pushes,
                    mail_poll,
                ));
                // A reply leaves within seconds of being written.
                tokio::spawn(stationdesk_server::mail::outbound::run(
                    storage,
                    key,
                    std::time::Duration::from_secs(2),
                ));
            }
            None => tracing::warn!("no secrets key (--secrets-key): the e-mail channel is off"),
        }
        tracing::info!(%address, "serving");
        stationdesk_server::serve::serve(
            listener,
            stationdesk_server::app_announcing(storage, options, pushes),
            limits,
            proxies,
            tls,
            shutdown(),
        )
        .await;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
