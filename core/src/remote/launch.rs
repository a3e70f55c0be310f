//! What to start for a connection: a pure function of the address, the password (if the
//! support person gave one), the platform and where the tool's program was found.
//!
//! The plan is an argument list for a program started directly, never a command line for a
//! shell. A password goes to standard input where the tool reads it from there (AnyDesk), and
//! otherwise only as the tool's own option (`--PasswordB64` for TeamViewer, `--password` for
//! RustDesk); shown to a person or a script it is always `***`.

use std::path::PathBuf;

use base64::Engine;
use serde::Serialize;

use super::ids::RemoteAddress;
use super::{Password, RemoteError, RemoteTool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    Windows,
    MacOs,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }

    /// The program that opens a URL with its registered handler, and its arguments before the
    /// URL. On Linux `gio open`: Debian's xdg-open 1.1.3 refuses schemes with digits
    /// (`teamviewer10:`), needs DISPLAY, and blocks until the handler exits.
    fn opener(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Platform::Linux => ("gio", &["open"]),
            Platform::Windows => ("rundll32.exe", &["url.dll,FileProtocolHandler"]),
            Platform::MacOs => ("/usr/bin/open", &[]),
        }
    }
}

/// One argument: shown as it is, or a password shown as `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Plain(String),
    Secret(Password),
}

impl Arg {
    pub(super) fn expose(&self) -> &str {
        match self {
            Arg::Plain(text) => text,
            Arg::Secret(password) => password.expose(),
        }
    }

