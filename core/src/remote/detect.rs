//! Which remote tools this computer has, and this station's id in them.
//!
//! A tool is looked for where its installer puts it: on Linux anywhere on PATH, on Windows
//! under Program Files (and on PATH), on macOS in its app bundle. RustDesk and AnyDesk tell
//! their id (`--get-id`); for the others the admin types it.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::ids::RemoteAddress;
use super::launch::Platform;
use super::RemoteTool;

/// A tool that hangs when asked for its id (no display, first start) must not hang the app.
const GET_ID_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundTool {
    pub tool: RemoteTool,
    pub program: PathBuf,
    /// This station's id in the tool, where the tool tells it and it is valid.
    pub id: Option<String>,
}

/// Every tool found on this computer, with its id where the tool tells it. `env` reads an
/// environment variable (PATH, ProgramFiles), so tests can point it at a folder of their own.
pub fn detect(platform: Platform, env: &dyn Fn(&str) -> Option<OsString>) -> Vec<FoundTool> {
    RemoteTool::ALL
        .iter()
        .filter_map(|&tool| {
            let program = find_program(tool, platform, env)?;
            let id = match tool {
                RemoteTool::RustDesk | RemoteTool::AnyDesk => read_id(tool, &program),
                RemoteTool::TeamViewer | RemoteTool::Vnc => None,
            };
            Some(FoundTool { tool, program, id })
        })
        .collect()
}

/// Where the tool's program is on this computer, if it is installed. For VNC that is a VNC
/// server a station can be reached through.
pub fn find_program(
    tool: RemoteTool,
    platform: Platform,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Option<PathBuf> {
    candidates(tool, platform, env)
        .into_iter()
        .find(|path| is_executable(path))
}

fn candidates(
    tool: RemoteTool,
    platform: Platform,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Vec<PathBuf> {
    let on_path = |names: &[&str]| -> Vec<PathBuf> {
        let path = env("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
            .collect()
    };
    match platform {
        Platform::Linux => on_path(match tool {
            RemoteTool::TeamViewer => &["teamviewer"],
            RemoteTool::RustDesk => &["rustdesk"],
            RemoteTool::AnyDesk => &["anydesk"],
            RemoteTool::Vnc => &["x11vnc", "wayvnc", "x0vncserver"],
        }),
        Platform::Windows => {
            let under: &[&str] = match tool {
                RemoteTool::TeamViewer => &[r"TeamViewer\TeamViewer.exe"],
                RemoteTool::RustDesk => &[r"RustDesk\rustdesk.exe"],
                RemoteTool::AnyDesk => &[r"AnyDesk\AnyDesk.exe"],
                RemoteTool::Vnc => &[
                    r"TightVNC\tvnserver.exe",
                    r"uvnc bvba\UltraVNC\winvnc.exe",
                    r"RealVNC\VNC Server\vncserver.exe",
                ],
            };
            let installed = ["ProgramFiles", "ProgramFiles(x86)"]
                .iter()
                .filter_map(|var| env(var))
                .flat_map(|root| under.iter().map(move |rel| Path::new(&root).join(rel)));
            let exe_names: Vec<&str> = under
                .iter()
                .filter_map(|rel| rel.rsplit('\\').next())
                .collect();
            installed.chain(on_path(&exe_names)).collect()
        }
        Platform::MacOs => match tool {
            RemoteTool::TeamViewer => {
                vec!["/Applications/TeamViewer.app/Contents/MacOS/TeamViewer".into()]
            }
            RemoteTool::RustDesk => {
                vec!["/Applications/RustDesk.app/Contents/MacOS/RustDesk".into()]
            }
            RemoteTool::AnyDesk => vec!["/Applications/AnyDesk.app/Contents/MacOS/AnyDesk".into()],
            // macOS's own Screen Sharing serves VNC; there is nothing to find.
            RemoteTool::Vnc => Vec::new(),
        },
    }
}

fn is_executable(path: &Path) -> bool {
    let Ok(metadata) = path.metadata() else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

/// Asks the tool for this computer's id (`--get-id`); anything but a valid id within a few
/// seconds counts as "not known".
fn read_id(tool: RemoteTool, program: &Path) -> Option<String> {
    let mut child = Command::new(program)
        .arg("--get-id")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < GET_ID_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let mut output = String::new();
    child.stdout.take()?.read_to_string(&mut output).ok()?;
    let id = output
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    RemoteAddress::parse(tool, id)
        .ok()
        .map(|address| address.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn windows_looks_under_both_program_files_folders_then_on_path() {
        let env = env_of(&[
            ("ProgramFiles", r"C:\Program Files"),
            ("ProgramFiles(x86)", r"C:\Program Files (x86)"),
        ]);
        let found = candidates(RemoteTool::AnyDesk, Platform::Windows, &env);
        let shown: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        assert!(shown[0].starts_with(r"C:\Program Files"), "{shown:?}");
        assert!(shown[0].ends_with(r"AnyDesk\AnyDesk.exe"), "{shown:?}");
        assert!(shown[1].starts_with(r"C:\Program Files (x86)"), "{shown:?}");
    }

    #[test]
    fn macos_looks_in_the_app_bundle() {
        let env = env_of(&[]);
        assert_eq!(
            candidates(RemoteTool::RustDesk, Platform::MacOs, &env),
            [PathBuf::from(
                "/Applications/RustDesk.app/Contents/MacOS/RustDesk"
            )]
        );
    }

    #[test]
    fn linux_finds_executables_on_path_only() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str, mode: u32| {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        script("rustdesk", "#!/bin/sh\necho ' 123456789'\n", 0o755);
        script("anydesk", "#!/bin/sh\necho 'not an id; --play'\n", 0o755);
        // Not executable: a leftover file is no installed tool.
        script("teamviewer", "#!/bin/sh\n", 0o644);
        let path = dir.path().to_str().unwrap().to_owned();
        let vars = [("PATH", path.as_str())];
        let env = env_of(&vars);
        let found = detect(Platform::Linux, &env);
        assert_eq!(
            found,
            [
                FoundTool {
                    tool: RemoteTool::RustDesk,
                    program: dir.path().join("rustdesk"),
                    id: Some("123456789".into()),
                },
                FoundTool {
                    tool: RemoteTool::AnyDesk,
                    program: dir.path().join("anydesk"),
                    id: None,
                },
            ]
        );
    }
}
