//! Serving the router on a socket that faces the internet: over TLS when given a certificate
//! (rustls), a client must finish its handshake and send its request headers within a time
//! limit (a connection trickling header lines is closed), and the connections one address, and
//! all addresses together, may hold open are capped.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The address a request comes from: its connection's peer, or, through a trusted proxy, the
/// client the proxy names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Reverse proxies and load balancers whose `X-Forwarded-For` the server believes. Through one,
/// the client is the nearest address the header names that is not itself a trusted proxy; any
/// other peer's header is ignored, so a client cannot pass for another address (the sign-in
/// back-off and the security log go by it). Connections are still capped per peer.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(proxies: Vec<IpAddr>) -> TrustedProxies {
        TrustedProxies(proxies.into())
    }

    /// Who sent a request that came from `peer` with these `X-Forwarded-For` headers.
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl DoubleEndedIterator<Item = &'a axum::http::HeaderValue>,
    ) -> IpAddr {
        let mut client = peer;
        if !self.0.contains(&peer) {
            return client;
        }
        // Each proxy appends the address it was reached from: read from the nearest hop back,
        // and stop at the first one no trusted proxy wrote, or at what is no address at all.
        for header in forwarded_for.rev() {
            let Ok(text) = header.to_str() else {
                return client;
            };
            for hop in text.rsplit(',') {
                match hop.trim().parse::<IpAddr>() {
                    Ok(address) if self.0.contains(&address) => client = address,
                    Ok(address) => return address,
                    Err(_) => return client,
                }
            }
        }
        client
    }
}

/// How the server guards its connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Open connections from one address; a shop's tills share its address behind a router.
    pub per_address: usize,
    pub total: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            per_address: 256,
            total: 10_000,
        }
    }
}

/// Who holds how many connections now.
#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A connection counted in [`Open`]; dropping it gives its place back.
struct Counted {
    open: Arc<Mutex<Open>>,
    address: IpAddr,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total -= 1;
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

fn admit(open: &Arc<Mutex<Open>>, address: IpAddr, limits: Limits) -> Option<Counted> {
    let mut counts = open.lock().unwrap_or_else(|p| p.into_inner());
    let from_address = counts.by_address.get(&address).copied().unwrap_or(0);
    if counts.total >= limits.total || from_address >= limits.per_address {
        return None;
    }
    counts.total += 1;
    *counts.by_address.entry(address).or_default() += 1;
    Some(Counted {
        open: open.clone(),
        address,
    })
}

/// The server's certificate chain and key: connections are then HTTPS only.
#[derive(Clone)]
pub struct Tls(tokio_rustls::TlsAcceptor);

impl Tls {
    /// From PEM files: the certificate chain (the server's first) and its private key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, String> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read a certificate from {}: {e}", cert.display()))?;
        if chain.is_empty() {
            return Err(format!("{} holds no certificate", cert.display()));
        }
        let private = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("cannot read a private key from {}: {e}", key.display()))?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| {
                format!(
                    "the key in {} does not go with the certificate in {}: {e}",
                    key.display(),
                    cert.display()
                )
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }
}

/// Serves `router` on `listener` until `shutdown` completes; requests under way then get a
/// second to finish (event streams never do, so it is not longer).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    proxies: TrustedProxies,
    tls: Option<Tls>,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Mutex::new(Open::default()));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(counted) = admit(&open, peer.ip(), limits) else {
            tracing::warn!(address = %peer.ip(), "too many connections; refused one");
            drop(stream);
            continue;
        };
        let peer_ip = peer.ip();
        let proxies = proxies.clone();
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                let client =
                    proxies.client(peer_ip, request.headers().get_all("x-forwarded-for").iter());
                request.extensions_mut().insert(ClientAddress(client));
                request
            },
        ));
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _counted = counted;
            match tls {
                None => serve_connection(TokioIo::new(stream), service, limits, watcher).await,
                Some(Tls(acceptor)) => {
                    // The handshake, too, within the time a client has for its headers.
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => {
                            serve_connection(TokioIo::new(stream), service, limits, watcher).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake took too long"),
                    }
                }
            }
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}

async fn serve_connection<I, S>(io: I, service: S, limits: Limits, watcher: Watcher)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming> + Send,
    S::Future: Send + 'static,
    S::ResBody: Send + 'static,
    <S::ResBody as hyper::body::Body>::Data: Send,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%error, "connection ended");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn client(trusted: &[&str], peer: &str, headers: &[&str]) -> String {
        let proxies = TrustedProxies::new(trusted.iter().map(|a| a.parse().unwrap()).collect());
        let headers: Vec<HeaderValue> = headers
            .iter()
            .map(|h| HeaderValue::from_str(h).unwrap())
            .collect();
        proxies
            .client(peer.parse().unwrap(), headers.iter())
            .to_string()
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        assert_eq!(client(&[], "192.0.2.9", &["203.0.113.5"]), "192.0.2.9");
        assert_eq!(
            client(&["10.0.0.2"], "192.0.2.9", &["203.0.113.5"]),
            "192.0.2.9"
        );
        assert_eq!(
            client(&["10.0.0.2"], "10.0.0.2", &["203.0.113.5"]),
            "203.0.113.5"
        );
        assert_eq!(client(&["10.0.0.2"], "10.0.0.2", &[]), "10.0.0.2");
    }

    #[test]
    fn what_a_client_wrote_itself_is_passed_over() {
        // The client claimed 198.51.100.1; the proxy appended where it really came from.
        assert_eq!(
            client(&["10.0.0.2"], "10.0.0.2", &["198.51.100.1, 203.0.113.5"]),
            "203.0.113.5"
        );
        assert_eq!(
            client(&["10.0.0.2"], "10.0.0.2", &["198.51.100.1", "203.0.113.5"]),
            "203.0.113.5"
        );
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_back() {
        assert_eq!(
            client(
                &["10.0.0.2", "10.0.0.3"],
                "10.0.0.2",
                &["203.0.113.5, 10.0.0.3"]
            ),
            "203.0.113.5"
        );
        assert_eq!(
            client(
                &["10.0.0.2", "2001:db8::1"],
                "10.0.0.2",
                &["2001:db8::7, 2001:db8::1"]
            ),
            "2001:db8::7"
        );
    }

    #[test]
    fn what_is_no_address_ends_the_walk_at_the_last_trusted_hop() {
        assert_eq!(
            client(
                &["10.0.0.2", "10.0.0.3"],
                "10.0.0.2",
                &["unknown, 10.0.0.3"]
            ),
            "10.0.0.3"
        );
        assert_eq!(
            client(&["10.0.0.2"], "10.0.0.2", &["203.0.113.5:4711"]),
            "10.0.0.2"
        );
    }
}
