//! A station's address in its remote tool, checked by that tool's own rules.
//!
//! The address ends up as an argument of another program, so the rules are allow-lists of
//! ASCII characters: nothing that starts with a dash, holds a space, a quote, a separator, a
//! path or a non-ASCII digit gets through, whatever the tool itself might have made of it.

use serde::{Deserialize, Serialize};

use super::{RemoteError, RemoteTool};

/// RustDesk's custom ids: a letter, then 5 to 15 letters, digits or underscores (RustDesk's own
/// rule, `^[a-zA-Z]\w{5,15}$`, here in ASCII only).
const RUSTDESK_ALIAS_LEN: std::ops::RangeInclusive<usize> = 6..=16;
/// An AnyDesk alias is `name@namespace` ("kasse-1@ad"); each part at most this long.
const ANYDESK_ALIAS_PART: usize = 40;
const VNC_DEFAULT_PORT: u16 = 5900;

/// A tool and the station's id in it, valid by the tool's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedAddress")]
pub struct RemoteAddress {
    pub tool: RemoteTool,
    /// The id as the tool wants it: digits, an alias, or `host:port` for VNC.
    pub id: String,
}

#[derive(Deserialize)]
struct UncheckedAddress {
    tool: RemoteTool,
    id: String,
}

impl TryFrom<UncheckedAddress> for RemoteAddress {
    type Error = RemoteError;

    fn try_from(unchecked: UncheckedAddress) -> Result<Self, Self::Error> {
        RemoteAddress::parse(unchecked.tool, &unchecked.id)
    }
}

impl RemoteAddress {
    /// Checks a typed id. Surrounding blanks are dropped; anything else the tool would not
    /// accept is refused with the rule it broke.
    pub fn parse(tool: RemoteTool, typed: &str) -> Result<RemoteAddress, RemoteError> {
        let typed = typed.trim();
        let refuse = |rule| RemoteError::InvalidId {
            tool: tool.label(),
            given: typed.to_owned(),
            rule,
        };
        let id = match tool {
            RemoteTool::TeamViewer => digits(typed, 8..=12)
                .map(str::to_owned)
                .ok_or_else(|| refuse("8 to 12 digits, without spaces"))?,
            RemoteTool::RustDesk => digits(typed, 9..=10)
                .or_else(|| rustdesk_alias(typed))
                .map(str::to_owned)
                .ok_or_else(|| {
                    refuse("9 or 10 digits, or a custom id of 6 to 16 letters, digits and _ starting with a letter")
                })?,
            RemoteTool::AnyDesk => digits(typed, 9..=10)
                .map(str::to_owned)
                .or_else(|| anydesk_alias(typed))
                .ok_or_else(|| refuse("9 or 10 digits, or an alias such as kasse-1@ad"))?,
            RemoteTool::Vnc => vnc_host_port(typed)
                .ok_or_else(|| refuse("host:port, e.g. 192.168.1.20:5900 or kasse1.local"))?,
        };
        Ok(RemoteAddress { tool, id })
    }
}

