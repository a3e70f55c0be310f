//! Real mail servers on loopback for the e-mail channel's tests: Dovecot (Debian's) as the
//! support mailbox over IMAP with TLS, configured in a temporary directory with one user and a
//! maildir, and aiosmtpd (Debian's python3-aiosmtpd) as the outgoing server, STARTTLS
//! required, keeping what it receives in a maildir. Both use certificates of an authority made
//! for the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tempfile::TempDir;

use crate::certs::Authority;
use crate::free_port;
use crate::server::TestServer;

pub const MAILBOX_USER: &str = "support";
/// The OAuth 2.0 client the provider's stand-in knows, and the refresh token it issued first.
pub const OAUTH2_CLIENT_ID: &str = "stationdesk-test";
pub const OAUTH2_CLIENT_SECRET: &str = "client-geheim";
pub const OAUTH2_REFRESH_TOKEN: &str = "refresh-1";
pub const MAILBOX_PASSWORD: &str = "Postfach-Geheim-1";

pub struct MailServers {
    dir: TempDir,
    pub ca_pem: String,
    pub imap_port: u16,
    pub smtp_port: u16,
    cert: PathBuf,
    key: PathBuf,
    smtp: Option<Child>,
    oauth2_port: u16,
    oauth2: Child,
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn user_name() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl MailServers {
    pub fn start() -> MailServers {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let authority = Authority::new("Test vendor mail CA");
        let (cert, key) = authority.certificate_files(root, &["localhost"], None);
        // Dovecot's mail processes run as an unprivileged user: as root, Debian's `dovecot`
        // user, which needs to reach the maildir.
        let me = user_name();
        let (internal, login, mail_user) = if me == "root" {
            ("dovecot", "dovenull", "dovecot")
        } else {
            (me.as_str(), me.as_str(), me.as_str())
        };
        let mail = root.join("mail");
        std::fs::create_dir(&mail).unwrap();
        std::fs::create_dir(root.join("run")).unwrap();
        std::fs::create_dir(root.join("state")).unwrap();
        if me == "root" {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
            let status = Command::new("chown")
                .args([&format!("{mail_user}:{mail_user}"), mail.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        std::fs::write(
            root.join("passwd"),
            format!("{MAILBOX_USER}:{{PLAIN}}{MAILBOX_PASSWORD}\n"),
        )
        .unwrap();
        // The provider's OAuth 2.0 stand-in, which Dovecot asks about access tokens.
        let oauth2_port = free_port();
        std::fs::write(
            root.join("oauth2_double.py"),
            include_str!("oauth2_double.py"),
        )
        .unwrap();
        let oauth2 = Command::new("python3")
            .arg(root.join("oauth2_double.py"))
            .arg(oauth2_port.to_string())
            .args([OAUTH2_REFRESH_TOKEN, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET])
            .arg(root.join("oauth2.log"))
            .stderr(std::fs::File::create(root.join("oauth2.err")).unwrap())
            .spawn()
            .unwrap();
        wait_for_port(
            oauth2_port,
            "the OAuth 2.0 stand-in",
            &root.join("oauth2.err"),
        );
        std::fs::write(
            root.join("oauth2.conf.ext"),
            format!(
                "introspection_mode = post
introspection_url = http://127.0.0.1:{oauth2_port}/introspect
username_attribute = username
active_attribute = active
active_value = true
"
            ),
        )
        .unwrap();
        let imap_port = free_port();
        let r = root.display();
        std::fs::write(
            root.join("dovecot.conf"),
            format!(
                "base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain xoauth2
mail_location = maildir:{r}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {r}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={r}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {imap_port}
    ssl = yes
  }}
}}
",
                cert = cert.display(),
                key = key.display(),
            ),
        )
        .unwrap();
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .status()
            .expect("dovecot (Debian's dovecot-imapd; scripts/setup.sh test installs it)");
        assert!(status.success(), "dovecot did not start");
        wait_for_port(imap_port, "dovecot", &root.join("dovecot.log"));
        let mut servers = MailServers {
            ca_pem: authority.pem(),
            imap_port,
            smtp_port: free_port(),
            cert,
            key,
            smtp: None,
            oauth2_port,
            oauth2,
            dir,
        };
        servers.start_smtp();
        servers
    }

