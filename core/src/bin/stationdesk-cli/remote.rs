//! `stationdesk-cli remote …`: finding remote tools, connecting to a station, ending sessions,
//! and the cashier's consent, through the same code as the app's buttons.

use std::str::FromStr;

use clap::Subcommand;
use serde::Serialize;

use stationdesk_core::remote::detect;
use stationdesk_core::remote::ids::RemoteAddress;
use stationdesk_core::remote::launch::{Platform, ShownPlan};
use stationdesk_core::remote::{Password, RemoteTool};
use stationdesk_core::sessions::{self, process_env, ConnectTo};
use stationdesk_core::store::{Consent, EndReason, RemoteSession, SessionsOf, Store};

use super::{table, CliError, Output};

#[derive(Subcommand)]
pub(super) enum RemoteCommand {
    /// The remote tools installed here, and this computer's id in them where the tool says.
    Detect,
    /// Start the remote tool on a station and record the session.
    Connect {
        /// teamviewer, rustdesk, anydesk or vnc (default: the station's own).
        #[arg(long, value_parser = RemoteTool::from_str, requires = "id")]
        tool: Option<RemoteTool>,
        /// The id in that tool (VNC: host:port).
        #[arg(long, requires = "tool")]
        id: Option<String>,
        /// The station's id or name.
        #[arg(long)]
        station: Option<String>,
        /// The ticket's id or number.
        #[arg(long)]
        ticket: Option<String>,
        #[arg(long, default_value = "support")]
        by: String,
        /// Read a password for the tool from standard input (one line); never from an argument.
        #[arg(long)]
        password_stdin: bool,
        /// Print what would be started (passwords as ***) and start nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Record that a session has ended.
    End {
        #[arg(long)]
        session: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Sessions of a station or a ticket (default: all), newest first.
    Sessions {
        #[arg(long, conflicts_with = "ticket")]
        station: Option<String>,
        #[arg(long)]
        ticket: Option<String>,
    },
    /// The cashier allows remote help at a till: recorded, and the station's tool is started.
    Allow {
        #[arg(long)]
        station: String,
        #[arg(long)]
        ticket: Option<String>,
        #[arg(long, default_value = "cashier")]
        by: String,
    },
    /// The cashier ends remote help at a till.
    EndHelp {
        #[arg(long)]
        station: String,
    },
}

#[derive(Serialize)]
struct Started<'a> {
    #[serde(flatten)]
    plan: &'a ShownPlan,
    session: &'a RemoteSession,
}

pub(super) fn remote_command(
    command: &RemoteCommand,
    store: impl Fn() -> Result<Store, CliError>,
    out: &Output,
) -> Result<(), CliError> {
    let platform = Platform::current();
    match command {
        RemoteCommand::Detect => {
            let found = detect::detect(platform, &process_env);
            out.print(&serde_json::json!({ "tools": found }), || {
                let rows = found
                    .iter()
                    .map(|f| {
                        vec![
                            f.tool.label().to_owned(),
                            f.program.display().to_string(),
                            f.id.clone().unwrap_or_else(|| "-".into()),
                        ]
                    })
                    .collect();
                table(&["TOOL", "PROGRAM", "ID"], rows)
            })
        }
        RemoteCommand::Connect {
            tool,
            id,
            station,
            ticket,
            by,
            password_stdin,
            dry_run,
        } => {
            let address = typed_address(*tool, id.as_deref())?;
            if address.is_none() && station.is_none() && ticket.is_none() {
                return Err(CliError::Usage(
                    "say whom to connect to: --tool and --id, --station or --ticket".into(),
                ));
            }
            let password = if *password_stdin {
                Some(Password::new(&super::read_secret_line()?)?)
            } else {
                None
            };
            let to = ConnectTo {
                station: station.as_deref(),
                ticket: ticket.as_deref(),
                address,
            };
            let mut store = store()?;
            if *dry_run {
                let plan = sessions::connect_plan(&store, &to, password, platform, &process_env)?;
                let shown = plan.shown();
                return out.print(&shown, || command_line(&shown));
            }
            let connected =
                sessions::connect(&mut store, &to, password, by, platform, &process_env)?;
            // The tool runs on after we exit; its end is recorded with `remote end`.
            drop(connected.child);
            out.print(
                &Started {
                    plan: &connected.plan,
                    session: &connected.session,
                },
                || {
                    format!(
                        "started: {}\nsession {}",
                        command_line(&connected.plan),
                        connected.session.id
                    )
                },
            )
        }
        RemoteCommand::End { session, note } => {
            let ended =
                store()?.end_remote_session(session, EndReason::EndedBySupport, note.as_deref())?;
            out.print(&ended, || sessions_table(std::slice::from_ref(&ended)))
        }
        RemoteCommand::Sessions { station, ticket } => {
            let of = match (station, ticket) {
                (Some(station), _) => SessionsOf::Station(station),
                (None, Some(ticket)) => SessionsOf::Ticket(ticket),
                (None, None) => SessionsOf::Everything,
            };
            let found = store()?.remote_sessions(of)?;
            out.print(&found, || sessions_table(&found))
        }
        RemoteCommand::Allow {
            station,
            ticket,
            by,
        } => {
            let mut store = store()?;
            let allowed = sessions::allow_remote_help(
                &mut store,
                station,
                ticket.as_deref(),
                by,
                platform,
                &process_env,
            )?;
            let problem = allowed.problem.as_ref().map(ToString::to_string);
            out.print(
                &serde_json::json!({ "consent": allowed.consent, "tool_started": allowed.tool.is_some(), "problem": problem }),
                || consent_text(&allowed.consent, problem.as_deref()),
            )
        }
        RemoteCommand::EndHelp { station } => {
            let mut store = store()?;
            let Some(consent) = store.remote_help_in_force(station)? else {
                return Err(CliError::Usage(format!(
                    "remote help is not allowed at {station} right now; nothing to end"
                )));
            };
            let ended = store.end_remote_help(consent.id)?;
            out.print(&ended, || consent_text(&ended, None))
        }
    }
}

/// `--tool` and `--id` as given (clap makes sure they come together), checked by the tool's
/// rules.
pub(super) fn typed_address(
    tool: Option<RemoteTool>,
    id: Option<&str>,
) -> Result<Option<RemoteAddress>, CliError> {
    Ok(match (tool, id) {
        (Some(tool), Some(id)) => Some(RemoteAddress::parse(tool, id)?),
        _ => None,
    })
}

fn command_line(plan: &ShownPlan) -> String {
    let mut words = vec![plan.program.clone()];
    words.extend(plan.args.iter().cloned());
    let mut text = words.join(" ");
    if plan.stdin {
        text.push_str("  (password on standard input)");
    }
    text
}

fn consent_text(consent: &Consent, problem: Option<&str>) -> String {
    let mut text = match consent.ended_at {
        None => format!(
            "remote help allowed since {} by {}",
            consent.given_at, consent.given_by
        ),
        Some(ended) => format!("remote help ended at {ended}"),
    };
    if let Some(problem) = problem {
        text.push_str(&format!("\nbut: {problem}"));
    }
    text
}

fn sessions_table(sessions: &[RemoteSession]) -> String {
    let rows = sessions
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                format!("{} {}", s.tool.label(), s.remote_id),
                s.started_by.clone(),
                s.started_at.to_rfc3339(),
                s.ended_at
                    .map_or_else(|| "running".into(), |e| e.to_rfc3339()),
                if s.consent_id.is_some() { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    table(
        &["SESSION", "TOOL", "BY", "STARTED", "ENDED", "CONSENT"],
        rows,
    )
}