fn digits(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<&str> {
    (len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

fn rustdesk_alias(text: &str) -> Option<&str> {
    let mut bytes = text.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    (starts_with_letter
        && RUSTDESK_ALIAS_LEN.contains(&text.len())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(text)
}

/// AnyDesk aliases are not case-sensitive; they are kept in lower case.
fn anydesk_alias(text: &str) -> Option<String> {
    let (name, namespace) = text.split_once('@')?;
    let part = |part: &str| {
        !part.is_empty()
            && part.len() <= ANYDESK_ALIAS_PART
            && part
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    (part(name) && part(namespace)).then(|| text.to_ascii_lowercase())
}

/// `host[:port]` with a DNS name, an IPv4 address or a bracketed IPv6 address; the port
/// defaults to VNC's 5900 and is always written out.
fn vnc_host_port(text: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<std::net::Ipv6Addr>().ok()?;
        (&text[..v6.len() + 2], after.strip_prefix(':'))
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None => VNC_DEFAULT_PORT,
        Some(port) if port.bytes().all(|b| b.is_ascii_digit()) => {
            port.parse().ok().filter(|p| *p != 0)?
        }
        Some(_) => return None,
    };
    let dns_name = || {
        host.len() <= 253
            && host.split('.').all(|label| {
                (1..=63).contains(&label.len())
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    // Resolvers read "3232235777" or "192.168.1" as addresses too: digits must be a real IPv4.
    let numeric = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let valid = if host.starts_with('[') {
        true
    } else if numeric {
        host.parse::<std::net::Ipv4Addr>().is_ok()
    } else {
        dns_name()
    };
    valid.then(|| format!("{host}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tool: RemoteTool, id: &str) -> Result<String, RemoteError> {
        RemoteAddress::parse(tool, id).map(|address| address.id)
    }

    #[test]
    fn ids_each_tool_really_uses_are_accepted() {
        let accepted = [
            (RemoteTool::TeamViewer, "12345678", "12345678"),
            (RemoteTool::TeamViewer, " 1234567890 ", "1234567890"),
            (RemoteTool::TeamViewer, "123456789012", "123456789012"),
            (RemoteTool::RustDesk, "123456789", "123456789"),
            (RemoteTool::RustDesk, "Kasse_01", "Kasse_01"),
            (RemoteTool::AnyDesk, "1234567890", "1234567890"),
            (RemoteTool::AnyDesk, "Kasse-1@ad", "kasse-1@ad"),
            (
                RemoteTool::AnyDesk,
                "filiale.nord@meinladen",
                "filiale.nord@meinladen",
            ),
            (RemoteTool::Vnc, "127.0.0.1:5901", "127.0.0.1:5901"),
            (RemoteTool::Vnc, "kasse1.local", "kasse1.local:5900"),
            (RemoteTool::Vnc, "[::1]:5902", "[::1]:5902"),
        ];
        for (tool, typed, stored) in accepted {
            assert_eq!(parse(tool, typed).unwrap(), stored, "{tool} {typed:?}");
        }
    }

    #[test]
    fn hostile_ids_are_refused_by_every_tool() {
        let too_long = "1".repeat(300);
        let hostile = [
            "",
            "--play",
            "-i",
            "-123456789",
            "123456789 --play",
            "123 456 789",
            "12345678\n--play",
            "\"123456789\"",
            "'123456789'",
            "123456789;rm -rf /",
            "123456789&calc",
            "123456789|sh",
            "$(reboot)",
            "`reboot`",
            "\\\\server\\share",
            "//server/share",
            "C:\\Windows\\System32\\cmd.exe",
            "file:///etc/passwd",
            "١٢٣٤٥٦٧٨٩",          // Arabic-Indic digits
            "１２３４５６７８９", // full-width digits
            "12345678901234567890123456789012345678901234567890",
            &too_long,
            "kasse@ad@ad",
            "käße_01",
            "123456789\0",
            "host:5900 -via evil",
            "host:-1",
            "host:65536",
            "host:0",
            "-host:5900",
        ];
        for tool in RemoteTool::ALL {
            for id in hostile {
                assert!(
                    matches!(parse(*tool, id), Err(RemoteError::InvalidId { .. })),
                    "{tool} accepted {id:?}"
                );
            }
        }
    }

    #[test]
    fn lengths_follow_each_tool() {
        assert!(parse(RemoteTool::TeamViewer, "1234567").is_err());
        assert!(parse(RemoteTool::TeamViewer, "1234567890123").is_err());
        assert!(parse(RemoteTool::RustDesk, "Kasse").is_err());
        assert!(parse(RemoteTool::RustDesk, "_kasse01").is_err());
        assert!(parse(RemoteTool::RustDesk, "K2345678901234567").is_err());
        assert!(parse(RemoteTool::AnyDesk, "12345678").is_err());
        assert!(parse(RemoteTool::AnyDesk, "@ad").is_err());
        assert!(parse(RemoteTool::Vnc, "[not-v6]:5900").is_err());
        assert!(parse(RemoteTool::Vnc, "192.168.1").is_err());
        assert!(parse(RemoteTool::Vnc, &format!("{}.de", "a".repeat(64))).is_err());
    }

    #[test]
    fn a_stored_address_is_checked_again_when_read() {
        let read = |json: &str| serde_json::from_str::<RemoteAddress>(json);
        assert!(read(r#"{"tool":"rustdesk","id":"123456789"}"#).is_ok());
        assert!(read(r#"{"tool":"rustdesk","id":"--play"}"#).is_err());
    }

    #[test]
    fn error_messages_name_the_rule() {
        let error = parse(RemoteTool::TeamViewer, "--play").unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"--play\" is not a valid TeamViewer id: 8 to 12 digits, without spaces"
        );
    }
}
