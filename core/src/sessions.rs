//! Remote help from both ends: support staff press "Connect" on a station or a ticket, and the
//! cashier allows remote help at the till. Both start a program (see [`crate::remote`]) and
//! leave an audit record in the store; the app, the CLI and the benchmark all come through
//! here, so they do the same thing.

use std::ffi::OsString;
use std::process::Child;

use crate::remote::ids::RemoteAddress;
use crate::remote::launch::{self, LaunchPlan, Platform, ShownPlan};
use crate::remote::{detect, spawn, Password, RemoteError, RemoteTool};
use crate::store::{Consent, NewSession, RemoteSession, Store, StoreError};

/// Where programs are looked for: this process's environment, or a test's own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// The process environment, for [`Env`].
pub fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// What support wants to connect to. Without an explicit address the station's own (or the
/// ticket's station's) tool and id are used.
#[derive(Debug, Clone, Default)]
pub struct ConnectTo<'a> {
    pub station: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub address: Option<RemoteAddress>,
}

pub struct Connected {
    pub session: RemoteSession,
    pub plan: ShownPlan,
    /// The started program; when it is the tool itself (not an opener handing a URL on), its
    /// exit ends the session.
    pub child: Child,
    pub ends_with_child: bool,
}

/// What would be started, with any password shown as `***`; nothing is started or recorded.
pub fn connect_plan(
    store: &Store,
    to: &ConnectTo<'_>,
    password: Option<Password>,
    platform: Platform,
    env: Env<'_>,
) -> Result<LaunchPlan, StoreError> {
    Ok(prepare(store, to, password, platform, env)?.1)
}

/// Starts the tool and records the session. The tool is started first: a record of a session
/// that never began would mislead an audit. If the record cannot be written, the tool is
/// stopped again and the error says why.
pub fn connect(
    store: &mut Store,
    to: &ConnectTo<'_>,
    password: Option<Password>,
    started_by: &str,
    platform: Platform,
    env: Env<'_>,
) -> Result<Connected, StoreError> {
    let (address, plan) = prepare(store, to, password, platform, env)?;
    let mut child = spawn::start(&plan)?;
    let recorded = store.start_remote_session(NewSession {
        address: &address,
        station: to.station,
        ticket: to.ticket,
        started_by,
        note: "",
    });
    match recorded {
        Ok(session) => Ok(Connected {
            session,
            plan: plan.shown(),
            ends_with_child: plan.runs_the_tool(),
            child,
        }),
        Err(error) => {
            if plan.runs_the_tool() {
                let _ = child.kill();
            }
            let _ = child.wait();
            Err(error)
        }
    }
}

fn prepare(
    store: &Store,
    to: &ConnectTo<'_>,
    password: Option<Password>,
    platform: Platform,
    env: Env<'_>,
) -> Result<(RemoteAddress, LaunchPlan), StoreError> {
    let address = address_of(store, to)?;
    let program = match address.tool {
        // VNC goes through the system's viewer; a VNC *server* here is of no use to support.
        RemoteTool::Vnc => None,
        tool => detect::find_program(tool, platform, env),
    };
    let plan = launch::plan(&address, password, platform, program)?;
    Ok((address, plan))
}

fn address_of(store: &Store, to: &ConnectTo<'_>) -> Result<RemoteAddress, StoreError> {
    if let Some(address) = &to.address {
        return Ok(address.clone());
    }
    let station = match (to.station, to.ticket) {
        (Some(station), _) => store.station(station)?,
        (None, Some(ticket)) => {
            let ticket = store.ticket(ticket)?.ticket;
            let station = ticket.station_id.ok_or(StoreError::NoRemoteTool {
                station: format!("of ticket {}", ticket.id),
            })?;
            store.station(&station.to_string())?
        }
        (None, None) => {
            return Err(StoreError::NoRemoteTool {
                station: "(none given)".into(),
            })
        }
    };
    station.remote.ok_or(StoreError::NoRemoteTool {
        station: station.name,
    })
}

pub struct HelpAllowed {
    pub consent: Consent,
    /// The station's tool, started so that support can connect; `None` when the station has
    /// no tool recorded (a VNC server runs as a service and needs no start).
    pub tool: Option<Child>,
    /// Why the tool could not be started, for the till to show next to the banner.
    pub problem: Option<RemoteError>,
}

/// The cashier allows remote help: the consent is recorded first (it is what the banner
/// shows), then the station's tool is started so support can reach it.
pub fn allow_remote_help(
    store: &mut Store,
    station: &str,
    ticket: Option<&str>,
    given_by: &str,
    platform: Platform,
    env: Env<'_>,
) -> Result<HelpAllowed, StoreError> {
    let consent = store.allow_remote_help(station, ticket, given_by)?;
    let tool = store
        .station(station)?
        .remote
        .map(|address| address.tool)
        .filter(|tool| *tool != RemoteTool::Vnc);
    let started = tool.map(|tool| {
        let plan = LaunchPlan {
            tool,
            program: detect::find_program(tool, platform, env)
                .ok_or(RemoteError::not_installed(tool))?,
            args: Vec::new(),
            url: None,
            stdin: None,
        };
        spawn::start(&plan)
    });
    let (tool, problem) = match started {
        None => (None, None),
        Some(Ok(child)) => (Some(child), None),
        Some(Err(problem)) => (None, Some(problem)),
    };
    Ok(HelpAllowed {
        consent,
        tool,
        problem,
    })
}
