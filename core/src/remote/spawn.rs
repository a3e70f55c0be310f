//! Starting a launch plan: the program directly with its argument list (no shell to interpret
//! anything), detached from our terminal, without waiting for it.

use std::io::Write;
use std::process::{Child, Command, Stdio};

use super::launch::LaunchPlan;
use super::RemoteError;

/// Starts the plan's program and hands it the password on standard input if the plan says so.
/// The caller decides whether to watch the returned child (a tool whose exit ends the session)
/// or let it go.
pub fn start(plan: &LaunchPlan) -> Result<Child, RemoteError> {
    let mut command = Command::new(&plan.program);
    command
        .args(plan.args.iter().map(|arg| arg.expose()))
        .stdin(if plan.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C in the terminal that started stationdesk-cli does
        // not end the support person's session.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let failed = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            RemoteError::not_installed(plan.tool)
        } else {
            RemoteError::Start {
                program: plan.program.clone(),
                source,
            }
        }
    };
    let mut child = command.spawn().map_err(failed)?;
    if let (Some(password), Some(mut input)) = (&plan.stdin, child.stdin.take()) {
        // Dropping `input` closes it, so the tool sees the end of the password.
        input
            .write_all(format!("{}\n", password.expose()).as_bytes())
            .map_err(failed)?;
    }
    Ok(child)
}
