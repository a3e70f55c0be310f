//! Remote sessions: support staff connect to a station with the tool the station has.
//!
//! - [`ids`]: a station's address in its tool (a TeamViewer id, a RustDesk id or alias, an
//!   AnyDesk id or alias, a VNC host and port), checked by the tool's own rules, so that nothing
//!   stored or typed can ever be read as an option, a path or a second argument.
//! - [`launch`]: what to start for a connection on each platform, as a pure function: the
//!   program and its argument list, or a URL for the platform's opener, and the password's way
//!   in (standard input where the tool allows it; never a shell, never a log).
//! - [`detect`]: which tools this computer has, and this station's id in them.
//! - [`spawn`]: starting the plan without waiting for the tool to exit.

pub mod detect;
pub mod ids;
pub mod launch;
pub mod spawn;

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::domain::wire_enum;

wire_enum!(
    /// The remote-control tools a station can be reached with.
    RemoteTool { TeamViewer = "teamviewer", RustDesk = "rustdesk", AnyDesk = "anydesk", Vnc = "vnc" }
);

impl RemoteTool {
    /// The name people know the tool by.
    pub fn label(self) -> &'static str {
        match self {
            RemoteTool::TeamViewer => "TeamViewer",
            RemoteTool::RustDesk => "RustDesk",
            RemoteTool::AnyDesk => "AnyDesk",
            RemoteTool::Vnc => "VNC",
        }
    }

    /// Where to get the tool, for the message that says it is missing.
    fn install_hint(self) -> &'static str {
        match self {
            RemoteTool::TeamViewer => "from teamviewer.com",
            RemoteTool::RustDesk => "from rustdesk.com",
            RemoteTool::AnyDesk => "from anydesk.com",
            RemoteTool::Vnc => "a VNC viewer such as Remmina (Debian: remmina remmina-plugin-vnc)",
        }
    }
}

/// A password for a remote tool. It is handed to the tool and nowhere else: it prints as
/// `***`, cannot be serialised, and is never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// A password as typed or read from standard input, without the line ending.
    pub fn new(text: &str) -> Result<Password, RemoteError> {
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() || text.chars().any(char::is_control) {
            return Err(RemoteError::InvalidPassword);
        }
        Ok(Password(text.to_owned()))
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What went wrong with a remote connection; each message says what to do.
#[derive(Debug, Error)]
pub enum RemoteError {
    #[error("{given:?} is not a valid {tool} id: {rule}")]
    InvalidId {
        tool: &'static str,
        given: String,
        rule: &'static str,
    },

    #[error("the password is empty or holds control characters; type it again")]
    InvalidPassword,

    #[error("{tool} is opened through a link that cannot carry a password; connect without one and type it in {tool}")]
    PasswordNotSupported { tool: &'static str },

    #[error("{tool} is not installed on this computer; install it ({hint}) and try again")]
    NotInstalled {
        tool: &'static str,
        hint: &'static str,
    },

    #[error("could not start {program}: {source}")]
    Start {
        program: PathBuf,
        source: std::io::Error,
    },
}

impl RemoteError {
    /// A short stable code the UI and scripts can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            RemoteError::InvalidId { .. }
            | RemoteError::InvalidPassword
            | RemoteError::PasswordNotSupported { .. } => "rule",
            RemoteError::NotInstalled { .. } => "not_installed",
            RemoteError::Start { .. } => "launch",
        }
    }

    pub(crate) fn not_installed(tool: RemoteTool) -> RemoteError {
        RemoteError::NotInstalled {
            tool: tool.label(),
            hint: tool.install_hint(),
        }
    }
}