    /// The outgoing server, started (again) on its port.
    pub fn start_smtp(&mut self) {
        let log = self.dir.path().join("smtp.log");
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.smtp_port))
            .arg("--tlscert")
            .arg(&self.cert)
            .arg("--tlskey")
            .arg(&self.key)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.dir.path().join("sent"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("aiosmtpd (Debian's python3-aiosmtpd; scripts/setup.sh test installs it)");
        self.smtp = Some(child);
        wait_for_port(self.smtp_port, "aiosmtpd", &log);
    }

    /// The outgoing server gone, as a mail server that is down.
    pub fn stop_smtp(&mut self) {
        if let Some(mut child) = self.smtp.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The stand-in provider's token endpoint.
    pub fn oauth2_token_url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.oauth2_port)
    }

    /// What the stand-in provider was asked, in order: `{"path", "form"}` each.
    pub fn oauth2_requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("oauth2.log"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// The `serve` options that make a server look at its mailboxes every second.
    pub fn serve_options(&self) -> Vec<String> {
        vec!["--mail-poll-seconds".into(), "1".into()]
    }

    /// Sets the support mailbox and the outgoing server through the vendor admin's API.
    pub fn configure(&self, server: &TestServer, vendor_admin: &str) {
        let (status, body) = server.put_json(
            "/v1/mail/mailboxes/support",
            vendor_admin,
            &json!({
                "host": "localhost",
                "port": self.imap_port,
                "user": MAILBOX_USER,
                "password": MAILBOX_PASSWORD,
                "ca_pem": self.ca_pem,
            }),
        );
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
        let (status, body) = server.put_json(
            "/v1/mail/outgoing",
            vendor_admin,
            &json!({
                "host": "localhost",
                "port": self.smtp_port,
                "security": "starttls",
                "ca_pem": self.ca_pem,
                "from_address": "support@vendor.de",
                "from_name": "Vendor Support",
            }),
        );
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    }

    /// Puts a message into the support mailbox, as its provider's delivery would (IMAP APPEND).
    pub fn deliver(&self, raw: &str) {
        let raw = raw.replace("\r\n", "\n").replace('\n', "\r\n");
        let port = self.imap_port;
        let config = self.client_tls();
        // A runtime of its own, on a thread of its own: callable from a test's runtime too.
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap()
                        .block_on(async move {
                            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                                .await
                                .unwrap();
                            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                                .connect("localhost".try_into().unwrap(), tcp)
                                .await
                                .unwrap();
                            let mut client = async_imap::Client::new(tls);
                            client.read_response().await.unwrap();
                            let mut session = client
                                .login(MAILBOX_USER, MAILBOX_PASSWORD)
                                .await
                                .map_err(|(e, _)| e)
                                .unwrap();
                            session
                                .append("INBOX", None, None, raw.as_bytes())
                                .await
                                .unwrap();
                            session.logout().await.unwrap();
                        });
                })
                .join()
                .unwrap();
        });
    }

    /// A TLS client that trusts the test's authority only.
    fn client_tls(&self) -> tokio_rustls::rustls::ClientConfig {
        use rustls_pki_types::pem::PemObject;
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(self.ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
    }

    /// The messages the outgoing server received, in the order they arrived.
    pub fn sent(&self) -> Vec<String> {
        let mut files: Vec<(std::time::SystemTime, String)> = ["new", "cur"]
            .iter()
            .flat_map(|sub| {
                std::fs::read_dir(self.dir.path().join("sent").join(sub))
                    .into_iter()
                    .flatten()
            })
            .map(|entry| {
                let entry = entry.unwrap();
                (
                    entry.metadata().unwrap().modified().unwrap(),
                    std::fs::read_to_string(entry.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files.into_iter().map(|(_, text)| text).collect()
    }
}

impl Drop for MailServers {
    fn drop(&mut self) {
        self.stop_smtp();
        let _ = self.oauth2.kill();
        let _ = self.oauth2.wait();
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.path().join("dovecot.conf"))
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Waits up to 20 s for `check` to give something.
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "waited 20 s for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