    fn shown(&self) -> String {
        match self {
            Arg::Plain(text) => text.clone(),
            Arg::Secret(_) => "***".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchPlan {
    pub tool: RemoteTool,
    pub program: PathBuf,
    pub args: Vec<Arg>,
    /// The URL handed to the opener, where the tool is reached through one.
    pub url: Option<String>,
    /// Written to the program's standard input, which is then closed.
    pub stdin: Option<Password>,
}

/// A plan as shown to a person or a script (`stationdesk-cli remote connect --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownPlan {
    pub program: String,
    pub args: Vec<String>,
    pub url: Option<String>,
    /// True when a password goes to the tool's standard input.
    pub stdin: bool,
}

impl LaunchPlan {
    pub fn shown(&self) -> ShownPlan {
        ShownPlan {
            program: self.program.display().to_string(),
            args: self.args.iter().map(Arg::shown).collect(),
            url: self.url.clone(),
            stdin: self.stdin.is_some(),
        }
    }

    /// Whether the started program is the tool itself, so that its exit ends the session; an
    /// opener exits as soon as it has handed the URL on.
    pub fn runs_the_tool(&self) -> bool {
        self.url.is_none()
    }
}

/// The plan for connecting to `address`. `program` is where the tool was found on this
/// computer (see [`super::detect::find_program`]); `None` means it is not installed, which only
/// TeamViewer (through its URL) and VNC (through the system's viewer) can do without.
pub fn plan(
    address: &RemoteAddress,
    password: Option<Password>,
    platform: Platform,
    program: Option<PathBuf>,
) -> Result<LaunchPlan, RemoteError> {
    let tool = address.tool;
    let id = Arg::Plain(address.id.clone());
    let direct = |args: Vec<Arg>, stdin: Option<Password>| -> Result<LaunchPlan, RemoteError> {
        Ok(LaunchPlan {
            tool,
            program: program.clone().ok_or(RemoteError::not_installed(tool))?,
            args,
            url: None,
            stdin,
        })
    };
    match tool {
        RemoteTool::TeamViewer if program.is_some() => {
            let mut args = vec![Arg::Plain("-i".into()), id];
            if let Some(password) = password {
                let encoded = base64::engine::general_purpose::STANDARD.encode(password.expose());
                args.push(Arg::Plain("--PasswordB64".into()));
                args.push(Arg::Secret(Password(encoded)));
            }
            direct(args, None)
        }
        RemoteTool::TeamViewer => through_opener(
            tool,
            platform,
            format!("teamviewer10://control?device={}", address.id),
            password,
        ),
        RemoteTool::RustDesk => {
            let mut args = vec![Arg::Plain("--connect".into()), id];
            if let Some(password) = password {
                args.push(Arg::Plain("--password".into()));
                args.push(Arg::Secret(password));
            }
            direct(args, None)
        }
        RemoteTool::AnyDesk => match password {
            Some(password) => direct(
                vec![id, Arg::Plain("--with-password".into())],
                Some(password),
            ),
            None => direct(vec![id], None),
        },
        RemoteTool::Vnc => {
            through_opener(tool, platform, format!("vnc://{}", address.id), password)
        }
    }
}

fn through_opener(
    tool: RemoteTool,
    platform: Platform,
    url: String,
    password: Option<Password>,
) -> Result<LaunchPlan, RemoteError> {
    if password.is_some() {
        return Err(RemoteError::PasswordNotSupported { tool: tool.label() });
    }
    let (program, leading) = platform.opener();
    let mut args: Vec<Arg> = leading.iter().map(|a| Arg::Plain((*a).into())).collect();
    args.push(Arg::Plain(url.clone()));
    Ok(LaunchPlan {
        tool,
        program: program.into(),
        args,
        url: Some(url),
        stdin: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(tool: RemoteTool, id: &str) -> RemoteAddress {
        RemoteAddress::parse(tool, id).unwrap()
    }

    fn shown(
        tool: RemoteTool,
        id: &str,
        password: Option<&str>,
        platform: Platform,
        program: Option<&str>,
    ) -> ShownPlan {
        plan(
            &address(tool, id),
            password.map(|p| Password::new(p).unwrap()),
            platform,
            program.map(PathBuf::from),
        )
        .unwrap()
        .shown()
    }

    fn expect(program: &str, args: &[&str], url: Option<&str>, stdin: bool) -> ShownPlan {
        ShownPlan {
            program: program.into(),
            args: args.iter().map(|a| (*a).into()).collect(),
            url: url.map(Into::into),
            stdin,
        }
    }

    #[test]
    fn teamviewer_takes_the_id_after_dash_i_on_every_platform() {
        let cases = [
            (Platform::Linux, "/usr/bin/teamviewer"),
            (
                Platform::Windows,
                r"C:\Program Files\TeamViewer\TeamViewer.exe",
            ),
            (
                Platform::MacOs,
                "/Applications/TeamViewer.app/Contents/MacOS/TeamViewer",
            ),
        ];
        for (platform, program) in cases {
            assert_eq!(
                shown(
                    RemoteTool::TeamViewer,
                    "123456789",
                    None,
                    platform,
                    Some(program)
                ),
                expect(program, &["-i", "123456789"], None, false)
            );
        }
        let with_password = plan(
            &address(RemoteTool::TeamViewer, "123456789"),
            Some(Password::new("geheim").unwrap()),
            Platform::Windows,
            Some(r"C:\TV\TeamViewer.exe".into()),
        )
        .unwrap();
        assert_eq!(
            with_password.shown().args,
            ["-i", "123456789", "--PasswordB64", "***"]
        );
        assert_eq!(with_password.args[3].expose(), "Z2VoZWlt");
    }

    #[test]
    fn teamviewer_without_its_program_goes_through_its_url() {
        let expected = [
            (Platform::Linux, "gio", vec!["open"]),
            (
                Platform::Windows,
                "rundll32.exe",
                vec!["url.dll,FileProtocolHandler"],
            ),
            (Platform::MacOs, "/usr/bin/open", vec![]),
        ];
        let url = "teamviewer10://control?device=123456789";
        for (platform, opener, mut args) in expected {
            args.push(url);
            assert_eq!(
                shown(RemoteTool::TeamViewer, "123456789", None, platform, None),
                expect(opener, &args, Some(url), false)
            );
        }
    }

    #[test]
    fn rustdesk_connects_and_takes_a_password_only_when_given() {
        for platform in [Platform::Linux, Platform::Windows, Platform::MacOs] {
            assert_eq!(
                shown(
                    RemoteTool::RustDesk,
                    "Kasse_01",
                    None,
                    platform,
                    Some("rustdesk")
                ),
                expect("rustdesk", &["--connect", "Kasse_01"], None, false)
            );
        }
        assert_eq!(
            shown(
                RemoteTool::RustDesk,
                "123456789",
                Some("pw"),
                Platform::Linux,
                Some("rustdesk")
            ),
            expect(
                "rustdesk",
                &["--connect", "123456789", "--password", "***"],
                None,
                false
            )
        );
    }

    #[test]
    fn anydesk_reads_the_password_from_standard_input_never_from_arguments() {
        let plan = plan(
            &address(RemoteTool::AnyDesk, "123456789"),
            Some(Password::new("geheim\n").unwrap()),
            Platform::Windows,
            Some(r"C:\Program Files (x86)\AnyDesk\AnyDesk.exe".into()),
        )
        .unwrap();
        assert_eq!(
            plan.shown(),
            expect(
                r"C:\Program Files (x86)\AnyDesk\AnyDesk.exe",
                &["123456789", "--with-password"],
                None,
                true
            )
        );
        assert!(plan.args.iter().all(|arg| !arg.expose().contains("geheim")));
        assert_eq!(plan.stdin.unwrap().expose(), "geheim");
        assert_eq!(
            shown(
                RemoteTool::AnyDesk,
                "kasse-1@ad",
                None,
                Platform::MacOs,
                Some("AnyDesk")
            ),
            expect("AnyDesk", &["kasse-1@ad"], None, false)
        );
    }

    #[test]
    fn vnc_opens_its_url_with_the_system_viewer() {
        assert_eq!(
            shown(
                RemoteTool::Vnc,
                "127.0.0.1:5901",
                None,
                Platform::Linux,
                None
            ),
            expect(
                "gio",
                &["open", "vnc://127.0.0.1:5901"],
                Some("vnc://127.0.0.1:5901"),
                false
            )
        );
        let refused = plan(
            &address(RemoteTool::Vnc, "127.0.0.1"),
            Some(Password::new("pw").unwrap()),
            Platform::Linux,
            None,
        );
        assert!(matches!(
            refused,
            Err(RemoteError::PasswordNotSupported { .. })
        ));
    }

    #[test]
    fn a_missing_tool_says_what_to_install() {
        let error = plan(
            &address(RemoteTool::AnyDesk, "123456789"),
            None,
            Platform::Linux,
            None,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "AnyDesk is not installed on this computer; install it (from anydesk.com) and try again"
        );
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let plan = plan(
            &address(RemoteTool::RustDesk, "123456789"),
            Some(Password::new("geheim").unwrap()),
            Platform::Linux,
            Some("rustdesk".into()),
        )
        .unwrap();
        assert!(!format!("{plan:?}").contains("geheim"));
    }
}
