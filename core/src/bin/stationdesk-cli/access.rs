//! `stationdesk-cli account …` (one's own password and two factors) and `access …` (an
//! admin's view of tills, sessions and staff accounts, the vendor's two-factor rule and its
//! security log). Passwords and codes are read from standard input, never from arguments.

use clap::Subcommand;
use stationdesk_core::store::Store;
use stationdesk_core::sync::accounts;
use stationdesk_protocol::SecurityPolicy;
use uuid::Uuid;

use super::{read_secret_line, table, CliError, Output};

#[derive(Subcommand)]
pub(super) enum AccountCommand {
    /// Change your password: the old one, then the new one, each a line on standard input.
    /// Your other sessions end.
    Password,
    /// Turn on two-factor sign-in: prints a QR code and the secret for the authenticator app,
    /// reads its first code from standard input, prints the recovery codes (this once).
    TwoFactorOn,
    /// Turn off two-factor sign-in; your password from standard input.
    TwoFactorOff,
}

#[derive(Subcommand)]
pub(super) enum AccessCommand {
    /// The shop's enrolled tills (a vendor admin: every shop's), with when each was last seen.
    Tills,
    /// Disconnect a till: it must enrol again with a new code.
    RevokeTill {
        #[arg(long)]
        station: Uuid,
    },
    /// Open staff sessions within your reach, the most recently used first.
    Sessions,
    EndSession {
        #[arg(long)]
        id: String,
    },
    /// A staff account can no longer sign in; its sessions end at once.
    Deactivate {
        #[arg(long)]
        user: Uuid,
    },
    Reactivate {
        #[arg(long)]
        user: Uuid,
    },
    /// A new password for someone (one line on standard input); their sessions end.
    SetPassword {
        #[arg(long)]
        user: Uuid,
    },
    /// The vendor's two-factor rule for its staff, or set it.
    Policy {
        #[arg(long)]
        two_factor_for_vendor_staff: Option<bool>,
    },
    /// The security log, newest first.
    Log {
        #[arg(long)]
        before: Option<i64>,
    },
}

fn short(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

pub(super) fn account_command(
    command: &AccountCommand,
    store: impl Fn() -> Result<Store, CliError>,
    out: &Output,
) -> Result<(), CliError> {
    let mut store = store()?;
    match command {
        AccountCommand::Password => {
            let old = read_secret_line()?;
            let new = read_secret_line()?;
            let ended = accounts::change_password(&mut store, &old, &new)?;
            out.print(&ended, || {
                format!("password changed; {} other session(s) ended", ended.ended)
            })
        }
        AccountCommand::TwoFactorOn => {
            let start = accounts::begin_two_factor(&mut store)?;
            // The code's prompt goes to standard error, so --json output stays one document.
            eprintln!(
                "{}\nScan this with your authenticator app, or type the secret {}; then enter the code it shows:",
                start.qr_text, start.secret
            );
            let code = read_secret_line()?;
            let codes = accounts::confirm_two_factor(&mut store, &code)?;
            out.print(&codes, || {
                format!(
                    "two-factor sign-in is on. Keep these recovery codes somewhere safe; each signs in once without the app:\n{}",
                    codes.codes.join("\n")
                )
            })
        }
        AccountCommand::TwoFactorOff => {
            let password = read_secret_line()?;
            accounts::two_factor_off(&mut store, &password)?;
            out.print(&serde_json::json!({ "two_factor": false }), || {
                "two-factor sign-in is off".into()
            })
        }
    }
}

pub(super) fn access_command(
    command: &AccessCommand,
    store: impl Fn() -> Result<Store, CliError>,
    out: &Output,
) -> Result<(), CliError> {
    let mut store = store()?;
    match command {
        AccessCommand::Tills => {
            let tills = accounts::tills(&mut store)?;
            out.print(&tills, || {
                let rows = tills
                    .iter()
                    .map(|t| {
                        vec![
                            t.station_id.to_string(),
                            t.name.clone(),
                            short(t.enrolled_at),
                            t.last_seen_at.map(short).unwrap_or_default(),
                            t.revoked_at.map(short).unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(
                    &["station", "name", "enrolled", "last seen", "revoked"],
                    rows,
                )
            })
        }
        AccessCommand::RevokeTill { station } => {
            let till = accounts::revoke_till(&mut store, *station)?;
            out.print(&till, || {
                format!("{} is disconnected; it must enrol again", till.name)
            })
        }
        AccessCommand::Sessions => {
            let sessions = accounts::sessions(&mut store)?;
            out.print(&sessions, || {
                let rows = sessions
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.clone(),
                            s.email.clone(),
                            short(s.signed_in_at),
                            short(s.last_used_at),
                            s.address.clone().unwrap_or_default(),
                            if s.current {
                                "this one".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                table(&["id", "who", "signed in", "last used", "from", ""], rows)
            })
        }
        AccessCommand::EndSession { id } => {
            let ended = accounts::end_session(&mut store, id)?;
            out.print(&ended, || "the session is ended".into())
        }
        AccessCommand::Deactivate { user } | AccessCommand::Reactivate { user } => {
            let active = matches!(command, AccessCommand::Reactivate { .. });
            let ended = accounts::set_active(&mut store, *user, active)?;
            out.print(&ended, || {
                if active {
                    "the account can sign in again".into()
                } else {
                    format!(
                        "the account is deactivated; {} session(s) ended",
                        ended.ended
                    )
                }
            })
        }
        AccessCommand::SetPassword { user } => {
            let password = read_secret_line()?;
            let ended = accounts::set_password(&mut store, *user, &password)?;
            out.print(&ended, || {
                format!("new password set; {} session(s) ended", ended.ended)
            })
        }
        AccessCommand::Policy {
            two_factor_for_vendor_staff,
        } => {
            let policy = match two_factor_for_vendor_staff {
                Some(required) => accounts::set_security_policy(
                    &mut store,
                    &SecurityPolicy {
                        two_factor_for_vendor_staff: *required,
                    },
                )?,
                None => accounts::security_policy(&mut store)?,
            };
            out.print(&policy, || {
                format!(
                    "two factors for the vendor's staff: {}",
                    if policy.two_factor_for_vendor_staff {
                        "required"
                    } else {
                        "optional"
                    }
                )
            })
        }
        AccessCommand::Log { before } => {
            let log = accounts::security_log(&mut store, *before)?;
            out.print(&log, || {
                let rows = log
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.to_string(),
                            short(e.at),
                            e.kind.clone(),
                            e.subject.clone(),
                            e.actor.clone().unwrap_or_default(),
                            e.address.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(&["id", "at", "what", "who", "by", "from"], rows)
            })
        }
    }
}
