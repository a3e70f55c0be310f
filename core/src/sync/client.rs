//! The HTTP client for the central server (reqwest with rustls). TLS certificate errors are
//! errors: nothing here turns verification off.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use stationdesk_protocol::{
    BlobStatus, ChangeResult, EnrolRequest, EnrolResponse, ErrorBody, FirstRunDone, FirstRunSetup,
    LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse, API_PREFIX,
};

use super::SyncError;
use crate::secrets::Token;

pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client for the server at `server_url`: HTTPS, trusting the system's roots and, when
    /// given, the vendor's own CA certificate (PEM); plain HTTP only to this computer.
    pub fn new(server_url: &str, vendor_ca: Option<&str>) -> Result<Client, SyncError> {
        let url = reqwest::Url::parse(server_url).map_err(|e| SyncError::BadAddress {
            url: server_url.to_owned(),
            detail: e.to_string(),
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_this_computer(&url) => {}
            "http" => return Err(SyncError::NotEncrypted(server_url.to_owned())),
            other => {
                return Err(SyncError::BadAddress {
                    url: server_url.to_owned(),
                    detail: format!("{other}: is not a web address; it starts with https://"),
                })
            }
        }
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30));
        if let Some(pem) = vendor_ca {
            builder = builder.add_root_certificate(vendor_certificate(pem)?);
        }
        let http = builder.build().map_err(|e| SyncError::Unreachable {
            url: server_url.to_owned(),
            detail: e.to_string(),
        })?;
        Ok(Client {
            base: format!("{}{API_PREFIX}", server_url.trim_end_matches('/')),
            http,
        })
    }

    pub fn enrol(
        &self,
        code: &str,
        station_name: &str,
        station_id: Option<uuid::Uuid>,
    ) -> Result<EnrolResponse, SyncError> {
        let request = EnrolRequest {
            code: code.trim().to_owned(),
            station_name: station_name.trim().to_owned(),
            station_id,
        };
        self.answer(
            self.http
                .post(format!("{}/enrol", self.base))
                .json(&request),
        )
    }

    /// The first shop and its admin on a server that offers first-run set-up.
    pub fn first_run(&self, setup: &FirstRunSetup) -> Result<FirstRunDone, SyncError> {
        self.answer(self.http.post(format!("{}/setup", self.base)).json(setup))
    }

    /// Opens a staff session. The password goes in the request body over the client's TLS and
    /// nowhere else.
    pub fn login(
        &self,
        email: &str,
        password: &str,
        two_factor_code: Option<&str>,
    ) -> Result<LoginResponse, SyncError> {
        let request = LoginRequest {
            email: email.trim().to_owned(),
            password: password.to_owned(),
            two_factor_code: two_factor_code.map(str::to_owned),
        };
        self.answer(
            self.http
                .post(format!("{}/login", self.base))
                .json(&request),
        )
    }

    pub fn logout(&self, token: &Token) -> Result<serde_json::Value, SyncError> {
        self.answer(
            self.http
                .post(format!("{}/logout", self.base))
                .bearer_auth(token.expose()),
        )
    }

    pub fn push(
        &self,
        token: &Token,
        changes: Vec<Box<RawValue>>,
    ) -> Result<Vec<ChangeResult>, SyncError> {
        let request = PushRequest { changes };
        let response: PushResponse = self.answer(
            self.http
                .post(format!("{}/sync/push", self.base))
                .bearer_auth(token.expose())
                .json(&request),
        )?;
        Ok(response.results)
    }

    /// One page of the changes after `after`.
    pub fn pull(&self, token: &Token, after: u64) -> Result<PullResponse, SyncError> {
        self.answer(
            self.http
                .get(format!("{}/sync/pull", self.base))
                .query(&[("after", after)])
                .bearer_auth(token.expose()),
        )
    }

    /// The server's event stream after `after`, line by line, for as long as it stays open,
    /// at most five minutes: a server that vanished without closing the connection is noticed
    /// by then (or sooner, by TCP keep-alive), and the caller simply listens again.
    pub fn events(&self, token: &Token, after: u64) -> Result<impl BufRead, SyncError> {
        let unreachable = |e: reqwest::Error| not_sent(&self.base, &e);
        let response = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .tcp_keepalive(Duration::from_secs(30))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(unreachable)?
            .get(format!("{}/events", self.base))
            .query(&[("after", after)])
            .bearer_auth(token.expose())
            .send()
            .map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.bytes().unwrap_or_default();
            return Err(refusal(status, &body));
        }
        Ok(BufReader::new(response))
    }

    pub fn blob_status(&self, token: &Token, sha256: &str) -> Result<BlobStatus, SyncError> {
        self.answer(
            self.http
                .get(format!("{}/blobs/{sha256}/status", self.base))
                .bearer_auth(token.expose()),
        )
    }

    /// One part of a content, at `offset` of `total` bytes.
    pub fn put_blob(
        &self,
        token: &Token,
        sha256: &str,
        offset: u64,
        total: u64,
        part: &[u8],
    ) -> Result<BlobStatus, SyncError> {
        self.answer(
            self.http
                .put(format!("{}/blobs/{sha256}", self.base))
                .query(&[("offset", offset), ("total", total)])
                .bearer_auth(token.expose())
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(part.to_vec()),
        )
    }

    pub fn get_blob(&self, token: &Token, sha256: &str) -> Result<Vec<u8>, SyncError> {
        self.download(token, &format!("/blobs/{sha256}"))
    }

    /// A signed-in read of `path` (under the API prefix), as JSON.
    pub fn get<T: DeserializeOwned>(
        &self,
        token: &Token,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, SyncError> {
        self.answer(
            self.http
                .get(format!("{}{path}", self.base))
                .query(query)
                .bearer_auth(token.expose()),
        )
    }

    /// A signed-in write of `body` to `path` with `method` (POST or PUT), answered in JSON.
    pub fn send<T: DeserializeOwned>(
        &self,
        token: &Token,
        method: reqwest::Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, SyncError> {
        self.answer(
            self.http
                .request(method, format!("{}{path}", self.base))
                .bearer_auth(token.expose())
                .json(body),
        )
    }

    /// A document as the server keeps it (an invoice's PDF or XML).
    pub fn download(&self, token: &Token, path: &str) -> Result<Vec<u8>, SyncError> {
        self.body(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token.expose()),
        )
    }

    fn answer<T: DeserializeOwned>(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<T, SyncError> {
        let body = self.body(request)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::Garbage(e.to_string()))
    }

    /// The body of a successful answer; any other answer as the error it is.
    fn body(&self, request: reqwest::blocking::RequestBuilder) -> Result<Vec<u8>, SyncError> {
        let response = request.send().map_err(|e| not_sent(&self.base, &e))?;
        let status = response.status();
        let body = response.bytes().map_err(|e| SyncError::Unreachable {
            url: self.base.clone(),
            detail: e.to_string(),
        })?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        Err(refusal(status, &body))
    }
}

