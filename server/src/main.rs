//! `stationdesk-server`: serves the API, and the operator's commands around it. Passwords are
//! read from standard input, never from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Duration, Utc};
use clap::{Parser, Subcommand};
use stationdesk_protocol::{NewShop, NewStaff, Role};
use stationdesk_server::storage::sqlite::SqliteStorage;
use stationdesk_server::storage::{Storage, StorageError};
use uuid::Uuid;

#[derive(Parser)]
#[command(
    name = "stationdesk-server",
    version,
    about = "stationdesk's central server"
)]
struct Cli {
    /// The server's SQLite database.
    #[arg(long, global = true, default_value = "stationdesk-server.sqlite")]
    db: PathBuf,
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
        #[arg(long, default_value = "127.0.0.1:8750")]
        listen: SocketAddr,
        /// Let the first caller create the first shop and its admin (POST /v1/setup) while the
        /// server has no accounts: for one computer running everything, as scripts/run.sh
        /// does; never on a network.
        #[arg(long)]
        first_run_setup: bool,
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
    let open = || SqliteStorage::open(&cli.db).map_err(|e| e.to_string());
    let print = |value: serde_json::Value, human: String| {
        println!("{}", if cli.json { value.to_string() } else { human });
    };
    let failed = |e: StorageError| e.to_string();
    match &cli.command {
        Command::Serve {
            listen,
            first_run_setup,
        } => serve(
            Arc::new(open()?),
            *listen,
            stationdesk_server::Options {
                first_run_setup: *first_run_setup,
            },
        ),
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

fn serve(
    storage: Arc<dyn Storage>,
    listen: SocketAddr,
    options: stationdesk_server::Options,
) -> Result<(), String> {
    tracing_subscriber::fmt()
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
        println!("listening on http://{address}");
        tracing::info!(%address, "serving");
        stationdesk_server::serve::serve(
            listener,
            stationdesk_server::app_with(storage, options),
            stationdesk_server::serve::Limits::default(),
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