/// The error an unsuccessful answer stands for, read from its body where it has one.
fn refusal(status: reqwest::StatusCode, body: &[u8]) -> SyncError {
    let answer = serde_json::from_slice::<ErrorBody>(body).ok();
    let message = answer
        .as_ref()
        .map_or_else(|| format!("HTTP {status}"), |body| body.message.clone());
    let code = answer.as_ref().map_or("", |body| body.code.as_str());
    match (status.as_u16(), code) {
        (status, _) if status >= 500 => SyncError::ServerFailed { status, message },
        (401, "two_factor_required") => SyncError::TwoFactorRequired(message),
        // A wrong password or code is the person's to type again, not an ended access.
        (401, "wrong_credentials" | "two_factor_wrong") => SyncError::Refused {
            status: 401,
            message,
        },
        (401, _) => SyncError::AccessEnded { message },
        (status, _) => SyncError::Refused { status, message },
    }
}

/// `localhost` or a loopback address: the one-computer set-up, where plain HTTP never leaves the
/// machine.
fn is_this_computer(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The vendor's CA certificate, as given (PEM).
pub fn vendor_certificate(pem: &str) -> Result<reqwest::Certificate, SyncError> {
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(SyncError::BadCertificateFile(
            "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    reqwest::Certificate::from_pem(pem.as_bytes())
        .map_err(|e| SyncError::BadCertificateFile(e.to_string()))
}

/// The TLS error behind `error`, directly or inside the I/O errors the TLS stream and the
/// connector wrap it in (an I/O error's own `source` skips what it carries).
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    error.downcast_ref::<rustls::Error>().or_else(|| {
        error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| rustls_error(inner))
    })
}

/// Why a request did not get through: a certificate the client would not trust says which
/// check it failed; anything else is the server being unreachable.
fn not_sent(url: &str, error: &reqwest::Error) -> SyncError {
    use rustls::CertificateError as Why;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(rustls::Error::InvalidCertificate(why)) = rustls_error(current) {
            let problem = match why {
                Why::NotValidForName | Why::NotValidForNameContext { .. } => {
                    "its certificate is for another host name than the one in the address"
                }
                Why::Expired | Why::ExpiredContext { .. } => "its certificate has expired",
                Why::NotValidYet | Why::NotValidYetContext { .. } => {
                    "its certificate is not valid yet (check this computer's clock)"
                }
                Why::UnknownIssuer => {
                    "its certificate is signed by an authority this computer does not trust; enrol with the vendor's CA certificate"
                }
                Why::Revoked => "its certificate was revoked",
                _ => "its certificate is not acceptable",
            };
            return SyncError::Untrusted {
                url: url.to_owned(),
                problem: problem.into(),
            };
        }
        cause = current.source();
    }
    // reqwest's own message names only the URL; the causes say what went wrong.
    let mut detail = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        detail.push(current.to_string());
        cause = current.source();
    }
    SyncError::Unreachable {
        url: url.to_owned(),
        detail: detail.join(": "),
    }
}
